package quant

import (
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/qgemm"
	"github.com/edgeinfer/edgeinfer/ops/internal/wide"
)

// QuantizeLinear computes y = saturate(round_half_even(x / y_scale) + y_zero_point)
// and DequantizeLinear y = (x - x_zero_point) * x_scale. The scale and zero
// point are a scalar (per tensor), a 1-D tensor along attribute axis (per
// axis, opset 13) or a tensor of x's rank whose axis dimension is
// ceil(D/block_size) (blocked, opset 21). Quantized types are uint8, int8,
// uint16 and int16 (opset 21), plus int32 as DequantizeLinear's input;
// float8 and sub-byte types (and opset 24's float8e8m0 scales) are
// reported as unsupported, so the saturate attribute (float8 only) never
// matters. Scales are float32: float16 and bfloat16 scales and outputs are
// widened at load, and the division or multiplication is done in float32.
//
// The com.microsoft QuantizeLinear and DequantizeLinear (version 1) of
// older ONNX Runtime exports are the same per-tensor or per-axis
// operators with an axis attribute (default 1) and 8- or 16-bit types;
// their x is float32 (QuantizeLinear) or a quantized type (Dequantize).
func init() {
	// 24 adds float8e8m0 scales, 25 the 2-bit types: neither is computed.
	for _, v := range []int{10, 13, 19, 21, 23, 24, 25} {
		ops.Register("", "QuantizeLinear", v, buildQuantLinear(false))
		ops.Register("", "DequantizeLinear", v, buildQuantLinear(true))
	}
	ops.Register("com.microsoft", "QuantizeLinear", 1, buildContribQuantLinear(false))
	ops.Register("com.microsoft", "DequantizeLinear", 1, buildContribQuantLinear(true))
}

// quantLinear is a built QuantizeLinear or DequantizeLinear.
type quantLinear struct {
	dequant bool
	opset   int       // the ai.onnx opset whose semantics apply
	contrib bool      // com.microsoft: opset 13's attributes with opset 21's types, float32 x only
	axis    int       // quantization axis, not yet normalized
	block   int       // block_size; 0 when not blocked
	outType ops.DType // output_dtype; Undefined when absent
}

// buildQuantLinear is the Builder of DequantizeLinear (dequant) or QuantizeLinear.
func buildQuantLinear(dequant bool) ops.Builder {
	return func(n *onnx.Node, opset int) (ops.Op, error) {
		q, err := newQuantLinear(n, opset, dequant)
		if err != nil {
			return nil, err
		}
		return q, nil
	}
}

// buildContribQuantLinear is the Builder of com.microsoft DequantizeLinear
// (dequant) or QuantizeLinear: an axis attribute, no blocks and no
// output_dtype, as ai.onnx's at opset 13, with 16-bit types besides.
func buildContribQuantLinear(dequant bool) ops.Builder {
	return func(n *onnx.Node, _ int) (ops.Op, error) {
		op, err := newQuantLinear(n, 13, dequant)
		if err != nil {
			return nil, err
		}
		op.contrib = true
		return op, nil
	}
}

func newQuantLinear(n *onnx.Node, opset int, dequant bool) (*quantLinear, error) {
	a := ops.AttrsOf(n)
	q := &quantLinear{dequant: dequant, opset: opset, axis: 1}
	if opset >= 13 {
		q.axis = int(a.Int("axis", 1))
	}
	block := int64(0)
	if opset >= 21 {
		block = a.Int("block_size", 0)
	}
	if (!dequant && opset >= 21) || (dequant && opset >= 23) {
		q.outType = ops.DType(a.Int("output_dtype", 0))
	}
	precision := onnx.Undefined
	if !dequant && opset >= 23 {
		precision = ops.DType(a.Int("precision", 0))
	}
	if err := a.Err(); err != nil {
		return nil, err
	}
	if block < 0 {
		return nil, fmt.Errorf("attribute \"block_size\" is %d, must not be negative", block)
	}
	q.block = int(block)
	switch precision {
	case onnx.Undefined, onnx.Float, onnx.Float16, onnx.BFloat16:
		// All computed in float32, the type float16 and bfloat16 widen to.
	default:
		return nil, fmt.Errorf("attribute \"precision\" is %s, want float32, float16 or bfloat16", ops.TypeName(precision))
	}
	if q.outType == onnx.Undefined {
		return q, nil
	}
	if dequant {
		switch q.outType {
		case onnx.Float, onnx.Float16, onnx.BFloat16:
		default:
			return nil, fmt.Errorf("attribute \"output_dtype\" is %s, want float32, float16 or bfloat16", ops.TypeName(q.outType))
		}
	} else if err := checkQuantType(q.outType, opset, false); err != nil {
		return nil, fmt.Errorf("attribute \"output_dtype\": %w", err)
	}
	return q, nil
}

// checkQuantType checks t is a quantized type computed at this opset: uint8
// and int8, uint16 and int16 from opset 21, and int32 when withInt32 (the
// input of DequantizeLinear). Float8 and sub-byte types wrap ErrUnsupported.
func checkQuantType(t ops.DType, opset int, withInt32 bool) error {
	switch t {
	case onnx.Uint8, onnx.Int8:
		return nil
	case onnx.Int32:
		if withInt32 {
			return nil
		}
	case onnx.Uint16, onnx.Int16:
		if opset >= 21 {
			return nil
		}
		return fmt.Errorf("type %s needs opset 21, model has opset %d", ops.TypeName(t), opset)
	}
	if t >= onnx.Float8E4M3FN && t <= onnx.Int2 {
		return fmt.Errorf("%w type %v", ops.ErrUnsupported, t)
	}
	want := "uint8, int8, uint16 or int16"
	if withInt32 {
		want += " or int32"
	}
	return fmt.Errorf("type %s is not a quantized type (want %s)", ops.TypeName(t), want)
}

// checkScaleType requires a float32 scale (float16 and bfloat16 arrive
// widened); float8e8m0 scales (opset 24) are unsupported.
func checkScaleType(v ops.Value, name string) error {
	switch {
	case v.Type == onnx.Float:
		return nil
	case v.Type == onnx.Float8E8M0:
		return fmt.Errorf("input %q: %w type %v", name, ops.ErrUnsupported, v.Type)
	}
	return fmt.Errorf("input %q has type %s, want float32", name, ops.TypeName(v.Type))
}

// names are the op's input names, for messages.
func (q *quantLinear) names() [3]string {
	if q.dequant {
		return [3]string{"x", "x_scale", "x_zero_point"}
	}
	return [3]string{"x", "y_scale", "y_zero_point"}
}

// Infer checks the types and the scale's granularity; y has x's shape.
func (q *quantLinear) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 3); err != nil {
		return nil, err
	}
	names := q.names()
	x, scale := in[0], in[1]
	if err := checkScaleType(scale, names[1]); err != nil {
		return nil, err
	}
	typeOpset := q.opset
	if q.contrib {
		typeOpset = 21
	}
	hasZP := ops.HasInput(in, 2)
	out := onnx.Float
	if q.dequant {
		if err := checkQuantType(x.Type, typeOpset, true); err != nil {
			return nil, fmt.Errorf("input %q: %w", names[0], err)
		}
		if hasZP && in[2].Type != x.Type {
			return nil, fmt.Errorf("input %q has type %s, want %s like input %q", names[2], ops.TypeName(in[2].Type), ops.TypeName(x.Type), names[0])
		}
	} else {
		if x.Type != onnx.Float && (x.Type != onnx.Int32 || q.contrib) {
			want := "float32 or int32"
			if q.contrib {
				want = "float32"
			}
			return nil, fmt.Errorf("input %q has type %s, want %s", names[0], ops.TypeName(x.Type), want)
		}
		out = onnx.Uint8
		if hasZP {
			if err := checkQuantType(in[2].Type, typeOpset, false); err != nil {
				return nil, fmt.Errorf("input %q: %w", names[2], err)
			}
			out = in[2].Type
		}
		if q.outType != onnx.Undefined {
			if hasZP && q.outType != out {
				return nil, fmt.Errorf("attribute \"output_dtype\" is %s but input %q has type %s", ops.TypeName(q.outType), names[2], ops.TypeName(out))
			}
			out = q.outType
		}
	}
	if hasZP && !ops.SameShape(in[2].Shape, scale.Shape) && !(isScalarLike(in[2].Shape) && isScalarLike(scale.Shape)) {
		return nil, fmt.Errorf("input %q has shape %v, want the shape %v of input %q", names[2], in[2].Shape, scale.Shape, names[1])
	}
	if _, err := q.layout(x.Shape, scale.Shape); err != nil {
		return nil, fmt.Errorf("input %q: %w", names[1], err)
	}
	return []ops.Value{{Type: out, Shape: slices.Clone(x.Shape)}}, nil
}

// isScalarLike reports whether shape is a scalar or a one-element vector,
// the two spellings of a per-tensor scale or zero point.
func isScalarLike(shape []int) bool { return len(shape) <= 1 && ops.NumElems(shape) == 1 }

// quantLayout maps scale (and zero point) elements onto x's elements. x is
// viewed as rows of inner elements, row r being (o, a) with a the index along
// the quantization axis, of size d; element (o, a, i) uses scale element
// o*so + (a/block)*sa + i*si. Per tensor all strides are 0.
type quantLayout struct {
	inner, d, block int
	so, sa, si      int
}

// layout resolves the granularity from the shapes of x and the scale.
func (q *quantLinear) layout(x, s []int) (quantLayout, error) {
	switch {
	case q.block > 0:
		axis, err := ops.NormAxis(q.axis, len(x))
		if err != nil {
			return quantLayout{}, fmt.Errorf("attribute \"axis\": %w", err)
		}
		if len(s) != len(x) {
			return quantLayout{}, fmt.Errorf("shape %v: blocked quantization needs the rank %d of x", s, len(x))
		}
		for j := range x {
			if j != axis && s[j] != x[j] {
				return quantLayout{}, fmt.Errorf("shape %v does not match x's shape %v outside axis %d", s, x, axis)
			}
		}
		if want := (x[axis] + q.block - 1) / q.block; s[axis] != want {
			return quantLayout{}, fmt.Errorf("shape %v has %d blocks along axis %d, want ceil(%d/block_size %d) = %d", s, s[axis], axis, x[axis], q.block, want)
		}
		inner := ops.NumElems(x[axis+1:])
		return quantLayout{inner: inner, d: x[axis], block: q.block, so: s[axis] * inner, sa: inner, si: 1}, nil
	case isScalarLike(s):
		return quantLayout{inner: ops.NumElems(x), d: 1, block: 1}, nil
	case len(s) == 1 && q.opset >= 13:
		axis, err := ops.NormAxis(q.axis, len(x))
		if err != nil {
			return quantLayout{}, fmt.Errorf("attribute \"axis\": %w", err)
		}
		if s[0] != x[axis] {
			return quantLayout{}, fmt.Errorf("has %d elements, want %d (the size of x's axis %d)", s[0], x[axis], axis)
		}
		return quantLayout{inner: ops.NumElems(x[axis+1:]), d: x[axis], block: 1, sa: 1}, nil
	case q.opset < 13:
		return quantLayout{}, fmt.Errorf("shape %v: opset %d wants a scalar", s, q.opset)
	}
	return quantLayout{}, fmt.Errorf("shape %v: want a scalar, a 1-D tensor (per axis) or, with block_size, a tensor of x's rank", s)
}

// each calls fn for the elements [lo, hi) of x cut at row ends: fn(off, n,
// s, step) covers elements off .. off+n-1, whose scale indices are s,
// s+step, s+2*step...
func (l quantLayout) each(lo, hi int, fn func(off, n, s, step int)) {
	for e := lo; e < hi; {
		r, i := e/l.inner, e%l.inner
		o, a := r/l.d, r%l.d
		n := min(l.inner-i, hi-e)
		fn(e, n, o*l.so+(a/l.block)*l.sa+i*l.si, l.si)
		e += n
	}
}

// Run quantizes or dequantizes in[0] into out[0].
func (q *quantLinear) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(q, ctx, in, out)
}

// Bind resolves the layout and makes the loop once.
func (q *quantLinear) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	l, err := q.layout(in[0].Shape, in[1].Shape)
	if err != nil {
		return nil, err
	}
	x, scale, y := in[0], in[1], out[0]
	var zp *ops.Tensor
	if len(in) > 2 {
		zp = in[2]
	}
	if !q.dequant {
		if x.Type == onnx.Int32 { // through a float32 copy: the kernel divides float32(x) anyway
			return wide.Widened(onnx.Float, in[:1], nil, func(xs, _ []*ops.Tensor) func() error {
				return quantizeTo(ctx.Par, l, xs[0], scale, zp, y)
			}), nil
		}
		return quantizeTo(ctx.Par, l, x, scale, zp, y), nil
	}
	switch x.Type {
	case onnx.Uint8:
		return bindDequantize[uint8](ctx.Par, l, x, scale, zp, y), nil
	case onnx.Int8:
		return bindDequantize[int8](ctx.Par, l, x, scale, zp, y), nil
	case onnx.Uint16:
		return bindDequantize[uint16](ctx.Par, l, x, scale, zp, y), nil
	case onnx.Int16:
		return bindDequantize[int16](ctx.Par, l, x, scale, zp, y), nil
	}
	return bindDequantize[int32](ctx.Par, l, x, scale, zp, y), nil
}

// zpView is t's elements as T, or nil for an omitted zero point.
func zpView[T any](t *ops.Tensor) []T {
	if t == nil {
		return nil
	}
	return ops.View[T](t.Data)
}

// quantizeTo binds the quantization of x (elements X) into y, dispatching
// on y's type.
func quantizeTo(par ops.Parallel, l quantLayout, x, scale, zp, y *ops.Tensor) func() error {
	switch y.Type {
	case onnx.Uint8:
		return bindQuantize[uint8](par, l, x, scale, zp, y)
	case onnx.Int8:
		return bindQuantize[int8](par, l, x, scale, zp, y)
	case onnx.Uint16:
		return bindQuantize[uint16](par, l, x, scale, zp, y)
	}
	return bindQuantize[int16](par, l, x, scale, zp, y)
}

// quantInt is a quantized integer type.
type quantInt interface {
	uint8 | int8 | uint16 | int16
}

// quantBounds is Q's range as float64.
func quantBounds[Q quantInt]() (lo, hi float64) {
	var zero Q
	bits := 8 * unsafe.Sizeof(zero)
	if ^zero < zero { // signed
		return -math.Ldexp(1, int(bits)-1), math.Ldexp(1, int(bits)-1) - 1
	}
	return 0, math.Ldexp(1, int(bits)) - 1
}

// quantClamp clamps v to [lo, hi]; NaN gives lo.
func quantClamp(v, lo, hi float64) float64 {
	if !(v >= lo) {
		return lo
	}
	return min(v, hi)
}

// quantizeGrain is the smallest number of elements worth a goroutine.
const quantizeGrain = 1 << 14

// bindQuantize binds y = saturate(round(x / scale) + zp) with the division
// in float32 and the zero point added after rounding (exact in float64).
//
// Runs of float32 quantized to 8 bits at one scale take qgemm's SIMD loop.
func bindQuantize[Q quantInt](par ops.Parallel, l quantLayout, x, scale, zp, y *ops.Tensor) func() error {
	lo, hi := quantBounds[Q]()
	var xv []float32
	var sv []float32
	var zv, yv []Q
	simd := x.Type == onnx.Float && (y.Type == onnx.Uint8 || y.Type == onnx.Int8)
	body := func(b, e int) {
		l.each(b, e, func(off, n, s, step int) {
			xs, ys := xv[off:off+n], yv[off:off+n]
			done := 0
			if simd && step == 0 {
				z := int32(0)
				if zv != nil {
					z = int32(zv[s])
				}
				done = qgemm.Quantize(y.Data[off:off+n], x.F32()[off:off+n], sv[s], z, y.Type == onnx.Int8)
			}
			for j := done; j < len(ys); j++ {
				k := s + j*step
				v := math.RoundToEven(float64(xs[j] / sv[k]))
				if zv != nil {
					v += float64(zv[k])
				}
				ys[j] = Q(quantClamp(v, lo, hi))
			}
		})
	}
	n := y.Len()
	return func() error {
		xv, sv, zv, yv = x.F32(), scale.F32(), zpView[Q](zp), ops.View[Q](y.Data)[:n]
		par.For(n, quantizeGrain, body)
		return nil
	}
}

// bindDequantize binds y = float32(x - zp) * scale, the difference exact in int64.
//
// A run of at least 256 8-bit values at one scale looks each up in a table
// of the 256 results, made with the same arithmetic: a quantized model's
// activations dequantized for a float operator cost a load and a store
// each instead of a conversion and a multiply with the index arithmetic.
func bindDequantize[Q quantInt | int32](par ops.Parallel, l quantLayout, x, scale, zp, y *ops.Tensor) func() error {
	var xv, zv []Q
	var sv, yv []float32
	bytes := x.Type == onnx.Uint8 || x.Type == onnx.Int8
	body := func(b, e int) {
		l.each(b, e, func(off, n, s, step int) {
			xs, ys := xv[off:off+n], yv[off:off+n]
			if bytes && step == 0 && n >= 256 {
				var z int64
				if zv != nil {
					z = int64(zv[s])
				}
				var table [256]float32
				for v := range 256 {
					q := Q(v) // the byte v as Q: int8 wraps to -128..127
					table[v] = float32(int64(q)-z) * sv[s]
				}
				for j, q := range xs {
					ys[j] = table[uint8(q)]
				}
				return
			}
			for j := range ys {
				k := s + j*step
				d := int64(xs[j])
				if zv != nil {
					d -= int64(zv[k])
				}
				ys[j] = float32(d) * sv[k]
			}
		})
	}
	n := y.Len()
	return func() error {
		xv, sv, zv, yv = ops.View[Q](x.Data), scale.F32(), zpView[Q](zp), y.F32()[:n]
		par.For(n, quantizeGrain, body)
		return nil
	}
}
