package main

import (
	"fmt"
	"io"
	goruntime "runtime"
	"runtime/debug"

	"github.com/edgeinfer/edgeinfer/ops"
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
	fmt.Fprintf(w, "sgemm     %s\n", ops.GEMMKernel())
	return nil
}
