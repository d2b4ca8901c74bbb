package onnx

import (
	"encoding/binary"
	"fmt"
	"math"
)

// typeInfo describes how a DataType is stored.
type typeInfo struct {
	name  string
	bits  int       // bits per element in raw_data; 0 for types without a byte form
	field dataField // the typed field that holds the elements otherwise
}

// dataField names the typed TensorProto fields.
type dataField int

const (
	noField dataField = iota
	floatField
	int32Field
	int64Field
	doubleField
	uint64Field
	stringField
)

var dataFieldNames = [...]string{noField: "none", floatField: "float_data", int32Field: "int32_data",
	int64Field: "int64_data", doubleField: "double_data", uint64Field: "uint64_data", stringField: "string_data"}

var typeInfos = [...]typeInfo{
	Undefined:      {"UNDEFINED", 0, noField},
	Float:          {"FLOAT", 32, floatField},
	Uint8:          {"UINT8", 8, int32Field},
	Int8:           {"INT8", 8, int32Field},
	Uint16:         {"UINT16", 16, int32Field},
	Int16:          {"INT16", 16, int32Field},
	Int32:          {"INT32", 32, int32Field},
	Int64:          {"INT64", 64, int64Field},
	String:         {"STRING", 0, stringField},
	Bool:           {"BOOL", 8, int32Field},
	Float16:        {"FLOAT16", 16, int32Field},
	Double:         {"DOUBLE", 64, doubleField},
	Uint32:         {"UINT32", 32, uint64Field},
	Uint64:         {"UINT64", 64, uint64Field},
	Complex64:      {"COMPLEX64", 64, floatField},
	Complex128:     {"COMPLEX128", 128, doubleField},
	BFloat16:       {"BFLOAT16", 16, int32Field},
	Float8E4M3FN:   {"FLOAT8E4M3FN", 8, int32Field},
	Float8E4M3FNUZ: {"FLOAT8E4M3FNUZ", 8, int32Field},
	Float8E5M2:     {"FLOAT8E5M2", 8, int32Field},
	Float8E5M2FNUZ: {"FLOAT8E5M2FNUZ", 8, int32Field},
	Uint4:          {"UINT4", 4, int32Field},
	Int4:           {"INT4", 4, int32Field},
	Float4E2M1:     {"FLOAT4E2M1", 4, int32Field},
	Float8E8M0:     {"FLOAT8E8M0", 8, int32Field},
	Uint2:          {"UINT2", 2, int32Field},
	Int2:           {"INT2", 2, int32Field},
}

func (t DataType) info() typeInfo {
	if t >= 0 && int(t) < len(typeInfos) {
		return typeInfos[t]
	}
	return typeInfo{}
}

// String is the ONNX name of the type (FLOAT, INT64, FLOAT16...), or
// DataType(N) for values onnx.proto does not define.
func (t DataType) String() string {
	if name := t.info().name; name != "" {
		return name
	}
	return fmt.Sprintf("DataType(%d)", int32(t))
}

// ElemSize is the size in bytes of one element of type t in raw_data: 4 for
// FLOAT, INT32 and UINT32, 8 for INT64, UINT64, DOUBLE and COMPLEX64, 16 for
// COMPLEX128, 2 for the 16-bit types and 1 for the 8-bit ones. It is 0 for
// STRING, UNDEFINED, unknown types and the packed sub-byte types (INT4, UINT4,
// FLOAT4E2M1, INT2, UINT2), whose elements share bytes.
func ElemSize(t DataType) int {
	bits := t.info().bits
	if bits%8 != 0 {
		return 0
	}
	return bits / 8
}

// String names the type variant ("tensor", "sequence"...).
func (k TypeKind) String() string {
	switch k {
	case KindTensor:
		return "tensor"
	case KindSequence:
		return "sequence"
	case KindMap:
		return "map"
	case KindOptional:
		return "optional"
	case KindSparseTensor:
		return "sparse_tensor"
	}
	return "unknown"
}

// label names t in error messages.
func (t *Tensor) label() string { return fmt.Sprintf("onnx: tensor %q", t.Name) }

// NumElems is the number of elements, the product of Dims (1 for a scalar).
// It fails on negative dimensions and when the product overflows int64.
func (t *Tensor) NumElems() (int64, error) {
	n := int64(1)
	for i, d := range t.Dims {
		if d < 0 {
			return 0, fmt.Errorf("%s: dims[%d] is negative (%d)", t.label(), i, d)
		}
		if d != 0 && n > math.MaxInt64/d {
			return 0, fmt.Errorf("%s: element count of dims %v overflows int64", t.label(), t.Dims)
		}
		n *= d
	}
	return n, nil
}

// byteLen is the size of the tensor's elements in raw_data form.
func (t *Tensor) byteLen() (int, error) {
	n, err := t.NumElems()
	if err != nil {
		return 0, err
	}
	bits := t.DataType.info().bits
	if bits == 0 {
		return 0, fmt.Errorf("%s: type %s has no byte representation", t.label(), t.DataType)
	}
	if n > (math.MaxInt-7)/int64(bits) {
		return 0, fmt.Errorf("%s: %d elements of %s do not fit in memory", t.label(), n, t.DataType)
	}
	return int((n*int64(bits) + 7) / 8), nil
}

// Bytes returns the tensor's elements as little-endian bytes in their
// natural width (see ElemSize; sub-byte types packed as in raw_data). When
// RawData is set it is returned itself, not copied. Typed fields are
// converted into a new buffer: int32_data holds one 8- or 16-bit element per
// entry (the bit pattern for FLOAT16 and BFLOAT16, one byte of two packed
// elements for 4-bit types), uint64_data also holds UINT32. External data is
// read from the file named by the "location" entry relative to dir, at
// "offset" for "length" bytes; absolute locations, ".." components and
// symbolic links leading outside dir are refused. For a tensor of a model,
// the external file is memory-mapped until the model is closed. Bytes fails
// unless the byte count matches the element count of Dims and the type.
func (t *Tensor) Bytes(dir string) ([]byte, error) {
	want, err := t.byteLen()
	if err != nil {
		return nil, err
	}
	var b []byte
	switch {
	case len(t.External) > 0:
		b, err = t.external(dir)
	case t.RawData != nil:
		b = t.RawData
	default:
		b, err = t.typedBytes(want)
	}
	if err != nil {
		return nil, err
	}
	if len(b) != want {
		return nil, fmt.Errorf("%s: %d data bytes, want %d for %s%v", t.label(), len(b), want, t.DataType, t.Dims)
	}
	return b, nil
}

// typedBytes converts the typed field that holds t's elements to want bytes.
func (t *Tensor) typedBytes(want int) ([]byte, error) {
	info := t.DataType.info()
	width := max(info.bits, 8) / 8 // bytes per field entry
	switch info.field {
	case floatField:
		width = 4
	case doubleField, int64Field:
		width = 8
	}
	var count int
	switch info.field {
	case floatField:
		count = len(t.FloatData)
	case doubleField:
		count = len(t.DoubleData)
	case int64Field:
		count = len(t.Int64Data)
	case int32Field:
		count = len(t.Int32Data)
	case uint64Field:
		count = len(t.Uint64Data)
	}
	if count*width != want {
		return nil, fmt.Errorf("%s: %s holds %d entries, want %d for %s%v", t.label(),
			dataFieldNames[info.field], count, want/width, t.DataType, t.Dims)
	}
	out := make([]byte, want)
	switch info.field {
	case floatField:
		putLE(out, t.FloatData, width, func(v float32) uint64 { return uint64(math.Float32bits(v)) })
	case doubleField:
		putLE(out, t.DoubleData, width, math.Float64bits)
	case int64Field:
		putLE(out, t.Int64Data, width, func(v int64) uint64 { return uint64(v) })
	case int32Field:
		putLE(out, t.Int32Data, width, func(v int32) uint64 { return uint64(uint32(v)) })
	case uint64Field:
		putLE(out, t.Uint64Data, width, func(v uint64) uint64 { return v })
	}
	return out, nil
}

// putLE stores the low width bytes of bits(v) for each v, little-endian.
func putLE[T any](dst []byte, vals []T, width int, bits func(T) uint64) {
	var tmp [8]byte
	for i, v := range vals {
		binary.LittleEndian.PutUint64(tmp[:], bits(v))
		copy(dst[i*width:(i+1)*width], tmp[:width])
	}
}
