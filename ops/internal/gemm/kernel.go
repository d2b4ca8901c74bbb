package gemm

// microKernel is the seam between the blocked driver and the innermost
// loop. fn multiplies a packed A micro-panel (k steps of mr values: column p
// of mr consecutive rows of op(A)) by a packed B micro-panel (k steps of nr
// values: row p of nr consecutive columns of op(B)) and overwrites acc with
// the mr x nr row-major result. The panels are zero-padded, so fn always
// computes a full tile; the driver stores only the part inside C.
//
// The driver packs every operand for the kernel in use, so mr and nr are part
// of the seam: a Go assembly kernel (AVX2, AVX-512, NEON) behind build tags
// replaces kern with its own shape from an init function, and a build with
// the noasm tag keeps the generic one from kernel_generic.go. Operands packed
// with one kernel must not be used with another; the driver checks this.
type microKernel struct {
	name   string
	mr, nr int
	fn     func(k int, a, b, acc []float32)
}

// maxTile bounds mr*nr for every kernel, sizing the driver's accumulator.
const maxTile = 256

// kern is the kernel every product uses.
var kern = genericKernel()
