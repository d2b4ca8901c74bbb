package elem

import (
	"fmt"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Cast converts between the numeric types and bool. Floats become integers
// by truncation toward zero (out of range is undefined, as in the spec),
// integers narrow by dropping high bits, anything becomes bool as "not
// zero", and bool becomes 0 or 1. Float16 and bfloat16 are not computed
// (the runtime widens them to float32 at the graph's boundary), so a cast to
// FLOAT16 or BFLOAT16 yields float32 values rounded to that precision
// (nearest, ties to even). The saturate and round_mode attributes only
// concern float8 types, which are not supported. Cast-1 names the target
// type with a string ("FLOAT", "INT64"...), later versions with its number.
func init() {
	ops.Register("", "Cast", 1, buildCast)
	ops.Register("", "Cast", 6, buildCast)
}

// castOp is a built Cast.
type castOp struct {
	to ops.DType // the requested type, possibly Float16 or BFloat16
}

// castTypeNames are the TensorProto.DataType names Cast-1 accepts.
var castTypeNames = map[string]ops.DType{
	"FLOAT": onnx.Float, "DOUBLE": onnx.Double, "FLOAT16": onnx.Float16, "BFLOAT16": onnx.BFloat16,
	"INT8": onnx.Int8, "INT16": onnx.Int16, "INT32": onnx.Int32, "INT64": onnx.Int64,
	"UINT8": onnx.Uint8, "UINT16": onnx.Uint16, "UINT32": onnx.Uint32, "UINT64": onnx.Uint64,
	"BOOL": onnx.Bool,
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
	if !ops.IsNumeric(c.to) && c.to != onnx.Bool && c.to != onnx.Float16 && c.to != onnx.BFloat16 {
		return nil, fmt.Errorf("attribute \"to\" is %s, want a numeric or bool type", ops.TypeName(c.to))
	}
	return c, nil
}

// outType is the computed output type: float32 stands for float16 and bfloat16.
func (c *castOp) outType() ops.DType {
	if c.to == onnx.Float16 || c.to == onnx.BFloat16 {
		return onnx.Float
	}
	return c.to
}

// Infer checks the input's type; the output has type to and the input's shape.
func (c *castOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if t := in[0].Type; !ops.IsNumeric(t) && t != onnx.Bool {
		return nil, fmt.Errorf("input has type %s, want a numeric or bool type", ops.TypeName(t))
	}
	return []ops.Value{{Type: c.outType(), Shape: in[0].Shape}}, nil
}

// InPlace lets the output overwrite the input when the types match.
func (c *castOp) InPlace(in []ops.Value) int {
	if in[0].Type == c.outType() {
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
func castFrom[S ops.Numeric](par ops.Parallel, d, x *ops.Tensor) func() error {
	switch d.Type {
	case onnx.Float:
		return ops.BindMap(par, ops.Grain, d, x, castElems[float32, S])
	case onnx.Double:
		return ops.BindMap(par, ops.Grain, d, x, castElems[float64, S])
	case onnx.Int8:
		return ops.BindMap(par, ops.Grain, d, x, castElems[int8, S])
	case onnx.Int16:
		return ops.BindMap(par, ops.Grain, d, x, castElems[int16, S])
	case onnx.Int32:
		return ops.BindMap(par, ops.Grain, d, x, castElems[int32, S])
	case onnx.Int64:
		return ops.BindMap(par, ops.Grain, d, x, castElems[int64, S])
	case onnx.Uint8:
		return ops.BindMap(par, ops.Grain, d, x, castElems[uint8, S])
	case onnx.Uint16:
		return ops.BindMap(par, ops.Grain, d, x, castElems[uint16, S])
	case onnx.Uint32:
		return ops.BindMap(par, ops.Grain, d, x, castElems[uint32, S])
	case onnx.Uint64:
		return ops.BindMap(par, ops.Grain, d, x, castElems[uint64, S])
	}
	// Bool
	return ops.BindMap(par, ops.Grain, d, x, func(b []uint8, s []S) {
		for i, v := range s {
			b[i] = 0
			if v != 0 {
				b[i] = 1
			}
		}
	})
}

// castElems converts s into d with Go's conversion rules, which are ONNX's
// for every defined case.
func castElems[D, S ops.Numeric](d []D, s []S) {
	for i, v := range s {
		d[i] = D(v)
	}
}
