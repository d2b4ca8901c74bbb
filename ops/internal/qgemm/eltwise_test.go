package qgemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// refQuantize is QuantizeLinear's value for x: the quotient in float32,
// rounded half to even, plus zp, saturated (NaN to the low end).
func refQuantize(x, scale float32, zp int32, signed bool) byte {
	lo, hi := outRange(signed)
	v := math.RoundToEven(float64(x/scale)) + float64(zp)
	if !(v >= float64(lo)) {
		v = float64(lo)
	}
	return byte(int32(min(v, float64(hi))))
}

// eachSIMD runs f as a subtest with each instruction set the element-wise
// loops of this CPU have (AVX-512 and AVX2 on x86).
func eachSIMD(t *testing.T, f func(t *testing.T)) {
	for _, avx512 := range []bool{true, false} {
		old := setAVX512(avx512)
		t.Run(fmt.Sprintf("avx512-%v", avx512), f)
		setAVX512(old)
	}
}

// TestQuantize checks Quantize's prefix against refQuantize for every
// length up to 70, both signednesses, ties, infinities and NaN, with
// guard bands around the output.
func TestQuantize(t *testing.T) { eachSIMD(t, checkQuantize) }

// checkQuantize is TestQuantize with one instruction set.
func checkQuantize(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	specials := []float32{0.5, 1.5, 2.5, -0.5, -1.5, 1e30, -1e30, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 127.5, 128.5, -128.5}
	for n := range 71 {
		for _, signed := range []bool{false, true} {
			src := make([]float32, n)
			for i := range src {
				src[i] = float32(rng.NormFloat64() * 3)
				if rng.IntN(5) == 0 {
					src[i] = specials[rng.IntN(len(specials))]
				}
			}
			scale := []float32{1, 0.02, 3}[n%3]
			zp := int32(rng.IntN(256))
			if signed {
				zp -= 128
			}
			full, dst := banded(n)
			done := Quantize(dst, src, scale, zp, signed)
			for i := range done {
				if want := refQuantize(src[i], scale, zp, signed); dst[i] != want {
					t.Fatalf("n %d signed %v: %v/%v+%d gives %d, want %d", n, signed, src[i], scale, zp, dst[i], want)
				}
			}
			label := fmt.Sprintf("Quantize n %d", n)
			checkSentinels(t, label, full[:guardBytes])
			checkSentinels(t, label, full[guardBytes+done:])
		}
	}
}

// operandBytes returns n random 8-bit operands, a quarter of them the
// extremes of uint8 and int8 (0, 0x7f, 0x80, 0xff).
func operandBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.IntN(256))
		if rng.IntN(4) == 0 {
			b[i] = []byte{0, 0x7f, 0x80, 0xff}[rng.IntN(4)]
		}
	}
	return b
}

// TestAddScaled checks AddScaled's prefix against fused multiply-adds in
// float64 for every length up to 70, with and without b, both
// signednesses, extreme operands and ratios, with guard bands.
func TestAddScaled(t *testing.T) { eachSIMD(t, checkAddScaled) }

// checkAddScaled is TestAddScaled with one instruction set.
func checkAddScaled(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for n := range 71 {
		for _, signed := range []bool{false, true} {
			for _, withB := range []bool{false, true} {
				a, b := operandBytes(rng, n), operandBytes(rng, n)
				if !withB {
					b = nil
				}
				ra, rb, c := float32(rng.Float64()*3), float32(rng.Float64()*3), float32(rng.NormFloat64()*100)
				full, dst := banded(n)
				done := AddScaled(dst, a, b, ra, rb, c, signed)
				if neonAddScaled && done != n&^15 {
					t.Fatalf("n %d: the NEON loop computed %d values, want %d", n, done, n&^15)
				}
				lo, hi := outRange(signed)
				for i := range done {
					t1 := float64(c)
					if b != nil {
						t1 = float64(float32(math.FMA(float64(value(b[i], signed)), float64(rb), float64(c))))
					}
					v := math.RoundToEven(float64(float32(math.FMA(float64(value(a[i], signed)), float64(ra), t1))))
					want := byte(int32(max(float64(lo), min(float64(hi), v))))
					if dst[i] != want {
						t.Fatalf("n %d signed %v b %v: element %d is %d, want %d", n, signed, withB, i, dst[i], want)
					}
				}
				label := fmt.Sprintf("AddScaled n %d", n)
				checkSentinels(t, label, full[:guardBytes])
				checkSentinels(t, label, full[guardBytes+done:])
			}
		}
	}
}

// TestMulScaled checks MulScaled's prefix against the integer product
// scaled and offset in float32 for every length up to 70, with b full and
// broadcast, both signednesses, extreme operands and zero points, with
// guard bands.
func TestMulScaled(t *testing.T) { eachSIMD(t, checkMulScaled) }

// checkMulScaled is TestMulScaled with one instruction set.
func checkMulScaled(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	for n := range 71 {
		for _, signed := range []bool{false, true} {
			for _, bcast := range []bool{false, true} {
				a, b := operandBytes(rng, n), operandBytes(rng, n)
				if bcast {
					b = operandBytes(rng, 1)
				}
				za, zb := value(byte(rng.IntN(256)), signed), value(byte(rng.IntN(256)), signed)
				r, c := float32(rng.Float64()*0.05), float32(rng.NormFloat64()*100)
				full, dst := banded(n)
				done := MulScaled(dst, a, b, za, zb, r, c, signed)
				if neonEltwise && done != n&^15 {
					t.Fatalf("n %d: the NEON loop computed %d values, want %d", n, done, n&^15)
				}
				lo, hi := outRange(signed)
				for i := range done {
					bi := b[0]
					if !bcast {
						bi = b[i]
					}
					prod := (value(a[i], signed) - za) * (value(bi, signed) - zb)
					v := math.RoundToEven(float64(float32(float32(prod)*r) + c))
					want := byte(int32(max(float64(lo), min(float64(hi), v))))
					if dst[i] != want {
						t.Fatalf("n %d signed %v broadcast %v: element %d is %d, want %d", n, signed, bcast, i, dst[i], want)
					}
				}
				label := fmt.Sprintf("MulScaled n %d", n)
				checkSentinels(t, label, full[:guardBytes])
				checkSentinels(t, label, full[guardBytes+done:])
			}
		}
	}
}

// TestLookup checks Lookup against indexing for every length up to 150
// and every byte value, with guard bands.
func TestLookup(t *testing.T) { eachSIMD(t, checkLookup) }

// checkLookup is TestLookup with one instruction set.
func checkLookup(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	var table [256]byte
	for i := range table {
		table[i] = byte(rng.IntN(256))
	}
	for n := range 151 {
		src := make([]byte, n)
		for i := range src {
			src[i] = byte(rng.IntN(256))
			if n == 150 {
				src[i] = byte(i) // with n 106 below, every value
			}
		}
		if n == 106 {
			for i := range src {
				src[i] = byte(150 + i)
			}
		}
		full, dst := banded(n)
		if done := lookupAsm(dst, src, &table); neonEltwise && done != n&^15 {
			t.Fatalf("n %d: the NEON loop computed %d values, want %d", n, done, n&^15)
		}
		Lookup(dst, src, &table)
		for i, v := range src {
			if dst[i] != table[v] {
				t.Fatalf("n %d: element %d (%d) is %d, want %d", n, i, v, dst[i], table[v])
			}
		}
		label := fmt.Sprintf("Lookup n %d", n)
		checkSentinels(t, label, full[:guardBytes])
		checkSentinels(t, label, full[guardBytes+n:])
	}
}

// TestMax3S2Bytes checks Max3S2Bytes against Go's max for every output
// length up to 100, both signednesses, with guard bands, and src exactly
// as long as the windows need.
func TestMax3S2Bytes(t *testing.T) { eachSIMD(t, checkMax3S2Bytes) }

// checkMax3S2Bytes is TestMax3S2Bytes with one instruction set.
func checkMax3S2Bytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for n := range 101 {
		for _, signed := range []bool{false, true} {
			src := make([]byte, 2*n+1)
			for i := range src {
				src[i] = byte(rng.IntN(256))
			}
			full, dst := banded(n)
			Max3S2Bytes(dst, src, signed)
			for i := range dst {
				want := max(src[2*i], src[2*i+1], src[2*i+2])
				if signed {
					want = byte(max(int8(src[2*i]), int8(src[2*i+1]), int8(src[2*i+2])))
				}
				if dst[i] != want {
					t.Fatalf("n %d signed %v: element %d is %d, want %d", n, signed, i, dst[i], want)
				}
			}
			label := fmt.Sprintf("Max3S2Bytes n %d", n)
			checkSentinels(t, label, full[:guardBytes])
			checkSentinels(t, label, full[guardBytes+n:])
		}
	}
}

// TestMaxBytes checks MaxBytes against Go's max for every length up to
// 150, both signednesses, and in place with src one to three bytes ahead.
func TestMaxBytes(t *testing.T) { eachSIMD(t, checkMaxBytes) }

// checkMaxBytes is TestMaxBytes with one instruction set.
func checkMaxBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for n := range 151 {
		for _, signed := range []bool{false, true} {
			for shift := range 4 {
				buf := make([]byte, n+shift)
				for i := range buf {
					buf[i] = byte(rng.IntN(256))
				}
				full, dst := banded(n)
				copy(dst, buf)
				src := buf[shift:]
				if shift > 0 { // overlapping: src runs ahead within dst's buffer
					full, dst = banded(n + shift)
					copy(dst, buf)
					src, dst = dst[shift:], dst[:n]
				}
				want := make([]byte, n)
				for i := range want {
					a, b := buf[i], buf[i+shift]
					if signed {
						want[i] = byte(max(int8(a), int8(b)))
					} else {
						want[i] = max(a, b)
					}
				}
				MaxBytes(dst, src, signed)
				if string(dst) != string(want) {
					t.Fatalf("n %d signed %v shift %d: got %v, want %v", n, signed, shift, dst, want)
				}
				checkSentinels(t, "MaxBytes", full[:guardBytes])
				checkSentinels(t, "MaxBytes", full[len(full)-guardBytes:])
			}
		}
	}
}

// TestSumBytes checks SumBytes against a plain sum for every length up to
// 2100 (past the 16-bit lanes' 128 words), both signednesses, on random
// and on extreme bytes, and that the NEON loop sums every whole 16 bytes.
func TestSumBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	for n := range 2100 {
		for _, signed := range []bool{false, true} {
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(rng.IntN(256))
				if n%3 == 0 {
					b[i] = []byte{0, 0x7f, 0x80, 0xff}[n/3%4]
				}
			}
			var want int32
			for _, v := range b {
				if signed {
					want += int32(int8(v))
				} else {
					want += int32(v)
				}
			}
			flip := byte(0)
			if signed {
				flip = 0x80
			}
			if done, _ := sumBytesAsm(b, flip); neonSumBytes && done != n&^15 {
				t.Fatalf("n %d: the NEON loop summed %d bytes, want %d", n, done, n&^15)
			}
			if got := SumBytes(b, signed); got != want {
				t.Fatalf("n %d signed %v: %d, want %d", n, signed, got, want)
			}
		}
	}
}
