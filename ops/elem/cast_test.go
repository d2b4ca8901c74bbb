package elem

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/wide"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestCast(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	cases := []struct {
		name  string
		opset int
		to    ops.DType
		in    *ops.Tensor
		want  *ops.Tensor
	}{
		{"float to int32 truncates toward zero", 13, onnx.Int32,
			opstest.Typed(opstest.Sh(4), float32(2.7), -2.7, 0.5, -0.5), opstest.Typed(opstest.Sh(4), int32(2), -2, 0, 0)},
		{"float64 to int64", 19, onnx.Int64, opstest.Typed(opstest.Sh(2), 1e15+0.9, -3.99), opstest.Typed(opstest.Sh(2), int64(1e15), -3)},
		{"int16 to int8 wraps", 13, onnx.Int8, opstest.Typed(opstest.Sh(3), int16(200), -129, 5), opstest.Typed(opstest.Sh(3), int8(-56), 127, 5)},
		{"int32 to uint8 wraps", 13, onnx.Uint8, opstest.Typed(opstest.Sh(2), int32(-1), 256), opstest.Typed(opstest.Sh(2), uint8(255), 0)},
		{"uint64 to float32", 13, onnx.Float, opstest.Typed(opstest.Sh(2), uint64(1<<64-1), 3), opstest.Typed(opstest.Sh(2), float32(1.8446744e19), 3)},
		{"int64 to float64", 13, onnx.Double, opstest.Typed(opstest.Sh(2), int64(-1<<53), 7), opstest.Typed(opstest.Sh(2), float64(-1<<53), 7)},
		{"float to bool", 13, onnx.Bool, opstest.Typed(opstest.Sh(5), float32(0), float32(math.Copysign(0, -1)), 0.1, nan, -inf),
			opstest.Bools(opstest.Sh(5), false, false, true, true, true)},
		{"int16 to bool", 13, onnx.Bool, opstest.Typed(opstest.Sh(3), int16(256), 0, -1), opstest.Bools(opstest.Sh(3), true, false, true)},
		{"bool to float", 13, onnx.Float, opstest.Bools(opstest.Sh(2), true, false), opstest.Typed(opstest.Sh(2), float32(1), 0)},
		{"bool to int64", 13, onnx.Int64, opstest.Bools(opstest.Sh(2), false, true), opstest.Typed(opstest.Sh(2), int64(0), 1)},
		{"bool to bool", 13, onnx.Bool, opstest.Bools(opstest.Sh(2), false, true), opstest.Bools(opstest.Sh(2), false, true)},
		{"uint8 to float", 6, onnx.Float, opstest.Typed(opstest.Sh(2), uint8(255), 0), opstest.Typed(opstest.Sh(2), float32(255), 0)},
		{"float to float16 precision", 13, onnx.Float16,
			opstest.Typed(opstest.Sh(5), float32(0.1), 65504, 70000, 1e-8, nan),
			opstest.Typed(opstest.Sh(5), float32(0.0999755859375), 65504, inf, 0, nan)},
		{"float64 to float16 precision", 13, onnx.Float16, opstest.Typed(opstest.Sh(2), 1.0/3, -2049), opstest.Typed(opstest.Sh(2), float32(0.333251953125), -2048)},
		{"float to bfloat16 precision", 13, onnx.BFloat16,
			opstest.Typed(opstest.Sh(3), float32(1.00390625), 1.01171875, 3.14159265), opstest.Typed(opstest.Sh(3), float32(1), 1.015625, 3.140625)},
		{"int32 to float16 precision", 13, onnx.Float16, opstest.Typed(opstest.Sh(2), int32(2049), 2051), opstest.Typed(opstest.Sh(2), float32(2048), 2052)},
		{"same type", 13, onnx.Float, opstest.Typed(opstest.Sh(2), float32(1.5), -2), opstest.Typed(opstest.Sh(2), float32(1.5), -2)},
	}
	for _, c := range cases {
		got, err := opstest.EwEval(t, "Cast", c.opset, 1, []*onnx.Attribute{opstest.AttrI("to", int64(c.to))}, c.in)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		opstest.EwCheck(t, c.name, got[0], c.want)
	}
	got, err := opstest.EwEval(t, "Cast", 1, 1, []*onnx.Attribute{opstest.AttrS("to", "int32")}, opstest.Typed(opstest.Sh(2), float64(-1.5), 2.5))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "Cast-1 with a type name", got[0], opstest.Typed(opstest.Sh(2), int32(-1), 2))
}

func TestCastErrors(t *testing.T) {
	cases := []struct {
		name  string
		opset int
		attrs []*onnx.Attribute
		frag  string
	}{
		{"no to", 13, nil, "attribute \"to\" is required"},
		{"string to", 13, []*onnx.Attribute{opstest.AttrI("to", int64(onnx.String))}, "STRING: unsupported"},
		{"float8 to", 19, []*onnx.Attribute{opstest.AttrI("to", int64(onnx.Float8E4M3FN))}, "FLOAT8E4M3FN: unsupported"},
		{"int4 to", 21, []*onnx.Attribute{opstest.AttrI("to", int64(onnx.Int4))}, "INT4: unsupported"},
		{"undefined to", 13, []*onnx.Attribute{opstest.AttrI("to", 0)}, "not a tensor element type"},
		{"out of range to", 25, []*onnx.Attribute{opstest.AttrI("to", 99)}, "not a tensor element type"},
		{"unknown name", 1, []*onnx.Attribute{opstest.AttrS("to", "COMPLEX64")}, "not a supported type name"},
		{"name type at opset 6", 6, []*onnx.Attribute{opstest.AttrS("to", "FLOAT")}, "attribute \"to\" has type STRING"},
	}
	for _, c := range cases {
		_, err := ops.Build(opstest.EwNode("Cast", []*ops.Tensor{nil}, 1, c.attrs...), c.opset)
		if err == nil || !strings.Contains(err.Error(), c.frag) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.frag)
		}
	}
	o, err := ops.Build(opstest.EwNode("Cast", []*ops.Tensor{nil}, 1, opstest.AttrI("to", int64(onnx.Float))), 13)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := o.Infer([]ops.Value{{Type: onnx.String, Shape: opstest.Sh(1)}}); err == nil {
		t.Error("Cast accepted a string input")
	}
	ip := o.(ops.InPlacer)
	if ip.InPlace([]ops.Value{{Type: onnx.Float}}) != 0 || ip.InPlace([]ops.Value{{Type: onnx.Int32}}) != -1 {
		t.Error("Cast InPlace must allow exactly the same-type case")
	}
}

// TestCastAllPairs converts small values between every pair of types and
// back, which must round-trip.
func TestCastAllPairs(t *testing.T) {
	types := []ops.DType{onnx.Float, onnx.Double, onnx.Int8, onnx.Int16, onnx.Int32, onnx.Int64,
		onnx.Uint8, onnx.Uint16, onnx.Uint32, onnx.Uint64}
	for _, from := range types {
		src, err := opstest.EwEval(t, "Cast", 13, 1, []*onnx.Attribute{opstest.AttrI("to", int64(from))}, opstest.Typed(opstest.Sh(4), int32(0), 1, 7, 100))
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range append(types, onnx.Bool) {
			mid, err := opstest.EwEval(t, "Cast", 13, 1, []*onnx.Attribute{opstest.AttrI("to", int64(to))}, src[0])
			if err != nil {
				t.Fatal(err)
			}
			back, err := opstest.EwEval(t, "Cast", 13, 1, []*onnx.Attribute{opstest.AttrI("to", int64(onnx.Int32))}, mid[0])
			if err != nil {
				t.Fatal(err)
			}
			want := opstest.Typed(opstest.Sh(4), int32(0), 1, 7, 100)
			if to == onnx.Bool {
				want = opstest.Typed(opstest.Sh(4), int32(0), 1, 1, 1)
			}
			opstest.EwCheck(t, ops.TypeName(from)+" to "+ops.TypeName(to), back[0], want)
		}
	}
}

func TestCastLike(t *testing.T) {
	got, err := opstest.EwEval(t, "CastLike", 15, 1, nil, opstest.Typed(opstest.Sh(3), float32(-1.5), 2.7, 300), opstest.Typed[uint8](opstest.Sh(0)))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "float to uint8 like", got[0], opstest.Typed(opstest.Sh(3), uint8(255), 2, 44))
	got, err = opstest.EwEval(t, "CastLike", 25, 1, nil, opstest.Typed(opstest.Sh(2), int64(0), -3), opstest.Bools(opstest.Sh(1), true))
	if err != nil {
		t.Fatal(err)
	}
	opstest.EwCheck(t, "int64 to bool like", got[0], opstest.Bools(opstest.Sh(2), false, true))
	_, err = opstest.EwEval(t, "CastLike", 19, 1, nil, opstest.Typed(opstest.Sh(1), float32(1)), &ops.Tensor{Type: onnx.Float8E5M2, Shape: opstest.Sh(1)})
	opstest.WantErr(t, "float8 target", err, "FLOAT8E5M2: unsupported")
	_, err = opstest.EwEval(t, "CastLike", 19, 1, nil, opstest.Typed(opstest.Sh(1), float32(1)))
	opstest.WantErr(t, "one input", err, "want 2")
}

func TestBitCast(t *testing.T) {
	cases := []struct {
		name string
		to   ops.DType
		in   *ops.Tensor
		want *ops.Tensor
	}{
		{"float32 to int32", onnx.Int32, opstest.Typed(opstest.Sh(2), float32(1), -2), opstest.Typed(opstest.Sh(2), int32(0x3f800000), -0x40000000)},
		{"uint64 to float64", onnx.Double, opstest.Typed(opstest.Sh(1), uint64(0x4000000000000000)), opstest.Typed(opstest.Sh(1), 2.0)},
		{"int8 to uint8", onnx.Uint8, opstest.Typed(opstest.Sh(2), int8(-1), 5), opstest.Typed(opstest.Sh(2), uint8(255), 5)},
		{"uint8 to bool is not zero", onnx.Bool, opstest.Typed(opstest.Sh(3), uint8(0), 1, 2), opstest.Bools(opstest.Sh(3), false, true, true)},
		{"bool to int8", onnx.Int8, opstest.Bools(opstest.Sh(2), true, false), opstest.Typed(opstest.Sh(2), int8(1), 0)},
		{"uint16 to float16", onnx.Float16, opstest.Typed(opstest.Sh(2), uint16(0x3c00), 0xc000), opstest.Typed(opstest.Sh(2), float32(1), -2)},
		{"int16 to bfloat16", onnx.BFloat16, opstest.Typed(opstest.Sh(1), int16(0x3fc0)), opstest.Typed(opstest.Sh(1), float32(1.5))},
		{"empty", onnx.Uint32, opstest.Typed[float32](opstest.Sh(0)), opstest.Typed[uint32](opstest.Sh(0))},
	}
	for _, c := range cases {
		got, err := opstest.EwEval(t, "BitCast", 26, 1, []*onnx.Attribute{opstest.AttrI("to", int64(c.to))}, c.in)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		opstest.EwCheck(t, c.name, got[0], c.want)
	}
	for _, c := range []struct {
		name  string
		to    ops.DType
		in    *ops.Tensor
		frag  string
		unsup bool
	}{
		{"widths", onnx.Int64, opstest.Typed(opstest.Sh(1), float32(1)), "int64 of 64 bits, the input's type float32 has 32", false},
		{"float32 to int16", onnx.Int16, opstest.Typed(opstest.Sh(1), float32(1)), "may hold float16", true},
		{"float32 to float16", onnx.Float16, opstest.Typed(opstest.Sh(1), float32(1)), "may hold float16", true},
		{"string", onnx.String, opstest.Typed(opstest.Sh(1), uint8(1)), "STRING: unsupported", true},
	} {
		_, err := opstest.EwEval(t, "BitCast", 26, 1, []*onnx.Attribute{opstest.AttrI("to", int64(c.to))}, c.in)
		opstest.WantErr(t, c.name, err, c.frag)
		if errors.Is(err, ops.ErrUnsupported) != c.unsup {
			t.Errorf("%s: %v wraps ErrUnsupported: %v, want %v", c.name, err, !c.unsup, c.unsup)
		}
	}
}

// castValues are values of every type, edges included: floats only within
// the integer types' common range, as converting others is undefined.
var castValues = []float64{0, 1, -1, 2, 0.5, -0.5, 1.9, -1.9, 2.5, 126.99, -128.99, 127, -128, 3}

// castInts are integers at the edges of every integer type, as int64 bits.
var castInts = []int64{0, 1, -1, 2, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768, 65535, 65536,
	1<<31 - 1, 1 << 31, -1 << 31, 1<<32 - 1, 1 << 32, 1<<53 + 1, 1<<62 + 1<<38 + 1, 1<<63 - 1, -1 << 63, -1<<53 - 1, 0x7fffff7fffffffff}

// castSource makes a tensor of type S from castValues (floats) or castInts
// (integers, converted with Go's rules), repeated to n elements.
func castSource[S ops.Numeric](n int) *ops.Tensor {
	v := make([]S, n)
	for i := range v {
		if ops.IsIntegral[S]() {
			v[i] = S(castInts[i%len(castInts)])
		} else {
			v[i] = S(castValues[i%len(castValues)])
		}
	}
	return opstest.Typed(opstest.Sh(n), v...)
}

// castDirect converts x to D element by element, the reference.
func castDirect[D, S ops.Numeric](x *ops.Tensor) *ops.Tensor {
	s := ops.Elems[S](x)
	d := make([]D, len(s))
	for i, v := range s {
		d[i] = D(v)
	}
	return opstest.Typed(opstest.Sh(len(d)), d...)
}

// castDirectTo is castDirect for the target type dt.
func castDirectTo[S ops.Numeric](dt ops.DType, x *ops.Tensor) *ops.Tensor {
	switch dt {
	case onnx.Float:
		return castDirect[float32, S](x)
	case onnx.Double:
		return castDirect[float64, S](x)
	case onnx.Int8:
		return castDirect[int8, S](x)
	case onnx.Int16:
		return castDirect[int16, S](x)
	case onnx.Int32:
		return castDirect[int32, S](x)
	case onnx.Int64:
		return castDirect[int64, S](x)
	case onnx.Uint8:
		return castDirect[uint8, S](x)
	case onnx.Uint16:
		return castDirect[uint16, S](x)
	case onnx.Uint32:
		return castDirect[uint32, S](x)
	case onnx.Uint64:
		return castDirect[uint64, S](x)
	}
	d := castDirect[uint8, S](x) // bool: not zero
	for i, v := range ops.Elems[S](x) {
		d.Data[i] = 0
		if v != 0 {
			d.Data[i] = 1
		}
	}
	d.Type = onnx.Bool
	return d
}

// TestCastEveryPair converts every type into every other through the wide
// chunks, over more than one chunk, and compares with Go's direct
// conversion bit for bit.
func TestCastEveryPair(t *testing.T) {
	n := 2*wide.N + 7
	sources := []struct {
		x      *ops.Tensor
		direct func(ops.DType, *ops.Tensor) *ops.Tensor
	}{
		{castSource[float32](n), castDirectTo[float32]}, {castSource[float64](n), castDirectTo[float64]},
		{castSource[int8](n), castDirectTo[int8]}, {castSource[int16](n), castDirectTo[int16]},
		{castSource[int32](n), castDirectTo[int32]}, {castSource[int64](n), castDirectTo[int64]},
		{castSource[uint8](n), castDirectTo[uint8]}, {castSource[uint16](n), castDirectTo[uint16]},
		{castSource[uint32](n), castDirectTo[uint32]}, {castSource[uint64](n), castDirectTo[uint64]},
	}
	bools := castSource[uint8](n)
	for i := range bools.Data {
		bools.Data[i] &= 1
	}
	bools.Type = onnx.Bool
	sources = append(sources, struct {
		x      *ops.Tensor
		direct func(ops.DType, *ops.Tensor) *ops.Tensor
	}{bools, castDirectTo[uint8]})
	targets := []ops.DType{onnx.Float, onnx.Double, onnx.Int8, onnx.Int16, onnx.Int32, onnx.Int64,
		onnx.Uint8, onnx.Uint16, onnx.Uint32, onnx.Uint64, onnx.Bool}
	for _, src := range sources {
		for _, dt := range targets {
			want := src.direct(dt, src.x)
			got := ops.New(dt, n)
			if err := bindConvert(ops.Serial{}, got, src.x)(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Data, want.Data) {
				for i := range n {
					sz := ops.ElemSize(dt)
					if !bytes.Equal(got.Data[i*sz:(i+1)*sz], want.Data[i*sz:(i+1)*sz]) {
						t.Errorf("%s to %s: element %d: got bytes %x, want %x", ops.TypeName(src.x.Type), ops.TypeName(dt), i, got.Data[i*sz:(i+1)*sz], want.Data[i*sz:(i+1)*sz])
						break
					}
				}
			}
		}
	}
}

// BenchmarkCast converts 64 Ki elements between the types models cast
// most: int64 indices to float32 and back, bool masks to float32.
func BenchmarkCast(b *testing.B) {
	for _, c := range []struct {
		name     string
		from, to ops.DType
	}{{"I64toF32", onnx.Int64, onnx.Float}, {"F32toI64", onnx.Float, onnx.Int64}, {"BoolToF32", onnx.Bool, onnx.Float}} {
		b.Run(c.name, func(b *testing.B) {
			x, y := ops.New(c.from, 1<<16), ops.New(c.to, 1<<16)
			op, err := ops.Build(opstest.EwNode("Cast", []*ops.Tensor{x}, 1, opstest.AttrI("to", int64(c.to))), 13)
			if err != nil {
				b.Fatal(err)
			}
			f, err := op.(ops.Binder).Bind(&ops.Ctx{Par: ops.Serial{}}, []*ops.Tensor{x}, []*ops.Tensor{y})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(x.Data)))
			for b.Loop() {
				f()
			}
		})
	}
}
