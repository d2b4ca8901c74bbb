package ops

import (
	"fmt"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// DType is an ONNX element type. Float16 and BFloat16 never appear inside a
// plan: they are widened to Float at the graph's boundary.
type DType = onnx.DataType

// Tensor is a dense n-d array: an element type, a shape and the elements'
// little-endian bytes. Data is aligned for the element type and is usually a
// window into a planned arena or into the memory-mapped model file, so a
// Tensor is a view: copying the struct does not copy the elements.
type Tensor struct {
	Type  DType
	Shape []int
	Data  []byte
}

// ElemSize is the size in bytes of one element of t, or 0 for types that are not computed.
func ElemSize(t DType) int {
	switch t {
	case onnx.Float, onnx.Int32, onnx.Uint32:
		return 4
	case onnx.Double, onnx.Int64, onnx.Uint64:
		return 8
	case onnx.Uint8, onnx.Int8, onnx.Bool:
		return 1
	case onnx.Int16, onnx.Uint16, onnx.Float16, onnx.BFloat16:
		return 2
	}
	return 0
}

// Supported reports whether tensors of type t can be computed.
func Supported(t DType) bool { return ElemSize(t) > 0 }

// NumElems is the product of shape (1 for a scalar).
func NumElems(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Len is the number of elements of t.
func (t *Tensor) Len() int { return NumElems(t.Shape) }

// New allocates a zeroed tensor of the given type and shape, 64-byte aligned.
func New(dt DType, shape ...int) *Tensor {
	n := NumElems(shape) * ElemSize(dt)
	return &Tensor{Type: dt, Shape: append([]int(nil), shape...), Data: AlignedBytes(n)}
}

// AlignedBytes returns n zeroed bytes starting at a 64-byte boundary.
func AlignedBytes(n int) []byte {
	buf := make([]uint64, (n+63+64)/8)
	b := unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), len(buf)*8)
	off := int(-uintptr(unsafe.Pointer(&b[0])) & 63)
	return b[off : off+n : off+n]
}

func View[T any](b []byte) []T {
	var z T
	sz := int(unsafe.Sizeof(z))
	if len(b) < sz {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/sz)
}

// F32 views the elements as float32 (Type must be Float).
func (t *Tensor) F32() []float32 { return View[float32](t.Data) }

// F64 views the elements as float64.
func (t *Tensor) F64() []float64 { return View[float64](t.Data) }

// I64 views the elements as int64.
func (t *Tensor) I64() []int64 { return View[int64](t.Data) }

// I32 views the elements as int32.
func (t *Tensor) I32() []int32 { return View[int32](t.Data) }

// I16 views the elements as int16.
func (t *Tensor) I16() []int16 { return View[int16](t.Data) }

// I8 views the elements as int8.
func (t *Tensor) I8() []int8 { return View[int8](t.Data) }

// U8 views the elements as uint8 (also Bool: 0 or 1).
func (t *Tensor) U8() []uint8 { return t.Data }

// U16 views the elements as uint16.
func (t *Tensor) U16() []uint16 { return View[uint16](t.Data) }

// U32 views the elements as uint32.
func (t *Tensor) U32() []uint32 { return View[uint32](t.Data) }

// U64 views the elements as uint64.
func (t *Tensor) U64() []uint64 { return View[uint64](t.Data) }

// FromF32 wraps v (not copied) as a Float tensor of the given shape.
func FromF32(v []float32, shape ...int) *Tensor {
	return &Tensor{Type: onnx.Float, Shape: shape, Data: unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*4)}
}

// FromI64 wraps v (not copied) as an Int64 tensor of the given shape.
func FromI64(v []int64, shape ...int) *Tensor {
	return &Tensor{Type: onnx.Int64, Shape: shape, Data: unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*8)}
}

// Clone returns a deep copy of t with its own aligned storage.
func (t *Tensor) Clone() *Tensor {
	c := &Tensor{Type: t.Type, Shape: append([]int(nil), t.Shape...), Data: AlignedBytes(len(t.Data))}
	copy(c.Data, t.Data)
	return c
}

// String describes the tensor's type and shape, e.g. "float32[1 3 224 224]".
func (t *Tensor) String() string { return fmt.Sprintf("%s%v", TypeName(t.Type), t.Shape) }

// TypeName is the lower-case element type name used in messages.
func TypeName(t DType) string {
	switch t {
	case onnx.Float:
		return "float32"
	case onnx.Double:
		return "float64"
	case onnx.Float16:
		return "float16"
	case onnx.BFloat16:
		return "bfloat16"
	case onnx.Int8:
		return "int8"
	case onnx.Int16:
		return "int16"
	case onnx.Int32:
		return "int32"
	case onnx.Int64:
		return "int64"
	case onnx.Uint8:
		return "uint8"
	case onnx.Uint16:
		return "uint16"
	case onnx.Uint32:
		return "uint32"
	case onnx.Uint64:
		return "uint64"
	case onnx.Bool:
		return "bool"
	case onnx.String:
		return "string"
	}
	return t.String()
}
