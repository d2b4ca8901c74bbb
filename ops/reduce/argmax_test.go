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

// naiveArg is the index along axis of every line's extreme in x (shape
// outer x n x inner), as numpy finds it: NaN is the extreme, ties to the
// first (or last) index.
func naiveArg(x []float64, outer, n, inner int, isMin, last bool) []int64 {
	out := make([]int64, outer*inner)
	for o := range outer {
		for c := range inner {
			best := -1
			for k := range n {
				v := x[(o*n+k)*inner+c]
				if best < 0 {
					best = k
					continue
				}
				b := x[(o*n+best)*inner+c]
				var take bool
				switch {
				case math.IsNaN(b):
					take = last && math.IsNaN(v)
				case math.IsNaN(v):
					take = true
				case v == b:
					take = last
				case isMin:
					take = v < b
				default:
					take = v > b
				}
				if take {
					best = k
				}
			}
			out[o*inner+c] = int64(best)
		}
	}
	return out
}

// TestArgNaive compares ArgMax and ArgMin on random shapes, axes and types
// (with many ties and some NaNs) with naiveArg.
func TestArgNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	shapes := [][]int{{7}, {3, 5}, {2, 3, 4}, {1, 300, 2}, {2, 2, 700}, {4, 1, 3}}
	for iter := range 120 {
		shape := shapes[iter%len(shapes)]
		axis := rng.IntN(len(shape))
		outer, n, inner := ops.NumElems(shape[:axis]), shape[axis], ops.NumElems(shape[axis+1:])
		for _, dt := range []ops.DType{onnx.Float, onnx.Double, onnx.Int8, onnx.Uint16, onnx.Int64} {
			x := ops.New(dt, shape...)
			vals := make([]float64, x.Len())
			for i := range vals {
				vals[i] = float64(rng.IntN(5))
				if ops.IsFloat(dt) && rng.IntN(40) == 0 {
					vals[i] = math.NaN()
				}
				setNumber(x, i, vals[i])
			}
			for _, op := range []string{"ArgMax", "ArgMin"} {
				for _, last := range []int64{0, 1} {
					keep := int64(iter % 2)
					want := naiveArg(vals, outer, n, inner, op == "ArgMin", last == 1)
					attrs := []*onnx.Attribute{opstest.AttrI("axis", int64(axis-len(shape)*(iter/2%2))), opstest.AttrI("keepdims", keep), opstest.AttrI("select_last_index", last)}
					out, err := opstest.Eval(opstest.Node(op, opstest.InNames(1), 1, attrs...), 13, x)
					label := fmt.Sprintf("%s %v axis %d last %d", op, x, axis, last)
					if err != nil {
						t.Errorf("%s: %v", label, err)
						continue
					}
					wantShape := append([]int{}, shape[:axis]...)
					if keep == 1 {
						wantShape = append(wantShape, 1)
					}
					wantShape = append(wantShape, shape[axis+1:]...)
					opstest.WantTensor(t, label, out[0], ops.FromI64(want, wantShape...))
				}
			}
		}
	}
}

func TestArgErrors(t *testing.T) {
	x := opstest.Iota32(2, 3)
	cases := []struct {
		name  string
		opset int
		attrs []*onnx.Attribute
		in    *ops.Tensor
		err   string
	}{
		{"negative axis before 11", 1, []*onnx.Attribute{opstest.AttrI("axis", -1)}, x, "opset 11"},
		{"axis out of range", 13, []*onnx.Attribute{opstest.AttrI("axis", 2)}, x, "out of range"},
		{"scalar", 13, nil, opstest.F32s(1), ""},
		{"empty axis", 13, []*onnx.Attribute{opstest.AttrI("axis", 1)}, ops.New(onnx.Float, 2, 0), "empty along axis 1"},
		{"bool", 13, nil, ops.New(onnx.Bool, 2), "want a numeric type"},
	}
	cases[2].in = &ops.Tensor{Type: onnx.Float, Data: make([]byte, 4)}
	cases[2].err = "out of range for rank 0"
	for _, c := range cases {
		_, err := opstest.Eval(opstest.Node("ArgMax", opstest.InNames(1), 1, c.attrs...), c.opset, c.in)
		opstest.WantErr(t, c.name, err, c.err)
	}
	// An empty input along another axis gives an empty output.
	out, err := opstest.Eval(opstest.Node("ArgMin", opstest.InNames(1), 1, opstest.AttrI("axis", 1)), 13, ops.New(onnx.Float, 0, 3))
	if err != nil || !ops.SameShape(out[0].Shape, []int{0, 1}) {
		t.Errorf("ArgMin of [0 3] along 1: %v, %v; want int64[0 1]", out, err)
	}
}

// TestHardmax checks each version's layout and the first-maximum rule.
func TestHardmax(t *testing.T) {
	nan := float32(math.NaN())
	x := opstest.Typed(opstest.Sh(2, 2, 3), float32(1), 5, 5, 2, 0, 1, 3, 3, 1, nan, 0, 9)
	cases := []struct {
		opset int
		axis  *int64
		want  []float32
	}{
		{13, nil, []float32{0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0}},              // along the last axis
		{13, ewPtr[int64](1), []float32{0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 1}},  // along axis 1
		{11, nil, []float32{0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0}},              // rows of 6 from axis 1
		{1, ewPtr[int64](0), []float32{0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0}},   // one row of 12
		{11, ewPtr[int64](-1), []float32{0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0}}, // rows of 3
	}
	for _, c := range cases {
		var attrs []*onnx.Attribute
		if c.axis != nil {
			attrs = append(attrs, opstest.AttrI("axis", *c.axis))
		}
		got, err := opstest.EwEval(t, "Hardmax", c.opset, 1, attrs, x)
		if err != nil {
			t.Errorf("Hardmax-%d axis %v: %v", c.opset, c.axis, err)
			continue
		}
		opstest.EwCheck(t, fmt.Sprintf("Hardmax-%d axis %v", c.opset, c.axis), got[0], opstest.Typed(opstest.Sh(2, 2, 3), c.want...))
	}
	got, err := opstest.EwEval(t, "Hardmax", 13, 1, nil, opstest.Typed(opstest.Sh(2, 2), 1.5, 2.5, -1, -1))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "float64 hardmax", got[0], opstest.Typed(opstest.Sh(2, 2), 0.0, 1, 1, 0))
	if _, err := opstest.EwEval(t, "Hardmax", 13, 1, nil, ops.New(onnx.Float, 2, 0)); err != nil {
		t.Errorf("Hardmax of an empty axis: %v", err)
	}
}

func TestArgNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_argmax_*", "test_argmin_*"); got != 32 {
		t.Errorf("%d ArgMax/ArgMin node tests passed, want 32", got)
	}
	if got := opstest.AllNodeTests(t, "test_hardmax_*", "test_softmax_*", "test_logsoftmax_*"); got != 21 {
		t.Errorf("%d Hardmax/Softmax/LogSoftmax node tests passed, want 21", got)
	}
}
