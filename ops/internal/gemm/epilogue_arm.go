//go:build !noasm

package gemm

// clampRowNEON is clampRowGo with NEON; it trusts len(add) is 0 or len(c).
//
//go:noescape
func clampRowNEON(c, add []float32, bias, lo, hi float32)

// clampRow sets c[x] = min(max(c[x] + bias + add[x], lo), hi), without add
// when add is nil.
func clampRow(c, add []float32, bias, lo, hi float32) {
	if add != nil {
		add = add[:len(c)]
	}
	clampRowNEON(c, add, bias, lo, hi)
}
