package elem

import (
	"math"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestBinary(t *testing.T) {
	inf := float32(math.Inf(1))
	cases := []struct {
		name  string
		op    string
		opset int
		attrs []*onnx.Attribute
		a, b  *ops.Tensor
		want  *ops.Tensor
	}{
		{"add same shape", "Add", 14, nil,
			opstest.Typed(opstest.Sh(2, 2), float32(1), 2, 3, 4), opstest.Typed(opstest.Sh(2, 2), float32(10), 20, 30, 40),
			opstest.Typed(opstest.Sh(2, 2), float32(11), 22, 33, 44)},
		{"add row bcast", "Add", 7, nil,
			opstest.Typed(opstest.Sh(2, 3), float32(1), 2, 3, 4, 5, 6), opstest.Typed(opstest.Sh(3), float32(10), 20, 30),
			opstest.Typed(opstest.Sh(2, 3), float32(11), 22, 33, 14, 25, 36)},
		{"sub scalar minus tensor", "Sub", 13, nil,
			opstest.Typed(opstest.Sh(), float32(10)), opstest.Typed(opstest.Sh(3), float32(1), 2, 3),
			opstest.Typed(opstest.Sh(3), float32(9), 8, 7)},
		{"sub column minus row", "Sub", 14, nil,
			opstest.Typed(opstest.Sh(2, 1), int32(10), 20), opstest.Typed(opstest.Sh(1, 3), int32(1), 2, 3),
			opstest.Typed(opstest.Sh(2, 3), int32(9), 8, 7, 19, 18, 17)},
		{"mul per channel", "Mul", 14, nil,
			opstest.Typed(opstest.Sh(1, 2, 1, 2), float32(1), 2, 3, 4), opstest.Typed(opstest.Sh(2, 1, 1), float32(10), -1),
			opstest.Typed(opstest.Sh(1, 2, 1, 2), float32(10), 20, -3, -4)},
		{"mul uint8 wraps", "Mul", 14, nil,
			opstest.Typed(opstest.Sh(2), uint8(16), 3), opstest.Typed(opstest.Sh(), uint8(17)),
			opstest.Typed(opstest.Sh(2), uint8(16), 51)},
		{"add uint8 wraps", "Add", 14, nil,
			opstest.Typed(opstest.Sh(2), uint8(250), 1), opstest.Typed(opstest.Sh(2), uint8(10), 2),
			opstest.Typed(opstest.Sh(2), uint8(4), 3)},
		{"div float", "Div", 14, nil,
			opstest.Typed(opstest.Sh(4), float32(1), -1, 0, 7), opstest.Typed(opstest.Sh(4), float32(4), 0, 0, 2),
			opstest.Typed(opstest.Sh(4), float32(0.25), -inf, float32(math.NaN()), 3.5)},
		{"div int truncates toward zero", "Div", 14, nil,
			opstest.Typed(opstest.Sh(4), int32(7), -7, 7, -7), opstest.Typed(opstest.Sh(4), int32(2), 2, -2, -2),
			opstest.Typed(opstest.Sh(4), int32(3), -3, -3, 3)},
		{"div int by zero is 0", "Div", 14, nil,
			opstest.Typed(opstest.Sh(3), int64(5), -5, 0), opstest.Typed(opstest.Sh(), int64(0)),
			opstest.Typed(opstest.Sh(3), int64(0), 0, 0)},
		{"div int scalar by tensor with a zero", "Div", 14, nil,
			opstest.Typed(opstest.Sh(), int16(9)), opstest.Typed(opstest.Sh(3), int16(2), 0, -4),
			opstest.Typed(opstest.Sh(3), int16(4), 0, -2)},
		{"div int8 min by -1 wraps", "Div", 14, nil,
			opstest.Typed(opstest.Sh(1), int8(-128)), opstest.Typed(opstest.Sh(1), int8(-1)),
			opstest.Typed(opstest.Sh(1), int8(-128))},
		{"div uint", "Div", 14, nil,
			opstest.Typed(opstest.Sh(2), uint64(1<<63), 7), opstest.Typed(opstest.Sh(2), uint64(3), 2),
			opstest.Typed(opstest.Sh(2), uint64(1<<63/3), 3)},
		{"legacy suffix broadcast", "Add", 6, []*onnx.Attribute{opstest.AttrI("broadcast", 1)},
			opstest.Typed(opstest.Sh(2, 3), float32(1), 2, 3, 4, 5, 6), opstest.Typed(opstest.Sh(3), float32(10), 20, 30),
			opstest.Typed(opstest.Sh(2, 3), float32(11), 22, 33, 14, 25, 36)},
		{"legacy axis broadcast", "Add", 6, []*onnx.Attribute{opstest.AttrI("broadcast", 1), opstest.AttrI("axis", 0)},
			opstest.Typed(opstest.Sh(2, 3), float32(1), 2, 3, 4, 5, 6), opstest.Typed(opstest.Sh(2), float32(10), 20),
			opstest.Typed(opstest.Sh(2, 3), float32(11), 12, 13, 24, 25, 26)},
		{"legacy axis 1 of 4-D", "Mul", 1, []*onnx.Attribute{opstest.AttrI("broadcast", 1), opstest.AttrI("axis", 1)},
			opstest.Typed(opstest.Sh(1, 2, 2, 1), float32(1), 2, 3, 4), opstest.Typed(opstest.Sh(2, 1), float32(10), 100),
			opstest.Typed(opstest.Sh(1, 2, 2, 1), float32(10), 20, 300, 400)},
	}
	for _, c := range cases {
		got, err := opstest.EwEval(t, c.op, c.opset, 1, c.attrs, c.a, c.b)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		opstest.EwCheck(t, c.name, got[0], c.want)
	}
}

func TestBinaryErrors(t *testing.T) {
	cases := []struct {
		name  string
		op    string
		opset int
		attrs []*onnx.Attribute
		in    []*ops.Tensor
		frag  string
	}{
		{"type mismatch", "Add", 14, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(1), float32(1)), opstest.Typed(opstest.Sh(1), int32(1))}, "input B has type int32"},
		{"bool", "Add", 14, nil, []*ops.Tensor{opstest.Bools(opstest.Sh(1), true), opstest.Bools(opstest.Sh(1), true)}, "want float, signed integer, unsigned integer"},
		{"shapes", "Mul", 14, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(2, 3), make([]float32, 6)...), opstest.Typed(opstest.Sh(2), float32(1), 2)}, "cannot be broadcast"},
		{"one input", "Sub", 14, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(1), float32(1))}, "want 2"},
		{"legacy without broadcast", "Add", 6, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(2, 3), make([]float32, 6)...), opstest.Typed(opstest.Sh(3), float32(1), 2, 3)}, "\"broadcast\" is 0"},
		{"legacy misfit", "Add", 6, []*onnx.Attribute{opstest.AttrI("broadcast", 1), opstest.AttrI("axis", 1)},
			[]*ops.Tensor{opstest.Typed(opstest.Sh(2, 3), make([]float32, 6)...), opstest.Typed(opstest.Sh(2), float32(1), 2)}, "does not"},
		{"sum opset 6 shapes", "Sum", 6, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(2), float32(1), 2), opstest.Typed(opstest.Sh(1), float32(1))}, "broadcasting needs opset 8"},
		{"sum types", "Sum", 13, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(2), float32(1), 2), opstest.Typed(opstest.Sh(2), float64(1), 2)}, "input 1 has type float64"},
	}
	for _, c := range cases {
		_, err := opstest.EwEval(t, c.op, c.opset, 1, c.attrs, c.in...)
		if err == nil || !strings.Contains(err.Error(), c.frag) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.frag)
		}
	}
	if _, err := ops.Build(opstest.EwNode("Add", []*ops.Tensor{nil, nil}, 1, opstest.AttrF("broadcast", 1)), 6); err == nil {
		t.Error("Add-6 accepted a FLOAT broadcast attribute")
	}
}

func TestSum(t *testing.T) {
	got, err := opstest.EwEval(t, "Sum", 13, 1, nil,
		opstest.Typed(opstest.Sh(3), float32(1), 2, 3), opstest.Typed(opstest.Sh(2, 1), float32(10), 20), opstest.Typed(opstest.Sh(), float32(100)))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "sum of three broadcast", got[0], opstest.Typed(opstest.Sh(2, 3), float32(111), 112, 113, 121, 122, 123))
	got, err = opstest.EwEval(t, "Sum", 6, 1, nil, opstest.Typed(opstest.Sh(2), int32(4), 5))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "sum of one", got[0], opstest.Typed(opstest.Sh(2), int32(4), 5))
	got, err = opstest.EwEval(t, "Sum", 8, 1, nil, opstest.Typed(opstest.Sh(1), float64(1)), opstest.Typed(opstest.Sh(2), float64(2), 3))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "sum in place into input 1", got[0], opstest.Typed(opstest.Sh(2), float64(3), 4))
	// The first pair is smaller than the output: both broadcast (found by FuzzLoad).
	got, err = opstest.EwEval(t, "Sum", 13, 1, nil, opstest.Typed(opstest.Sh(1), float32(1)), opstest.Typed(opstest.Sh(1), float32(2)), opstest.Typed(opstest.Sh(3), float32(10), 20, 30))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "sum of two scalars and a vector", got[0], opstest.Typed(opstest.Sh(3), float32(13), 23, 33))
}

func TestBinaryInPlace(t *testing.T) {
	v := func(shape ...int) ops.Value { return ops.Value{Type: onnx.Float, Shape: shape} }
	cases := []struct {
		op    string
		in    []ops.Value
		want  int
		opset int
	}{
		{"Add", []ops.Value{v(2, 3), v(3)}, 0, 14},
		{"Add", []ops.Value{v(3), v(2, 3)}, 1, 14},
		{"Mul", []ops.Value{v(2, 1), v(1, 3)}, -1, 14},
		{"Sum", []ops.Value{v(3), v(2, 3)}, 1, 13},
		{"Sum", []ops.Value{v(2, 3), v(2, 3), v(2, 3)}, -1, 13},
	}
	for _, c := range cases {
		o, err := ops.Build(opstest.EwNode(c.op, make([]*ops.Tensor, len(c.in)), 1), c.opset)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.(ops.InPlacer).InPlace(c.in); got != c.want {
			t.Errorf("%s InPlace(%v) = %d, want %d", c.op, c.in, got, c.want)
		}
	}
}

func TestBinaryNodeTests(t *testing.T) {
	// 8 Add, 9 Sub, 9 Mul, 10 Div and 3 Sum tests.
	if n := opstest.NodeTests(t, "test_add*", "test_sub*", "test_mul*", "test_div*", "test_sum*"); n != 39 {
		t.Errorf("%d binary node tests passed, want 39", n)
	}
}
