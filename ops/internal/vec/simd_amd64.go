//go:build !noasm

package vec

import "golang.org/x/sys/cpu"

// levels returns the instruction sets this CPU runs, best first: AVX-512
// (with BMI2 for its tail masks), AVX2 with FMA, and Go.
func levels() []level {
	ls := []level{levelGo}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ls = append([]level{levelAVX2}, ls...)
		if cpu.X86.HasAVX512F && cpu.X86.HasBMI2 {
			ls = append([]level{levelAVX512}, ls...)
		}
	}
	return ls
}

// lanes is the number of float32 values in one of l's vectors.
func (l level) lanes() int {
	switch l {
	case levelAVX512:
		return 16
	case levelAVX2:
		return 8
	}
	return 1
}

// The loops of binary.go in AVX2 (whole vectors: the first len(d)/8*8
// values) and AVX-512 (every value, the tail under a mask); op selects
// the function. They trust len(a), len(b) >= len(d).
//
//go:noescape
func binaryAVX2(op Op, d, a, b []float32)

//go:noescape
func binaryScalarAVX2(op Op, d, a []float32, s float32)

//go:noescape
func scalarBinaryAVX2(op Op, d []float32, s float32, b []float32)

//go:noescape
func binaryAVX512(op Op, d, a, b []float32)

//go:noescape
func binaryScalarAVX512(op Op, d, a []float32, s float32)

//go:noescape
func scalarBinaryAVX512(op Op, d []float32, s float32, b []float32)

// binaryAsm computes Binary for a prefix of d and returns its length.
func binaryAsm(op Op, d, a, b []float32) int {
	switch simd {
	case levelAVX512:
		binaryAVX512(op, d, a, b)
		return len(d)
	case levelAVX2:
		binaryAVX2(op, d, a, b)
		return len(d) &^ 7
	}
	return 0
}

// binaryScalarAsm computes BinaryScalar for a prefix of d and returns its length.
func binaryScalarAsm(op Op, d, a []float32, s float32) int {
	switch simd {
	case levelAVX512:
		binaryScalarAVX512(op, d, a, s)
		return len(d)
	case levelAVX2:
		binaryScalarAVX2(op, d, a, s)
		return len(d) &^ 7
	}
	return 0
}

// scalarBinaryAsm computes ScalarBinary for a prefix of d and returns its length.
func scalarBinaryAsm(op Op, d []float32, s float32, b []float32) int {
	switch simd {
	case levelAVX512:
		scalarBinaryAVX512(op, d, s, b)
		return len(d)
	case levelAVX2:
		scalarBinaryAVX2(op, d, s, b)
		return len(d) &^ 7
	}
	return 0
}

// The activations of unary.go in AVX2 (the first len(d)/8*8 values) and
// AVX-512 (every value); they trust len(x) >= len(d).
//
//go:noescape
func unaryAVX2(k unary, d, x []float32, a, b float32)

//go:noescape
func unaryAVX512(k unary, d, x []float32, a, b float32)

// unaryAsm computes activation k for a prefix of d and returns its length.
func unaryAsm(k unary, d, x []float32, a, b float32) int {
	switch simd {
	case levelAVX512:
		unaryAVX512(k, d, x, a, b)
		return len(d)
	case levelAVX2:
		unaryAVX2(k, d, x, a, b)
		return len(d) &^ 7
	}
	return 0
}

// The exp family in AVX2 and FMA, and in AVX-512: they compute the first
// len(d)/8*8 (len(d)/16*16) values and trust len(x) >= len(d).
//
//go:noescape
func expAVX2(k expKind, d, x []float32, alpha float32)

//go:noescape
func expAVX512(k expKind, d, x []float32, alpha float32)

// expAsm computes function k of the exp family for whole vectors of d.
func expAsm(k expKind, d, x []float32, alpha float32) {
	if simd == levelAVX512 {
		expAVX512(k, d, x, alpha)
		return
	}
	expAVX2(k, d, x, alpha)
}
