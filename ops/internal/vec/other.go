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

// levels returns the Go loops alone: this build has no assembly.
func levels() []level { return []level{levelGo} }

// lanes is 1: the Go loops take one value at a time.
func (l level) lanes() int { return 1 }

// expAsm is never called: lanes is 1, so expRun runs the Go loops.
func expAsm(k expKind, d, x []float32, alpha float32) { panic("vec: no SIMD exp in this build") }
