package reduce

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/wide"
)

// CumSum (opset 11, 14) and CumProd (26) give the running sum or product
// of x along the axis given by input 1 (a scalar int32 or int64, negative
// counting from the back), which may change from run to run. exclusive
// leaves each element out of its own result (the first is 0 or 1);
// reverse runs from the end of the axis. Types float32, float64, int32,
// int64, uint32 and uint64, accumulated in the element type as numpy does
// (integers wrap).
func init() {
	for _, v := range []int{11, 14} {
		ops.Register("", "CumSum", v, buildCum(false))
	}
	ops.Register("", "CumProd", 26, buildCum(true))
}

// cumOp is a built CumSum or CumProd.
type cumOp struct {
	prod, exclusive, reverse bool
}

func buildCum(prod bool) ops.Builder {
	return func(n *onnx.Node, opset int) (ops.Op, error) {
		a := ops.AttrsOf(n)
		op := &cumOp{prod: prod, exclusive: a.Int("exclusive", 0) != 0, reverse: a.Int("reverse", 0) != 0}
		return op, a.Err()
	}
}

// Infer checks the types, and the axis when it is known; y is shaped as x.
func (op *cumOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	x := in[0]
	switch x.Type {
	case onnx.Float, onnx.Double, onnx.Int32, onnx.Int64, onnx.Uint32, onnx.Uint64:
	default:
		if err := ops.CheckElemType(x, "x"); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("input \"x\" has type %s, want float, double, int32, int64, uint32 or uint64", ops.TypeName(x.Type))
	}
	if a := in[1]; a.Type != onnx.Int32 && a.Type != onnx.Int64 || ops.NumElems(a.Shape) != 1 {
		return nil, fmt.Errorf("input \"axis\" is %s%v, want one int32 or int64", ops.TypeName(a.Type), a.Shape)
	}
	if in[1].Const != nil {
		if _, err := cumAxis(in[1].Const, len(x.Shape)); err != nil {
			return nil, err
		}
	}
	return []ops.Value{{Type: x.Type, Shape: x.Shape}}, nil
}

// cumAxis reads and normalizes the axis input.
func cumAxis(t *ops.Tensor, rank int) (int, error) {
	a := int64(0)
	if t.Type == onnx.Int32 {
		a = int64(t.I32()[0])
	} else {
		a = t.I64()[0]
	}
	ax, err := ops.AxisIn(a, rank, true)
	if err != nil {
		return 0, fmt.Errorf("input \"axis\": %w", err)
	}
	return ax, nil
}

// InPlace lets y overwrite x: every element is read before it is written.
func (op *cumOp) InPlace(in []ops.Value) int { return 0 }

// Run computes the running sums or products.
func (op *cumOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind binds the loop over the lines along the axis, read at every run.
func (op *cumOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	switch in[0].Type {
	case onnx.Float:
		return bindCum[float32](ctx.Par, op, in, out[0]), nil
	case onnx.Double:
		return bindCum[float64](ctx.Par, op, in, out[0]), nil
	case onnx.Int32, onnx.Uint32: // on int64 copies, which wrap to the same low bits
		return wide.Widened(onnx.Int64, in[:1], out, func(xs, ys []*ops.Tensor) func() error {
			return bindCum[int64](ctx.Par, op, append(xs, in[1:]...), ys[0])
		}), nil
	}
	return bindCum[int64](ctx.Par, op, in, out[0]), nil // int64, and uint64 as the same bits
}

func bindCum[T ops.Numeric](par ops.Parallel, op *cumOp, in []*ops.Tensor, y *ops.Tensor) func() error {
	j := &cumJob[T]{op: op}
	var loop ops.Loop
	loop.Bind(j)
	return func() error {
		x := in[0]
		ax, err := cumAxis(in[1], len(x.Shape))
		if err != nil {
			return err
		}
		j.l = lines{outer: ops.NumElems(x.Shape[:ax]), n: x.Shape[ax], inner: ops.NumElems(x.Shape[ax+1:])}
		j.x, j.y = ops.Elems[T](x), ops.Elems[T](y)
		loop.Run(par, j.l.outer*j.l.inner, max(1, ops.Grain/max(j.l.n, 1)))
		return nil
	}
}

// cumJob runs the lines of a range.
type cumJob[T ops.Numeric] struct {
	op   *cumOp
	l    lines
	x, y []T
}

// Run computes lines [lo, hi): a contiguous line at a time when the axis
// is innermost, otherwise a column tile of one outer block at a time with
// its running values on the stack.
func (j *cumJob[T]) Run(lo, hi int) {
	in, n := j.l.inner, j.l.n
	var acc [tile]T
	for o := lo; o < hi; {
		blk, c := o/in, o%in
		m := min(tile, in-c, hi-o)
		base := blk*n*in + c
		a := acc[:m]
		if j.op.prod {
			ops.Fill(a, 1)
		} else {
			clear(a)
		}
		for step := range n {
			k := step
			if j.op.reverse {
				k = n - 1 - step
			}
			off := base + k*in
			if m == 1 {
				// Contiguous lines (in == 1) or a lone column: element by element.
				a[0] = j.cumStep(a[0], j.x[off], &j.y[off])
				continue
			}
			xs, ys := j.x[off:off+m], j.y[off:off+m]
			for i := range a {
				a[i] = j.cumStep(a[i], xs[i], &ys[i])
			}
		}
		o += m
	}
}

// cumStep stores the running value for element v in *d (before or, if
// inclusive, after combining v) and returns the new running value. v is
// read before *d is written, which may be where v came from.
func (j *cumJob[T]) cumStep(a, v T, d *T) T {
	prev := a
	if j.op.prod {
		a *= v
	} else {
		a += v
	}
	if j.op.exclusive {
		*d = prev
	} else {
		*d = a
	}
	return a
}
