//go:build !noasm

package winograd

import "unsafe"

// The NEON transforms of F(6x6, 3x3), run when the NEON ones of F(4x4,
// 3x3) are (impl).

func gather63Asm(xp []float32, idx *[Lanes]int32, wp int, d, dst []float32, stride int) bool {
	if impl.family != "neon" {
		return false
	}
	gather63NEON(unsafe.SliceData(xp), &idx[0], wp, &d[0], &dst[0], stride)
	return true
}

func output63Asm(m []float32, stride int, o []float32) bool {
	if impl.family != "neon" {
		return false
	}
	output63NEON(&m[0], stride, &o[0])
	return true
}

func store63Asm(y []float32, offs *[Lanes]int32, ldy int, o []float32, n int, bias *[Lanes]float32, lo, hi float32) bool {
	if impl.family != "neon" {
		return false
	}
	store63NEON(unsafe.SliceData(y), &offs[0], ldy, &o[0], n, &bias[0], lo, hi)
	return true
}

// gather63NEON is Gather63 in NEON (the rows of each tile transformed
// first, then the columns); it trusts its arguments.
//
//go:noescape
func gather63NEON(xp *float32, idx *int32, wp int, d, dst *float32, stride int)

// output63NEON is Output63 in NEON; it trusts its arguments.
//
//go:noescape
func output63NEON(m *float32, stride int, o *float32)

// store63NEON is Store63's loop in NEON; it trusts its arguments.
//
//go:noescape
func store63NEON(y *float32, offs *int32, ldy int, o *float32, n int, bias *float32, lo, hi float32)
