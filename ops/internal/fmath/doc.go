// Package fmath holds fast float32 and float64 kernels over slices (exp,
// expm1, log, log1p, erf, sigmoid, tanh, softplus, mish, gelu) shared by
// the operator families, accurate to a few ulp.
package fmath
