package vec

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// eachLevel runs f as a subtest with simd set to every level this build
// and CPU run, the Go loops last.
func eachLevel(t *testing.T, f func(t *testing.T)) {
	saved := simd
	defer func() { simd = saved }()
	for _, l := range levels() {
		simd = l
		t.Run(l.String(), f)
	}
}

// sentinel is the bit pattern of the NaN that fills guard bands: a loop
// writing outside its slice would leave another value, NaN or not.
const sentinel = 0x7fc0dead

// bandedSlice returns n values made by gen inside guard bands of
// sentinels, and the whole buffer.
func bandedSlice(n int, gen func() float32) (full, mid []float32) {
	full = make([]float32, n+2*guard)
	for i := range full {
		full[i] = math.Float32frombits(sentinel)
	}
	mid = full[guard : guard+n]
	for i := range mid {
		mid[i] = gen()
	}
	return full, mid
}

// checkBands fails t unless the guard bands of full still hold sentinels
// and its middle n values are want (bit for bit, any NaN matching NaN).
func checkBands(t *testing.T, label string, full []float32, want []float32) {
	t.Helper()
	for i, v := range full {
		off := i - guard
		if off < 0 || off >= len(want) {
			if math.Float32bits(v) != sentinel {
				t.Fatalf("%s: offset %d outside the slice overwritten with %v", label, off, v)
			}
		} else if !sameBits(v, want[off]) {
			t.Fatalf("%s: d[%d] = %v (%#08x), want %v (%#08x)", label, off, v, math.Float32bits(v), want[off], math.Float32bits(want[off]))
		}
	}
}

// sameBits reports whether a and b are the same float32, zeros' signs
// included, or both NaN.
func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
}

// operand returns a generator of test operands from rng: mostly values in
// [-2, 2), a seventh of them NaN when nans is set, and now and then a
// signed zero, an infinity or an integer (so that operands tie).
func operand(rng *rand.Rand, nans bool) func() float32 {
	specials := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), 1, -1, 2}
	return func() float32 {
		switch {
		case nans && rng.IntN(7) == 0:
			return float32(math.NaN())
		case rng.IntN(8) == 0:
			return specials[rng.IntN(len(specials))]
		}
		return rng.Float32()*4 - 2
	}
}

// fma32 is a*b + c rounded once to float32, the result of a fused
// multiply-add. The product is exact in float64; s + e is the exact sum
// (TwoSum), and float32(s) is its correct rounding unless s falls halfway
// between two float32 values, where e decides.
func fma32(a, b, c float32) float32 {
	p, z := float64(a)*float64(b), float64(c)
	s := p + z
	t := s - p
	e := (p - (s - t)) + (z - t)
	r := float32(s)
	if e != 0 && float64(r) != s {
		o := math.Nextafter32(r, float32(math.Copysign(math.Inf(1), s-float64(r))))
		if float64(r)+float64(o) == 2*s && (e > 0) == (o > r) {
			r = o
		}
	}
	return r
}

// TestFMA32 checks fma32 against exact arithmetic in math/big, on random
// operands whose sums cancel, underflow, or fall a hair off a tie after
// float64's rounding made them one.
func TestFMA32(t *testing.T) {
	rng := rand.New(rand.NewPCG(93, 94))
	val := func() float32 {
		m := float32(rng.IntN(1<<24)) * float32(math.Pow(2, float64(rng.IntN(60)-50)))
		if rng.IntN(2) == 0 {
			m = -m
		}
		return m
	}
	for i := range 300000 {
		a, b, c := val(), val(), val()
		switch i % 4 {
		case 1: // the sum is nearly exact: c cancels most of a*b
			c = -float32(float64(a) * float64(b))
		case 2: // subnormal results
			a *= 0x1p-100
			b *= 0x1p-40
			c *= 0x1p-130
		case 3: // a*b = ulp(c)/2 * (1 ± 2^-46): s is c's tie, e decides
			c = float32(rng.IntN(1<<23)+1<<23) * 0x1p-10
			a = (1 + 0x1p-23) * 0x1p-11
			b = 1 - 0x1p-23
			if rng.IntN(2) == 0 {
				b = 1 + 0x1p-23
			}
			if rng.IntN(2) == 0 {
				a = -a
			}
		}
		x := new(big.Float).SetPrec(200).SetFloat64(float64(a))
		x.Mul(x, new(big.Float).SetFloat64(float64(b)))
		x.Add(x, new(big.Float).SetFloat64(float64(c)))
		want, _ := x.Float32()
		if got := fma32(a, b, c); got != want {
			t.Fatalf("fma32(%g, %g, %g) = %g, want %g", a, b, c, got, want)
		}
	}
}
