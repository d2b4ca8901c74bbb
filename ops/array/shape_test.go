package array

import (
	"fmt"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestShape(t *testing.T) {
	x := ops.New(onnx.Uint8, 2, 3, 4)
	cases := []struct {
		opset int
		attrs []*onnx.Attribute
		want  []int64
	}{
		{1, nil, []int64{2, 3, 4}},
		{13, []*onnx.Attribute{opstest.AttrI("start", 1)}, []int64{2, 3, 4}}, // start only exists from 15
		{15, []*onnx.Attribute{opstest.AttrI("start", -1)}, []int64{4}},
		{15, []*onnx.Attribute{opstest.AttrI("end", -1)}, []int64{2, 3}},
		{15, []*onnx.Attribute{opstest.AttrI("start", 1), opstest.AttrI("end", 2)}, []int64{3}},
		{15, []*onnx.Attribute{opstest.AttrI("start", -10), opstest.AttrI("end", 10)}, []int64{2, 3, 4}},
		{15, []*onnx.Attribute{opstest.AttrI("start", 2), opstest.AttrI("end", 1)}, []int64{}},
		{15, []*onnx.Attribute{opstest.AttrI("end", 0)}, []int64{}},
	}
	for _, c := range cases {
		out, err := opstest.Eval(opstest.Node("Shape", opstest.InNames(1), 1, c.attrs...), c.opset, x)
		label := fmt.Sprintf("Shape-%d %v", c.opset, c.attrs)
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		opstest.WantTensor(t, label, out[0], opstest.I64s(c.want...))
	}
	out, err := opstest.Eval(opstest.Node("Shape", opstest.InNames(1), 1), 21, ops.New(onnx.Float))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "shape of a scalar", out[0], opstest.I64s())
}

func TestGather(t *testing.T) {
	data := opstest.WithShape(opstest.F32s(1, 1.2, 2.3, 3.4, 4.5, 5.7), 3, 2)
	data3 := opstest.WithShape(opstest.F32s(1, 1.2, 1.9, 2.3, 3.4, 3.9, 4.5, 5.7, 5.9), 3, 3)
	idx32 := ops.New(onnx.Int32, 2)
	copy(idx32.I32(), []int32{2, -3})
	bytes := &ops.Tensor{Type: onnx.Uint8, Shape: []int{2, 3}, Data: []byte{1, 2, 3, 4, 5, 6}}
	cases := []struct {
		name  string
		opset int
		axis  int64
		data  *ops.Tensor
		idx   *ops.Tensor
		want  *ops.Tensor
	}{
		{"spec axis 0", 13, 0, data, opstest.WithShape(opstest.I64s(0, 1, 1, 2), 2, 2), opstest.WithShape(opstest.F32s(1, 1.2, 2.3, 3.4, 2.3, 3.4, 4.5, 5.7), 2, 2, 2)},
		{"spec axis 1", 13, 1, data3, opstest.WithShape(opstest.I64s(0, 2), 1, 2), opstest.WithShape(opstest.F32s(1, 1.9, 2.3, 3.9, 4.5, 5.9), 3, 1, 2)},
		{"negative axis and indices", 11, -1, data3, opstest.I64s(-1, 0), opstest.WithShape(opstest.F32s(1.9, 1, 3.9, 2.3, 5.9, 4.5), 3, 2)},
		{"int32 indices", 13, 0, data, idx32, opstest.WithShape(opstest.F32s(4.5, 5.7, 1, 1.2), 2, 2)},
		{"scalar index", 1, 1, bytes, ops.FromI64([]int64{2}), &ops.Tensor{Type: onnx.Uint8, Shape: []int{2}, Data: []byte{3, 6}}},
		{"no indices", 13, 0, data, opstest.I64s(), ops.New(onnx.Float, 0, 2)},
	}
	for _, c := range cases {
		out, err := opstest.Eval(opstest.Node("Gather", opstest.InNames(2), 1, opstest.AttrI("axis", c.axis)), c.opset, c.data, c.idx)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		opstest.WantTensor(t, c.name, out[0], c.want)
	}
	errs := []struct {
		name  string
		opset int
		axis  int64
		idx   *ops.Tensor
		err   string
	}{
		{"index past the end", 13, 0, opstest.I64s(3), "out of range [-3, 3)"},
		{"index before the start", 13, 0, opstest.I64s(-4), "out of range"},
		{"negative index before 11", 1, 0, opstest.I64s(-1), "out of range [0, 3)"},
		{"float indices", 13, 0, opstest.F32s(0), "int32 or int64"},
		{"axis", 13, 2, opstest.I64s(0), "out of range for rank 2"},
	}
	for _, c := range errs {
		_, err := opstest.Eval(opstest.Node("Gather", opstest.InNames(2), 1, opstest.AttrI("axis", c.axis)), c.opset, data, c.idx)
		opstest.WantErr(t, c.name, err, c.err)
	}
}

func TestShapeGatherNodeTests(t *testing.T) {
	if got := opstest.NodeTests(t, "test_shape*", "test_gather*"); got != 15 {
		t.Errorf("%d Shape/Gather node tests passed, want 15", got)
	}
}
