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

// hasAVX2 and hasAVXVNNI report whether the AVX2 kernel and the AVX-VNNI
// one (VEX-encoded VPDPBUSD on YMM: Alder Lake and later, Zen 5) run.
var (
	hasAVX2    = cpu.X86.HasAVX2
	hasAVXVNNI = hasAVX2 && cpu.X86.HasAVXVNNI
)

// asmKernels returns the assembly kernels this CPU runs, fastest first.
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
		ks = append(ks, &Kernel{Name: "avx512vnni 8x32", MR: 8, NR: 32, id: idAVX512VNNI, compress: true})
	}
	if hasAVXVNNI {
		ks = append(ks, &Kernel{Name: "avxvnni 4x24", MR: 4, NR: 24, id: idAVXVNNI})
	}
	if hasAVX2 {
		ks = append(ks, &Kernel{Name: "avx2 4x8", MR: 4, NR: 8, id: idAVX2})
	}
	return ks
}

// interleaveAsm returns the SIMD Interleave4 of this CPU, at strides 1
// and 2.
func interleaveAsm() func(dst, s0, s1, s2, s3 []byte, n, stride int, flip byte) int {
	if hasAVX512VNNI {
		return func(dst, s0, s1, s2, s3 []byte, n, stride int, flip byte) int {
			switch stride {
			case 1:
				interleaveAVX512(ptr(dst), ptr(s0), ptr(s1), ptr(s2), ptr(s3), n, flip)
			case 2:
				interleave2AVX512(ptr(dst), ptr(s0), ptr(s1), ptr(s2), ptr(s3), n, flip)
			default:
				return 0
			}
			return n
		}
	}
	return nil
}

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
	default:
		tilesGo(kq, a, b, offs, c, ldc, ep, n)
	}
}

// row runs k's row function (see Kernel), reporting whether it has one.
func (k *Kernel) row(kq int, a []byte, astride int, b []byte, offs []int32, c []byte, ep *tileEp) bool {
	if k.id != idAVX512VNNI {
		return false
	}
	es := ep.mode.size()
	if kq > 0 && (len(a) < (kq-1)*astride+4 || len(offs) < kq || len(b) == 0) || len(c) < k.NR*es ||
		len(ep.rowOff) < 1 || len(ep.colOff) < k.NR || ep.rowMul != nil && (len(ep.rowMul) < 1 || len(ep.colMul) < k.NR) ||
		ep.mode != Int32 && len(ep.scale) < min(k.scaleLen(ep, 1), k.NR*int(ep.scaleCols)+1) {
		panic(fmt.Sprintf("qgemm: %s row given kq=%d, %d A bytes (stride %d), %d C bytes", k.Name, kq, len(a), astride, len(c)))
	}
	rowAVX512VNNI(kq, ptr(a), astride, ptr(b), unsafe.SliceData(offs), ptr(c), ep)
	return true
}

// dwBuf is no scratch: this build's depthwise planes need none.
type dwBuf struct{}

// dwPlane runs k's depthwise plane: the AVX-512 one where the window of
// 16 outputs fits one 64-byte load, there are at most 8 rows of taps and
// no weight zero point.
func (k *Kernel) dwPlane(p *dwPlane) {
	if k.id != idAVX512VNNI || p.mul != 0 || p.wq > 2 || p.kh > 8 || 15*p.sw+(p.kw-1)*p.dw >= 64 {
		dwGo(p)
		return
	}
	if len(p.src) < p.h*p.wi || len(p.w) < p.kh*p.wq*4 || len(p.out) < p.oh*p.ow*p.mode.size() {
		panic(fmt.Sprintf("qgemm: depthwise plane given %d input, %d weight and %d output bytes", len(p.src), len(p.w), len(p.out)))
	}
	dwAVX512(p)
}

// tileAVX512VNNI computes n AVX-512 VNNI 8x32 tiles; it trusts its
// arguments.
//
//go:noescape
func tileAVX512VNNI(kq int, a, b *byte, offs *int32, c *byte, ldc int, ep *tileEp, n int)

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

// quantizeAsm computes Quantize with AVX-512.
func quantizeAsm(dst []byte, src []float32, scale float32, zp int32, lo, hi float32) int {
	if !hasAVX512VNNI || len(src) == 0 {
		return 0
	}
	quantizeAVX512(ptr(dst), unsafe.SliceData(src), len(src), scale, zp, lo, hi)
	return len(src)
}

// addScaledAsm computes AddScaled with AVX-512.
func addScaledAsm(dst, a, b []byte, ra, rb, c, lo, hi float32, signed bool) int {
	if !hasAVX512VNNI || len(dst) == 0 {
		return 0
	}
	addScaledAVX512(ptr(dst), ptr(a), ptr(b), len(dst), ra, rb, c, lo, hi, signed)
	return len(dst)
}

// quantizeAVX512 is Quantize of n values; it trusts its arguments.
//
//go:noescape
func quantizeAVX512(dst *byte, src *float32, n int, scale float32, zp int32, lo, hi float32)

// addScaledAVX512 is AddScaled of n values (b nil: none); it trusts its
// arguments.
//
//go:noescape
func addScaledAVX512(dst, a, b *byte, n int, ra, rb, c, lo, hi float32, signed bool)

// mulScaledAsm computes MulScaled with AVX-512, returning the length
// done; b nil makes zb the second factor.
func mulScaledAsm(dst, a, b []byte, za, zb int32, r, c, lo, hi float32, signed bool) int {
	if !hasAVX512VNNI || len(dst) == 0 {
		return 0
	}
	mulScaledAVX512(ptr(dst), ptr(a), ptr(b), len(dst), za, zb, r, c, lo, hi, signed)
	return len(dst)
}

// mulScaledAVX512 is MulScaled of n values; it trusts its arguments.
//
//go:noescape
func mulScaledAVX512(dst, a, b *byte, n int, za, zb int32, r, c, lo, hi float32, signed bool)

// lookupAsm computes Lookup with AVX-512, returning the length done.
func lookupAsm(dst, src []byte, table *[256]byte) int {
	if !hasAVX512VNNI || len(dst) == 0 {
		return 0
	}
	lookupAVX512(ptr(dst), ptr(src), len(dst), table)
	return len(dst)
}

// lookupAVX512 is Lookup of n values; it trusts its arguments.
//
//go:noescape
func lookupAVX512(dst, src *byte, n int, table *[256]byte)

// max3s2BytesAsm computes Max3S2Bytes with AVX-512, returning the length
// done.
func max3s2BytesAsm(dst, src []byte, signed bool) int {
	if !hasAVX512VNNI || len(dst) == 0 {
		return 0
	}
	max3s2BytesAVX512(ptr(dst), ptr(src), len(dst), len(src), signed)
	return len(dst)
}

// max3s2BytesAVX512 is Max3S2Bytes of n values from m; it trusts its
// arguments.
//
//go:noescape
func max3s2BytesAVX512(dst, src *byte, n, m int, signed bool)

// maxBytesAsm computes MaxBytes with AVX-512, returning the length done.
func maxBytesAsm(dst, src []byte, signed bool) int {
	if !hasAVX512VNNI || len(dst) == 0 {
		return 0
	}
	maxBytesAVX512(ptr(dst), ptr(src), len(dst), signed)
	return len(dst)
}

// maxBytesAVX512 is MaxBytes of n values; it trusts its arguments.
//
//go:noescape
func maxBytesAVX512(dst, src *byte, n int, signed bool)
