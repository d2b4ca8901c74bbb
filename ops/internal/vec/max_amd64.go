//go:build !noasm

package vec

import "golang.org/x/sys/cpu"

// maxAVX sets dst[i] = max(dst[i], src[i]) for the first len(dst)/8*8
// values; it trusts len(src) >= len(dst).
//
//go:noescape
func maxAVX(dst, src []float32)

// maxAsm computes Max for a prefix of dst and returns its length.
func maxAsm(dst, src []float32) int {
	if !cpu.X86.HasAVX {
		return maxGo(dst, src)
	}
	maxAVX(dst, src)
	return len(dst) &^ 7
}
