package quantize

import (
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// Params are the quantization of one tensor, as QuantizeLinear and
// DequantizeLinear apply it: q = saturate(round_half_even(x / Scale) +
// ZeroPoint) and back x' = (q - ZeroPoint) * Scale, in float32. One scale
// and zero point for the whole tensor, or one per index of Axis.
type Params struct {
	Type      onnx.DataType // Uint8 (activations), Int8 (weights) or Int32 (biases)
	Scale     []float32
	ZeroPoint []int32
	// Axis is the channel axis of per-channel parameters (len(Scale) > 1).
	Axis int
}

// PerChannel reports whether the parameters have one scale per channel.
func (p *Params) PerChannel() bool { return len(p.Scale) > 1 }

// bounds is the range of the quantized type: uint8 0..255, int8 -128..127,
// int32's range for biases.
func bounds(t onnx.DataType) (lo, hi float64) {
	switch t {
	case onnx.Uint8:
		return 0, 255
	case onnx.Int8:
		return -128, 127
	}
	return math.MinInt32, math.MaxInt32
}

// Quantize quantizes x with channel c's scale and zero point (c is 0 for
// per-tensor parameters): the division in float32, rounded half to even,
// then saturated, as QuantizeLinear computes it.
func (p *Params) Quantize(x float32, c int) int32 {
	lo, hi := bounds(p.Type)
	v := math.RoundToEven(float64(x/p.Scale[c])) + float64(p.ZeroPoint[c])
	if !(v >= lo) {
		return int32(lo)
	}
	return int32(min(v, hi))
}

// Dequantize maps q back to float32 with channel c's parameters, as
// DequantizeLinear computes it.
func (p *Params) Dequantize(q int32, c int) float32 {
	return float32(int64(q)-int64(p.ZeroPoint[c])) * p.Scale[c]
}

// Fake is x quantized and dequantized with channel c's parameters: the
// value a QuantizeLinear, DequantizeLinear pair gives.
func (p *Params) Fake(x float32, c int) float32 { return p.Dequantize(p.Quantize(x, c), c) }

// scaleZeroPoint computes the scale and zero point that map [rmin, rmax],
// widened to hold 0, onto the integers [qmin, qmax], as ONNX Runtime's
// quantizer does: the scale (rmax-rmin)/(qmax-qmin) in float64, the zero
// point qmin - rmin/scale rounded half to even, then the scale rounded to
// float32. A range too small for a float32 scale gets scale 1, zero point
// 0. symmetric centres the range on 0 (|rmin| = |rmax|).
func scaleZeroPoint(rmin, rmax float64, qmin, qmax float64, symmetric bool) (float32, int32) {
	rmin, rmax = math.Min(rmin, 0), math.Max(rmax, 0)
	if symmetric {
		a := math.Max(-rmin, rmax)
		rmin, rmax = -a, a
	}
	scale := (rmax - rmin) / (qmax - qmin)
	if !(scale >= 0x1p-126) || math.IsInf(scale, 0) { // NaN, or below float32's smallest normal
		return 1, 0
	}
	zp := math.RoundToEven((qmin + qmax) / 2)
	if !symmetric {
		zp = math.Max(qmin, math.Min(qmax, math.RoundToEven(qmin-rmin/scale)))
	}
	return float32(scale), int32(zp)
}

// activationParams are the uint8 asymmetric parameters of an activation
// whose calibrated range is [lo, hi].
func activationParams(lo, hi float32) Params {
	s, zp := scaleZeroPoint(float64(lo), float64(hi), 0, 255, false)
	return Params{Type: onnx.Uint8, Scale: []float32{s}, ZeroPoint: []int32{zp}}
}

// weightScale is the int8 symmetric scale of weights whose largest
// magnitude is absmax: absmax/127, so that they quantize to -127..127
// with zero point 0.
func weightScale(absmax float64) float32 {
	s, _ := scaleZeroPoint(-absmax, absmax, -127, 127, true)
	return s
}
