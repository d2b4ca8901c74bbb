package rec

import (
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// benchLayer times a bound bidirectional layer of 256 units over 100
// steps of 256 features, batch 1, weights packed, on one thread.
func benchLayer(b *testing.B, op string) {
	rng := rand.New(rand.NewPCG(1, 2))
	c := rnnCase{op: op, seq: 100, batch: 1, in: 256, hidden: 256, dir: "bidirectional", bias: true}
	ins := c.inputs(rng)
	o, err := ops.Build(c.node(ins), 22)
	if err != nil {
		b.Fatal(err)
	}
	vals, ov, err := opstest.Prepare(o, ins, map[int]bool{inW: true, inR: true, inB: true})
	if err != nil {
		b.Fatal(err)
	}
	outs := make([]*ops.Tensor, len(ov))
	for i, v := range ov {
		outs[i] = ops.New(v.Type, v.Shape...)
	}
	ctx := &ops.Ctx{Par: ops.Serial{}, Scratch: ops.AlignedBytes(o.(ops.Workspacer).Workspace(vals))}
	run, err := o.(ops.Binder).Bind(ctx, ins, outs)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLSTM(b *testing.B) { benchLayer(b, "LSTM") }

func BenchmarkGRU(b *testing.B) { benchLayer(b, "GRU") }
