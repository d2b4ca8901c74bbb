//go:build !noasm

package vec

import "golang.org/x/sys/cpu"

// lerpAVX sets dst[i] = a*x[i] + b*y[i] for the first len(dst)/8*8
// values; it trusts len(x), len(y) >= len(dst).
//
//go:noescape
func lerpAVX(dst, x, y []float32, a, b float32)

// lerpAsm computes Lerp for a prefix of dst and returns its length.
func lerpAsm(dst, x, y []float32, a, b float32) int {
	if !cpu.X86.HasAVX {
		return lerpGo(dst, x, y, a, b)
	}
	lerpAVX(dst, x, y, a, b)
	return len(dst) &^ 7
}

// axpyAVX sets dst[i] += a*x[i] for the first len(dst)/8*8 values; it
// trusts len(x) >= len(dst).
//
//go:noescape
func axpyAVX(dst, x []float32, a float32)

// axpyAsm computes Axpy for a prefix of dst and returns its length.
func axpyAsm(dst, x []float32, a float32) int {
	if !cpu.X86.HasAVX {
		return axpyGo(dst, x, a)
	}
	axpyAVX(dst, x, a)
	return len(dst) &^ 7
}
