package quant

import (
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// quantTensor makes a tensor of element type T (uint8, int8, uint16, int16
// or int32) and the given shape (nil: a scalar) holding v.
func quantTensor[T uint8 | int8 | uint16 | int16 | int32](shape []int, v ...T) *ops.Tensor {
	var dt ops.DType
	switch any(T(0)).(type) {
	case uint8:
		dt = onnx.Uint8
	case int8:
		dt = onnx.Int8
	case uint16:
		dt = onnx.Uint16
	case int16:
		dt = onnx.Int16
	case int32:
		dt = onnx.Int32
	}
	if shape == nil && len(v) != 1 {
		shape = []int{len(v)}
	}
	t := ops.New(dt, shape...)
	copy(ops.View[T](t.Data), v)
	return t
}

// scalarF32 is a rank-0 float tensor.
func scalarF32(v float32) *ops.Tensor { return ops.FromF32([]float32{v}) }

func qNode(op string, nIn int, attrs ...*onnx.Attribute) *onnx.Node {
	return opstest.Node(op, opstest.InNames(nIn), 1, attrs...)
}

func TestQuantizeLinearPerTensor(t *testing.T) {
	x := opstest.F32s(0, 1, 3, 5, 7, -5, 1000, -1000)
	for _, opset := range []int{10, 13, 19, 21, 23, 25} {
		// x/2 = 0, .5, 1.5, 2.5, 3.5, -2.5, 500, -500: ties go to even.
		got, err := opstest.Eval(qNode("QuantizeLinear", 3), opset, x, scalarF32(2), quantTensor[uint8](nil, 128))
		if err != nil {
			t.Fatalf("opset %d: %v", opset, err)
		}
		opstest.WantTensor(t, "uint8", got[0], quantTensor[uint8](nil, 128, 128, 130, 130, 132, 126, 255, 0))
		got, err = opstest.Eval(qNode("QuantizeLinear", 3), opset, x, opstest.F32s(2), quantTensor[int8]([]int{1}, -1))
		if err != nil {
			t.Fatalf("opset %d: %v", opset, err)
		}
		opstest.WantTensor(t, "int8", got[0], quantTensor[int8](nil, -1, -1, 1, 1, 3, -3, 127, -128))
	}
}

func TestQuantizeLinearDefaults(t *testing.T) {
	// No zero point: uint8 with zero point 0.
	got, err := opstest.Eval(qNode("QuantizeLinear", 2), 13, opstest.F32s(-1, 0.5, 1.5, 254.5, 255.5, 300), scalarF32(1))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "no zero point", got[0], quantTensor[uint8](nil, 0, 0, 2, 254, 255, 255))

	// An int32 input.
	got, err = opstest.Eval(qNode("QuantizeLinear", 3), 10, quantTensor[int32](nil, -7, 7, 1000), scalarF32(2), quantTensor[int8](nil, 0))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "int32 input", got[0], quantTensor[int8](nil, -4, 4, 127))

	// NaN saturates to the low end.
	nan := float32(math.NaN())
	got, err = opstest.Eval(qNode("QuantizeLinear", 3), 13, opstest.F32s(nan), scalarF32(1), quantTensor[int8](nil, 5))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "NaN", got[0], quantTensor[int8]([]int{1}, -128))
}

func TestQuantizeLinearOutputDtype(t *testing.T) {
	cases := []struct {
		dtype ops.DType
		x     *ops.Tensor
		want  *ops.Tensor
	}{
		{onnx.Int8, opstest.F32s(-300, -2.5, 0.5, 300), quantTensor[int8](nil, -128, -2, 0, 127)},
		{onnx.Uint8, opstest.F32s(-300, 2.5, 300), quantTensor[uint8](nil, 0, 2, 255)},
		{onnx.Int16, opstest.F32s(-40000, 1.5, -2.5, 40000), quantTensor[int16](nil, -32768, 2, -2, 32767)},
		{onnx.Uint16, opstest.F32s(-1, 100.5, 101.5, 70000), quantTensor[uint16](nil, 0, 100, 102, 65535)},
	}
	for _, c := range cases {
		got, err := opstest.Eval(qNode("QuantizeLinear", 2, opstest.AttrI("output_dtype", int64(c.dtype))), 21, c.x, scalarF32(1))
		if err != nil {
			t.Errorf("%s: %v", ops.TypeName(c.dtype), err)
			continue
		}
		opstest.WantTensor(t, ops.TypeName(c.dtype), got[0], c.want)
	}
	// 16-bit zero points set the type too, from opset 21.
	got, err := opstest.Eval(qNode("QuantizeLinear", 3), 21, opstest.F32s(1, 2), scalarF32(1), quantTensor[int16](nil, -1000))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "int16 zero point", got[0], quantTensor[int16](nil, -999, -998))
	_, err = opstest.Eval(qNode("QuantizeLinear", 3), 19, opstest.F32s(1), scalarF32(1), quantTensor[int16](nil, 0))
	opstest.WantErr(t, "int16 at opset 19", err, "y_zero_point", "int16", "opset 21")
	_, err = opstest.Eval(qNode("QuantizeLinear", 3, opstest.AttrI("output_dtype", int64(onnx.Int8))), 21, opstest.F32s(1), scalarF32(1), quantTensor[uint8](nil, 0))
	opstest.WantErr(t, "output_dtype against zero point", err, "output_dtype", "int8", "uint8")
	_, err = ops.Build(qNode("QuantizeLinear", 2, opstest.AttrI("output_dtype", int64(onnx.Float))), 21)
	opstest.WantErr(t, "float output_dtype", err, "output_dtype", "float32")
	_, err = ops.Build(qNode("QuantizeLinear", 2, opstest.AttrI("output_dtype", int64(onnx.Float8E4M3FN))), 21)
	if !errors.Is(err, ops.ErrUnsupported) {
		t.Errorf("float8 output_dtype: error %v, want ErrUnsupported", err)
	}
	opstest.WantErr(t, "float8 output_dtype", err, "unsupported type FLOAT8E4M3FN")
}

func TestQuantizeLinearPerAxis(t *testing.T) {
	// x[o][a][i] = 6o + 2a + i with per-channel scale and zero point along axis 1.
	x := opstest.WithShape(opstest.Iota32(12), 2, 3, 2)
	scale, zp := opstest.F32s(1, 2, 4), quantTensor[int8](nil, 0, 10, -20)
	want := opstest.WithShape(quantTensor[int8](nil, 0, 1, 11, 12, -19, -19, 6, 7, 14, 14, -18, -17), 2, 3, 2)
	for _, axis := range []int64{1, -2} {
		got, err := opstest.Eval(qNode("QuantizeLinear", 3, opstest.AttrI("axis", axis)), 13, x, scale, zp)
		if err != nil {
			t.Fatal(err)
		}
		opstest.WantTensor(t, "per axis", got[0], want)
	}
	// The default axis is 1.
	got, err := opstest.Eval(qNode("QuantizeLinear", 3), 19, x, scale, zp)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "default axis", got[0], want)

	_, err = opstest.Eval(qNode("QuantizeLinear", 3), 10, x, scale, zp)
	opstest.WantErr(t, "opset 10", err, "y_scale", "opset 10", "scalar")
	_, err = opstest.Eval(qNode("QuantizeLinear", 3, opstest.AttrI("axis", 2)), 13, x, scale, zp)
	opstest.WantErr(t, "wrong axis size", err, "3 elements", "want 2")
	_, err = opstest.Eval(qNode("QuantizeLinear", 3, opstest.AttrI("axis", 3)), 13, x, scale, zp)
	opstest.WantErr(t, "axis out of range", err, "axis", "out of range")
	_, err = opstest.Eval(qNode("QuantizeLinear", 3), 13, x, scale, quantTensor[int8](nil, 0, 1))
	opstest.WantErr(t, "zero point shape", err, "y_zero_point", "[2]", "[3]")
}

func TestQuantizeLinearBlocked(t *testing.T) {
	// x is [2, 5] = 0..9 in blocks of 2 along axis 1: ceil(5/2) = 3 blocks.
	x := opstest.WithShape(opstest.Iota32(10), 2, 5)
	scale := opstest.WithShape(opstest.F32s(1, 2, 4, 10, 1, 0.5), 2, 3)
	zp := opstest.WithShape(quantTensor[uint8](nil, 0, 1, 2, 3, 4, 5), 2, 3)
	got, err := opstest.Eval(qNode("QuantizeLinear", 3, opstest.AttrI("axis", 1), opstest.AttrI("block_size", 2)), 21, x, scale, zp)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "blocked axis 1", got[0], opstest.WithShape(quantTensor[uint8](nil, 0, 1, 2, 3, 3, 3, 4, 11, 12, 23), 2, 5))

	// Blocks of 3 along axis 0 of a [4, 2]: scale [2, 2] indexed (a/3, i).
	got, err = opstest.Eval(qNode("QuantizeLinear", 2, opstest.AttrI("axis", 0), opstest.AttrI("block_size", 3)), 21,
		opstest.WithShape(opstest.Iota32(8), 4, 2), opstest.WithShape(opstest.F32s(1, 2, 4, 8), 2, 2))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "blocked axis 0", got[0], opstest.WithShape(quantTensor[uint8](nil, 0, 0, 2, 2, 4, 2, 2, 1), 4, 2))

	blocked := qNode("QuantizeLinear", 3, opstest.AttrI("axis", 1), opstest.AttrI("block_size", 2))
	_, err = opstest.Eval(blocked, 21, x, opstest.WithShape(opstest.F32s(1, 2, 3, 4), 2, 2), opstest.WithShape(quantTensor[uint8](nil, 0, 0, 0, 0), 2, 2))
	opstest.WantErr(t, "block count", err, "2 blocks", "want ceil(5/block_size 2) = 3")
	_, err = opstest.Eval(blocked, 21, x, opstest.F32s(1, 2, 3), quantTensor[uint8](nil, 0, 0, 0))
	opstest.WantErr(t, "block rank", err, "rank 2")
	_, err = opstest.Eval(blocked, 21, x, opstest.WithShape(opstest.F32s(1, 2, 3, 4, 5, 6), 3, 2), opstest.WithShape(quantTensor[uint8](nil, 0, 0, 0, 0, 0, 0), 3, 2))
	opstest.WantErr(t, "block other dims", err, "outside axis 1")
	_, err = ops.Build(qNode("QuantizeLinear", 3, opstest.AttrI("block_size", -1)), 21)
	opstest.WantErr(t, "negative block", err, "block_size", "-1")
	// Before opset 21 block_size is not an attribute: a 2-D scale is an error.
	_, err = opstest.Eval(blocked, 19, x, scale, zp)
	opstest.WantErr(t, "blocked at opset 19", err, "y_scale")
}

func TestQuantizeLinearErrors(t *testing.T) {
	x := opstest.F32s(1, 2)
	_, err := opstest.Eval(qNode("QuantizeLinear", 3), 19, quantTensor[int8](nil, 1), scalarF32(1), quantTensor[uint8](nil, 0))
	opstest.WantErr(t, "int8 x", err, "input \"x\"", "int8")
	_, err = opstest.Eval(qNode("QuantizeLinear", 3), 19, x, opstest.I64s(1), quantTensor[uint8](nil, 0))
	opstest.WantErr(t, "int64 scale", err, "y_scale", "int64", "float32")
	_, err = opstest.Eval(qNode("QuantizeLinear", 3), 19, x, scalarF32(1), scalarF32(0))
	opstest.WantErr(t, "float zero point", err, "y_zero_point", "float32")
	_, err = opstest.Eval(qNode("QuantizeLinear", 1), 19, x)
	opstest.WantErr(t, "one input", err, "inputs")

	op, err := ops.Build(qNode("QuantizeLinear", 3), 25)
	if err != nil {
		t.Fatal(err)
	}
	for _, dt := range []ops.DType{onnx.Float8E4M3FN, onnx.Float8E5M2, onnx.Int4, onnx.Uint4, onnx.Float4E2M1, onnx.Int2, onnx.Uint2} {
		_, err := op.Infer([]ops.Value{{Type: onnx.Float, Shape: []int{2}}, {Type: onnx.Float}, {Type: dt}})
		if !errors.Is(err, ops.ErrUnsupported) {
			t.Errorf("%v zero point: error %v, want ErrUnsupported", dt, err)
		}
		opstest.WantErr(t, dt.String(), err, "y_zero_point", "unsupported type "+dt.String())
	}
	_, err = ops.Build(qNode("QuantizeLinear", 2, opstest.AttrI("precision", int64(onnx.Int8))), 23)
	opstest.WantErr(t, "precision", err, "precision", "int8")
	_, err = ops.Build(qNode("QuantizeLinear", 2, opstest.AttrF("axis", 1)), 13)
	opstest.WantErr(t, "axis type", err, "axis", "FLOAT")
}

func TestDequantizeLinear(t *testing.T) {
	got, err := opstest.Eval(qNode("DequantizeLinear", 3), 10, quantTensor[uint8](nil, 0, 128, 255), scalarF32(0.5), quantTensor[uint8](nil, 128))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "uint8", got[0], opstest.F32s(-64, 0, 63.5))

	got, err = opstest.Eval(qNode("DequantizeLinear", 2), 13, quantTensor[int32](nil, -1000000, 3), scalarF32(0.25))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "int32", got[0], opstest.F32s(-250000, 0.75))

	// Per axis -1 of a [2, 3].
	got, err = opstest.Eval(qNode("DequantizeLinear", 3, opstest.AttrI("axis", -1)), 13,
		opstest.WithShape(quantTensor[int8](nil, -128, 0, 127, 1, 2, 3), 2, 3), opstest.F32s(1, 2, 0.5), quantTensor[int8](nil, 0, -1, 1))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "per axis", got[0], opstest.WithShape(opstest.F32s(-128, 2, 63, 1, 6, 1), 2, 3))

	// Blocks of 3 along axis 1 of an int16 [2, 4].
	got, err = opstest.Eval(qNode("DequantizeLinear", 3, opstest.AttrI("block_size", 3)), 21,
		opstest.WithShape(quantTensor[int16](nil, 10, 20, 30, 40, -32768, 0, 32767, 5), 2, 4),
		opstest.WithShape(opstest.F32s(1, 2, 3, 4), 2, 2), opstest.WithShape(quantTensor[int16](nil, 0, 1, 2, 3), 2, 2))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "blocked int16", got[0], opstest.WithShape(opstest.F32s(10, 20, 30, 78, -98310, -6, 98295, 8), 2, 4))

	got, err = opstest.Eval(qNode("DequantizeLinear", 3), 21, quantTensor[uint16](nil, 65535, 0), scalarF32(1), quantTensor[uint16](nil, 1))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "uint16", got[0], opstest.F32s(65534, -1))

	// output_dtype float16 gives float32 (float16 is widened at the boundary).
	for _, dt := range []ops.DType{onnx.Float, onnx.Float16, onnx.BFloat16} {
		got, err = opstest.Eval(qNode("DequantizeLinear", 2, opstest.AttrI("output_dtype", int64(dt))), 23, quantTensor[int8](nil, -3), scalarF32(1.5))
		if err != nil {
			t.Fatal(err)
		}
		opstest.WantTensor(t, "output_dtype "+ops.TypeName(dt), got[0], scalarF32(-4.5))
	}
	_, err = ops.Build(qNode("DequantizeLinear", 2, opstest.AttrI("output_dtype", int64(onnx.Int8))), 23)
	opstest.WantErr(t, "int8 output_dtype", err, "output_dtype", "int8")
}

// TestDequantizeLinearTable checks the table lookup of long 8-bit runs
// (every byte value, with and without a zero point, per tensor and per
// axis) against the arithmetic, bit for bit.
func TestDequantizeLinearTable(t *testing.T) {
	const n = 3 * 512
	for _, signed := range []bool{false, true} {
		for _, withZp := range []bool{false, true} {
			x := ops.New(onnx.Uint8, 3, 512)
			if signed {
				x = ops.New(onnx.Int8, 3, 512)
			}
			for i := range x.Data {
				x.Data[i] = byte(i * 7)
			}
			scales := []float32{0.037, 1.5, 1e-3}
			zps := []byte{131, 7, 255}
			for _, perAxis := range []bool{false, true} {
				var in []*ops.Tensor
				node := qNode("DequantizeLinear", 2)
				if perAxis {
					node = qNode("DequantizeLinear", 2, opstest.AttrI("axis", 0))
					in = []*ops.Tensor{x, opstest.F32s(scales...)}
				} else {
					in = []*ops.Tensor{x, scalarF32(scales[0])}
				}
				if withZp {
					z := ops.New(x.Type) // a scalar
					if perAxis {
						z = ops.New(x.Type, 3)
					}
					copy(z.Data, zps)
					in = append(in, z)
					node = qNode("DequantizeLinear", 3)
					if perAxis {
						node = qNode("DequantizeLinear", 3, opstest.AttrI("axis", 0))
					}
				}
				op, err := ops.Build(node, 13)
				if err != nil {
					t.Fatal(err)
				}
				// Serially: opstest.Eval's loops take 3 values at a time.
				got, err := opstest.Exec(op, in, nil, ops.Serial{})
				if err != nil {
					t.Fatal(err)
				}
				for i, g := range got[0].F32()[:n] {
					k := 0
					if perAxis {
						k = i / 512
					}
					v := int64(x.Data[i])
					if signed {
						v = int64(int8(x.Data[i]))
					}
					if withZp {
						z := int64(zps[k])
						if signed {
							z = int64(int8(zps[k]))
						}
						v -= z
					}
					if want := float32(v) * scales[k]; math.Float32bits(g) != math.Float32bits(want) {
						t.Fatalf("signed %v zero point %v per axis %v: element %d is %v, want %v", signed, withZp, perAxis, i, g, want)
					}
				}
			}
		}
	}
}

func TestDequantizeLinearErrors(t *testing.T) {
	_, err := opstest.Eval(qNode("DequantizeLinear", 2), 13, opstest.F32s(1), scalarF32(1))
	opstest.WantErr(t, "float x", err, "input \"x\"", "float32", "not a quantized type")
	_, err = opstest.Eval(qNode("DequantizeLinear", 3), 13, quantTensor[uint8](nil, 1), scalarF32(1), quantTensor[int8](nil, 0))
	opstest.WantErr(t, "zero point type", err, "x_zero_point", "int8", "uint8")
	_, err = opstest.Eval(qNode("DequantizeLinear", 2), 19, quantTensor[uint16](nil, 1), scalarF32(1))
	opstest.WantErr(t, "uint16 at 19", err, "uint16", "opset 21")
	op, err := ops.Build(qNode("DequantizeLinear", 2), 25)
	if err != nil {
		t.Fatal(err)
	}
	_, err = op.Infer([]ops.Value{{Type: onnx.Float8E5M2, Shape: []int{5}}, {Type: onnx.Float}})
	if !errors.Is(err, ops.ErrUnsupported) {
		t.Errorf("float8 x: error %v, want ErrUnsupported", err)
	}
	opstest.WantErr(t, "float8 x", err, "input \"x\"", "unsupported type FLOAT8E5M2")
}

// quantRef is a naive QuantizeLinear or DequantizeLinear of x with shape
// shape: each element's scale index is computed from its multi-index.
func quantRef(shape []int, axis, block int, scaleShape []int, x []float32, scale []float32, zp []int8, dequant bool) []float32 {
	st, sst := ops.Strides(shape), ops.Strides(scaleShape)
	out := make([]float32, len(x))
	for e := range x {
		si := 0
		for d := range shape {
			idx := e / st[d] % shape[d]
			switch {
			case len(scaleShape) == 0:
				idx = 0
			case block > 0 && d == axis:
				idx /= block
			case block == 0 && d != axis:
				continue
			}
			if block == 0 {
				si = idx
			} else {
				si += idx * sst[d]
			}
		}
		if dequant {
			out[e] = float32(x[e]-float32(zp[si])) * scale[si]
		} else {
			out[e] = float32(min(127, max(-128, math.RoundToEven(float64(x[e]/scale[si]))+float64(zp[si]))))
		}
	}
	return out
}

// TestQuantizeLinearLayouts compares both ops with quantRef on every
// granularity of a [3, 7, 5] tensor, run in chunks of 3 elements.
func TestQuantizeLinearLayouts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shape := []int{3, 7, 5}
	n := ops.NumElems(shape)
	cases := []struct {
		axis, block int
		scale       []int
	}{
		{1, 0, []int{}}, {0, 0, []int{3}}, {1, 0, []int{7}}, {2, 0, []int{5}},
		{1, 3, []int{3, 3, 5}}, {2, 2, []int{3, 7, 3}}, {0, 2, []int{2, 7, 5}}, {1, 7, []int{3, 1, 5}},
	}
	for _, c := range cases {
		ns := ops.NumElems(c.scale)
		scale, zp := make([]float32, ns), make([]int8, ns)
		for i := range scale {
			scale[i] = 0.1 + rng.Float32()
			zp[i] = int8(rng.IntN(40) - 20)
		}
		x, q := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = rng.Float32()*200 - 100
			q[i] = float32(rng.IntN(256) - 128)
		}
		attrs := []*onnx.Attribute{opstest.AttrI("axis", int64(c.axis))}
		if c.block > 0 {
			attrs = append(attrs, opstest.AttrI("block_size", int64(c.block)))
		}
		scaleT, zpT := ops.FromF32(scale, c.scale...), quantTensor(c.scale, zp...)
		got, err := opstest.Eval(qNode("QuantizeLinear", 3, attrs...), 21, ops.FromF32(x, shape...), scaleT, zpT)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		want := quantRef(shape, c.axis, c.block, c.scale, x, scale, zp, false)
		gotF := make([]float32, n)
		for i, v := range got[0].I8() {
			gotF[i] = float32(v)
		}
		if !slices.Equal(gotF, want) {
			t.Errorf("quantize %+v: got %v, want %v", c, gotF, want)
		}
		qi := make([]int8, n)
		for i, v := range q {
			qi[i] = int8(v)
		}
		got, err = opstest.Eval(qNode("DequantizeLinear", 3, attrs...), 21, quantTensor(shape, qi...), scaleT, zpT)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if want := quantRef(shape, c.axis, c.block, c.scale, q, scale, zp, true); !slices.Equal(got[0].F32(), want) {
			t.Errorf("dequantize %+v: got %v, want %v", c, got[0].F32(), want)
		}
	}
}

// TestQuantizeRoundTrip checks dequantize(quantize(x)) is within half a
// step of x inside the representable range.
func TestQuantizeRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const s = 0.37
	x := make([]float32, 1000)
	for i := range x {
		x[i] = rng.Float32()*90 - 45
	}
	q, err := opstest.Eval(qNode("QuantizeLinear", 3), 13, opstest.F32s(x...), scalarF32(s), quantTensor[int8](nil, 3))
	if err != nil {
		t.Fatal(err)
	}
	d, err := opstest.Eval(qNode("DequantizeLinear", 3), 13, q[0], scalarF32(s), quantTensor[int8](nil, 3))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range d[0].F32() {
		if math.Abs(float64(v-x[i])) > s/2+1e-5 {
			t.Fatalf("x=%g: quantized %d, dequantized %g", x[i], q[0].I8()[i], v)
		}
	}
}

// quantNodeSkips are the quantization node tests that are skipped, each
// for the element type it needs.
var quantNodeSkips = map[string]ops.DType{
	"test_quantizelinear_e4m3fn":              onnx.Float8E4M3FN,
	"test_quantizelinear_e5m2":                onnx.Float8E5M2,
	"test_quantizelinear_float4e2m1":          onnx.Float4E2M1,
	"test_quantizelinear_int2":                onnx.Int2,
	"test_quantizelinear_int4":                onnx.Int4,
	"test_quantizelinear_uint2":               onnx.Uint2,
	"test_quantizelinear_uint4":               onnx.Uint4,
	"test_dequantizelinear_e4m3fn":            onnx.Float8E4M3FN,
	"test_dequantizelinear_e4m3fn_float16":    onnx.Float8E4M3FN,
	"test_dequantizelinear_e4m3fn_zero_point": onnx.Float8E4M3FN,
	"test_dequantizelinear_e5m2":              onnx.Float8E5M2,
	"test_dequantizelinear_float4e2m1":        onnx.Float4E2M1,
	"test_dequantizelinear_int2":              onnx.Int2,
	"test_dequantizelinear_int4":              onnx.Int4,
	"test_dequantizelinear_uint2":             onnx.Uint2,
	"test_dequantizelinear_uint4":             onnx.Uint4,
}

// TestQuantizeNodeTests runs the 27 QuantizeLinear and DequantizeLinear
// node tests: 11 pass and the 16 of quantNodeSkips are skipped as
// unsupported, naming their type.
func TestQuantizeNodeTests(t *testing.T) {
	patterns := []string{"test_quantizelinear*", "test_dequantizelinear*"}
	if got := opstest.AllNodeTests(t, patterns...); got != 11 {
		t.Errorf("%d node tests passed, want 11", got)
	}
	root, ok := onnxtest.SharedPath("onnx-node-tests-all")
	if !ok {
		t.Skip("../shared/onnx-node-tests-all is absent")
	}
	total := 0
	for _, p := range patterns {
		m, err := filepath.Glob(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		total += len(m)
	}
	if total != 11+len(quantNodeSkips) {
		t.Errorf("%d node tests, want 11 passing and %d skipped", total, len(quantNodeSkips))
	}
	for name, dt := range quantNodeSkips {
		err := opstest.RunNodeTest(filepath.Join(root, name))
		if !errors.Is(err, ops.ErrUnsupported) || !strings.Contains(err.Error(), dt.String()) {
			t.Errorf("%s: error %v, want ErrUnsupported naming %v", name, err, dt)
		}
	}
}

// TestQuantizeLinearLaterVersions checks opsets 24 and 25 compute as 23
// and report float8e8m0 scales as unsupported.
func TestQuantizeLinearLaterVersions(t *testing.T) {
	for _, opset := range []int{24, 25} {
		got, err := opstest.Eval(qNode("QuantizeLinear", 3), opset, opstest.F32s(1, -2.5), scalarF32(0.5), quantTensor[int16](nil, 7))
		if err != nil {
			t.Fatalf("opset %d: %v", opset, err)
		}
		opstest.WantTensor(t, "quantize", got[0], quantTensor[int16](nil, 9, 2))
		op, err := ops.Build(qNode("DequantizeLinear", 2), opset)
		if err != nil {
			t.Fatal(err)
		}
		_, err = op.Infer([]ops.Value{{Type: onnx.Uint8, Shape: []int{2}}, {Type: onnx.Float8E8M0}})
		if !errors.Is(err, ops.ErrUnsupported) {
			t.Errorf("opset %d float8e8m0 scale: error %v, want ErrUnsupported", opset, err)
		}
		opstest.WantErr(t, "float8e8m0 scale", err, "x_scale", "FLOAT8E8M0")
	}
}

// TestContribQuantizeLinear checks the com.microsoft versions: per tensor
// and per axis (default axis 1), 16-bit types, float32 x only.
func TestContribQuantizeLinear(t *testing.T) {
	ms := func(op string, nIn int, attrs ...*onnx.Attribute) *onnx.Node {
		n := qNode(op, nIn, attrs...)
		n.Domain = "com.microsoft"
		return n
	}
	x := opstest.WithShape(opstest.F32s(1, 2, 3, -1, -2, -3), 2, 3)
	got, err := opstest.Eval(ms("QuantizeLinear", 3), 1, x, opstest.F32s(1, 2, 4), quantTensor[int8](nil, 0, 10, -10))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "per axis 1", got[0], opstest.WithShape(quantTensor[int8](nil, 1, 11, -9, -1, 9, -11), 2, 3))
	got, err = opstest.Eval(ms("QuantizeLinear", 3, opstest.AttrI("axis", 0)), 1, x, opstest.F32s(1, 0.5), quantTensor[uint16](nil, 1000, 2000))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "uint16 axis 0", got[0], opstest.WithShape(quantTensor[uint16](nil, 1001, 1002, 1003, 1998, 1996, 1994), 2, 3))
	got, err = opstest.Eval(ms("DequantizeLinear", 3), 1, quantTensor[int16](nil, -300, 300), scalarF32(0.5), quantTensor[int16](nil, 100))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "int16 dequantize", got[0], opstest.F32s(-200, 100))
	_, err = opstest.Eval(ms("QuantizeLinear", 3), 1, quantTensor[int32](nil, 1), scalarF32(1), quantTensor[uint8](nil, 0))
	opstest.WantErr(t, "int32 x", err, "input \"x\"", "int32", "want float32")
	// block_size is no attribute of the contrib op: a blocked scale is refused.
	_, err = opstest.Eval(ms("QuantizeLinear", 2, opstest.AttrI("block_size", 2)), 1, opstest.WithShape(opstest.F32s(1, 2, 3, 4), 2, 2), opstest.WithShape(opstest.F32s(1, 2), 2, 1))
	opstest.WantErr(t, "blocked scale", err, "y_scale", "[2 1]")
}
