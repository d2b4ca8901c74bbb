//go:build !noasm

package vec

// levels returns the instruction sets arm64 runs, best first: every
// arm64 CPU has Advanced SIMD.
func levels() []level { return []level{levelNEON, levelGo} }

// lanes is the number of float32 values in one of l's vectors.
func (l level) lanes() int {
	if l == levelNEON {
		return 4
	}
	return 1
}

// The loops of binary.go and unary.go in NEON, for the first len(d)/4*4
// values; op and k select the function. They trust that the other
// slices are at least as long as d.
//
//go:noescape
func binaryNEON(op Op, d, a, b []float32)

//go:noescape
func binaryScalarNEON(op Op, d, a []float32, s float32)

//go:noescape
func scalarBinaryNEON(op Op, d []float32, s float32, b []float32)

//go:noescape
func unaryNEON(k unary, d, x []float32, a, b float32)

// binaryAsm computes Binary for a prefix of d and returns its length.
func binaryAsm(op Op, d, a, b []float32) int {
	if simd != levelNEON {
		return 0
	}
	binaryNEON(op, d, a, b)
	return len(d) &^ 3
}

// binaryScalarAsm computes BinaryScalar for a prefix of d and returns its length.
func binaryScalarAsm(op Op, d, a []float32, s float32) int {
	if simd != levelNEON {
		return 0
	}
	binaryScalarNEON(op, d, a, s)
	return len(d) &^ 3
}

// scalarBinaryAsm computes ScalarBinary for a prefix of d and returns its length.
func scalarBinaryAsm(op Op, d []float32, s float32, b []float32) int {
	if simd != levelNEON {
		return 0
	}
	scalarBinaryNEON(op, d, s, b)
	return len(d) &^ 3
}

// unaryAsm computes activation k for a prefix of d and returns its length.
func unaryAsm(k unary, d, x []float32, a, b float32) int {
	if simd != levelNEON {
		return 0
	}
	unaryNEON(k, d, x, a, b)
	return len(d) &^ 3
}

// expNEON computes function k of the exp family for the first len(d)/4*4
// values; it trusts len(x) >= len(d).
//
//go:noescape
func expNEON(k expKind, d, x []float32, alpha float32)

// expAsm computes function k of the exp family for whole vectors of d.
func expAsm(k expKind, d, x []float32, alpha float32) { expNEON(k, d, x, alpha) }
