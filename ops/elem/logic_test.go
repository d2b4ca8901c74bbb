package elem

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/wide"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// sameVals reports whether got and want hold equal values, NaN matching NaN.
func sameVals[T ops.Numeric](got, want []T) (int, bool) {
	if len(got) != len(want) {
		return -1, false
	}
	for i := range got {
		if got[i] != want[i] && !(got[i] != got[i] && want[i] != want[i]) {
			return i, false
		}
	}
	return 0, true
}

// checkBinaryOp runs op over every broadcasting pattern of bcPairs on
// random operands from genA and genB (with the EwEval's serial, chunked and
// in-place runs) and compares the result, of Go type D, with f applied by
// naiveZip. The operands of And, Or and Xor are bools.
func checkBinaryOp[A, B, D ops.Numeric](t *testing.T, op string, opset int, attrs []*onnx.Attribute, genA func(*rand.Rand) A, genB func(*rand.Rand) B, f func(A, B) D) {
	t.Helper()
	r := rand.New(rand.NewPCG(3, 4))
	for _, pr := range bcPairs {
		as, bs := pr[0], pr[1]
		out, _ := ops.BroadcastShape(as, bs)
		a, b := make([]A, ops.NumElems(as)), make([]B, ops.NumElems(bs))
		for i := range a {
			a[i] = genA(r)
		}
		for i := range b {
			b[i] = genB(r)
		}
		ta, tb := opstest.Typed(as, a...), opstest.Typed(bs, b...)
		if op == "And" || op == "Or" || op == "Xor" { // 0/1 bytes as bools
			ta.Type, tb.Type = onnx.Bool, onnx.Bool
		}
		got, err := opstest.EwEval(t, op, opset, 1, attrs, ta, tb)
		if err != nil {
			t.Errorf("%s %T %v, %T %v: %v", op, a, as, b, bs, err)
			continue
		}
		want := naiveZip(out, as, bs, a, b, f)
		if i, ok := sameVals(ops.Elems[D](got[0]), want); !ok || !ops.SameShape(got[0].Shape, out) {
			t.Errorf("%s %T %v, %T %v: element %d differs: got %v, want %v", op, a, as, b, bs, i, ops.Elems[D](got[0]), want)
		}
	}
}

// specials draws from a few ordinary values, ±0, ±Inf and NaN.
func specials(r *rand.Rand) float32 {
	v := []float32{-2, -1, -0.5, 0, float32(math.Copysign(0, -1)), 0.5, 1, 3, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	return v[r.IntN(len(v))]
}

func smallInt[T ops.Numeric](r *rand.Rand) T { return T(r.IntN(7)) - 3 }

func TestCompareOps(t *testing.T) {
	checkBinaryOp(t, "Equal", 19, nil, specials, specials, func(a, b float32) uint8 { return wide.B2U(a == b) })
	checkBinaryOp(t, "Less", 13, nil, specials, specials, func(a, b float32) uint8 { return wide.B2U(a < b) })
	checkBinaryOp(t, "Greater", 13, nil, specials, specials, func(a, b float32) uint8 { return wide.B2U(a > b) })
	checkBinaryOp(t, "LessOrEqual", 16, nil, specials, specials, func(a, b float32) uint8 { return wide.B2U(a <= b) })
	checkBinaryOp(t, "GreaterOrEqual", 16, nil, specials, specials, func(a, b float32) uint8 { return wide.B2U(a >= b) })
	checkBinaryOp(t, "Greater", 9, nil, smallInt[int64], smallInt[int64], func(a, b int64) uint8 { return wide.B2U(a > b) })
	checkBinaryOp(t, "LessOrEqual", 12, nil, smallInt[uint16], smallInt[uint16], func(a, b uint16) uint8 { return wide.B2U(a <= b) })
	checkBinaryOp(t, "Equal", 11, nil, smallInt[int8], smallInt[int8], func(a, b int8) uint8 { return wide.B2U(a == b) })
	checkBinaryOp(t, "GreaterOrEqual", 12, nil, func(r *rand.Rand) float64 { return float64(specials(r)) }, func(r *rand.Rand) float64 { return float64(specials(r)) },
		func(a, b float64) uint8 { return wide.B2U(a >= b) })
}

func TestMaxMinBinaryNaN(t *testing.T) {
	nanMax := func(a, b float32) float32 {
		if a != a || b != b {
			return float32(math.NaN())
		}
		return max(a, b)
	}
	nanMin := func(a, b float32) float32 {
		if a != a || b != b {
			return float32(math.NaN())
		}
		return min(a, b)
	}
	// Max and Min of two inputs (the variadic ops' pairwise step); sameVals
	// takes +0 and -0 as equal, as ONNX does not order them.
	checkBinaryOp(t, "Max", 13, nil, specials, specials, nanMax)
	checkBinaryOp(t, "Min", 13, nil, specials, specials, nanMin)
	checkBinaryOp(t, "Max", 12, nil, smallInt[int32], smallInt[int32], func(a, b int32) int32 { return max(a, b) })
	checkBinaryOp(t, "Min", 13, nil, smallInt[uint8], smallInt[uint8], func(a, b uint8) uint8 { return min(a, b) })
}

func TestLogicAndBitwiseOps(t *testing.T) {
	bit := func(r *rand.Rand) uint8 { return uint8(r.IntN(2)) }
	checkBinaryOp(t, "And", 7, nil, bit, bit, func(a, b uint8) uint8 { return a & b })
	checkBinaryOp(t, "Or", 7, nil, bit, bit, func(a, b uint8) uint8 { return a | b })
	checkBinaryOp(t, "Xor", 7, nil, bit, bit, func(a, b uint8) uint8 { return a ^ b })
	i16 := func(r *rand.Rand) int16 { return int16(r.Uint32()) }
	checkBinaryOp(t, "BitwiseAnd", 18, nil, i16, i16, func(a, b int16) int16 { return a & b })
	checkBinaryOp(t, "BitwiseOr", 18, nil, i16, i16, func(a, b int16) int16 { return a | b })
	u64 := func(r *rand.Rand) uint64 { return r.Uint64() }
	checkBinaryOp(t, "BitwiseXor", 18, nil, u64, u64, func(a, b uint64) uint64 { return a ^ b })
	shift := func(r *rand.Rand) uint32 { return uint32(r.IntN(40)) } // past the width too
	checkBinaryOp(t, "BitShift", 11, []*onnx.Attribute{opstest.AttrS("direction", "LEFT")},
		func(r *rand.Rand) uint32 { return r.Uint32() }, shift, func(a, b uint32) uint32 { return a << b })
	checkBinaryOp(t, "BitShift", 11, []*onnx.Attribute{opstest.AttrS("direction", "RIGHT")},
		func(r *rand.Rand) uint32 { return r.Uint32() }, shift, func(a, b uint32) uint32 { return a >> b })
}

func TestModOp(t *testing.T) {
	// Python's % on integers: the divisor's sign; 0 for a zero divisor.
	pyMod := func(a, b int32) int32 {
		if b == 0 {
			return 0
		}
		m := a % b
		if m != 0 && (m < 0) != (b < 0) {
			m += b
		}
		return m
	}
	wide := func(r *rand.Rand) int32 { return int32(r.IntN(41)) - 20 }
	checkBinaryOp(t, "Mod", 13, nil, wide, smallInt[int32], pyMod)
	checkBinaryOp(t, "Mod", 10, []*onnx.Attribute{opstest.AttrI("fmod", 1)}, wide, smallInt[int32], func(a, b int32) int32 {
		if b == 0 {
			return 0
		}
		return a % b
	})
	checkBinaryOp(t, "Mod", 13, nil, func(r *rand.Rand) uint8 { return uint8(r.Uint32()) }, smallInt[uint8], func(a, b uint8) uint8 {
		if b == 0 {
			return 0
		}
		return a % b
	})
	checkBinaryOp(t, "Mod", 13, []*onnx.Attribute{opstest.AttrI("fmod", 1)}, specials, specials, func(a, b float32) float32 {
		return float32(math.Mod(float64(a), float64(b)))
	})
	got, err := opstest.EwEval(t, "Mod", 13, 1, nil, opstest.Typed(opstest.Sh(4), int64(-7), 7, -7, math.MinInt64), opstest.Typed(opstest.Sh(4), int64(3), -3, -3, -1))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "mod int64 signs", got[0], opstest.Typed(opstest.Sh(4), int64(2), -2, -1, 0))
}

func TestPowOp(t *testing.T) {
	checkBinaryOp(t, "Pow", 15, nil, specials, specials, func(a, b float32) float32 { return float32(math.Pow(float64(a), float64(b))) })
	// A broadcast exponent of 2 takes the squaring loop.
	checkBinaryOp(t, "Pow", 15, nil, specials, func(*rand.Rand) float32 { return 2 }, func(a, _ float32) float32 { return a * a })
	intPow := func(a int64, e uint8) int64 {
		r := int64(1)
		for range e {
			r *= a
		}
		return r
	}
	checkBinaryOp(t, "Pow", 15, nil, func(r *rand.Rand) int64 { return int64(r.IntN(21)) - 10 }, func(r *rand.Rand) uint8 { return uint8(r.IntN(25)) }, intPow)
	checkBinaryOp(t, "Pow", 12, nil, smallInt[int32], func(r *rand.Rand) float64 { return float64(r.IntN(9)) / 2 }, func(a int32, e float64) int32 {
		return int32(math.Pow(float64(a), e))
	})
	got, err := opstest.EwEval(t, "Pow", 15, 1, nil, opstest.Typed(opstest.Sh(4), int32(2), -2, 1, -1), opstest.Typed(opstest.Sh(4), int64(-1), -2, -5, -3))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "int to negative powers", got[0], opstest.Typed(opstest.Sh(4), int32(0), 0, 1, -1))
	got, err = opstest.EwEval(t, "Pow", 6, 1, []*onnx.Attribute{opstest.AttrI("broadcast", 1), opstest.AttrI("axis", 0)},
		opstest.Typed(opstest.Sh(2, 2), float32(1), 2, 3, 4), opstest.Typed(opstest.Sh(2), float32(2), 3))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "legacy axis broadcast", got[0], opstest.Typed(opstest.Sh(2, 2), float32(1), 4, 27, 64))
}

func TestWhereOp(t *testing.T) {
	triples := [][3][]int{
		{opstest.Sh(2, 3, 4), opstest.Sh(2, 3, 4), opstest.Sh(2, 3, 4)},
		{opstest.Sh(4), opstest.Sh(2, 3, 1), opstest.Sh(3, 4)},
		{opstest.Sh(), opstest.Sh(2, 3), opstest.Sh(3)},
		{opstest.Sh(2, 1, 4), opstest.Sh(), opstest.Sh(1, 3, 1)},
		{opstest.Sh(3, 1), opstest.Sh(1, 5), opstest.Sh()},
		{opstest.Sh(0, 2), opstest.Sh(2), opstest.Sh(1)},
	}
	r := rand.New(rand.NewPCG(5, 6))
	for _, tr := range triples {
		out, _ := ops.BroadcastShape(tr[0], tr[1], tr[2])
		c := make([]bool, ops.NumElems(tr[0]))
		x, y := make([]int16, ops.NumElems(tr[1])), make([]int16, ops.NumElems(tr[2]))
		for i := range c {
			c[i] = r.IntN(2) == 1
		}
		for i := range x {
			x[i] = int16(r.IntN(100))
		}
		for i := range y {
			y[i] = -int16(r.IntN(100))
		}
		got, err := opstest.EwEval(t, "Where", 16, 1, nil, opstest.Bools(tr[0], c...), opstest.Typed(tr[1], x...), opstest.Typed(tr[2], y...))
		if err != nil {
			t.Errorf("%v: %v", tr, err)
			continue
		}
		want := make([]int16, ops.NumElems(out))
		for i := range want {
			want[i] = y[naiveIndex(i, out, tr[2])]
			if c[naiveIndex(i, out, tr[0])] {
				want[i] = x[naiveIndex(i, out, tr[1])]
			}
		}
		opstest.EwCheck(t, "where", got[0], opstest.Typed(out, want...))
	}
	got, err := opstest.EwEval(t, "Where", 9, 1, nil, opstest.Bools(opstest.Sh(2), true, false), opstest.Bools(opstest.Sh(1), true), opstest.Bools(opstest.Sh(2), false, true))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "where of bools", got[0], opstest.Bools(opstest.Sh(2), true, true))
}

func TestVariadicOps(t *testing.T) {
	nan := float32(math.NaN())
	cases := []struct {
		op    string
		opset int
		in    []*ops.Tensor
		want  *ops.Tensor
	}{
		{"Max", 13, []*ops.Tensor{opstest.Typed(opstest.Sh(3), float32(1), nan, 3), opstest.Typed(opstest.Sh(2, 1), float32(2), nan), opstest.Typed(opstest.Sh(), float32(0))},
			opstest.Typed(opstest.Sh(2, 3), float32(2), nan, 3, nan, nan, nan)},
		{"Min", 8, []*ops.Tensor{opstest.Typed(opstest.Sh(3), int64(5), -1, 7), opstest.Typed(opstest.Sh(1), int64(2))},
			opstest.Typed(opstest.Sh(3), int64(2), -1, 2)},
		{"Max", 6, []*ops.Tensor{opstest.Typed(opstest.Sh(2), float32(1), 4), opstest.Typed(opstest.Sh(2), float32(3), 2)}, opstest.Typed(opstest.Sh(2), float32(3), 4)},
		{"Mean", 13, []*ops.Tensor{opstest.Typed(opstest.Sh(2), float32(1), 2), opstest.Typed(opstest.Sh(2, 1), float32(3), 5), opstest.Typed(opstest.Sh(), float32(1))},
			opstest.Typed(opstest.Sh(2, 2), float32(5.0/3), 2, 7.0/3, 8.0/3)},
		{"Mean", 1, []*ops.Tensor{opstest.Typed(opstest.Sh(2), float64(1), math.NaN())}, opstest.Typed(opstest.Sh(2), float64(1), math.NaN())},
		{"Min", 13, []*ops.Tensor{opstest.Typed[float32](opstest.Sh(0, 2)), opstest.Typed(opstest.Sh(2), float32(1), 2)}, opstest.Typed[float32](opstest.Sh(0, 2))},
	}
	for _, c := range cases {
		got, err := opstest.EwEval(t, c.op, c.opset, 1, nil, c.in...)
		if err != nil {
			t.Errorf("%s-%d: %v", c.op, c.opset, err)
			continue
		}
		opstest.EwCheck(t, c.op, got[0], c.want)
	}
}

func TestLogicErrors(t *testing.T) {
	f32 := opstest.Typed(opstest.Sh(2), float32(1), 2)
	cases := []struct {
		name  string
		op    string
		opset int
		attrs []*onnx.Attribute
		in    []*ops.Tensor
		frag  string
		unsup bool
	}{
		{"mod float needs fmod", "Mod", 13, nil, []*ops.Tensor{f32, f32}, "needs attribute \"fmod\" = 1", false},
		{"mod fmod 2", "Mod", 13, []*onnx.Attribute{opstest.AttrI("fmod", 2)}, []*ops.Tensor{f32, f32}, "want 0 or 1", false},
		{"bitshift direction", "BitShift", 11, []*onnx.Attribute{opstest.AttrS("direction", "UP")}, nil, "\"direction\" is \"UP\"", false},
		{"bitshift no direction", "BitShift", 11, nil, nil, "\"direction\" is \"\"", false},
		{"bitshift signed", "BitShift", 11, []*onnx.Attribute{opstest.AttrS("direction", "LEFT")},
			[]*ops.Tensor{opstest.Typed(opstest.Sh(1), int32(1)), opstest.Typed(opstest.Sh(1), int32(1))}, "want unsigned integer", false},
		{"and of floats", "And", 7, nil, []*ops.Tensor{f32, f32}, "want bool", false},
		{"bitwise of floats", "BitwiseOr", 18, nil, []*ops.Tensor{f32, f32}, "want signed integer, unsigned integer", false},
		{"pow int8 base", "Pow", 15, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(1), int8(2)), f32}, "want float, int32, int64", false},
		{"pow-7 mixed", "Pow", 7, nil, []*ops.Tensor{f32, opstest.Typed(opstest.Sh(2), float64(1), 2)}, "input B has type float64", false},
		{"greater bool", "Greater", 13, nil, []*ops.Tensor{opstest.Bools(opstest.Sh(1), true), opstest.Bools(opstest.Sh(1), true)}, "has type bool", false},
		{"equal string", "Equal", 19, nil, []*ops.Tensor{{Type: onnx.String, Shape: opstest.Sh(1)}, {Type: onnx.String, Shape: opstest.Sh(1)}}, "string", true},
		{"where condition", "Where", 16, nil, []*ops.Tensor{f32, f32, f32}, "input \"condition\" has type float32", false},
		{"where types", "Where", 16, nil, []*ops.Tensor{opstest.Bools(opstest.Sh(1), true), f32, opstest.Typed(opstest.Sh(1), int32(1))}, "input Y has type int32", false},
		{"where shapes", "Where", 16, nil, []*ops.Tensor{opstest.Bools(opstest.Sh(3), true, true, true), f32, f32}, "cannot be broadcast", false},
		{"mean of ints", "Mean", 13, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(1), int32(1))}, "want float", false},
		{"max-6 shapes", "Max", 6, nil, []*ops.Tensor{f32, opstest.Typed(opstest.Sh(1), float32(1))}, "broadcasting needs opset 8", false},
		{"equal-1 without broadcast", "Equal", 1, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(2), int32(1), 2), opstest.Typed(opstest.Sh(1), int32(1))}, "\"broadcast\" is 0", false},
	}
	for _, c := range cases {
		var err error
		if c.in == nil {
			_, err = ops.Build(opstest.EwNode(c.op, make([]*ops.Tensor, 2), 1, c.attrs...), c.opset)
		} else {
			_, err = opstest.EwEval(t, c.op, c.opset, 1, c.attrs, c.in...)
		}
		opstest.WantErr(t, c.name, err, c.frag)
		if c.unsup != errors.Is(err, ops.ErrUnsupported) {
			t.Errorf("%s: error %v wraps ErrUnsupported: %v, want %v", c.name, err, !c.unsup, c.unsup)
		}
	}
}

func TestLegacyLogicBroadcast(t *testing.T) {
	got, err := opstest.EwEval(t, "And", 1, 1, []*onnx.Attribute{opstest.AttrI("broadcast", 1), opstest.AttrI("axis", 0)},
		opstest.Bools(opstest.Sh(2, 2), true, true, false, true), opstest.Bools(opstest.Sh(2), false, true))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "And-1 axis 0", got[0], opstest.Bools(opstest.Sh(2, 2), false, false, false, true))
	got, err = opstest.EwEval(t, "Greater", 1, 1, []*onnx.Attribute{opstest.AttrI("broadcast", 1)},
		opstest.Typed(opstest.Sh(2, 2), float32(1), 5, 3, 0), opstest.Typed(opstest.Sh(2), float32(2), 2))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "Greater-1 suffix", got[0], opstest.Bools(opstest.Sh(2, 2), false, true, true, false))
}
