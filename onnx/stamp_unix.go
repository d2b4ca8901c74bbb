//go:build aix || darwin || dragonfly || freebsd || linux || netbsd || openbsd || solaris

package onnx

import (
	"os"

	"golang.org/x/sys/unix"
)

// stamp is what changes when anyone writes to a file or truncates it: its
// size and its modification and status-change times (the latter cannot be
// set back by the writer), and which file it is.
type stamp struct {
	dev, ino     uint64
	size         int64
	mtime, ctime unix.Timespec
}

func stampOf(f *os.File) (stamp, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return stamp{}, err
	}
	return stamp{dev: uint64(st.Dev), ino: uint64(st.Ino), size: st.Size, mtime: st.Mtim, ctime: st.Ctim}, nil
}
