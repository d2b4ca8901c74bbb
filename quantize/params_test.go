package quantize

import (
	"math"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
)

func TestScaleZeroPoint(t *testing.T) {
	for _, c := range []struct {
		name       string
		lo, hi     float32
		scale      float32
		zeroPoint  int32
		symmetric  bool
		qmin, qmax float64
	}{
		{"two-signed", -1, 3, float32(4.0 / 255), 64, false, 0, 255},             // -(-1)/(4/255) = 63.75
		{"positive, widened to 0", 0.5, 2, float32(2.0 / 255), 0, false, 0, 255}, // [0, 2]
		{"negative, widened to 0", -2, -1, float32(2.0 / 255), 255, false, 0, 255},
		{"tie rounds to even", -2.5, 252.5, 1, 2, false, 0, 255}, // zero point 2.5
		{"nothing", 0, 0, 1, 0, false, 0, 255},
		{"weights", -1.27, 0.5, 0.01, 0, true, -127, 127},
	} {
		s, zp := scaleZeroPoint(float64(c.lo), float64(c.hi), c.qmin, c.qmax, c.symmetric)
		if s != c.scale || zp != c.zeroPoint {
			t.Errorf("%s: scale %g zero point %d, want %g %d", c.name, s, zp, c.scale, c.zeroPoint)
		}
	}
	if s := weightScale(1.27); s != 0.01 {
		t.Errorf("weightScale(1.27) = %g, want 0.01", s)
	}
}

func TestParamsQuantize(t *testing.T) {
	p := activationParams(-1, 3) // scale 4/255, zero point 64
	for _, c := range []struct {
		x float32
		q int32
	}{
		{0, 64}, {-1, 0}, {3, 255}, {100, 255}, {-100, 0}, {float32(math.NaN()), 0},
		{2.5 * p.Scale[0], 66}, // 2.5 steps: the tie goes to the even 2
		{3.5 * p.Scale[0], 68},
	} {
		if got := p.Quantize(c.x, 0); got != c.q {
			t.Errorf("Quantize(%g) = %d, want %d", c.x, got, c.q)
		}
	}
	if got, want := p.Fake(1, 0), float32(p.Quantize(1, 0)-64)*p.Scale[0]; got != want {
		t.Errorf("Fake(1) = %g, want %g", got, want)
	}
	w := Params{Type: onnx.Int8, Scale: []float32{0.5, 2}, ZeroPoint: []int32{0, 0}}
	if got := w.Quantize(-1000, 0); got != -128 {
		t.Errorf("int8 saturation: %d, want -128", got)
	}
	if got := w.Quantize(3, 1); got != 2 { // 1.5 rounds to even 2
		t.Errorf("channel 1: %d, want 2", got)
	}
	b := Params{Type: onnx.Int32, Scale: []float32{1e-9}, ZeroPoint: []int32{0}}
	if got := b.Quantize(10, 0); got != math.MaxInt32 {
		t.Errorf("int32 saturation: %d", got)
	}
}
