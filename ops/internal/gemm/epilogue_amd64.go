//go:build !noasm

package gemm

import "golang.org/x/sys/cpu"

// clampRowAVX2 is clampRowGo with AVX2; it trusts len(add) is 0 or len(c).
//
//go:noescape
func clampRowAVX2(c, add []float32, bias, lo, hi float32)

// clampRow sets c[x] = min(max(c[x] + bias + add[x], lo), hi), without add
// when add is nil.
func clampRow(c, add []float32, bias, lo, hi float32) {
	if !cpu.X86.HasAVX2 {
		clampRowGo(c, add, bias, lo, hi)
		return
	}
	if add != nil {
		add = add[:len(c)]
	}
	clampRowAVX2(c, add, bias, lo, hi)
}
