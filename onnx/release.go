//go:build linux

package onnx

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Release tells the operating system that the model file's pages lying
// wholly inside bufs (typically initializers' RawData whose contents a
// runtime has copied into another layout) will not be read soon: they leave
// the process's resident memory and are read from the file again if
// touched, so every slice stays valid and unchanged. Only pages of
// read-only file mappings are released; bytes in ordinary memory (tensors
// decoded into memory, models not opened with Open) are left alone. It
// returns the number of bytes released. Where the platform offers no such
// advice it does nothing.
func (m *Model) Release(bufs ...[]byte) (int64, error) {
	if m == nil || m.closer == nil || len(bufs) == 0 {
		return 0, nil
	}
	maps, err := fileMappings()
	if err != nil {
		return 0, err
	}
	page := uintptr(os.Getpagesize())
	var n int64
	for _, b := range bufs {
		if len(b) == 0 {
			continue
		}
		start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
		end := start + uintptr(len(b))
		for _, r := range maps {
			lo := max(r.start, (start+page-1)&^(page-1))
			hi := min(r.end, end&^(page-1))
			if lo >= hi {
				continue
			}
			if err := unix.Madvise(b[lo-start:hi-start], unix.MADV_DONTNEED); err != nil {
				return n, err
			}
			n += int64(hi - lo)
		}
	}
	return n, nil
}

// region is an address range [start, end).
type region struct{ start, end uintptr }

// fileMappings lists the process's read-only mappings of files, from
// /proc/self/maps. Dropping their pages loses nothing: the file holds them.
func fileMappings() ([]region, error) {
	data, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return nil, err
	}
	var out []region
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		// start-end perms offset dev inode [path]
		f := bytes.Fields(sc.Bytes())
		if len(f) < 6 || len(f[1]) < 2 || f[1][1] != '-' || string(f[4]) == "0" {
			continue
		}
		se := bytes.SplitN(f[0], []byte("-"), 2)
		if len(se) != 2 {
			continue
		}
		s, err1 := strconv.ParseUint(string(se[0]), 16, 64)
		e, err2 := strconv.ParseUint(string(se[1]), 16, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, region{uintptr(s), uintptr(e)})
	}
	return out, sc.Err()
}
