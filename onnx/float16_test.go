package onnx

import (
	"math"
	"math/rand/v2"
	"testing"
)

// f16Ref is the value of a half-precision pattern by the IEEE 754 formula.
func f16Ref(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	mant := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(mant, -24)
	case 0x1f:
		if mant != 0 {
			return math.NaN()
		}
		return sign * math.Inf(1)
	}
	return sign * math.Ldexp(1+mant/1024, exp-15)
}

func TestF16ToF32Exhaustive(t *testing.T) {
	for i := range 1 << 16 {
		h := uint16(i)
		got, want := F16ToF32(h), f16Ref(h)
		if math.IsNaN(want) {
			if !math.IsNaN(float64(got)) || math.Float32bits(got)&0x1fff != 0 || F32ToF16(got)&0x3ff == 0 {
				t.Errorf("F16ToF32(%#04x) = %#08x, want a NaN keeping the payload", h, math.Float32bits(got))
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != (h&0x8000 != 0) {
			t.Fatalf("F16ToF32(%#04x) = %v, want %v", h, got, want)
		}
		if back := F32ToF16(got); back != h {
			t.Fatalf("F32ToF16(F16ToF32(%#04x)) = %#04x", h, back)
		}
	}
}

// TestF32ToF16Rounding checks every midpoint between neighbouring half
// values (ties go to the even pattern) and the float32 values just around it.
func TestF32ToF16Rounding(t *testing.T) {
	for i := range 0x7c00 { // positive finite halves; 0x7bff's upper neighbour is +inf
		for _, sign := range []uint16{0, 0x8000} {
			lo, hi := uint16(i)|sign, uint16(i+1)|sign
			mid := float32((f16Ref(lo) + f16Ref(hi)) / 2) // exact: 12 significant bits
			if i == 0x7bff {
				mid = float32(math.Copysign(65520, f16Ref(lo))) // rounds to inf
			}
			even := lo
			if hi&1 == 0 {
				even = hi
			}
			if got := F32ToF16(mid); got != even {
				t.Fatalf("F32ToF16(%v) = %#04x, want %#04x (tie to even)", mid, got, even)
			}
			toZero := math.Nextafter32(mid, 0)
			away := math.Nextafter32(mid, float32(math.Copysign(math.Inf(1), float64(mid))))
			if got := F32ToF16(toZero); got != lo {
				t.Fatalf("F32ToF16(%v) = %#04x, want %#04x", toZero, got, lo)
			}
			if got := F32ToF16(away); got != hi {
				t.Fatalf("F32ToF16(%v) = %#04x, want %#04x", away, got, hi)
			}
		}
	}
	specials := map[float32]uint16{
		float32(math.Inf(1)): 0x7c00, float32(math.Inf(-1)): 0xfc00, 1e10: 0x7c00, -1e10: 0xfc00,
		math.SmallestNonzeroFloat32: 0, -math.SmallestNonzeroFloat32: 0x8000, 1e-8: 0, 3e-8: 1, 65504: 0x7bff,
	}
	for f, want := range specials {
		if got := F32ToF16(f); got != want {
			t.Errorf("F32ToF16(%v) = %#04x, want %#04x", f, got, want)
		}
	}
	if h := F32ToF16(float32(math.NaN())); h&0x7c00 != 0x7c00 || h&0x3ff == 0 {
		t.Errorf("F32ToF16(NaN) = %#04x", h)
	}
	// A signalling NaN whose payload lies only in the low bits stays a NaN.
	if h := F32ToF16(math.Float32frombits(0x7f800001)); h&0x3ff == 0 {
		t.Errorf("F32ToF16(sNaN) = %#04x, not a NaN", h)
	}
}

// TestF32ToF16Nearest compares random float32 values with the nearest half
// found by search over all finite halves.
func TestF32ToF16Nearest(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		// Exponents around the half range: 2^-30 .. 2^17.
		f := float32(math.Ldexp(1+rng.Float64(), rng.IntN(48)-30))
		if rng.IntN(2) == 0 {
			f = -f
		}
		got := F32ToF16(f)
		// Binary search the positive halves (ordered like their patterns).
		a := math.Abs(float64(f))
		lo, hi := 0, 0x7bff
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if f16Ref(uint16(mid)) <= a {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		want := uint16(lo)
		if lo < 0x7bff {
			dlo, dhi := a-f16Ref(uint16(lo)), f16Ref(uint16(lo+1))-a
			if dhi < dlo || (dhi == dlo && lo&1 == 1) {
				want = uint16(lo + 1)
			}
		} else if a >= 65520 {
			want = 0x7c00
		}
		if f < 0 {
			want |= 0x8000
		}
		if got != want {
			t.Fatalf("F32ToF16(%v) = %#04x, want %#04x", f, got, want)
		}
	}
}

func TestBF16(t *testing.T) {
	for i := range 1 << 16 {
		b := uint16(i)
		f := BF16ToF32(b)
		if math.Float32bits(f) != uint32(b)<<16 {
			t.Fatalf("BF16ToF32(%#04x) = %#08x", b, math.Float32bits(f))
		}
		if math.IsNaN(float64(f)) {
			if !math.IsNaN(float64(BF16ToF32(F32ToBF16(f)))) {
				t.Fatalf("NaN %#04x not kept", b)
			}
			continue
		}
		if back := F32ToBF16(f); back != b {
			t.Fatalf("F32ToBF16(BF16ToF32(%#04x)) = %#04x", b, back)
		}
		// The midpoint to the next pattern ties to even; either side rounds to the nearer one.
		if b&0x7fff >= 0x7f7f {
			continue // next pattern is inf or NaN
		}
		mid := uint32(b)<<16 | 0x8000
		even := b
		if b&1 == 1 {
			even = b + 1
		}
		if got := F32ToBF16(math.Float32frombits(mid)); got != even {
			t.Fatalf("F32ToBF16(%#08x) = %#04x, want %#04x", mid, got, even)
		}
		if got := F32ToBF16(math.Float32frombits(mid - 1)); got != b {
			t.Fatalf("F32ToBF16(%#08x) = %#04x, want %#04x", mid-1, got, b)
		}
		if got := F32ToBF16(math.Float32frombits(mid + 1)); got != b+1 {
			t.Fatalf("F32ToBF16(%#08x) = %#04x, want %#04x", mid+1, got, b+1)
		}
	}
	if got := F32ToBF16(math.MaxFloat32); got != 0x7f80 {
		t.Errorf("F32ToBF16(MaxFloat32) = %#04x, want +inf", got)
	}
	if got := F32ToBF16(math.Float32frombits(0x7f800001)); got&0x7f == 0 {
		t.Errorf("F32ToBF16(sNaN) = %#04x, not a NaN", got)
	}
}
