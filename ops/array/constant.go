package array

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func init() {
	// Constant-11 adds sparse_value, 12 the value_* attributes; the other
	// versions add types.
	for _, v := range []int{1, 9, 11, 12, 13, 19, 21, 23, 24, 25} {
		ops.Register("", "Constant", v, buildConstant)
	}
	for _, v := range []int{9, 20, 21, 23, 24, 25} {
		ops.Register("", "ConstantOfShape", v, buildConstantOfShape)
	}
	ops.Register("", "GivenTensorFill", 1, buildGivenTensorFill)
}

// constantOp is a built Constant: it outputs the tensor held in its
// attributes.
type constantOp struct {
	value *ops.Tensor
}

func buildConstant(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	var found []string
	for _, at := range n.Attrs {
		found = append(found, at.Name)
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("has attributes %q, want exactly one value attribute", found)
	}
	name := found[0]
	if opset < 12 && name != "value" && name != "sparse_value" {
		return nil, fmt.Errorf("attribute %q needs opset 12 or later", name)
	}
	op := &constantOp{}
	var err error
	switch name {
	case "value":
		if t := a.Tensor(name); t != nil {
			op.value, err = ops.FromProto(t, "")
		}
	case "value_float":
		op.value = ops.FromF32([]float32{a.Float(name, 0)})
	case "value_floats":
		v := a.Floats(name)
		op.value = ops.FromF32(v, len(v))
	case "value_int":
		op.value = ops.FromI64([]int64{a.Int(name, 0)})
	case "value_ints":
		v := a.Ints(name)
		op.value = ops.FromI64(v, len(v))
	case "sparse_value", "value_string", "value_strings":
		return nil, fmt.Errorf("attribute %q: %w", name, ops.ErrUnsupported)
	default:
		return nil, fmt.Errorf("unknown attribute %q", name)
	}
	if a.Err() != nil {
		return nil, a.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("attribute %q: %w", name, err)
	}
	if op.value == nil {
		return nil, fmt.Errorf("attribute %q holds no tensor", name)
	}
	if !ops.Supported(op.value.Type) {
		return nil, fmt.Errorf("attribute %q has type %s: %w", name, ops.TypeName(op.value.Type), ops.ErrUnsupported)
	}
	return op, nil
}

// Infer gives the held tensor's type and shape.
func (op *constantOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 0, 0); err != nil {
		return nil, err
	}
	return []ops.Value{{Type: op.value.Type, Shape: append([]int(nil), op.value.Shape...)}}, nil
}

// Run copies the held tensor.
func (op *constantOp) Run(_ *ops.Ctx, _, out []*ops.Tensor) error {
	copy(out[0].Data, op.value.Data)
	return nil
}

// constantOfShapeOp is a built ConstantOfShape: it outputs a tensor of a
// given shape filled with one value.
type constantOfShapeOp struct {
	value *ops.Tensor // one element
}

func buildConstantOfShape(n *onnx.Node, _ int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &constantOfShapeOp{value: ops.New(onnx.Float)}
	if t := a.Tensor("value"); t != nil {
		v, err := ops.FromProto(t, "")
		if err != nil {
			return nil, fmt.Errorf("attribute \"value\": %w", err)
		}
		if v.Len() != 1 {
			return nil, fmt.Errorf("attribute \"value\" has shape %v, want one element", v.Shape)
		}
		if !ops.Supported(v.Type) {
			return nil, fmt.Errorf("attribute \"value\" has type %s: %w", ops.TypeName(v.Type), ops.ErrUnsupported)
		}
		op.value = v
	}
	return op, a.Err()
}

// Infer reads the output shape from the constant input.
func (op *constantOfShapeOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	dims, err := ops.ConstInts(in[0], "input")
	if err != nil {
		return nil, err
	}
	if len(in[0].Shape) != 1 {
		return nil, fmt.Errorf("input \"input\" has shape %v, want 1-D", in[0].Shape)
	}
	shape := make([]int, len(dims))
	for i, d := range dims {
		if d < 0 {
			return nil, fmt.Errorf("input \"input\" is %v: dims must be >= 0", dims)
		}
		if shape[i], err = ops.ToDim(d, fmt.Sprintf("input \"input\" entry %d", i)); err != nil {
			return nil, err
		}
	}
	return []ops.Value{{Type: op.value.Type, Shape: shape}}, nil
}

// Run fills the output with the value.
func (op *constantOfShapeOp) Run(_ *ops.Ctx, _, out []*ops.Tensor) error {
	ops.FillElems(out[0].Data, op.value.Data)
	return nil
}

// givenTensorFillOp is a built GivenTensorFill, an experimental operator of
// the first ONNX releases (opset 1), kept for old models: it outputs the
// float32 values of its values attribute with a shape taken from the
// shape attribute or, when the optional input is given, from that input:
// its values if input_as_shape is set (then the input must be constant),
// else its shape; extra_shape is appended to a shape taken from the input.
// The values must fill the shape exactly.
type givenTensorFillOp struct {
	values       []float32
	shape, extra []int64
	asShape      bool
}

func buildGivenTensorFill(n *onnx.Node, _ int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &givenTensorFillOp{
		values: a.Floats("values"), shape: a.Ints("shape"), extra: a.Ints("extra_shape"),
		asShape: a.Int("input_as_shape", 0) != 0,
	}
	return op, a.Err()
}

// Infer resolves the shape and checks that the values fill it.
func (op *givenTensorFillOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 0, 1); err != nil {
		return nil, err
	}
	spec := op.shape
	if ops.HasInput(in, 0) {
		spec = nil
		if op.asShape {
			var err error
			if spec, err = ops.ConstInts(in[0], "shape"); err != nil {
				return nil, err
			}
		} else {
			for _, d := range in[0].Shape {
				spec = append(spec, int64(d))
			}
		}
		spec = append(spec, op.extra...)
	}
	shape := make([]int, len(spec))
	n := 1
	for i, d := range spec {
		var err error
		if shape[i], err = ops.ToDim(d, fmt.Sprintf("shape entry %d", i)); err != nil {
			return nil, err
		}
		if d < 0 {
			return nil, fmt.Errorf("shape %v has a negative entry", spec)
		}
		if d > 0 && n > ops.MaxDim/shape[i] {
			return nil, fmt.Errorf("shape %v: the element count overflows", spec)
		}
		n *= shape[i]
	}
	if n != len(op.values) {
		return nil, fmt.Errorf("attribute \"values\" has %d values for the shape %v", len(op.values), shape)
	}
	return []ops.Value{{Type: onnx.Float, Shape: shape}}, nil
}

// Run copies the values.
func (op *givenTensorFillOp) Run(_ *ops.Ctx, _, out []*ops.Tensor) error {
	copy(out[0].F32(), op.values)
	return nil
}
