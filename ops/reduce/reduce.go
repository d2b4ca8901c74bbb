package reduce

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func init() {
	for _, v := range []int{1, 11, 18} {
		ops.Register("", "ReduceMean", v, buildReduceMean)
	}
}

// reduceMeanOp is a built ReduceMean: it averages its input over a set of
// axes.
type reduceMeanOp struct {
	axes      []int64 // attribute before opset 18
	axesInput bool    // axes is optional input 1 (opset 18)
	keepDims  bool
	noopEmpty bool // no axes means no reduction rather than all axes (opset 18)
	negOK     bool // negative axes (opset 11)
}

func buildReduceMean(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &reduceMeanOp{axesInput: opset >= 18, keepDims: a.Int("keepdims", 1) != 0, negOK: opset >= 11}
	if op.axesInput {
		op.noopEmpty = a.Int("noop_with_empty_axes", 0) != 0
	} else {
		op.axes = a.Ints("axes")
	}
	return op, a.Err()
}

// reduced marks the axes averaged over.
func (op *reduceMeanOp) reduced(in []ops.Value) ([]bool, error) {
	spec := op.axes
	if op.axesInput && ops.HasInput(in, 1) {
		var err error
		if spec, err = ops.ConstInts(in[1], "axes"); err != nil {
			return nil, err
		}
	}
	mask := make([]bool, len(in[0].Shape))
	if len(spec) == 0 {
		for i := range mask {
			mask[i] = !op.noopEmpty
		}
		return mask, nil
	}
	axes, err := ops.AxesIn(spec, len(mask), op.negOK)
	if err != nil {
		return nil, fmt.Errorf("axes: %w", err)
	}
	for _, a := range axes {
		mask[a] = true
	}
	return mask, nil
}

// Infer drops or keeps as 1 each reduced dim.
func (op *reduceMeanOp) Infer(in []ops.Value) ([]ops.Value, error) {
	hi := 1
	if op.axesInput {
		hi = 2
	}
	if err := ops.CheckInputs(in, 1, hi); err != nil {
		return nil, err
	}
	x := in[0]
	switch x.Type {
	case onnx.Float, onnx.Double, onnx.Int32, onnx.Int64, onnx.Uint32, onnx.Uint64:
	default:
		return nil, fmt.Errorf("input \"data\" has type %s, want float, double, int32, int64, uint32 or uint64", ops.TypeName(x.Type))
	}
	mask, err := op.reduced(in)
	if err != nil {
		return nil, err
	}
	out := []int{}
	count := 1
	for i, d := range x.Shape {
		switch {
		case !mask[i]:
			out = append(out, d)
		case op.keepDims:
			out = append(out, 1)
		}
		if mask[i] {
			count *= d
		}
	}
	if count == 0 && x.Type != onnx.Float && x.Type != onnx.Double && ops.NumElems(out) > 0 {
		return nil, fmt.Errorf("the mean of no %s elements (reducing an empty axis) is undefined", ops.TypeName(x.Type))
	}
	return []ops.Value{{Type: x.Type, Shape: out}}, nil
}

// reducePlan is a reduction over a row-major input with size-1 dims dropped
// and neighbouring dims of the same kind (kept or reduced) merged. An output
// element sums, for each index of the reduced dims, a contiguous run of run
// elements (the innermost dim when it is reduced).
type reducePlan struct {
	keepShape, keepStrides []int
	redShape, redStrides   []int
	run, count             int
}

func newReducePlan(shape []int, mask []bool) *reducePlan {
	p := &reducePlan{run: 1, count: 1}
	st := ops.Strides(shape)
	last := -1 // kind of the previous kept dim: 0 kept, 1 reduced
	for k, d := range shape {
		if mask[k] {
			p.count *= d
		}
		if d == 1 {
			continue
		}
		kind := 0
		if mask[k] {
			kind = 1
		}
		sh, ss := &p.keepShape, &p.keepStrides
		if kind == 1 {
			sh, ss = &p.redShape, &p.redStrides
		}
		if kind == last {
			(*sh)[len(*sh)-1] *= d
			(*ss)[len(*ss)-1] = st[k]
		} else {
			*sh = append(*sh, d)
			*ss = append(*ss, st[k])
		}
		last = kind
	}
	if n := len(p.redShape); n > 0 && p.redStrides[n-1] == 1 {
		p.run = p.redShape[n-1]
		p.redShape, p.redStrides = p.redShape[:n-1], p.redStrides[:n-1]
	}
	return p
}

// Run averages with a float64 accumulator for floats and a 64-bit integer
// one (truncating division) for integers.
func (op *reduceMeanOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the reduction at the first call: the axes are the same at
// every run of a plan (the output shape depends on them), but in a plan run
// without optimizations they may be computed by earlier steps.
func (op *reduceMeanOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	var mean func()
	return func() error {
		if mean == nil {
			x, y := in[0], out[0]
			mask, err := op.reduced(ops.ConstValues(in))
			if err != nil {
				return err
			}
			p := newReducePlan(x.Shape, mask)
			switch x.Type {
			case onnx.Float:
				mean = bindMean[float32, float64](ctx.Par, y, x, p)
			case onnx.Double:
				mean = bindMean[float64, float64](ctx.Par, y, x, p)
			case onnx.Int32:
				mean = bindMean[int32, int64](ctx.Par, y, x, p)
			case onnx.Int64:
				mean = bindMean[int64, int64](ctx.Par, y, x, p)
			case onnx.Uint32:
				mean = bindMean[uint32, uint64](ctx.Par, y, x, p)
			default:
				mean = bindMean[uint64, uint64](ctx.Par, y, x, p)
			}
		}
		mean()
		return nil
	}, nil
}

// meanElem is an element or accumulator type ReduceMean computes in.
type meanElem interface {
	~float32 | ~float64 | ~int32 | ~int64 | ~uint32 | ~uint64
}

// bindMean binds the writing of each element of d as the mean of its
// reduced elements of x, summed in A.
func bindMean[T, A meanElem](par ops.Parallel, d, x *ops.Tensor, p *reducePlan) func() {
	reds := ops.NumElems(p.redShape)
	div := A(p.count)
	var dst, src []T
	body := func(lo, hi int) {
		for o := lo; o < hi; o++ {
			base := ops.StridedOffset(o, p.keepShape, p.keepStrides)
			var sum A
			for r := 0; r < reds; r++ {
				s := base + ops.StridedOffset(r, p.redShape, p.redStrides)
				for _, v := range src[s : s+p.run] {
					sum += A(v)
				}
			}
			dst[o] = T(sum / div)
		}
	}
	n := ops.NumElems(p.keepShape)
	return func() {
		dst, src = ops.Elems[T](d), ops.Elems[T](x)
		par.For(n, max(1, 1<<14/max(p.count, 1)), body)
	}
}
