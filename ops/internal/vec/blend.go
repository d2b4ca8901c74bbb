package vec

// Lerp sets dst[i] = a*x[i] + b*y[i] for every i of dst (x and y must be
// at least as long): a two-tap blend of rows, as a linear resize makes
// from its two source rows.
func Lerp(dst, x, y []float32, a, b float32) {
	x, y = x[:len(dst)], y[:len(dst)]
	i := lerpAsm(dst, x, y, a, b)
	for ; i < len(dst); i++ {
		dst[i] = a*x[i] + b*y[i]
	}
}

// lerpGo is Lerp's loop in Go; it returns len(dst).
func lerpGo(dst, x, y []float32, a, b float32) int {
	for i := range dst {
		dst[i] = a*x[i] + b*y[i]
	}
	return len(dst)
}

// Axpy sets dst[i] += a*x[i] for every i of dst (x must be at least as
// long): one more tap of a blend of rows.
func Axpy(dst, x []float32, a float32) {
	x = x[:len(dst)]
	i := axpyAsm(dst, x, a)
	for ; i < len(dst); i++ {
		dst[i] += a * x[i]
	}
}

// axpyGo is Axpy's loop in Go; it returns len(dst).
func axpyGo(dst, x []float32, a float32) int {
	for i := range dst {
		dst[i] += a * x[i]
	}
	return len(dst)
}
