//go:build !noasm

package vec

// gather2NEON sets dst[i] = src[2*i] for the first len(dst)/4*4 values;
// it trusts len(src) >= 2*len(dst).
//
//go:noescape
func gather2NEON(dst, src []float32)

// gather2Asm gathers a prefix of dst from every other value of src (which
// holds 2*len(dst)) and returns its length.
func gather2Asm(dst, src []float32) int {
	gather2NEON(dst, src)
	return len(dst) &^ 3
}
