package fmath

import (
	"fmt"
	"math"
	"testing"
)

// ulps is |got - want| in units of the last place of want rounded to float32
// (the spacing of float32 numbers there, at least the smallest normal's).
func ulps(got float32, want float64) float64 {
	w := float32(want)
	if w == 0 || math.Abs(want) < 0x1p-126 {
		return math.Abs(float64(got)-want) / 0x1p-149
	}
	u := math.Nextafter32(float32(math.Abs(float64(w))), float32(math.Inf(1))) - float32(math.Abs(float64(w)))
	return math.Abs(float64(got)-want) / float64(u)
}

// dense is n float32 values spread evenly over [lo, hi], plus their
// neighbours one ulp away at a few places, so rounding boundaries are hit.
func dense(lo, hi float64, n int) []float32 {
	xs := make([]float32, 0, n)
	for i := range n {
		xs = append(xs, float32(lo+(hi-lo)*float64(i)/float64(n-1)))
	}
	return xs
}

// checkULP fails t when fn's results over xs are more than maxULP from
// ref's. A result below the smallest normal float32 may be 0: ARMv7 NEON
// (package vec's exp family on armv7) flushes denormals to zero.
func checkULP(t *testing.T, name string, xs []float32, fn func(d, x []float32), ref func(float64) float64, maxULP float64) {
	t.Helper()
	got := ewMap(xs, fn)
	worst, at := 0.0, float32(0)
	for i, x := range xs {
		want := ref(float64(x))
		if math.IsNaN(want) {
			if !math.IsNaN(float64(got[i])) {
				t.Errorf("%s(%g) = %g, want NaN", name, x, got[i])
			}
			continue
		}
		if math.IsInf(want, 0) {
			if float64(got[i]) != want {
				t.Errorf("%s(%g) = %g, want %g", name, x, got[i], want)
			}
			continue
		}
		if got[i] == 0 && math.Abs(want) < 0x1p-126 {
			continue
		}
		if u := ulps(got[i], want); u > worst {
			worst, at = u, x
		}
	}
	if worst > maxULP {
		t.Errorf("%s: error up to %.2f ulp (at %g), want at most %g", name, worst, at, maxULP)
	}
}

var edges = func() []float32 {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	return []float32{0, float32(math.Copysign(0, -1)), inf, -inf, nan, 1, -1, 0x1p-149, -0x1p-149, 0x1p-126, math.MaxFloat32, -math.MaxFloat32}
}()

func TestLogF32ULP(t *testing.T) {
	xs := append(dense(1e-6, 10, 400001), dense(0.5, 2, 200001)...)
	for x := 1e-44; x < 3e38; x *= 1.37 {
		xs = append(xs, float32(x))
	}
	checkULP(t, "log", append(xs, edges...), Log[float32], math.Log, 1)
}

func TestExpm1F32ULP(t *testing.T) {
	xs := append(dense(-20, 5, 400001), dense(-0.6, 0.6, 200001)...)
	for x := 1e-40; x < 1; x *= 1.3 {
		xs = append(xs, float32(x), float32(-x))
	}
	checkULP(t, "expm1", append(xs, edges...), Expm1[float32], math.Expm1, 3)
}

func TestErfF32ULP(t *testing.T) {
	xs := dense(-5, 5, 1000001)
	for x := 1e-40; x < 1; x *= 1.3 {
		xs = append(xs, float32(x), float32(-x))
	}
	checkULP(t, "erf", append(xs, edges...), Erf[float32], math.Erf, 2)
}

func TestGeluF32ULP(t *testing.T) {
	gelu := func(x float64) float64 {
		if math.IsInf(x, -1) {
			return math.NaN() // -Inf * 0
		}
		return 0.5 * x * math.Erfc(-x/math.Sqrt2)
	}
	xs := dense(-12, 12, 1000001)
	for x := 1e-30; x < 1; x *= 1.3 {
		xs = append(xs, float32(x), float32(-x))
	}
	checkULP(t, "gelu", append(xs, edges[:len(edges)-2]...), Gelu[float32], gelu, 3)
}

func TestSoftplusF32ULP(t *testing.T) {
	softplus := func(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }
	xs := dense(-80, 80, 1000001)
	checkULP(t, "softplus", append(xs, edges...), func(d, x []float32) { ByBlock(d, x, Softplus[float32]) }, softplus, 2)
}

func TestMishF32ULP(t *testing.T) {
	mish := func(x float64) float64 {
		if math.IsInf(x, 1) {
			return x
		}
		sp := math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x)))
		return x * math.Tanh(sp)
	}
	xs := dense(-80, 80, 1000001)
	checkULP(t, "mish", append(xs, edges...), func(d, x []float32) { ByBlock(d, x, Mish[float32]) }, mish, 4)
}

func TestSwishF32ULP(t *testing.T) {
	for _, alpha := range []float32{1, 1.7, -0.5} {
		swish := func(x float64) float64 {
			z := float64(float32(float64(alpha) * x)) // the kernel rounds alpha*x
			switch {
			case math.IsInf(x, 0) && z < 0:
				return math.NaN() // ±Inf * 0
			case z < -87.33654475055310898657:
				return 0 // exp(z) below float32's normal range flushes to 0
			}
			return x / (1 + math.Exp(-z))
		}
		xs := dense(-100, 100, 1000001)
		checkULP(t, fmt.Sprint("swish alpha ", alpha), append(xs, edges...), func(d, x []float32) { Swish(d, x, alpha) }, swish, 4)
	}
}

func TestSwishF64(t *testing.T) {
	xs := []float64{-800, -3, -0.5, 0, 0.5, 3, 800, math.Inf(1)}
	d := make([]float64, len(xs))
	Swish(d, xs, 1.5)
	for i, x := range xs {
		want := x / (1 + math.Exp(-1.5*x))
		if math.Abs(d[i]-want) > 1e-15*math.Abs(want) && d[i] != want {
			t.Errorf("swish(%g) = %g, want %g", x, d[i], want)
		}
	}
}
