package array

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Range outputs start, start+delta, start+2*delta... up to limit
// (exclusive): max(ceil((limit-start)/delta), 0) elements of the scalars'
// common type, any numeric type (ONNX lists float32, float64, int16, int32
// and int64; the other integers work alike). The length depends on the
// three values, so Infer needs them constant (ErrNotConstant otherwise).
// Integer ranges are counted and computed exactly, whatever their
// magnitude; floating-point counts are computed in float64 and element i
// is start + i*delta rounded once to the type, so errors do not
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
	if !ops.IsNumeric(t) {
		return nil, fmt.Errorf("input \"start\" has type %s, want a numeric type", ops.TypeName(t))
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

// isUnsigned reports whether t is an unsigned integer type.
func isUnsigned(t ops.DType) bool {
	return t == onnx.Uint8 || t == onnx.Uint16 || t == onnx.Uint32 || t == onnx.Uint64
}

// intBits reads element 0 of an integer tensor as the bits of a uint64:
// unsigned values as they are, signed ones sign-extended. Integer Range
// computes in these bits modulo 2^64, which gives every element exactly.
func intBits(t *ops.Tensor) uint64 {
	if t.Type == onnx.Uint64 {
		return t.U64()[0]
	}
	return uint64(elemI64(t, 0))
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
	s, l, d := intBits(start), intBits(limit), intBits(delta)
	if d == 0 {
		return 0, fmt.Errorf("input \"delta\" is 0")
	}
	// The distance and the step as unsigned magnitudes: l-s may overflow
	// int64 but not uint64.
	var dist, step uint64
	up, below := int64(d) > 0, int64(l) > int64(s)
	if isUnsigned(start.Type) {
		up, below = true, l > s
	}
	switch {
	case up && below:
		dist, step = l-s, d
	case !up && !below && l != s:
		dist, step = s-l, -d
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
	if ops.IsFloat(y.Type) {
		s, d := elemF64(in[0], 0), elemF64(in[2], 0)
		if y.Type == onnx.Double {
			fillRangeF(ops.Elems[float64](y), s, d)
		} else {
			fillRangeF(ops.Elems[float32](y), s, d)
		}
		return nil
	}
	s, d := intBits(in[0]), intBits(in[2])
	switch y.Type {
	case onnx.Int8:
		fillRangeI(ops.Elems[int8](y), s, d)
	case onnx.Int16:
		fillRangeI(ops.Elems[int16](y), s, d)
	case onnx.Int32:
		fillRangeI(ops.Elems[int32](y), s, d)
	case onnx.Int64:
		fillRangeI(ops.Elems[int64](y), s, d)
	case onnx.Uint8:
		fillRangeI(ops.Elems[uint8](y), s, d)
	case onnx.Uint16:
		fillRangeI(ops.Elems[uint16](y), s, d)
	case onnx.Uint32:
		fillRangeI(ops.Elems[uint32](y), s, d)
	default:
		fillRangeI(ops.Elems[uint64](y), s, d)
	}
	return nil
}

// fillRangeF sets y[i] = start + i*delta, computed in float64.
func fillRangeF[T ops.Float](y []T, start, delta float64) {
	for i := range y {
		y[i] = T(start + float64(i)*delta)
	}
}

// fillRangeI sets y[i] = start + i*delta modulo 2^64 (see intBits), then
// truncated to T: every value lies between start and limit, so it is exact.
func fillRangeI[T ops.Numeric](y []T, start, delta uint64) {
	for i := range y {
		y[i] = T(start + uint64(i)*delta)
	}
}
