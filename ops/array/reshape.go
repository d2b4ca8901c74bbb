package array

import (
	"fmt"
	"math"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// This file holds the ops that change a tensor's shape but not its bytes:
// Reshape, Flatten, Squeeze and Unsqueeze. Their output may alias their input
// (InPlace returns 0); Run copies only when the runtime gave distinct storage.

func init() {
	// Reshape-1 takes the shape as an attribute, from 5 as an input;
	// allowzero arrives in 14; the later versions add types.
	for _, v := range []int{1, 5, 13, 14, 19, 21, 23, 24, 25} {
		ops.Register("", "Reshape", v, buildReshape)
	}
	// Flatten-1 takes floats, 9 every type; 11 accepts negative axes.
	for _, v := range []int{1, 9, 11, 13, 21, 23, 24, 25} {
		ops.Register("", "Flatten", v, buildFlatten)
	}
	// Negative axes from 11; axes become an input in 13.
	for _, v := range []int{1, 11, 13, 21, 23, 24, 25} {
		ops.Register("", "Squeeze", v, buildSqueeze)
		ops.Register("", "Unsqueeze", v, buildUnsqueeze)
	}
}

// viewOp is embedded by ops whose output holds the input's bytes unchanged.
type viewOp struct{}

// InPlace lets output 0 share input 0's storage.
func (viewOp) InPlace([]ops.Value) int { return 0 }

// Run copies input 0's bytes to output 0 unless they already share storage.
func (viewOp) Run(_ *ops.Ctx, in, out []*ops.Tensor) error {
	ops.CopyUnlessShared(out[0].Data, in[0].Data)
	return nil
}

// reshapeOp is a built Reshape: it gives its input a new shape with the
// same element count.
type reshapeOp struct {
	viewOp
	shape     []int64 // Reshape-1's shape attribute; nil from opset 5 (input 1)
	allowZero bool    // a 0 in shape is a zero dim, not "copy the input's dim"
}

func buildReshape(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &reshapeOp{}
	if opset < 5 {
		op.shape = a.Ints("shape")
		if op.shape == nil && a.Err() == nil {
			return nil, fmt.Errorf("attribute \"shape\" is required")
		}
	}
	if opset >= 14 {
		op.allowZero = a.Int("allowzero", 0) != 0
	}
	return op, a.Err()
}

// Infer resolves the target shape, which must be constant.
func (op *reshapeOp) Infer(in []ops.Value) ([]ops.Value, error) {
	spec := op.shape
	if spec == nil {
		if err := ops.CheckInputs(in, 2, 2); err != nil {
			return nil, err
		}
		var err error
		if spec, err = ops.ConstInts(in[1], "shape"); err != nil {
			return nil, err
		}
		if len(in[1].Shape) != 1 {
			return nil, fmt.Errorf("input \"shape\" has shape %v, want 1-D", in[1].Shape)
		}
	} else if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "data"); err != nil {
		return nil, err
	}
	shape, err := reshapeTo(in[0].Shape, spec, op.allowZero)
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: in[0].Type, Shape: shape}}, nil
}

// reshapeTo applies Reshape's rules for spec to a tensor of shape in: -1 (at
// most once) is inferred from the element count, 0 copies the input's dim at
// the same index unless allowZero.
func reshapeTo(in []int, spec []int64, allowZero bool) ([]int, error) {
	out := make([]int, len(spec))
	infer, hasZero := -1, false
	known := 1
	for i, d := range spec {
		switch {
		case d == -1:
			if infer >= 0 {
				return nil, fmt.Errorf("shape %v has more than one -1", spec)
			}
			infer = i
			continue
		case d < -1:
			return nil, fmt.Errorf("shape %v has entry %d, want >= -1", spec, d)

		case d == 0 && allowZero:
			hasZero = true
		case d == 0:
			if i >= len(in) {
				return nil, fmt.Errorf("shape %v copies dim %d with 0, but the input %v has rank %d", spec, i, in, len(in))
			}
			out[i] = in[i]
		default:
			var err error
			if out[i], err = ops.ToDim(d, fmt.Sprintf("shape entry %d", i)); err != nil {
				return nil, err
			}
		}
		if out[i] != 0 && known > math.MaxInt/out[i] {
			return nil, fmt.Errorf("shape %v: the element count overflows", spec)
		}
		known *= out[i]
	}
	total := ops.NumElems(in)
	if infer >= 0 {
		if hasZero {
			return nil, fmt.Errorf("shape %v has both 0 and -1 with allowzero set", spec)
		}
		if known == 0 || total%known != 0 {
			return nil, fmt.Errorf("cannot reshape %v to %v: -1 cannot be inferred", in, spec)
		}
		out[infer] = total / known
		known *= out[infer]
	}
	if known != total {
		return nil, fmt.Errorf("cannot reshape %v (%d elements) to %v (%d elements)", in, total, out, known)
	}
	return out, nil
}

// flattenOp is a built Flatten: it reshapes its input to 2-D, splitting the
// dims before axis.
type flattenOp struct {
	viewOp
	axis  int64
	negOK bool
}

func buildFlatten(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &flattenOp{axis: a.Int("axis", 1), negOK: opset >= 11}
	return op, a.Err()
}

// Infer gives [prod(dims[:axis]), prod(dims[axis:])]; axis is in [-r, r].
func (op *flattenOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "input"); err != nil {
		return nil, err
	}
	r := int64(len(in[0].Shape))
	ax := op.axis
	if ax < 0 && !op.negOK {
		return nil, fmt.Errorf("attribute \"axis\" is %d: negative axes need opset 11 or later", ax)
	}
	if ax < 0 {
		ax += r
	}
	if ax < 0 || ax > r {
		return nil, fmt.Errorf("attribute \"axis\" is %d, want in [%d, %d] for rank %d", op.axis, -r, r, r)
	}
	return []ops.Value{{Type: in[0].Type, Shape: []int{ops.NumElems(in[0].Shape[:ax]), ops.NumElems(in[0].Shape[ax:])}}}, nil
}

// squeezeOp is a built Squeeze: it removes dims of size 1, the listed axes
// or all of them.
type squeezeOp struct {
	viewOp
	axes      []int64 // attribute before opset 13
	fromInput bool    // axes is optional input 1 (opset 13)
	negOK     bool
}

func buildSqueeze(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &squeezeOp{fromInput: opset >= 13, negOK: opset >= 11}
	if !op.fromInput {
		op.axes = a.Ints("axes")
	}
	return op, a.Err()
}

// Infer drops the squeezed dims, each of which must be 1.
func (op *squeezeOp) Infer(in []ops.Value) ([]ops.Value, error) {
	hi := 1
	if op.fromInput {
		hi = 2
	}
	if err := ops.CheckInputs(in, 1, hi); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "data"); err != nil {
		return nil, err
	}
	spec := op.axes
	if ops.HasInput(in, 1) {
		var err error
		if spec, err = ops.ConstInts(in[1], "axes"); err != nil {
			return nil, err
		}
	}
	shape := in[0].Shape
	drop := make([]bool, len(shape))
	if spec == nil {
		for i, d := range shape {
			drop[i] = d == 1
		}
	}
	axes, err := ops.AxesIn(spec, len(shape), op.negOK)
	if err != nil {
		return nil, fmt.Errorf("axes: %w", err)
	}
	for _, a := range axes {
		if shape[a] != 1 {
			return nil, fmt.Errorf("cannot squeeze axis %d of shape %v: its dim is not 1", a, shape)
		}
		drop[a] = true
	}
	out := []int{}
	for i, d := range shape {
		if !drop[i] {
			out = append(out, d)
		}
	}
	return []ops.Value{{Type: in[0].Type, Shape: out}}, nil
}

// unsqueezeOp is a built Unsqueeze: it inserts dims of size 1 at the listed
// axes of the output.
type unsqueezeOp struct {
	viewOp
	axes      []int64 // attribute before opset 13
	fromInput bool    // axes is required input 1 (opset 13)
	negOK     bool
}

func buildUnsqueeze(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &unsqueezeOp{fromInput: opset >= 13, negOK: opset >= 11}
	if !op.fromInput {
		op.axes = a.Ints("axes")
		if op.axes == nil && a.Err() == nil {
			return nil, fmt.Errorf("attribute \"axes\" is required")
		}
	}
	return op, a.Err()
}

// Infer inserts the new dims; axes count in the output's rank, in any order.
func (op *unsqueezeOp) Infer(in []ops.Value) ([]ops.Value, error) {
	n := 1
	if op.fromInput {
		n = 2
	}
	if err := ops.CheckInputs(in, n, n); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "data"); err != nil {
		return nil, err
	}
	spec := op.axes
	if op.fromInput {
		var err error
		if spec, err = ops.ConstInts(in[1], "axes"); err != nil {
			return nil, err
		}
	}
	shape := in[0].Shape
	rank := len(shape) + len(spec)
	axes, err := ops.AxesIn(spec, rank, op.negOK)
	if err != nil {
		return nil, fmt.Errorf("axes: %w", err)
	}
	out := make([]int, rank)
	for _, a := range axes {
		out[a] = 1
	}
	src := 0
	for i := range out {
		if !slices.Contains(axes, i) {
			out[i] = shape[src]
			src++
		}
	}
	return []ops.Value{{Type: in[0].Type, Shape: out}}, nil
}
