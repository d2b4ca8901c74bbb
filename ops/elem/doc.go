// Package elem holds the element-wise operators: arithmetic, Pow and Mod,
// comparisons, logic and bitwise operators with numpy-style broadcasting
// (binary.go, kernels in kernels.go and logic.go), the variadic Sum, Max,
// Min and Mean (variadic.go), Where (where.go), the one-input math
// functions and activations (unary.go; PRelu and Clip in activation.go),
// Cast, CastLike and BitCast (cast.go), and the experimental ImageScaler
// (legacy.go). Each operator family registers itself with package ops when
// this package is imported (package ops/all imports every family).
package elem
