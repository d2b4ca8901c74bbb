// Package elem holds the element-wise operators: arithmetic and comparison
// with numpy-style broadcasting, logic and bitwise operators, unary math,
// activations (Relu, Sigmoid, Clip, PRelu...) and Cast. Each operator
// family registers itself with package ops when this package is imported
// (package ops/all imports every family).
package elem
