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

func TestShapeNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_shape*"); got != 11 {
		t.Errorf("%d Shape node tests passed, want 11", got)
	}
}
