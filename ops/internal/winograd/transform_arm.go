//go:build !noasm

package winograd

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// asmTransforms returns the NEON transforms when the CPU has NEON (the
// GEMM's "neon" kernel family; ARMv6 has neither).
func asmTransforms() []transforms {
	if !cpu.ARM.HasNEON {
		return nil
	}
	return []transforms{{"neon"}}
}

func (t transforms) gather(xp []float32, idx *[Lanes]int32, wp int, d, dst []float32, stride int) {
	if t.family == "neon" {
		gatherNEON(unsafe.SliceData(xp), &idx[0], wp, &d[0], &dst[0], stride)
		return
	}
	gatherTilesGo(xp, idx, wp, d, dst, stride)
}

func (t transforms) output(m []float32, stride int, o []float32) {
	if t.family == "neon" {
		outputNEON(&m[0], stride, &o[0])
		return
	}
	outputGo(m, stride, o)
}

// tconsts are the constants the transforms multiply by (by scalar, from
// D14 and D15).
var tconsts = [4]float32{4, 5, 2, 8}

// gatherNEON is Gather in NEON (the rows of each tile transformed first,
// then the columns); it trusts its arguments.
//
//go:noescape
func gatherNEON(xp *float32, idx *int32, wp int, d, dst *float32, stride int)

// outputNEON is Output in NEON; it trusts its arguments.
//
//go:noescape
func outputNEON(m *float32, stride int, o *float32)
