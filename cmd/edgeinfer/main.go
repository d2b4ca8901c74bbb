// Command edgeinfer loads an ONNX image classifier and names what is in
// photos; it also inspects models, runs ONNX backend-style test folders,
// benchmarks, and writes the built-in synthetic models.
//
//	edgeinfer [flags] MODEL.onnx IMAGE...     classify images
//	edgeinfer inspect [-json] [-shape NAME:DIMS]... MODEL.onnx   describe a model and its memory plan
//	edgeinfer test [-rtol R] [-atol A] [-v] DIR...
//	edgeinfer bench [-threads N] [-runs R] [-warmup W] [-shape NAME:DIMS]... [-json] MODEL.onnx
//	edgeinfer gen NAME -o FILE                write alexnet, resnet18, resnet34, resnet50
//	edgeinfer demo                            classify a built-in photo with a synthetic ResNet-50
//	edgeinfer ops                             list the supported operators
//
// Errors are one line on stderr; the exit code is 2 for bad input or usage,
// 1 when `edgeinfer test` had failures.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// exitError carries an exit code through the command functions.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "edgeinfer: internal error: %v\n", r)
			code = 2
		}
	}()
	var err error
	cmd := ""
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "inspect":
		err = cmdInspect(args[1:], stdout)
	case "test":
		err = cmdTest(args[1:], stdout)
	case "bench":
		err = cmdBench(args[1:], stdout)
	case "gen":
		err = cmdGen(args[1:], stdout)
	case "demo":
		err = cmdDemo(args[1:], stdout)
	case "ops":
		err = cmdOps(args[1:], stdout)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		err = cmdClassify(args, stdout)
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintf(stderr, "edgeinfer: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "edgeinfer: %v\n", oneLine(err.Error()))
	return 2
}

const usage = `usage:
  edgeinfer [-k 5] [-labels FILE] [-preset auto|torchvision|caffe|raw255|unit|inception] [-threads N] [-json] MODEL.onnx IMAGE...
  edgeinfer inspect [-json] [-shape NAME:1x3x224x224]... MODEL.onnx
  edgeinfer test [-rtol 1e-3] [-atol 1e-5] [-v] DIR...
  edgeinfer bench [-threads N] [-runs 20] [-warmup 3] [-shape NAME:1x3x224x224]... [-json] MODEL.onnx
  edgeinfer gen alexnet|resnet18|resnet34|resnet50 -o FILE
  edgeinfer demo
  edgeinfer ops                             list supported operators (Markdown)
`

// oneLine folds a multi-line message onto one line.
func oneLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\n' || c == '\r' {
			b[i] = ' '
		}
	}
	return string(b)
}

// newFlags makes a flag set that reports usage errors as errors, not exits.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args allowing flags after positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &exitError{0, fmt.Errorf("%s", usage)}
			}
			return nil, fmt.Errorf("%s: %w", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
