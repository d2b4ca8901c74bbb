//go:build !noasm

package vec

// lerpNEON sets dst[i] = a*x[i] + b*y[i] for the first len(dst)/4*4
// values; it trusts len(x), len(y) >= len(dst).
//
//go:noescape
func lerpNEON(dst, x, y []float32, a, b float32)

// lerpAsm computes Lerp for a prefix of dst and returns its length.
func lerpAsm(dst, x, y []float32, a, b float32) int {
	lerpNEON(dst, x, y, a, b)
	return len(dst) &^ 3
}

// axpyNEON sets dst[i] += a*x[i] for the first len(dst)/4*4 values; it
// trusts len(x) >= len(dst).
//
//go:noescape
func axpyNEON(dst, x []float32, a float32)

// axpyAsm computes Axpy for a prefix of dst and returns its length.
func axpyAsm(dst, x []float32, a float32) int {
	axpyNEON(dst, x, a)
	return len(dst) &^ 3
}
