//go:build noasm || !(amd64 || arm64 || arm)

package winograd

// asmTransforms returns no transforms: this build has no assembly.
func asmTransforms() []transforms { return nil }

func (t transforms) gather(xp []float32, idx *[Lanes]int32, wp int, d, dst []float32, stride int) {
	gatherTilesGo(xp, idx, wp, d, dst, stride)
}

func (t transforms) output(m []float32, stride int, o []float32) { outputGo(m, stride, o) }
