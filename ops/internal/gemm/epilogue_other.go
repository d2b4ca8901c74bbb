//go:build noasm || !(amd64 || arm64 || arm)

package gemm

// clampRow sets c[x] = min(max(c[x] + bias + add[x], lo), hi), without add
// when add is nil.
func clampRow(c, add []float32, bias, lo, hi float32) { clampRowGo(c, add, bias, lo, hi) }
