//go:build !noasm

package vec

// max3s2NEON computes Max3S2 for the first len(dst)/4*4 values; it
// trusts len(src) >= 2*len(dst)+2.
//
//go:noescape
func max3s2NEON(dst, src []float32)

// max3s2Asm computes Max3S2 for a prefix of dst (src holding 2*len(dst)+2
// values) and returns its length.
func max3s2Asm(dst, src []float32) int {
	max3s2NEON(dst, src)
	return len(dst) &^ 3
}
