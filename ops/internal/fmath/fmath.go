package fmath

import (
	"math"

	"github.com/edgeinfer/edgeinfer/ops/internal/vec"
)

// Block is the length of the stack buffers of the exp-based kernels.
const Block = 256

// ByBlock applies fn to d and x in pieces of at most Block elements.
func ByBlock[T Float](d, x []T, fn func(d, x []T)) {
	for len(x) > 0 {
		n := min(len(x), Block)
		fn(d[:n], x[:n])
		d, x = d[n:], x[n:]
	}
}

// SigmoidBlock computes d = 1/(1+exp(-x)) for up to Block elements as
// 1/(1+e) for x >= 0 and e/(1+e) for x < 0, with e = exp(-|x|) <= 1, so
// nothing overflows and tiny results keep their precision; float32 in
// package vec's SIMD loops. d may be x.
func SigmoidBlock[T Float](d, x []T) {
	if is32[T]() {
		vec.Sigmoid(as32(d), as32(x))
		return
	}
	for i, v := range x {
		d[i] = T(sigmoid64(float64(v)))
	}
}

// sigmoid64 is SigmoidBlock's function in float64.
func sigmoid64(v float64) float64 {
	e := math.Exp(-math.Abs(v))
	r := 1 / (1 + e)
	if v < 0 {
		r *= e
	}
	return r
}

// TanhBlock computes d = tanh(x) for up to Block elements: float32 after
// Cephes' tanhf in package vec's SIMD loops (an odd polynomial for |x| <=
// 0.625, 1 - 2/(exp(2|x|)+1) beyond), float64 with math.Tanh. d may be x.
func TanhBlock[T Float](d, x []T) {
	if is32[T]() {
		vec.Tanh(as32(d), as32(x))
		return
	}
	for i, v := range x {
		d[i] = T(math.Tanh(float64(v)))
	}
}

// Swish sets d = x * sigmoid(alpha*x) (SiLU for alpha 1), float32 in
// package vec's SIMD loops; d may be x.
func Swish[T Float](d, x []T, alpha T) {
	if is32[T]() {
		vec.Swish(as32(d), as32(x), float32(alpha))
		return
	}
	for i, v := range x {
		d[i] = v * T(sigmoid64(float64(alpha*v)))
	}
}

// Abs is |v|, keeping NaN.
func Abs[T Float](v T) T {
	if v < 0 {
		return -v
	}
	return v
}

// Exp sets d[i] = exp(x[i]) in T's precision: float32 in package vec's
// SIMD loops (Cephes' expf, within 1.02 ulp), float64 with math.Exp. d
// may be x.
func Exp[T Float](d, x []T) {
	if is32[T]() {
		vec.Exp(as32(d), as32(x))
		return
	}
	for i, v := range x {
		d[i] = T(math.Exp(float64(v)))
	}
}

// Float is the element types these kernels compute.
type Float interface{ ~float32 | ~float64 }
