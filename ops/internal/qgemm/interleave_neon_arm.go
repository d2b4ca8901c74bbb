//go:build !noasm && arm

package qgemm

// interleaveNEONCols is armv7's NEON Interleave4, at strides 1 and 2, of
// the columns up to a multiple of 16 (at stride 2, short of the last
// column: the deinterleaving load reads the byte after it). (arm64's,
// interleaveAsm in kernel_arm64.go, takes any row of 8 columns or more.)
func interleaveNEONCols(dst, s0, s1, s2, s3 []byte, n, stride int, flip byte) int {
	var m int
	switch stride {
	case 1:
		m = n &^ 15
	case 2:
		m = (n - 1) &^ 15
	}
	if m > 0 {
		interleaveNEON(ptr(dst), ptr(s0), ptr(s1), ptr(s2), ptr(s3), m, stride, flip)
	}
	return m
}

// interleaveNEON is Interleave4 of n columns (a multiple of 16) at stride
// 1 or 2; it trusts its arguments.
//
//go:noescape
func interleaveNEON(dst, s0, s1, s2, s3 *byte, n, stride int, flip byte)
