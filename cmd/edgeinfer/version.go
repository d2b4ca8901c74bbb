package main

import (
	"fmt"
	"io"
	"os"
	goruntime "runtime"
	"runtime/debug"
	"strings"

	"golang.org/x/sys/cpu"
)

// cmdVersion prints the module version, the VCS commit it was built from
// (when the build recorded one), the Go version, the platform and the
// SGEMM kernel in use.
func cmdVersion(args []string, w io.Writer) error {
	fs := newFlags("version")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("version: takes no arguments")
	}
	version, commit := "unknown", ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		version = bi.Main.Version // "(devel)" for a build from a checkout
		var rev, modified, when string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			case "vcs.time":
				when = s.Value
			}
		}
		if rev != "" {
			commit = rev
			if when != "" {
				commit += " (" + when + ")"
			}
			if modified == "true" {
				commit += ", with uncommitted changes"
			}
		}
	}
	fmt.Fprintf(w, "edgeinfer %s\n", version)
	if commit != "" {
		fmt.Fprintf(w, "commit    %s\n", commit)
	}
	fmt.Fprintf(w, "go        %s\n", goruntime.Version())
	fmt.Fprintf(w, "platform  %s/%s\n", goruntime.GOOS, goruntime.GOARCH)
	fmt.Fprintf(w, "sgemm     %s\n", sgemmKernel())
	return nil
}

// sgemmKernel names the family of the SGEMM micro-kernel the ops package
// picks at start-up: avx512, avx2, neon or generic. ops does not export
// its choice, so this applies the same rules: the fastest kernel the build
// (assembly unless the noasm tag) and the CPU support, unless the
// EDGEINFER_GEMM_KERNEL environment variable names another available one.
func sgemmKernel() string {
	var avail []string // fastest first
	if asmKernels {
		switch goruntime.GOARCH {
		case "amd64":
			if cpu.X86.HasAVX512F {
				avail = append(avail, "avx512")
			}
			if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
				avail = append(avail, "avx2")
			}
		case "arm64":
			avail = append(avail, "neon")
		}
	}
	avail = append(avail, "generic")
	if env := os.Getenv("EDGEINFER_GEMM_KERNEL"); env != "" {
		family, _, _ := strings.Cut(env, " ")
		for _, k := range avail {
			if k == family {
				return k + " (EDGEINFER_GEMM_KERNEL)"
			}
		}
	}
	return avail[0]
}
