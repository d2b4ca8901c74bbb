package ops

import "github.com/edgeinfer/edgeinfer/ops/internal/hgemm"

// Precision is the arithmetic an operator computes float32 tensors with.
type Precision uint8

const (
	// FP32 computes in float32: the default, on every CPU.
	FP32 Precision = iota
	// FP16 computes convolutions' products in half precision (fp16
	// operands, fp16 sums over blocks of K added in float32), with their
	// weights stored in fp16, where the CPU has fp16 arithmetic
	// (FP16Arithmetic): an opt-in trading accuracy for speed.
	FP16
)

// String names p as the command line does: "fp32" or "fp16".
func (p Precision) String() string {
	if p == FP16 {
		return "fp16"
	}
	return "fp32"
}

// PrecisionSetter is implemented by operators that can compute in another
// precision than float32 (Conv). The runtime calls SetPrecision before
// Prepare, and only with a precision this CPU runs (FP16 only where
// FP16Arithmetic is true); an operator may still keep float32 for shapes
// it has no reduced-precision path for.
type PrecisionSetter interface {
	SetPrecision(p Precision)
}

// FP16Arithmetic reports whether this CPU runs the fp16 kernels: arm64
// with FEAT_FP16 (ARMv8.2: a Raspberry Pi 5's Cortex-A76, not a Pi 4's
// Cortex-A72).
func FP16Arithmetic() bool { return hgemm.Available() }
