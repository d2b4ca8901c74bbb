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

// max3s2NEON computes Max3S2 for the first len(dst)/4*4 values; it
// trusts len(src) >= 2*len(dst)+2.
//
//go:noescape
func max3s2NEON(dst, src []float32)

// maxAsm computes Max for a prefix of dst and returns its length.
func maxAsm(dst, src []float32) int {
	if !hasNEON {
		return maxGo(dst, src)
	}
	maxNEON(dst, src)
	return len(dst) &^ 3
}

// max3s2Asm computes Max3S2 for a prefix of dst (src holding 2*len(dst)+2
// values) and returns its length.
func max3s2Asm(dst, src []float32) int {
	if !hasNEON {
		return max3s2Go(dst, src)
	}
	max3s2NEON(dst, src)
	return len(dst) &^ 3
}
