//go:build !noasm

package qgemm

// asmKernels returns the assembly kernels this CPU runs, fastest first.
func asmKernels() []*Kernel { return nil }

// interleaveAsm returns the SIMD Interleave4 of this CPU.
func interleaveAsm() func(dst, s0, s1, s2, s3 []byte, n, stride int, flip byte) int { return nil }

// tile runs k's tile function (see Kernel).
func (k *Kernel) tile(kq int, a, b []byte, offs []int32, c []byte, ldc int, ep *tileEp, n int) {
	tilesGo(kq, a, b, offs, c, ldc, ep, n)
}

// row reports that k has no row function.
func (k *Kernel) row(kq int, a []byte, astride int, b []byte, offs []int32, c []byte, ep *tileEp) bool {
	return false
}

// dwPlane runs k's depthwise plane.
func (k *Kernel) dwPlane(p *dwPlane) { dwGo(p) }

// quantizeAsm computes no prefix of Quantize.
func quantizeAsm(dst []byte, src []float32, scale float32, zp int32, lo, hi float32) int { return 0 }

// addScaledAsm computes no prefix of AddScaled.
func addScaledAsm(dst, a, b []byte, ra, rb, c, lo, hi float32, signed bool) int { return 0 }

// maxBytesAsm computes no prefix of MaxBytes.
func maxBytesAsm(dst, src []byte, signed bool) int { return 0 }
