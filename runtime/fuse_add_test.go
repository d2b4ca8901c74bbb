package runtime

import (
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func TestFuseResidualAdd(t *testing.T) {
	rng := newRand(60)
	x := randTensor(rng, 2, 3, 4, 4)
	cases := []struct {
		name  string
		model *onnx.Model
		steps string
	}{
		{"conv add relu", convThen(13, func(b *builder) {
			b.init("w2", randTensor(rng, 4, 3, 1, 1)).
				node("Conv", s("x", "w2"), s("skip")).
				node("Add", s("skip", "c"), s("sum")).
				node("Relu", s("sum"), s("y"))
		}), "Conv Conv+Add+Relu"},
		{"residual computed after the conv", convThen(13, func(b *builder) {
			// The Conv writing c comes first, the other operand later:
			// the fused step must run where the Add was.
			b.init("w2", randTensor(rng, 4, 4, 1, 1)).
				node("Relu", s("c"), s("r")).
				node("Conv", s("r", "w2"), s("d")).
				node("Relu", s("c"), s("r2")).
				node("Add", s("d", "r2"), s("y"))
		}), "Conv Relu Relu Conv+Add"},
		{"broadcast add is not fused", convThen(13, func(b *builder) {
			b.init("shift", randTensor(rng, 1, 4, 1, 1)).node("Add", s("c", "shift"), s("y"))
		}), "Conv Add"},
		{"conv output read twice", convThen(13, func(b *builder) {
			b.node("Relu", s("c"), s("r")).node("Add", s("c", "r"), s("y"))
		}), "Conv Relu Add"},
	}
	for _, c := range cases {
		m := agree(t, c.model, x)
		if got := strings.Join(stepTypes(planOf(t, m, x)), " "); got != c.steps {
			t.Errorf("%s: steps %q, want %q", c.name, got, c.steps)
		}
	}
}

func TestFusedOperatorsPreparedOnce(t *testing.T) {
	p := newBuilder(13).
		input("x", onnx.Float, "N", 4).
		tnode("Affine", s("x"), s("a"), aFloat("a", 3)).
		tnode("Affine", s("x"), s("b"), aFloat("b", 2)).
		node("Add", s("a", "b"), s("sum")).
		node("Clip", s("sum"), s("y"), aFloat("min", -1), aFloat("max", 1)).
		output("y", onnx.Float, "N", 4).m
	p.OpsetImports[0].Version = 6
	rng := newRand(61)
	before := affinePrepares.Load()
	m := load(t, p)
	sess := m.NewSession()
	for _, n := range []int{1, 2, 3, 1, 2} {
		x := randTensor(rng, n, 4)
		want := ops.New(onnx.Float, n, 4)
		for i, v := range x.F32() {
			want.F32()[i] = min(max(3*v+v+2, -1), 1)
		}
		for range 3 {
			out, err := sess.Run(t.Context(), []*ops.Tensor{x})
			if err != nil {
				t.Fatal(err)
			}
			closeTo(t, "y", out[0], want, 1e-6, 0)
		}
		if got := strings.Join(stepTypes(m.plans[0]), " "); got != "Affine Affine+Add+Clip" {
			t.Fatalf("steps %q", got)
		}
	}
	if got := affinePrepares.Load() - before; got != 2 {
		t.Errorf("%d Prepare calls over 3 plans and 15 runs, want 2 (one per operator)", got)
	}
}
