package quant

import (
	"fmt"
	"math"
	"slices"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/qgemm"
)

// The com.microsoft QLinearAdd and QLinearMul (version 1) add or multiply
// two uint8/int8 tensors of one type with numpy broadcasting, every scale
// and zero point per tensor (zero points optional, 0):
//
//	QLinearAdd: C = (A_scale·(A - A_zp) + B_scale·(B - B_zp)) / C_scale + C_zp
//	QLinearMul: C = (A - A_zp)·(B - B_zp)·(A_scale·B_scale / C_scale) + C_zp
//
// rounded half to even and saturated (QLinearAdd in qgemm's SIMD loop
// where this CPU has one). They are computed in float32 the
// way ONNX Runtime's x86 kernels (AVX2 for QLinearAdd) compute them, so
// that results match it bit for bit (its ARM kernels compute QLinearAdd
// in fixed point and may differ by a step): QLinearAdd as
// fma(a, A_scale/C_scale, fma(b, B_scale/C_scale, C_zp -
// (A_scale/C_scale·A_zp + B_scale/C_scale·B_zp))) with a and b the raw
// values (a broadcast operand's term folded into the constant first),
// QLinearMul as the exact integer product times the ratio, plus C_zp.
func init() {
	ops.Register("com.microsoft", "QLinearAdd", 1, func(*onnx.Node, int) (ops.Op, error) { return qlinearBinary{}, nil })
	ops.Register("com.microsoft", "QLinearMul", 1, func(*onnx.Node, int) (ops.Op, error) { return qlinearBinary{mul: true}, nil })
}

// qlinearBinary is a built QLinearAdd or QLinearMul.
type qlinearBinary struct{ mul bool }

var qlinearBinaryNames = []string{"A", "A_scale", "A_zero_point", "B", "B_scale", "B_zero_point", "C_scale", "C_zero_point"}

// Infer checks the inputs; C has the broadcast shape and A's type.
func (q qlinearBinary) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := checkQOperands(in, qlinearBinaryNames, []int{0, 3}, []int{1, 4, 6}, []int{2, 5, 7}); err != nil {
		return nil, err
	}
	shape, err := ops.BroadcastShape(in[0].Shape, in[3].Shape)
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: in[0].Type, Shape: shape}}, nil
}

// checkQOperands checks the inputs of an operator on 8-bit tensors of one
// type: the tensors at data, the per-tensor float32 scales at scales
// (all required) and the optional per-tensor zero points at zps, of the
// first tensor's type.
func checkQOperands(in []ops.Value, names []string, data, scales, zps []int) error {
	if err := ops.CheckInputs(in, 1, len(names)); err != nil {
		return err
	}
	for _, i := range append(slices.Clone(data), scales...) {
		if !ops.HasInput(in, i) {
			return fmt.Errorf("input %q is required", names[i])
		}
	}
	t := in[data[0]].Type
	for _, i := range data {
		if err := checkQ8(in[i], names[i]); err != nil {
			return err
		}
		if in[i].Type != t {
			return fmt.Errorf("input %q has type %s, want %s like input %q", names[i], ops.TypeName(in[i].Type), ops.TypeName(t), names[data[0]])
		}
	}
	for _, i := range scales {
		if err := checkScale(in[i], names[i], 0); err != nil {
			return err
		}
	}
	for _, i := range zps {
		if ops.HasInput(in, i) {
			if err := checkZeroPoint(in[i], names[i], t, names[data[0]], 0); err != nil {
				return err
			}
		}
	}
	return nil
}

// Run computes out[0].
func (q qlinearBinary) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(q, ctx, in, out)
}

// Bind plans the broadcast and makes the loop once.
func (q qlinearBinary) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	if in[0].Type == onnx.Int8 {
		return bindQLinearBinary[int8](ctx.Par, q.mul, in, out[0]), nil
	}
	return bindQLinearBinary[uint8](ctx.Par, q.mul, in, out[0]), nil
}

// qbinParams are the float32 constants of one run of QLinearAdd or QLinearMul.
type qbinParams struct {
	za, zb     int32   // input zero points
	ra, rb     float32 // QLinearAdd: A_scale/C_scale, B_scale/C_scale
	fixed      float32 // QLinearAdd: C_zp - (ra·A_zp + rb·B_zp)
	ratio, zc  float32 // QLinearMul: A_scale·B_scale/C_scale, C_zp
	lo, hi, zp float64 // the output range
}

// newQbinParams reads the scales and zero points of a run.
func newQbinParams[T quant8](in []*ops.Tensor) qbinParams {
	zpOf := func(i int) int32 {
		if t := ops.InputAt(in, i); t != nil {
			return int32(ops.View[T](t.Data)[0])
		}
		return 0
	}
	sa, sb, sc := in[1].F32()[0], in[4].F32()[0], in[6].F32()[0]
	p := qbinParams{za: zpOf(2), zb: zpOf(5)}
	zc := zpOf(7)
	p.lo, p.hi = quantBounds[T]()
	p.ra, p.rb = sa/sc, sb/sc
	p.fixed = float32(zc) - (float32(p.ra*float32(p.za)) + float32(p.rb*float32(p.zb)))
	p.ratio, p.zc = sa*sb/sc, float32(zc)
	return p
}

// fma32 is a·b + c rounded once to float32 (exact in float64 for the
// 8-bit a, float32 b and c it gets).
func fma32(a, b, c float32) float32 { return float32(float64(a)*float64(b) + float64(c)) }

// roundSat rounds v half to even and saturates it to [lo, hi].
func roundSat(v float32, lo, hi float64) float64 {
	return quantClamp(math.RoundToEven(float64(v)), lo, hi)
}

// bindQLinearBinary binds the loop over the broadcast output in runs of
// the innermost merged axis.
func bindQLinearBinary[T quant8](par ops.Parallel, mul bool, in []*ops.Tensor, out *ops.Tensor) func() error {
	plan := ops.NewBroadcastPlan(out.Shape, in[0].Shape, in[3].Shape)
	signed := out.Type == onnx.Int8
	var a, b, y []T
	var p qbinParams
	run := func(o, n, ia, na, ib, nb int) {
		ys, as, bs := y[o:o+n], a[ia:ia+na], b[ib:ib+nb]
		switch {
		case mul:
			if na == 1 && nb > 1 { // the product commutes: broadcast b
				q := p
				q.za, q.zb = p.zb, p.za
				qmulRun(ys, bs, as, &q, signed)
				break
			}
			qmulRun(ys, as, bs, &p, signed)
		case na == 1:
			// A broadcast: its term joins the constant, as in ONNX Runtime.
			c := p.fixed + float32(float32(as[0])*p.ra)
			done := qgemm.AddScaled(bytesOf(ys), bytesOf(bs), nil, p.rb, 0, c, signed)
			for j := done; j < len(bs); j++ {
				ys[j] = T(roundSat(fma32(float32(bs[j]), p.rb, c), p.lo, p.hi))
			}
		case nb == 1:
			c := p.fixed + float32(float32(bs[0])*p.rb)
			done := qgemm.AddScaled(bytesOf(ys), bytesOf(as), nil, p.ra, 0, c, signed)
			for j := done; j < len(as); j++ {
				ys[j] = T(roundSat(fma32(float32(as[j]), p.ra, c), p.lo, p.hi))
			}
		default:
			done := qgemm.AddScaled(bytesOf(ys), bytesOf(as), bytesOf(bs), p.ra, p.rb, p.fixed, signed)
			for j := done; j < len(ys); j++ {
				ys[j] = T(roundSat(fma32(float32(as[j]), p.ra, fma32(float32(bs[j]), p.rb, p.fixed)), p.lo, p.hi))
			}
		}
	}
	body := func(lo, hi int) { plan.Walk(lo, hi, run) }
	n := out.Len()
	return func() error {
		a, b, y = ops.Elems[T](in[0]), ops.Elems[T](in[3]), ops.Elems[T](out)
		p = newQbinParams[T](in)
		par.For(n, ops.Grain, body)
		return nil
	}
}

// bytesOf views 8-bit values as bytes.
func bytesOf[T quant8](s []T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// qmulRun multiplies a run of QLinearMul (b of length 1 is broadcast; a
// is only when b is too), in qgemm's SIMD loop where this CPU has one.
func qmulRun[T quant8](y, a, b []T, p *qbinParams, signed bool) {
	done := 0
	if len(a) == len(y) {
		done = qgemm.MulScaled(bytesOf(y), bytesOf(a), bytesOf(b), p.za, p.zb, p.ratio, p.zc, signed)
	}
	sa, sb := 1, 1
	if len(a) == 1 {
		sa = 0
	}
	if len(b) == 1 {
		sb = 0
	}
	for j := done; j < len(y); j++ {
		prod := (int32(a[j*sa]) - p.za) * (int32(b[j*sb]) - p.zb)
		y[j] = T(roundSat(float32(float32(prod)*p.ratio)+p.zc, p.lo, p.hi))
	}
}
