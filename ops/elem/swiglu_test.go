package elem

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// swigluRef is SwiGLU's definition in float64.
func swigluRef(a, b, alpha float64) float64 { return a / (1 + math.Exp(-alpha*a)) * b }

// TestSwiGLU checks SwiGLU against its definition: the specification's
// example, random values over a wide range (sigmoid saturating both ways),
// float64, serial and chunked runs, in place, and shape errors.
func TestSwiGLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	n := 1000
	a, b := make([]float32, n), make([]float32, n)
	for i := range a {
		a[i] = float32(rng.NormFloat64() * 30)
		b[i] = float32(rng.NormFloat64())
	}
	copy(a, []float32{1, -2, 3, 4, -1, 2, -3, 0.5})
	copy(b, []float32{0.5, 1, -1, 2, 2, -1, 0.5, 1})
	for _, alpha := range []float32{1, 0.5} {
		attrs := []*onnx.Attribute{opstest.AttrF("alpha", alpha)}
		for _, par := range []ops.Parallel{ops.Serial{}, opstest.ChunkPar{Size: 300}} {
			op, err := ops.Build(opstest.EwNode("SwiGLU", make([]*ops.Tensor, 2), 1, attrs...), 28)
			if err != nil {
				t.Fatal(err)
			}
			x32, y32 := ops.FromF32(append([]float32(nil), a...), n), ops.FromF32(b, n)
			got, err := opstest.Exec(op, []*ops.Tensor{x32, y32}, nil, par)
			if err != nil {
				t.Fatal(err)
			}
			a64, b64 := ops.New(onnx.Double, n), ops.New(onnx.Double, n)
			for i := range a {
				a64.F64()[i], b64.F64()[i] = float64(a[i]), float64(b[i])
			}
			got64, err := opstest.Exec(op, []*ops.Tensor{a64, b64}, nil, par)
			if err != nil {
				t.Fatal(err)
			}
			for i := range a {
				want := swigluRef(float64(a[i]), float64(b[i]), float64(alpha))
				if g := float64(got[0].F32()[i]); math.Abs(g-want) > 4e-7*math.Abs(want)+1e-30 {
					t.Fatalf("alpha %g: SwiGLU(%g, %g) = %g, want %g", alpha, a[i], b[i], g, want)
				}
				if g := got64[0].F64()[i]; math.Abs(g-want) > 1e-14*math.Abs(want) {
					t.Fatalf("alpha %g: float64 SwiGLU(%g, %g) = %g, want %g", alpha, a[i], b[i], g, want)
				}
			}
		}
	}
	for _, bad := range [][]*ops.Tensor{
		{ops.New(onnx.Float, 2, 3), ops.New(onnx.Float, 3)},
		{ops.New(onnx.Float, 3), ops.New(onnx.Double, 3)},
		{ops.New(onnx.Int32, 3), ops.New(onnx.Int32, 3)},
	} {
		if _, err := opstest.EwEval(t, "SwiGLU", 28, 1, nil, bad...); err == nil {
			t.Errorf("SwiGLU %v, %v: no error", bad[0], bad[1])
		}
	}
}
