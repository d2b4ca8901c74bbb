package ops

import (
	"math"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
)

func TestActivations(t *testing.T) {
	nan := float32(math.NaN())
	cases := []struct {
		name  string
		op    string
		opset int
		attrs []*onnx.Attribute
		in    []*Tensor
		want  *Tensor
	}{
		{"relu", "Relu", 14, nil, []*Tensor{ewT(sh(4), float32(-1), 0, 2.5, nan)}, ewT(sh(4), float32(0), 0, 2.5, nan)},
		{"relu int8", "Relu", 14, nil, []*Tensor{ewT(sh(3), int8(-128), 3, 127)}, ewT(sh(3), int8(0), 3, 127)},
		{"relu float64 opset 6", "Relu", 6, nil, []*Tensor{ewT(sh(2), -1e300, 1e300)}, ewT(sh(2), 0, 1e300)},
		{"leakyrelu default", "LeakyRelu", 16, nil, []*Tensor{ewT(sh(2), float32(-2), 3)}, ewT(sh(2), float32(-0.02), 3)},
		{"leakyrelu alpha", "LeakyRelu", 6, []*onnx.Attribute{attrF("alpha", 0.1)},
			[]*Tensor{ewT(sh(3), float64(-1), 0, 1)}, ewT(sh(3), float64(float32(-0.1)), 0, 1)},
		{"sigmoid", "Sigmoid", 13, nil, []*Tensor{ewT(sh(6), float32(0), 1, -1, 100, -80, -1000)},
			ewT(sh(6), float32(0.5), 0.7310585786300049, 0.2689414213699951, 1, 1.8048513878454153e-35, 0)},
		{"sigmoid float64", "Sigmoid", 6, nil, []*Tensor{ewT(sh(4), 0.0, 2, -700, 800)},
			ewT(sh(4), 0.5, 0.8807970779778823, 9.85967654375977e-305, 1)},
		{"hardsigmoid default", "HardSigmoid", 6, nil, []*Tensor{ewT(sh(4), float32(-3), 0, 1, 3)}, ewT(sh(4), float32(0), 0.5, 0.7, 1)},
		{"hardsigmoid attrs", "HardSigmoid", 22, []*onnx.Attribute{attrF("alpha", 0.5), attrF("beta", 0.6)},
			[]*Tensor{ewT(sh(3), float32(-1), 0, 1)}, ewT(sh(3), float32(0.1), 0.6, 1)},
		{"hardswish", "HardSwish", 14, nil, []*Tensor{ewT(sh(5), float32(-4), -1, 0, 1, 4)},
			ewT(sh(5), float32(0), -1.0/3, 0, 2.0/3, 4)},
		{"tanh", "Tanh", 13, nil, []*Tensor{ewT(sh(6), float32(0), 0.5, -1, 20, 1e-5, -3)},
			ewT(sh(6), float32(0), 0.46211715726000974, -0.7615941559557649, 1, 9.999999999666667e-06, -0.9950547536867305)},
		{"tanh float64", "Tanh", 6, nil, []*Tensor{ewT(sh(2), 0.5, -1e-10)}, ewT(sh(2), 0.46211715726000974, -1e-10)},
		{"prelu row slope", "PRelu", 16, nil,
			[]*Tensor{ewT(sh(2, 3), float32(-1), 2, -3, 4, -5, 6), ewT(sh(3), float32(0.1), 0.2, 0.3)},
			ewT(sh(2, 3), float32(-0.1), 2, -0.90000004, 4, -1, 6)},
		{"prelu channel slope", "PRelu", 9, nil,
			[]*Tensor{ewT(sh(1, 2, 1, 2), float32(-1), -2, -3, 4), ewT(sh(2, 1, 1), float32(0.5), 2)},
			ewT(sh(1, 2, 1, 2), float32(-0.5), -1, -6, 4)},
		{"prelu legacy 1-D channel slope", "PRelu", 6, nil,
			[]*Tensor{ewT(sh(1, 2, 1, 2), float32(-1), -2, -3, 4), ewT(sh(2), float32(0.5), 2)},
			ewT(sh(1, 2, 1, 2), float32(-0.5), -1, -6, 4)},
		{"prelu 1-D slope broadcasts on the last axis from 7", "PRelu", 7, nil,
			[]*Tensor{ewT(sh(1, 2, 1, 2), float32(-1), -2, -3, 4), ewT(sh(2), float32(0.5), 2)},
			ewT(sh(1, 2, 1, 2), float32(-0.5), -4, -1.5, 4)},
		{"prelu int32", "PRelu", 16, nil, []*Tensor{ewT(sh(2), int32(-4), 4), ewT(sh(), int32(2))}, ewT(sh(2), int32(-8), 4)},
		{"clip attrs", "Clip", 6, []*onnx.Attribute{attrF("min", -1), attrF("max", 1)},
			[]*Tensor{ewT(sh(5), float32(-2), -0.5, 0.5, 2, nan)}, ewT(sh(5), float32(-1), -0.5, 0.5, 1, nan)},
		{"clip max attr only", "Clip", 6, []*onnx.Attribute{attrF("max", 2)},
			[]*Tensor{ewT(sh(2), float32(-5e30), 5)}, ewT(sh(2), float32(-5e30), 2)},
		{"clip min input only", "Clip", 13, nil,
			[]*Tensor{ewT(sh(3), float32(-2), 0, 3), ewT(sh(), float32(-1))}, ewT(sh(3), float32(-1), 0, 3)},
		{"clip max input only", "Clip", 11, nil,
			[]*Tensor{ewT(sh(3), float32(-2), 0, 3), nil, ewT(sh(1), float32(1))}, ewT(sh(3), float32(-2), 0, 1)},
		{"clip min above max gives max", "Clip", 13, nil,
			[]*Tensor{ewT(sh(3), float32(-2), 1.5, 3), ewT(sh(), float32(2)), ewT(sh(), float32(1))}, ewT(sh(3), float32(1), 1, 1)},
		{"clip int8 no bounds", "Clip", 13, nil, []*Tensor{ewT(sh(3), int8(-128), 0, 127)}, ewT(sh(3), int8(-128), 0, 127)},
		{"clip int8 min", "Clip", 12, nil, []*Tensor{ewT(sh(3), int8(-128), 0, 127), ewT(sh(), int8(-5))}, ewT(sh(3), int8(-5), 0, 127)},
		{"clip uint64 both", "Clip", 13, nil,
			[]*Tensor{ewT(sh(3), uint64(0), 7, 1<<63), ewT(sh(), uint64(3)), ewT(sh(), uint64(10))}, ewT(sh(3), uint64(3), 7, 10)},
	}
	for _, c := range cases {
		got, err := ewEval(t, c.op, c.opset, 1, c.attrs, c.in...)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		ewCheck(t, c.name, got[0], c.want)
	}
}

func TestActivationErrors(t *testing.T) {
	cases := []struct {
		name  string
		op    string
		opset int
		attrs []*onnx.Attribute
		in    []*Tensor
		frag  string
	}{
		{"sigmoid int", "Sigmoid", 13, nil, []*Tensor{ewT(sh(1), int32(1))}, "want float32 or float64"},
		{"relu bool", "Relu", 14, nil, []*Tensor{ewBools(sh(1), true)}, "want a numeric type"},
		{"leakyrelu alpha type", "LeakyRelu", 16, []*onnx.Attribute{attrI("alpha", 1)}, []*Tensor{ewT(sh(1), float32(1))}, "attribute \"alpha\""},
		{"prelu slope too big", "PRelu", 16, nil, []*Tensor{ewT(sh(2, 2), float32(1), 2, 3, 4), ewT(sh(3), float32(1), 2, 3)}, "does not broadcast"},
		{"prelu slope widens x", "PRelu", 16, nil, []*Tensor{ewT(sh(2), float32(1), 2), ewT(sh(2, 2), float32(1), 2, 3, 4)}, "does not broadcast"},
		{"prelu slope type", "PRelu", 16, nil, []*Tensor{ewT(sh(1), float32(1)), ewT(sh(1), float64(1))}, "input slope has type float64"},
		{"clip bound shape", "Clip", 13, nil, []*Tensor{ewT(sh(2), float32(1), 2), ewT(sh(2), float32(1), 2)}, "input \"min\" has shape [2]"},
		{"clip bound type", "Clip", 13, nil, []*Tensor{ewT(sh(1), float32(1)), nil, ewT(sh(), int32(1))}, "input \"max\" has type int32"},
		{"clip-6 int", "Clip", 6, nil, []*Tensor{ewT(sh(1), int32(1))}, "want float32 or float64"},
		{"clip-6 inputs", "Clip", 6, nil, []*Tensor{ewT(sh(1), float32(1)), ewT(sh(), float32(0))}, "want 1"},
	}
	for _, c := range cases {
		_, err := ewEval(t, c.op, c.opset, 1, c.attrs, c.in...)
		if err == nil || !strings.Contains(err.Error(), c.frag) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.frag)
		}
	}
}

// ewMap applies a slice kernel to xs in ewBlock pieces and returns the results.
func ewMap(xs []float32, fn func(d, x []float32)) []float32 {
	d := make([]float32, len(xs))
	ewByBlock(d, xs, fn)
	return d
}

func TestExpF32Accuracy(t *testing.T) {
	var xs []float32
	for x := -87.3; x <= 88.7; x += 0.000731 {
		xs = append(xs, float32(x))
	}
	worst := 0.0
	for i, got := range ewMap(xs, expF32s) {
		want := math.Exp(float64(xs[i]))
		worst = max(worst, math.Abs(float64(got)-want)/want)
	}
	if worst > 1.2e-7 { // 1 ulp of float32
		t.Errorf("expF32s relative error up to %g", worst)
	}
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	edges := []float32{0, -1000, 1000, -inf, inf, 89, 88.7, nan}
	got := ewMap(edges, expF32s)
	want := []float32{1, 0, inf, 0, inf, inf, float32(math.Exp(float64(float32(88.7)))), nan}
	for i := range edges {
		if got[i] != want[i] && !(got[i] != got[i] && want[i] != want[i]) && math.Abs(float64(got[i]-want[i])) > 1.2e-7*float64(want[i]) {
			t.Errorf("exp(%g) = %g, want %g", edges[i], got[i], want[i])
		}
	}
}

func TestTanhF32Accuracy(t *testing.T) {
	var xs []float32
	for x := -12.0; x <= 12; x += 0.000377 {
		xs = append(xs, float32(x))
	}
	for x := 1e-30; x < 1; x *= 1.5 {
		xs = append(xs, float32(x), float32(-x))
	}
	xs = append(xs, 0)
	worst := 0.0
	for i, got := range ewMap(xs, tanhBlock[float32]) {
		want := math.Tanh(float64(xs[i]))
		if want == 0 {
			if got != 0 {
				t.Errorf("tanh(%g) = %g", xs[i], got)
			}
			continue
		}
		worst = max(worst, math.Abs(float64(got)-want)/math.Abs(want))
	}
	if worst > 2.4e-7 { // 2 ulp of float32
		t.Errorf("tanh float32 relative error up to %g", worst)
	}
}

func TestSigmoidF32Accuracy(t *testing.T) {
	var xs []float32
	for x := -100.0; x <= 100; x += 0.00177 {
		xs = append(xs, float32(x))
	}
	worst := 0.0
	for i, got := range ewMap(xs, sigmoidBlock[float32]) {
		want := 1 / (1 + math.Exp(-float64(xs[i])))
		if want < 1.2e-38 { // below float32's normal range exp flushes to 0
			if got != 0 && math.Abs(float64(got)-want) > 1.2e-38 {
				t.Errorf("sigmoid(%g) = %g, want %g", xs[i], got, want)
			}
			continue
		}
		worst = max(worst, math.Abs(float64(got)-want)/want)
	}
	if worst > 3.6e-7 { // 3 ulp of float32
		t.Errorf("sigmoid float32 relative error up to %g", worst)
	}
}

func TestActivationNodeTests(t *testing.T) {
	// relu 1, leakyrelu 3, prelu 2, clip 12, sigmoid 2, hardsigmoid 3, hardswish 1, tanh 2.
	n := nodeTests(t, "test_relu", "test_leakyrelu*", "test_prelu*", "test_clip*", "test_sigmoid*",
		"test_hardsigmoid*", "test_hardswish", "test_tanh*")
	if n != 26 {
		t.Errorf("%d activation node tests passed, want 26", n)
	}
}

func benchActivation(b *testing.B, op string) {
	o, err := Build(ewNode(op, make([]*Tensor, 1), 1), 14)
	if err != nil {
		b.Fatal(err)
	}
	x, y := New(onnx.Float, 1, 64, 56, 56), New(onnx.Float, 1, 64, 56, 56)
	for i := range ewElems[float32](x) {
		ewElems[float32](x)[i] = float32(i%17) - 8
	}
	b.SetBytes(int64(len(x.Data)))
	ctx := &Ctx{Par: Serial{}}
	for b.Loop() {
		if err := o.Run(ctx, []*Tensor{x}, []*Tensor{y}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReluF32(b *testing.B)    { benchActivation(b, "Relu") }
func BenchmarkSigmoidF32(b *testing.B) { benchActivation(b, "Sigmoid") }
func BenchmarkTanhF32(b *testing.B)    { benchActivation(b, "Tanh") }
