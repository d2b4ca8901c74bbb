package vec

import (
	"math"
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
