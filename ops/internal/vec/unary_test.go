package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refUnary is the definition of activation k with parameters a and b on
// one value: the comparisons are false for NaN, so NaN passes, and so
// does -0 (not below 0); products are rounded before sums.
func refUnary(k unary, x, a, b float32) float32 {
	clamp := func(v, lo, hi float32) float32 {
		if v < lo {
			v = lo
		}
		if v > hi {
			v = hi
		}
		return v
	}
	switch k {
	case unRelu:
		return clamp(x, 0, float32(math.Inf(1)))
	case unClip:
		return clamp(x, a, b)
	case unLeakyRelu:
		if x < 0 {
			return a * x
		}
		return x
	case unHardSigmoid:
		return clamp(float32(a*x)+b, 0, 1)
	}
	return x * clamp(float32(a*x)+b, 0, 1)
}

// TestUnary checks the activations at every level against refUnary for
// every length up to 70, with NaN, infinite and zero inputs, guard bands
// around d, and in place; Clip with a NaN bound and with min > max too.
func TestUnary(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	eachLevel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(97, 98))
		for _, c := range []struct {
			k    unary
			a, b float32
			run  func(d, x []float32)
		}{
			{unRelu, 0, 0, Relu},
			{unClip, -0.5, 0.75, func(d, x []float32) { Clip(d, x, -0.5, 0.75) }},
			{unClip, 0, inf, func(d, x []float32) { Clip(d, x, 0, inf) }},
			{unClip, 1, -1, func(d, x []float32) { Clip(d, x, 1, -1) }},
			{unClip, nan, 0.5, func(d, x []float32) { Clip(d, x, nan, 0.5) }},
			{unClip, -0.5, nan, func(d, x []float32) { Clip(d, x, -0.5, nan) }},
			{unLeakyRelu, 0.01, 0, func(d, x []float32) { LeakyRelu(d, x, 0.01) }},
			{unLeakyRelu, -1.5, 0, func(d, x []float32) { LeakyRelu(d, x, -1.5) }},
			{unHardSigmoid, 0.2, 0.5, func(d, x []float32) { HardSigmoid(d, x, 0.2, 0.5) }},
			{unHardSigmoid, 0.7, -0.1, func(d, x []float32) { HardSigmoid(d, x, 0.7, -0.1) }},
			{unHardSwish, 1.0 / 6, 0.5, HardSwish},
		} {
			for n := range 71 {
				for _, nans := range []bool{false, true} {
					gen := operand(rng, nans)
					fx, x := bandedSlice(n, gen)
					want := make([]float32, n)
					for i, v := range x {
						want[i] = refUnary(c.k, v, c.a, c.b)
					}
					label := fmt.Sprintf("kind %d (%g, %g) n %d", c.k, c.a, c.b, n)
					full, d := bandedSlice(n, gen)
					c.run(d, x)
					checkBands(t, label, full, want)
					c.run(x, x)
					checkBands(t, label+" in place", fx, want)
				}
			}
		}
	})
}

// BenchmarkRelu applies Relu to 64K values.
func BenchmarkRelu(b *testing.B) {
	x, d := make([]float32, 1<<16), make([]float32, 1<<16)
	for i := range x {
		x[i] = float32(i%17) - 8
	}
	benchLevels(b, func(b *testing.B) {
		b.SetBytes(int64(8 * len(d)))
		for b.Loop() {
			Relu(d, x)
		}
	})
}
