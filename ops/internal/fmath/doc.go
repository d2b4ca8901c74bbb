// Package fmath holds fast float32 and float64 kernels over slices (exp,
// sigmoid, tanh) shared by the operator families, accurate to a few ulp.
package fmath
