package quant

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// dynQuantRef is DynamicQuantizeLinear's function body step by step in
// float32, NaNs left out of the range.
func dynQuantRef(x []float32) (y []uint8, scale float32, zp uint8) {
	var lo, hi float32
	for _, v := range x {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	scale = (hi - lo) / 255
	if scale == 0 {
		scale = 1
	}
	zp = uint8(math.RoundToEven(float64(min(255, max(0, 0-lo/scale)))))
	y = make([]uint8, len(x))
	for i, v := range x {
		y[i] = uint8(quantClamp(math.RoundToEven(float64(v/scale))+float64(zp), 0, 255))
	}
	return y, scale, zp
}

func TestDynamicQuantizeLinear(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	big := make([]float32, 3*quantizeGrain+17) // several parts of the range search
	for i := range big {
		big[i] = rng.Float32()*7 - 2
	}
	big[len(big)-1] = 9 // the maximum in the last part
	cases := map[string][]float32{
		"spec":          {0, 2, -3, -2.5, 1.34, 0.5},
		"negative only": {-1, -2, -0.5},
		"positive only": {1, 2, 3, 0.25},
		"with NaN":      {float32(math.NaN()), 1, -1},
		"zeros":         {0, 0},
		"empty":         {},
		"large":         big,
	}
	for name, x := range cases {
		got, err := evalQAll(qNode("DynamicQuantizeLinear", 1), 11, false, opstest.F32s(x...))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		y, scale, zp := dynQuantRef(x)
		if got[1].F32()[0] != scale || got[2].U8()[0] != zp {
			t.Errorf("%s: scale %v zero point %d, want %v %d", name, got[1].F32()[0], got[2].U8()[0], scale, zp)
		}
		opstest.WantTensor(t, name, got[0], quantTensor[uint8]([]int{len(x)}, y...))
	}
	// Every element maps back within half a step.
	got, err := evalQAll(qNode("DynamicQuantizeLinear", 1), 11, false, opstest.F32s(big...))
	if err != nil {
		t.Fatal(err)
	}
	s, z := got[1].F32()[0], float32(got[2].U8()[0])
	for i, q := range got[0].U8() {
		if d := math.Abs(float64((float32(q)-z)*s - big[i])); d > float64(s)/2+1e-6 {
			t.Fatalf("element %d: %g quantized to %d, off by %g", i, big[i], q, d)
		}
	}
}

func TestDynamicQuantizeLinearErrors(t *testing.T) {
	_, err := evalQAll(qNode("DynamicQuantizeLinear", 1), 11, false, quantTensor[uint8](nil, 1))
	opstest.WantErr(t, "uint8 x", err, "input \"x\"", "uint8", "float32")
	_, err = evalQAll(qNode("DynamicQuantizeLinear", 2), 11, false, opstest.F32s(1), opstest.F32s(1))
	opstest.WantErr(t, "two inputs", err, "inputs")
	op, err := ops.Build(qNode("DynamicQuantizeLinear", 1), 11)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := op.Infer([]ops.Value{{Type: onnx.Double, Shape: []int{2}}}); err == nil {
		t.Error("float64 x: no error")
	}
}

// TestDynamicQuantizeLinearNodeTests runs the three single-node tests (the
// expanded ones run through the runtime).
func TestDynamicQuantizeLinearNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_dynamicquantizelinear*"); got != 3 {
		t.Errorf("%d node tests passed, want 3", got)
	}
}
