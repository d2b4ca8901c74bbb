//go:build !noasm

package vec

import "golang.org/x/sys/cpu"

// transpose8AVX transposes 8 rows of src (stride lds) by blocks columns of
// 8 into dst (stride ldd); it trusts the slices hold them.
//
//go:noescape
func transpose8AVX(dst []float32, ldd int, src []float32, lds int, blocks int)

// transpose8Asm transposes the first cols/8*8 columns of 8 rows of src
// into dst and returns how many it did.
func transpose8Asm(dst []float32, ldd int, src []float32, lds int, cols int) int {
	if !cpu.X86.HasAVX {
		return 0
	}
	transpose8AVX(dst, ldd, src, lds, cols/8)
	return cols &^ 7
}
