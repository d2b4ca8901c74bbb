//go:build !noasm

package qgemm

import (
	"fmt"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// hasAVX512VNNI reports whether the AVX-512 kernels run: VNNI's VPDPBUSD,
// VBMI's VPERMB for the byte gathers, and BMI2 for masks.
var hasAVX512VNNI = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL &&
	cpu.X86.HasAVX512VNNI && cpu.X86.HasAVX512VBMI && cpu.X86.HasBMI2

// asmKernels returns the assembly kernels this CPU runs, fastest first.
// The AVX-512 VNNI kernel keeps an 8x32 tile in 16 ZMM accumulators: per k
// step two loads of columns, eight broadcasts of rows and 16 VPDPBUSD.
func asmKernels() []*Kernel {
	var ks []*Kernel
	if hasAVX512VNNI {
		ks = append(ks, &Kernel{Name: "avx512vnni 8x32", MR: 8, NR: 32, id: idAVX512VNNI})
	}
	return ks
}

// interleaveAsm returns the SIMD Interleave4 of this CPU.
func interleaveAsm() func(dst, s0, s1, s2, s3 []byte, flip byte) int {
	if hasAVX512VNNI {
		return func(dst, s0, s1, s2, s3 []byte, flip byte) int {
			interleaveAVX512(ptr(dst), ptr(s0), ptr(s1), ptr(s2), ptr(s3), len(s0), flip)
			return len(s0)
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
	default:
		tilesGo(kq, a, b, offs, c, ldc, ep, n)
	}
}

// dwPlane runs k's depthwise plane: the AVX-512 one where the window of
// 16 outputs fits one 64-byte load, the left padding is under 64 and
// there is no weight zero point.
func (k *Kernel) dwPlane(p *dwPlane) {
	if k.id != idAVX512VNNI || p.mul != 0 || p.wq > 2 || 15*p.sw+(p.kw-1)*p.dw >= 64 || p.padL >= 64 {
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

// dwAVX512 is the AVX-512 depthwise plane; it trusts its arguments.
//
//go:noescape
func dwAVX512(p *dwPlane)

// interleaveAVX512 is Interleave4 of n columns at stride 1; it trusts its
// arguments.
//
//go:noescape
func interleaveAVX512(dst, s0, s1, s2, s3 *byte, n int, flip byte)
