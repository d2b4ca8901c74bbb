package array

import (
	"fmt"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// Helpers shared by the tests of the shape and data-movement ops
// (reshape, concat, slice, transpose, constant, shape, pad, reduce).

func TestReshapeTo(t *testing.T) {
	cases := []struct {
		in        []int
		spec      []int64
		allowZero bool
		want      []int
		err       string
	}{
		{[]int{2, 3, 4}, []int64{4, 2, 3}, false, []int{4, 2, 3}, ""},
		{[]int{2, 3, 4}, []int64{2, -1}, false, []int{2, 12}, ""},
		{[]int{2, 3, 4}, []int64{0, 0, -1, 2}, false, []int{2, 3, 2, 2}, ""},
		{[]int{2, 3, 4}, []int64{-1}, false, []int{24}, ""},
		{[]int{1}, []int64{}, false, []int{}, ""},
		{[]int{0, 3, 4}, []int64{3, 4, 0}, true, []int{3, 4, 0}, ""},
		{[]int{0, 3, 4}, []int64{3, 4, 0}, false, nil, "48 elements"},
		{[]int{2, 0}, []int64{0, 0}, true, []int{0, 0}, ""},
		{[]int{12}, []int64{3, 4, 0}, false, nil, "rank 1"},
		{[]int{2, 3, 4}, []int64{-1, -1}, false, nil, "more than one -1"},
		{[]int{2, 3, 4}, []int64{5, -1}, false, nil, "cannot be inferred"},
		{[]int{2, 3, 4}, []int64{0, -1, 0}, true, nil, "both 0 and -1"},
		{[]int{2, 3, 4}, []int64{-2, 12}, false, nil, "want >= -1"},
		{[]int{2, 3, 4}, []int64{5, 5}, false, nil, "24 elements"},
		{[]int{4}, []int64{ops.MaxDim + 1, 4}, false, nil, "shape entry 0 is " + fmt.Sprint(ops.MaxDim+1) + ", out of range"},
		{[]int{0}, []int64{ops.MaxDim, ops.MaxDim}, false, nil, "element count overflows"},
		{[]int{4}, []int64{-1, ops.MaxDim, ops.MaxDim}, false, nil, "element count overflows"},
	}
	for _, c := range cases {
		got, err := reshapeTo(c.in, c.spec, c.allowZero)
		label := fmt.Sprintf("reshapeTo(%v, %v, %v)", c.in, c.spec, c.allowZero)
		if c.err != "" {
			opstest.WantErr(t, label, err, c.err)
		} else if err != nil || !ops.SameShape(got, c.want) {
			t.Errorf("%s = %v, %v; want %v", label, got, err, c.want)
		}
	}
}

func TestReshapeVersions(t *testing.T) {
	x := opstest.Iota32(2, 3)
	// Opset 1: the shape is an attribute.
	out, err := opstest.Eval(opstest.Node("Reshape", opstest.InNames(1), 1, opstest.AttrIs("shape", 3, 2)), 1, x)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "Reshape-1", out[0], opstest.WithShape(x, 3, 2))
	// Opset 13 ignores allowzero (absent before 14): 0 copies the input dim.
	zero := ops.New(onnx.Float, 0, 3)
	if _, err := opstest.Eval(opstest.Node("Reshape", opstest.InNames(2), 1, opstest.AttrI("allowzero", 1)), 13, zero, opstest.I64s(3, 0)); err == nil {
		t.Error("Reshape-13 honoured allowzero")
	}
	out, err = opstest.Eval(opstest.Node("Reshape", opstest.InNames(2), 1, opstest.AttrI("allowzero", 1)), 14, zero, opstest.I64s(3, 0))
	if err != nil {
		t.Fatal(err)
	}
	if !ops.SameShape(out[0].Shape, []int{3, 0}) {
		t.Errorf("Reshape-14 allowzero gave %v, want [3 0]", out[0].Shape)
	}
	// A shape that is not constant cannot be planned.
	op, _ := ops.Build(opstest.Node("Reshape", opstest.InNames(2), 1), 14)
	_, err = op.Infer([]ops.Value{{Type: onnx.Float, Shape: []int{6}}, {Type: onnx.Int64, Shape: []int{1}}})
	opstest.WantErr(t, "Reshape with a computed shape", err, `"shape"`, "not known before the run")
}

func TestFlatten(t *testing.T) {
	x := opstest.Iota32(2, 3, 4)
	cases := []struct {
		opset int
		axis  int64
		want  []int
		err   string
	}{
		{9, 0, []int{1, 24}, ""},
		{9, 1, []int{2, 12}, ""},
		{9, 3, []int{24, 1}, ""},
		{11, -1, []int{6, 4}, ""},
		{11, -3, []int{1, 24}, ""},
		{9, -1, nil, "opset 11"},
		{11, 4, nil, "want in [-3, 3]"},
		{11, -4, nil, "want in [-3, 3]"},
	}
	for _, c := range cases {
		out, err := opstest.Eval(opstest.Node("Flatten", opstest.InNames(1), 1, opstest.AttrI("axis", c.axis)), c.opset, x)
		label := fmt.Sprintf("Flatten-%d axis %d", c.opset, c.axis)
		if c.err != "" {
			opstest.WantErr(t, label, err, c.err)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		opstest.WantTensor(t, label, out[0], opstest.WithShape(x, c.want...))
	}
}

func TestSqueezeUnsqueeze(t *testing.T) {
	x := opstest.Iota32(1, 3, 1, 2)
	cases := []struct {
		op     string
		opset  int
		axes   []int64 // nil: none given
		viaIn  bool    // axes as input 1
		x      *ops.Tensor
		want   []int
		errMsg string
	}{
		{"Squeeze", 11, nil, false, x, []int{3, 2}, ""},
		{"Squeeze", 13, nil, false, x, []int{3, 2}, ""},
		{"Squeeze", 1, []int64{2}, false, x, []int{1, 3, 2}, ""},
		{"Squeeze", 11, []int64{-2, 0}, false, x, []int{3, 2}, ""},
		{"Squeeze", 13, []int64{-4}, true, x, []int{3, 1, 2}, ""},
		{"Squeeze", 1, []int64{-2}, false, x, nil, "opset 11"},
		{"Squeeze", 13, []int64{1}, true, x, nil, "not 1"},
		{"Squeeze", 13, []int64{0, 0}, true, x, nil, "repeated"},
		{"Squeeze", 13, []int64{4}, true, x, nil, "out of range"},
		{"Unsqueeze", 1, []int64{0, 4}, false, opstest.Iota32(3, 4, 5), []int{1, 3, 4, 5, 1}, ""},
		{"Unsqueeze", 13, []int64{5, 4, 0}, true, opstest.Iota32(3, 4, 5), []int{1, 3, 4, 5, 1, 1}, ""},
		{"Unsqueeze", 11, []int64{-1, 1}, false, opstest.Iota32(3, 4), []int{3, 1, 4, 1}, ""},
		{"Unsqueeze", 13, []int64{}, true, opstest.Iota32(2), []int{2}, ""},
		{"Unsqueeze", 13, []int64{0}, true, opstest.Iota32(), []int{1}, ""},
		{"Unsqueeze", 1, []int64{-1}, false, opstest.Iota32(3), nil, "opset 11"},
		{"Unsqueeze", 13, []int64{1, -2}, true, opstest.Iota32(3), nil, "repeated"},
		{"Unsqueeze", 13, []int64{3}, true, opstest.Iota32(3), nil, "out of range"},
	}
	for _, c := range cases {
		var n *onnx.Node
		in := []*ops.Tensor{c.x}
		if c.viaIn {
			n = opstest.Node(c.op, opstest.InNames(2), 1)
			in = append(in, opstest.I64s(c.axes...))
		} else if c.axes != nil {
			n = opstest.Node(c.op, opstest.InNames(1), 1, opstest.AttrIs("axes", c.axes...))
		} else {
			n = opstest.Node(c.op, opstest.InNames(1), 1)
		}
		label := fmt.Sprintf("%s-%d axes %v", c.op, c.opset, c.axes)
		out, err := opstest.Eval(n, c.opset, in...)
		if c.errMsg != "" {
			opstest.WantErr(t, label, err, c.errMsg)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		opstest.WantTensor(t, label, out[0], opstest.WithShape(c.x, c.want...))
	}
	_, err := ops.Build(opstest.Node("Unsqueeze", opstest.InNames(1), 1), 11)
	opstest.WantErr(t, "Unsqueeze-11 without axes", err, `"axes" is required`)
}

// TestViewOpsInPlace checks that the shape-only ops offer their input's
// storage, and copy it when given distinct storage.
func TestViewOpsInPlace(t *testing.T) {
	nodes := []*onnx.Node{
		opstest.Node("Reshape", opstest.InNames(2), 1),
		opstest.Node("Flatten", opstest.InNames(1), 1),
		opstest.Node("Squeeze", opstest.InNames(1), 1),
		opstest.Node("Unsqueeze", opstest.InNames(2), 1),
	}
	for _, n := range nodes {
		op, err := ops.Build(n, 21)
		if err != nil {
			t.Fatal(err)
		}
		ip, ok := op.(ops.InPlacer)
		if !ok || ip.InPlace(nil) != 0 {
			t.Errorf("%s does not offer input 0's storage", n.OpType)
			continue
		}
		x := opstest.Iota32(1, 4)
		out := ops.New(onnx.Float, 4)
		if err := op.Run(&ops.Ctx{Par: ops.Serial{}}, []*ops.Tensor{x, nil}, []*ops.Tensor{out}); err != nil {
			t.Fatal(err)
		}
		opstest.WantTensor(t, n.OpType+" into distinct storage", out, opstest.WithShape(x, 4))
	}
}

func TestReshapeNodeTests(t *testing.T) {
	if got := opstest.NodeTests(t, "test_reshape*", "test_flatten*", "test_squeeze*", "test_unsqueeze*"); got != 28 {
		t.Errorf("%d Reshape/Flatten/Squeeze/Unsqueeze node tests passed, want 28", got)
	}
}
