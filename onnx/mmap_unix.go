//go:build aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris

package onnx

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps the first size bytes of f read-only. Where the file system
// refuses to map, it reads the file instead. release undoes the mapping.
func mapFile(f *os.File, size int64) (data []byte, release func() error, err error) {
	if size <= 0 || size != int64(int(size)) {
		return readFile(f, size)
	}
	data, err = unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return readFile(f, size)
	}
	return data, func() error { return unix.Munmap(data) }, nil
}
