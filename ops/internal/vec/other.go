//go:build noasm || !(amd64 || arm64 || arm)

package vec

// maxAsm computes Max in Go: this build has no assembly.
func maxAsm(dst, src []float32) int { return maxGo(dst, src) }

// max3x3s1Asm computes Max3x3S1 in Go: this build has no assembly.
func max3x3s1Asm(dst, r0, r1, r2 []float32) (n, block int) {
	return max3x3s1Go(dst, r0, r1, r2), 1
}

// max3x3s2Asm computes Max3x3S2 in Go: this build has no assembly.
func max3x3s2Asm(dst, r0, r1, r2 []float32) (n, block int) {
	return max3x3s2Go(dst, r0, r1, r2), 1
}
