package vec

// Max3S2 sets dst[i] = max(src[2i], src[2i+1], src[2i+2]) for every i of
// dst, with Go's max semantics (NaN in, NaN out): a max pool's 3-wide,
// stride-2 window along a row (ResNet's stem pool). src must hold
// 2*len(dst)+1 values.
func Max3S2(dst, src []float32) {
	if len(dst) == 0 {
		return
	}
	src = src[:2*len(dst)+1]
	// Each vector step reads 2*block+2 values of src for block of dst.
	i := max3s2Asm(dst[:min(len(dst), (len(src)-2)/2)], src)
	for ; i < len(dst); i++ {
		dst[i] = max(src[2*i], src[2*i+1], src[2*i+2])
	}
}

// max3s2Go is Max3S2's loop in Go; it returns len(dst).
func max3s2Go(dst, src []float32) int {
	for i := range dst {
		dst[i] = max(src[2*i], src[2*i+1], src[2*i+2])
	}
	return len(dst)
}
