package array

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// pyIndices lists the indices Python's x[start:stop:step] takes from a
// sequence of length n (slice.indices' normalization, then the loop), except
// that, as the ONNX spec says, a backward start is clamped to [0, n-1] where
// Python clamps it to [-1, n-1].
func pyIndices(start, stop, step int64, n int) []int {
	lower, upper := int64(0), int64(n)
	if step < 0 {
		lower, upper = -1, int64(n)-1
	}
	norm := func(v int64) int64 {
		if v < 0 {
			v += int64(n)
			return max(v, lower)
		}
		return min(v, upper)
	}
	first := norm(start)
	if step < 0 && n > 0 {
		first = max(first, 0)
	}
	var out []int
	for i := first; (step > 0 && i < norm(stop)) || (step < 0 && i > norm(stop)); i += step {
		out = append(out, int(i))
	}
	return out
}

// naiveSlice builds the slice from per-axis index lists.
func naiveSlice(x *ops.Tensor, idx [][]int) *ops.Tensor {
	shape := make([]int, len(idx))
	for d, l := range idx {
		shape[d] = len(l)
	}
	y := ops.New(x.Type, shape...)
	es, st := ops.ElemSize(x.Type), ops.Strides(x.Shape)
	for o := range y.Len() {
		src, rem := 0, o
		for d := len(shape) - 1; d >= 0; d-- {
			src += idx[d][rem%shape[d]] * st[d]
			rem /= shape[d]
		}
		copy(y.Data[o*es:(o+1)*es], x.Data[src*es:])
	}
	return y
}

// TestSliceNaive compares random slices (out-of-range and negative bounds,
// negative and positive steps, omitted axes) with Python's slicing rules.
func TestSliceNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	shapes := [][]int{{9}, {4, 6}, {3, 1, 5}, {2, 3, 4, 5}, {3, 0, 2}}
	for iter := range 400 {
		shape := shapes[iter%len(shapes)]
		x := opstest.RandomBytes(rng, []ops.DType{onnx.Uint8, onnx.Uint16, onnx.Float, onnx.Double}[iter%4], shape...)
		idx := make([][]int, len(shape))
		for d, n := range shape {
			idx[d] = pyIndices(0, int64(n), 1, n)
		}
		var starts, ends, axes, steps []int64
		for d, n := range shape {
			if rng.IntN(3) == 0 {
				continue // axis left whole
			}
			s := int64(rng.IntN(4*n+5) - 2*n - 2)
			e := int64(rng.IntN(4*n+5) - 2*n - 2)
			st := int64(rng.IntN(3) + 1)
			if rng.IntN(2) == 0 {
				st = -st
			}
			ax := int64(d)
			if rng.IntN(2) == 0 {
				ax -= int64(len(shape))
			}
			starts, ends, axes, steps = append(starts, s), append(ends, e), append(axes, ax), append(steps, st)
			idx[d] = pyIndices(s, e, st, n)
		}
		label := fmt.Sprintf("Slice %s starts %v ends %v axes %v steps %v", x, starts, ends, axes, steps)
		out, err := opstest.Eval(opstest.Node("Slice", opstest.InNames(5), 1), 13, x, opstest.I64s(starts...), opstest.I64s(ends...), opstest.I64s(axes...), opstest.I64s(steps...))
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		opstest.WantTensor(t, label, out[0], naiveSlice(x, idx))
	}
}

// TestSliceSpec runs the spec's examples and its clamping cases.
func TestSliceSpec(t *testing.T) {
	data := opstest.WithShape(opstest.F32s(1, 2, 3, 4, 5, 6, 7, 8), 2, 4)
	x := opstest.Iota32(20, 10, 5)
	cases := []struct {
		name  string
		x     *ops.Tensor
		in    []*ops.Tensor // starts, ends, axes, steps (nil: omitted)
		shape []int
		first float32 // first output element
	}{
		{"example 1", data, []*ops.Tensor{opstest.I64s(1, 0), opstest.I64s(2, 3), opstest.I64s(0, 1), opstest.I64s(1, 2)}, []int{1, 2}, 5},
		{"example 2", data, []*ops.Tensor{opstest.I64s(0, 1), opstest.I64s(-1, 1000)}, []int{1, 3}, 2},
		{"end out of bounds", x, []*ops.Tensor{opstest.I64s(1), opstest.I64s(1000), opstest.I64s(1), opstest.I64s(1)}, []int{20, 9, 5}, 5},
		{"start out of bounds", x, []*ops.Tensor{opstest.I64s(1000), opstest.I64s(1000), opstest.I64s(1), opstest.I64s(1)}, []int{20, 0, 5}, 0},
		{"negative steps", x, []*ops.Tensor{opstest.I64s(20, 10, 4), opstest.I64s(0, 0, 1), opstest.I64s(0, 1, 2), opstest.I64s(-1, -3, -2)}, []int{19, 3, 2}, 19*50 + 9*5 + 4},
		{"INT_MIN end backward", x, []*ops.Tensor{opstest.I64s(-1), opstest.I64s(math.MinInt64), opstest.I64s(0), opstest.I64s(-1)}, []int{20, 10, 5}, 19 * 50},
		{"INT_MAX end forward", x, []*ops.Tensor{opstest.I64s(2), opstest.I64s(math.MaxInt64), opstest.I64s(-1), nil}, []int{20, 10, 3}, 2},
	}
	for _, c := range cases {
		out, err := opstest.Eval(opstest.Node("Slice", opstest.InNames(1+len(c.in)), 1), 13, append([]*ops.Tensor{c.x}, c.in...)...)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !ops.SameShape(out[0].Shape, c.shape) || (out[0].Len() > 0 && out[0].F32()[0] != c.first) {
			t.Errorf("%s: got %v starting %v, want shape %v starting %v", c.name, out[0], out[0].F32()[:min(1, out[0].Len())], c.shape, c.first)
		}
	}
	wantSlice := opstest.WithShape(opstest.F32s(5, 6, 7), 1, 3)
	out, err := opstest.Eval(opstest.Node("Slice", opstest.InNames(1), 1, opstest.AttrIs("starts", 1, 0), opstest.AttrIs("ends", 2, 3), opstest.AttrIs("axes", 0, 1)), 1, data)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "Slice-1 example 1", out[0], wantSlice)
	out, err = opstest.Eval(opstest.Node("Slice", opstest.InNames(4), 1), 10, data, opstest.I64s(1, 0), opstest.I64s(2, 3), opstest.I64s(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "Slice-10", out[0], wantSlice)
	i32 := ops.New(onnx.Int32, 1)
	i32.I32()[0] = 1
	out, err = opstest.Eval(opstest.Node("Slice", opstest.InNames(3), 1), 13, opstest.WithShape(opstest.F32s(1, 2, 3), 3), i32, opstest.I64s(3))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "int32 starts", out[0], opstest.F32s(2, 3))
}

func TestSliceErrors(t *testing.T) {
	x := opstest.Iota32(2, 3)
	cases := []struct {
		opset int
		in    []*ops.Tensor
		err   string
	}{
		{13, []*ops.Tensor{opstest.I64s(0), opstest.I64s(1), opstest.I64s(0), opstest.I64s(0)}, "steps has a 0"},
		{13, []*ops.Tensor{opstest.I64s(0, 0), opstest.I64s(1)}, "ends 1"},
		{13, []*ops.Tensor{opstest.I64s(0), opstest.I64s(1), opstest.I64s(2)}, "out of range"},
		{13, []*ops.Tensor{opstest.I64s(0, 0), opstest.I64s(1, 1), opstest.I64s(1, -1)}, "repeated"},
		{10, []*ops.Tensor{opstest.I64s(0), opstest.I64s(1), opstest.I64s(-1)}, "opset 11"},
	}
	for _, c := range cases {
		_, err := opstest.Eval(opstest.Node("Slice", opstest.InNames(1+len(c.in)), 1), c.opset, append([]*ops.Tensor{x}, c.in...)...)
		opstest.WantErr(t, fmt.Sprintf("Slice-%d %v", c.opset, c.in), err, c.err)
	}
	_, err := ops.Build(opstest.Node("Slice", opstest.InNames(1), 1, opstest.AttrIs("starts", 0)), 1)
	opstest.WantErr(t, "Slice-1 without ends", err, "required")
	op, _ := ops.Build(opstest.Node("Slice", opstest.InNames(3), 1), 13)
	_, err = op.Infer([]ops.Value{{Type: onnx.Float, Shape: []int{3}}, {Type: onnx.Int64, Shape: []int{1}, Const: opstest.I64s(0)}, {Type: onnx.Int64, Shape: []int{1}}})
	opstest.WantErr(t, "computed ends", err, `"ends"`, "not known before the run")
}
