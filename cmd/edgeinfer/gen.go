package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/edgeinfer/edgeinfer/models"
	"github.com/edgeinfer/edgeinfer/onnx"
)

// cmdGen writes one of the built-in torchvision-equivalent models.
func cmdGen(args []string, w io.Writer) error {
	fs := newFlags("gen")
	out := fs.String("o", "", "output file (required)")
	seed := fs.Uint64("seed", 1, "weight seed")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		return fmt.Errorf("gen: usage: edgeinfer gen %s -o FILE", strings.Join(models.Names(), "|"))
	}
	m, err := models.Build(pos[0], *seed)
	if err != nil {
		return err
	}
	if err := onnx.WriteFile(*out, m); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %s to %s (synthetic weights, seed %d)\n", pos[0], *out, *seed)
	return nil
}
