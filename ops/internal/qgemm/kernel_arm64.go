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
	case idNEONDot, idNEON:
		k.checkTile(kq, a, b, offs, c, ldc, ep, n)
		k.tilesNEON(kq, a, b, offs, c, ldc, ep, n)
	default:
		tilesGo(kq, a, b, offs, c, ldc, ep, n)
	}
}

// tilesNEON computes n tiles of a NEON kernel: the sums in assembly, the
// epilogue in Go (storeTile).
func (k *Kernel) tilesNEON(kq int, a, b []byte, offs []int32, c []byte, ldc int, ep *tileEp, n int) {
	var acc [8 * 12]int32
	mr, nr := k.MR, k.NR
	t := *ep
	pb, po := ptr(b), unsafe.SliceData(offs)
	for i := range n {
		r := i * mr
		pa := ptr(a[i*mr*4*kq:])
		if k.id == idNEONDot {
			dotNEONDot8x12(kq, pa, pb, po, &acc[0])
		} else {
			dotNEON4x8(kq, pa, pb, po, &acc[0])
		}
		t.rowOff = ep.rowOff[r:]
		if ep.rowMul != nil {
			t.rowMul = ep.rowMul[r:]
		}
		if ep.mode != Int32 && ep.scaleCols == 0 {
			t.scale = ep.scale[r:]
		}
		for y := range mr {
			ro := t.rowOff[y]
			for x, co := range ep.colOff[:nr] {
				acc[y*nr+x] += ro + co
			}
		}
		storeTile(acc[:mr*nr], mr, nr, c[r*ldc:], ldc, &t)
	}
}

// row reports that k has no row function.
func (k *Kernel) row(kq int, a []byte, astride int, b []byte, offs []int32, c []byte, ep *tileEp) bool {
	return false
}

// dwPlane runs k's depthwise plane.
func (k *Kernel) dwPlane(p *dwPlane) { dwGo(p) }

// dotNEONDot8x12 stores the sums of one 8x12 tile over kq steps (SDOT)
// into acc, row by row; it trusts its arguments.
//
//go:noescape
func dotNEONDot8x12(kq int, a, b *byte, offs *int32, acc *int32)

// dotNEON4x8 stores the sums of one 4x8 tile over kq steps (SMULL and
// SADALP) into acc, row by row; it trusts its arguments.
//
//go:noescape
func dotNEON4x8(kq int, a, b *byte, offs *int32, acc *int32)

// quantizeAsm computes no prefix of Quantize.
func quantizeAsm(dst []byte, src []float32, scale float32, zp int32, lo, hi float32) int { return 0 }

// addScaledAsm computes no prefix of AddScaled.
func addScaledAsm(dst, a, b []byte, ra, rb, c, lo, hi float32, signed bool) int { return 0 }

// maxBytesAsm computes no prefix of MaxBytes.
func maxBytesAsm(dst, src []byte, signed bool) int { return 0 }
