package linalg

import (
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestBind checks that Einsum's and Det's bound functions read the data of
// the moment and allocate nothing.
func TestBind(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	x := func() *ops.Tensor { return opstest.Rand(rng, 4, 6, 6) }
	for _, eq := range []string{"bij,bjk->bik", "bii->b", "bij,jk,bk->bi"} {
		ins := []*ops.Tensor{x(), opstest.Rand(rng, 6, 6), opstest.Rand(rng, 4, 6)}
		if eq == "bij,bjk->bik" {
			ins = []*ops.Tensor{x(), x()}
		} else if eq == "bii->b" {
			ins = ins[:1]
		}
		opstest.CheckBind(t, opstest.Node("Einsum", opstest.InNames(len(ins)), 1, opstest.AttrS("equation", eq)), 12, ins, nil, x)
	}
	xi := func() *ops.Tensor {
		t := ops.New(onnx.Int64, 4, 6, 6)
		for i := range t.I64() {
			t.I64()[i] = rng.Int64N(9) - 4
		}
		return t
	}
	opstest.CheckBind(t, opstest.Node("Einsum", opstest.InNames(2), 1, opstest.AttrS("equation", "bij,bkj->bik")), 12, []*ops.Tensor{xi(), xi()}, nil, xi)
	opstest.CheckBind(t, opstest.Node("Det", opstest.InNames(1), 1), 22, []*ops.Tensor{x()}, nil, x)
}
