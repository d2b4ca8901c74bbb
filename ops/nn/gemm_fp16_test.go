package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestGemmHalf checks a fully connected layer (one row, B constant and
// transposed, a bias row, a fused Relu) in the fp16 mode against float64
// within fp16's error, that it takes the fp16 GEMV, and
// that Gemms it does not serve (alpha not 1, a C it does not take) keep
// float32 with B.
func TestGemmHalf(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for _, c := range []struct {
		m, n, k     int
		alpha, beta float32
		cShape      []int
		half        bool
	}{
		{1, 37, 300, 1, 1, []int{37}, true},
		{1, 64, 1000, 1, 1, []int{1, 64}, true},
		{1, 9, 17, 1, 0, nil, true},
		{1, 9, 17, 2, 1, []int{9}, false},
		{1, 9, 17, 1, 0.5, []int{9}, false},
		{3, 9, 17, 1, 1, []int{9}, false},
	} {
		for _, par := range []ops.Parallel{ops.Serial{}, opstest.Par{N: 3}} {
			label := fmt.Sprintf("%+v threads=%d", c, par.Threads())
			a, b := opstest.Rand(rng, c.m, c.k), opstest.Rand(rng, c.n, c.k)
			ins := []*ops.Tensor{a, b}
			if c.cShape != nil {
				ins = append(ins, opstest.Rand(rng, c.cShape...))
			}
			attrs := []*onnx.Attribute{opstest.Float("alpha", c.alpha), opstest.Float("beta", c.beta), opstest.Int("transB", 1)}
			op, err := ops.Build(opstest.NodeOf("Gemm", ins, 1, attrs...), 13)
			if err != nil {
				t.Fatal(err)
			}
			op.(ops.PrecisionSetter).SetPrecision(ops.FP16)
			op = op.(ops.ActFuser).FuseActivation(ops.Activation{Kind: ops.ActRelu})
			got, err := execReleased(op, ins, map[int]bool{1: true, 2: true}, par)
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			if half := op.(*gemmOp).hw.Valid(); half != c.half {
				t.Errorf("%s: B packed for the fp16 GEMV %v, want %v", label, half, c.half)
			}
			for i := range c.m {
				for j := range c.n {
					var v, mag float64
					for p := range c.k {
						t := float64(a.F32()[i*c.k+p]) * float64(b.F32()[j*c.k+p])
						v, mag = v+t, mag+math.Abs(t)
					}
					v *= float64(c.alpha)
					if c.cShape != nil {
						v += float64(c.beta) * float64(ins[2].F32()[j])
					}
					v = max(v, 0)
					tol := 1e-4
					if c.half {
						tol = 131 * 0x1p-11 * mag
					}
					if g := float64(got[0].F32()[i*c.n+j]); math.Abs(g-v) > tol+1e-5 {
						t.Fatalf("%s: Y[%d][%d] = %v, want %v", label, i, j, g, v)
					}
				}
			}
		}
	}
}
