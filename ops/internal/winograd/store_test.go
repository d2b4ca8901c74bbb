package winograd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestStore checks Store (in the build's assembly, and storeGo) against
// the definition: every tile count, tiles at scattered places of a plane
// of NaN sentinels that must stay where nothing is written, with and
// without a bias, clips that do and do not cut, NaN and infinite values,
// and tiles skipped.
func TestStore(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const ldy = 37
	inf := float32(math.Inf(1))
	for _, impl := range []struct {
		name string
		f    func([]float32, *[Lanes]int32, int, []float32, int, *[Lanes]float32, float32, float32)
	}{{"build", Store}, {"go", func(y []float32, offs *[Lanes]int32, ldy int, o []float32, n int, bias *[Lanes]float32, lo, hi float32) {
		if bias == nil {
			bias = &noBias
		}
		storeGo(y, offs, ldy, o, n, bias, lo, hi)
	}}} {
		for n := range Lanes + 1 {
			for _, clipCase := range [][2]float32{{-inf, inf}, {0, inf}, {-0.25, 0.5}} {
				var bias *[Lanes]float32
				if n%2 == 1 {
					bias = new([Lanes]float32)
					for l := range bias {
						bias[l] = rng.Float32() - 0.5
					}
				}
				o := make([]float32, Lanes*Out*Out)
				for i := range o {
					o[i] = rng.Float32()*2 - 1
				}
				o[(n*7)%len(o)] = float32(math.NaN())
				o[(n*11+3)%len(o)] = -inf
				y := make([]float32, 40*ldy)
				for i := range y {
					y[i] = float32(math.NaN())
				}
				// Tiles on a grid of 9 x 4, a random cell each, none twice.
				var offs [Lanes]int32
				cells := rng.Perm(36)
				for l := range offs {
					offs[l] = int32(cells[l]/9*(Out+4)*ldy + cells[l]%9*Out)
					if l%5 == 3 {
						offs[l] = -1 // skipped
					}
				}
				impl.f(y, &offs, ldy, o, n, bias, clipCase[0], clipCase[1])
				written := map[int]bool{}
				for l := range n {
					if offs[l] < 0 {
						continue
					}
					var b float32
					if bias != nil {
						b = bias[l]
					}
					for a := range Out {
						for c := range Out {
							i := int(offs[l]) + a*ldy + c
							written[i] = true
							want := clip(o[(l*Out+a)*Out+c]+b, clipCase[0], clipCase[1])
							if got := y[i]; got != want && !(got != got && want != want) {
								t.Fatalf("%s n %d clip %v: tile %d (%d, %d) = %v, want %v", impl.name, n, clipCase, l, a, c, got, want)
							}
						}
					}
				}
				for i, v := range y {
					if !written[i] && v == v {
						t.Fatalf("%s n %d: y[%d] written (%v) outside the tiles", impl.name, n, i, v)
					}
				}
			}
		}
	}
}
