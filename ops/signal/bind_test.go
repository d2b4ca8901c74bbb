package signal

import (
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestBind checks that DFT's and STFT's bound functions read the data of
// the moment and allocate nothing, for power-of-two and other lengths.
func TestBind(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	for _, n := range []int{16, 12} {
		x := func() *ops.Tensor { return opstest.Rand(rng, 3, n, 2) }
		opstest.CheckBind(t, opstest.Node("DFT", opstest.InNames(1), 1), 17, []*ops.Tensor{x()}, nil, x)
		opstest.CheckBind(t, opstest.Node("DFT", opstest.InNames(1), 1, opstest.AttrI("inverse", 1), opstest.AttrI("onesided", 1)), 17, []*ops.Tensor{x()}, nil, x)
		s := func() *ops.Tensor { return opstest.Rand(rng, 2, 100, 1) }
		opstest.CheckBind(t, opstest.Node("STFT", opstest.InNames(3), 1), 17, []*ops.Tensor{s(), opstest.I64s(7), opstest.Rand(rng, n)}, map[int]bool{1: true}, s)
	}
}
