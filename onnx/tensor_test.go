package onnx

import (
	"bytes"
	"math"
	"strings"
	"testing"
)

func TestDataTypeNamesAndSizes(t *testing.T) {
	names := map[DataType]string{Float: "FLOAT", Int64: "INT64", BFloat16: "BFLOAT16", Float8E5M2FNUZ: "FLOAT8E5M2FNUZ",
		Int2: "INT2", Undefined: "UNDEFINED", 99: "DataType(99)", -1: "DataType(-1)"}
	for dt, want := range names {
		if got := dt.String(); got != want {
			t.Errorf("DataType(%d).String() = %q, want %q", int(dt), got, want)
		}
	}
	sizes := map[DataType]int{Float: 4, Uint32: 4, Int64: 8, Double: 8, Complex64: 8, Complex128: 16, Float16: 2,
		BFloat16: 2, Int16: 2, Uint8: 1, Bool: 1, Float8E4M3FN: 1, Int4: 0, Uint2: 0, String: 0, Undefined: 0, 99: 0}
	for dt, want := range sizes {
		if got := ElemSize(dt); got != want {
			t.Errorf("ElemSize(%s) = %d, want %d", dt, got, want)
		}
	}
}

func TestNumElems(t *testing.T) {
	cases := []struct {
		dims []int64
		want int64
		err  string
	}{
		{nil, 1, ""},
		{[]int64{2, 3, 4}, 24, ""},
		{[]int64{5, 0, 1 << 62}, 0, ""},
		{[]int64{2, -1}, 0, "dims[1] is negative"},
		{[]int64{1 << 32, 1 << 31}, 0, "overflows int64"},
		{[]int64{math.MaxInt64, 1}, math.MaxInt64, ""},
	}
	for _, c := range cases {
		n, err := (&Tensor{Name: "x", Dims: c.dims}).NumElems()
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), `"x"`) {
				t.Errorf("NumElems(%v) error %v, want %q naming the tensor", c.dims, err, c.err)
			}
		} else if err != nil || n != c.want {
			t.Errorf("NumElems(%v) = %d, %v; want %d", c.dims, n, err, c.want)
		}
	}
}

func TestBytesFromTypedFields(t *testing.T) {
	cases := []struct {
		t    Tensor
		want []byte
	}{
		{Tensor{DataType: Float, Dims: []int64{2}, FloatData: []float32{1, -2}}, []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0}},
		{Tensor{DataType: Float16, Dims: []int64{2}, Int32Data: []int32{0x3c00, 0xc000}}, []byte{0, 0x3c, 0, 0xc0}},
		{Tensor{DataType: BFloat16, Dims: []int64{1}, Int32Data: []int32{0x3f80}}, []byte{0x80, 0x3f}},
		{Tensor{DataType: Int8, Dims: []int64{3}, Int32Data: []int32{-1, 127, -128}}, []byte{0xff, 0x7f, 0x80}},
		{Tensor{DataType: Uint8, Dims: []int64{2}, Int32Data: []int32{255, 1}}, []byte{0xff, 1}},
		{Tensor{DataType: Bool, Dims: []int64{2}, Int32Data: []int32{1, 0}}, []byte{1, 0}},
		{Tensor{DataType: Int16, Dims: []int64{1}, Int32Data: []int32{-2}}, []byte{0xfe, 0xff}},
		{Tensor{DataType: Uint16, Dims: []int64{1}, Int32Data: []int32{0xabcd}}, []byte{0xcd, 0xab}},
		{Tensor{DataType: Int32, Int32Data: []int32{-2}}, []byte{0xfe, 0xff, 0xff, 0xff}},
		{Tensor{DataType: Uint32, Dims: []int64{1}, Uint64Data: []uint64{0xdeadbeef}}, []byte{0xef, 0xbe, 0xad, 0xde}},
		{Tensor{DataType: Uint64, Dims: []int64{1}, Uint64Data: []uint64{1<<63 | 2}}, []byte{2, 0, 0, 0, 0, 0, 0, 0x80}},
		{Tensor{DataType: Int64, Dims: []int64{1}, Int64Data: []int64{-1}}, bytes.Repeat([]byte{0xff}, 8)},
		{Tensor{DataType: Double, Dims: []int64{1}, DoubleData: []float64{1}}, []byte{0, 0, 0, 0, 0, 0, 0xf0, 0x3f}},
		{Tensor{DataType: Complex64, Dims: []int64{1}, FloatData: []float32{1, 2}}, []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0x40}},
		{Tensor{DataType: Int4, Dims: []int64{3}, Int32Data: []int32{0x21, 0x03}}, []byte{0x21, 0x03}},
		{Tensor{DataType: Uint2, Dims: []int64{5}, Int32Data: []int32{0xe4, 0x01}}, []byte{0xe4, 0x01}},
		{Tensor{DataType: Float, Dims: []int64{0, 3}}, []byte{}},
		{Tensor{DataType: Float, Dims: []int64{2}, RawData: []byte{1, 2, 3, 4, 5, 6, 7, 8}, FloatData: []float32{9}}, []byte{1, 2, 3, 4, 5, 6, 7, 8}},
	}
	for _, c := range cases {
		got, err := c.t.Bytes("")
		if err != nil || !bytes.Equal(got, c.want) {
			t.Errorf("%s%v: Bytes = % x, %v; want % x", c.t.DataType, c.t.Dims, got, err, c.want)
		}
	}
}

func TestBytesErrors(t *testing.T) {
	cases := []struct {
		t   Tensor
		err string
	}{
		{Tensor{DataType: Float, Dims: []int64{3}, FloatData: []float32{1, 2}}, "float_data holds 2 entries, want 3"},
		{Tensor{DataType: Int32, Dims: []int64{1}, Int64Data: []int64{1}}, "int32_data holds 0 entries, want 1"},
		{Tensor{DataType: Float, Dims: []int64{2}, RawData: make([]byte, 7)}, "7 data bytes, want 8 for FLOAT[2]"},
		{Tensor{DataType: Int4, Dims: []int64{3}, RawData: make([]byte, 1)}, "1 data bytes, want 2 for INT4[3]"},
		{Tensor{DataType: String, StringData: [][]byte{nil}}, "type STRING has no byte representation"},
		{Tensor{DataType: Undefined}, "type UNDEFINED has no byte representation"},
		{Tensor{DataType: Float, Dims: []int64{-1}}, "dims[0] is negative"},
		{Tensor{DataType: Double, Dims: []int64{1 << 40, 1 << 22}}, "do not fit in memory"},
	}
	for _, c := range cases {
		c.t.Name = "bad"
		_, err := c.t.Bytes("")
		if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), `tensor "bad"`) {
			t.Errorf("%s%v: error %v, want %q naming the tensor", c.t.DataType, c.t.Dims, err, c.err)
		}
	}
}
