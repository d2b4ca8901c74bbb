//go:build !noasm

package vec

import "golang.org/x/sys/cpu"

// max3s2AVX2 computes Max3S2 for the first len(dst)/8*8 values; it trusts
// len(src) >= 2*len(dst)+2.
//
//go:noescape
func max3s2AVX2(dst, src []float32)

// max3s2Asm computes Max3S2 for a prefix of dst (src holding 2*len(dst)+2
// values) and returns its length.
func max3s2Asm(dst, src []float32) int {
	if !cpu.X86.HasAVX2 {
		return max3s2Go(dst, src)
	}
	max3s2AVX2(dst, src)
	return len(dst) &^ 7
}
