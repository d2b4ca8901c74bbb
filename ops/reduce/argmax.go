package reduce

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/wide"
)

// ArgMax and ArgMin give the int64 index along axis (default 0; negative
// from opset 11) of the largest or smallest element, keeping the axis as 1
// (keepdims, the default) or dropping it. Ties go to the first index, or
// from opset 12 with select_last_index to the last. As numpy's argmax and
// argmin, on which the spec's reference is built, a NaN counts as the
// extreme, so the first (or last) NaN of a line wins. Every numeric type;
// the axis must not be empty.
func init() {
	for _, v := range []int{1, 11, 12, 13} {
		ops.Register("", "ArgMax", v, buildArg(false))
		ops.Register("", "ArgMin", v, buildArg(true))
	}
}

// argOp is a built ArgMax or ArgMin.
type argOp struct {
	min, last, keepDims, negOK bool
	axis                       int64
}

func buildArg(min bool) ops.Builder {
	return func(n *onnx.Node, opset int) (ops.Op, error) {
		a := ops.AttrsOf(n)
		op := &argOp{min: min, axis: a.Int("axis", 0), keepDims: a.Int("keepdims", 1) != 0, negOK: opset >= 11}
		if opset >= 12 {
			op.last = a.Int("select_last_index", 0) != 0
		}
		return op, a.Err()
	}
}

// Infer drops or keeps as 1 the axis.
func (op *argOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if err := checkNumeric(x, "data"); err != nil {
		return nil, err
	}
	ax, err := ops.AxisIn(op.axis, len(x.Shape), op.negOK)
	if err != nil {
		return nil, fmt.Errorf("attribute \"axis\": %w", err)
	}
	shape := append([]int{}, x.Shape[:ax]...)
	if op.keepDims {
		shape = append(shape, 1)
	}
	shape = append(shape, x.Shape[ax+1:]...)
	if x.Shape[ax] == 0 && ops.NumElems(shape) > 0 {
		return nil, fmt.Errorf("input \"data\" %v is empty along axis %d: no index to give", x.Shape, ax)
	}
	return []ops.Value{{Type: onnx.Int64, Shape: shape}}, nil
}

// checkNumeric requires a numeric element type of input v named name.
func checkNumeric(v ops.Value, name string) error {
	if ops.IsNumeric(v.Type) {
		return nil
	}
	if err := ops.CheckElemType(v, name); err != nil {
		return err
	}
	return fmt.Errorf("input %q has type %s, want a numeric type", name, ops.TypeName(v.Type))
}

// Run finds the indices.
func (op *argOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind binds the search over every line along the axis.
func (op *argOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x := in[0]
	ax, err := ops.AxisIn(op.axis, len(x.Shape), op.negOK)
	if err != nil {
		return nil, err
	}
	l := lines{outer: ops.NumElems(x.Shape[:ax]), n: x.Shape[ax], inner: ops.NumElems(x.Shape[ax+1:])}
	return bindArg(ctx.Par, x, l, argDir{min: op.min, last: op.last}, out[0], false), nil
}

// lines views a tensor as outer x n x inner: outer*inner lines of n
// elements, inner apart.
type lines struct{ outer, n, inner int }

// argDir says which extreme an arg search looks for.
type argDir struct{ min, last bool }

// bindArg binds the search, for every line of x, of its extreme's index.
// The indices go to y, one int64 per line, or, when oneHot is set, y (of
// x's type and shape, cleared by the caller) gets a 1 at each extreme.
func bindArg(par ops.Parallel, x *ops.Tensor, l lines, dir argDir, y *ops.Tensor, oneHot bool) func() error {
	switch x.Type {
	case onnx.Float:
		return bindArgOf[float32](par, x, l, dir, y, oneHot)
	case onnx.Double:
		return bindArgOf[float64](par, x, l, dir, y, oneHot)
	case onnx.Uint64: // top bits flipped, int64 copies order alike
		return wide.FlippedUint64([]*ops.Tensor{x}, nil, func(xs, _ []*ops.Tensor) func() error {
			return bindArgOf[int64](par, xs[0], l, dir, y, oneHot)
		})
	case onnx.Int64:
		return bindArgOf[int64](par, x, l, dir, y, oneHot)
	}
	// The narrower integers order alike as int64 copies (hot stays float).
	return wide.Widened(onnx.Int64, []*ops.Tensor{x}, nil, func(xs, _ []*ops.Tensor) func() error {
		return bindArgOf[int64](par, xs[0], l, dir, y, oneHot)
	})
}

func bindArgOf[T ops.Numeric](par ops.Parallel, x *ops.Tensor, l lines, dir argDir, y *ops.Tensor, oneHot bool) func() error {
	job := &argJob[T]{l: l, dir: dir}
	return ops.BindLoop(par, l.outer*l.inner, max(1, ops.Grain/max(l.n, 1)), job, func() {
		job.x = ops.Elems[T](x)
		if oneHot {
			job.hot = ops.Elems[T](y)
		} else {
			job.idx = y.I64()
		}
	})
}

// argJob searches the lines of a range, storing indices in idx or ones in hot.
type argJob[T ops.Numeric] struct {
	l      lines
	dir    argDir
	x, hot []T
	idx    []int64
}

// store records the extremes ix of the lines o, o+1...
func (j *argJob[T]) store(o int, ix []int64) {
	if j.hot == nil {
		copy(j.idx[o:], ix)
		return
	}
	in, n := j.l.inner, j.l.n
	for i, k := range ix {
		line := o + i
		j.hot[line/in*n*in+line%in+int(k)*in] = 1
	}
}

// Run searches lines [lo, hi): a contiguous line at a time when the axis
// is innermost, otherwise a column tile of one outer block at a time,
// stepping along the axis with the tile's elements side by side.
func (j *argJob[T]) Run(lo, hi int) {
	in, n := j.l.inner, j.l.n
	var idx [tile]int64
	if in == 1 {
		for o := lo; o < hi; o++ {
			idx[0] = lineArg(j.dir, j.x[o*n:][:n])
			j.store(o, idx[:1])
		}
		return
	}
	var best [tile]T
	for o := lo; o < hi; {
		blk, c := o/in, o%in
		m := min(tile, in-c, hi-o)
		base := blk*n*in + c
		b, ix := best[:m], idx[:m]
		copy(b, j.x[base:base+m])
		clear(ix)
		for k := 1; k < n; k++ {
			for i, v := range j.x[base+k*in:][:m] {
				if better(j.dir, v, b[i]) {
					b[i], ix[i] = v, int64(k)
				}
			}
		}
		j.store(o, ix)
		o += m
	}
}

// lineArg is the index of the extreme of s, which is not empty.
func lineArg[T ops.Numeric](d argDir, s []T) int64 {
	b, at := s[0], 0
	for i, v := range s {
		if better(d, v, b) {
			b, at = v, i
		}
	}
	return int64(at)
}

// better reports whether v replaces the current extreme b: a larger (or,
// searching the minimum, smaller) value or a NaN where b is not; also an
// equal one, or a NaN after a NaN, when the last index is wanted.
func better[T ops.Numeric](d argDir, v, b T) bool {
	if v != v { // NaN
		return d.last || b == b
	}
	if d.min {
		return v < b || d.last && v == b
	}
	return v > b || d.last && v == b
}
