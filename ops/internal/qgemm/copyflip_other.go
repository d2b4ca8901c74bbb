//go:build noasm || !arm

package qgemm

// copyFlipAsm computes no prefix of CopyFlip: 64-bit Go does 8 bytes a
// step.
func copyFlipAsm(dst, src []byte, flip byte) int { return 0 }
