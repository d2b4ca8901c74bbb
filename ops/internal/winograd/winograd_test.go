package winograd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The transform matrices of F(4x4, 3x3) as the paper gives them.
var (
	bT = [In][In]float64{
		{4, 0, -5, 0, 1, 0},
		{0, -4, -4, 1, 1, 0},
		{0, 4, -4, -1, 1, 0},
		{0, -2, -1, 2, 1, 0},
		{0, 2, -1, -2, 1, 0},
		{0, 4, 0, -5, 0, 1},
	}
	aT = [Out][In]float64{
		{1, 1, 1, 1, 1, 0},
		{0, 1, -1, 2, -2, 0},
		{0, 1, 1, 4, 4, 0},
		{0, 1, -1, 8, -8, 1},
	}
)

// sandwich returns L x Lᵀ for an r x In matrix L and an In x In tile x.
func sandwich(l [][In]float64, x *[In][In]float64) [][]float64 {
	r := len(l)
	out := make([][]float64, r)
	for a := range r {
		out[a] = make([]float64, r)
		for b := range r {
			for i := range In {
				for j := range In {
					out[a][b] += l[a][i] * x[i][j] * l[b][j]
				}
			}
		}
	}
	return out
}

// impl is one implementation of the transforms.
type impl struct {
	gather func(xp []float32, idx *[Lanes]int32, wp int, d, dst []float32, stride int)
	output func(m []float32, stride int, o []float32)
}

// gatherInGo is Gather in Go.
func gatherInGo(xp []float32, idx *[Lanes]int32, wp int, d, dst []float32, stride int) {
	gatherGo(xp, idx, wp, d)
	inputGo(d, dst, stride)
}

// transforms runs f on the Go transforms and on the exported ones (SIMD
// when Vectorized).
func transforms(t *testing.T, f func(t *testing.T, x impl)) {
	t.Run("go", func(t *testing.T) { f(t, impl{gatherInGo, outputGo}) })
	t.Run("exported", func(t *testing.T) { f(t, impl{Gather, Output}) })
}

// TestGather checks Gather against Bᵀ d B computed in float64 for tiles
// at random places of a plane.
func TestGather(t *testing.T) {
	transforms(t, func(t *testing.T, x impl) {
		rng := rand.New(rand.NewPCG(3, 4))
		const wp, rows, stride = 23, 17, Lanes + 5
		xp := make([]float32, wp*rows)
		for i := range xp {
			xp[i] = float32(rng.Float64()*2 - 1)
		}
		var idx [Lanes]int32
		for l := range idx {
			idx[l] = int32(rng.IntN(rows-In+1)*wp + rng.IntN(wp-In+1))
		}
		v := make([]float32, Points*stride)
		x.gather(xp, &idx, wp, make([]float32, Points*Lanes), v, stride)
		for l, o := range idx {
			var tile [In][In]float64
			for i := range In {
				for j := range In {
					tile[i][j] = float64(xp[int(o)+i*wp+j])
				}
			}
			want := sandwich(bT[:], &tile)
			for k := range In {
				for n := range In {
					if got := float64(v[(k*In+n)*stride+l]); math.Abs(got-want[k][n]) > 1e-5*50 {
						t.Fatalf("lane %d: V[%d][%d] = %v, want %v", l, k, n, got, want[k][n])
					}
				}
			}
		}
	})
}

// TestOutput checks Output, for every lane, against the transform
// computed with the matrix in float64.
func TestOutput(t *testing.T) {
	transforms(t, func(t *testing.T, x impl) {
		rng := rand.New(rand.NewPCG(1, 2))
		const stride = 3 * Lanes
		var tiles [Lanes][In][In]float64
		m := make([]float32, Points*stride)
		for l := range Lanes {
			for i := range In {
				for j := range In {
					v := float32(rng.Float64()*2 - 1)
					tiles[l][i][j] = float64(v)
					m[(i*In+j)*stride+l] = v
				}
			}
		}
		o := make([]float32, OutLen)
		x.output(m, stride, o)
		for l := range Lanes {
			want := sandwich(aT[:], &tiles[l])
			for a := range Out {
				for b := range Out {
					if got := float64(o[(l*Out+a)*Out+b]); math.Abs(got-want[a][b]) > 1e-5*100 {
						t.Fatalf("lane %d: Y[%d][%d] = %v, want %v", l, a, b, got, want[a][b])
					}
				}
			}
		}
	})
}

// TestTransformBounds checks that short buffers panic rather than being
// written past their end.
func TestTransformBounds(t *testing.T) {
	for name, f := range map[string]func(){
		"output":   func() { Output(make([]float32, Points*Lanes), Lanes, make([]float32, OutLen-1)) },
		"products": func() { Output(make([]float32, Points*Lanes-1), Lanes, make([]float32, OutLen)) },
		"destination": func() {
			Gather(make([]float32, 64), new([Lanes]int32), In, make([]float32, Points*Lanes), make([]float32, 35*Lanes+15), Lanes)
		},
		"stride": func() {
			Gather(make([]float32, 64), new([Lanes]int32), In, make([]float32, Points*Lanes), make([]float32, Points*Lanes), Lanes-1)
		},
		"tile": func() {
			var idx [Lanes]int32
			idx[3] = 1
			Gather(make([]float32, 5*In+In), &idx, In, make([]float32, Points*Lanes), make([]float32, Points*Lanes), Lanes)
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
