package reduce

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/wide"
)

// TopK gives the k largest (or, from opset 11 with largest 0, smallest)
// elements along axis (default -1) and their int64 indices, best first.
// k is an attribute in opset 1 and a constant one-element int64 input
// from 10. Equal values keep their order along the axis (the lower index
// first); as in the spec's reference, which sorts with numpy, NaN ranks
// above every number, so it comes first among the largest and last among
// the smallest. The output is sorted even when sorted is 0 (the order is
// then unspecified). float32 and float64, and every numeric type from 11.
// Each line is selected with a heap of k indices: O(n log k).
func init() {
	for _, v := range []int{1, 10, 11, 24} {
		ops.Register("", "TopK", v, buildTopK)
	}
}

// topKOp is a built TopK.
type topKOp struct {
	opset    int
	k        int64 // attribute in opset 1
	axis     int64
	smallest bool
}

func buildTopK(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &topKOp{opset: opset, axis: a.Int("axis", -1)}
	if opset < 10 {
		if !a.Has("k") {
			return nil, fmt.Errorf("attribute \"k\" is required")
		}
		op.k = a.Int("k", 0)
	}
	if opset >= 11 {
		op.smallest = a.Int("largest", 1) == 0
		a.Int("sorted", 1) // always sorted
	}
	return op, a.Err()
}

// resolve gives the axis and k for an input shape.
func (op *topKOp) resolve(in []ops.Value) (axis, k int, err error) {
	x := in[0]
	if axis, err = ops.AxisIn(op.axis, len(x.Shape), true); err != nil {
		return 0, 0, fmt.Errorf("attribute \"axis\": %w", err)
	}
	k64 := op.k
	if op.opset >= 10 {
		ks, err := ops.ConstInts(in[1], "K")
		if err != nil {
			return 0, 0, err
		}
		if len(ks) != 1 {
			return 0, 0, fmt.Errorf("input \"K\" has %d values, want 1", len(ks))
		}
		k64 = ks[0]
	}
	if k64 < 0 || k64 > int64(x.Shape[axis]) {
		return 0, 0, fmt.Errorf("k is %d, want 0 to %d (the size of axis %d)", k64, x.Shape[axis], axis)
	}
	return axis, int(k64), nil
}

// Infer gives Values and Indices the input's shape with k along the axis.
func (op *topKOp) Infer(in []ops.Value) ([]ops.Value, error) {
	n := 1
	if op.opset >= 10 {
		n = 2
	}
	if err := ops.CheckInputs(in, n, n); err != nil {
		return nil, err
	}
	x := in[0]
	if op.opset < 11 && !ops.IsFloat(x.Type) {
		if err := ops.CheckElemType(x, "X"); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("input \"X\" has type %s, want float32 or float64 before opset 11", ops.TypeName(x.Type))
	}
	if err := checkNumeric(x, "X"); err != nil {
		return nil, err
	}
	axis, k, err := op.resolve(in)
	if err != nil {
		return nil, err
	}
	shape := append([]int(nil), x.Shape...)
	shape[axis] = k
	return []ops.Value{{Type: x.Type, Shape: shape}, {Type: onnx.Int64, Shape: shape}}, nil
}

// Run selects.
func (op *topKOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the selection at the first call (k may come from an earlier
// step in a plan run without optimizations) and splits the lines into one
// task per thread, each with its own heap.
func (op *topKOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	var run func() error
	return func() error {
		if run == nil {
			axis, k, err := op.resolve(ops.ConstValues(in))
			if err != nil {
				return err
			}
			x := in[0]
			l := lines{outer: ops.NumElems(x.Shape[:axis]), n: x.Shape[axis], inner: ops.NumElems(x.Shape[axis+1:])}
			switch x.Type {
			case onnx.Float:
				run = bindTopK[float32](ctx.Par, op.smallest, l, k, in[0], out)
			case onnx.Double:
				run = bindTopK[float64](ctx.Par, op.smallest, l, k, in[0], out)
			case onnx.Uint64: // top bits flipped, int64 copies order alike
				run = wide.FlippedUint64(in[:1], out[:1], func(xs, ys []*ops.Tensor) func() error {
					return bindTopK[int64](ctx.Par, op.smallest, l, k, xs[0], []*ops.Tensor{ys[0], out[1]})
				})
			case onnx.Int64:
				run = bindTopK[int64](ctx.Par, op.smallest, l, k, in[0], out)
			default: // on int64 copies of X and Values, which order alike
				run = wide.Widened(onnx.Int64, in[:1], out[:1], func(xs, ys []*ops.Tensor) func() error {
					return bindTopK[int64](ctx.Par, op.smallest, l, k, xs[0], []*ops.Tensor{ys[0], out[1]})
				})
			}
		}
		return run()
	}, nil
}

// bindTopK binds the selection of the top k of each line of x into the
// values and indices out.
func bindTopK[T ops.Numeric](par ops.Parallel, smallest bool, l lines, k int, x0 *ops.Tensor, out []*ops.Tensor) func() error {
	var heaps [][]int
	var x, vals []T
	var idx []int64
	tasks, loop := ops.BindTasks(par, l.outer*l.inner, l.n, func(t, lo, hi int) {
		h := topHeap[T]{smallest: smallest, at: heaps[t], stride: l.inner}
		for line := lo; line < hi; line++ {
			h.x = x[line/l.inner*l.n*l.inner+line%l.inner:]
			h.selectTop(l.n)
			obase := line/l.inner*k*l.inner + line%l.inner
			for r, i := range h.at {
				vals[obase+r*l.inner] = h.x[i*l.inner]
				idx[obase+r*l.inner] = int64(i)
			}
		}
	})
	heaps = make([][]int, tasks)
	for i := range heaps {
		heaps[i] = make([]int, k)
	}
	return func() error {
		if k != 0 {
			x, vals, idx = ops.Elems[T](x0), ops.Elems[T](out[0]), out[1].I64()
			loop()
		}
		return nil
	}
}

// topHeap selects the best len(at) of a line x[0], x[stride]... into at,
// a heap with the worst kept index on top while selecting.
type topHeap[T ops.Numeric] struct {
	smallest bool
	x        []T
	stride   int
	at       []int
}

// before reports whether element i ranks before element j: a larger (or
// smaller) value, NaN above every number, the lower index between equals.
func (h *topHeap[T]) before(i, j int) bool {
	a, b := h.x[i*h.stride], h.x[j*h.stride]
	switch {
	case a != a || b != b: // a NaN
		if a != a && b != b {
			return i < j
		}
		return (a != a) != h.smallest
	case a == b:
		return i < j
	case h.smallest:
		return a < b
	}
	return a > b
}

// selectTop leaves in at the indices of the best len(at) of the first n
// elements, best first.
func (h *topHeap[T]) selectTop(n int) {
	k := len(h.at)
	for i := range k {
		h.at[i] = i
	}
	for i := k/2 - 1; i >= 0; i-- {
		h.down(i, k)
	}
	for i := k; i < n; i++ {
		if h.before(i, h.at[0]) {
			h.at[0] = i
			h.down(0, k)
		}
	}
	for end := k - 1; end > 0; end-- { // move the worst to the back
		h.at[0], h.at[end] = h.at[end], h.at[0]
		h.down(0, end)
	}
}

// down restores the heap order (every parent ranks after its children)
// below position i of at[:n].
func (h *topHeap[T]) down(i, n int) {
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if c+1 < n && h.before(h.at[c], h.at[c+1]) {
			c++
		}
		if !h.before(h.at[i], h.at[c]) {
			return
		}
		h.at[i], h.at[c] = h.at[c], h.at[i]
		i = c
	}
}
