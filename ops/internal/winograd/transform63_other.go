//go:build noasm || !arm64

package winograd

// F(6x6, 3x3) has NEON transforms only: the other builds run the Go ones.

func gather63Asm(xp []float32, idx *[Lanes]int32, wp int, d, dst []float32, stride int) bool {
	return false
}

func output63Asm(m []float32, stride int, o []float32) bool { return false }

func store63Asm(y []float32, offs *[Lanes]int32, ldy int, o []float32, n int, bias *[Lanes]float32, lo, hi float32) bool {
	return false
}
