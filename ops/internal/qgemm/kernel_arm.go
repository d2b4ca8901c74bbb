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
// (sumsNEON4x4). The epilogue, the depthwise plane, Interleave4 and the
// element-wise loops are Go. It runs the int8 operators a model has
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

// sumsNEON4x4 sets acc to the 4x4 sums Σ a·b of kq steps (A packed, step
// s of B at b + offs[s]), kq > 0; it trusts its arguments.
//
//go:noescape
func sumsNEON4x4(kq int, a, b *byte, offs *int32, acc *[16]int32)

// interleaveAsm returns nil: Interleave4 runs in Go.
func interleaveAsm() func(dst, s0, s1, s2, s3 []byte, n, stride int, flip byte) int { return nil }

// tile runs k's tile function (see Kernel): for the NEON kernel, its
// sums of each tile (sumsNEON4x4), then the offsets and the epilogue as
// tileGo adds and stores them.
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
		if kq > 0 {
			sumsNEON4x4(kq, &a[i*mr*4*kq], &b[0], &offs[0], &acc)
		}
		ro := (*[mr]int32)(t.rowOff)
		for y := range mr {
			for x := range nr {
				acc[y*nr+x] += ro[y] + co[x]
			}
		}
		storeTile(acc[:], mr, nr, c[r*ldc:], ldc, &t)
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
