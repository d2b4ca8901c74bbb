package array

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func init() {
	// Shape-15 adds start and end; the other versions add types.
	for _, v := range []int{1, 13, 15, 19, 21, 23, 24, 25} {
		ops.Register("", "Shape", v, buildShape)
	}
	// Size's versions add types.
	for _, v := range []int{1, 13, 19, 21, 23, 24, 25} {
		ops.Register("", "Size", v, buildSize)
	}
	// Negative indices from 11.
	for _, v := range []int{1, 11, 13} {
		ops.Register("", "Gather", v, buildGather)
	}
}

// shapeOp is a built Shape: it outputs its input's dims, optionally a
// [start, end) range of them.
type shapeOp struct {
	start int64
	end   *int64 // nil: to the last axis
}

func buildShape(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &shapeOp{}
	if opset >= 15 {
		op.start = a.Int("start", 0)
		if a.Has("end") {
			e := a.Int("end", 0)
			op.end = &e
		}
	}
	return op, a.Err()
}

// dims is the range of the input's axes Shape outputs: negative bounds count
// from the end, then both are clamped to [0, rank]; start > end is empty.
func (op *shapeOp) dims(rank int) (int, int) {
	clamp := func(x int64) int {
		if x < 0 {
			x += int64(rank)
		}
		return int(min(max(x, 0), int64(rank)))
	}
	s, e := clamp(op.start), rank
	if op.end != nil {
		e = clamp(*op.end)
	}
	return s, max(s, e)
}

// Infer gives a 1-D int64 output of the range's length.
func (op *shapeOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	s, e := op.dims(len(in[0].Shape))
	return []ops.Value{{Type: onnx.Int64, Shape: []int{e - s}}}, nil
}

// Run writes the dims.
func (op *shapeOp) Run(_ *ops.Ctx, in, out []*ops.Tensor) error {
	s, e := op.dims(len(in[0].Shape))
	o := out[0].I64()
	for i, d := range in[0].Shape[s:e] {
		o[i] = int64(d)
	}
	return nil
}

// sizeOp is a built Size: it outputs its input's element count as an
// int64 scalar.
type sizeOp struct{}

func buildSize(*onnx.Node, int) (ops.Op, error) { return sizeOp{}, nil }

// Infer gives an int64 scalar.
func (sizeOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	return []ops.Value{{Type: onnx.Int64, Shape: []int{}}}, nil
}

// Run writes the count.
func (sizeOp) Run(_ *ops.Ctx, in, out []*ops.Tensor) error {
	out[0].I64()[0] = int64(in[0].Len())
	return nil
}

// gatherOp is a built Gather: it picks entries of its data along one axis
// by index.
type gatherOp struct {
	axis  int64
	negOK bool // negative indices count from the end (opset 11)
}

func buildGather(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &gatherOp{axis: a.Int("axis", 0), negOK: opset >= 11}
	return op, a.Err()
}

// Infer gives data.shape[:axis] + indices.shape + data.shape[axis+1:].
func (op *gatherOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "data"); err != nil {
		return nil, err
	}
	if t := in[1].Type; t != onnx.Int64 && t != onnx.Int32 {
		return nil, fmt.Errorf("input \"indices\" has type %s, want int32 or int64", ops.TypeName(t))
	}
	data := in[0].Shape
	axis, err := ops.AxisIn(op.axis, len(data), true)
	if err != nil {
		return nil, fmt.Errorf("attribute \"axis\": %w", err)
	}
	out := append(append(append([]int{}, data[:axis]...), in[1].Shape...), data[axis+1:]...)
	return []ops.Value{{Type: in[0].Type, Shape: out}}, nil
}

// Run copies one block of the inner dims per (outer index, index) pair.
func (op *gatherOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind makes the copy loop and the space for the checked indices once.
func (op *gatherOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	data, idx := in[0], in[1]
	axis, _ := ops.AxisIn(op.axis, len(data.Shape), true)
	g := gatherGeom{
		outer: ops.NumElems(data.Shape[:axis]),
		dim:   data.Shape[axis],
		block: ops.NumElems(data.Shape[axis+1:]) * ops.ElemSize(data.Type),
		negOK: op.negOK,
	}
	if idx.Type == onnx.Int32 {
		return bindGather(ctx.Par, g, out[0], data, idx, (*ops.Tensor).I32), nil
	}
	return bindGather(ctx.Par, g, out[0], data, idx, (*ops.Tensor).I64), nil
}

// gatherGeom is Gather's data seen as [outer, dim, block bytes].
type gatherGeom struct {
	outer, dim, block int
	negOK             bool
}

// bindGather returns a step function that checks every index (read with
// ints) then copies dst[o, j] = src[o, idx[j]].
func bindGather[I int32 | int64](par ops.Parallel, g gatherGeom, dst, src, idx *ops.Tensor, ints func(*ops.Tensor) []I) func() error {
	n := idx.Len()
	pos := make([]int, n)
	var d, s []byte
	body := func(lo, hi int) {
		for u := lo; u < hi; u++ {
			o := (u/n*g.dim + pos[u%n]) * g.block
			copy(d[u*g.block:(u+1)*g.block], s[o:o+g.block])
		}
	}
	lo := int64(0)
	if g.negOK {
		lo = int64(-g.dim)
	}
	return func() error {
		for j, v := range ints(idx)[:n] {
			if int64(v) < lo || int64(v) >= int64(g.dim) {
				return fmt.Errorf("index %d out of range [%d, %d) for axis of size %d", v, lo, g.dim, g.dim)
			}
			pos[j] = int(v)
			if pos[j] < 0 {
				pos[j] += g.dim
			}
		}
		if g.block == 0 {
			return nil
		}
		d, s = dst.Data, src.Data
		par.For(g.outer*n, max(1, 1<<15/g.block), body)
		return nil
	}
}
