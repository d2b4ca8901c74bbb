package array

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Range outputs start, start+delta, start+2*delta... up to limit
// (exclusive): max(ceil((limit-start)/delta), 0) elements of the scalars'
// common type (float32, float64, int16, int32 or int64). The length
// depends on the three values, so Infer needs them constant (ErrNotConstant
// otherwise). Integer ranges are counted and computed exactly, whatever
// their magnitude; floating-point counts are computed in float64 and
// element i is start + i*delta rounded once to the type, so errors do not
// accumulate. Range-27 adds stash_type, the precision of float16 and
// bfloat16 ranges: edgeinfer computes those in float32 (stash_type 1, the
// default), whatever the attribute says.
func init() {
	ops.Register("", "Range", 11, buildRange)
	ops.Register("", "Range", 27, buildRange)
}

// rangeOp is a built Range.
type rangeOp struct{}

func buildRange(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	if opset >= 27 {
		if s := a.Int("stash_type", 1); s != 0 && s != 1 && a.Err() == nil {
			return nil, fmt.Errorf("attribute \"stash_type\" is %d, want 0 or 1", s)
		}
	}
	return rangeOp{}, a.Err()
}

// rangeInputs names Range's inputs in messages.
var rangeInputs = [3]string{"start", "limit", "delta"}

// Infer checks the scalars and counts the range from their values.
func (rangeOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 3, 3); err != nil {
		return nil, err
	}
	t := in[0].Type
	switch t {
	case onnx.Float, onnx.Double, onnx.Int16, onnx.Int32, onnx.Int64:
	default:
		return nil, fmt.Errorf("input \"start\" has type %s, want float32, float64, int16, int32 or int64", ops.TypeName(t))
	}
	for i, v := range in {
		if v.Type != t {
			return nil, fmt.Errorf("input %q has type %s, input \"start\" %s", rangeInputs[i], ops.TypeName(v.Type), ops.TypeName(t))
		}
		if ops.NumElems(v.Shape) != 1 {
			return nil, fmt.Errorf("input %q has shape %v, want a scalar", rangeInputs[i], v.Shape)
		}
	}
	for i, v := range in {
		if v.Const == nil {
			return nil, fmt.Errorf("input %q: %w", rangeInputs[i], ops.ErrNotConstant)
		}
	}
	n, err := rangeLen(in[0].Const, in[1].Const, in[2].Const)
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: t, Shape: []int{n}}}, nil
}

// rangeLen is the number of elements of the range.
func rangeLen(start, limit, delta *ops.Tensor) (int, error) {
	if ops.IsFloat(start.Type) {
		s, l, d := elemF64(start, 0), elemF64(limit, 0), elemF64(delta, 0)
		if d == 0 {
			return 0, fmt.Errorf("input \"delta\" is 0")
		}
		n := math.Ceil((l - s) / d)
		if n != n || math.IsInf(n, 0) {
			return 0, fmt.Errorf("range from %g to %g by %g has no finite length", s, l, d)
		}
		return ops.ToDim(int64(max(min(n, math.MaxInt64/2), 0)), "the range's length")
	}
	s, l, d := elemI64(start, 0), elemI64(limit, 0), elemI64(delta, 0)
	if d == 0 {
		return 0, fmt.Errorf("input \"delta\" is 0")
	}
	// The distance, step and count as unsigned magnitudes: l-s may
	// overflow int64 but not uint64.
	var dist, step uint64
	switch {
	case d > 0 && l > s:
		dist, step = uint64(l)-uint64(s), uint64(d)
	case d < 0 && l < s:
		dist, step = uint64(s)-uint64(l), -uint64(d)
	default:
		return 0, nil
	}
	n := dist / step
	if dist%step != 0 {
		n++
	}
	return ops.ToDim(int64(min(n, math.MaxInt64/2)), "the range's length")
}

// Run writes start + i*delta.
func (rangeOp) Run(_ *ops.Ctx, in, out []*ops.Tensor) error {
	y := out[0]
	switch y.Type {
	case onnx.Float:
		fillRangeF(ops.Elems[float32](y), elemF64(in[0], 0), elemF64(in[2], 0))
	case onnx.Double:
		fillRangeF(ops.Elems[float64](y), elemF64(in[0], 0), elemF64(in[2], 0))
	case onnx.Int16:
		fillRangeI(ops.Elems[int16](y), elemI64(in[0], 0), elemI64(in[2], 0))
	case onnx.Int32:
		fillRangeI(ops.Elems[int32](y), elemI64(in[0], 0), elemI64(in[2], 0))
	default:
		fillRangeI(ops.Elems[int64](y), elemI64(in[0], 0), elemI64(in[2], 0))
	}
	return nil
}

// fillRangeF sets y[i] = start + i*delta, computed in float64.
func fillRangeF[T ops.Float](y []T, start, delta float64) {
	for i := range y {
		y[i] = T(start + float64(i)*delta)
	}
}

// fillRangeI sets y[i] = start + i*delta; every value lies between start
// and limit, so the int64 arithmetic does not overflow.
func fillRangeI[T int16 | int32 | int64](y []T, start, delta int64) {
	for i := range y {
		y[i] = T(start + int64(i)*delta)
	}
}
