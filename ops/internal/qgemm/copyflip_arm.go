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

// sumBytesAsm sums, with NEON when the CPU has it, the first multiple of
// 16 bytes of b, each XOR flip, as uint8: it returns how many and their
// sum (on 32-bit arm Go's loop of SumBytes works in 64-bit words). Calls
// of 1 MiB at most keep each of the four 32-bit lanes below 2³².
func sumBytesAsm(b []byte, flip byte) (int, int64) {
	n := len(b) &^ 15
	if n == 0 || !cpu.ARM.HasNEON {
		return 0, 0
	}
	var total int64
	for i := 0; i < n; {
		m := min(n-i, 1<<20)
		var s uint32
		sumBytesNEON(&b[i], m, flip, &s)
		total += int64(s)
		i += m
	}
	return n, total
}

// sumBytesNEON sets s to the sum of the n bytes at p (a multiple of 16,
// at least 16), each XOR flip, as uint8; it trusts its arguments.
//
//go:noescape
func sumBytesNEON(p *byte, n int, flip byte, s *uint32)

// noMin128Asm reports, with NEON when the CPU has it, whether the first
// multiple of 16 bytes of b hold no 0x80 (-128): it returns how many
// bytes it scanned, or -1 when it found one (Go's bytes.IndexByte on
// 32-bit arm takes a byte a step; Product.Run scans the weights of every
// product with pairs).
func noMin128Asm(b []byte) int {
	n := len(b) &^ 15
	if n == 0 || !cpu.ARM.HasNEON {
		return 0
	}
	var m [16]byte
	minBytesNEON(ptr(b), n, &m)
	for _, v := range m {
		if v == 0x80 {
			return -1
		}
	}
	return n
}

// minBytesNEON sets m to the lane-wise signed minimum of the n bytes at
// p (a multiple of 16, at least 16) taken 16 at a time; it trusts its
// arguments.
//
//go:noescape
func minBytesNEON(p *byte, n int, m *[16]byte)
