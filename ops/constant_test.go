package ops

import (
	"errors"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
)

func attrT(name string, v *onnx.Tensor) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrTensor, T: v}
}

func TestConstant(t *testing.T) {
	i32 := New(onnx.Int32, 2)
	copy(i32.I32(), []int32{-3, 9})
	cases := []struct {
		name  string
		opset int
		attr  *onnx.Attribute
		want  *Tensor
	}{
		{"value", 1, attrT("value", &onnx.Tensor{DataType: onnx.Int32, Dims: []int64{2}, Int32Data: []int32{-3, 9}}), i32},
		{"value_float", 12, attrF("value_float", 2.5), FromF32([]float32{2.5})},
		{"value_floats", 13, &onnx.Attribute{Name: "value_floats", Type: onnx.AttrFloats, Floats: []float32{1, -2}}, f32s(1, -2)},
		{"value_int", 21, attrI("value_int", -7), FromI64([]int64{-7})},
		{"value_ints", 12, attrIs("value_ints", 4, 5, 6), i64s(4, 5, 6)},
	}
	for _, c := range cases {
		out, err := evalNode(moveNode("Constant", nil, 1, c.attr), c.opset)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		wantTensor(t, c.name, out[0], c.want)
	}
	_, err := Build(moveNode("Constant", nil, 1, attrF("value_float", 1)), 11)
	wantErr(t, "value_float before opset 12", err, "opset 12")
	_, err = Build(moveNode("Constant", nil, 1, attrF("value_float", 1), attrI("value_int", 1)), 13)
	wantErr(t, "two values", err, "exactly one")
	_, err = Build(moveNode("Constant", nil, 1), 13)
	wantErr(t, "no value", err, "exactly one")
	_, err = Build(moveNode("Constant", nil, 1, attrS("value_string", "a")), 13)
	if !errors.Is(err, ErrUnsupported) {
		t.Errorf("value_string: got %v, want ErrUnsupported", err)
	}
	_, err = Build(moveNode("Constant", nil, 1, attrI("value", 1)), 13)
	wantErr(t, "value of the wrong type", err, `"value"`, "TENSOR")
}

func TestConstantOfShape(t *testing.T) {
	ones := New(onnx.Int64, 2, 3)
	for i := range ones.I64() {
		ones.I64()[i] = 7
	}
	cases := []struct {
		name  string
		attrs []*onnx.Attribute
		shape *Tensor
		want  *Tensor
	}{
		{"default float zeros", nil, i64s(2, 2), New(onnx.Float, 2, 2)},
		{"int64 value", []*onnx.Attribute{attrT("value", &onnx.Tensor{DataType: onnx.Int64, Dims: []int64{1}, Int64Data: []int64{7}})}, i64s(2, 3), ones},
		{"empty shape is a scalar", nil, i64s(), New(onnx.Float)},
		{"zero dim", nil, i64s(3, 0), New(onnx.Float, 3, 0)},
	}
	for _, c := range cases {
		out, err := evalNode(moveNode("ConstantOfShape", inNames(1), 1, c.attrs...), 9, c.shape)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		wantTensor(t, c.name, out[0], c.want)
	}
	_, err := evalNode(moveNode("ConstantOfShape", inNames(1), 1), 9, i64s(2, -1))
	wantErr(t, "negative dim", err, ">= 0")
	_, err = evalNode(moveNode("ConstantOfShape", inNames(1), 1), 9, withShape(i64s(2, 2), 1, 2))
	wantErr(t, "2-D shape input", err, "want 1-D")
	_, err = Build(moveNode("ConstantOfShape", inNames(1), 1, attrT("value", &onnx.Tensor{DataType: onnx.Float, Dims: []int64{2}, FloatData: []float32{1, 2}})), 9)
	wantErr(t, "two-element value", err, "one element")
	op, _ := Build(moveNode("ConstantOfShape", inNames(1), 1), 9)
	_, err = op.Infer([]Value{{Type: onnx.Int64, Shape: []int{2}}})
	wantErr(t, "computed shape", err, "known before running")
}

func TestConstantNodeTests(t *testing.T) {
	if got := nodeTests(t, "test_constant", "test_constantofshape*"); got != 4 {
		t.Errorf("%d Constant/ConstantOfShape node tests passed, want 4", got)
	}
}
