//go:build noasm || !arm

package qgemm

// copyFlipAsm computes no prefix of CopyFlip: 64-bit Go does 8 bytes a
// step.
func copyFlipAsm(dst, src []byte, flip byte) int { return 0 }

// sumBytesAsm sums no prefix of b: 64-bit Go takes eight bytes a step.
func sumBytesAsm(b []byte, flip byte) (int, int64) { return 0, 0 }

// noMin128Asm scans no prefix of b for -128: bytes.IndexByte is SIMD
// here, or the build has no assembly.
func noMin128Asm(b []byte) int { return 0 }
