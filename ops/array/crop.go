package array

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// CenterCropPad (opset 18) crops or zero-pads the axes listed in axes (all
// by default) to the sizes of its constant shape input, keeping the
// content centred: a crop starts at floor((in-out)/2), a pad puts
// floor((out-in)/2) zeros first and the odd one last. It is Pad in
// constant mode with those begin pads (negative for a crop), and runs
// Pad's row kernel.
//
// Crop is the experimental operator of the first ONNX releases (opset 1),
// kept for old models: it crops the H and W dims of an NCHW input by
// border = [left, top, right, bottom] or, with scale = [height, width],
// takes a window of that size whose top-left corner is (top, left). The
// window is a strided view copied as a movePlan.
func init() {
	ops.Register("", "CenterCropPad", 18, buildCenterCropPad)
	ops.Register("", "Crop", 1, buildCrop)
}

// centerCropPadOp is a built CenterCropPad.
type centerCropPadOp struct {
	axes []int64 // nil: every axis
}

func buildCenterCropPad(n *onnx.Node, _ int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	return &centerCropPadOp{axes: a.Ints("axes")}, a.Err()
}

// Infer replaces the listed axes' dims by the constant shape's.
func (op *centerCropPadOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "input_data"); err != nil {
		return nil, err
	}
	if len(in[1].Shape) != 1 {
		return nil, fmt.Errorf("input \"shape\" has shape %v, want 1-D", in[1].Shape)
	}
	spec, err := ops.ConstInts(in[1], "shape")
	if err != nil {
		return nil, err
	}
	rank := len(in[0].Shape)
	axes := op.axes
	if axes == nil {
		axes = make([]int64, rank)
		for i := range axes {
			axes[i] = int64(i)
		}
	}
	ax, err := ops.AxesIn(axes, rank, true)
	if err != nil {
		return nil, fmt.Errorf("attribute \"axes\": %w", err)
	}
	if len(spec) != len(ax) {
		return nil, fmt.Errorf("input \"shape\" has %d entries for %d axes", len(spec), len(ax))
	}
	out := append([]int(nil), in[0].Shape...)
	for i, a := range ax {
		if spec[i] < 0 {
			return nil, fmt.Errorf("input \"shape\" is %v: sizes must be >= 0", spec)
		}
		if out[a], err = ops.ToDim(spec[i], fmt.Sprintf("input \"shape\" entry %d", i)); err != nil {
			return nil, err
		}
	}
	return []ops.Value{{Type: in[0].Type, Shape: out}}, nil
}

// Run crops and pads.
func (op *centerCropPadOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans Pad's row copy from the shapes: the begin pad of each axis
// centres the input in the output.
func (op *centerCropPadOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x, y := in[0], out[0]
	if len(x.Shape) == 0 {
		return func() error {
			copy(y.Data, x.Data)
			return nil
		}, nil
	}
	begin := make([]int, len(x.Shape))
	for i, d := range x.Shape {
		if o := y.Shape[i]; o >= d {
			begin[i] = (o - d) / 2
		} else {
			begin[i] = -((d - o) / 2)
		}
	}
	zero := make([]byte, ops.ElemSize(x.Type))
	return (&padOp{mode: "constant"}).bindRows(ctx.Par, x, y, begin, zero), nil
}

// cropOp is a built Crop.
type cropOp struct {
	left, top, right, bottom int
	height, width            int // the scale attribute; 0 when absent
}

func buildCrop(n *onnx.Node, _ int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	border, scale := a.Ints("border"), a.Ints("scale")
	if err := a.Err(); err != nil {
		return nil, err
	}
	if len(border) != 4 {
		return nil, fmt.Errorf("attribute \"border\" is %v, want [left, top, right, bottom]", border)
	}
	if scale != nil && len(scale) != 2 {
		return nil, fmt.Errorf("attribute \"scale\" is %v, want [height, width]", scale)
	}
	vals := append(append([]int64{}, border...), scale...)
	ints := make([]int, len(vals))
	for i, v := range vals {
		if v < 0 || (i >= 4 && v == 0) {
			return nil, fmt.Errorf("attributes \"border\" %v and \"scale\" %v: borders must be >= 0, sizes > 0", border, scale)
		}
		var err error
		if ints[i], err = ops.ToDim(v, "attribute \"border\" or \"scale\""); err != nil {
			return nil, err
		}
	}
	op := &cropOp{left: ints[0], top: ints[1], right: ints[2], bottom: ints[3]}
	if scale != nil {
		op.height, op.width = ints[4], ints[5]
	}
	return op, nil
}

// Infer gives the window's shape, which must lie inside the input.
func (op *cropOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "input"); err != nil {
		return nil, err
	}
	s := in[0].Shape
	if len(s) != 4 {
		return nil, fmt.Errorf("input \"input\" has shape %v, want 4-D [N, C, H, W]", s)
	}
	h, w := s[2]-op.top-op.bottom, s[3]-op.left-op.right
	if op.height > 0 {
		h, w = op.height, op.width
	}
	if h < 0 || w < 0 || op.top+h > s[2] || op.left+w > s[3] {
		return nil, fmt.Errorf("the crop window (top %d, left %d, %dx%d) does not fit in the input %v", op.top, op.left, h, w, s)
	}
	return []ops.Value{{Type: in[0].Type, Shape: []int{s[0], s[1], h, w}}}, nil
}

// Run copies the window.
func (op *cropOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the strided copy once.
func (op *cropOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x := in[0]
	st := ops.Strides(x.Shape)
	off := op.top*st[2] + op.left
	return newMovePlan(out[0].Shape, st, off).bind(ctx.Par, out[0], x, ops.ElemSize(x.Type)), nil
}
