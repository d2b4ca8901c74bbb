package elem

import (
	"fmt"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// The binary operators, each over its types with numpy-style broadcasting
// (onnx-spec/Broadcasting.md) from opset 7; before, Add, Sub, Mul, Div,
// Pow, And, Or, Xor, Equal, Greater and Less broadcast B onto A only with
// attribute broadcast=1, B's shape matching A's at attribute axis (or as a
// suffix).
//   - Add, Sub, Mul, Div: every numeric type; integer Div truncates toward
//     zero like C, and an integer division by zero gives 0 (as numpy does)
//     instead of failing.
//   - Pow: base int32, int64 or float, exponent of any numeric type (from
//     opset 12; before, the base's type); integers to a non-negative
//     integer power are exact (wrapping), everything else math.Pow.
//   - Mod: fmod=0 is Python's % on integers (the divisor's sign), fmod=1
//     C's fmod (the dividend's sign) on integers or floats; modulo 0 of
//     integers gives 0.
//   - Equal (numbers and bools), Greater, GreaterOrEqual, Less,
//     LessOrEqual (numbers): bool results; NaN compares false.
//   - And, Or, Xor: bools.
//   - BitwiseAnd, BitwiseOr, BitwiseXor: integers; BitShift (attribute
//     direction LEFT or RIGHT): unsigned integers, a shift by the width or
//     more giving 0.
func init() {
	register := func(name string, spec *binSpec, versions ...int) {
		for _, v := range versions {
			ops.Register("", name, v, buildBinary(spec))
		}
	}
	for _, op := range []struct {
		name string
		kind binKind
	}{{"Add", binAdd}, {"Sub", binSub}, {"Mul", binMul}, {"Div", binDiv}} {
		register(op.name, &binSpec{types: tNumeric, legacy: true, bind: bindArith(op.kind)}, 1, 6, 7, 13, 14)
	}
	register("Pow", &binSpec{types: tInt32 | tInt64 | tFloat, mixed: true, legacy: true, bind: bindPowOp}, 1, 7, 12, 13, 15)
	register("Mod", &binSpec{types: tNumeric, bind: bindModOp}, 10, 13)
	for _, op := range []struct {
		name     string
		kind     cmpKind
		swap     bool
		types    typeSet
		legacy   bool
		versions []int
	}{
		{"Equal", cmpEqual, false, tNumeric | tBool, true, []int{1, 7, 11, 13, 19}},
		{"Less", cmpLess, false, tNumeric, true, []int{1, 7, 9, 13}},
		{"Greater", cmpLess, true, tNumeric, true, []int{1, 7, 9, 13}},
		{"LessOrEqual", cmpLessEqual, false, tNumeric, false, []int{12, 16}},
		{"GreaterOrEqual", cmpLessEqual, true, tNumeric, false, []int{12, 16}},
	} {
		register(op.name, &binSpec{types: op.types, legacy: op.legacy, boolOut: true, bind: bindCompareOp(op.kind, op.swap)}, op.versions...)
	}
	for _, op := range []struct {
		name string
		kind bitKind
	}{{"And", bitAnd}, {"Or", bitOr}, {"Xor", bitXor}} {
		register(op.name, &binSpec{types: tBool, legacy: true, bind: bindBitwiseOp(op.kind)}, 1, 7)
		register("Bitwise"+op.name, &binSpec{types: tSigned | tUnsigned, bind: bindBitwiseOp(op.kind)}, 18)
	}
	register("BitShift", &binSpec{types: tUnsigned, bind: bindBitShift}, 11)
}

// typeSet is a set of element types an operator input accepts.
type typeSet int

// Element type classes.
const (
	tFloat    typeSet = 1 << iota // float32, float64
	tSigned                       // int8..int64
	tUnsigned                     // uint8..uint64
	tBool                         // bool
	tInt32                        // int32 alone
	tInt64                        // int64 alone

	tNumeric = tFloat | tSigned | tUnsigned
)

// has reports whether s holds t.
func (s typeSet) has(t ops.DType) bool {
	switch t {
	case onnx.Float, onnx.Double:
		return s&tFloat != 0
	case onnx.Int32:
		return s&(tSigned|tInt32) != 0
	case onnx.Int64:
		return s&(tSigned|tInt64) != 0
	case onnx.Int8, onnx.Int16:
		return s&tSigned != 0
	case onnx.Uint8, onnx.Uint16, onnx.Uint32, onnx.Uint64:
		return s&tUnsigned != 0
	case onnx.Bool:
		return s&tBool != 0
	}
	return false
}

// String names the set in messages.
func (s typeSet) String() string {
	var parts []string
	for _, c := range []struct {
		bit  typeSet
		name string
	}{{tFloat, "float"}, {tSigned, "signed integer"}, {tInt32, "int32"}, {tInt64, "int64"}, {tUnsigned, "unsigned integer"}, {tBool, "bool"}} {
		if s&c.bit != 0 {
			parts = append(parts, c.name)
		}
	}
	return strings.Join(parts, ", ")
}

// check checks that input v (named name) has a type of s; string, complex
// and the 8, 4 and 2-bit types are reported as unsupported.
func (s typeSet) check(v ops.Value, name string) error {
	if s.has(v.Type) {
		return nil
	}
	if !ops.Supported(v.Type) {
		return fmt.Errorf("input %q has type %s: %w", name, ops.TypeName(v.Type), ops.ErrUnsupported)
	}
	return fmt.Errorf("input %q has type %s, want %s", name, ops.TypeName(v.Type), s)
}

// binBinder binds d = a op b for a built op, with a and b broadcast onto d
// as aShape and bShape.
type binBinder func(o *binaryOp, par ops.Parallel, d, a, b *ops.Tensor, aShape, bShape []int) func()

// binSpec describes one binary operator.
type binSpec struct {
	types   typeSet // A's types; B has A's type unless mixed
	mixed   bool    // B has any numeric type (Pow's exponent from opset 12)
	boolOut bool    // the output is bool (comparisons), else A's type
	legacy  bool    // before opset 7 the broadcast and axis attributes apply
	bind    binBinder
}

// bindArith binds an arithmetic kind.
func bindArith(k binKind) binBinder {
	return func(_ *binaryOp, par ops.Parallel, d, a, b *ops.Tensor, as, bs []int) func() {
		return ewTable[a.Type].binary(par, k, d, a, b, as, bs)
	}
}

// bindCompareOp binds a comparison, swapping the operands for Greater and GreaterOrEqual.
func bindCompareOp(k cmpKind, swap bool) binBinder {
	return func(_ *binaryOp, par ops.Parallel, d, a, b *ops.Tensor, as, bs []int) func() {
		if swap {
			a, b, as, bs = b, a, bs, as
		}
		return ewTable[a.Type].compare(par, k, d, a, b, as, bs)
	}
}

// bindBitwiseOp binds a bitwise or logical kind.
func bindBitwiseOp(k bitKind) binBinder {
	return func(_ *binaryOp, par ops.Parallel, d, a, b *ops.Tensor, as, bs []int) func() {
		return intTable[a.Type].bitwise(par, k, d, a, b, as, bs)
	}
}

// bindBitShift binds a shift in the op's direction.
func bindBitShift(o *binaryOp, par ops.Parallel, d, a, b *ops.Tensor, as, bs []int) func() {
	k := bitRight
	if o.left {
		k = bitLeft
	}
	return intTable[a.Type].bitwise(par, k, d, a, b, as, bs)
}

// bindModOp binds Mod with the op's fmod.
func bindModOp(o *binaryOp, par ops.Parallel, d, a, b *ops.Tensor, as, bs []int) func() {
	return ewTable[a.Type].mod(par, o.fmod, d, a, b, as, bs)
}

// bindPowOp binds Pow for the base's type.
func bindPowOp(_ *binaryOp, par ops.Parallel, d, a, b *ops.Tensor, as, bs []int) func() {
	return powTable[a.Type](par, d, a, b, as, bs)
}

// binaryOp is a built binary operator.
type binaryOp struct {
	spec    *binSpec
	legacy  bool // opset < 7 and spec.legacy: attribute-driven broadcasting
	bcast   bool // legacy: broadcast = 1
	hasAxis bool // legacy: attribute axis is given
	axis    int
	mixed   bool // B's type may differ from A's (Pow from opset 12)
	mod     bool // the op is Mod
	fmod    bool // Mod: attribute fmod = 1
	left    bool // BitShift: direction LEFT
}

func buildBinary(spec *binSpec) ops.Builder {
	return func(n *onnx.Node, opset int) (ops.Op, error) {
		b := &binaryOp{spec: spec, legacy: spec.legacy && opset < 7, mixed: spec.mixed && opset >= 12}
		a := ops.AttrsOf(n)
		switch {
		case b.legacy:
			b.bcast = a.Int("broadcast", 0) != 0
			b.hasAxis = a.Has("axis")
			b.axis = int(a.Int("axis", 0))
		case n.OpType == "Mod":
			b.mod = true
			switch f := a.Int("fmod", 0); f {
			case 0, 1:
				b.fmod = f == 1
			default:
				return nil, fmt.Errorf("attribute \"fmod\" is %d, want 0 or 1", f)
			}
		case n.OpType == "BitShift":
			switch dir := a.String("direction", ""); dir {
			case "LEFT", "RIGHT":
				b.left = dir == "LEFT"
			default:
				if a.Err() == nil {
					return nil, fmt.Errorf("attribute \"direction\" is %q, want \"LEFT\" or \"RIGHT\"", dir)
				}
			}
		}
		return b, a.Err()
	}
}

// shapes gives B's shape as broadcast onto the output, and the output's shape.
func (b *binaryOp) shapes(as, bs []int) (bEff, out []int, err error) {
	switch {
	case !b.legacy:
		out, err = ops.BroadcastShape(as, bs)
		return bs, out, err
	case !b.bcast:
		if !ops.SameShape(as, bs) {
			return nil, nil, fmt.Errorf("inputs A %v and B %v differ in shape and attribute \"broadcast\" is 0", as, bs)
		}
		return bs, as, nil
	}
	axis := len(as) - len(bs)
	if b.hasAxis {
		axis = b.axis
		if axis < 0 {
			axis += len(as)
		}
	}
	if axis < 0 || axis+len(bs) > len(as) {
		return nil, nil, fmt.Errorf("input B of shape %v does not fit into A's shape %v at axis %d", bs, as, axis)
	}
	bEff = make([]int, len(as))
	for i := range bEff {
		bEff[i] = 1
	}
	for i, d := range bs {
		if d != 1 && d != as[axis+i] {
			return nil, nil, fmt.Errorf("input B of shape %v does not match A's shape %v at axis %d", bs, as, axis)
		}
		bEff[axis+i] = d
	}
	return bEff, as, nil
}

// Infer checks the operands' types and broadcasts their shapes.
func (b *binaryOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	t := in[0].Type
	if err := b.spec.types.check(in[0], "A"); err != nil {
		return nil, err
	}
	if b.mixed {
		if err := tNumeric.check(in[1], "B"); err != nil {
			return nil, err
		}
	} else if in[1].Type != t {
		return nil, fmt.Errorf("input B has type %s, want A's type %s", ops.TypeName(in[1].Type), ops.TypeName(t))
	}
	if b.mod && !b.fmod && ops.IsFloat(t) {
		return nil, fmt.Errorf("input A has type %s, which needs attribute \"fmod\" = 1", ops.TypeName(t))
	}
	_, out, err := b.shapes(in[0].Shape, in[1].Shape)
	if err != nil {
		return nil, err
	}
	if b.spec.boolOut {
		t = onnx.Bool
	}
	return []ops.Value{{Type: t, Shape: out}}, nil
}

// InPlace lets C overwrite whichever operand already has C's shape and type.
func (b *binaryOp) InPlace(in []ops.Value) int {
	if b.spec.boolOut && in[0].Type != onnx.Bool {
		return -1
	}
	_, out, err := b.shapes(in[0].Shape, in[1].Shape)
	if in[1].Type != in[0].Type {
		return ewFullInput(in[:1], out, err)
	}
	return ewFullInput(in[:2], out, err)
}

// ewFullInput is the index of the first input of in with shape out, or -1
// (also when err is set).
func ewFullInput(in []ops.Value, out []int, err error) int {
	if err != nil {
		return -1
	}
	for i, v := range in {
		if ops.SameShape(v.Shape, out) {
			return i
		}
	}
	return -1
}

// Run computes C = A op B.
func (b *binaryOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(b, ctx, in, out)
}

// Bind plans the broadcast once.
func (b *binaryOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	bEff := in[1].Shape
	if b.legacy {
		var err error
		if bEff, _, err = b.shapes(in[0].Shape, bEff); err != nil {
			return nil, err
		}
	}
	f := b.spec.bind(b, ctx.Par, out[0], in[0], in[1], in[0].Shape, bEff)
	return func() error { f(); return nil }, nil
}
