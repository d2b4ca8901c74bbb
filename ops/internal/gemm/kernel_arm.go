//go:build !noasm

package gemm

import "golang.org/x/sys/cpu"

// asmKernels returns the NEON kernel when the CPU has NEON (ARMv7 boards:
// Cortex-A7, A53 and A72 in 32-bit mode), none otherwise (ARMv6: the Pi
// Zero and 1 keep the generic kernel). ARMv7 NEON has 16 quad registers
// and multiplies by a scalar only with VMLA (chained: the product is
// rounded before the add, as in Go's x*y+z on arm), not with VFMA, so the
// 6x8 tile takes 12 accumulators, the 8 floats of B two more and the 6 of
// A three D registers (by-scalar operands must be in D0-D15): two loads per
// 12 multiply-adds, the best share that fits (4x8 takes two per 8). It
// applies a tile epilogue in registers (ep), and has forms that read B
// (ind: an implicit im2col) or a transposed A (sa) in place.
func asmKernels() []microKernel {
	if !cpu.ARM.HasNEON {
		return nil
	}
	k := asmKernel("neon 6x8", 6, 8, microKernel{mc: 48, nc: 256, kc: 256},
		func(k int, a, b, c []float32, ldc int, add bool) { mulNEON6x8(k, a, b, c, ldc, add, nil) })
	k.ep = asmEpilogueKernel(k, mulNEON6x8)
	k.ind = asmIndirectKernel(k, mulIndNEON6x8)
	k.sa = asmStridedAKernel(k, mulSANEON6x8)
	k.gemv = asmGemv(8, gemvNEON8)
	return []microKernel{k}
}

// mulNEON6x8 is the NEON 6x8 kernel, applying ep when it is not nil; it
// trusts its slice lengths.
//
//go:noescape
func mulNEON6x8(k int, a, b, c []float32, ldc int, add bool, ep *tileEpilogue)

// mulIndNEON6x8 is mulNEON6x8 with B read in place through offsets; it
// trusts its slice lengths and offsets.
//
//go:noescape
func mulIndNEON6x8(k int, a, b []float32, offs []int32, c []float32, ldc int, add bool, ep *tileEpilogue)

// mulSANEON6x8 is mulNEON6x8 with A read in place at stride lda; it
// trusts its slice lengths.
//
//go:noescape
func mulSANEON6x8(k int, a []float32, lda int, b, c []float32, ldc int, add bool, ep *tileEpilogue)

// gemvNEON8 is the NEON GEMV form of the 6x8 kernel (panels of 8
// columns); it trusts its arguments.
//
//go:noescape
func gemvNEON8(k, panels int, x, b *float32, ldb, pstride int, y, bias *float32, lo, hi float32)
