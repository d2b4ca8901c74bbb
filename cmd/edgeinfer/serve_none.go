//go:build noserve

package main

import (
	"errors"
	"io"
)

// A build with the noserve tag leaves out `edgeinfer serve` and, with it,
// net/http and crypto/tls (about 3.5 MB of the binary), for boards that
// only classify.
func cmdServe([]string, io.Writer) error {
	return errors.New("serve: this edgeinfer was built without the server (-tags noserve)")
}
