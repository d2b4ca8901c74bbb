package array

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Expand and Tile repeat their input. Expand broadcasts it numpy-style
// against a shape input (whose 1s keep the input's dims, so the output may
// be larger than the shape asks); Tile repeats it whole along each axis
// (Tile-1 along one axis by a scalar count, from 6 along every axis by a
// 1-D repeats input). Both outputs are a strided view of the input, with
// stride 0 along the repeats, copied as a movePlan: runs that are
// contiguous in the input are block copies. The output shape depends on the
// values of shape and repeats (ErrNotConstant when they are unknown).
func init() {
	for _, v := range []int{8, 13} {
		ops.Register("", "Expand", v, buildExpand)
	}
	for _, v := range []int{1, 6, 13} {
		ops.Register("", "Tile", v, buildTile)
	}
}

// expandOp is a built Expand.
type expandOp struct{}

func buildExpand(*onnx.Node, int) (ops.Op, error) { return expandOp{}, nil }

// Infer broadcasts the input's shape with the constant shape input.
func (expandOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "input"); err != nil {
		return nil, err
	}
	if len(in[1].Shape) != 1 {
		return nil, fmt.Errorf("input \"shape\" has shape %v, want 1-D", in[1].Shape)
	}
	spec, err := ops.ConstInts(in[1], "shape")
	if err != nil {
		return nil, err
	}
	shape := make([]int, len(spec))
	for i, d := range spec {
		if d < 0 {
			return nil, fmt.Errorf("input \"shape\" is %v: dims must be >= 0", spec)
		}
		if shape[i], err = ops.ToDim(d, fmt.Sprintf("input \"shape\" entry %d", i)); err != nil {
			return nil, err
		}
	}
	out, err := ops.BroadcastShape(in[0].Shape, shape)
	if err != nil {
		return nil, fmt.Errorf("cannot expand %v to %v: %w", in[0].Shape, spec, err)
	}
	return []ops.Value{{Type: in[0].Type, Shape: out}}, nil
}

// Run copies the broadcast view.
func (op expandOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the copy from the shapes: the input read with stride 0 along
// every broadcast dim.
func (expandOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x, y := in[0], out[0]
	st := make([]int, len(y.Shape))
	xs := ops.Strides(x.Shape)
	off := len(y.Shape) - len(x.Shape)
	for i, d := range x.Shape {
		if d != 1 {
			st[off+i] = xs[i]
		}
	}
	return newMovePlan(y.Shape, st, 0).bind(ctx.Par, y, x, ops.ElemSize(x.Type)), nil
}

// tileOp is a built Tile.
type tileOp struct {
	axisInput bool // Tile-1: inputs tiles and axis, scalars
}

func buildTile(_ *onnx.Node, opset int) (ops.Op, error) { return &tileOp{axisInput: opset < 6}, nil }

// repeats resolves the count of copies along each axis of the input.
func (op *tileOp) repeats(in []ops.Value) ([]int64, error) {
	rank := len(in[0].Shape)
	if !op.axisInput {
		reps, err := ops.ConstInts(in[1], "repeats")
		if err != nil {
			return nil, err
		}
		if len(in[1].Shape) != 1 || len(reps) != rank {
			return nil, fmt.Errorf("input \"repeats\" has shape %v, want [%d] (the input's rank)", in[1].Shape, rank)
		}
		return reps, nil
	}
	tiles, err := ops.ConstInts(in[1], "tiles")
	if err != nil {
		return nil, err
	}
	axis, err := ops.ConstInts(in[2], "axis")
	if err != nil {
		return nil, err
	}
	if len(tiles) != 1 || len(axis) != 1 {
		return nil, fmt.Errorf("inputs \"tiles\" and \"axis\" have %d and %d elements, want one each", len(tiles), len(axis))
	}
	a, err := ops.AxisIn(axis[0], rank, false)
	if err != nil {
		return nil, fmt.Errorf("input \"axis\": %w", err)
	}
	reps := make([]int64, rank)
	for i := range reps {
		reps[i] = 1
	}
	reps[a] = tiles[0]
	return reps, nil
}

// Infer multiplies each dim by its constant repeat count.
func (op *tileOp) Infer(in []ops.Value) ([]ops.Value, error) {
	n := 2
	if op.axisInput {
		n = 3
	}
	if err := ops.CheckInputs(in, n, n); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "input"); err != nil {
		return nil, err
	}
	reps, err := op.repeats(in)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(reps))
	for i, r := range reps {
		if r < 0 {
			return nil, fmt.Errorf("repeat count %d for axis %d is negative", r, i)
		}
		d := in[0].Shape[i]
		if d != 0 && r > ops.MaxDim/int64(d) {
			return nil, fmt.Errorf("repeating axis %d of %d elements %d times overflows", i, d, r)
		}
		out[i] = d * int(r)
	}
	return []ops.Value{{Type: in[0].Type, Shape: out}}, nil
}

// Run copies the tiled view.
func (op *tileOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the copy from the shapes: the output seen as [r0, d0, r1, d1,
// ...] for repeat counts r and input dims d, which reads the input with
// strides [0, s0, 0, s1, ...].
func (op *tileOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x, y := in[0], out[0]
	xs := ops.Strides(x.Shape)
	shape := make([]int, 0, 2*len(x.Shape))
	st := make([]int, 0, 2*len(x.Shape))
	for i, d := range x.Shape {
		r := 0 // an empty input gives an empty output whatever the count
		if d != 0 {
			r = y.Shape[i] / d
		}
		shape = append(shape, r, d)
		st = append(st, 0, xs[i])
	}
	return newMovePlan(shape, st, 0).bind(ctx.Par, y, x, ops.ElemSize(x.Type)), nil
}
