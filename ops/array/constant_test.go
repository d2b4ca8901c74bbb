package array

import (
	"errors"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func attrT(name string, v *onnx.Tensor) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrTensor, T: v}
}

func TestConstant(t *testing.T) {
	i32 := ops.New(onnx.Int32, 2)
	copy(i32.I32(), []int32{-3, 9})
	cases := []struct {
		name  string
		opset int
		attr  *onnx.Attribute
		want  *ops.Tensor
	}{
		{"value", 1, attrT("value", &onnx.Tensor{DataType: onnx.Int32, Dims: []int64{2}, Int32Data: []int32{-3, 9}}), i32},
		{"value_float", 12, opstest.AttrF("value_float", 2.5), ops.FromF32([]float32{2.5})},
		{"value_floats", 13, &onnx.Attribute{Name: "value_floats", Type: onnx.AttrFloats, Floats: []float32{1, -2}}, opstest.F32s(1, -2)},
		{"value_int", 21, opstest.AttrI("value_int", -7), ops.FromI64([]int64{-7})},
		{"value_ints", 12, opstest.AttrIs("value_ints", 4, 5, 6), opstest.I64s(4, 5, 6)},
	}
	for _, c := range cases {
		out, err := opstest.Eval(opstest.Node("Constant", nil, 1, c.attr), c.opset)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		opstest.WantTensor(t, c.name, out[0], c.want)
	}
	_, err := ops.Build(opstest.Node("Constant", nil, 1, opstest.AttrF("value_float", 1)), 11)
	opstest.WantErr(t, "value_float before opset 12", err, "opset 12")
	_, err = ops.Build(opstest.Node("Constant", nil, 1, opstest.AttrF("value_float", 1), opstest.AttrI("value_int", 1)), 13)
	opstest.WantErr(t, "two values", err, "exactly one")
	_, err = ops.Build(opstest.Node("Constant", nil, 1), 13)
	opstest.WantErr(t, "no value", err, "exactly one")
	_, err = ops.Build(opstest.Node("Constant", nil, 1, opstest.AttrS("value_string", "a")), 13)
	if !errors.Is(err, ops.ErrUnsupported) {
		t.Errorf("value_string: got %v, want ErrUnsupported", err)
	}
	_, err = ops.Build(opstest.Node("Constant", nil, 1, opstest.AttrI("value", 1)), 13)
	opstest.WantErr(t, "value of the wrong type", err, `"value"`, "TENSOR")
}

func TestConstantOfShape(t *testing.T) {
	ones := ops.New(onnx.Int64, 2, 3)
	for i := range ones.I64() {
		ones.I64()[i] = 7
	}
	cases := []struct {
		name  string
		attrs []*onnx.Attribute
		shape *ops.Tensor
		want  *ops.Tensor
	}{
		{"default float zeros", nil, opstest.I64s(2, 2), ops.New(onnx.Float, 2, 2)},
		{"int64 value", []*onnx.Attribute{attrT("value", &onnx.Tensor{DataType: onnx.Int64, Dims: []int64{1}, Int64Data: []int64{7}})}, opstest.I64s(2, 3), ones},
		{"empty shape is a scalar", nil, opstest.I64s(), ops.New(onnx.Float)},
		{"zero dim", nil, opstest.I64s(3, 0), ops.New(onnx.Float, 3, 0)},
	}
	for _, c := range cases {
		out, err := opstest.Eval(opstest.Node("ConstantOfShape", opstest.InNames(1), 1, c.attrs...), 9, c.shape)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		opstest.WantTensor(t, c.name, out[0], c.want)
	}
	_, err := opstest.Eval(opstest.Node("ConstantOfShape", opstest.InNames(1), 1), 9, opstest.I64s(2, -1))
	opstest.WantErr(t, "negative dim", err, ">= 0")
	_, err = opstest.Eval(opstest.Node("ConstantOfShape", opstest.InNames(1), 1), 9, opstest.WithShape(opstest.I64s(2, 2), 1, 2))
	opstest.WantErr(t, "2-D shape input", err, "want 1-D")
	_, err = ops.Build(opstest.Node("ConstantOfShape", opstest.InNames(1), 1, attrT("value", &onnx.Tensor{DataType: onnx.Float, Dims: []int64{2}, FloatData: []float32{1, 2}})), 9)
	opstest.WantErr(t, "two-element value", err, "one element")
	op, _ := ops.Build(opstest.Node("ConstantOfShape", opstest.InNames(1), 1), 9)
	_, err = op.Infer([]ops.Value{{Type: onnx.Int64, Shape: []int{2}}})
	opstest.WantErr(t, "computed shape", err, "not known before the run")
}

func TestGivenTensorFill(t *testing.T) {
	vals := &onnx.Attribute{Name: "values", Type: onnx.AttrFloats, Floats: []float32{1, 2, 3, 4, 5, 6}}
	six := opstest.F32s(1, 2, 3, 4, 5, 6)
	for _, c := range []struct {
		name  string
		attrs []*onnx.Attribute
		in    []*ops.Tensor
		want  *ops.Tensor
	}{
		{"shape attribute", []*onnx.Attribute{vals, opstest.AttrIs("shape", 2, 3)}, nil, opstest.WithShape(six, 2, 3)},
		{"input's shape", []*onnx.Attribute{vals, opstest.AttrIs("extra_shape", 2)}, []*ops.Tensor{ops.New(onnx.Int8, 3)}, opstest.WithShape(six, 3, 2)},
		{"input as shape", []*onnx.Attribute{vals, opstest.AttrI("input_as_shape", 1), opstest.AttrIs("extra_shape", 1)}, []*ops.Tensor{opstest.I64s(6)}, opstest.WithShape(six, 6, 1)},
	} {
		got, err := opstest.Eval(opstest.Node("GivenTensorFill", opstest.InNames(len(c.in)), 1, c.attrs...), 1, c.in...)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		opstest.WantTensor(t, c.name, got[0], c.want)
	}
	_, err := opstest.Eval(opstest.Node("GivenTensorFill", nil, 1, vals, opstest.AttrIs("shape", 4)), 1)
	opstest.WantErr(t, "count", err, "6 values for the shape [4]")
	_, err = opstest.Eval(opstest.Node("GivenTensorFill", nil, 1, vals, opstest.AttrIs("shape", -6)), 1)
	opstest.WantErr(t, "negative", err, "negative entry")
}

func TestConstantNodeTests(t *testing.T) {
	if got := opstest.NodeTests(t, "test_constant", "test_constantofshape*"); got != 4 {
		t.Errorf("%d Constant/ConstantOfShape node tests passed, want 4", got)
	}
}
