package winograd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The transform matrices of F(6x6, 3x3), and its weight transform G.
var (
	bT63 = [In63][In63]float64{
		{1, 0, -21.0 / 4, 0, 21.0 / 4, 0, -1, 0},
		{0, 1, 1, -17.0 / 4, -17.0 / 4, 1, 1, 0},
		{0, -1, 1, 17.0 / 4, -17.0 / 4, -1, 1, 0},
		{0, 0.5, 0.25, -2.5, -1.25, 2, 1, 0},
		{0, -0.5, 0.25, 2.5, -1.25, -2, 1, 0},
		{0, 2, 4, -2.5, -5, 0.5, 1, 0},
		{0, -2, 4, 2.5, -5, -0.5, 1, 0},
		{0, -1, 0, 21.0 / 4, 0, -21.0 / 4, 0, 1},
	}
	aT63 = [Out63][In63]float64{
		{1, 1, 1, 1, 1, 1, 1, 0},
		{0, 1, -1, 2, -2, 0.5, -0.5, 0},
		{0, 1, 1, 4, 4, 0.25, 0.25, 0},
		{0, 1, -1, 8, -8, 0.125, -0.125, 0},
		{0, 1, 1, 16, 16, 1.0 / 16, 1.0 / 16, 0},
		{0, 1, -1, 32, -32, 1.0 / 32, -1.0 / 32, 1},
	}
	g63 = [In63][3]float64{
		{1, 0, 0},
		{-2.0 / 9, -2.0 / 9, -2.0 / 9},
		{-2.0 / 9, 2.0 / 9, -2.0 / 9},
		{1.0 / 90, 1.0 / 45, 2.0 / 45},
		{1.0 / 90, -1.0 / 45, 2.0 / 45},
		{32.0 / 45, 16.0 / 45, 8.0 / 45},
		{32.0 / 45, -16.0 / 45, 8.0 / 45},
		{0, 0, 1},
	}
)

// sandwich63 returns L x Lᵀ for an r x In63 matrix L and an In63 x In63
// tile x.
func sandwich63(l [][In63]float64, x *[In63][In63]float64) [][]float64 {
	r := len(l)
	out := make([][]float64, r)
	for a := range r {
		out[a] = make([]float64, r)
		for b := range r {
			for i := range In63 {
				for j := range In63 {
					out[a][b] += l[a][i] * x[i][j] * l[b][j]
				}
			}
		}
	}
	return out
}

// each63 runs f with every implementation of the F(6x6, 3x3) transforms
// this build has: NEON's (where impl is NEON) and Go's.
func each63(t *testing.T, f func(t *testing.T)) {
	old := impl
	t.Cleanup(func() { impl = old })
	for _, x := range append(asmTransforms(), goTransforms) {
		impl = x
		t.Run(x.family, f)
	}
	impl = old
}

// TestGather63 checks Gather63 against Bᵀ d B computed in float64, for
// tiles at random places of a plane and at its four corners, with NaN
// around the plane and in the destination's gaps, which must stay NaN.
func TestGather63(t *testing.T) {
	each63(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		const wp, rows, stride = 27, 19, Lanes + 7
		_, xp := nans(wp * rows)
		for i := range xp {
			xp[i] = float32(rng.Float64()*2 - 1)
		}
		for round := range 20 {
			var idx [Lanes]int32
			for l := range idx {
				idx[l] = int32(rng.IntN(rows-In63+1)*wp + rng.IntN(wp-In63+1))
			}
			if round == 0 {
				idx[0], idx[5], idx[10], idx[Lanes-1] = 0, wp-In63, (rows-In63)*wp, int32((rows-In63)*wp+wp-In63)
			}
			vfull, v := nans(Points63 * stride)
			Gather63(xp, &idx, wp, make([]float32, Points63*Lanes), v, stride)
			for l, o := range idx {
				var tile [In63][In63]float64
				for i := range In63 {
					for j := range In63 {
						tile[i][j] = float64(xp[int(o)+i*wp+j])
					}
				}
				want := sandwich63(bT63[:], &tile)
				for k := range In63 {
					for n := range In63 {
						if got := float64(v[(k*In63+n)*stride+l]); !(math.Abs(got-want[k][n]) <= 1e-4) {
							t.Fatalf("lane %d: V[%d][%d] = %v, want %v", l, k, n, got, want[k][n])
						}
					}
				}
			}
			for i, f := range vfull {
				if at := i - (len(vfull)-len(v))/2; (at < 0 || at >= len(v) || at%stride >= Lanes) && !math.IsNaN(float64(f)) {
					t.Fatalf("destination float %d, outside the points, written: %v", at, f)
				}
			}
		}
	})
}

// TestOutput63 checks Output63, for every lane, against Aᵀ M A in float64,
// with NaN in the products' gaps (which must not be read) and around o
// (which must not be written).
func TestOutput63(t *testing.T) {
	each63(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		const stride = 2*Lanes + 3
		for range 20 {
			var tiles [Lanes][In63][In63]float64
			_, m := nans(Points63 * stride)
			for l := range Lanes {
				for i := range In63 {
					for j := range In63 {
						v := float32(rng.Float64()*2 - 1)
						tiles[l][i][j] = float64(v)
						m[(i*In63+j)*stride+l] = v
					}
				}
			}
			ofull, o := nans(OutLen63)
			Output63(m, stride, o)
			for l := range Lanes {
				want := sandwich63(aT63[:], &tiles[l])
				for a := range Out63 {
					for b := range Out63 {
						if got := float64(o[(l*Out63+a)*Row63+b]); !(math.Abs(got-want[a][b]) <= 1e-3) {
							t.Fatalf("lane %d: Y[%d][%d] = %v, want %v", l, a, b, got, want[a][b])
						}
					}
				}
			}
			guard := (len(ofull) - len(o)) / 2
			for i, f := range ofull {
				if (i < guard || i >= guard+len(o)) && !math.IsNaN(float64(f)) {
					t.Fatalf("float %d around o written: %v", i-guard, f)
				}
			}
		}
	})
}

// TestConv63 runs one channel's 3x3 correlation through Gather63, the
// transformed weights G g Gᵀ and Output63, and compares the tiles with
// the correlation computed directly: the three matrices agree.
func TestConv63(t *testing.T) {
	each63(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(9, 10))
		const wp, rows = 30, 20
		xp := make([]float32, wp*rows)
		for i := range xp {
			xp[i] = float32(rng.Float64()*2 - 1)
		}
		var g [3][3]float64
		for i := range 3 {
			for j := range 3 {
				g[i][j] = rng.Float64()*2 - 1
			}
		}
		var u [In63][In63]float64 // G g Gᵀ
		for i := range In63 {
			for j := range In63 {
				for a := range 3 {
					for b := range 3 {
						u[i][j] += g63[i][a] * g[a][b] * g63[j][b]
					}
				}
			}
		}
		var idx [Lanes]int32
		for l := range idx {
			idx[l] = int32(rng.IntN(rows-In63+1)*wp + rng.IntN(wp-In63+1))
		}
		v := make([]float32, Points63*Lanes)
		Gather63(xp, &idx, wp, make([]float32, Points63*Lanes), v, Lanes)
		for p := range Points63 {
			for l := range Lanes {
				v[p*Lanes+l] *= float32(u[p/In63][p%In63])
			}
		}
		o := make([]float32, OutLen63)
		Output63(v, Lanes, o)
		for l, at := range idx {
			for a := range Out63 {
				for b := range Out63 {
					var want float64
					for i := range 3 {
						for j := range 3 {
							want += float64(xp[int(at)+(a+i)*wp+b+j]) * g[i][j]
						}
					}
					if got := float64(o[(l*Out63+a)*Row63+b]); !(math.Abs(got-want) <= 1e-4) {
						t.Fatalf("lane %d: y[%d][%d] = %v, want %v", l, a, b, got, want)
					}
				}
			}
		}
	})
}

// TestStore63 checks Store63 against its definition, with tiles skipped,
// a bias, clipping, NaN passing through and NaN guard bands around y.
func TestStore63(t *testing.T) {
	each63(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		const ldy, rows = 41, 30
		for round := range 10 {
			n := 1 + rng.IntN(Lanes)
			o := make([]float32, Lanes*Out63*Row63)
			for i := range o {
				o[i] = float32(rng.Float64()*4 - 2)
			}
			o[3] = float32(math.NaN())
			var offs [Lanes]int32
			var bias [Lanes]float32
			for l := range offs {
				offs[l] = int32(rng.IntN(rows-Out63+1)*ldy + rng.IntN(ldy-Out63+1))
				if rng.IntN(5) == 0 {
					offs[l] = -1
				}
				bias[l] = float32(rng.Float64() - 0.5)
			}
			lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
			if round%2 == 1 {
				lo, hi = -0.5, 1.5
			}
			yfull, y := nans(ldy * rows)
			want := make([]float32, len(y))
			for i := range y {
				y[i] = float32(i)
				want[i] = y[i]
			}
			Store63(y, &offs, ldy, o, n, &bias, lo, hi)
			store63Go(want, &offs, ldy, o, n, &bias, lo, hi)
			for i := range y {
				if g, w := y[i], want[i]; g != w && !(g != g && w != w) {
					t.Fatalf("round %d: y[%d] = %v, want %v", round, i, g, w)
				}
			}
			guard := (len(yfull) - len(y)) / 2
			for i, f := range yfull {
				if (i < guard || i >= guard+len(y)) && !math.IsNaN(float64(f)) {
					t.Fatalf("float %d around y written: %v", i-guard, f)
				}
			}
		}
	})
}

// TestTransform63Bounds checks that short buffers panic rather than being
// written past their end.
func TestTransform63Bounds(t *testing.T) {
	panicsEach(t, map[string]func(){
		"output":   func() { Output63(make([]float32, Points63*Lanes), Lanes, make([]float32, OutLen63-1)) },
		"products": func() { Output63(make([]float32, Points63*Lanes-1), Lanes, make([]float32, OutLen63)) },
		"destination": func() {
			Gather63(make([]float32, 64), new([Lanes]int32), In63, make([]float32, Points63*Lanes), make([]float32, Points63*Lanes-1), Lanes)
		},
		"tile": func() {
			var idx [Lanes]int32
			idx[3] = 1
			Gather63(make([]float32, 64), &idx, In63, make([]float32, Points63*Lanes), make([]float32, Points63*Lanes), Lanes)
		},
		"store": func() {
			var offs [Lanes]int32
			offs[0] = 2
			Store63(make([]float32, 6*8-1), &offs, 8, make([]float32, Lanes*Out63*Row63), 1, nil, 0, 1)
		},
	})
}

// BenchmarkTransforms63 times one Gather63 and one Output63 call (Lanes
// tiles) of each implementation.
func BenchmarkTransforms63(b *testing.B) {
	const wp, rows, stride = 62, 62, 3 * Lanes
	xp := make([]float32, wp*rows)
	var idx [Lanes]int32
	for l := range idx {
		idx[l] = int32(6 * l)
	}
	d, v, o := make([]float32, Points63*Lanes), make([]float32, Points63*stride), make([]float32, OutLen63)
	old := impl
	defer func() { impl = old }()
	for _, x := range append(asmTransforms(), goTransforms) {
		impl = x
		b.Run(x.family+"/gather", func(b *testing.B) {
			for range b.N {
				Gather63(xp, &idx, wp, d, v, stride)
			}
		})
		b.Run(x.family+"/output", func(b *testing.B) {
			for range b.N {
				Output63(v, stride, o)
			}
		})
	}
}
