//go:build noasm || !(amd64 || arm64)

package vec

// maxAsm computes Max in Go: this build has no assembly.
func maxAsm(dst, src []float32) int { return maxGo(dst, src) }
