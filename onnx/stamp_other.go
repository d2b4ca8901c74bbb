//go:build !(aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris)

package onnx

import (
	"os"
	"time"
)

// stamp is what changes when anyone writes to a file: its size and
// modification time (files are read into memory here, not mapped, so it
// is not used).
type stamp struct {
	size  int64
	mtime time.Time
}

func stampOf(f *os.File) (stamp, error) {
	st, err := f.Stat()
	if err != nil {
		return stamp{}, err
	}
	return stamp{size: st.Size(), mtime: st.ModTime()}, nil
}
