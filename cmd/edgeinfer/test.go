package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/edgeinfer/edgeinfer/runtime/conformance"
)

// cmdTest runs ONNX backend-style test folders.
func cmdTest(args []string, w io.Writer) error {
	fs := newFlags("test")
	rtol := fs.Float64("rtol", conformance.DefaultOptions.RTol, "relative tolerance for float outputs")
	atol := fs.Float64("atol", conformance.DefaultOptions.ATol, "absolute tolerance for float outputs")
	verbose := fs.Bool("v", false, "also print each test's folder and data sets")
	threads := fs.Int("threads", 0, "worker threads (0 = number of CPUs)")
	dirs, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(dirs) == 0 {
		return errors.New("test: no test folder given (usage: edgeinfer test [-rtol R] [-atol A] [-v] DIR...)")
	}
	found, err := conformance.Find(dirs)
	if err != nil {
		return err
	}
	opt := conformance.Options{RTol: *rtol, ATol: *atol, Threads: *threads}
	var rs []conformance.Result
	for _, d := range found {
		r := conformance.RunDir(d, opt)
		rs = append(rs, r)
		fmt.Fprintln(w, r.Line())
		if *verbose {
			fmt.Fprintf(w, "     %s, %d data set(s)\n", r.Dir, r.Sets)
		}
	}
	fmt.Fprintln(w, conformance.SummaryLine(rs))
	if _, failed, _ := conformance.Summary(rs); failed > 0 {
		return &exitError{code: 1}
	}
	return nil
}
