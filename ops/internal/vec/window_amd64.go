//go:build !noasm

package vec

import "golang.org/x/sys/cpu"

// max3x3s2AVX2 computes Max3x3S2 for the first len(dst)/8*8 values; it
// trusts that each row holds 2*len(dst)+1 values.
//
//go:noescape
func max3x3s2AVX2(dst, r0, r1, r2 []float32)

// max3x3s2Asm computes Max3x3S2 for a prefix of dst (the rows holding
// 2*len(dst)+1 values), a whole number of blocks of outputs, and returns
// its length and the block.
func max3x3s2Asm(dst, r0, r1, r2 []float32) (n, block int) {
	if !cpu.X86.HasAVX2 {
		return max3x3s2Go(dst, r0, r1, r2), 1
	}
	max3x3s2AVX2(dst, r0, r1, r2)
	return len(dst) &^ 7, 8
}

// max3x3s1AVX2 computes Max3x3S1 for the first len(dst)/8*8 values; it
// trusts that each row holds len(dst)+2 values.
//
//go:noescape
func max3x3s1AVX2(dst, r0, r1, r2 []float32)

// max3x3s1Asm computes Max3x3S1 for a prefix of dst (the rows holding
// len(dst)+2 values), a whole number of blocks of outputs, and returns
// its length and the block.
func max3x3s1Asm(dst, r0, r1, r2 []float32) (n, block int) {
	if !cpu.X86.HasAVX2 {
		return max3x3s1Go(dst, r0, r1, r2), 1
	}
	max3x3s1AVX2(dst, r0, r1, r2)
	return len(dst) &^ 7, 8
}
