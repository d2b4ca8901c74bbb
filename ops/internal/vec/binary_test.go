package vec

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

var allOps = []Op{OpAdd, OpSub, OpMul, OpDiv, OpMax, OpMin}

// refBinary is the definition of op on one pair: IEEE arithmetic, and for
// OpMax and OpMin a NaN a, else a NaN b, else the larger (smaller) of a
// and b, b when they are equal.
func refBinary(op Op, a, b float32) float32 {
	switch op {
	case OpAdd:
		return a + b
	case OpSub:
		return a - b
	case OpMul:
		return a * b
	case OpDiv:
		return a / b
	}
	switch {
	case a != a:
		return a
	case b != b:
		return b
	case op == OpMax && a > b, op == OpMin && a < b:
		return a
	}
	return b
}

// TestBinary checks Binary, BinaryScalar and ScalarBinary at every level
// against refBinary for every function and every length up to 70, with
// NaN, infinite and tying operands, guard bands around d, and in place.
func TestBinary(t *testing.T) {
	eachLevel(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(95, 96))
		for _, op := range allOps {
			for n := range 71 {
				for _, nans := range []bool{false, true} {
					gen := operand(rng, nans)
					_, a := bandedSlice(n, gen)
					_, b := bandedSlice(n, gen)
					s := gen()
					label := fmt.Sprintf("op %d n %d", op, n)
					want := make([]float32, n)

					for i := range want {
						want[i] = refBinary(op, a[i], b[i])
					}
					full, d := bandedSlice(n, gen)
					Binary(op, d, a, b)
					checkBands(t, "Binary "+label, full, want)
					fa, ca := bandedSlice(n, func() float32 { return 0 })
					copy(ca, a)
					Binary(op, ca, ca, b)
					checkBands(t, "Binary in place of a "+label, fa, want)
					fb, cb := bandedSlice(n, func() float32 { return 0 })
					copy(cb, b)
					Binary(op, cb, a, cb)
					checkBands(t, "Binary in place of b "+label, fb, want)

					for i := range want {
						want[i] = refBinary(op, a[i], s)
					}
					full, d = bandedSlice(n, gen)
					BinaryScalar(op, d, a, s)
					checkBands(t, "BinaryScalar "+label, full, want)
					copy(ca, a)
					BinaryScalar(op, ca, ca, s)
					checkBands(t, "BinaryScalar in place "+label, fa, want)

					for i := range want {
						want[i] = refBinary(op, s, b[i])
					}
					full, d = bandedSlice(n, gen)
					ScalarBinary(op, d, s, b)
					checkBands(t, "ScalarBinary "+label, full, want)
					copy(cb, b)
					ScalarBinary(op, cb, s, cb)
					checkBands(t, "ScalarBinary in place "+label, fb, want)
				}
			}
		}
	})
}

// TestBinaryBadOp checks that an unknown Op panics before any loop runs.
func TestBinaryBadOp(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Binary with Op 6 did not panic")
		}
	}()
	d := make([]float32, 20)
	Binary(OpMin+1, d, d, d)
}

// benchLevels runs f as a sub-benchmark at every level.
func benchLevels(b *testing.B, f func(b *testing.B)) {
	saved := simd
	defer func() { simd = saved }()
	for _, l := range levels() {
		simd = l
		b.Run(l.String(), f)
	}
}

// BenchmarkAdd adds two [1,64,56,56] tensors (a ResNet residual), and
// adds a per-channel bias to one: runs of 56*56 and a broadcast scalar.
func BenchmarkAdd(b *testing.B) {
	const c, hw = 64, 56 * 56
	x, y, d := make([]float32, c*hw), make([]float32, c*hw), make([]float32, c*hw)
	bias := make([]float32, c)
	b.Run("same", func(b *testing.B) {
		benchLevels(b, func(b *testing.B) {
			b.SetBytes(int64(12 * len(d)))
			for b.Loop() {
				Binary(OpAdd, d, x, y)
			}
		})
	})
	b.Run("channel", func(b *testing.B) {
		benchLevels(b, func(b *testing.B) {
			b.SetBytes(int64(8 * len(d)))
			for b.Loop() {
				for ch := range c {
					BinaryScalar(OpAdd, d[ch*hw:(ch+1)*hw], x[ch*hw:], bias[ch])
				}
			}
		})
	})
}

// BenchmarkMulScalar scales 64K values.
func BenchmarkMulScalar(b *testing.B) {
	x, d := make([]float32, 1<<16), make([]float32, 1<<16)
	benchLevels(b, func(b *testing.B) {
		b.SetBytes(int64(8 * len(d)))
		for b.Loop() {
			BinaryScalar(OpMul, d, x, 1.5)
		}
	})
}
