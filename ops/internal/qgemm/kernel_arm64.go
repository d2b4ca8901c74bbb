//go:build !noasm

package qgemm

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// asmKernels returns the NEON kernels this CPU runs, fastest first: with
// the dot product (ARMv8.2 DotProd, e.g. the Cortex-A76 of a Raspberry
// Pi 5) an 8x12 tile in 24 accumulators, two loads of A and three of B
// per 24 SDOT by element; and, on every arm64 CPU (ARMv8.0, e.g. the
// Cortex-A72 of a Pi 4), a 4x8 tile that multiplies with SMULL/SMULL2 and
// accumulates pairs of int16 products with SADALP. Both take int8 columns.
func asmKernels() []*Kernel {
	var ks []*Kernel
	if cpu.ARM64.HasASIMDDP {
		ks = append(ks, neonDotKernel)
	}
	return append(ks, neonKernel)
}

var (
	neonDotKernel = &Kernel{Name: "neondot 8x12", MR: 8, NR: 12, ColsSigned: true, id: idNEONDot}
	neonKernel    = &Kernel{Name: "neon 4x8", MR: 4, NR: 8, ColsSigned: true, id: idNEON}
)

// interleaveAsm returns the SIMD Interleave4 of this CPU.
func interleaveAsm() func(dst, s0, s1, s2, s3 []byte, n, stride int, flip byte) int { return nil }

// tile runs k's tile function (see Kernel).
func (k *Kernel) tile(kq int, a, b []byte, offs []int32, c []byte, ldc int, ep *tileEp, n int) {
	switch k.id {
	case idNEONDot:
		k.checkTile(kq, a, b, offs, c, ldc, ep, n)
		tileNEONDot8x12(kq, ptr(a), ptr(b), unsafe.SliceData(offs), ptr(c), ldc, ep, n)
	case idNEON:
		k.checkTile(kq, a, b, offs, c, ldc, ep, n)
		tileNEON4x8(kq, ptr(a), ptr(b), unsafe.SliceData(offs), ptr(c), ldc, ep, n)
	default:
		tilesGo(kq, a, b, offs, c, ldc, ep, n)
	}
}

// row reports that k has no row function.
func (k *Kernel) row(kq int, a []byte, astride int, b []byte, offs []int32, c []byte, ep *tileEp) bool {
	return false
}

// dwPlane runs k's depthwise plane.
func (k *Kernel) dwPlane(p *dwPlane) { dwGo(p) }

// tileNEONDot8x12 computes n 8x12 tiles with SDOT, epilogue included; it
// trusts its arguments.
//
//go:noescape
func tileNEONDot8x12(kq int, a, b *byte, offs *int32, c *byte, ldc int, ep *tileEp, n int)

// tileNEON4x8 computes n 4x8 tiles with SMULL and SADALP, epilogue
// included; it trusts its arguments.
//
//go:noescape
func tileNEON4x8(kq int, a, b *byte, offs *int32, c *byte, ldc int, ep *tileEp, n int)

// quantizeAsm computes no prefix of Quantize.
func quantizeAsm(dst []byte, src []float32, scale float32, zp int32, lo, hi float32) int { return 0 }

// addScaledAsm computes no prefix of AddScaled.
func addScaledAsm(dst, a, b []byte, ra, rb, c, lo, hi float32, signed bool) int { return 0 }

// maxBytesAsm computes no prefix of MaxBytes.
func maxBytesAsm(dst, src []byte, signed bool) int { return 0 }
