package ops

import (
	"math"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
)

func TestBinary(t *testing.T) {
	inf := float32(math.Inf(1))
	cases := []struct {
		name  string
		op    string
		opset int
		attrs []*onnx.Attribute
		a, b  *Tensor
		want  *Tensor
	}{
		{"add same shape", "Add", 14, nil,
			ewT(sh(2, 2), float32(1), 2, 3, 4), ewT(sh(2, 2), float32(10), 20, 30, 40),
			ewT(sh(2, 2), float32(11), 22, 33, 44)},
		{"add row bcast", "Add", 7, nil,
			ewT(sh(2, 3), float32(1), 2, 3, 4, 5, 6), ewT(sh(3), float32(10), 20, 30),
			ewT(sh(2, 3), float32(11), 22, 33, 14, 25, 36)},
		{"sub scalar minus tensor", "Sub", 13, nil,
			ewT(sh(), float32(10)), ewT(sh(3), float32(1), 2, 3),
			ewT(sh(3), float32(9), 8, 7)},
		{"sub column minus row", "Sub", 14, nil,
			ewT(sh(2, 1), int32(10), 20), ewT(sh(1, 3), int32(1), 2, 3),
			ewT(sh(2, 3), int32(9), 8, 7, 19, 18, 17)},
		{"mul per channel", "Mul", 14, nil,
			ewT(sh(1, 2, 1, 2), float32(1), 2, 3, 4), ewT(sh(2, 1, 1), float32(10), -1),
			ewT(sh(1, 2, 1, 2), float32(10), 20, -3, -4)},
		{"mul uint8 wraps", "Mul", 14, nil,
			ewT(sh(2), uint8(16), 3), ewT(sh(), uint8(17)),
			ewT(sh(2), uint8(16), 51)},
		{"add uint8 wraps", "Add", 14, nil,
			ewT(sh(2), uint8(250), 1), ewT(sh(2), uint8(10), 2),
			ewT(sh(2), uint8(4), 3)},
		{"div float", "Div", 14, nil,
			ewT(sh(4), float32(1), -1, 0, 7), ewT(sh(4), float32(4), 0, 0, 2),
			ewT(sh(4), float32(0.25), -inf, float32(math.NaN()), 3.5)},
		{"div int truncates toward zero", "Div", 14, nil,
			ewT(sh(4), int32(7), -7, 7, -7), ewT(sh(4), int32(2), 2, -2, -2),
			ewT(sh(4), int32(3), -3, -3, 3)},
		{"div int by zero is 0", "Div", 14, nil,
			ewT(sh(3), int64(5), -5, 0), ewT(sh(), int64(0)),
			ewT(sh(3), int64(0), 0, 0)},
		{"div int scalar by tensor with a zero", "Div", 14, nil,
			ewT(sh(), int16(9)), ewT(sh(3), int16(2), 0, -4),
			ewT(sh(3), int16(4), 0, -2)},
		{"div int8 min by -1 wraps", "Div", 14, nil,
			ewT(sh(1), int8(-128)), ewT(sh(1), int8(-1)),
			ewT(sh(1), int8(-128))},
		{"div uint", "Div", 14, nil,
			ewT(sh(2), uint64(1<<63), 7), ewT(sh(2), uint64(3), 2),
			ewT(sh(2), uint64(1<<63/3), 3)},
		{"legacy suffix broadcast", "Add", 6, []*onnx.Attribute{attrI("broadcast", 1)},
			ewT(sh(2, 3), float32(1), 2, 3, 4, 5, 6), ewT(sh(3), float32(10), 20, 30),
			ewT(sh(2, 3), float32(11), 22, 33, 14, 25, 36)},
		{"legacy axis broadcast", "Add", 6, []*onnx.Attribute{attrI("broadcast", 1), attrI("axis", 0)},
			ewT(sh(2, 3), float32(1), 2, 3, 4, 5, 6), ewT(sh(2), float32(10), 20),
			ewT(sh(2, 3), float32(11), 12, 13, 24, 25, 26)},
		{"legacy axis 1 of 4-D", "Mul", 1, []*onnx.Attribute{attrI("broadcast", 1), attrI("axis", 1)},
			ewT(sh(1, 2, 2, 1), float32(1), 2, 3, 4), ewT(sh(2, 1), float32(10), 100),
			ewT(sh(1, 2, 2, 1), float32(10), 20, 300, 400)},
	}
	for _, c := range cases {
		got, err := ewEval(t, c.op, c.opset, 1, c.attrs, c.a, c.b)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		ewCheck(t, c.name, got[0], c.want)
	}
}

func TestBinaryErrors(t *testing.T) {
	cases := []struct {
		name  string
		op    string
		opset int
		attrs []*onnx.Attribute
		in    []*Tensor
		frag  string
	}{
		{"type mismatch", "Add", 14, nil, []*Tensor{ewT(sh(1), float32(1)), ewT(sh(1), int32(1))}, "input B has type int32"},
		{"bool", "Add", 14, nil, []*Tensor{ewBools(sh(1), true), ewBools(sh(1), true)}, "want a numeric type"},
		{"shapes", "Mul", 14, nil, []*Tensor{ewT(sh(2, 3), make([]float32, 6)...), ewT(sh(2), float32(1), 2)}, "cannot be broadcast"},
		{"one input", "Sub", 14, nil, []*Tensor{ewT(sh(1), float32(1))}, "want 2"},
		{"legacy without broadcast", "Add", 6, nil, []*Tensor{ewT(sh(2, 3), make([]float32, 6)...), ewT(sh(3), float32(1), 2, 3)}, "\"broadcast\" is 0"},
		{"legacy misfit", "Add", 6, []*onnx.Attribute{attrI("broadcast", 1), attrI("axis", 1)},
			[]*Tensor{ewT(sh(2, 3), make([]float32, 6)...), ewT(sh(2), float32(1), 2)}, "does not"},
		{"sum opset 6 shapes", "Sum", 6, nil, []*Tensor{ewT(sh(2), float32(1), 2), ewT(sh(1), float32(1))}, "broadcasting needs opset 8"},
		{"sum types", "Sum", 13, nil, []*Tensor{ewT(sh(2), float32(1), 2), ewT(sh(2), float64(1), 2)}, "input 1 has type float64"},
	}
	for _, c := range cases {
		_, err := ewEval(t, c.op, c.opset, 1, c.attrs, c.in...)
		if err == nil || !strings.Contains(err.Error(), c.frag) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.frag)
		}
	}
	if _, err := Build(ewNode("Add", []*Tensor{nil, nil}, 1, attrF("broadcast", 1)), 6); err == nil {
		t.Error("Add-6 accepted a FLOAT broadcast attribute")
	}
}

func TestSum(t *testing.T) {
	got, err := ewEval(t, "Sum", 13, 1, nil,
		ewT(sh(3), float32(1), 2, 3), ewT(sh(2, 1), float32(10), 20), ewT(sh(), float32(100)))
	if err != nil {
		t.Fatal(err)
	}
	ewCheck(t, "sum of three broadcast", got[0], ewT(sh(2, 3), float32(111), 112, 113, 121, 122, 123))
	got, err = ewEval(t, "Sum", 6, 1, nil, ewT(sh(2), int32(4), 5))
	if err != nil {
		t.Fatal(err)
	}
	ewCheck(t, "sum of one", got[0], ewT(sh(2), int32(4), 5))
	got, err = ewEval(t, "Sum", 8, 1, nil, ewT(sh(1), float64(1)), ewT(sh(2), float64(2), 3))
	if err != nil {
		t.Fatal(err)
	}
	ewCheck(t, "sum in place into input 1", got[0], ewT(sh(2), float64(3), 4))
	// The first pair is smaller than the output: both broadcast (found by FuzzLoad).
	got, err = ewEval(t, "Sum", 13, 1, nil, ewT(sh(1), float32(1)), ewT(sh(1), float32(2)), ewT(sh(3), float32(10), 20, 30))
	if err != nil {
		t.Fatal(err)
	}
	ewCheck(t, "sum of two scalars and a vector", got[0], ewT(sh(3), float32(13), 23, 33))
}

func TestBinaryInPlace(t *testing.T) {
	v := func(shape ...int) Value { return Value{Type: onnx.Float, Shape: shape} }
	cases := []struct {
		op    string
		in    []Value
		want  int
		opset int
	}{
		{"Add", []Value{v(2, 3), v(3)}, 0, 14},
		{"Add", []Value{v(3), v(2, 3)}, 1, 14},
		{"Mul", []Value{v(2, 1), v(1, 3)}, -1, 14},
		{"Sum", []Value{v(3), v(2, 3)}, 1, 13},
		{"Sum", []Value{v(2, 3), v(2, 3), v(2, 3)}, -1, 13},
	}
	for _, c := range cases {
		o, err := Build(ewNode(c.op, make([]*Tensor, len(c.in)), 1), c.opset)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.(InPlacer).InPlace(c.in); got != c.want {
			t.Errorf("%s InPlace(%v) = %d, want %d", c.op, c.in, got, c.want)
		}
	}
}

func TestBinaryNodeTests(t *testing.T) {
	// 8 Add, 9 Sub, 9 Mul, 10 Div and 3 Sum tests.
	if n := nodeTests(t, "test_add*", "test_sub*", "test_mul*", "test_div*", "test_sum*"); n != 39 {
		t.Errorf("%d binary node tests passed, want 39", n)
	}
}
