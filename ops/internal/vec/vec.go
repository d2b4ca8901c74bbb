// Package vec holds edgeinfer's elementwise float32 loops over slices, in
// assembly where the CPU has SIMD for them (AVX, AVX2 with FMA and
// AVX-512 on amd64, NEON on arm64) and in Go otherwise or under the noasm
// build tag: the binary arithmetic of the element-wise operators and the
// piecewise-linear activations (binary.go, unary.go), the exp family
// (exp.go), and the row kernels of pooling, convolution and resizing.
// The SIMD loops give the Go loops' results bit for bit, but for the exp
// family's fused multiply-adds on amd64 (see exp.go).
package vec

// Max sets dst[i] = max(dst[i], src[i]) for every i of dst (src must be
// at least as long), with Go's max semantics: a NaN in either operand
// gives NaN. src may overlap dst when it starts at or after dst (an
// in-place sliding-window maximum): each block of src is read before the
// block of dst at the same index is written.
func Max(dst, src []float32) {
	src = src[:len(dst)]
	i := maxAsm(dst, src)
	for ; i < len(dst); i++ {
		dst[i] = max(dst[i], src[i])
	}
}

// maxGo is Max's loop in Go; it returns len(dst).
func maxGo(dst, src []float32) int {
	for i, s := range src {
		dst[i] = max(dst[i], s)
	}
	return len(dst)
}
