//go:build !noasm

package vec

import "golang.org/x/sys/cpu"

// hasNEON is whether this armv7 CPU has NEON (ARMv6 has not).
var hasNEON = cpu.ARM.HasNEON

// maxNEON sets dst[i] = max(dst[i], src[i]) for the first len(dst)/4*4
// values; it trusts len(src) >= len(dst).
//
//go:noescape
func maxNEON(dst, src []float32)

// max3x3s2NEON and max3x3s1NEON compute Max3x3S2 and Max3x3S1 for the
// first len(dst)/4*4 values; they trust that each row holds 2*len(dst)+1
// (len(dst)+2) values.
//
//go:noescape
func max3x3s2NEON(dst, r0, r1, r2 []float32)

//go:noescape
func max3x3s1NEON(dst, r0, r1, r2 []float32)

// maxAsm computes Max for a prefix of dst and returns its length.
func maxAsm(dst, src []float32) int {
	if !hasNEON {
		return maxGo(dst, src)
	}
	maxNEON(dst, src)
	return len(dst) &^ 3
}

// max3x3s2Asm and max3x3s1Asm compute Max3x3S2 and Max3x3S1 for a prefix
// of dst, a whole number of blocks of outputs, and return its length and
// the block.
func max3x3s2Asm(dst, r0, r1, r2 []float32) (n, block int) {
	if !hasNEON {
		return max3x3s2Go(dst, r0, r1, r2), 1
	}
	max3x3s2NEON(dst, r0, r1, r2)
	return len(dst) &^ 3, 4
}

func max3x3s1Asm(dst, r0, r1, r2 []float32) (n, block int) {
	if !hasNEON {
		return max3x3s1Go(dst, r0, r1, r2), 1
	}
	max3x3s1NEON(dst, r0, r1, r2)
	return len(dst) &^ 3, 4
}
