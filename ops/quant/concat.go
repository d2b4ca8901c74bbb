package quant

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/qgemm"
)

// The com.microsoft QLinearConcat (version 1) concatenates uint8/int8
// tensors along attribute axis (required, negative counting from the
// back), requantizing each to the output's scale and zero point: its
// inputs are Y_scale, Y_zero_point, then a (tensor, scale, zero point)
// triple per tensor, every scale and zero point per tensor. A tensor with
// the output's parameters is copied; the others go through the table of
// lookup.go (ONNX Runtime's arithmetic).
func init() {
	ops.Register("com.microsoft", "QLinearConcat", 1, func(n *onnx.Node, _ int) (ops.Op, error) {
		a := ops.AttrsOf(n)
		if !a.Has("axis") {
			return nil, fmt.Errorf("attribute \"axis\" is required")
		}
		axis := a.Int("axis", 0)
		if err := a.Err(); err != nil {
			return nil, err
		}
		return qlinearConcat{axis: axis}, nil
	})
}

// qlinearConcat is a built QLinearConcat.
type qlinearConcat struct{ axis int64 }

// name is input i's name in messages.
func (qlinearConcat) name(i int) string {
	switch {
	case i == 0:
		return "Y_scale"
	case i == 1:
		return "Y_zero_point"
	}
	return fmt.Sprintf("%s %d", [3]string{"tensor", "scale", "zero point"}[(i-2)%3], (i-2)/3)
}

// Infer checks the triples; Y is their concatenation, of Y_zero_point's type.
func (q qlinearConcat) Infer(in []ops.Value) ([]ops.Value, error) {
	if len(in) < 5 || (len(in)-2)%3 != 0 {
		return nil, fmt.Errorf("got %d inputs, want Y_scale, Y_zero_point and (tensor, scale, zero point) triples", len(in))
	}
	for i, v := range in {
		if v.Type == onnx.Undefined {
			return nil, fmt.Errorf("input %q is missing", q.name(i))
		}
	}
	if err := checkQ8(in[1], q.name(1)); err != nil {
		return nil, err
	}
	if err := checkPerShape(in[1].Shape, q.name(1), 0); err != nil {
		return nil, err
	}
	if err := checkScale(in[0], q.name(0), 0); err != nil {
		return nil, err
	}
	first := in[2].Shape
	axis, err := ops.AxisIn(q.axis, len(first), true)
	if err != nil {
		return nil, fmt.Errorf("attribute \"axis\": %w", err)
	}
	out := append([]int(nil), first...)
	out[axis] = 0
	for i := 2; i < len(in); i += 3 {
		x := in[i]
		if x.Type != in[1].Type {
			return nil, fmt.Errorf("input %q has type %s, want %s like %q", q.name(i), ops.TypeName(x.Type), ops.TypeName(in[1].Type), q.name(1))
		}
		if err := checkScale(in[i+1], q.name(i+1), 0); err != nil {
			return nil, err
		}
		if err := checkZeroPoint(in[i+2], q.name(i+2), x.Type, q.name(i), 0); err != nil {
			return nil, err
		}
		if len(x.Shape) != len(first) {
			return nil, fmt.Errorf("input %q has shape %v, want rank %d like %v", q.name(i), x.Shape, len(first), first)
		}
		for d := range first {
			if d != axis && x.Shape[d] != first[d] {
				return nil, fmt.Errorf("input %q has shape %v, which differs from %v outside axis %d", q.name(i), x.Shape, first, axis)
			}
		}
		out[axis] += x.Shape[axis]
	}
	return []ops.Value{{Type: in[1].Type, Shape: out}}, nil
}

// Run concatenates into out[0].
func (q qlinearConcat) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(q, ctx, in, out)
}

// Bind resolves the axis and makes the tables and the loop once; the
// tables are filled at every run.
func (q qlinearConcat) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	axis, err := ops.AxisIn(q.axis, len(in[2].Shape), true)
	if err != nil {
		return nil, err
	}
	y := out[0]
	outer := ops.NumElems(y.Shape[:axis])
	rowLen := ops.NumElems(y.Shape[axis:]) // bytes of one outer index of y
	k := (len(in) - 2) / 3
	tables := make([]*[256]byte, k)
	copies := make([]bool, k)
	offs, lens := make([]int, k), make([]int, k) // each input's offset and bytes in a row of y
	for t := range k {
		x := in[2+3*t]
		tables[t] = new([256]byte)
		lens[t] = ops.NumElems(x.Shape[axis:])
		if t > 0 {
			offs[t] = offs[t-1] + lens[t-1]
		}
	}
	// body copies or maps the rows [lo, hi) of every input.
	body := func(lo, hi int) {
		for t := range k {
			x := in[2+3*t].Data
			for r := lo; r < hi; r++ {
				src, dst := x[r*lens[t]:(r+1)*lens[t]], y.Data[r*rowLen+offs[t]:][:lens[t]]
				if copies[t] {
					copy(dst, src)
					continue
				}
				qgemm.Lookup(dst, src, tables[t])
			}
		}
	}
	return func() error {
		for t := range k {
			xs, xzp := in[3+3*t], in[4+3*t]
			copies[t] = xs.F32()[0] == in[0].F32()[0] && xzp.Data[0] == in[1].Data[0]
			if !copies[t] {
				buildTable(tables[t], y.Type, xs, xzp, in[0], in[1], nil)
			}
		}
		ctx.Par.For(outer, max(1, ops.Grain/max(1, rowLen)), body)
		return nil
	}, nil
}
