package elem

import (
	"fmt"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/wide"
)

// Cast and CastLike convert between the numeric types and bool. Floats
// become integers by truncation toward zero (out of range is undefined, as
// in the spec), integers narrow by dropping high bits, anything becomes
// bool as "not zero", and bool becomes 0 or 1. Float16 and bfloat16 are
// not computed (the runtime widens them to float32 at the graph's
// boundary), so a cast to FLOAT16 or BFLOAT16 yields float32 values rounded
// to that precision (nearest, ties to even). Cast-1 names the target type
// with a string ("FLOAT", "INT64"...), later versions with its number;
// CastLike (from opset 15) takes it from its second input's type. Casts
// to or from string, complex and the 8, 4 and 2-bit types are valid ONNX
// that is not computed (ErrUnsupported); the saturate and round_mode
// attributes concern only the float8 types, so they are accepted and
// change nothing.
func init() {
	for _, v := range []int{1, 6, 9, 13, 19, 21, 23, 24, 25} {
		ops.Register("", "Cast", v, buildCast)
	}
	for _, v := range []int{15, 19, 21, 23, 24, 25} {
		ops.Register("", "CastLike", v, buildCastLike)
	}
}

// castOp is a built Cast or CastLike.
type castOp struct {
	to   ops.DType // the requested type, possibly Float16 or BFloat16
	like bool      // CastLike: the type is input 1's
}

// castTypeNames are the TensorProto.DataType names Cast-1 accepts.
var castTypeNames = map[string]ops.DType{
	"FLOAT": onnx.Float, "DOUBLE": onnx.Double, "FLOAT16": onnx.Float16, "BFLOAT16": onnx.BFloat16,
	"INT8": onnx.Int8, "INT16": onnx.Int16, "INT32": onnx.Int32, "INT64": onnx.Int64,
	"UINT8": onnx.Uint8, "UINT16": onnx.Uint16, "UINT32": onnx.Uint32, "UINT64": onnx.Uint64,
	"BOOL": onnx.Bool, "STRING": onnx.String,
}

func buildCast(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	if !a.Has("to") {
		return nil, fmt.Errorf("attribute \"to\" is required")
	}
	c := &castOp{}
	if opset < 6 {
		name := a.String("to", "")
		t, ok := castTypeNames[strings.ToUpper(name)]
		if !ok && a.Err() == nil {
			return nil, fmt.Errorf("attribute \"to\" is %q, not a supported type name", name)
		}
		c.to = t
	} else {
		c.to = ops.DType(a.Int("to", 0))
	}
	if err := a.Err(); err != nil {
		return nil, err
	}
	return c, castTarget(c.to, "attribute \"to\"")
}

func buildCastLike(n *onnx.Node, opset int) (ops.Op, error) { return &castOp{like: true}, nil }

// castTarget checks a cast's target type t, named what in messages.
func castTarget(t ops.DType, what string) error {
	switch {
	case ops.IsNumeric(t) || t == onnx.Bool || t == onnx.Float16 || t == onnx.BFloat16:
		return nil
	case t > onnx.Undefined && t <= onnx.Int2:
		return fmt.Errorf("%s is %s: %w", what, t, ops.ErrUnsupported)
	}
	return fmt.Errorf("%s is %s, not a tensor element type", what, t)
}

// outType is the computed output type: float32 stands for float16 and bfloat16.
func (c *castOp) outType() ops.DType {
	if c.to == onnx.Float16 || c.to == onnx.BFloat16 {
		return onnx.Float
	}
	return c.to
}

// Infer checks the input's type; the output has the target type and the
// input's shape.
func (c *castOp) Infer(in []ops.Value) ([]ops.Value, error) {
	n := 1
	if c.like {
		n = 2
	}
	if err := ops.CheckInputs(in, n, n); err != nil {
		return nil, err
	}
	if err := (tNumeric | tBool).check(in[0], "input"); err != nil {
		return nil, err
	}
	if c.like {
		if err := castTarget(in[1].Type, "input \"target_type\"'s type"); err != nil {
			return nil, err
		}
		return []ops.Value{{Type: in[1].Type, Shape: in[0].Shape}}, nil
	}
	return []ops.Value{{Type: c.outType(), Shape: in[0].Shape}}, nil
}

// InPlace lets the output overwrite the input when the types match.
func (c *castOp) InPlace(in []ops.Value) int {
	to := c.outType()
	if c.like {
		to = in[1].Type
	}
	if in[0].Type == to {
		return 0
	}
	return -1
}

// Run converts the elements, then rounds them to float16 or bfloat16 if asked.
func (c *castOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error { return ops.RunBound(c, ctx, in, out) }

// Bind makes the conversion loops once.
func (c *castOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x, y := in[0], out[0]
	convert := func() error {
		ops.CopyUnlessShared(y.Data, x.Data)
		return nil
	}
	if x.Type != y.Type {
		convert = ewTable[x.Type].castTo(ctx.Par, y, x)
	}
	var round func(float32) uint16
	var widen func(uint16) float32
	switch c.to {
	case onnx.Float16:
		round, widen = onnx.F32ToF16, onnx.F16ToF32
	case onnx.BFloat16:
		round, widen = onnx.F32ToBF16, onnx.BF16ToF32
	default:
		return convert, nil
	}
	narrow := ops.BindMap(ctx.Par, ops.Grain/4, y, y, func(d, _ []float32) {
		for i, v := range d {
			d[i] = widen(round(v))
		}
	})
	return func() error {
		convert()
		return narrow()
	}, nil
}

// castFrom binds the conversion of x, whose elements are S, into d's type.
// Every pair of types converts through chunks of wide values (see
// wide.Store), which keeps the binary small; the casts models use around
// float32 convert directly, at full speed.
func castFrom[S ops.Numeric](par ops.Parallel, d, x *ops.Tensor) func() error {
	return bindConvert(par, d, x)
}

// bindConvert binds d = x converted element by element with Go's
// conversion rules, which are ONNX's for every defined case (see Cast).
func bindConvert(par ops.Parallel, d, x *ops.Tensor) func() error {
	switch dt, xt := d.Type, x.Type; {
	case dt == onnx.Float && (xt == onnx.Uint8 || xt == onnx.Bool):
		return ops.BindMap(par, ops.Grain, d, x, castElems[float32, uint8])
	case dt == onnx.Float && xt == onnx.Int32:
		return ops.BindMap(par, ops.Grain, d, x, castElems[float32, int32])
	case dt == onnx.Float && xt == onnx.Int64:
		return ops.BindMap(par, ops.Grain, d, x, castElems[float32, int64])
	case dt == onnx.Int32 && xt == onnx.Float:
		return ops.BindMap(par, ops.Grain, d, x, castElems[int32, float32])
	case dt == onnx.Int64 && xt == onnx.Float:
		return ops.BindMap(par, ops.Grain, d, x, castElems[int64, float32])
	}
	return wide.BindMap(par, d, x, nil)
}

// castElems converts s into d with Go's conversion rules.
func castElems[D, S ops.Numeric](d []D, s []S) {
	for i, v := range s {
		d[i] = D(v)
	}
}

// BitCast (opset 26) reinterprets the input's little-endian bytes as
// attribute to's type, which must have the input's width; the shape is
// kept. A bool result is normalized to 0/1 ("not zero"). Float16 and
// bfloat16 are computed as float32, so int16 or uint16 bits become a
// float16 or bfloat16 value widened to float32, while a float32 input
// (which may stand for either 16-bit type) cast to a 16-bit type is
// unsupported, its bits being lost.
func init() { ops.Register("", "BitCast", 26, buildBitCast) }

// bitCastOp is a built BitCast.
type bitCastOp struct{ to ops.DType }

func buildBitCast(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	if !a.Has("to") {
		return nil, fmt.Errorf("attribute \"to\" is required")
	}
	b := &bitCastOp{to: ops.DType(a.Int("to", 0))}
	if err := a.Err(); err != nil {
		return nil, err
	}
	return b, castTarget(b.to, "attribute \"to\"")
}

// half reports whether t is one of the 16-bit float types computed as float32.
func half(t ops.DType) bool { return t == onnx.Float16 || t == onnx.BFloat16 }

// Infer checks the widths; the output has type to (float32 for the 16-bit
// floats) and the input's shape.
func (b *bitCastOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	t := in[0].Type
	if err := (tNumeric | tBool).check(in[0], "input"); err != nil {
		return nil, err
	}
	switch {
	case half(b.to) && (t == onnx.Int16 || t == onnx.Uint16):
		return []ops.Value{{Type: onnx.Float, Shape: in[0].Shape}}, nil
	case t == onnx.Float && ops.ElemSize(b.to) == 2:
		return nil, fmt.Errorf("input of type %s (which may hold float16 or bfloat16) to %s: %w", ops.TypeName(t), ops.TypeName(b.to), ops.ErrUnsupported)
	case ops.ElemSize(b.to) != ops.ElemSize(t):
		return nil, fmt.Errorf("attribute \"to\" is %s of %d bits, the input's type %s has %d", ops.TypeName(b.to), 8*ops.ElemSize(b.to), ops.TypeName(t), 8*ops.ElemSize(t))
	}
	return []ops.Value{{Type: b.to, Shape: in[0].Shape}}, nil
}

// InPlace lets the output overwrite the input when the types match (the
// runtime shares storage only between tensors of one type).
func (b *bitCastOp) InPlace(in []ops.Value) int {
	if in[0].Type == b.to {
		return 0
	}
	return -1
}

// Run reinterprets the bytes.
func (b *bitCastOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(b, ctx, in, out)
}

// Bind makes the copy or widening loop once.
func (b *bitCastOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x, y := in[0], out[0]
	switch {
	case b.to == onnx.Float16:
		return ops.BindMap(ctx.Par, ops.Grain, y, x, func(d []float32, s []uint16) {
			for i, v := range s {
				d[i] = onnx.F16ToF32(v)
			}
		}), nil
	case b.to == onnx.BFloat16:
		return ops.BindMap(ctx.Par, ops.Grain, y, x, func(d []float32, s []uint16) {
			for i, v := range s {
				d[i] = onnx.BF16ToF32(v)
			}
		}), nil
	case b.to == onnx.Bool && x.Type != onnx.Bool:
		return ewTable[x.Type].castTo(ctx.Par, y, x), nil
	}
	return func() error { ops.CopyUnlessShared(y.Data, x.Data); return nil }, nil
}
