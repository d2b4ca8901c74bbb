package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// precisionFlag adds -precision to fs: the arithmetic convolutions compute
// with (runtime.WithPrecision).
func precisionFlag(fs *flag.FlagSet) *string {
	return fs.String("precision", "fp32", "convolution arithmetic: fp32, or fp16 where the CPU has fp16 arithmetic (ARMv8.2, a Pi 5; elsewhere fp32 runs)")
}

// parsePrecision reads a -precision value.
func parsePrecision(s string) (runtime.Precision, error) {
	switch s {
	case "fp32":
		return runtime.FP32, nil
	case "fp16":
		return runtime.FP16, nil
	}
	return runtime.FP32, fmt.Errorf("-precision %q: want fp32 or fp16", s)
}

// warnPrecision tells stderr when fp16 was asked for on a CPU without
// fp16 arithmetic, which runs fp32.
func warnPrecision(stderr io.Writer, p runtime.Precision) {
	if p == runtime.FP16 && !ops.FP16Arithmetic() {
		fmt.Fprintln(stderr, "edgeinfer: -precision fp16: this CPU has no fp16 arithmetic (ARMv8.2 FEAT_FP16), running fp32")
	}
}
