package quant

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// DynamicQuantizeLinear (11) quantizes a float32 x to uint8 with a scale
// and zero point computed from x's range widened to include 0:
// y_scale = (max(0, max x) - min(0, min x)) / 255 (1 when that range is
// empty, x being all zeros, as ONNX Runtime does),
// y_zero_point = round_half_even(clip(0 - min/y_scale, 0, 255)) and
// y = QuantizeLinear(x, y_scale, y_zero_point), all in float32. NaNs are
// left out of the range.
func init() {
	ops.Register("", "DynamicQuantizeLinear", 11, func(*onnx.Node, int) (ops.Op, error) { return dynQuantLinear{}, nil })
}

// dynQuantLinear is a built DynamicQuantizeLinear.
type dynQuantLinear struct{}

// Infer requires a float32 x; y has its shape, y_scale and y_zero_point are scalars.
func (dynQuantLinear) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if in[0].Type != onnx.Float {
		return nil, fmt.Errorf("input \"x\" has type %s, want float32", ops.TypeName(in[0].Type))
	}
	return []ops.Value{{Type: onnx.Uint8, Shape: in[0].Shape}, {Type: onnx.Float, Shape: []int{}}, {Type: onnx.Uint8, Shape: []int{}}}, nil
}

// Run quantizes in[0] into out[0] with the parameters it stores in out[1] and out[2].
func (q dynQuantLinear) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(q, ctx, in, out)
}

// rangeParts is the number of parts x's range is found in, in parallel.
const rangeParts = 64

// Bind makes the range and quantization loops once.
func (dynQuantLinear) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x, n := in[0], in[0].Len()
	quantize := bindQuantize[uint8](ctx.Par, quantLayout{inner: max(n, 1), d: 1, block: 1}, x, out[1], out[2], out[0])
	parts := min(rangeParts, (n+quantizeGrain-1)/quantizeGrain)
	lows, highs := make([]float32, parts), make([]float32, parts)
	var xv []float32
	body := func(lo, hi int) {
		for p := lo; p < hi; p++ {
			l, h := float32(0), float32(0)
			for _, v := range xv[p*n/parts : (p+1)*n/parts] {
				if v < l { // comparisons, not min and max, skip NaN
					l = v
				}
				if v > h {
					h = v
				}
			}
			lows[p], highs[p] = l, h
		}
	}
	return func() error {
		xv = x.F32()[:n]
		ctx.Par.For(parts, 1, body)
		l, h := float32(0), float32(0)
		for p := range parts {
			l, h = min(l, lows[p]), max(h, highs[p])
		}
		scale := (h - l) / 255
		if scale == 0 {
			scale = 1
		}
		out[1].F32()[0] = scale
		out[2].U8()[0] = uint8(math.RoundToEven(float64(min(255, max(0, 0-l/scale)))))
		return quantize()
	}, nil
}
