package reduce

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// naiveMean adds every input element into its output element (found by
// zeroing the reduced coordinates) in float64, then divides.
func naiveMean(x []float64, shape []int, axes []int) []float64 {
	reduced := make([]bool, len(shape))
	for _, a := range axes {
		reduced[a] = true
	}
	outSt := ops.Strides(shape)
	span := 1
	for d := len(shape) - 1; d >= 0; d-- {
		outSt[d] = span
		if reduced[d] {
			outSt[d] = 0
		} else {
			span *= shape[d]
		}
	}
	sum := make([]float64, span)
	cnt := make([]float64, span)
	for i, v := range x {
		o, rem := 0, i
		for d := len(shape) - 1; d >= 0; d-- {
			o += rem % shape[d] * outSt[d]
			rem /= shape[d]
		}
		sum[o] += v
		cnt[o]++
	}
	for i := range sum {
		sum[i] /= cnt[i]
	}
	return sum
}

// TestReduceMeanNaive compares random reductions of float and int64 tensors
// with naiveMean (ints: the mean truncated toward zero).
func TestReduceMeanNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	shapes := [][]int{{5}, {3, 7}, {2, 1, 4}, {2, 3, 4, 5}, {1, 6, 1, 9}}
	for iter := range 200 {
		shape := shapes[iter%len(shapes)]
		var axes []int64
		var norm []int
		for d := range shape {
			if rng.IntN(2) == 0 {
				axes = append(axes, int64(d-len(shape)))
				norm = append(norm, d)
			}
		}
		if len(axes) == 0 {
			norm = []int{}
			for d := range shape {
				norm = append(norm, d)
			}
		}
		vals := make([]float64, ops.NumElems(shape))
		x := ops.New(onnx.Float, shape...)
		xi := ops.New(onnx.Int64, shape...)
		for i := range vals {
			xi.I64()[i] = rng.Int64N(2001) - 1000
			vals[i] = float64(xi.I64()[i])
			x.F32()[i] = float32(vals[i])
		}
		want := naiveMean(vals, shape, norm)
		keep := int64(iter % 2)
		for _, in := range []*ops.Tensor{x, xi} {
			n := opstest.Node("ReduceMean", opstest.InNames(2), 1, opstest.AttrI("keepdims", keep))
			out, err := opstest.Eval(n, 18, in, opstest.I64s(axes...))
			label := fmt.Sprintf("ReduceMean %s axes %v keepdims %d", in, axes, keep)
			if err != nil {
				t.Errorf("%s: %v", label, err)
				continue
			}
			if out[0].Len() != len(want) {
				t.Errorf("%s: got %v, want %d elements", label, out[0], len(want))
				continue
			}
			for i, w := range want {
				var got float64
				if in.Type == onnx.Float {
					got = float64(out[0].F32()[i])
				} else {
					got, w = float64(out[0].I64()[i]), math.Trunc(w)
				}
				if math.Abs(got-w) > 1e-4*math.Abs(w)+1e-5 {
					t.Errorf("%s: element %d is %g, want %g", label, i, got, w)
					break
				}
			}
		}
	}
}

// setNumber stores v, converted to t's type, as element i of t.
func setNumber(t *ops.Tensor, i int, v float64) {
	switch t.Type {
	case onnx.Float:
		t.F32()[i] = float32(v)
	case onnx.Double:
		t.F64()[i] = v
	case onnx.Int32:
		t.I32()[i] = int32(v)
	case onnx.Int64:
		t.I64()[i] = int64(v)
	case onnx.Uint32:
		t.U32()[i] = uint32(v)
	case onnx.Uint64:
		t.U64()[i] = uint64(v)
	}
}

// TestReduceMeanSpec checks the spec's example and each version's way of
// giving the axes.
func TestReduceMeanSpec(t *testing.T) {
	x := opstest.WithShape(opstest.F32s(5, 1, 20, 2, 30, 1, 40, 2, 55, 1, 60, 2), 3, 2, 2)
	axis1 := opstest.WithShape(opstest.F32s(12.5, 1.5, 35, 1.5, 57.5, 1.5), 3, 1, 2)
	all := opstest.WithShape(opstest.F32s(18.25), 1, 1, 1)
	cases := []struct {
		name  string
		opset int
		attrs []*onnx.Attribute
		in    []*ops.Tensor
		want  *ops.Tensor
	}{
		{"axes attribute", 13, []*onnx.Attribute{opstest.AttrIs("axes", 1)}, []*ops.Tensor{x}, axis1},
		{"negative axes attribute", 11, []*onnx.Attribute{opstest.AttrIs("axes", -2)}, []*ops.Tensor{x}, axis1},
		{"no axes attribute", 1, nil, []*ops.Tensor{x}, all},
		{"keepdims 0", 13, []*onnx.Attribute{opstest.AttrIs("axes", 1), opstest.AttrI("keepdims", 0)}, []*ops.Tensor{x}, opstest.WithShape(axis1, 3, 2)},
		{"axes input", 18, nil, []*ops.Tensor{x, opstest.I64s(1)}, axis1},
		{"no axes input", 18, nil, []*ops.Tensor{x}, all},
		{"empty axes input", 18, nil, []*ops.Tensor{x, opstest.I64s()}, all},
		{"noop_with_empty_axes", 18, []*onnx.Attribute{opstest.AttrI("noop_with_empty_axes", 1)}, []*ops.Tensor{x}, x},
		{"noop_with_empty_axes, axes given", 18, []*onnx.Attribute{opstest.AttrI("noop_with_empty_axes", 1)}, []*ops.Tensor{x, opstest.I64s(1)}, axis1},
	}
	for _, c := range cases {
		out, err := opstest.Eval(opstest.Node("ReduceMean", opstest.InNames(len(c.in)), 1, c.attrs...), c.opset, c.in...)
		label := fmt.Sprintf("ReduceMean-%d %s", c.opset, c.name)
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		opstest.WantTensor(t, label, out[0], c.want)
	}
	// The mean of 1, 2 and 4 in every computed type: integers truncate 7/3.
	for _, dt := range []ops.DType{onnx.Float, onnx.Double, onnx.Int32, onnx.Int64, onnx.Uint32, onnx.Uint64} {
		x, want := ops.New(dt, 3), ops.New(dt)
		for i, v := range []float64{1, 2, 4} {
			setNumber(x, i, v)
		}
		setNumber(want, 0, 7.0/3)
		out, err := opstest.Eval(opstest.Node("ReduceMean", opstest.InNames(1), 1, opstest.AttrI("keepdims", 0)), 13, x)
		if err != nil {
			t.Errorf("%s: %v", ops.TypeName(dt), err)
			continue
		}
		opstest.WantTensor(t, "mean of "+ops.TypeName(dt), out[0], want)
	}
	i32 := ops.New(onnx.Int32, 2)
	copy(i32.I32(), []int32{-3, 0})
	out, err := opstest.Eval(opstest.Node("ReduceMean", opstest.InNames(1), 1), 13, i32)
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].I32()[0]; got != -1 {
		t.Errorf("int32 mean of -3 and 0 is %d, want -1 (truncated)", got)
	}
	out, err = opstest.Eval(opstest.Node("ReduceMean", opstest.InNames(2), 1), 18, ops.New(onnx.Float, 2, 0), opstest.I64s(1))
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].F32(); len(got) != 2 || !math.IsNaN(float64(got[0])) {
		t.Errorf("float mean over an empty axis is %v, want NaNs", got)
	}
}

func TestReduceMeanErrors(t *testing.T) {
	x := opstest.Iota32(2, 3)
	cases := []struct {
		name  string
		opset int
		attrs []*onnx.Attribute
		in    []*ops.Tensor
		err   string
	}{
		{"negative axes before 11", 1, []*onnx.Attribute{opstest.AttrIs("axes", -1)}, []*ops.Tensor{x}, "opset 11"},
		{"axis out of range", 13, []*onnx.Attribute{opstest.AttrIs("axes", 2)}, []*ops.Tensor{x}, "out of range"},
		{"repeated axes", 18, nil, []*ops.Tensor{x, opstest.I64s(1, -1)}, "repeated"},
		{"axes input before 18", 13, nil, []*ops.Tensor{x, opstest.I64s(1)}, "got 2 inputs"},
		{"bool data", 13, nil, []*ops.Tensor{ops.New(onnx.Bool, 2)}, "type bool"},
		{"int mean of nothing", 18, nil, []*ops.Tensor{ops.New(onnx.Int32, 2, 0), opstest.I64s(1)}, "undefined"},
	}
	for _, c := range cases {
		_, err := opstest.Eval(opstest.Node("ReduceMean", opstest.InNames(len(c.in)), 1, c.attrs...), c.opset, c.in...)
		opstest.WantErr(t, c.name, err, c.err)
	}
}

func TestReduceMeanNodeTests(t *testing.T) {
	if got := opstest.NodeTests(t, "test_reduce_mean*"); got != 8 {
		t.Errorf("%d ReduceMean node tests passed, want 8", got)
	}
}
