package loss

import (
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestBind checks that the losses' bound functions read the data of the
// moment and allocate nothing.
func TestBind(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	x := func() *ops.Tensor { return opstest.Rand(rng, 4, 5, 7) }
	target := ops.New(onnx.Int64, 4, 7)
	for i := range target.I64() {
		target.I64()[i] = rng.Int64N(5)
	}
	w := opstest.Rand(rng, 5)
	for _, reduction := range []string{"none", "mean"} {
		attrs := []*onnx.Attribute{opstest.AttrS("reduction", reduction), opstest.AttrI("ignore_index", 2)}
		opstest.CheckBind(t, opstest.Node("NegativeLogLikelihoodLoss", opstest.InNames(3), 1, attrs...), 13, []*ops.Tensor{x(), target, w}, nil, x)
		opstest.CheckBind(t, opstest.Node("SoftmaxCrossEntropyLoss", opstest.InNames(2), 2, attrs...), 13, []*ops.Tensor{x(), target}, nil, x)
	}
}
