// Package fmath holds fast float32 and float64 kernels over slices (exp,
// expm1, log, log1p, erf, sigmoid, tanh, swish, softplus, mish, gelu)
// shared by the operator families, accurate to a few ulp. float32 exp,
// sigmoid, tanh and swish run in package vec's SIMD loops, and the other
// kernels build on that exp.
package fmath
