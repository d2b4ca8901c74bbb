package nn

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// MaxUnpool (9, 11, 22), the partial inverse of MaxPool: the output is
// zero but for every X[i] stored at flat position I[i] (an index into the
// whole output tensor, as MaxPool's Indices are into its input). The
// output's spatial size is (in-1)*stride + kernel - pad_begin - pad_end per
// axis, or the output_shape input's (whose values must then be known
// before the run). Float32 and float64; a position given twice keeps the
// later value.
func init() {
	for _, v := range []int{9, 11, 22} {
		ops.Register("", "MaxUnpool", v, buildMaxUnpool)
	}
}

// maxUnpoolOp is MaxUnpool.
type maxUnpoolOp struct{ sp ops.WindowAttrs }

func buildMaxUnpool(n *onnx.Node, opset int) (ops.Op, error) {
	sp, err := ops.ParseWindow(ops.AttrsOf(n), true)
	if err != nil {
		return nil, err
	}
	if sp.Dilations != nil || sp.AutoPad != "NOTSET" || sp.CeilMode {
		return nil, fmt.Errorf("MaxUnpool takes no dilations, auto_pad or ceil_mode attribute")
	}
	return &maxUnpoolOp{sp: sp}, nil
}

// shape checks the inputs and gives the inferred shape and the output's.
func (op *maxUnpoolOp) shape(in []ops.Value) (inferred, out []int, err error) {
	if err := ops.CheckInputs(in, 2, 3); err != nil {
		return nil, nil, err
	}
	x, idx := in[0], in[1]
	if err := checkFloatInput(x, "X"); err != nil {
		return nil, nil, err
	}
	if idx.Type != onnx.Int64 {
		return nil, nil, fmt.Errorf("input \"I\" has type %s, want int64", ops.TypeName(idx.Type))
	}
	if !ops.SameShape(idx.Shape, x.Shape) {
		return nil, nil, fmt.Errorf("input \"I\" has shape %v, want X's %v", idx.Shape, x.Shape)
	}
	if len(x.Shape) < 3 {
		return nil, nil, fmt.Errorf("input \"X\" has shape %v, want [N, C, spatial...]", x.Shape)
	}
	nd := len(x.Shape) - 2
	if len(op.sp.Kernel) != nd || op.sp.Strides != nil && len(op.sp.Strides) != nd || op.sp.Pads != nil && len(op.sp.Pads) != 2*nd {
		return nil, nil, fmt.Errorf("attributes kernel_shape %v, strides %v and pads %v must have an entry (pads two) per spatial axis of X %v",
			op.sp.Kernel, op.sp.Strides, op.sp.Pads, x.Shape)
	}
	inferred = append([]int(nil), x.Shape...)
	for i := range nd {
		s := 1
		if op.sp.Strides != nil {
			s = op.sp.Strides[i]
		}
		o := (x.Shape[2+i]-1)*s + op.sp.Kernel[i]
		if op.sp.Pads != nil {
			o -= op.sp.Pads[i] + op.sp.Pads[nd+i]
		}
		if o < 0 {
			return nil, nil, fmt.Errorf("spatial axis %d: output size %d is negative (pads %v)", i, o, op.sp.Pads)
		}
		inferred[2+i] = o
	}
	if !ops.HasInput(in, 2) {
		return inferred, inferred, nil
	}
	v, err := ops.ConstInts(in[2], "output_shape")
	if err != nil {
		return nil, nil, err
	}
	if len(v) != len(x.Shape) {
		return nil, nil, fmt.Errorf("input \"output_shape\" is %v, want %d entries like X %v", v, len(x.Shape), x.Shape)
	}
	out = make([]int, len(v))
	for i, d := range v {
		if out[i], err = ops.ToDim(d, "input \"output_shape\" entry"); err != nil {
			return nil, nil, err
		}
		if out[i] < inferred[i] || i < 2 && out[i] != inferred[i] {
			return nil, nil, fmt.Errorf("input \"output_shape\" is %v, want X's batch and channels %v and spatial sizes at least %v",
				v, x.Shape[:2], inferred[2:])
		}
	}
	return inferred, out, nil
}

// Infer gives the output's shape.
func (op *maxUnpoolOp) Infer(in []ops.Value) ([]ops.Value, error) {
	_, shape, err := op.shape(in)
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: in[0].Type, Shape: shape}}, nil
}

// Run zeroes the output and stores every X[i] at I[i] of the inferred
// shape, mapped to the same coordinates of the output's.
func (op *maxUnpoolOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	inferred, shape, err := op.shape(ops.ConstValues(in))
	if err != nil {
		return err
	}
	y := out[0]
	clear(y.Data)
	size := ops.ElemSize(y.Type)
	n := ops.NumElems(inferred)
	same := ops.SameShape(inferred, shape)
	for i, at := range in[1].I64()[:in[1].Len()] {
		if at < 0 || at >= int64(n) {
			return fmt.Errorf("input \"I\": entry %d is %d, outside the %d elements of shape %v", i, at, n, inferred)
		}
		o := int(at)
		if !same {
			o = remap(o, inferred, shape)
		}
		copy(y.Data[o*size:][:size], in[0].Data[i*size:])
	}
	return nil
}

// remap is the flat offset in shape to of the coordinates that flat offset
// at has in shape from (no larger on any axis).
func remap(at int, from, to []int) int {
	o, stride := 0, 1
	for k := len(from) - 1; k >= 0; k-- {
		o += at % from[k] * stride
		at /= from[k]
		stride *= to[k]
	}
	return o
}
