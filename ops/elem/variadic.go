package elem

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Sum, Max, Min and Mean of one or more inputs of one type. From opset 8
// the inputs broadcast numpy-style; before, they must share one shape.
// Sum, Max and Min compute every numeric type, Mean the floats (the sum
// divided by the count). Max and Min give NaN where any input is NaN.
func init() {
	for _, op := range []struct {
		name     string
		kind     binKind
		types    typeSet
		versions []int
	}{
		{"Sum", binAdd, tNumeric, []int{1, 6, 8, 13}},
		{"Max", binMax, tNumeric, []int{1, 6, 8, 12, 13}},
		{"Min", binMin, tNumeric, []int{1, 6, 8, 12, 13}},
		{"Mean", binAdd, tFloat, []int{1, 6, 8, 13}},
	} {
		for _, v := range op.versions {
			ops.Register("", op.name, v, buildVariadic(op.kind, op.types, op.name == "Mean"))
		}
	}
}

// variadicOp is a built Sum, Max, Min or Mean.
type variadicOp struct {
	kind      binKind // how two inputs combine
	types     typeSet
	mean      bool // divide by the count at the end
	broadcast bool // opset >= 8
}

func buildVariadic(kind binKind, types typeSet, mean bool) ops.Builder {
	return func(n *onnx.Node, opset int) (ops.Op, error) {
		return &variadicOp{kind: kind, types: types, mean: mean, broadcast: opset >= 8}, nil
	}
}

// shape is the output's shape.
func (s *variadicOp) shape(in []ops.Value) ([]int, error) {
	shapes := make([][]int, len(in))
	for i, v := range in {
		if !s.broadcast && !ops.SameShape(v.Shape, in[0].Shape) {
			return nil, fmt.Errorf("input %d has shape %v, want input 0's shape %v (broadcasting needs opset 8)", i, v.Shape, in[0].Shape)
		}
		shapes[i] = v.Shape
	}
	return ops.BroadcastShape(shapes...)
}

// Infer checks that all inputs are present, share a type and broadcast.
func (s *variadicOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("got no inputs, want at least 1")
	}
	t := in[0].Type
	if err := s.types.check(in[0], "data_0"); err != nil {
		return nil, err
	}
	for i, v := range in {
		if v.Type != t {
			return nil, fmt.Errorf("input %d has type %s, want input 0's type %s", i, ops.TypeName(v.Type), ops.TypeName(t))
		}
	}
	out, err := s.shape(in)
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: t, Shape: out}}, nil
}

// InPlace lets the result overwrite input 0 or 1 when it has the output's
// shape. With more inputs it never does: a later input could be the same
// tensor.
func (s *variadicOp) InPlace(in []ops.Value) int {
	if len(in) > 2 {
		return -1
	}
	out, err := s.shape(in)
	return ewFullInput(in, out, err)
}

// Run combines the first two inputs into the output, then each further one.
func (s *variadicOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(s, ctx, in, out)
}

// Bind plans each step's broadcast once.
func (s *variadicOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	d := out[0]
	k := ewTable[d.Type]
	var steps []func()
	if len(in) == 1 {
		steps = append(steps, func() { ops.CopyUnlessShared(d.Data, in[0].Data) })
	} else {
		steps = append(steps, k.binary(ctx.Par, s.kind, d, in[0], in[1], in[0].Shape, in[1].Shape))
		for _, t := range in[2:] {
			steps = append(steps, k.binary(ctx.Par, s.kind, d, d, t, d.Shape, t.Shape))
		}
	}
	if s.mean && len(in) > 1 {
		n := ops.New(d.Type, 1)
		switch d.Type {
		case onnx.Float:
			n.F32()[0] = float32(len(in))
		default:
			n.F64()[0] = float64(len(in))
		}
		steps = append(steps, k.binary(ctx.Par, binDiv, d, d, n, d.Shape, nil))
	}
	return func() error {
		for _, f := range steps {
			f()
		}
		return nil
	}, nil
}
