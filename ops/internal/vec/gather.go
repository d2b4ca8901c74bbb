package vec

// Gather sets dst[i] = src[i*stride] for every i of dst; src must hold
// (len(dst)-1)*stride+1 values. Stride 2 (a stride-2 convolution's input
// split by phase) runs in SIMD where the CPU has it.
func Gather(dst, src []float32, stride int) {
	if len(dst) == 0 {
		return
	}
	src = src[:(len(dst)-1)*stride+1]
	i := 0
	if stride == 2 {
		// Each vector step reads two blocks of src for one of dst, the
		// last value read being one past the last kept.
		i = gather2Asm(dst[:min(len(dst), len(src)/2)], src)
	}
	for ; i < len(dst); i++ {
		dst[i] = src[i*stride]
	}
}

// gather2Go is the stride-2 loop in Go; it returns len(dst).
func gather2Go(dst, src []float32) int {
	for i := range dst {
		dst[i] = src[2*i]
	}
	return len(dst)
}
