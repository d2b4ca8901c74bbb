//go:build aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris

package onnx

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps the first size bytes of f read-only. Where the file system
// refuses to map, it reads the file instead (mapped is false). release
// undoes the mapping.
func mapFile(f *os.File, size int64) (data []byte, release func() error, mapped bool, err error) {
	if size <= 0 || size != int64(int(size)) {
		data, release, err = readFile(f, size)
		return data, release, false, err
	}
	data, err = unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		data, release, err = readFile(f, size)
		return data, release, false, err
	}
	return data, func() error { return unix.Munmap(data) }, true, nil
}
