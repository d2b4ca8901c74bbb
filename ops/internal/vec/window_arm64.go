//go:build !noasm

package vec

// max3x3s2NEON computes Max3x3S2 for the first len(dst)/4*4 values; it
// trusts that each row holds 2*len(dst)+1 values.
//
//go:noescape
func max3x3s2NEON(dst, r0, r1, r2 []float32)

// max3x3s2Asm computes Max3x3S2 for a prefix of dst (the rows holding
// 2*len(dst)+1 values), a whole number of blocks of outputs, and returns
// its length and the block.
func max3x3s2Asm(dst, r0, r1, r2 []float32) (n, block int) {
	max3x3s2NEON(dst, r0, r1, r2)
	return len(dst) &^ 3, 4
}

// max3x3s1NEON computes Max3x3S1 for the first len(dst)/4*4 values; it
// trusts that each row holds len(dst)+2 values.
//
//go:noescape
func max3x3s1NEON(dst, r0, r1, r2 []float32)

// max3x3s1Asm computes Max3x3S1 for a prefix of dst (the rows holding
// len(dst)+2 values), a whole number of blocks of outputs, and returns
// its length and the block.
func max3x3s1Asm(dst, r0, r1, r2 []float32) (n, block int) {
	max3x3s1NEON(dst, r0, r1, r2)
	return len(dst) &^ 3, 4
}

// max3x3s2RowsNEON computes Max3x3S2Rows for n >= 4; it trusts its
// arguments.
//
//go:noescape
func max3x3s2RowsNEON(dst *float32, ldd int, src *float32, w, n, rows int)

// max3x3s2RowsAsm computes Max3x3S2Rows in NEON where its rows hold a
// block of 4 outputs, and reports whether it did.
func max3x3s2RowsAsm(dst []float32, ldd int, src []float32, w, n, rows int) bool {
	if n < 4 {
		return false
	}
	max3x3s2RowsNEON(&dst[0], ldd, &src[0], w, n, rows)
	return true
}
