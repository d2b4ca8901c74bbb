package runtime

import (
	"context"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// TestMemoryLimitTradesWinograd checks that under the smallest memory
// limit a convolution plans at, its Winograd weights (four times W) are
// traded for W as it is, with the same results, and that PlanInfo reports
// what transformed weights take.
func TestMemoryLimitTradesWinograd(t *testing.T) {
	const c, hw = 128, 14
	shape := []int{1, c, hw, hw}
	rng := newRand(7)
	p := newBuilder(13).
		input("x", onnx.Float, 1, c, hw, hw).output("y", onnx.Float, 1, c, hw, hw).
		init("w", randTensor(rng, c, c, 3, 3)).
		node("Conv", s("x", "w"), s("y"), aInts("pads", 1, 1, 1, 1)).m
	x := randTensor(rng, shape...)
	algo := func(m *Model) (string, *PlanInfo) {
		t.Helper()
		pi, err := m.Plan([][]int{shape})
		if err != nil {
			t.Fatal(err)
		}
		var prof Profile
		if _, err := m.NewSession().RunProfiled(context.Background(), []*ops.Tensor{x}, &prof); err != nil {
			t.Fatal(err)
		}
		return prof.Steps[0].Algorithm, pi
	}
	free := load(t, p)
	freeAlgo, freeInfo := algo(free)
	if freeAlgo != "winograd F(4x4,3x3)" {
		t.Skipf("this build runs the convolution as %q, not Winograd (no SIMD transforms): nothing to trade", freeAlgo)
	}
	if want := int64((36 - 9) * 4 * c * c); freeInfo.TransformedBytes != want {
		t.Errorf("TransformedBytes = %d without a limit, want %d", freeInfo.TransformedBytes, want)
	}
	want := run(t, free, x)[0]
	for limit := int64(1 << 20); ; limit += 64 << 10 {
		m, err := LoadModel(p, WithMemoryLimit(limit))
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		if _, err := m.Plan([][]int{shape}); err != nil {
			if limit > 4<<20 {
				t.Fatalf("no plan under %d bytes: %v", limit, err)
			}
			continue
		}
		got, info := algo(m)
		if got == freeAlgo || info.TransformedBytes != 0 {
			t.Errorf("under the smallest limit that plans (%d bytes): %q with %d transformed bytes; want another algorithm and none",
				limit, got, info.TransformedBytes)
		}
		if need := info.ConstBytes + info.ArenaBytes + info.ScratchBytes; need > limit {
			t.Errorf("the plan needs %d bytes, over the limit of %d", need, limit)
		}
		// F(4x4, 3x3) rounds differently from a direct sum: over K = 1152
		// products of values in [-1, 1) the two differ by about 1e-4.
		closeTo(t, "y", run(t, m, x)[0], want, 1e-3, 1e-3)
		break
	}
}
