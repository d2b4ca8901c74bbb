package array

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestConcatHand(t *testing.T) {
	a := opstest.WithShape(opstest.F32s(1, 2, 3, 4), 2, 2)
	b := opstest.WithShape(opstest.F32s(5, 6, 7, 8), 2, 2)
	c := opstest.WithShape(opstest.F32s(9, 10), 2, 1)
	cases := []struct {
		opset int
		attrs []*onnx.Attribute
		in    []*ops.Tensor
		want  *ops.Tensor
	}{
		{11, []*onnx.Attribute{opstest.AttrI("axis", 0)}, []*ops.Tensor{a, b}, opstest.WithShape(opstest.F32s(1, 2, 3, 4, 5, 6, 7, 8), 4, 2)},
		{4, []*onnx.Attribute{opstest.AttrI("axis", 1)}, []*ops.Tensor{a, b, c}, opstest.WithShape(opstest.F32s(1, 2, 5, 6, 9, 3, 4, 7, 8, 10), 2, 5)},
		{11, []*onnx.Attribute{opstest.AttrI("axis", -1)}, []*ops.Tensor{c, a}, opstest.WithShape(opstest.F32s(9, 1, 2, 10, 3, 4), 2, 3)},
		{1, nil, []*ops.Tensor{a, c}, opstest.WithShape(opstest.F32s(1, 2, 9, 3, 4, 10), 2, 3)}, // Concat-1's default axis is 1
		{13, []*onnx.Attribute{opstest.AttrI("axis", 0)}, []*ops.Tensor{ops.New(onnx.Float, 0, 2), a}, a},
		{13, []*onnx.Attribute{opstest.AttrI("axis", 0)}, []*ops.Tensor{a}, a},
	}
	for _, c := range cases {
		out, err := opstest.Eval(opstest.Node("Concat", opstest.InNames(len(c.in)), 1, c.attrs...), c.opset, c.in...)
		label := fmt.Sprintf("Concat-%d of %v", c.opset, c.in)
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		opstest.WantTensor(t, label, out[0], c.want)
	}
}

func TestConcatErrors(t *testing.T) {
	a := opstest.Iota32(2, 2)
	cases := []struct {
		opset int
		axis  int64
		in    []*ops.Tensor
		err   string
	}{
		{13, 0, []*ops.Tensor{a, opstest.Iota32(2, 3)}, "dim 1 differs"},
		{13, 0, []*ops.Tensor{a, opstest.Iota32(2)}, "ranks differ"},
		{13, 0, []*ops.Tensor{a, ops.New(onnx.Int32, 2, 2)}, "type int32"},
		{13, 2, []*ops.Tensor{a, a}, "out of range"},
		{4, -1, []*ops.Tensor{a, a}, "opset 11"},
	}
	for _, c := range cases {
		_, err := opstest.Eval(opstest.Node("Concat", opstest.InNames(len(c.in)), 1, opstest.AttrI("axis", c.axis)), c.opset, c.in...)
		opstest.WantErr(t, fmt.Sprintf("Concat-%d axis %d of %v", c.opset, c.axis, c.in), err, c.err)
	}
	_, err := ops.Build(opstest.Node("Concat", opstest.InNames(2), 1), 4)
	opstest.WantErr(t, "Concat-4 without axis", err, `"axis" is required`)
}

func TestSplitHand(t *testing.T) {
	x := opstest.F32s(1, 2, 3, 4, 5, 6, 7)
	m := opstest.WithShape(opstest.F32s(1, 2, 3, 4, 5, 6), 2, 3)
	cases := []struct {
		name   string
		opset  int
		nOut   int
		attrs  []*onnx.Attribute
		in     []*ops.Tensor
		want   []*ops.Tensor
		errMsg string
	}{
		{"sizes attribute", 2, 2, []*onnx.Attribute{opstest.AttrIs("split", 2, 5)}, []*ops.Tensor{x}, []*ops.Tensor{opstest.F32s(1, 2), opstest.F32s(3, 4, 5, 6, 7)}, ""},
		{"sizes input", 13, 3, nil, []*ops.Tensor{x, opstest.I64s(3, 0, 4)}, []*ops.Tensor{opstest.F32s(1, 2, 3), opstest.F32s(), opstest.F32s(4, 5, 6, 7)}, ""},
		{"even", 13, 3, []*onnx.Attribute{opstest.AttrI("axis", -1)}, []*ops.Tensor{m}, []*ops.Tensor{opstest.WithShape(opstest.F32s(1, 4), 2, 1), opstest.WithShape(opstest.F32s(2, 5), 2, 1), opstest.WithShape(opstest.F32s(3, 6), 2, 1)}, ""},
		{"num_outputs uneven", 18, 3, []*onnx.Attribute{opstest.AttrI("num_outputs", 3)}, []*ops.Tensor{x}, []*ops.Tensor{opstest.F32s(1, 2, 3), opstest.F32s(4, 5, 6), opstest.F32s(7)}, ""},
		{"num_outputs even", 18, 2, []*onnx.Attribute{opstest.AttrI("num_outputs", 2), opstest.AttrI("axis", 0)}, []*ops.Tensor{m}, []*ops.Tensor{opstest.WithShape(opstest.F32s(1, 2, 3), 1, 3), opstest.WithShape(opstest.F32s(4, 5, 6), 1, 3)}, ""},
		{"uneven without num_outputs", 13, 2, nil, []*ops.Tensor{x}, nil, "evenly"},
		{"num_outputs leaving nothing last", 18, 4, []*onnx.Attribute{opstest.AttrI("num_outputs", 4)}, []*ops.Tensor{opstest.F32s(1, 2, 3, 4, 5)}, nil, "smaller last one"},
		{"sizes not summing", 13, 2, nil, []*ops.Tensor{x, opstest.I64s(3, 3)}, nil, "sums to 6"},
		{"negative size", 13, 2, nil, []*ops.Tensor{x, opstest.I64s(8, -1)}, nil, "negative"},
		{"sizes count", 2, 3, []*onnx.Attribute{opstest.AttrIs("split", 3, 4)}, []*ops.Tensor{x}, nil, "3 outputs"},
		{"num_outputs and split", 18, 2, []*onnx.Attribute{opstest.AttrI("num_outputs", 2)}, []*ops.Tensor{x, opstest.I64s(3, 4)}, nil, "both given"},
		{"Split-1 sizes attribute", 1, 2, []*onnx.Attribute{opstest.AttrIs("split", 6, 1)}, []*ops.Tensor{x}, []*ops.Tensor{opstest.F32s(1, 2, 3, 4, 5, 6), opstest.F32s(7)}, ""},
		{"Split-1 float sizes input", 1, 2, nil, []*ops.Tensor{x, opstest.F32s(4, 3)}, []*ops.Tensor{opstest.F32s(1, 2, 3, 4), opstest.F32s(5, 6, 7)}, ""},
		{"Split-1 int sizes input", 1, 2, nil, []*ops.Tensor{x, opstest.I64s(1, 6)}, []*ops.Tensor{opstest.F32s(1), opstest.F32s(2, 3, 4, 5, 6, 7)}, ""},
		{"Split-1 fractional sizes", 1, 2, nil, []*ops.Tensor{x, opstest.F32s(3.5, 3.5)}, nil, "whole numbers"},
		{"Split-1 sizes twice", 1, 2, []*onnx.Attribute{opstest.AttrIs("split", 6, 1)}, []*ops.Tensor{x, opstest.I64s(1, 6)}, nil, "both given"},
		{"Split-2 sizes input", 2, 2, nil, []*ops.Tensor{x, opstest.I64s(1, 6)}, nil, "want 1"},
		{"negative axis before 11", 2, 3, []*onnx.Attribute{opstest.AttrI("axis", -1)}, []*ops.Tensor{m}, nil, "opset 11"},
	}
	for _, c := range cases {
		out, err := opstest.Eval(opstest.Node("Split", opstest.InNames(len(c.in)), c.nOut, c.attrs...), c.opset, c.in...)
		label := fmt.Sprintf("Split-%d %s", c.opset, c.name)
		if c.errMsg != "" {
			opstest.WantErr(t, label, err, c.errMsg)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		if len(out) != len(c.want) {
			t.Errorf("%s: %d outputs, want %d", label, len(out), len(c.want))
			continue
		}
		for i := range out {
			opstest.WantTensor(t, fmt.Sprintf("%s output %d", label, i), out[i], c.want[i])
		}
	}
	_, err := ops.Build(opstest.Node("Split", opstest.InNames(1), 2, opstest.AttrI("num_outputs", 3)), 18)
	opstest.WantErr(t, "num_outputs not matching the outputs", err, "2 outputs")
}

// TestConcatSplitRoundTrip splits the concatenation of random tensors of
// every element size back into its parts, along every axis.
func TestConcatSplitRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, dt := range []ops.DType{onnx.Int8, onnx.Uint16, onnx.Int32, onnx.Uint64} {
		base := []int{3, 4, 5}
		for axis := range base {
			var parts []*ops.Tensor
			var sizes []int64
			for _, n := range []int{2, 0, 3} {
				shape := append([]int(nil), base...)
				shape[axis] = n
				parts = append(parts, opstest.RandomBytes(rng, dt, shape...))
				sizes = append(sizes, int64(n))
			}
			cat, err := opstest.Eval(opstest.Node("Concat", opstest.InNames(3), 1, opstest.AttrI("axis", int64(axis))), 13, parts...)
			if err != nil {
				t.Fatal(err)
			}
			back, err := opstest.Eval(opstest.Node("Split", opstest.InNames(2), 3, opstest.AttrI("axis", int64(axis))), 13, cat[0], opstest.I64s(sizes...))
			if err != nil {
				t.Fatal(err)
			}
			for i := range parts {
				opstest.WantTensor(t, fmt.Sprintf("%s axis %d part %d", ops.TypeName(dt), axis, i), back[i], parts[i])
			}
		}
	}
}

func TestConcatNodeTests(t *testing.T) {
	if got := opstest.NodeTests(t, "test_concat*"); got != 12 {
		t.Errorf("%d Concat node tests passed, want 12", got)
	}
}
