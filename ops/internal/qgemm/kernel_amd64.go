//go:build !noasm

package qgemm

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// hasAVX512VNNI reports whether the AVX-512 kernels run: VNNI's VPDPBUSD,
// VBMI's VPERMB for the byte gathers, VBMI2's VPCOMPRESSB for the
// compressed stores, and BMI2 and POPCNT for masks.
var hasAVX512VNNI = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL &&
	cpu.X86.HasAVX512VNNI && cpu.X86.HasAVX512VBMI && cpu.X86.HasAVX512VBMI2 && cpu.X86.HasBMI2 && cpu.X86.HasPOPCNT

// useAVX512 reports whether the AVX-512 Interleave4 and element-wise
// loops run: where the AVX-512 kernels do, unless the kernel in use was
// picked among those without AVX-512 (EDGEINFER_QGEMM_KERNEL=avx2 or
// avxvnni), so that such a run is that of a CPU without AVX-512.
var useAVX512 = hasAVX512VNNI && kern.id != idAVX2 && kern.id != idAVXVNNI

// setAVX512 sets useAVX512 (where the CPU has AVX-512), returning its
// previous value: tests run the element-wise loops both ways.
func setAVX512(on bool) bool {
	old := useAVX512
	useAVX512 = on && hasAVX512VNNI
	return old
}

// hasAVX2 and hasAVXVNNI report whether the AVX2 kernel and the AVX-VNNI
// one (VEX-encoded VPDPBUSD on YMM: Alder Lake and later, Zen 5) run.
var (
	hasAVX2    = cpu.X86.HasAVX2
	hasAVXVNNI = hasAVX2 && cpu.X86.HasAVXVNNI
)

// maxTileBytes bounds a tile of every kernel (MR·NR·4): the AMX kernel's
// 32x32.
const maxTileBytes = 4096

// asmKernels returns the assembly kernels this CPU runs, fastest first.
// The AMX one (see amx_amd64.go) runs the products it suits (amxSuits),
// leaving the others to the AVX-512 VNNI one (see For).
// The AVX-512 VNNI kernel keeps an 8x32 tile in 16 ZMM accumulators: per k
// step two loads of columns, eight broadcasts of rows and 16 VPDPBUSD.
// The AVX-VNNI one keeps a 4x24 tile in 12 YMM accumulators: three loads
// of columns, four broadcasts and 12 VPDPBUSD per step. The AVX2 one
// (4x8) widens both operands to int16 and multiplies with VPMADDWD, exact
// where VPMADDUBSW would saturate: per step two widened loads of columns,
// four widened broadcasts, eight VPMADDWD and eight VPADDD (see
// tile_avx2_amd64.s).
func asmKernels() []*Kernel {
	var ks []*Kernel
	if hasAVX512VNNI {
		vnni := &Kernel{Name: "avx512vnni 8x32", MR: 8, NR: 32, id: idAVX512VNNI, compress: allModes}
		if amxUsable() {
			ks = append(ks, &Kernel{Name: "amx 32x32", MR: 32, NR: 32, id: idAMX, compress: allModes, fallback: vnni, suits: amxSuits})
		}
		ks = append(ks, vnni)
	}
	if hasAVXVNNI {
		ks = append(ks, &Kernel{Name: "avxvnni 4x24", MR: 4, NR: 24, id: idAVXVNNI})
	}
	if hasAVX2 {
		ks = append(ks, &Kernel{Name: "avx2 4x8", MR: 4, NR: 8, id: idAVX2})
	}
	return ks
}

// interleaveAsm returns the SIMD Interleave4 of this CPU (Go does the
// columns it leaves), or nil: the AVX2 one when useAVX512 is not set.
func interleaveAsm() interleaveFunc {
	fs := interleavers()
	if hasAVX512VNNI && !useAVX512 {
		fs = fs[1:]
	}
	if len(fs) > 0 {
		return fs[0]
	}
	return nil
}

// interleaveRowsAsm returns nil: Interleave4Rows runs row by row
// (through Interleave4's AVX2 or AVX-512 forms).
func interleaveRowsAsm() interleaveRowsFunc { return nil }

// interleavers returns the SIMD Interleave4s this CPU runs, fastest
// first: AVX-512 at strides 1 and 2, AVX2 at strides 1 and 2 of the
// columns up to a multiple of 16 (at stride 2, short of the last column).
func interleavers() []interleaveFunc {
	var fs []interleaveFunc
	if hasAVX512VNNI {
		fs = append(fs, func(dst, s0, s1, s2, s3 []byte, n, stride int, flip byte) int {
			switch stride {
			case 1:
				interleaveAVX512(ptr(dst), ptr(s0), ptr(s1), ptr(s2), ptr(s3), n, flip)
			case 2:
				interleave2AVX512(ptr(dst), ptr(s0), ptr(s1), ptr(s2), ptr(s3), n, flip)
			default:
				return 0
			}
			return n
		})
	}
	if hasAVX2 {
		fs = append(fs, func(dst, s0, s1, s2, s3 []byte, n, stride int, flip byte) int {
			var m int
			switch stride {
			case 1:
				m = n &^ 15
			case 2:
				m = (n - 1) &^ 15 // each step reads 32 bytes: short of the last column
			}
			if m <= 0 {
				return 0
			}
			interleaveAVX2(ptr(dst), ptr(s0), ptr(s1), ptr(s2), ptr(s3), m, stride, flip)
			return m
		})
	}
	return fs
}

// interleaveAVX2 is Interleave4 at stride 1 or 2 of n columns, a
// multiple of 16; it trusts its arguments.
//
//go:noescape
func interleaveAVX2(dst, s0, s1, s2, s3 *byte, n, stride int, flip byte)

// tile runs k's tile function (see Kernel).
func (k *Kernel) tile(kq int, a, b []byte, offs []int32, c []byte, ldc int, ep *tileEp, n int) {
	switch k.id {
	case idAVX512VNNI:
		k.checkTile(kq, a, b, offs, c, ldc, ep, n)
		tileAVX512VNNI(kq, ptr(a), ptr(b), unsafe.SliceData(offs), ptr(c), ldc, ep, n)
	case idAVXVNNI:
		k.checkTile(kq, a, b, offs, c, ldc, ep, n)
		tileAVXVNNI(kq, ptr(a), ptr(b), unsafe.SliceData(offs), ptr(c), ldc, ep, n)
	case idAVX2:
		k.checkTile(kq, a, b, offs, c, ldc, ep, n)
		tileAVX2(kq, ptr(a), ptr(b), unsafe.SliceData(offs), ptr(c), ldc, ep, n)
	case idAMX:
		k.checkTile(kq, a, b, offs, c, ldc, ep, n)
		tileAMX(k, kq, a, b, offs, c, ldc, ep, n)
	default:
		tilesGo(kq, a, b, offs, c, ldc, ep, n)
	}
}

// row runs k's row function (see Kernel), reporting whether it has one.
func (k *Kernel) row(kq int, a []byte, astride int, b []byte, offs []int32, c []byte, ep *tileEp) bool {
	if k.id != idAVX512VNNI && k.id != idAVXVNNI && k.id != idAVX2 {
		return false
	}
	es := ep.mode.size()
	if kq > 0 && (len(a) < (kq-1)*astride+4 || len(offs) < kq || len(b) == 0) || len(c) < k.NR*es ||
		len(ep.rowOff) < 1 || len(ep.colOff) < k.NR || ep.rowMul != nil && (len(ep.rowMul) < 1 || len(ep.colMul) < k.NR) ||
		ep.mode != Int32 && len(ep.scale) < min(k.scaleLen(ep, 1), k.NR*int(ep.scaleCols)+1) {
		panic(fmt.Sprintf("qgemm: %s row given kq=%d, %d A bytes (stride %d), %d C bytes", k.Name, kq, len(a), astride, len(c)))
	}
	switch k.id {
	case idAVX512VNNI:
		rowAVX512VNNI(kq, ptr(a), astride, ptr(b), unsafe.SliceData(offs), ptr(c), ep)
	case idAVXVNNI:
		rowAVXVNNI(kq, ptr(a), astride, ptr(b), unsafe.SliceData(offs), ptr(c), ep)
	default:
		rowAVX2(kq, ptr(a), astride, ptr(b), unsafe.SliceData(offs), ptr(c), ep)
	}
	return true
}

// dwBuf is the scratch of the AVX2 depthwise planes of one Run: a band
// of an input plane's rows as int16 between columns and rows of the zero
// point (the padding filled once for the planes of a Run, which share
// it), and the pairs of taps.
type dwBuf struct {
	rows   [12 << 10]int16
	pairs  [64]uint32
	zrow   [512]int16 // zero points, the padding of rows above or below the input
	filled [4]int     // the band's row length, padL, input width and zero point the padding is for
}

// dwPlane runs k's depthwise plane: the AVX-512 one where the window of
// 16 outputs fits one 64-byte load, there are at most 8 rows of taps and
// no weight zero point; the AVX2 one (dwAVX2Plane) for the AVX2 and
// AVX-VNNI kernels where it can; else Go.
func (k *Kernel) dwPlane(p *dwPlane) {
	if k.id == idAVX2 || k.id == idAVXVNNI {
		if !dwAVX2Plane(p) {
			dwGo(p)
		}
		return
	}
	if k.id != idAVX512VNNI && k.id != idAMX || p.mul != 0 || p.wq > 2 || p.kh > 8 || 15*p.sw+(p.kw-1)*p.dw >= 64 {
		dwGo(p)
		return
	}
	if len(p.src) < p.h*p.wi || len(p.w) < p.kh*p.wq*4 || len(p.out) < p.oh*p.ow*p.mode.size() {
		panic(fmt.Sprintf("qgemm: depthwise plane given %d input, %d weight and %d output bytes", len(p.src), len(p.w), len(p.out)))
	}
	dwAVX512(p)
}

// dwAVX2Args is what dwAVX2 reads, at fixed offsets.
type dwAVX2Args struct {
	src     *int16  // 0: the first output row's first tap row, at column 0 of the padded band
	ld      int     // 8: bytes between the band's rows
	rowStep int     // 16: sh·ld
	tapRow  int     // 24: dh·ld
	rows    int     // 32: output rows
	chunks  int     // 40: steps of 16 outputs per row
	out     *byte   // 48
	ldo     int     // 56: bytes between output rows
	w       *uint32 // 64: kh rows of np pairs of int16 taps
	kh      int     // 72
	np      int     // 80
	sw      int     // 88: 1 or 2
	off     int32   // 96
	scale   float32 // 100
	lo, hi  float32 // 104, 108
	zp      int32   // 112
	mode    Mode    // 116: Int32 or Byte
	tail    int     // 120: the bytes of a row's last step when short, else 0
	fast    int     // 128: nonzero for three rows of two pairs
}

// dwWidenArgs is what dwWidenRowsAVX2 reads, at fixed offsets: rows rows
// of n bytes at src (lds apart), each XOR flip, as int8 (signed) or
// uint8, to int16 at dst (ldd bytes apart). A row shorter than 16 is read
// 16 bytes long and stored with the lanes from n on (mask 0) set to zx.
type dwWidenArgs struct {
	dst    *int16    // 0
	ldd    int       // 8
	src    *byte     // 16
	lds    int       // 24
	n      int       // 32
	rows   int       // 40
	zx     [16]int16 // 48
	mask   [16]int16 // 80
	flip   byte      // 112
	signed bool      // 113
}

// dwAVX2Plane computes plane p with dwAVX2, band of output rows by band:
// each band's input rows are widened to int16 (the kernel's column
// values, dwWidenRowsAVX2) into p.buf between columns and rows of the
// zero point, so that every tap lies inside. The taps go in pairs of
// int16 (w+mul: the weight zero point's term folded in, as the sum of a
// window's inputs times mul is that of mul added to every tap). It
// reports false, leaving p to Go, for strides above 2, dilated columns or
// planes too wide for the scratch.
func dwAVX2Plane(p *dwPlane) bool {
	b := p.buf
	np := (p.kw + 1) / 2
	chunks := (p.ow + 15) / 16
	es := p.mode.size()
	wi16 := (p.wi + 15) &^ 15
	// int16 columns of a band row: those the taps read, and a row of
	// input widened 16 at a time
	wp := (max(p.sw*16*chunks+2*np, p.padL+wi16) + 15) &^ 15
	span := (p.kh-1)*p.dh + 1
	if p.sw > 2 || p.dw != 1 || p.mode == Float || p.kh*np > len(b.pairs) ||
		span*wp > len(b.rows) || wp > len(b.zrow) || p.mul < -32768+128 || p.mul > 32767-128 {
		return false
	}
	if len(p.src) < p.h*p.wi || len(p.w) < p.kh*p.wq*4 || len(p.out) < p.oh*p.ow*es || p.kw > p.wq*4 {
		panic(fmt.Sprintf("qgemm: depthwise plane given %d input, %d weight and %d output bytes", len(p.src), len(p.w), len(p.out)))
	}
	for i := range p.kh {
		for q := range np {
			var pair uint32
			for t := range 2 {
				if j := 2*q + t; j < p.kw {
					pair |= uint32(uint16(int16(int32(int8(p.w[i*p.wq*4+j]))+p.mul))) << (16 * t)
				}
			}
			b.pairs[i*np+q] = pair
		}
	}
	zx := int16(value(p.zx^p.flip, p.signed))
	if key := [4]int{wp, p.padL, p.wi, int(zx)}; b.filled != key {
		fill16(b.rows[:], zx)
		fill16(b.zrow[:], zx)
		b.filled = key
	}
	band := min(p.oh, 1+(len(b.rows)/wp-span)/p.sh)
	a := dwAVX2Args{ld: 2 * wp, rowStep: 2 * p.sh * wp, tapRow: 2 * p.dh * wp, chunks: chunks, ldo: p.ow * es,
		w: &b.pairs[0], kh: p.kh, np: np, sw: p.sw, off: p.off, scale: p.scale, lo: p.lo, hi: p.hi, zp: p.zp, mode: p.mode,
		tail: p.ow % 16 * es}
	if p.kh == 3 && np == 2 {
		a.fast = 1
	}
	wa := dwWidenArgs{ldd: 2 * wp, lds: p.wi, n: p.wi, flip: p.flip, signed: p.signed}
	for i := range wa.zx {
		wa.zx[i] = zx
		if i < p.wi {
			wa.mask[i] = -1
		}
	}
	// rows from last read 16 bytes past the plane when shorter than 16
	last := p.h
	if p.wi < 16 {
		last = 0
		if len(p.src) >= 16 {
			last = (len(p.src)-16)/p.wi + 1
		}
	}
	for oy := 0; oy < p.oh; oy += band {
		nb := min(band, p.oh-oy)
		y0, rows := oy*p.sh-p.padT, (nb-1)*p.sh+span
		r0, r1 := max(0, -y0), max(0, min(rows, p.h-y0)) // the rows of the input
		for r := range rows {
			if r < r0 || r >= r1 {
				copy(b.rows[r*wp+p.padL:][:p.wi], b.zrow[:])
			}
		}
		if r1 > r0 {
			r2 := max(r0, min(r1, last-y0)) // widened by dwWidenRowsAVX2
			wa.dst, wa.src, wa.rows = &b.rows[r0*wp+p.padL], &p.src[(y0+r0)*p.wi], r2-r0
			if r2 > r0 {
				dwWidenRowsAVX2(&wa)
			}
			for r := r2; r < r1; r++ {
				row, src := b.rows[r*wp+p.padL:][:p.wi], p.src[(y0+r)*p.wi:][:p.wi]
				for x, v := range src {
					row[x] = int16(value(v^p.flip, p.signed))
				}
			}
		}
		a.src, a.out, a.rows = &b.rows[0], &p.out[oy*p.ow*es], nb
		dwAVX2(&a)
	}
	return true
}

// fill16 sets every element of s to v, by doubling copies.
func fill16(s []int16, v int16) {
	if len(s) == 0 {
		return
	}
	s[0] = v
	for n := 1; n < len(s); n *= 2 {
		copy(s[n:], s[:n])
	}
}

// dwAVX2 computes rows of a depthwise plane (see dwAVX2Plane); it trusts
// its arguments.
//
//go:noescape
func dwAVX2(a *dwAVX2Args)

// dwWidenRowsAVX2 widens rows (see dwWidenArgs); it trusts its
// arguments.
//
//go:noescape
func dwWidenRowsAVX2(a *dwWidenArgs)

// tileAVX512VNNI computes n AVX-512 VNNI 8x32 tiles; it trusts its
// arguments.
//
//go:noescape
func tileAVX512VNNI(kq int, a, b *byte, offs *int32, c *byte, ldc int, ep *tileEp, n int)

// rowAVXVNNI is the AVX-VNNI 1x24 row; it trusts its arguments.
//
//go:noescape
func rowAVXVNNI(kq int, a *byte, astride int, b *byte, offs *int32, c *byte, ep *tileEp)

// rowAVX2 is the AVX2 1x8 row; it trusts its arguments.
//
//go:noescape
func rowAVX2(kq int, a *byte, astride int, b *byte, offs *int32, c *byte, ep *tileEp)

// tileAVXVNNI computes n AVX-VNNI 4x24 tiles; it trusts its arguments.
//
//go:noescape
func tileAVXVNNI(kq int, a, b *byte, offs *int32, c *byte, ldc int, ep *tileEp, n int)

// tileAVX2 computes n AVX2 4x8 tiles; it trusts its arguments.
//
//go:noescape
func tileAVX2(kq int, a, b *byte, offs *int32, c *byte, ldc int, ep *tileEp, n int)

// rowAVX512VNNI is the AVX-512 VNNI 1x32 row; it trusts its arguments.
//
//go:noescape
func rowAVX512VNNI(kq int, a *byte, astride int, b *byte, offs *int32, c *byte, ep *tileEp)

// dwAVX512 is the AVX-512 depthwise plane; it trusts its arguments.
//
//go:noescape
func dwAVX512(p *dwPlane)

// interleaveAVX512 is Interleave4 of n columns at stride 1; it trusts its
// arguments.
//
//go:noescape
func interleaveAVX512(dst, s0, s1, s2, s3 *byte, n int, flip byte)

// interleave2AVX512 is Interleave4 of n columns at stride 2; it trusts
// its arguments.
//
//go:noescape
func interleave2AVX512(dst, s0, s1, s2, s3 *byte, n int, flip byte)

// quantizeAsm computes Quantize with AVX-512, or a prefix of it with
// AVX2.
func quantizeAsm(dst []byte, src []float32, scale float32, zp int32, lo, hi float32) int {
	if useAVX512 && len(src) > 0 {
		quantizeAVX512(ptr(dst), unsafe.SliceData(src), len(src), scale, zp, lo, hi)
		return len(src)
	}
	n := len(src) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	quantizeAVX2(ptr(dst), unsafe.SliceData(src), n, scale, zp, lo, hi)
	return n
}

// addScaledAsm computes AddScaled with AVX-512, or a prefix of it with
// AVX2 and FMA.
func addScaledAsm(dst, a, b []byte, ra, rb, c, lo, hi float32, signed bool) int {
	if useAVX512 && len(dst) > 0 {
		addScaledAVX512(ptr(dst), ptr(a), ptr(b), len(dst), ra, rb, c, lo, hi, signed)
		return len(dst)
	}
	n := len(dst) &^ 7
	if !hasFMA || n == 0 {
		return 0
	}
	addScaledAVX2(ptr(dst), ptr(a), ptr(b), n, ra, rb, c, lo, hi, signed)
	return n
}

// hasFMA reports whether addScaledAVX2 runs: AVX2 and FMA.
var hasFMA = hasAVX2 && cpu.X86.HasFMA

// quantizeAVX2 is Quantize of n values, a multiple of 8; it trusts its
// arguments.
//
//go:noescape
func quantizeAVX2(dst *byte, src *float32, n int, scale float32, zp int32, lo, hi float32)

// addScaledAVX2 is AddScaled of n values, a multiple of 8 (b nil: none);
// it trusts its arguments.
//
//go:noescape
func addScaledAVX2(dst, a, b *byte, n int, ra, rb, c, lo, hi float32, signed bool)

// quantizeAVX512 is Quantize of n values; it trusts its arguments.
//
//go:noescape
func quantizeAVX512(dst *byte, src *float32, n int, scale float32, zp int32, lo, hi float32)

// addScaledAVX512 is AddScaled of n values (b nil: none); it trusts its
// arguments.
//
//go:noescape
func addScaledAVX512(dst, a, b *byte, n int, ra, rb, c, lo, hi float32, signed bool)

// mulScaledAsm computes MulScaled with AVX-512, or a prefix of it with
// AVX2, returning the length done; b nil makes zb the second factor.
func mulScaledAsm(dst, a, b []byte, za, zb int32, r, c, lo, hi float32, signed bool) int {
	if useAVX512 && len(dst) > 0 {
		mulScaledAVX512(ptr(dst), ptr(a), ptr(b), len(dst), za, zb, r, c, lo, hi, signed)
		return len(dst)
	}
	n := len(dst) &^ 7
	if !hasAVX2 || n == 0 {
		return 0
	}
	mulScaledAVX2(ptr(dst), ptr(a), ptr(b), n, za, zb, r, c, lo, hi, signed)
	return n
}

// mulScaledAVX2 is MulScaled of n values, a multiple of 8; it trusts its
// arguments.
//
//go:noescape
func mulScaledAVX2(dst, a, b *byte, n int, za, zb int32, r, c, lo, hi float32, signed bool)

// mulScaledAVX512 is MulScaled of n values; it trusts its arguments.
//
//go:noescape
func mulScaledAVX512(dst, a, b *byte, n int, za, zb int32, r, c, lo, hi float32, signed bool)

// lookupAsm computes Lookup with AVX-512, or a prefix of it with AVX2,
// returning the length done.
func lookupAsm(dst, src []byte, table *[256]byte) int {
	if useAVX512 && len(dst) > 0 {
		lookupAVX512(ptr(dst), ptr(src), len(dst), table)
		return len(dst)
	}
	n := len(dst) &^ 31
	if !hasAVX2 || n == 0 {
		return 0
	}
	lookupAVX2(ptr(dst), ptr(src), n, table)
	return n
}

// lookupAVX2 is Lookup of n values, a multiple of 32; it trusts its
// arguments.
//
//go:noescape
func lookupAVX2(dst, src *byte, n int, table *[256]byte)

// lookupAVX512 is Lookup of n values; it trusts its arguments.
//
//go:noescape
func lookupAVX512(dst, src *byte, n int, table *[256]byte)

// max3s2BytesAsm computes Max3S2Bytes with AVX-512, or a prefix of it
// with AVX2, returning the length done.
func max3s2BytesAsm(dst, src []byte, signed bool) int {
	if useAVX512 && len(dst) > 0 {
		max3s2BytesAVX512(ptr(dst), ptr(src), len(dst), len(src), signed)
		return len(dst)
	}
	n := (len(dst) - 1) &^ 15 // each step reads 34 bytes: short of the last output
	if !hasAVX2 || n <= 0 {
		return 0
	}
	max3s2BytesAVX2(ptr(dst), ptr(src), n, signed)
	return n
}

// max3s2BytesAVX2 is Max3S2Bytes of n values, a multiple of 16, from
// 2n+2 bytes; it trusts its arguments.
//
//go:noescape
func max3s2BytesAVX2(dst, src *byte, n int, signed bool)

// max3s2BytesAVX512 is Max3S2Bytes of n values from m; it trusts its
// arguments.
//
//go:noescape
func max3s2BytesAVX512(dst, src *byte, n, m int, signed bool)

// maxBytesAsm computes MaxBytes with AVX-512, or a prefix of it with
// AVX2, returning the length done.
func maxBytesAsm(dst, src []byte, signed bool) int {
	if useAVX512 && len(dst) > 0 {
		maxBytesAVX512(ptr(dst), ptr(src), len(dst), signed)
		return len(dst)
	}
	n := len(dst) &^ 31
	if !hasAVX2 || n == 0 {
		return 0
	}
	maxBytesAVX2(ptr(dst), ptr(src), n, signed)
	return n
}

// maxBytesAVX2 is MaxBytes of n values, a multiple of 32; it trusts its
// arguments.
//
//go:noescape
func maxBytesAVX2(dst, src *byte, n int, signed bool)

// maxBytesAVX512 is MaxBytes of n values; it trusts its arguments.
//
//go:noescape
func maxBytesAVX512(dst, src *byte, n int, signed bool)
