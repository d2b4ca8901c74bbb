package ops

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
)

func TestFromProtoAliasesAlignedData(t *testing.T) {
	buf := AlignedBytes(17)
	for i := range buf {
		buf[i] = byte(i)
	}
	aligned := &onnx.Tensor{Name: "a", DataType: onnx.Int32, Dims: []int64{2, 2}, RawData: buf[:16]}
	got, err := FromProto(aligned, "")
	if err != nil {
		t.Fatal(err)
	}
	if &got.Data[0] != &buf[0] || !SameShape(got.Shape, []int{2, 2}) || got.Type != onnx.Int32 {
		t.Errorf("aligned int32 data was copied or mis-described: %v", got)
	}
	// One byte off: an int32 view would be misaligned, so the data is copied.
	odd := &onnx.Tensor{Name: "b", DataType: onnx.Int32, Dims: []int64{4}, RawData: buf[1:17]}
	got, err = FromProto(odd, "")
	if err != nil {
		t.Fatal(err)
	}
	if &got.Data[0] == &buf[1] || uintptr(unsafe.Pointer(&got.Data[0]))%4 != 0 || !bytes.Equal(got.Data, buf[1:17]) {
		t.Errorf("misaligned data not copied into aligned storage")
	}
	// Bytes need no alignment.
	u8 := &onnx.Tensor{Name: "c", DataType: onnx.Uint8, Dims: []int64{3}, RawData: buf[1:4]}
	if got, err := FromProto(u8, ""); err != nil || &got.Data[0] != &buf[1] {
		t.Errorf("uint8 data copied (%v)", err)
	}
	// Typed fields are converted; a scalar has an empty shape.
	got, err = FromProto(&onnx.Tensor{Name: "d", DataType: onnx.Int64, Int64Data: []int64{-7}}, "")
	if err != nil || len(got.Shape) != 0 || got.I64()[0] != -7 {
		t.Errorf("int64 scalar: %v, %v", got, err)
	}
}

func TestFromProtoWidensHalfTypes(t *testing.T) {
	halves := []uint16{0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00}
	want := []float32{1, -2, float32(math.Ldexp(1, -24)), 65504, float32(math.Inf(1))}
	raw := make([]byte, 2*len(halves))
	for i, h := range halves {
		binary.LittleEndian.PutUint16(raw[2*i:], h)
	}
	got, err := FromProto(&onnx.Tensor{Name: "h", DataType: onnx.Float16, Dims: []int64{5}, RawData: raw}, "")
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != onnx.Float || !SameShape(got.Shape, []int{5}) {
		t.Fatalf("float16 became %v", got)
	}
	for i, v := range got.F32() {
		if v != want[i] {
			t.Errorf("float16 %#04x -> %v, want %v", halves[i], v, want[i])
		}
	}
	bf := &onnx.Tensor{Name: "bf", DataType: onnx.BFloat16, Dims: []int64{2}, Int32Data: []int32{0x3f80, 0xc0a0}}
	got, err = FromProto(bf, "")
	if err != nil || got.Type != onnx.Float || got.F32()[0] != 1 || got.F32()[1] != -5 {
		t.Errorf("bfloat16: %v %v, %v", got, got.F32(), err)
	}
}

func TestFromProtoErrors(t *testing.T) {
	cases := []struct {
		p   onnx.Tensor
		err string
	}{
		{onnx.Tensor{DataType: onnx.String, StringData: [][]byte{[]byte("s")}}, "element type STRING: unsupported"},
		{onnx.Tensor{DataType: onnx.Float8E4M3FN, Dims: []int64{1}, RawData: []byte{1}}, "element type FLOAT8E4M3FN: unsupported"},
		{onnx.Tensor{DataType: onnx.Int4, Dims: []int64{2}, RawData: []byte{1}}, "element type INT4: unsupported"},
		{onnx.Tensor{DataType: onnx.Complex64, Dims: []int64{1}, RawData: make([]byte, 8)}, "element type COMPLEX64: unsupported"},
		{onnx.Tensor{DataType: onnx.Float, Dims: []int64{3}, RawData: make([]byte, 8)}, "8 data bytes, want 12"},
		{onnx.Tensor{DataType: onnx.Float, Dims: []int64{-3}}, "out of range"},
		{onnx.Tensor{DataType: onnx.Float16, Dims: []int64{2}, Int32Data: []int32{1}}, "int32_data holds 1 entries, want 2"},
	}
	for _, c := range cases {
		c.p.Name = "bad"
		_, err := FromProto(&c.p, "")
		if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), `"bad"`) ||
			errors.Is(err, ErrUnsupported) != strings.HasSuffix(c.err, "unsupported") {
			t.Errorf("%s: error %v, want %q naming the tensor", c.p.DataType, err, c.err)
		}
	}
}

func TestToProto(t *testing.T) {
	f := FromF32([]float32{1, 1.0009765625, 1 + 1.0/4096, 70000, float32(math.Ldexp(1, -25)) * 1.5}, 5)
	p := ToProto(f, "y", onnx.Float16)
	want := []uint16{0x3c00, 0x3c01, 0x3c00, 0x7c00, 0x0001}
	if p.Name != "y" || p.DataType != onnx.Float16 || len(p.Dims) != 1 || p.Dims[0] != 5 || len(p.RawData) != 10 {
		t.Fatalf("ToProto float16: %+v", p)
	}
	for i, w := range want {
		if h := binary.LittleEndian.Uint16(p.RawData[2*i:]); h != w {
			t.Errorf("element %d: %#04x, want %#04x", i, h, w)
		}
	}
	p = ToProto(FromF32([]float32{1, 1 + 1.0/256, 1 + 3.0/256}, 3), "z", onnx.BFloat16)
	if p.DataType != onnx.BFloat16 || !bytes.Equal(p.RawData, []byte{0x80, 0x3f, 0x80, 0x3f, 0x82, 0x3f}) {
		t.Errorf("ToProto bfloat16: %s % x", p.DataType, p.RawData)
	}
	// Other types keep their type and copy their bytes; as is ignored.
	i := FromI64([]int64{1, -2}, 2, 1)
	p = ToProto(i, "i", onnx.Float16)
	if p.DataType != onnx.Int64 || len(p.Dims) != 2 || &p.RawData[0] == &i.Data[0] || !bytes.Equal(p.RawData, i.Data) {
		t.Errorf("ToProto int64: %+v", p)
	}
	back, err := FromProto(p, "")
	if err != nil || !SameShape(back.Shape, []int{2, 1}) || back.I64()[1] != -2 {
		t.Errorf("FromProto(ToProto): %v, %v", back, err)
	}
	// Float kept as Float round-trips exactly, through the wire format too.
	x := FromF32([]float32{float32(math.Pi), -0.5}, 2)
	dec, err := onnx.DecodeTensor(onnx.MarshalTensor(ToProto(x, "x", onnx.Float)))
	if err != nil {
		t.Fatal(err)
	}
	if back, err := FromProto(dec, ""); err != nil || !bytes.Equal(back.Data, x.Data) {
		t.Errorf("float round trip: %v, %v", back, err)
	}
}

// TestFromProtoNodeTestFiles converts every node test tensor file: the
// supported types must keep shape and bytes (widened for the half types),
// the others must be refused.
func TestFromProtoNodeTestFiles(t *testing.T) {
	root := onnxtest.Shared(t, "onnx-node-tests")
	files, err := filepath.Glob(filepath.Join(root, "test_*", "test_data_set_0", "*.pb"))
	if err != nil {
		t.Fatal(err)
	}
	converted, refused := 0, 0
	for _, f := range files {
		if strings.Contains(f, "test_identity_opt") || strings.Contains(f, "test_identity_sequence") {
			continue // an OptionalProto and a SequenceProto, not tensors
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		p, err := onnx.DecodeTensor(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		got, err := FromProto(p, filepath.Dir(f))
		if !Supported(p.DataType) {
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: %s: got %v, want ErrUnsupported", f, p.DataType, err)
			}
			refused++
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		converted++
		raw, _ := p.Bytes("")
		n, _ := p.NumElems()
		if got.Len() != int(n) || len(got.Shape) != len(p.Dims) {
			t.Errorf("%s: shape %v from dims %v", f, got.Shape, p.Dims)
		}
		switch p.DataType {
		case onnx.Float16, onnx.BFloat16:
			if got.Type != onnx.Float || len(got.Data) != 2*len(raw) {
				t.Errorf("%s: %s not widened to float: %v", f, p.DataType, got)
			}
		default:
			if got.Type != p.DataType || !bytes.Equal(got.Data, raw) {
				t.Errorf("%s: data changed", f)
			}
		}
	}
	if converted < 700 || refused == 0 {
		t.Errorf("converted %d, refused %d tensor files", converted, refused)
	}
}
