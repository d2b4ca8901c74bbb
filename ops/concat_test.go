package ops

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
)

func TestConcatHand(t *testing.T) {
	a := withShape(f32s(1, 2, 3, 4), 2, 2)
	b := withShape(f32s(5, 6, 7, 8), 2, 2)
	c := withShape(f32s(9, 10), 2, 1)
	cases := []struct {
		opset int
		attrs []*onnx.Attribute
		in    []*Tensor
		want  *Tensor
	}{
		{11, []*onnx.Attribute{attrI("axis", 0)}, []*Tensor{a, b}, withShape(f32s(1, 2, 3, 4, 5, 6, 7, 8), 4, 2)},
		{4, []*onnx.Attribute{attrI("axis", 1)}, []*Tensor{a, b, c}, withShape(f32s(1, 2, 5, 6, 9, 3, 4, 7, 8, 10), 2, 5)},
		{11, []*onnx.Attribute{attrI("axis", -1)}, []*Tensor{c, a}, withShape(f32s(9, 1, 2, 10, 3, 4), 2, 3)},
		{1, nil, []*Tensor{a, c}, withShape(f32s(1, 2, 9, 3, 4, 10), 2, 3)}, // Concat-1's default axis is 1
		{13, []*onnx.Attribute{attrI("axis", 0)}, []*Tensor{New(onnx.Float, 0, 2), a}, a},
		{13, []*onnx.Attribute{attrI("axis", 0)}, []*Tensor{a}, a},
	}
	for _, c := range cases {
		out, err := evalNode(moveNode("Concat", inNames(len(c.in)), 1, c.attrs...), c.opset, c.in...)
		label := fmt.Sprintf("Concat-%d of %v", c.opset, c.in)
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		wantTensor(t, label, out[0], c.want)
	}
}

func TestConcatErrors(t *testing.T) {
	a := iota32(2, 2)
	cases := []struct {
		opset int
		axis  int64
		in    []*Tensor
		err   string
	}{
		{13, 0, []*Tensor{a, iota32(2, 3)}, "dim 1 differs"},
		{13, 0, []*Tensor{a, iota32(2)}, "ranks differ"},
		{13, 0, []*Tensor{a, New(onnx.Int32, 2, 2)}, "type int32"},
		{13, 2, []*Tensor{a, a}, "out of range"},
		{4, -1, []*Tensor{a, a}, "opset 11"},
	}
	for _, c := range cases {
		_, err := evalNode(moveNode("Concat", inNames(len(c.in)), 1, attrI("axis", c.axis)), c.opset, c.in...)
		wantErr(t, fmt.Sprintf("Concat-%d axis %d of %v", c.opset, c.axis, c.in), err, c.err)
	}
	_, err := Build(moveNode("Concat", inNames(2), 1), 4)
	wantErr(t, "Concat-4 without axis", err, `"axis" is required`)
}

func TestSplitHand(t *testing.T) {
	x := f32s(1, 2, 3, 4, 5, 6, 7)
	m := withShape(f32s(1, 2, 3, 4, 5, 6), 2, 3)
	cases := []struct {
		name   string
		opset  int
		nOut   int
		attrs  []*onnx.Attribute
		in     []*Tensor
		want   []*Tensor
		errMsg string
	}{
		{"sizes attribute", 2, 2, []*onnx.Attribute{attrIs("split", 2, 5)}, []*Tensor{x}, []*Tensor{f32s(1, 2), f32s(3, 4, 5, 6, 7)}, ""},
		{"sizes input", 13, 3, nil, []*Tensor{x, i64s(3, 0, 4)}, []*Tensor{f32s(1, 2, 3), f32s(), f32s(4, 5, 6, 7)}, ""},
		{"even", 13, 3, []*onnx.Attribute{attrI("axis", -1)}, []*Tensor{m}, []*Tensor{withShape(f32s(1, 4), 2, 1), withShape(f32s(2, 5), 2, 1), withShape(f32s(3, 6), 2, 1)}, ""},
		{"num_outputs uneven", 18, 3, []*onnx.Attribute{attrI("num_outputs", 3)}, []*Tensor{x}, []*Tensor{f32s(1, 2, 3), f32s(4, 5, 6), f32s(7)}, ""},
		{"num_outputs even", 18, 2, []*onnx.Attribute{attrI("num_outputs", 2), attrI("axis", 0)}, []*Tensor{m}, []*Tensor{withShape(f32s(1, 2, 3), 1, 3), withShape(f32s(4, 5, 6), 1, 3)}, ""},
		{"uneven without num_outputs", 13, 2, nil, []*Tensor{x}, nil, "evenly"},
		{"num_outputs leaving nothing last", 18, 4, []*onnx.Attribute{attrI("num_outputs", 4)}, []*Tensor{f32s(1, 2, 3, 4, 5)}, nil, "smaller last one"},
		{"sizes not summing", 13, 2, nil, []*Tensor{x, i64s(3, 3)}, nil, "sums to 6"},
		{"negative size", 13, 2, nil, []*Tensor{x, i64s(8, -1)}, nil, "negative"},
		{"sizes count", 2, 3, []*onnx.Attribute{attrIs("split", 3, 4)}, []*Tensor{x}, nil, "3 outputs"},
		{"num_outputs and split", 18, 2, []*onnx.Attribute{attrI("num_outputs", 2)}, []*Tensor{x, i64s(3, 4)}, nil, "both given"},
		{"negative axis before 11", 2, 3, []*onnx.Attribute{attrI("axis", -1)}, []*Tensor{m}, nil, "opset 11"},
	}
	for _, c := range cases {
		out, err := evalNode(moveNode("Split", inNames(len(c.in)), c.nOut, c.attrs...), c.opset, c.in...)
		label := fmt.Sprintf("Split-%d %s", c.opset, c.name)
		if c.errMsg != "" {
			wantErr(t, label, err, c.errMsg)
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
			wantTensor(t, fmt.Sprintf("%s output %d", label, i), out[i], c.want[i])
		}
	}
	_, err := Build(moveNode("Split", inNames(1), 2, attrI("num_outputs", 3)), 18)
	wantErr(t, "num_outputs not matching the outputs", err, "2 outputs")
}

// TestConcatSplitRoundTrip splits the concatenation of random tensors of
// every element size back into its parts, along every axis.
func TestConcatSplitRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, dt := range []DType{onnx.Int8, onnx.Uint16, onnx.Int32, onnx.Uint64} {
		base := []int{3, 4, 5}
		for axis := range base {
			var parts []*Tensor
			var sizes []int64
			for _, n := range []int{2, 0, 3} {
				shape := append([]int(nil), base...)
				shape[axis] = n
				parts = append(parts, randomBytes(rng, dt, shape...))
				sizes = append(sizes, int64(n))
			}
			cat, err := evalNode(moveNode("Concat", inNames(3), 1, attrI("axis", int64(axis))), 13, parts...)
			if err != nil {
				t.Fatal(err)
			}
			back, err := evalNode(moveNode("Split", inNames(2), 3, attrI("axis", int64(axis))), 13, cat[0], i64s(sizes...))
			if err != nil {
				t.Fatal(err)
			}
			for i := range parts {
				wantTensor(t, fmt.Sprintf("%s axis %d part %d", TypeName(dt), axis, i), back[i], parts[i])
			}
		}
	}
}

func TestConcatNodeTests(t *testing.T) {
	if got := nodeTests(t, "test_concat*"); got != 12 {
		t.Errorf("%d Concat node tests passed, want 12", got)
	}
}
