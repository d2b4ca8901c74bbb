package vec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// The fused references: exp.go's Go loops on one value with every
// multiply-add the SIMD loops fuse written as fma32, and every product
// that is not fused passed to a function (rounded: the compiler may not
// fuse it).

func expRef(x float32) float32 {
	switch {
	case x != x:
		return x
	case x > hiX:
		return float32(math.Inf(1))
	case x < loX:
		return 0
	}
	t := fma32(x, log2e, magic)
	fn := t - magic
	n := int32(math.Float32bits(t)) - 0x4B400000
	r := fma32(-fn, ln2Hi, x)
	r = fma32(-fn, ln2Lo, r)
	p := fma32(1.9875691500e-4, r, 1.3981999507e-3)
	p = fma32(p, r, 8.3334519073e-3)
	p = fma32(p, r, 4.1665795894e-2)
	p = fma32(p, r, 1.6666665459e-1)
	p = fma32(p, r, 5.0000001201e-1)
	y := fma32(mul32(p, r), r, r) + 1
	if n > 127 {
		y *= 2
		n--
	}
	return mul32(y, math.Float32frombits(uint32(n+127)<<23))
}

// mul32 is a*b, rounded.
func mul32(a, b float32) float32 { return a * b }

func sigmoidRef(x float32) float32 {
	e := expRef(-abs(x))
	r := 1 / (1 + e)
	if x < 0 {
		r = mul32(r, e)
	}
	return r
}

func tanhRef(x float32) float32 {
	if abs(x) > 0.625 {
		e := expRef(2 * min(abs(x), 10))
		r := 1 - 2/(e+1)
		if x < 0 {
			r = -r
		}
		return r
	}
	s := mul32(x, x)
	p := fma32(-5.70498872745e-3, s, 2.06390887954e-2)
	p = fma32(p, s, -5.37397155531e-2)
	p = fma32(p, s, 1.33314422036e-1)
	p = fma32(p, s, -3.33332819422e-1)
	return fma32(mul32(x, s), p, x)
}

func swishRef(x, alpha float32) float32 { return mul32(x, sigmoidRef(mul32(x, alpha))) }

// expCases are the family's functions, run and referenced with alpha 1.7
// for Swish; maxULP bounds the Go loops' distance from the references
// where they round products separately.
var expCases = []struct {
	name   string
	run    func(d, x []float32)
	ref    func(x float32) float32
	maxULP int
}{
	{"exp", Exp, expRef, 1},
	{"sigmoid", Sigmoid, sigmoidRef, 2},
	{"tanh", Tanh, tanhRef, 1},
	{"swish", func(d, x []float32) { Swish(d, x, 1.7) }, func(x float32) float32 { return swishRef(x, 1.7) }, 2},
}

// expInputs is a dense sweep of [-100, 100], random bit patterns (every
// exponent, NaNs and infinities among them), and the edges of exp's
// range and of tanh's branches with their neighbours.
func expInputs() []float32 {
	var xs []float32
	for x := -100.0; x <= 100; x += 0.00071 {
		xs = append(xs, float32(x))
	}
	rng := rand.New(rand.NewPCG(99, 100))
	for range 100000 {
		xs = append(xs, math.Float32frombits(rng.Uint32()))
	}
	inf := float32(math.Inf(1))
	for _, x := range []float32{0, hiX, loX, 88.3762626647949, -88.3762626647949, 0.625, 10, 20, 1e-30, 87.33654475055310898657} {
		for _, v := range []float32{x, -x} {
			xs = append(xs, v, math.Nextafter32(v, inf), math.Nextafter32(v, -inf))
		}
	}
	return append(xs, inf, -inf, float32(math.NaN()), math.Float32frombits(0xffc00001), math.MaxFloat32, -math.MaxFloat32)
}

// flushed is v with a denormal flushed to zero of its sign, as ARMv7
// NEON arithmetic flushes its operands and results.
func flushed(v float32) float32 {
	if b := math.Float32bits(v); b&0x7f800000 == 0 {
		return math.Float32frombits(b & 0x80000000)
	}
	return v
}

// ulpDistance is how many float32 values lie from a to b (both finite,
// or equal).
func ulpDistance(a, b float32) int {
	key := func(v float32) int64 { // monotonic in v
		u := int64(math.Float32bits(v))
		if u >= 1<<31 {
			return 1<<31 - u
		}
		return u
	}
	d := key(a) - key(b)
	return int(max(d, -d))
}

// TestExpFamily checks every function of the family at every level
// against its fused reference over expInputs: bit for bit in SIMD, and in
// Go on arm64, whose compiler fuses those multiply-adds too; elsewhere
// the Go loops round each product and stay within maxULP. armv7's NEON
// loops round each product too, and must give the Go loops' results bit
// for bit, or them flushed to zero where they are denormal (tanh stays
// Go there and flushes nothing).
func TestExpFamily(t *testing.T) {
	xs := expInputs()
	got := make([]float32, len(xs))
	goGot := make([]float32, len(xs))
	eachLevel(t, func(t *testing.T) {
		armv7 := simd == levelNEON && runtime.GOARCH == "arm"
		exact := simd != levelGo && !armv7 || runtime.GOARCH == "arm64"
		for _, c := range expCases {
			c.run(got, xs)
			if armv7 {
				simd = levelGo
				c.run(goGot, xs)
				simd = levelNEON
				for i, x := range xs {
					if want := goGot[i]; !sameBits(got[i], want) && !sameBits(got[i], flushed(want)) {
						t.Fatalf("%s(%g) = %g (%#08x), want the Go loops' %g (%#08x) or it flushed", c.name, x, got[i], math.Float32bits(got[i]), want, math.Float32bits(want))
					}
				}
			}
			worst, at := 0, float32(0)
			for i, x := range xs {
				want := c.ref(x)
				if sameBits(got[i], want) || armv7 && flushed(want) != want {
					continue
				}
				if exact || want != want || got[i] != got[i] {
					t.Fatalf("%s(%g) = %g (%#08x), want %g (%#08x)", c.name, x, got[i], math.Float32bits(got[i]), want, math.Float32bits(want))
				}
				if u := ulpDistance(got[i], want); u > worst {
					worst, at = u, x
				}
			}
			if worst > c.maxULP {
				t.Errorf("%s: %d ulp from the fused reference at %g, want at most %d", c.name, worst, at, c.maxULP)
			}
		}
	})
}

// TestExpFamilyBands checks every function at every level for every
// length up to 70, NaN inputs included, with guard bands around d and in
// place: a value's result is the one it has alone, wherever it sits.
func TestExpFamilyBands(t *testing.T) {
	eachLevel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(101, 102))
		gen := func() float32 {
			if rng.IntN(7) == 0 {
				return float32(math.NaN())
			}
			return rng.Float32()*200 - 100
		}
		for _, c := range expCases {
			for n := range 71 {
				fx, x := bandedSlice(n, gen)
				want := make([]float32, n)
				for i := range x {
					c.run(want[i:i+1], x[i:i+1])
				}
				full, d := bandedSlice(n, gen)
				c.run(d, x)
				checkBands(t, fmt.Sprintf("%s n %d", c.name, n), full, want)
				c.run(x, x)
				checkBands(t, fmt.Sprintf("%s n %d in place", c.name, n), fx, want)
			}
		}
	})
}

// TestExpAccuracy checks that the fused exp is within 1.02 ulp of
// math.Exp (relative error below 8.5e-8; a dense sweep of 17.6M arguments
// finds 19 beyond 1 ulp, the worst 1.0152 ulp, where the Go loops rounding
// each product stay within 0.992 ulp) and gives exactly 0 and +Inf where
// it must.
func TestExpAccuracy(t *testing.T) {
	worst, at := 0.0, float32(0)
	for x := -87.3; x <= 88.7; x += 0.0001 {
		v := float32(x)
		want := math.Exp(float64(v))
		ulp := float64(math.Nextafter32(float32(want), float32(math.Inf(1))) - float32(want))
		if e := math.Abs(float64(expRef(v))-want) / ulp; e > worst {
			worst, at = e, v
		}
	}
	if worst > 1.02 {
		t.Errorf("exp: %.4f ulp from math.Exp at %g, want at most 1.02", worst, at)
	}
	inf := float32(math.Inf(1))
	for _, c := range []struct{ x, want float32 }{{-inf, 0}, {-88, 0}, {89, inf}, {inf, inf}, {0, 1}} {
		if got := expRef(c.x); got != c.want {
			t.Errorf("exp(%g) = %g, want %g", c.x, got, c.want)
		}
	}
}

// BenchmarkExp and BenchmarkSigmoid run on 64K values of [-8, 8].
func BenchmarkExp(b *testing.B)     { benchExp(b, Exp) }
func BenchmarkSigmoid(b *testing.B) { benchExp(b, Sigmoid) }
func BenchmarkTanh(b *testing.B)    { benchExp(b, Tanh) }

func benchExp(b *testing.B, f func(d, x []float32)) {
	x, d := make([]float32, 1<<16), make([]float32, 1<<16)
	for i := range x {
		x[i] = float32(i%17) - 8
	}
	benchLevels(b, func(b *testing.B) {
		b.SetBytes(int64(8 * len(d)))
		for b.Loop() {
			f(d, x)
		}
	})
}
