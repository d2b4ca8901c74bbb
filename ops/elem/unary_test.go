package elem

import (
	"math"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestActivations(t *testing.T) {
	nan := float32(math.NaN())
	cases := []struct {
		name  string
		op    string
		opset int
		attrs []*onnx.Attribute
		in    []*ops.Tensor
		want  *ops.Tensor
	}{
		{"relu", "Relu", 14, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(4), float32(-1), 0, 2.5, nan)}, opstest.Typed(opstest.Sh(4), float32(0), 0, 2.5, nan)},
		{"relu int8", "Relu", 14, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(3), int8(-128), 3, 127)}, opstest.Typed(opstest.Sh(3), int8(0), 3, 127)},
		{"relu float64 opset 6", "Relu", 6, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(2), -1e300, 1e300)}, opstest.Typed(opstest.Sh(2), 0, 1e300)},
		{"leakyrelu default", "LeakyRelu", 16, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(2), float32(-2), 3)}, opstest.Typed(opstest.Sh(2), float32(-0.02), 3)},
		{"leakyrelu alpha", "LeakyRelu", 6, []*onnx.Attribute{opstest.AttrF("alpha", 0.1)},
			[]*ops.Tensor{opstest.Typed(opstest.Sh(3), float64(-1), 0, 1)}, opstest.Typed(opstest.Sh(3), float64(float32(-0.1)), 0, 1)},
		{"sigmoid", "Sigmoid", 13, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(6), float32(0), 1, -1, 100, -80, -1000)},
			opstest.Typed(opstest.Sh(6), float32(0.5), 0.7310585786300049, 0.2689414213699951, 1, 1.8048513878454153e-35, 0)},
		{"sigmoid float64", "Sigmoid", 6, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(4), 0.0, 2, -700, 800)},
			opstest.Typed(opstest.Sh(4), 0.5, 0.8807970779778823, 9.85967654375977e-305, 1)},
		{"hardsigmoid default", "HardSigmoid", 6, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(4), float32(-3), 0, 1, 3)}, opstest.Typed(opstest.Sh(4), float32(0), 0.5, 0.7, 1)},
		{"hardsigmoid attrs", "HardSigmoid", 22, []*onnx.Attribute{opstest.AttrF("alpha", 0.5), opstest.AttrF("beta", 0.6)},
			[]*ops.Tensor{opstest.Typed(opstest.Sh(3), float32(-1), 0, 1)}, opstest.Typed(opstest.Sh(3), float32(0.1), 0.6, 1)},
		{"hardswish", "HardSwish", 14, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(5), float32(-4), -1, 0, 1, 4)},
			opstest.Typed(opstest.Sh(5), float32(0), -1.0/3, 0, 2.0/3, 4)},
		{"tanh", "Tanh", 13, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(6), float32(0), 0.5, -1, 20, 1e-5, -3)},
			opstest.Typed(opstest.Sh(6), float32(0), 0.46211715726000974, -0.7615941559557649, 1, 9.999999999666667e-06, -0.9950547536867305)},
		{"tanh float64", "Tanh", 6, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(2), 0.5, -1e-10)}, opstest.Typed(opstest.Sh(2), 0.46211715726000974, -1e-10)},
		{"prelu row slope", "PRelu", 16, nil,
			[]*ops.Tensor{opstest.Typed(opstest.Sh(2, 3), float32(-1), 2, -3, 4, -5, 6), opstest.Typed(opstest.Sh(3), float32(0.1), 0.2, 0.3)},
			opstest.Typed(opstest.Sh(2, 3), float32(-0.1), 2, -0.90000004, 4, -1, 6)},
		{"prelu channel slope", "PRelu", 9, nil,
			[]*ops.Tensor{opstest.Typed(opstest.Sh(1, 2, 1, 2), float32(-1), -2, -3, 4), opstest.Typed(opstest.Sh(2, 1, 1), float32(0.5), 2)},
			opstest.Typed(opstest.Sh(1, 2, 1, 2), float32(-0.5), -1, -6, 4)},
		{"prelu legacy 1-D channel slope", "PRelu", 6, nil,
			[]*ops.Tensor{opstest.Typed(opstest.Sh(1, 2, 1, 2), float32(-1), -2, -3, 4), opstest.Typed(opstest.Sh(2), float32(0.5), 2)},
			opstest.Typed(opstest.Sh(1, 2, 1, 2), float32(-0.5), -1, -6, 4)},
		{"prelu 1-D slope broadcasts on the last axis from 7", "PRelu", 7, nil,
			[]*ops.Tensor{opstest.Typed(opstest.Sh(1, 2, 1, 2), float32(-1), -2, -3, 4), opstest.Typed(opstest.Sh(2), float32(0.5), 2)},
			opstest.Typed(opstest.Sh(1, 2, 1, 2), float32(-0.5), -4, -1.5, 4)},
		{"prelu int32", "PRelu", 16, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(2), int32(-4), 4), opstest.Typed(opstest.Sh(), int32(2))}, opstest.Typed(opstest.Sh(2), int32(-8), 4)},
		{"clip attrs", "Clip", 6, []*onnx.Attribute{opstest.AttrF("min", -1), opstest.AttrF("max", 1)},
			[]*ops.Tensor{opstest.Typed(opstest.Sh(5), float32(-2), -0.5, 0.5, 2, nan)}, opstest.Typed(opstest.Sh(5), float32(-1), -0.5, 0.5, 1, nan)},
		{"clip max attr only", "Clip", 6, []*onnx.Attribute{opstest.AttrF("max", 2)},
			[]*ops.Tensor{opstest.Typed(opstest.Sh(2), float32(-5e30), 5)}, opstest.Typed(opstest.Sh(2), float32(-5e30), 2)},
		{"clip min input only", "Clip", 13, nil,
			[]*ops.Tensor{opstest.Typed(opstest.Sh(3), float32(-2), 0, 3), opstest.Typed(opstest.Sh(), float32(-1))}, opstest.Typed(opstest.Sh(3), float32(-1), 0, 3)},
		{"clip max input only", "Clip", 11, nil,
			[]*ops.Tensor{opstest.Typed(opstest.Sh(3), float32(-2), 0, 3), nil, opstest.Typed(opstest.Sh(1), float32(1))}, opstest.Typed(opstest.Sh(3), float32(-2), 0, 1)},
		{"clip min above max gives max", "Clip", 13, nil,
			[]*ops.Tensor{opstest.Typed(opstest.Sh(3), float32(-2), 1.5, 3), opstest.Typed(opstest.Sh(), float32(2)), opstest.Typed(opstest.Sh(), float32(1))}, opstest.Typed(opstest.Sh(3), float32(1), 1, 1)},
		{"clip int8 no bounds", "Clip", 13, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(3), int8(-128), 0, 127)}, opstest.Typed(opstest.Sh(3), int8(-128), 0, 127)},
		{"clip int8 min", "Clip", 12, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(3), int8(-128), 0, 127), opstest.Typed(opstest.Sh(), int8(-5))}, opstest.Typed(opstest.Sh(3), int8(-5), 0, 127)},
		{"clip uint64 both", "Clip", 13, nil,
			[]*ops.Tensor{opstest.Typed(opstest.Sh(3), uint64(0), 7, 1<<63), opstest.Typed(opstest.Sh(), uint64(3)), opstest.Typed(opstest.Sh(), uint64(10))}, opstest.Typed(opstest.Sh(3), uint64(3), 7, 10)},
	}
	for _, c := range cases {
		got, err := opstest.EwEval(t, c.op, c.opset, 1, c.attrs, c.in...)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		opstest.EwCheck(t, c.name, got[0], c.want)
	}
}

func TestActivationErrors(t *testing.T) {
	cases := []struct {
		name  string
		op    string
		opset int
		attrs []*onnx.Attribute
		in    []*ops.Tensor
		frag  string
	}{
		{"sigmoid int", "Sigmoid", 13, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(1), int32(1))}, "has type int32, want float"},
		{"relu bool", "Relu", 14, nil, []*ops.Tensor{opstest.Bools(opstest.Sh(1), true)}, "want float, signed integer, unsigned integer"},
		{"leakyrelu alpha type", "LeakyRelu", 16, []*onnx.Attribute{opstest.AttrI("alpha", 1)}, []*ops.Tensor{opstest.Typed(opstest.Sh(1), float32(1))}, "attribute \"alpha\""},
		{"prelu slope too big", "PRelu", 16, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(2, 2), float32(1), 2, 3, 4), opstest.Typed(opstest.Sh(3), float32(1), 2, 3)}, "does not broadcast"},
		{"prelu slope widens x", "PRelu", 16, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(2), float32(1), 2), opstest.Typed(opstest.Sh(2, 2), float32(1), 2, 3, 4)}, "does not broadcast"},
		{"prelu slope type", "PRelu", 16, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(1), float32(1)), opstest.Typed(opstest.Sh(1), float64(1))}, "input slope has type float64"},
		{"clip bound shape", "Clip", 13, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(2), float32(1), 2), opstest.Typed(opstest.Sh(2), float32(1), 2)}, "input \"min\" has shape [2]"},
		{"clip bound type", "Clip", 13, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(1), float32(1)), nil, opstest.Typed(opstest.Sh(), int32(1))}, "input \"max\" has type int32"},
		{"clip-6 int", "Clip", 6, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(1), int32(1))}, "has type int32, want float"},
		{"clip-6 inputs", "Clip", 6, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(1), float32(1)), opstest.Typed(opstest.Sh(), float32(0))}, "want 1"},
	}
	for _, c := range cases {
		_, err := opstest.EwEval(t, c.op, c.opset, 1, c.attrs, c.in...)
		if err == nil || !strings.Contains(err.Error(), c.frag) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.frag)
		}
	}
}

func TestActivationNodeTests(t *testing.T) {
	// relu 1, leakyrelu 3, prelu 2, clip 12, sigmoid 2, hardsigmoid 3, hardswish 1, tanh 2.
	n := opstest.NodeTests(t, "test_relu", "test_leakyrelu*", "test_prelu*", "test_clip*", "test_sigmoid*",
		"test_hardsigmoid*", "test_hardswish", "test_tanh*")
	if n != 26 {
		t.Errorf("%d activation node tests passed, want 26", n)
	}
}

// benchActivation runs op, bound once, on one thread over 64K float32
// values of [-8, 8].
func benchActivation(b *testing.B, op string) {
	o, err := ops.Build(opstest.EwNode(op, make([]*ops.Tensor, 1), 1), 24)
	if err != nil {
		b.Fatal(err)
	}
	x, y := ops.New(onnx.Float, 1, 64, 32, 32), ops.New(onnx.Float, 1, 64, 32, 32)
	for i := range ops.Elems[float32](x) {
		ops.Elems[float32](x)[i] = float32(i%17) - 8
	}
	b.SetBytes(int64(len(x.Data)))
	run, err := o.(ops.Binder).Bind(&ops.Ctx{Par: ops.Serial{}}, []*ops.Tensor{x}, []*ops.Tensor{y})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReluF32(b *testing.B)     { benchActivation(b, "Relu") }
func BenchmarkSigmoidF32(b *testing.B)  { benchActivation(b, "Sigmoid") }
func BenchmarkTanhF32(b *testing.B)     { benchActivation(b, "Tanh") }
func BenchmarkExpF32(b *testing.B)      { benchActivation(b, "Exp") }
func BenchmarkLogF32(b *testing.B)      { benchActivation(b, "Log") }
func BenchmarkErfF32(b *testing.B)      { benchActivation(b, "Erf") }
func BenchmarkGeluF32(b *testing.B)     { benchActivation(b, "Gelu") }
func BenchmarkMishF32(b *testing.B)     { benchActivation(b, "Mish") }
func BenchmarkSoftplusF32(b *testing.B) { benchActivation(b, "Softplus") }
func BenchmarkSwishF32(b *testing.B)    { benchActivation(b, "Swish") }
func BenchmarkEluF32(b *testing.B)      { benchActivation(b, "Elu") }
