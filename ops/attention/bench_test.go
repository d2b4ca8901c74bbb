package attention

import (
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// benchAttention times a bound self-attention of 12 heads of 64 over l
// tokens on one thread.
func benchAttention(b *testing.B, l int, causal bool) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := opstest.Rand(rng, 1, 12, l, 64)
	ins := []*ops.Tensor{x, x, x}
	n := opstest.NodeOf("Attention", ins, 1)
	if causal {
		n.Attrs = append(n.Attrs, opstest.Int("is_causal", 1))
	}
	op, err := ops.Build(n, 23)
	if err != nil {
		b.Fatal(err)
	}
	_, ov, err := opstest.Prepare(op, ins, nil)
	if err != nil {
		b.Fatal(err)
	}
	out := []*ops.Tensor{ops.New(ov[0].Type, ov[0].Shape...)}
	run, err := op.(ops.Binder).Bind(&ops.Ctx{Par: ops.Serial{}}, ins, out)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAttentionViT is a ViT-B/16 layer's attention (197 tokens).
func BenchmarkAttentionViT(b *testing.B) { benchAttention(b, 197, false) }

// BenchmarkAttentionCausal1k is a causal prefill of 1024 tokens.
func BenchmarkAttentionCausal1k(b *testing.B) { benchAttention(b, 1024, true) }
