//go:build noasm || !amd64

package winograd

// Vectorized reports whether the transforms run as SIMD assembly.
const Vectorized = false

func output(m []float32, stride int, o []float32) { outputGo(m, stride, o) }

func gather(xp []float32, idx *[Lanes]int32, wp int, d, dst []float32, stride int) {
	gatherGo(xp, idx, wp, d)
	inputGo(d, dst, stride)
}
