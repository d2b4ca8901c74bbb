package fmath

import (
	"math"
	"testing"
)

// ewMap applies a slice kernel to xs in Block pieces and returns the results.
func ewMap(xs []float32, fn func(d, x []float32)) []float32 {
	d := make([]float32, len(xs))
	ByBlock(d, xs, fn)
	return d
}

func TestExpF32Accuracy(t *testing.T) {
	var xs []float32
	for x := -87.3; x <= 88.7; x += 0.000731 {
		xs = append(xs, float32(x))
	}
	worst := 0.0
	for i, got := range ewMap(xs, Exp[float32]) {
		want := math.Exp(float64(xs[i]))
		worst = max(worst, math.Abs(float64(got)-want)/want)
	}
	if worst > 1.2e-7 { // 1 ulp of float32
		t.Errorf("exp float32 relative error up to %g", worst)
	}
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	edges := []float32{0, -1000, 1000, -inf, inf, 89, 88.7, nan}
	got := ewMap(edges, Exp[float32])
	want := []float32{1, 0, inf, 0, inf, inf, float32(math.Exp(float64(float32(88.7)))), nan}
	for i := range edges {
		if got[i] != want[i] && !(got[i] != got[i] && want[i] != want[i]) && math.Abs(float64(got[i]-want[i])) > 1.2e-7*float64(want[i]) {
			t.Errorf("exp(%g) = %g, want %g", edges[i], got[i], want[i])
		}
	}
}

func TestTanhF32Accuracy(t *testing.T) {
	var xs []float32
	for x := -12.0; x <= 12; x += 0.000377 {
		xs = append(xs, float32(x))
	}
	for x := 1e-30; x < 1; x *= 1.5 {
		xs = append(xs, float32(x), float32(-x))
	}
	xs = append(xs, 0)
	worst := 0.0
	for i, got := range ewMap(xs, TanhBlock[float32]) {
		want := math.Tanh(float64(xs[i]))
		if want == 0 {
			if got != 0 {
				t.Errorf("tanh(%g) = %g", xs[i], got)
			}
			continue
		}
		worst = max(worst, math.Abs(float64(got)-want)/math.Abs(want))
	}
	if worst > 2.4e-7 { // 2 ulp of float32
		t.Errorf("tanh float32 relative error up to %g", worst)
	}
}

func TestSigmoidF32Accuracy(t *testing.T) {
	var xs []float32
	for x := -100.0; x <= 100; x += 0.00177 {
		xs = append(xs, float32(x))
	}
	worst := 0.0
	for i, got := range ewMap(xs, SigmoidBlock[float32]) {
		want := 1 / (1 + math.Exp(-float64(xs[i])))
		if want < 1.2e-38 { // below float32's normal range exp flushes to 0
			if got != 0 && math.Abs(float64(got)-want) > 1.2e-38 {
				t.Errorf("sigmoid(%g) = %g, want %g", xs[i], got, want)
			}
			continue
		}
		worst = max(worst, math.Abs(float64(got)-want)/want)
	}
	if worst > 3.6e-7 { // 3 ulp of float32
		t.Errorf("sigmoid float32 relative error up to %g", worst)
	}
}
