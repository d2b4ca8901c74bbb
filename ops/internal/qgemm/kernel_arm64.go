//go:build !noasm

package qgemm

import (
	"bytes"
	"fmt"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// asmKernels returns the NEON kernels this CPU runs, fastest first: with
// the dot product (ARMv8.2 DotProd, e.g. the Cortex-A76 of a Raspberry
// Pi 5) an 8x12 tile in 24 accumulators, two loads of A and three of B
// per 24 SDOT by element; and, on every arm64 CPU (ARMv8.0, e.g. the
// Cortex-A72 of a Pi 4), a 4x8 tile that multiplies with SMULL/SMULL2 and
// accumulates pairs of int16 products with SADALP (two k steps' products
// added in int16 first when A holds no -128). Both take int8 columns,
// apply the epilogue in registers, and have a row function; the
// depthwise plane (dwNEONPlane), Interleave4 and the element-wise loops
// are NEON for both.
func asmKernels() []*Kernel {
	var ks []*Kernel
	if cpu.ARM64.HasASIMDDP {
		ks = append(ks, neonDotKernel)
	}
	return append(ks, neonKernel)
}

// maxTileBytes bounds a tile of every kernel (MR·NR·4): the dot-product
// kernel's 8x12.
const maxTileBytes = 384

var (
	neonDotKernel = &Kernel{Name: "neondot 8x12", MR: 8, NR: 12, ColsSigned: true, compress: 1 << Byte, runs: true, id: idNEONDot}
	neonKernel    = &Kernel{Name: "neon 4x8", MR: 4, NR: 8, ColsSigned: true, compress: 1 << Byte, runs: true, pairs: true, id: idNEON}
)

// interleaveAsm returns the NEON Interleave4, at strides 1 and 2, of
// rows of at least 8 columns (at stride 2 but the last column: LD2 reads
// the byte after it), leaving shorter ones to Go.
func interleaveAsm() func(dst, s0, s1, s2, s3 []byte, n, stride int, flip byte) int {
	return func(dst, s0, s1, s2, s3 []byte, n, stride int, flip byte) int {
		m := 0
		switch stride {
		case 1:
			m = n
		case 2:
			m = n - 1
		}
		if m < 8 {
			return 0
		}
		interleaveNEON(ptr(dst), ptr(s0), ptr(s1), ptr(s2), ptr(s3), m, stride, flip, 1, 0, 0)
		return m
	}
}

// interleaveRowsAsm returns the NEON Interleave4Rows at strides 1 and 2,
// in one call, of the first rows whose sources hold what the loads read
// past a row's last column: at stride 2 the byte after it (LD2), and in
// rows of fewer than 8 columns (ResNet's 7x7 layers) 8 columns' bytes.
// That is every row but at most the last few.
func interleaveRowsAsm() interleaveRowsFunc {
	return func(dst, s0, s1, s2, s3 []byte, n, stride int, flip byte, rows, lds, ldd int) int {
		if stride > 2 {
			return 0
		}
		reach := max(n, 8) * stride // the bytes a row's loads read
		for m := min(len(s0), len(s1), len(s2), len(s3)); rows > 0 && (rows-1)*lds+reach > m; {
			rows--
		}
		if rows > 0 {
			interleaveNEON(ptr(dst), ptr(s0), ptr(s1), ptr(s2), ptr(s3), n, stride, flip, rows, lds, ldd)
		}
		return rows
	}
}

// interleavers returns the SIMD Interleave4s of this CPU: the NEON one.
func interleavers() []interleaveFunc { return []interleaveFunc{interleaveAsm()} }

// interleaveNEON is Interleave4 of rows rows of n columns at stride 1 or
// 2, lds bytes apart in the sources and ldd in dst (Interleave4 passes
// one row of n ≥ 8); it trusts its arguments.
//
//go:noescape
func interleaveNEON(dst, s0, s1, s2, s3 *byte, n, stride int, flip byte, rows, lds, ldd int)

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

// row runs k's row function (see Kernel), reporting whether it has one:
// a tile's row, for products with fewer rows than half a tile.
func (k *Kernel) row(kq int, a []byte, astride int, b []byte, offs []int32, c []byte, ep *tileEp) bool {
	if k.id != idNEONDot && k.id != idNEON {
		return false
	}
	es := ep.mode.size()
	if kq > 0 && (len(a) < (kq-1)*astride+4 || len(offs) < kq || len(b) == 0) || len(c) < k.NR*es ||
		len(ep.rowOff) < 1 || len(ep.colOff) < k.NR || ep.rowMul != nil && (len(ep.rowMul) < 1 || len(ep.colMul) < k.NR) ||
		ep.mode != Int32 && len(ep.scale) < min(k.scaleLen(ep, 1), k.NR*int(ep.scaleCols)+1) {
		panic(fmt.Sprintf("qgemm: %s row given kq=%d, %d A bytes (stride %d), %d C bytes", k.Name, kq, len(a), astride, len(c)))
	}
	if k.id == idNEONDot {
		rowNEONDot1x12(kq, ptr(a), astride, ptr(b), unsafe.SliceData(offs), ptr(c), ep)
	} else {
		rowNEON1x8(kq, ptr(a), astride, ptr(b), unsafe.SliceData(offs), ptr(c), ep)
	}
	return true
}

// dwPlane runs k's depthwise plane: NEON (dwNEONPlane) where it can,
// else Go.
func (k *Kernel) dwPlane(p *dwPlane) {
	if (k.id == idNEONDot || k.id == idNEON) && dwNEONPlane(p, k.id == idNEONDot) {
		return
	}
	dwGo(p)
}

// dwBuf is the scratch of the NEON depthwise planes of one Run: bands of
// an input plane's rows, made int8, with their padding, and what the
// padding was filled for (planes of one Run share it).
type dwBuf struct {
	b      [16 << 10]byte
	filled int  // the bytes of b holding pad (0: none)
	pad    byte // the zero point, made int8
	// idx holds the SDOT gathers of a 3x3 window at strides idxFor (see
	// dwDot), made once for the planes of a Run.
	idx    [64]byte
	idxFor [2]int
}

// dwArgs is what dwNEON reads, at fixed offsets.
type dwArgs struct {
	src     *byte    // 0: input row of the first output row's first tap row
	ldi     int      // 8: the input's row stride
	w       *byte    // 16: the taps, rows of wq4 bytes
	wq4     int      // 24
	out     *byte    // 32: the first output row
	ldo     int      // 40: the output's row stride (bytes)
	rows    int      // 48: output rows
	ow      int      // 56: outputs per row
	rowStep int      // 64: sh·ldi
	sw      int      // 72: 1 or 2
	tapRow  int      // 80: dh·ldi
	dw      int      // 88
	kh, kw  int      // 96, 104
	off     int32    // 112
	scale   float32  // 116
	lo, hi  float32  // 120, 124
	zp      int32    // 128
	mode    Mode     // 132: Int32 or Byte
	pairs   uint64   // 136: nonzero when no weight is -128 (taps added two by two)
	tmp     [64]byte // 144: the last row's last chunk
	idx     [64]byte // 208: the gathers of a 3x3 window with SDOT (see dwDot)
	dot     uint64   // 272: the registers of their table (2 or 3), or 0
}

// dwDot gives a the SDOT gathers of a 3x3 window at strides sw, dw
// (made in b unless they are): byte 4l+j of gather q is input
// (4q+l)·sw + j·dw of a chunk, tap j of output 4q+l (tap 3 has weight 0),
// read from a table of 2 or 3 vectors. It leaves a without them when the
// table would need more.
func dwDot(a *dwArgs, b *dwBuf, sw, dw int) {
	last := 15*sw + 3*dw
	if last >= 48 {
		return
	}
	if b.idxFor != [2]int{sw, dw} {
		for q := range 4 {
			for l := range 4 {
				for j := range 4 {
					b.idx[16*q+4*l+j] = byte((4*q+l)*sw + j*dw)
				}
			}
		}
		b.idxFor = [2]int{sw, dw}
	}
	a.idx, a.dot = b.idx, uint64(last/16+1)
}

// dwNEONPlane computes plane p with dwNEON, band of output rows by band:
// each band's input rows are copied, made int8 (dwCopyNEON), into p.buf
// between columns and rows of the zero point, so that every tap lies
// inside and 16 outputs take one vector per tap. The padding is filled
// once for the planes of a Run with the same geometry; the last wp bytes
// of the scratch are a row of it, copied over rows above or below the
// input. It reports false, leaving p to Go, for strides above 2, a weight
// zero point (p.mul) or rows too wide for the scratch.
func dwNEONPlane(p *dwPlane, dot bool) bool {
	ow16 := (p.ow + 15) &^ 15
	wp := ow16*p.sw + (p.kw-1)*p.dw + 32 // the last chunk's LD2 reads 32 bytes
	if dot {
		wp = max(wp, (ow16-16)*p.sw+48) // and SDOT's loads, 48
	}
	span := (p.kh-1)*p.dh + 1 // input rows of one output row
	buf := p.buf.b[:len(p.buf.b)-wp]
	if p.mul != 0 || p.sw > 2 || p.mode == Float || p.padL >= wp || span*wp > len(buf) {
		return false
	}
	es := p.mode.size()
	if len(p.src) < p.h*p.wi || len(p.w) < p.kh*p.wq*4 || len(p.out) < p.oh*p.ow*es || p.kw > p.wq*4 {
		panic(fmt.Sprintf("qgemm: depthwise plane given %d input, %d weight and %d output bytes", len(p.src), len(p.w), len(p.out)))
	}
	band := min(p.oh, 1+(len(buf)/wp-span)/p.sh)
	pad := p.zx ^ p.flip
	if p.buf.filled != len(p.buf.b) || p.buf.pad != pad {
		fillByte(p.buf.b[:], pad)
		p.buf.filled, p.buf.pad = len(p.buf.b), pad
	}
	padRow := p.buf.b[len(buf):]
	n := min(p.wi, wp-p.padL) // the input columns a row holds
	a := dwArgs{ldi: wp, w: &p.w[0], wq4: p.wq * 4, ldo: p.ow * es, ow: p.ow, rowStep: p.sh * wp, sw: p.sw,
		tapRow: p.dh * wp, dw: p.dw, kh: p.kh, kw: p.kw, off: p.off, scale: p.scale, lo: p.lo, hi: p.hi,
		zp: p.zp, mode: p.mode}
	if bytes.IndexByte(p.w[:p.kh*p.wq*4], 0x80) < 0 {
		a.pairs = 1
	}
	if dot && p.kh == 3 && p.kw == 3 {
		dwDot(&a, p.buf, p.sw, p.dw)
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
		dwNEON(&a)
	}
	return true
}

// fillByte sets every byte of b to v, by doubling copies.
func fillByte(b []byte, v byte) {
	if len(b) == 0 {
		return
	}
	b[0] = v
	for n := 1; n < len(b); n *= 2 {
		copy(b[n:], b[:n])
	}
}

// dwCopyNEON copies rows rows of n bytes, each XOR flip, from src (rows
// lds bytes apart) to dst (rows ldd apart); it trusts its arguments.
//
//go:noescape
func dwCopyNEON(dst *byte, ldd int, src *byte, lds, n, rows int, flip byte)

// dwNEON computes a.rows output rows of a depthwise plane from a padded
// input; it trusts its arguments.
//
//go:noescape
func dwNEON(a *dwArgs)

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

// rowNEONDot1x12 is one row of tileNEONDot8x12; it trusts its arguments.
//
//go:noescape
func rowNEONDot1x12(kq int, a *byte, astride int, b *byte, offs *int32, c *byte, ep *tileEp)

// rowNEON1x8 is one row of tileNEON4x8; it trusts its arguments.
//
//go:noescape
func rowNEON1x8(kq int, a *byte, astride int, b *byte, offs *int32, c *byte, ep *tileEp)

// quantizeAsm computes Quantize with NEON, up to a multiple of 16 values.
func quantizeAsm(dst []byte, src []float32, scale float32, zp int32, lo, hi float32) int {
	n := len(src) &^ 15
	if n > 0 {
		quantizeNEON(ptr(dst), unsafe.SliceData(src), n, scale, zp, lo, hi)
	}
	return n
}

// addScaledAsm computes AddScaled with NEON, up to a multiple of 16
// values.
func addScaledAsm(dst, a, b []byte, ra, rb, c, lo, hi float32, signed bool) int {
	n := len(dst) &^ 15
	if n > 0 {
		addScaledNEON(ptr(dst), ptr(a), ptr(b), n, ra, rb, c, lo, hi, signed)
	}
	return n
}

// mulScaledAsm computes MulScaled with NEON, up to a multiple of 16
// values; b nil makes zb the second factor.
func mulScaledAsm(dst, a, b []byte, za, zb int32, r, c, lo, hi float32, signed bool) int {
	n := len(dst) &^ 15
	if n > 0 {
		mulScaledNEON(ptr(dst), ptr(a), ptr(b), n, za, zb, r, c, lo, hi, signed)
	}
	return n
}

// lookupAsm computes Lookup with NEON, up to a multiple of 16 values.
func lookupAsm(dst, src []byte, table *[256]byte) int {
	n := len(dst) &^ 15
	if n > 0 {
		lookupNEON(ptr(dst), ptr(src), n, table)
	}
	return n
}

// max3s2BytesAsm computes Max3S2Bytes with NEON, of every value but the
// last (the loop reads two bytes past its last window) when there are 17
// or more: by 16 a step, then a step over the last 16 but one, which
// computes some values again (the pooled rows of SqueezeNet, 55 and 27
// wide, had 7 and 11 in Go).
func max3s2BytesAsm(dst, src []byte, signed bool) int {
	n := max(len(dst)-1, 0) &^ 15
	if n > 0 {
		max3s2BytesNEON(ptr(dst), ptr(src), n, signed)
	}
	if m := len(dst) - 1; m > n && m >= 16 {
		max3s2BytesNEON(&dst[m-16], &src[2*(m-16)], 16, signed)
		n = m
	}
	return n
}

// maxBytesAsm computes MaxBytes with NEON: by 16 a step, then, when src
// and dst do not overlap (a step again would see values it stored), a
// step over the last 16, which maxes some values again.
func maxBytesAsm(dst, src []byte, signed bool) int {
	n := len(dst) &^ 15
	if n > 0 {
		maxBytesNEON(ptr(dst), ptr(src), n, signed)
	}
	if m := len(dst); m > n && m >= 16 && !overlap(dst, src) {
		maxBytesNEON(&dst[m-16], &src[m-16], 16, signed)
		n = m
	}
	return n
}

// overlap reports whether a and b share memory.
func overlap(a, b []byte) bool {
	pa, pb := uintptr(unsafe.Pointer(unsafe.SliceData(a))), uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return pa < pb+uintptr(len(b)) && pb < pa+uintptr(len(a))
}

// quantizeNEON is Quantize of n values, a multiple of 16; it trusts its
// arguments.
//
//go:noescape
func quantizeNEON(dst *byte, src *float32, n int, scale float32, zp int32, lo, hi float32)

// addScaledNEON is AddScaled of n values, a multiple of 16 (b nil: none);
// it trusts its arguments.
//
//go:noescape
func addScaledNEON(dst, a, b *byte, n int, ra, rb, c, lo, hi float32, signed bool)

// mulScaledNEON is MulScaled of n values, a multiple of 16 (b nil: zb
// is the second factor); it trusts its arguments.
//
//go:noescape
func mulScaledNEON(dst, a, b *byte, n int, za, zb int32, r, c, lo, hi float32, signed bool)

// lookupNEON is Lookup of n values, a multiple of 16; it trusts its
// arguments.
//
//go:noescape
func lookupNEON(dst, src *byte, n int, table *[256]byte)

// max3s2BytesNEON is Max3S2Bytes of n values, a multiple of 16, from at
// least 2n+2 bytes of src; it trusts its arguments.
//
//go:noescape
func max3s2BytesNEON(dst, src *byte, n int, signed bool)

// maxBytesNEON is MaxBytes of n values, a multiple of 16; it trusts its
// arguments.
//
//go:noescape
func maxBytesNEON(dst, src *byte, n int, signed bool)
