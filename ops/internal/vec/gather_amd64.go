//go:build !noasm

package vec

import "golang.org/x/sys/cpu"

// gather2AVX2 sets dst[i] = src[2*i] for the first len(dst)/8*8 values;
// it trusts len(src) >= 2*len(dst).
//
//go:noescape
func gather2AVX2(dst, src []float32)

// gather2Asm gathers a prefix of dst from every other value of src (which
// holds 2*len(dst)) and returns its length.
func gather2Asm(dst, src []float32) int {
	if !cpu.X86.HasAVX2 {
		return gather2Go(dst, src)
	}
	gather2AVX2(dst, src)
	return len(dst) &^ 7
}
