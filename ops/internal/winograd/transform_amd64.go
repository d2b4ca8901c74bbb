//go:build !noasm

package winograd

import "golang.org/x/sys/cpu"

// Vectorized reports whether the transforms run as SIMD assembly.
var Vectorized = cpu.X86.HasAVX512F

func gather(xp []float32, idx *[Lanes]int32, wp int, d, dst []float32, stride int) {
	if Vectorized {
		gatherColsAVX512(&xp[0], &idx[0], wp, &d[0])
		rowsAVX512(&d[0], &dst[0], stride)
		return
	}
	gatherGo(xp, idx, wp, d)
	inputGo(d, dst, stride)
}

func output(m []float32, stride int, o []float32) {
	if Vectorized {
		outputAVX512(&m[0], stride, &o[0])
		transposeAVX512(&o[0])
		return
	}
	outputGo(m, stride, o)
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

// outputAVX512 is outputGo in AVX-512F up to the layout of o, which is
// transposed (o[(a*Out+b)*Lanes+l]); it trusts its arguments.
//
//go:noescape
func outputAVX512(m *float32, stride int, o *float32)

// transposeAVX512 transposes the 16x16 matrix at o in place (AVX-512F).
//
//go:noescape
func transposeAVX512(o *float32)
