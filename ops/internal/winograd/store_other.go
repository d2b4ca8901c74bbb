//go:build noasm || !(amd64 || arm64 || arm)

package winograd

// storeAsm is Store in Go: this build has no assembly.
func storeAsm(y []float32, offs *[Lanes]int32, ldy int, o []float32, n int, bias *[Lanes]float32, lo, hi float32) {
	storeGo(y, offs, ldy, o, n, bias, lo, hi)
}
