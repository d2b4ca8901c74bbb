package ops

import (
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// NormAxis maps a possibly negative axis into [0, rank).
func NormAxis(axis, rank int) (int, error) {
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

// ConstInts reads a constant integer input (int64 or int32) used as a
// shape, axes, pads... name says which input it is in messages.
func ConstInts(v Value, name string) ([]int64, error) {
	if v.Const == nil {
		return nil, fmt.Errorf("input %q: %w", name, ErrNotConstant)
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

// MaxDim bounds the dimensions, pads and similar sizes read from inputs or
// attributes: a quarter of the largest int, so that a dimension plus two
// pads cannot overflow (a real tensor is far smaller; the runtime's limits
// reject large ones).
const MaxDim = math.MaxInt / 4

// ToDim converts a size read from a tensor or an attribute to int, failing
// when its magnitude exceeds maxDim (which also keeps it in range of a
// 32-bit int). what names the value in the error.
func ToDim(v int64, what string) (int, error) {
	if v > MaxDim || v < -MaxDim {
		return 0, fmt.Errorf("%s is %d, out of range (magnitude at most %d)", what, v, int64(MaxDim))
	}
	return int(v), nil
}

// CheckInputs verifies the count of inputs given (present or omitted) is in [lo, hi].
func CheckInputs(in []Value, lo, hi int) error {
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

// HasInput reports whether input i is present.
func HasInput(in []Value, i int) bool { return i < len(in) && in[i].Type != onnx.Undefined }

// CheckFloat requires input v (named name) to be float32. Other types the
// operator allows (floating-point ones, and integers when ints is set) are
// reported as unsupported, the rest as invalid.
func CheckFloat(v Value, name string, ints bool) error {
	switch {
	case v.Type == onnx.Float:
		return nil
	case v.Type == onnx.Double || v.Type == onnx.Float16 || v.Type == onnx.BFloat16,
		ints && Supported(v.Type) && v.Type != onnx.Bool:
		return fmt.Errorf("input %q has type %s: %w (float32 only)", name, TypeName(v.Type), ErrUnsupported)
	}
	return fmt.Errorf("input %q has type %s, not allowed here", name, TypeName(v.Type))
}

// CopyUnlessShared copies src to dst unless both start at the same byte.
func CopyUnlessShared(dst, src []byte) {
	if len(dst) == 0 || unsafe.SliceData(dst) == unsafe.SliceData(src) {
		return
	}
	copy(dst, src)
}

// AxisIn normalizes axis for rank; negative axes are an opset 11 addition to
// the ops of this package that take them, so they are refused before it.
func AxisIn(axis int64, rank int, negOK bool) (int, error) {
	if axis < 0 && !negOK {
		return 0, fmt.Errorf("axis %d is negative, which needs opset 11 or later", axis)
	}
	if axis < int64(-rank) || axis >= int64(rank) {
		return 0, fmt.Errorf("axis %d out of range for rank %d", axis, rank)
	}
	return NormAxis(int(axis), rank)
}

// AxesIn normalizes a list of axes for rank, refusing repeats.
func AxesIn(axes []int64, rank int, negOK bool) ([]int, error) {
	out := make([]int, len(axes))
	for i, a := range axes {
		n, err := AxisIn(a, rank, negOK)
		if err != nil {
			return nil, err
		}
		if slices.Contains(out[:i], n) {
			return nil, fmt.Errorf("axis %d is repeated", a)
		}
		out[i] = n
	}
	return out, nil
}

// ConstValues describes Run's inputs as constant Values, so that Run can
// resolve shape-determining inputs with the code Infer uses.
func ConstValues(in []*Tensor) []Value {
	vals := make([]Value, len(in))
	for i, t := range in {
		if t != nil {
			vals[i] = Value{Type: t.Type, Shape: t.Shape, Const: t}
		}
	}
	return vals
}

// CheckElemType checks that the data input has a computable element type.
func CheckElemType(v Value, name string) error {
	if !Supported(v.Type) {
		return fmt.Errorf("input %q has type %s, which is not computed: %w", name, TypeName(v.Type), ErrUnsupported)
	}
	return nil
}

// StridedOffset is the offset of the idx-th element, in row-major order, of
// a view of the given shape and strides.
func StridedOffset(idx int, shape, strides []int) int {
	off := 0
	for k := len(shape) - 1; k >= 0; k-- {
		off += idx % shape[k] * strides[k]
		idx /= shape[k]
	}
	return off
}

// Odometer steps through the element offsets of a strided view in
// row-major order, adding one stride per step rather than dividing; Off is
// the current offset. The zero value is unusable until Reset.
type Odometer struct {
	shape, strides []int
	small          [8]int // the coordinates, when there are at most 8
	big            []int  // the coordinates of a view of more dims
	Off            int
}

// Reset puts o at the first element of the view of the given shape and
// strides. It allocates only for views of more than 8 dims.
func (o *Odometer) Reset(shape, strides []int) {
	o.shape, o.strides = shape, strides
	if len(shape) > len(o.small) && len(o.big) < len(shape) {
		o.big = make([]int, len(shape))
	}
	clear(o.coords())
	o.Off = 0
}

// Seek moves o to the i-th element of the view in row-major order (i is 0
// for a view of no elements).
func (o *Odometer) Seek(i int) {
	idx := o.coords()
	o.Off = 0
	for k := len(o.shape) - 1; k >= 0; k-- {
		if o.shape[k] == 0 {
			idx[k] = 0
			continue
		}
		idx[k] = i % o.shape[k]
		i /= o.shape[k]
		o.Off += idx[k] * o.strides[k]
	}
}

// coords is the storage of the coordinates.
func (o *Odometer) coords() []int {
	if len(o.shape) > len(o.small) {
		return o.big[:len(o.shape)]
	}
	return o.small[:len(o.shape)]
}

// Next moves o to the following element (after the last, back to the first).
func (o *Odometer) Next() {
	idx := o.coords()
	for k := len(o.shape) - 1; k >= 0; k-- {
		idx[k]++
		o.Off += o.strides[k]
		if idx[k] < o.shape[k] {
			return
		}
		o.Off -= o.strides[k] * o.shape[k]
		idx[k] = 0
	}
}

// Fill sets every value of s to v.
func Fill[T any](s []T, v T) {
	for i := range s {
		s[i] = v
	}
}

// FillElems repeats the element bytes v over dst.
func FillElems(dst, v []byte) {
	if len(dst) == 0 {
		return
	}
	n := copy(dst, v)
	for n < len(dst) {
		n += copy(dst[n:], dst[:n])
	}
}
