//go:build !noasm

package qgemm

import (
	"golang.org/x/sys/cpu"
)

// asmKernels returns the armv7 NEON kernel when the CPU has NEON (ARMv6
// keeps the Go one): a 4x4 tile, the Go kernel's layout, whose sums
// VMULL.S8 multiplies (8 int16 products of a row's 4 bytes, replicated,
// by two columns' 4) and VPADAL.S16 accumulates in pairs into int32,
// eight accumulators of two partial sums per element added at the end
// (sumsNEON4x4); the Byte epilogue is NEON too (epiByteNEON). The other
// epilogues, the depthwise plane, Interleave4 and the element-wise loops
// are Go. It runs the int8 operators a model has
// (QLinearConv, ...: ~1.7x fewer instructions than the Go kernel on
// MobileNetV2-int8 under qemu-arm), but is no faster than the float
// kernel, so QDQ graphs are not fused for it (Accelerated is false).
func asmKernels() []*Kernel {
	if !cpu.ARM.HasNEON {
		return nil
	}
	return []*Kernel{neonKernel}
}

var neonKernel = &Kernel{Name: "neon 4x4", MR: 4, NR: 4, ColsSigned: true, id: idNEON, notFaster: true}

// sumsNEON4x4 sets acc to the 4x4 sums rowOff[r] + colOff[c] + Σ a·b of
// kq steps (A packed, step s of B at b + offs[s]); it trusts its
// arguments (a, b and offs are not read when kq is 0).
//
//go:noescape
func sumsNEON4x4(kq int, a, b *byte, offs *int32, rowOff, colOff *int32, acc *[16]int32)

// epiByteNEON stores the 4x4 sums acc as the Byte epilogue does (see
// storeElem and Requantize), rows ldc bytes apart from c, with the scales
// of the rows (scaleCols 0) or of the columns; it trusts its arguments.
//
//go:noescape
func epiByteNEON(acc *[16]int32, c *byte, ldc int, scale *float32, scaleCols int, lo, hi float32, zp int32)

// qconsts holds roundBias for epiByteNEON.
var qconsts = [1]float32{roundBias}

// interleaveAsm returns nil: Interleave4 runs in Go.
func interleaveAsm() interleaveFunc { return nil }

// interleavers returns no SIMD Interleave4.
func interleavers() []interleaveFunc { return nil }

// tile runs k's tile function (see Kernel): for the NEON kernel, the sums
// of each tile with their offsets (sumsNEON4x4), then the Byte epilogue in
// NEON (epiByteNEON; the rank-one term added in Go first) or the others as
// tileGo stores them.
func (k *Kernel) tile(kq int, a, b []byte, offs []int32, c []byte, ldc int, ep *tileEp, n int) {
	if k.id != idNEON {
		tilesGo(kq, a, b, offs, c, ldc, ep, n)
		return
	}
	k.checkTile(kq, a, b, offs, c, ldc, ep, n)
	const mr, nr = 4, 4
	t := *ep
	co := (*[nr]int32)(ep.colOff)
	for i := range n {
		r := i * mr
		t.rowOff = ep.rowOff[r:]
		if ep.rowMul != nil {
			t.rowMul = ep.rowMul[r:]
		}
		if ep.mode != Int32 && ep.scaleCols == 0 {
			t.scale = ep.scale[r:]
		}
		var acc [mr * nr]int32
		var ap, bp *byte
		var op *int32
		if kq > 0 {
			ap, bp, op = &a[i*mr*4*kq], &b[0], &offs[0]
		}
		sumsNEON4x4(kq, ap, bp, op, &t.rowOff[0], &co[0], &acc)
		if ep.mode != Byte {
			storeTile(acc[:], mr, nr, c[r*ldc:], ldc, &t)
			continue
		}
		if ep.rowMul != nil {
			rm, cm := (*[mr]int32)(t.rowMul), (*[nr]int32)(ep.colMul)
			for y := range mr {
				for x := range nr {
					acc[y*nr+x] += rm[y] * cm[x]
				}
			}
		}
		epiByteNEON(&acc, &c[r*ldc], ldc, &t.scale[0], int(ep.scaleCols), ep.lo, ep.hi, ep.zp)
	}
}

// row reports that k has no row function.
func (k *Kernel) row(kq int, a []byte, astride int, b []byte, offs []int32, c []byte, ep *tileEp) bool {
	return false
}

// dwBuf is no scratch: this build's depthwise planes need none.
type dwBuf struct{}

// dwPlane runs the Go depthwise plane.
func (k *Kernel) dwPlane(p *dwPlane) { dwGo(p) }

// quantizeAsm computes no prefix of Quantize.
func quantizeAsm(dst []byte, src []float32, scale float32, zp int32, lo, hi float32) int { return 0 }

// addScaledAsm computes no prefix of AddScaled.
func addScaledAsm(dst, a, b []byte, ra, rb, c, lo, hi float32, signed bool) int { return 0 }

// maxBytesAsm computes no prefix of MaxBytes.
func maxBytesAsm(dst, src []byte, signed bool) int { return 0 }
