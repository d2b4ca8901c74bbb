package reduce

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// naiveSoftmax normalizes x (shape [a, b, c]) over the dimensions in group
// (a subset listed as booleans), the others indexing independent lines.
func naiveSoftmax(x []float64, shape []int, group [3]bool, log bool) []float64 {
	st := ops.Strides(shape)
	key := func(i int) int { // the flat index with the grouped coordinates zeroed
		k := 0
		for d := range 3 {
			if !group[d] {
				k += (i / st[d] % shape[d]) * st[d]
			}
		}
		return k
	}
	sums := map[int]float64{}
	for i, v := range x {
		sums[key(i)] += math.Exp(v)
	}
	out := make([]float64, len(x))
	for i, v := range x {
		if log {
			out[i] = v - math.Log(sums[key(i)])
		} else {
			out[i] = math.Exp(v) / sums[key(i)]
		}
	}
	return out
}

func TestSoftmax(t *testing.T) {
	shape := opstest.Sh(2, 3, 4)
	x := make([]float64, 24)
	for i := range x {
		x[i] = math.Sin(float64(i)) * 3
	}
	cases := []struct {
		op    string
		opset int
		axis  *int64
		group [3]bool
	}{
		{"Softmax", 11, nil, [3]bool{false, true, true}},
		{"Softmax", 1, ewPtr[int64](0), [3]bool{true, true, true}},
		{"Softmax", 11, ewPtr[int64](-1), [3]bool{false, false, true}},
		{"Softmax", 11, ewPtr[int64](3), [3]bool{false, false, false}},
		{"Softmax", 13, nil, [3]bool{false, false, true}},
		{"Softmax", 13, ewPtr[int64](1), [3]bool{false, true, false}},
		{"Softmax", 13, ewPtr[int64](0), [3]bool{true, false, false}},
		{"Softmax", 13, ewPtr[int64](-2), [3]bool{false, true, false}},
		{"LogSoftmax", 11, nil, [3]bool{false, true, true}},
		{"LogSoftmax", 13, nil, [3]bool{false, false, true}},
		{"LogSoftmax", 13, ewPtr[int64](1), [3]bool{false, true, false}},
	}
	for _, c := range cases {
		var attrs []*onnx.Attribute
		if c.axis != nil {
			attrs = append(attrs, opstest.AttrI("axis", *c.axis))
		}
		want := naiveSoftmax(x, shape, c.group, c.op == "LogSoftmax")
		got64, err := opstest.EwEval(t, c.op, c.opset, 1, attrs, opstest.Typed(shape, x...))
		if err != nil {
			t.Errorf("%s-%d axis %v: %v", c.op, c.opset, c.axis, err)
			continue
		}
		if err := opstest.SameTensor(got64[0], opstest.Typed(shape, want...), 1e-12, 1e-15); err != nil {
			t.Errorf("%s-%d axis %v float64: %v", c.op, c.opset, c.axis, err)
		}
		x32, want32 := make([]float32, len(x)), make([]float32, len(x))
		for i := range x {
			x32[i], want32[i] = float32(x[i]), float32(want[i])
		}
		got32, err := opstest.EwEval(t, c.op, c.opset, 1, attrs, opstest.Typed(shape, x32...))
		if err != nil {
			t.Fatal(err)
		}
		if err := opstest.SameTensor(got32[0], opstest.Typed(shape, want32...), 1e-6, 1e-7); err != nil {
			t.Errorf("%s-%d axis %v float32: %v", c.op, c.opset, c.axis, err)
		}
	}
}

func ewPtr[T any](v T) *T { return &v }

func TestSoftmaxLargeInputs(t *testing.T) {
	x := opstest.Typed(opstest.Sh(1, 4), float32(10000), 10001, 10002, 10003)
	got, err := opstest.EwEval(t, "Softmax", 13, 1, nil, x)
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "softmax", got[0], opstest.Typed(opstest.Sh(1, 4), float32(0.032058604), 0.08714432, 0.23688284, 0.6439143))
	got, err = opstest.EwEval(t, "LogSoftmax", 13, 1, nil, opstest.Typed(opstest.Sh(1, 3), float32(-1e30), 1e30, 0))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "logsoftmax", got[0], opstest.Typed(opstest.Sh(1, 3), float32(-2e30), 0, -1e30))
}

func TestSoftmaxErrors(t *testing.T) {
	cases := []struct {
		op    string
		opset int
		axis  int64
		in    *ops.Tensor
		frag  string
	}{
		{"Softmax", 13, 2, opstest.Typed(opstest.Sh(2, 2), float32(1), 2, 3, 4), "out of range"},
		{"Softmax", 11, -3, opstest.Typed(opstest.Sh(2, 2), float32(1), 2, 3, 4), "out of range"},
		{"LogSoftmax", 13, -1, opstest.Typed(opstest.Sh(2), int32(1), 2), "want float32 or float64"},
	}
	for _, c := range cases {
		_, err := opstest.EwEval(t, c.op, c.opset, 1, []*onnx.Attribute{opstest.AttrI("axis", c.axis)}, c.in)
		if err == nil || !strings.Contains(err.Error(), c.frag) {
			t.Errorf("%s-%d axis %d: error %v, want one containing %q", c.op, c.opset, c.axis, err, c.frag)
		}
	}
}

func TestSoftmaxNodeTests(t *testing.T) {
	if n := opstest.NodeTests(t, "test_softmax*"); n != 7 {
		t.Errorf("%d softmax node tests passed, want 7", n)
	}
}

// TestSoftmaxShortLines checks the batched path of short contiguous lines
// bit for bit against softmaxLine, line by line, for Softmax and
// LogSoftmax, in place too, with lines that straddle the stack blocks,
// extreme values and infinities.
func TestSoftmaxShortLines(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	for _, n := range []int{1, 2, 3, 5, 17, 63, 64} {
		for _, lines := range []int{1, 7, 300} {
			x := make([]float32, n*lines)
			for i := range x {
				x[i] = float32(rng.NormFloat64() * 10)
				switch rng.IntN(50) {
				case 0:
					x[i] = float32(math.Inf(-1))
				case 1:
					x[i] = 80
				}
			}
			for _, log := range []bool{false, true} {
				want := make([]float32, len(x))
				for l := range lines {
					softmaxLine(log, want[l*n:(l+1)*n], x[l*n:(l+1)*n], 1)
				}
				got := make([]float32, len(x))
				softmaxShortLines(log, got, x, n)
				inPlace := append([]float32(nil), x...)
				softmaxShortLines(log, inPlace, inPlace, n)
				for i := range want {
					w := math.Float32bits(want[i])
					if math.Float32bits(got[i]) != w || math.Float32bits(inPlace[i]) != w {
						t.Fatalf("n %d lines %d log %v: element %d is %v (in place %v), want %v", n, lines, log, i, got[i], inPlace[i], want[i])
					}
				}
			}
		}
	}
}
