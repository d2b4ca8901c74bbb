//go:build !noasm

package vec

// maxNEON sets dst[i] = max(dst[i], src[i]) for the first len(dst)/4*4
// values; it trusts len(src) >= len(dst).
//
//go:noescape
func maxNEON(dst, src []float32)

// maxAsm computes Max for a prefix of dst and returns its length.
func maxAsm(dst, src []float32) int {
	maxNEON(dst, src)
	return len(dst) &^ 3
}
