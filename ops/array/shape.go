package array

import (
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
