//go:build noasm || !(amd64 || arm64)

package vec

// The loops other than the max pools' and the exp family's have no
// assembly on 32-bit arm either (its NEON Max and Max3x3 loops are in
// max_arm.go, its exp family in exp_arm.go).

// gather2Asm gathers dst from every other value of src, in Go.
func gather2Asm(dst, src []float32) int { return gather2Go(dst, src) }

// transpose8Asm transposes nothing: this build has no assembly.
func transpose8Asm(dst []float32, ldd int, src []float32, lds int, cols int) int { return 0 }

// lerpAsm computes Lerp in Go: this build has no assembly.
func lerpAsm(dst, x, y []float32, a, b float32) int { return lerpGo(dst, x, y, a, b) }

// axpyAsm computes Axpy in Go: this build has no assembly.
func axpyAsm(dst, x []float32, a float32) int { return axpyGo(dst, x, a) }

// binaryAsm computes nothing: this build has no assembly.
func binaryAsm(op Op, d, a, b []float32) int { return 0 }

// binaryScalarAsm computes nothing: this build has no assembly.
func binaryScalarAsm(op Op, d, a []float32, s float32) int { return 0 }

// scalarBinaryAsm computes nothing: this build has no assembly.
func scalarBinaryAsm(op Op, d []float32, s float32, b []float32) int { return 0 }

// unaryAsm computes nothing: this build has no assembly.
func unaryAsm(k unary, d, x []float32, a, b float32) int { return 0 }
