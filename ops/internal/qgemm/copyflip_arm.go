//go:build !noasm

package qgemm

import "golang.org/x/sys/cpu"

// copyFlipAsm computes CopyFlip with NEON, up to a multiple of 16 bytes,
// when the CPU has NEON: on 32-bit arm Go's loop takes 8 bytes in two
// words (the depthwise planes copy their input rows with it).
func copyFlipAsm(dst, src []byte, flip byte) int {
	n := len(src) &^ 15
	if n == 0 || !cpu.ARM.HasNEON {
		return 0
	}
	copyFlipNEON(ptr(dst), ptr(src), n, flip)
	return n
}

// copyFlipNEON is CopyFlip of n bytes (a multiple of 16); it trusts its
// arguments.
//
//go:noescape
func copyFlipNEON(dst, src *byte, n int, flip byte)
