package array

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Reading and writing single elements of any computed type, for the
// operators whose scalars (Range's bounds, OneHot's depth, EyeLike's one)
// come in any numeric type.

// elemF64 reads element i of t (any computed type; bool as 0 or 1) as a float64.
func elemF64(t *ops.Tensor, i int) float64 {
	switch t.Type {
	case onnx.Float:
		return float64(t.F32()[i])
	case onnx.Double:
		return t.F64()[i]
	case onnx.Int8:
		return float64(t.I8()[i])
	case onnx.Int16:
		return float64(t.I16()[i])
	case onnx.Int32:
		return float64(t.I32()[i])
	case onnx.Int64:
		return float64(t.I64()[i])
	case onnx.Uint16:
		return float64(t.U16()[i])
	case onnx.Uint32:
		return float64(t.U32()[i])
	case onnx.Uint64:
		return float64(t.U64()[i])
	}
	return float64(t.U8()[i])
}

// elemI64 reads element i of t as an int64: integers exactly (uint64
// above MaxInt64 saturate), floats truncated toward zero and saturated, NaN
// as 0, as a cast to int64 does.
func elemI64(t *ops.Tensor, i int) int64 {
	switch t.Type {
	case onnx.Int64:
		return t.I64()[i]
	case onnx.Uint64:
		return int64(min(t.U64()[i], math.MaxInt64))
	case onnx.Float, onnx.Double:
		f := math.Trunc(elemF64(t, i))
		switch {
		case f != f:
			return 0
		case f >= math.MaxInt64:
			return math.MaxInt64
		case f <= math.MinInt64:
			return math.MinInt64
		}
		return int64(f)
	}
	return int64(elemF64(t, i))
}

// putElem stores v converted to type dt (integers truncated; bool is v != 0)
// into the first bytes of dst.
func putElem(dt ops.DType, dst []byte, v float64) {
	le := binary.LittleEndian
	switch dt {
	case onnx.Float:
		le.PutUint32(dst, math.Float32bits(float32(v)))
	case onnx.Double:
		le.PutUint64(dst, math.Float64bits(v))
	case onnx.Int8, onnx.Uint8:
		dst[0] = uint8(int64(v))
	case onnx.Int16, onnx.Uint16:
		le.PutUint16(dst, uint16(int64(v)))
	case onnx.Int32, onnx.Uint32:
		le.PutUint32(dst, uint32(int64(v)))
	case onnx.Int64:
		le.PutUint64(dst, uint64(int64(v)))
	case onnx.Uint64:
		le.PutUint64(dst, uint64(v))
	case onnx.Bool:
		dst[0] = 0
		if v != 0 {
			dst[0] = 1
		}
	}
}

// outputType checks a dtype attribute naming an output's element type:
// types that are not computed are ErrUnsupported, codes that name no
// type are errors.
func outputType(dt int64) (ops.DType, error) {
	t := onnx.DataType(dt)
	switch {
	case ops.Supported(t) && t != onnx.Float16 && t != onnx.BFloat16:
		return t, nil
	case t == onnx.Float16 || t == onnx.BFloat16:
		// Computed as float32; the runtime narrows graph outputs.
		return onnx.Float, nil
	case dt > 0 && dt <= 26:
		return 0, fmt.Errorf("attribute \"dtype\" is %s: %w", t, ops.ErrUnsupported)
	}
	return 0, fmt.Errorf("attribute \"dtype\" is %d, which names no element type", dt)
}

// toInt64s converts every element of t (any numeric type) to int64 into
// dst, as elemI64 does.
func toInt64s(t *ops.Tensor, dst []int64) {
	switch t.Type {
	case onnx.Int64:
		copy(dst, ops.Elems[int64](t))
	case onnx.Int32:
		intsTo(dst, ops.Elems[int32](t))
	case onnx.Int16:
		intsTo(dst, ops.Elems[int16](t))
	case onnx.Int8:
		intsTo(dst, ops.Elems[int8](t))
	case onnx.Uint32:
		intsTo(dst, ops.Elems[uint32](t))
	case onnx.Uint16:
		intsTo(dst, ops.Elems[uint16](t))
	case onnx.Uint8, onnx.Bool:
		intsTo(dst, ops.Elems[uint8](t))
	default: // floats, and uint64 that may saturate
		for i := range dst {
			dst[i] = elemI64(t, i)
		}
	}
}

// intsTo widens integers that fit int64.
func intsTo[T int8 | int16 | int32 | uint8 | uint16 | uint32](dst []int64, src []T) {
	for i, v := range src {
		dst[i] = int64(v)
	}
}
