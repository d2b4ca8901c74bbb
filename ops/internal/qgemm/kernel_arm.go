//go:build !noasm

package qgemm

import (
	"bytes"
	"fmt"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// asmKernels returns the armv7 NEON kernel when the CPU has NEON (ARMv6
// keeps the Go one): a 4x4 tile, the Go kernel's layout, whose sums
// VMULL.S8 multiplies (8 int16 products of a row's 4 bytes, replicated,
// by two columns' 4; two k steps' products added in int16 by VMLAL.S8
// when A holds no -128) and VPADAL.S16 accumulates in pairs into int32,
// eight accumulators of two partial sums per element added at the end,
// steps in runs read one offset a run, the epilogue applied in registers,
// n tiles a call (tileNEON4x4); the
// depthwise planes (dwNEON, 8 outputs a vector), Interleave4
// (interleave_arm.s) and the element-wise Quantize, MulScaled, Lookup
// and, with VFPv4, AddScaled (eltwise_arm.s) are NEON too. QDQ graphs are fused onto it (Accelerated):
// a fused int8 model takes 2.4-2.9x fewer instructions than its float
// passes between quantize and dequantize (docs/performance.md).
func asmKernels() []*Kernel {
	if !cpu.ARM.HasNEON {
		return nil
	}
	return []*Kernel{neonKernel}
}

// maxTileBytes bounds a tile of every kernel (MR·NR·4): 4x4.
const maxTileBytes = 64

var neonKernel = &Kernel{Name: "neon 4x4", MR: 4, NR: 4, ColsSigned: true, runs: true, pairs: true, id: idNEON}

// tileNEON4x4 computes n 4x4 tiles, epilogue included; it trusts its
// arguments.
//
//go:noescape
func tileNEON4x4(kq int, a, b *byte, offs *int32, c *byte, ldc int, ep *tileEp, n int)

// qconsts holds roundBias for tileNEON4x4 and dwNEON.
var qconsts = [1]float32{roundBias}

// interleaveAsm returns the NEON Interleave4 (interleaveNEONCols) when
// the CPU has NEON, else nil: Go's.
func interleaveAsm() interleaveFunc {
	if !cpu.ARM.HasNEON {
		return nil
	}
	return interleaveNEONCols
}

// interleavers returns the SIMD Interleave4s of this CPU: the NEON one
// when it has NEON.
func interleavers() []interleaveFunc {
	if f := interleaveAsm(); f != nil {
		return []interleaveFunc{f}
	}
	return nil
}

// interleaveRowsAsm returns nil: Interleave4Rows runs row by row.
func interleaveRowsAsm() interleaveRowsFunc { return nil }

// tile runs k's tile function (see Kernel).
func (k *Kernel) tile(kq int, a, b []byte, offs []int32, c []byte, ldc int, ep *tileEp, n int) {
	if k.id != idNEON {
		tilesGo(kq, a, b, offs, c, ldc, ep, n)
		return
	}
	k.checkTile(kq, a, b, offs, c, ldc, ep, n)
	tileNEON4x4(kq, ptr(a), ptr(b), unsafe.SliceData(offs), ptr(c), ldc, ep, n)
}

// row reports that k has no row function.
func (k *Kernel) row(kq int, a []byte, astride int, b []byte, offs []int32, c []byte, ep *tileEp) bool {
	return false
}

// dwBuf is the scratch of the NEON depthwise planes of one Run: bands of
// an input plane's rows, made int8, with their padding, and what the
// padding was filled for (planes of one Run share it).
type dwBuf struct {
	b      [16 << 10]byte
	filled int  // the bytes of b holding pad (0: none)
	pad    byte // the zero point, made int8
	// o holds a band of rows of a plane narrower than a vector, computed
	// 8 outputs wide: up to narrowRows rows of 8 int32 outputs.
	o [narrowRows * 8 * 4]byte
}

// narrowRows is the output rows of a band of a plane narrower than 8.
const narrowRows = 16

// dwPlane runs k's depthwise plane: NEON (dwNEONPlane) where it can,
// else Go.
func (k *Kernel) dwPlane(p *dwPlane) {
	if k.id == idNEON && dwNEONPlane(p) {
		return
	}
	dwGo(p)
}

// dwArgs is what dwNEON reads, at fixed offsets (TestDwArgsLayoutARM).
type dwArgs struct {
	src     *byte   // 0: input row of the first output row's first tap row
	ldi     int     // 4: the input's row stride
	w       *byte   // 8: the taps, rows of wq4 bytes
	wq4     int     // 12
	out     *byte   // 16: the first output row
	ldo     int     // 20: the output's row stride (bytes)
	rows    int     // 24: output rows
	ow      int     // 28: outputs per row, at least 8
	rowStep int     // 32: sh·ldi
	sw      int     // 36: 1 or 2
	tapRow  int     // 40: dh·ldi
	dw      int     // 44
	kh, kw  int     // 48, 52
	off     int32   // 56
	scale   float32 // 60
	lo, hi  float32 // 64, 68
	zp      int32   // 72
	mode    Mode    // 76: Int32 or Byte
	pairs   int     // 80: nonzero when no weight is -128 (taps added two by two)
}

// dwNEONPlane computes plane p with dwNEON, band of output rows by band:
// each band's input rows are copied, made int8 (dwCopyNEON), into p.buf
// between columns and rows of the zero point, so that every tap lies
// inside and 8 outputs take one load per tap. The padding is filled once for the
// planes of a Run with the same zero point; the last wp bytes of the
// scratch are a row of it, copied over rows above or below the input. It
// reports false, leaving p to Go, for strides above 2, a weight zero
// point (p.mul) or rows too wide for the scratch. A plane narrower than 8
// outputs (the 7x7 planes at the end of the mobile networks) is computed
// 8 wide into p.buf.o, a band of narrowRows rows at a time, and copied
// out.
func dwNEONPlane(p *dwPlane) bool {
	wp := (p.ow+7)&^7*p.sw + (p.kw-1)*p.dw + 16 // a chunk's VLD2 reads 16 bytes
	span := (p.kh-1)*p.dh + 1                   // input rows of one output row
	buf := p.buf.b[:len(p.buf.b)-wp]
	if p.mul != 0 || p.sw > 2 || p.mode == Float || p.padL >= wp || span*wp > len(buf) {
		return false
	}
	es := p.mode.size()
	if len(p.src) < p.h*p.wi || len(p.w) < p.kh*p.wq*4 || len(p.out) < p.oh*p.ow*es || p.kw > p.wq*4 {
		panic(fmt.Sprintf("qgemm: depthwise plane given %d input, %d weight and %d output bytes", len(p.src), len(p.w), len(p.out)))
	}
	band := min(p.oh, 1+(len(buf)/wp-span)/p.sh)
	narrow := p.ow < 8
	ow := p.ow
	if narrow {
		band, ow = min(band, narrowRows), 8
	}
	pad := p.zx ^ p.flip
	if p.buf.filled != len(p.buf.b) || p.buf.pad != pad {
		for i := range p.buf.b {
			p.buf.b[i] = pad
		}
		p.buf.filled, p.buf.pad = len(p.buf.b), pad
	}
	padRow := p.buf.b[len(buf):]
	n := min(p.wi, wp-p.padL) // the input columns a row holds
	a := dwArgs{ldi: wp, w: &p.w[0], wq4: p.wq * 4, ldo: ow * es, ow: ow, rowStep: p.sh * wp, sw: p.sw,
		tapRow: p.dh * wp, dw: p.dw, kh: p.kh, kw: p.kw, off: p.off, scale: p.scale, lo: p.lo, hi: p.hi,
		zp: p.zp, mode: p.mode}
	if bytes.IndexByte(p.w[:p.kh*p.wq*4], 0x80) < 0 {
		a.pairs = 1
	}
	for oy := 0; oy < p.oh; oy += band {
		nb := min(band, p.oh-oy)
		y0, rows := oy*p.sh-p.padT, (nb-1)*p.sh+span
		r0, r1 := max(0, -y0), min(rows, p.h-y0) // rows of the input
		for r := range min(r0, rows) {           // rows above the input
			copy(buf[r*wp+p.padL:][:n], padRow)
		}
		for r := max(r0, r1); r < rows; r++ { // and below it
			copy(buf[r*wp+p.padL:][:n], padRow)
		}
		if r1 > r0 {
			dwCopyNEON(&buf[r0*wp+p.padL], wp, &p.src[(y0+r0)*p.wi], p.wi, n, r1-r0, p.flip)
		}
		a.src, a.out, a.rows = &buf[0], &p.out[oy*p.ow*es], nb
		if narrow {
			a.out = &p.buf.o[0]
		}
		dwNEON(&a)
		if narrow {
			rb := p.ow * es
			for r := range nb {
				copy(p.out[(oy+r)*rb:][:rb], p.buf.o[r*8*es:][:rb])
			}
		}
	}
	return true
}

// dwCopyNEON copies rows rows of n bytes, each XOR flip, from src (rows
// lds bytes apart) to dst (rows ldd apart); it trusts its arguments.
//
//go:noescape
func dwCopyNEON(dst *byte, ldd int, src *byte, lds, n, rows int, flip byte)

// dwNEON computes a.rows output rows of a depthwise plane from a padded
// int8 input; it trusts its arguments.
//
//go:noescape
func dwNEON(a *dwArgs)

// quantizeAsm computes Quantize with NEON, up to a multiple of 16 values,
// when the CPU has NEON.
func quantizeAsm(dst []byte, src []float32, scale float32, zp int32, lo, hi float32) int {
	n := len(src) &^ 15
	if n == 0 || !cpu.ARM.HasNEON {
		return 0
	}
	quantizeNEON(ptr(dst), unsafe.SliceData(src), n, scale, zp, lo, hi)
	return n
}

// quantizeNEON is Quantize of n values (a multiple of 16); it trusts its
// arguments.
//
//go:noescape
func quantizeNEON(dst *byte, src *float32, n int, scale float32, zp int32, lo, hi float32)

// mulScaledAsm computes MulScaled with NEON, up to a multiple of 16
// values, when the CPU has NEON.
func mulScaledAsm(dst, a, b []byte, za, zb int32, r, c, lo, hi float32, signed bool) int {
	n := len(dst) &^ 15
	if n == 0 || !cpu.ARM.HasNEON {
		return 0
	}
	mulScaledNEON(ptr(dst), ptr(a), ptr(b), n, za, zb, r, c, lo, hi, signed)
	return n
}

// mulScaledNEON is MulScaled of n values (a multiple of 16); it trusts
// its arguments (b nil: zb is every second factor).
//
//go:noescape
func mulScaledNEON(dst, a, b *byte, n int, za, zb int32, r, c, lo, hi float32, signed bool)

// addScaledAsm computes AddScaled with NEON, up to a multiple of 16
// values, when the CPU has NEON with VFPv4's fused multiply-add (the
// Cortex-A7 and later; not the A8 or A9), which AddScaled's definition
// needs.
func addScaledAsm(dst, a, b []byte, ra, rb, c, lo, hi float32, signed bool) int {
	n := len(dst) &^ 15
	if n == 0 || !cpu.ARM.HasNEON || !cpu.ARM.HasVFPv4 {
		return 0
	}
	addScaledNEON(ptr(dst), ptr(a), ptr(b), n, ra, rb, c, lo, hi, signed)
	return n
}

// addScaledNEON is AddScaled of n values (a multiple of 16); it trusts
// its arguments (b may be nil).
//
//go:noescape
func addScaledNEON(dst, a, b *byte, n int, ra, rb, c, lo, hi float32, signed bool)

// lookupAsm computes Lookup with NEON, up to a multiple of 16 values,
// when the CPU has NEON.
func lookupAsm(dst, src []byte, table *[256]byte) int {
	n := len(dst) &^ 15
	if n == 0 || !cpu.ARM.HasNEON {
		return 0
	}
	lookupNEON(ptr(dst), ptr(src), n, table)
	return n
}

// lookupNEON is Lookup of n values (a multiple of 16); it trusts its
// arguments.
//
//go:noescape
func lookupNEON(dst, src *byte, n int, table *[256]byte)

// lookupChunk is the bytes of a chunk of lookupNEON's table (a VTBL's 4 D
// registers).
var lookupChunk = [1]byte{32}

// maxBytesAsm computes MaxBytes with NEON, up to a multiple of 16 values,
// when the CPU has NEON.
func maxBytesAsm(dst, src []byte, signed bool) int {
	n := len(dst) &^ 15
	if n == 0 || !cpu.ARM.HasNEON {
		return 0
	}
	maxBytesNEON(ptr(dst), ptr(src), n, signed)
	return n
}

// max3s2BytesAsm computes Max3S2Bytes with NEON when the CPU has NEON, up
// to a multiple of 16 outputs short of the last (the loads read a byte
// past its window).
func max3s2BytesAsm(dst, src []byte, signed bool) int {
	n := max(len(dst)-1, 0) &^ 15
	if n == 0 || !cpu.ARM.HasNEON {
		return 0
	}
	max3s2BytesNEON(ptr(dst), ptr(src), n, signed)
	return n
}

// maxBytesNEON and max3s2BytesNEON are MaxBytes and Max3S2Bytes of n
// values (a multiple of 16); they trust their arguments.
//
//go:noescape
func maxBytesNEON(dst, src *byte, n int, signed bool)

//go:noescape
func max3s2BytesNEON(dst, src *byte, n int, signed bool)
