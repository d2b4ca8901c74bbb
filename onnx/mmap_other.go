//go:build !(aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris)

package onnx

import "os"

// mapFile reads the first size bytes of f: this platform has no mmap support
// here. release is a no-op.
func mapFile(f *os.File, size int64) (data []byte, release func() error, mapped bool, err error) {
	data, release, err = readFile(f, size)
	return data, release, false, err
}
