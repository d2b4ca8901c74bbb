package ops

import (
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// This file holds the ops that change a tensor's shape but not its bytes:
// Reshape, Flatten, Squeeze and Unsqueeze. Their output may alias their input
// (InPlace returns 0); Run copies only when the runtime gave distinct storage.

func init() {
	for _, v := range []int{1, 5, 14} {
		Register("", "Reshape", v, buildReshape)
	}
	for _, v := range []int{1, 11} {
		Register("", "Flatten", v, buildFlatten)
	}
	for _, v := range []int{1, 11, 13} {
		Register("", "Squeeze", v, buildSqueeze)
		Register("", "Unsqueeze", v, buildUnsqueeze)
	}
}

// viewOp is embedded by ops whose output holds the input's bytes unchanged.
type viewOp struct{}

// InPlace lets output 0 share input 0's storage.
func (viewOp) InPlace([]Value) int { return 0 }

// Run copies input 0's bytes to output 0 unless they already share storage.
func (viewOp) Run(_ *Ctx, in, out []*Tensor) error {
	copyUnlessShared(out[0].Data, in[0].Data)
	return nil
}

// copyUnlessShared copies src to dst unless both start at the same byte.
func copyUnlessShared(dst, src []byte) {
	if len(dst) == 0 || unsafe.SliceData(dst) == unsafe.SliceData(src) {
		return
	}
	copy(dst, src)
}

// axisIn normalizes axis for rank; negative axes are an opset 11 addition to
// the ops of this package that take them, so they are refused before it.
func axisIn(axis int64, rank int, negOK bool) (int, error) {
	if axis < 0 && !negOK {
		return 0, fmt.Errorf("axis %d is negative, which needs opset 11 or later", axis)
	}
	if axis < int64(-rank) || axis >= int64(rank) {
		return 0, fmt.Errorf("axis %d out of range for rank %d", axis, rank)
	}
	return normAxis(int(axis), rank)
}

// axesIn normalizes a list of axes for rank, refusing repeats.
func axesIn(axes []int64, rank int, negOK bool) ([]int, error) {
	out := make([]int, len(axes))
	for i, a := range axes {
		n, err := axisIn(a, rank, negOK)
		if err != nil {
			return nil, err
		}
		if slices.Contains(out[:i], n) {
			return nil, fmt.Errorf("axis %d is repeated", a)
		}
		out[i] = n
	}
	return out, nil
}

// constValues describes Run's inputs as constant Values, so that Run can
// resolve shape-determining inputs with the code Infer uses.
func constValues(in []*Tensor) []Value {
	vals := make([]Value, len(in))
	for i, t := range in {
		if t != nil {
			vals[i] = Value{Type: t.Type, Shape: t.Shape, Const: t}
		}
	}
	return vals
}

// checkElemType checks that the data input has a computable element type.
func checkElemType(v Value, name string) error {
	if !Supported(v.Type) {
		return fmt.Errorf("input %q has type %s, which is not computed: %w", name, TypeName(v.Type), ErrUnsupported)
	}
	return nil
}

// reshapeOp is a built Reshape: it gives its input a new shape with the
// same element count.
type reshapeOp struct {
	viewOp
	shape     []int64 // Reshape-1's shape attribute; nil from opset 5 (input 1)
	allowZero bool    // a 0 in shape is a zero dim, not "copy the input's dim"
}

func buildReshape(n *onnx.Node, opset int) (Op, error) {
	a := AttrsOf(n)
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
func (op *reshapeOp) Infer(in []Value) ([]Value, error) {
	spec := op.shape
	if spec == nil {
		if err := checkInputs(in, 2, 2); err != nil {
			return nil, err
		}
		var err error
		if spec, err = constInts(in[1], "shape"); err != nil {
			return nil, err
		}
		if len(in[1].Shape) != 1 {
			return nil, fmt.Errorf("input \"shape\" has shape %v, want 1-D", in[1].Shape)
		}
	} else if err := checkInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if err := checkElemType(in[0], "data"); err != nil {
		return nil, err
	}
	shape, err := reshapeTo(in[0].Shape, spec, op.allowZero)
	if err != nil {
		return nil, err
	}
	return []Value{{Type: in[0].Type, Shape: shape}}, nil
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
			if out[i], err = toDim(d, fmt.Sprintf("shape entry %d", i)); err != nil {
				return nil, err
			}
		}
		if out[i] != 0 && known > math.MaxInt/out[i] {
			return nil, fmt.Errorf("shape %v: the element count overflows", spec)
		}
		known *= out[i]
	}
	total := NumElems(in)
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

func buildFlatten(n *onnx.Node, opset int) (Op, error) {
	a := AttrsOf(n)
	op := &flattenOp{axis: a.Int("axis", 1), negOK: opset >= 11}
	return op, a.Err()
}

// Infer gives [prod(dims[:axis]), prod(dims[axis:])]; axis is in [-r, r].
func (op *flattenOp) Infer(in []Value) ([]Value, error) {
	if err := checkInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if err := checkElemType(in[0], "input"); err != nil {
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
	return []Value{{Type: in[0].Type, Shape: []int{NumElems(in[0].Shape[:ax]), NumElems(in[0].Shape[ax:])}}}, nil
}

// squeezeOp is a built Squeeze: it removes dims of size 1, the listed axes
// or all of them.
type squeezeOp struct {
	viewOp
	axes      []int64 // attribute before opset 13
	fromInput bool    // axes is optional input 1 (opset 13)
	negOK     bool
}

func buildSqueeze(n *onnx.Node, opset int) (Op, error) {
	a := AttrsOf(n)
	op := &squeezeOp{fromInput: opset >= 13, negOK: opset >= 11}
	if !op.fromInput {
		op.axes = a.Ints("axes")
	}
	return op, a.Err()
}

// Infer drops the squeezed dims, each of which must be 1.
func (op *squeezeOp) Infer(in []Value) ([]Value, error) {
	hi := 1
	if op.fromInput {
		hi = 2
	}
	if err := checkInputs(in, 1, hi); err != nil {
		return nil, err
	}
	if err := checkElemType(in[0], "data"); err != nil {
		return nil, err
	}
	spec := op.axes
	if optional(in, 1) {
		var err error
		if spec, err = constInts(in[1], "axes"); err != nil {
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
	axes, err := axesIn(spec, len(shape), op.negOK)
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
	return []Value{{Type: in[0].Type, Shape: out}}, nil
}

// unsqueezeOp is a built Unsqueeze: it inserts dims of size 1 at the listed
// axes of the output.
type unsqueezeOp struct {
	viewOp
	axes      []int64 // attribute before opset 13
	fromInput bool    // axes is required input 1 (opset 13)
	negOK     bool
}

func buildUnsqueeze(n *onnx.Node, opset int) (Op, error) {
	a := AttrsOf(n)
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
func (op *unsqueezeOp) Infer(in []Value) ([]Value, error) {
	n := 1
	if op.fromInput {
		n = 2
	}
	if err := checkInputs(in, n, n); err != nil {
		return nil, err
	}
	if err := checkElemType(in[0], "data"); err != nil {
		return nil, err
	}
	spec := op.axes
	if op.fromInput {
		var err error
		if spec, err = constInts(in[1], "axes"); err != nil {
			return nil, err
		}
	}
	shape := in[0].Shape
	rank := len(shape) + len(spec)
	axes, err := axesIn(spec, rank, op.negOK)
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
	return []Value{{Type: in[0].Type, Shape: out}}, nil
}
