package ops

import (
	"math"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
)

func TestCast(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	cases := []struct {
		name  string
		opset int
		to    DType
		in    *Tensor
		want  *Tensor
	}{
		{"float to int32 truncates toward zero", 13, onnx.Int32,
			ewT(sh(4), float32(2.7), -2.7, 0.5, -0.5), ewT(sh(4), int32(2), -2, 0, 0)},
		{"float64 to int64", 19, onnx.Int64, ewT(sh(2), 1e15+0.9, -3.99), ewT(sh(2), int64(1e15), -3)},
		{"int16 to int8 wraps", 13, onnx.Int8, ewT(sh(3), int16(200), -129, 5), ewT(sh(3), int8(-56), 127, 5)},
		{"int32 to uint8 wraps", 13, onnx.Uint8, ewT(sh(2), int32(-1), 256), ewT(sh(2), uint8(255), 0)},
		{"uint64 to float32", 13, onnx.Float, ewT(sh(2), uint64(1<<64-1), 3), ewT(sh(2), float32(1.8446744e19), 3)},
		{"int64 to float64", 13, onnx.Double, ewT(sh(2), int64(-1<<53), 7), ewT(sh(2), float64(-1<<53), 7)},
		{"float to bool", 13, onnx.Bool, ewT(sh(5), float32(0), float32(math.Copysign(0, -1)), 0.1, nan, -inf),
			ewBools(sh(5), false, false, true, true, true)},
		{"int16 to bool", 13, onnx.Bool, ewT(sh(3), int16(256), 0, -1), ewBools(sh(3), true, false, true)},
		{"bool to float", 13, onnx.Float, ewBools(sh(2), true, false), ewT(sh(2), float32(1), 0)},
		{"bool to int64", 13, onnx.Int64, ewBools(sh(2), false, true), ewT(sh(2), int64(0), 1)},
		{"bool to bool", 13, onnx.Bool, ewBools(sh(2), false, true), ewBools(sh(2), false, true)},
		{"uint8 to float", 6, onnx.Float, ewT(sh(2), uint8(255), 0), ewT(sh(2), float32(255), 0)},
		{"float to float16 precision", 13, onnx.Float16,
			ewT(sh(5), float32(0.1), 65504, 70000, 1e-8, nan),
			ewT(sh(5), float32(0.0999755859375), 65504, inf, 0, nan)},
		{"float64 to float16 precision", 13, onnx.Float16, ewT(sh(2), 1.0/3, -2049), ewT(sh(2), float32(0.333251953125), -2048)},
		{"float to bfloat16 precision", 13, onnx.BFloat16,
			ewT(sh(3), float32(1.00390625), 1.01171875, 3.14159265), ewT(sh(3), float32(1), 1.015625, 3.140625)},
		{"int32 to float16 precision", 13, onnx.Float16, ewT(sh(2), int32(2049), 2051), ewT(sh(2), float32(2048), 2052)},
		{"same type", 13, onnx.Float, ewT(sh(2), float32(1.5), -2), ewT(sh(2), float32(1.5), -2)},
	}
	for _, c := range cases {
		got, err := ewEval(t, "Cast", c.opset, 1, []*onnx.Attribute{attrI("to", int64(c.to))}, c.in)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		ewCheck(t, c.name, got[0], c.want)
	}
	got, err := ewEval(t, "Cast", 1, 1, []*onnx.Attribute{attrS("to", "int32")}, ewT(sh(2), float64(-1.5), 2.5))
	if err != nil {
		t.Fatal(err)
	}
	ewCheck(t, "Cast-1 with a type name", got[0], ewT(sh(2), int32(-1), 2))
}

func TestCastErrors(t *testing.T) {
	cases := []struct {
		name  string
		opset int
		attrs []*onnx.Attribute
		frag  string
	}{
		{"no to", 13, nil, "attribute \"to\" is required"},
		{"string to", 13, []*onnx.Attribute{attrI("to", int64(onnx.String))}, "want a numeric or bool type"},
		{"float8 to", 19, []*onnx.Attribute{attrI("to", int64(onnx.Float8E4M3FN))}, "want a numeric or bool type"},
		{"unknown name", 1, []*onnx.Attribute{attrS("to", "COMPLEX64")}, "not a supported type name"},
		{"name type at opset 6", 6, []*onnx.Attribute{attrS("to", "FLOAT")}, "attribute \"to\" has type STRING"},
	}
	for _, c := range cases {
		_, err := Build(ewNode("Cast", []*Tensor{nil}, 1, c.attrs...), c.opset)
		if err == nil || !strings.Contains(err.Error(), c.frag) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.frag)
		}
	}
	o, err := Build(ewNode("Cast", []*Tensor{nil}, 1, attrI("to", int64(onnx.Float))), 13)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Infer([]Value{{Type: onnx.String, Shape: sh(1)}}); err == nil {
		t.Error("Cast accepted a string input")
	}
	ip := o.(InPlacer)
	if ip.InPlace([]Value{{Type: onnx.Float}}) != 0 || ip.InPlace([]Value{{Type: onnx.Int32}}) != -1 {
		t.Error("Cast InPlace must allow exactly the same-type case")
	}
}

// TestCastAllPairs converts small values between every pair of types and
// back, which must round-trip.
func TestCastAllPairs(t *testing.T) {
	types := []DType{onnx.Float, onnx.Double, onnx.Int8, onnx.Int16, onnx.Int32, onnx.Int64,
		onnx.Uint8, onnx.Uint16, onnx.Uint32, onnx.Uint64}
	for _, from := range types {
		src, err := ewEval(t, "Cast", 13, 1, []*onnx.Attribute{attrI("to", int64(from))}, ewT(sh(4), int32(0), 1, 7, 100))
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range append(types, onnx.Bool) {
			mid, err := ewEval(t, "Cast", 13, 1, []*onnx.Attribute{attrI("to", int64(to))}, src[0])
			if err != nil {
				t.Fatal(err)
			}
			back, err := ewEval(t, "Cast", 13, 1, []*onnx.Attribute{attrI("to", int64(onnx.Int32))}, mid[0])
			if err != nil {
				t.Fatal(err)
			}
			want := ewT(sh(4), int32(0), 1, 7, 100)
			if to == onnx.Bool {
				want = ewT(sh(4), int32(0), 1, 1, 1)
			}
			ewCheck(t, TypeName(from)+" to "+TypeName(to), back[0], want)
		}
	}
}
