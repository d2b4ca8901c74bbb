package nn

import (
	"math"
	"testing"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestLRNHand(t *testing.T) {
	// Three channels at one position, size 2: channel c's window is [c, c+1].
	x := ops.FromF32([]float32{1, 2, 3}, 1, 3, 1)
	const alpha, beta, bias = 0.5, 0.75, 2
	sq := []float64{1 + 4, 4 + 9, 9}
	want := make([]float32, 3)
	for c := range 3 {
		want[c] = float32(float64(x.F32()[c]) / math.Pow(bias+alpha/2*sq[c], beta))
	}
	op, err := ops.Build(opstest.NodeOf("LRN", []*ops.Tensor{x}, 1, opstest.Int("size", 2), opstest.Float("alpha", alpha), opstest.Float("beta", beta), opstest.Float("bias", bias)), 13)
	if err != nil {
		t.Fatal(err)
	}
	got, err := opstest.Exec(op, []*ops.Tensor{x}, nil, opstest.Par{N: 2})
	if err != nil {
		t.Fatal(err)
	}
	opstest.Close(t, "lrn", got[0].F32(), want, 1e-6, 0)
	if _, err := ops.Build(opstest.NodeOf("LRN", []*ops.Tensor{x}, 1), 13); err == nil {
		t.Error("LRN without size: no error")
	}
}

func TestLRNNodeTests(t *testing.T) {
	if n := opstest.NodeTests(t, "test_lrn*"); n != 2 {
		t.Errorf("%d LRN node tests passed, want 2", n)
	}
}
