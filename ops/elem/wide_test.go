package elem

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/wide"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// anyBits draws a value of T from random bits: any value of an integer
// type, edges included; every third draw is small, so that comparisons
// meet equal operands and Mod small divisors.
func anyBits[T integer](r *rand.Rand) T {
	if r.IntN(3) == 0 {
		return T(r.IntN(7)) - 3
	}
	return T(r.Uint64())
}

// checkWideInt runs the operators computed on wide values over operands of
// integer type T drawn by anyBits, against T's own arithmetic.
func checkWideInt[T integer](t *testing.T) {
	t.Helper()
	g := anyBits[T]
	signed := T(0)-1 < 0
	checkBinaryOp(t, "Equal", 19, nil, g, g, func(a, b T) uint8 { return wide.B2U(a == b) })
	checkBinaryOp(t, "Less", 13, nil, g, g, func(a, b T) uint8 { return wide.B2U(a < b) })
	checkBinaryOp(t, "GreaterOrEqual", 16, nil, g, g, func(a, b T) uint8 { return wide.B2U(a >= b) })
	checkBinaryOp(t, "Mod", 13, []*onnx.Attribute{opstest.AttrI("fmod", 1)}, g, g, func(a, b T) T {
		if b == 0 || signed && b == ^T(0) { // a % -1 is 0, also where Go would overflow
			return 0
		}
		return a % b
	})
	checkBinaryOp(t, "Mod", 13, nil, g, g, func(a, b T) T {
		if b == 0 || signed && b == ^T(0) {
			return 0
		}
		m := a % b
		if m != 0 && (m < 0) != (b < 0) {
			m += b
		}
		return m
	})
	checkBinaryOp(t, "BitwiseAnd", 18, nil, g, g, func(a, b T) T { return a & b })
	checkBinaryOp(t, "BitwiseOr", 18, nil, g, g, func(a, b T) T { return a | b })
	checkBinaryOp(t, "BitwiseXor", 18, nil, g, g, func(a, b T) T { return a ^ b })
	if !signed { // BitShift: BitShift, by up to more than the width
		shift := func(r *rand.Rand) T { return T(r.IntN(70)) }
		checkBinaryOp(t, "BitShift", 11, []*onnx.Attribute{opstest.AttrS("direction", "LEFT")}, g, shift, func(a, b T) T { return a << b })
		checkBinaryOp(t, "BitShift", 11, []*onnx.Attribute{opstest.AttrS("direction", "RIGHT")}, g, shift, func(a, b T) T { return a >> b })
	}
	// Not and Clip, on a tensor of every pattern the generator gives.
	r := rand.New(rand.NewPCG(5, 6))
	x := make([]T, 3*wide.N+5)
	for i := range x {
		x[i] = g(r)
	}
	lo, hi := g(r), g(r)
	notX, clipX := make([]T, len(x)), make([]T, len(x))
	for i, v := range x {
		notX[i] = ^v
		clipX[i] = min(max(v, lo), hi)
	}
	sh := opstest.Sh(len(x))
	got, err := opstest.EwEval(t, "BitwiseNot", 18, 1, nil, opstest.Typed(sh, x...))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "BitwiseNot", got[0], opstest.Typed(sh, notX...))
	got, err = opstest.EwEval(t, "Clip", 13, 1, nil, opstest.Typed(sh, x...), opstest.Typed(opstest.Sh(), lo), opstest.Typed(opstest.Sh(), hi))
	if err != nil {
		t.Fatal(err)
	}
	if i, ok := sameVals(ops.Elems[T](got[0]), clipX); !ok {
		t.Errorf("Clip %T to [%v, %v]: element %d differs", lo, lo, hi, i)
	}
}

// TestWideKernels checks the kernels on wide values for every integer
// type (with -short, for one type of each width), whose own arithmetic is
// the reference: wrap-around, signedness and the edges of each type.
func TestWideKernels(t *testing.T) {
	checkWideInt[int8](t)
	checkWideInt[uint16](t)
	checkWideInt[int32](t)
	checkWideInt[uint64](t)
	if !testing.Short() {
		checkWideInt[uint8](t)
		checkWideInt[int16](t)
		checkWideInt[uint32](t)
		checkWideInt[int64](t)
	}
	// float64 on wide values, NaN and infinities included.
	f64 := func(r *rand.Rand) float64 { return float64(specials(r)) }
	checkBinaryOp(t, "LessOrEqual", 16, nil, f64, f64, func(a, b float64) uint8 { return wide.B2U(a <= b) })
	checkBinaryOp(t, "Mod", 13, []*onnx.Attribute{opstest.AttrI("fmod", 1)}, f64, f64, math.Mod)
	checkBinaryOp(t, "Pow", 15, nil, f64, f64, math.Pow)
	// Integer bases to integer powers of every type wrap; negative and
	// float powers go through math.Pow.
	base32 := func(r *rand.Rand) int32 { return int32(r.IntN(21)) - 10 }
	pow32 := func(a int32, e uint64) int32 {
		r := int32(1)
		for range e % 64 {
			r *= a
		}
		return r
	}
	checkBinaryOp(t, "Pow", 15, nil, base32, func(r *rand.Rand) uint64 { return uint64(r.IntN(40)) }, pow32)
	checkBinaryOp(t, "Pow", 15, nil, base32, func(r *rand.Rand) int8 { return int8(r.IntN(40)) - 5 }, func(a int32, e int8) int32 {
		if e < 0 {
			return int32(math.Pow(float64(a), float64(e)))
		}
		return pow32(a, uint64(e))
	})
	checkBinaryOp(t, "Pow", 15, nil, anyBits[int64], func(r *rand.Rand) float32 { return float32(r.IntN(9)) / 4 }, func(a int64, e float32) int64 {
		return int64(math.Pow(float64(a), float64(e)))
	})
	checkBinaryOp(t, "Pow", 15, nil, f64, func(r *rand.Rand) uint64 { return r.Uint64() >> r.IntN(64) }, func(a float64, e uint64) float64 {
		return math.Pow(a, float64(e))
	})
	checkBinaryOp(t, "Pow", 15, nil, specials, anyBits[int16], func(a float32, e int16) float32 {
		return float32(math.Pow(float64(a), float64(e)))
	})
}
