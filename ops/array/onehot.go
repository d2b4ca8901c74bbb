package array

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// OneHot outputs, for indices of any numeric type (floats truncated toward
// zero), a tensor one rank higher: the new axis (attribute axis, default
// -1, the last; range [-r-1, r]) has depth entries, all values[0] (off)
// but values[1] (on) at the index. depth is a scalar of any numeric type
// (truncated), which must be constant since it sizes the output
// (ErrNotConstant otherwise). An index outside [0, depth) gives a row of
// off values; from opset 11 indices in [-depth, 0) count from the end.
func init() {
	for _, v := range []int{9, 11} {
		ops.Register("", "OneHot", v, buildOneHot)
	}
}

// oneHotOp is a built OneHot.
type oneHotOp struct {
	axis  int64
	negOK bool // negative indices count from the end (opset 11)
}

func buildOneHot(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	return &oneHotOp{axis: a.Int("axis", -1), negOK: opset >= 11}, a.Err()
}

// Infer inserts the constant depth at axis.
func (op *oneHotOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 3, 3); err != nil {
		return nil, err
	}
	idx, depth, values := in[0], in[1], in[2]
	if !ops.IsNumeric(idx.Type) {
		return nil, fmt.Errorf("input \"indices\" has type %s, want a numeric type", ops.TypeName(idx.Type))
	}
	if !ops.IsNumeric(depth.Type) || ops.NumElems(depth.Shape) != 1 || len(depth.Shape) > 1 {
		return nil, fmt.Errorf("input \"depth\" is %s%v, want a numeric scalar", ops.TypeName(depth.Type), depth.Shape)
	}
	if err := ops.CheckElemType(values, "values"); err != nil {
		return nil, err
	}
	if len(values.Shape) != 1 || values.Shape[0] != 2 {
		return nil, fmt.Errorf("input \"values\" has shape %v, want [2] (off and on)", values.Shape)
	}
	r := len(idx.Shape)
	if op.axis < int64(-r-1) || op.axis > int64(r) {
		return nil, fmt.Errorf("attribute \"axis\" is %d, want in [%d, %d] for indices of rank %d", op.axis, -r-1, r, r)
	}
	if depth.Const == nil {
		return nil, fmt.Errorf("input \"depth\": %w", ops.ErrNotConstant)
	}
	d := elemI64(depth.Const, 0)
	if d < 0 {
		return nil, fmt.Errorf("input \"depth\" is %d, want >= 0", d)
	}
	dim, err := ops.ToDim(d, "input \"depth\"")
	if err != nil {
		return nil, err
	}
	axis := op.outAxis(r)
	out := append(append(append([]int{}, idx.Shape[:axis]...), dim), idx.Shape[axis:]...)
	return []ops.Value{{Type: values.Type, Shape: out}}, nil
}

// outAxis is the output axis of the one-hot dim for indices of rank r.
func (op *oneHotOp) outAxis(r int) int {
	if op.axis < 0 {
		return int(op.axis) + r + 1
	}
	return int(op.axis)
}

// Run writes the one-hot rows.
func (op *oneHotOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// oneHotRows fills outer rows [lo, hi) of the output seen as [outer,
// depth, inner] with off, then sets on where the indices point.
type oneHotRows struct {
	dst, values      []byte
	idx              []int64
	depth, inner, es int
	negOK            bool
}

func (j *oneHotRows) Run(lo, hi int) {
	off, on := j.values[:j.es], j.values[j.es:2*j.es]
	row := j.depth * j.inner * j.es
	ops.FillElems(j.dst[lo*row:hi*row], off)
	for o := lo; o < hi; o++ {
		for k, v := range j.idx[o*j.inner : (o+1)*j.inner] {
			if v < 0 && j.negOK {
				v += int64(j.depth)
			}
			if v >= 0 && v < int64(j.depth) {
				at := o*row + (int(v)*j.inner+k)*j.es
				copy(j.dst[at:at+j.es], on)
			}
		}
	}
}

// Bind makes the space for the indices as int64 and the row loop once.
func (op *oneHotOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	idx, values, y := in[0], in[2], out[0]
	axis := op.outAxis(len(idx.Shape))
	j := &oneHotRows{
		idx: make([]int64, idx.Len()), depth: y.Shape[axis], inner: ops.NumElems(idx.Shape[axis:]),
		es: ops.ElemSize(y.Type), negOK: op.negOK,
	}
	outer := ops.NumElems(idx.Shape[:axis])
	grain := max(1, 1<<15/max(j.depth*j.inner*j.es, 1))
	fill := ops.BindLoop(ctx.Par, outer, grain, j, func() { j.dst, j.values = y.Data, values.Data })
	return func() error {
		toInt64s(idx, j.idx)
		return fill()
	}, nil
}
