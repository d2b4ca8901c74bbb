//go:build !noasm

package vec

// transpose4NEON transposes 4 rows of src (stride lds) by blocks columns
// of 4 into dst (stride ldd); it trusts the slices hold them.
//
//go:noescape
func transpose4NEON(dst []float32, ldd int, src []float32, lds int, blocks int)

// transpose8Asm transposes the first cols/4*4 columns of 8 rows of src
// into dst, as two strips of 4 rows, and returns how many it did.
func transpose8Asm(dst []float32, ldd int, src []float32, lds int, cols int) int {
	transpose4NEON(dst, ldd, src, lds, cols/4)
	transpose4NEON(dst[4:], ldd, src[4*lds:], lds, cols/4)
	return cols &^ 3
}
