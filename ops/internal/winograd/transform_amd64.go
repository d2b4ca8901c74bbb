//go:build !noasm

package winograd

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// asmTransforms returns the assembly transforms this CPU supports.
func asmTransforms() []transforms {
	var ts []transforms
	if cpu.X86.HasAVX512F {
		ts = append(ts, transforms{"avx512"})
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ts = append(ts, transforms{"avx2"})
	}
	return ts
}

func (t transforms) gather(xp []float32, idx *[Lanes]int32, wp int, d, dst []float32, stride int) {
	switch t.family {
	case "avx512":
		gatherColsAVX512(&xp[0], &idx[0], wp, &d[0])
		rowsAVX512(&d[0], &dst[0], stride)
	case "avx2":
		gatherAVX2(unsafe.SliceData(xp), &idx[0], wp, &d[0], &dst[0], stride)
	default:
		gatherTilesGo(xp, idx, wp, d, dst, stride)
	}
}

func (t transforms) output(m []float32, stride int, o []float32) {
	switch t.family {
	case "avx512":
		outputColsAVX512(&m[0], stride, &o[0])
		transposeAVX512(&o[0])
	case "avx2":
		outputAVX2(&m[0], stride, &o[0])
	default:
		outputGo(m, stride, o)
	}
}

// gatherColsAVX512 is gatherGo then colsGo in AVX-512F; it trusts its
// arguments.
//
//go:noescape
func gatherColsAVX512(xp *float32, idx *int32, wp int, d *float32)

// rowsAVX512 is rowsGo in AVX-512F; it trusts its arguments.
//
//go:noescape
func rowsAVX512(d, dst *float32, stride int)

// outputColsAVX512 is outputGo in AVX-512F up to the layout of o, which is
// transposed (o[(a*Out+b)*Lanes+l]); it trusts its arguments.
//
//go:noescape
func outputColsAVX512(m *float32, stride int, o *float32)

// transposeAVX512 transposes the 16x16 matrix at o in place (AVX-512F).
//
//go:noescape
func transposeAVX512(o *float32)

// gatherAVX2 is Gather in AVX2+FMA (the rows of each tile transformed
// first, then the columns); it trusts its arguments.
//
//go:noescape
func gatherAVX2(xp *float32, idx *int32, wp int, d, dst *float32, stride int)

// outputAVX2 is Output in AVX2+FMA, using o past the tiles as scratch; it
// trusts its arguments.
//
//go:noescape
func outputAVX2(m *float32, stride int, o *float32)
