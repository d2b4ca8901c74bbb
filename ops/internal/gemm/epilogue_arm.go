//go:build !noasm

package gemm

import "golang.org/x/sys/cpu"

// clampRowNEON is clampRowGo with NEON; it trusts len(add) is 0 or len(c).
//
//go:noescape
func clampRowNEON(c, add []float32, bias, lo, hi float32)

// hasNEON is whether this CPU has NEON (ARMv6 has not: clampRow is Go).
var hasNEON = cpu.ARM.HasNEON

// clampRow sets c[x] = min(max(c[x] + bias + add[x], lo), hi), without add
// when add is nil.
func clampRow(c, add []float32, bias, lo, hi float32) {
	if !hasNEON {
		clampRowGo(c, add, bias, lo, hi)
		return
	}
	if add != nil {
		add = add[:len(c)]
	}
	clampRowNEON(c, add, bias, lo, hi)
}
