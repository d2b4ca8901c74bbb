package ops

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// normAxis maps a possibly negative axis into [0, rank).
func normAxis(axis, rank int) (int, error) {
	if axis < -rank || axis >= rank {
		return 0, fmt.Errorf("axis %d out of range for rank %d", axis, rank)
	}
	if axis < 0 {
		axis += rank
	}
	return axis, nil
}

// BroadcastShape is the numpy-style broadcast of shapes (onnx-spec/Broadcasting.md).
func BroadcastShape(shapes ...[]int) ([]int, error) {
	rank := 0
	for _, s := range shapes {
		rank = max(rank, len(s))
	}
	out := make([]int, rank)
	for i := range out {
		out[i] = 1
	}
	for _, s := range shapes {
		off := rank - len(s)
		for i, d := range s {
			switch {
			case out[off+i] == d || d == 1:
			case out[off+i] == 1:
				out[off+i] = d
			default:
				return nil, fmt.Errorf("shapes %v cannot be broadcast together", shapes)
			}
		}
	}
	return out, nil
}

// Strides returns the row-major element strides of shape.
func Strides(shape []int) []int {
	st := make([]int, len(shape))
	s := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = s
		s *= shape[i]
	}
	return st
}

// SameShape reports whether a and b are equal.
func SameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// constInts reads a constant integer input (int64 or int32) used as a
// shape, axes, pads... name says which input it is in messages.
func constInts(v Value, name string) ([]int64, error) {
	if v.Const == nil {
		return nil, fmt.Errorf("input %q must be known before running (a constant or computed from constants)", name)
	}
	switch v.Const.Type {
	case onnx.Int64:
		return append([]int64(nil), v.Const.I64()[:v.Const.Len()]...), nil
	case onnx.Int32:
		out := make([]int64, v.Const.Len())
		for i, x := range v.Const.I32()[:len(out)] {
			out[i] = int64(x)
		}
		return out, nil
	}
	return nil, fmt.Errorf("input %q has type %s, want int64", name, TypeName(v.Const.Type))
}

// maxDim bounds the dimensions, pads and similar sizes read from inputs or
// attributes: a quarter of the largest int, so that a dimension plus two
// pads cannot overflow (a real tensor is far smaller; the runtime's limits
// reject large ones).
const maxDim = math.MaxInt / 4

// toDim converts a size read from a tensor or an attribute to int, failing
// when its magnitude exceeds maxDim (which also keeps it in range of a
// 32-bit int). what names the value in the error.
func toDim(v int64, what string) (int, error) {
	if v > maxDim || v < -maxDim {
		return 0, fmt.Errorf("%s is %d, out of range (magnitude at most %d)", what, v, int64(maxDim))
	}
	return int(v), nil
}

// checkInputs verifies the count of inputs given (present or omitted) is in [lo, hi].
func checkInputs(in []Value, lo, hi int) error {
	if len(in) < lo || len(in) > hi {
		if lo == hi {
			return fmt.Errorf("got %d inputs, want %d", len(in), lo)
		}
		return fmt.Errorf("got %d inputs, want %d to %d", len(in), lo, hi)
	}
	for i := 0; i < lo; i++ {
		if in[i].Type == onnx.Undefined {
			return fmt.Errorf("required input %d is missing", i)
		}
	}
	return nil
}

// optional reports whether input i is present.
func optional(in []Value, i int) bool { return i < len(in) && in[i].Type != onnx.Undefined }
