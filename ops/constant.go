package ops

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
)

func init() {
	for _, v := range []int{1, 12} {
		Register("", "Constant", v, buildConstant)
	}
	Register("", "ConstantOfShape", 9, buildConstantOfShape)
}

// fillElems repeats the element bytes v over dst.
func fillElems(dst, v []byte) {
	if len(dst) == 0 {
		return
	}
	n := copy(dst, v)
	for n < len(dst) {
		n += copy(dst[n:], dst[:n])
	}
}

// constantOp is a built Constant: it outputs the tensor held in its
// attributes.
type constantOp struct {
	value *Tensor
}

func buildConstant(n *onnx.Node, opset int) (Op, error) {
	a := AttrsOf(n)
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
			op.value, err = FromProto(t, "")
		}
	case "value_float":
		op.value = FromF32([]float32{a.Float(name, 0)})
	case "value_floats":
		v := a.Floats(name)
		op.value = FromF32(v, len(v))
	case "value_int":
		op.value = FromI64([]int64{a.Int(name, 0)})
	case "value_ints":
		v := a.Ints(name)
		op.value = FromI64(v, len(v))
	case "sparse_value", "value_string", "value_strings":
		return nil, fmt.Errorf("attribute %q: %w", name, ErrUnsupported)
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
	if !Supported(op.value.Type) {
		return nil, fmt.Errorf("attribute %q has type %s: %w", name, TypeName(op.value.Type), ErrUnsupported)
	}
	return op, nil
}

// Infer gives the held tensor's type and shape.
func (op *constantOp) Infer(in []Value) ([]Value, error) {
	if err := checkInputs(in, 0, 0); err != nil {
		return nil, err
	}
	return []Value{{Type: op.value.Type, Shape: append([]int(nil), op.value.Shape...)}}, nil
}

// Run copies the held tensor.
func (op *constantOp) Run(_ *Ctx, _, out []*Tensor) error {
	copy(out[0].Data, op.value.Data)
	return nil
}

// constantOfShapeOp is a built ConstantOfShape: it outputs a tensor of a
// given shape filled with one value.
type constantOfShapeOp struct {
	value *Tensor // one element
}

func buildConstantOfShape(n *onnx.Node, _ int) (Op, error) {
	a := AttrsOf(n)
	op := &constantOfShapeOp{value: New(onnx.Float)}
	if t := a.Tensor("value"); t != nil {
		v, err := FromProto(t, "")
		if err != nil {
			return nil, fmt.Errorf("attribute \"value\": %w", err)
		}
		if v.Len() != 1 {
			return nil, fmt.Errorf("attribute \"value\" has shape %v, want one element", v.Shape)
		}
		if !Supported(v.Type) {
			return nil, fmt.Errorf("attribute \"value\" has type %s: %w", TypeName(v.Type), ErrUnsupported)
		}
		op.value = v
	}
	return op, a.Err()
}

// Infer reads the output shape from the constant input.
func (op *constantOfShapeOp) Infer(in []Value) ([]Value, error) {
	if err := checkInputs(in, 1, 1); err != nil {
		return nil, err
	}
	dims, err := constInts(in[0], "input")
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
		if shape[i], err = toDim(d, fmt.Sprintf("input \"input\" entry %d", i)); err != nil {
			return nil, err
		}
	}
	return []Value{{Type: op.value.Type, Shape: shape}}, nil
}

// Run fills the output with the value.
func (op *constantOfShapeOp) Run(_ *Ctx, _, out []*Tensor) error {
	fillElems(out[0].Data, op.value.Data)
	return nil
}
