package winograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
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

// eachTransforms runs f on every implementation this CPU runs: the
// assembly ones and Go's.
func eachTransforms(t *testing.T, f func(t *testing.T, x transforms)) {
	for _, x := range append(asmTransforms(), goTransforms) {
		t.Run(x.family, func(t *testing.T) { f(t, x) })
	}
}

// nans returns n NaNs between guard bands of NaN (the whole buffer and
// its middle).
func nans(n int) (full, mid []float32) {
	const guard = 17
	full = make([]float32, n+2*guard)
	for i := range full {
		full[i] = float32(math.NaN())
	}
	return full, full[guard : guard+n]
}

// TestGather checks every Gather against Bᵀ d B computed in float64, for
// tiles at random places of a plane and at its four corners, with NaN
// around the plane (a tile read past its 6x6 window gives NaN) and in the
// destination's gaps between points, which must stay NaN.
func TestGather(t *testing.T) {
	eachTransforms(t, func(t *testing.T, x transforms) {
		rng := rand.New(rand.NewPCG(3, 4))
		const wp, rows, stride = 23, 17, Lanes + 5
		_, xp := nans(wp * rows)
		for i := range xp {
			xp[i] = float32(rng.Float64()*2 - 1)
		}
		for round := range 20 {
			var idx [Lanes]int32
			for l := range idx {
				idx[l] = int32(rng.IntN(rows-In+1)*wp + rng.IntN(wp-In+1))
			}
			if round == 0 {
				idx[0], idx[5], idx[10], idx[Lanes-1] = 0, wp-In, (rows-In)*wp, int32((rows-In)*wp+wp-In)
			}
			vfull, v := nans(Points * stride)
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
						if got := float64(v[(k*In+n)*stride+l]); !(math.Abs(got-want[k][n]) <= 1e-5*50) {
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

// TestOutput checks every Output, for every lane, against the transform
// computed with the matrix in float64, with NaN in the products' gaps
// (which must not be read) and around o (which must not be written).
func TestOutput(t *testing.T) {
	eachTransforms(t, func(t *testing.T, x transforms) {
		rng := rand.New(rand.NewPCG(1, 2))
		const stride = 3 * Lanes
		for range 20 {
			var tiles [Lanes][In][In]float64
			_, m := nans(Points * stride)
			for l := range Lanes {
				for i := range In {
					for j := range In {
						v := float32(rng.Float64()*2 - 1)
						tiles[l][i][j] = float64(v)
						m[(i*In+j)*stride+l] = v
					}
				}
			}
			ofull, o := nans(OutLen)
			x.output(m, stride, o)
			for l := range Lanes {
				want := sandwich(aT[:], &tiles[l])
				for a := range Out {
					for b := range Out {
						if got := float64(o[(l*Out+a)*Out+b]); !(math.Abs(got-want[a][b]) <= 1e-5*100) {
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

// TestPickTransforms checks that the transforms follow the GEMM kernel's
// family, and fall back to Go.
func TestPickTransforms(t *testing.T) {
	for _, x := range asmTransforms() {
		if got := pickTransforms(x.family + " 8x8").family; got != x.family {
			t.Errorf("kernel family %s picked %s transforms", x.family, got)
		}
	}
	for _, k := range []string{"generic 2x2", "generic 4x4", "unknown 1x1"} {
		if got := pickTransforms(k).family; got != "generic" {
			t.Errorf("kernel %s picked %s transforms", k, got)
		}
	}
	if want := pickTransforms(gemm.KernelName()).family; Family() != want {
		t.Errorf("Family() = %s, kernel %s wants %s", Family(), gemm.KernelName(), want)
	}
}

// TestTransformBounds checks that short buffers panic rather than being
// written past their end.
func TestTransformBounds(t *testing.T) {
	panicsEach(t, map[string]func(){
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
	})
}

// BenchmarkTransforms times one Gather and one Output call (Lanes tiles)
// of each implementation.
func BenchmarkTransforms(b *testing.B) {
	const wp, rows, stride = 58, 58, 3 * Lanes
	xp := make([]float32, wp*rows)
	var idx [Lanes]int32
	for l := range idx {
		idx[l] = int32(4 * l)
	}
	d, v, o := make([]float32, Points*Lanes), make([]float32, Points*stride), make([]float32, OutLen)
	for _, x := range append(asmTransforms(), goTransforms) {
		b.Run(x.family+"/gather", func(b *testing.B) {
			for range b.N {
				x.gather(xp, &idx, wp, d, v, stride)
			}
		})
		b.Run(x.family+"/output", func(b *testing.B) {
			for range b.N {
				x.output(v, stride, o)
			}
		})
	}
}

// panicsEach runs each named function and fails the test for each that
// returns instead of panicking.
func panicsEach(t *testing.T, fs map[string]func()) {
	t.Helper()
	for name, f := range fs {
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
