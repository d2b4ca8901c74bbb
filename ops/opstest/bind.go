package opstest

import (
	"bytes"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// CheckBind builds n at opset and binds it to fixed tensor structs, inputs
// whose index is in consts given to Infer as constants. It then gives input
// 0 new contents from fresh (a tensor of input 0's type and shape) before
// each of two calls of the bound function, on one thread and on a StepPar,
// and fails t unless every call computes what Run computes on the data of
// that moment. Finally it fails t if a call of the bound function, on a
// SeqPar (two threads claimed, no goroutines), allocates.
func CheckBind(t *testing.T, n *onnx.Node, opset int, ins []*ops.Tensor, consts map[int]bool, fresh func() *ops.Tensor) {
	t.Helper()
	op, err := ops.Build(n, opset)
	if err != nil {
		t.Fatalf("%s: %v", n.OpType, err)
	}
	b, ok := op.(ops.Binder)
	if !ok {
		t.Fatalf("%s does not implement Binder", n.OpType)
	}
	vals := make([]ops.Value, len(ins))
	for i, in := range ins {
		if in == nil {
			continue
		}
		vals[i] = ops.Value{Type: in.Type, Shape: in.Shape}
		if consts[i] {
			vals[i].Const = in
		}
	}
	ov, err := op.Infer(vals)
	if err != nil {
		t.Fatalf("%s: %v", n.OpType, err)
	}
	newOuts := func() []*ops.Tensor {
		outs := make([]*ops.Tensor, len(ov))
		for i, v := range ov {
			outs[i] = ops.New(v.Type, v.Shape...)
		}
		return outs
	}
	ctxOf := func(par ops.Parallel) *ops.Ctx {
		ctx := &ops.Ctx{Par: par}
		if w, ok := op.(ops.Workspacer); ok {
			ctx.Scratch = ops.AlignedBytes(w.Workspace(vals))
		}
		return ctx
	}
	for _, par := range []ops.Parallel{ops.Serial{}, StepPar{Step: 3}, SeqPar{}} {
		bound := append([]*ops.Tensor{}, ins...)
		bound[0] = &ops.Tensor{Type: ins[0].Type, Shape: ins[0].Shape, Data: fresh().Data}
		outs := newOuts()
		f, err := b.Bind(ctxOf(par), bound, outs)
		if err != nil {
			t.Fatalf("%s: Bind: %v", n.OpType, err)
		}
		if _, ok := par.(SeqPar); ok {
			if a := testing.AllocsPerRun(3, func() {
				if err := f(); err != nil {
					t.Fatalf("%s: bound call: %v", n.OpType, err)
				}
			}); a != 0 {
				t.Errorf("%s: a bound call allocates %v times", n.OpType, a)
			}
			continue
		}
		for round := range 2 {
			bound[0].Data = fresh().Data
			if err := f(); err != nil {
				t.Fatalf("%s: bound call: %v", n.OpType, err)
			}
			want := newOuts()
			if err := op.Run(ctxOf(ops.Serial{}), bound, want); err != nil {
				t.Fatalf("%s: Run: %v", n.OpType, err)
			}
			for i := range want {
				if !bytes.Equal(outs[i].Data, want[i].Data) {
					t.Errorf("%s with %T, round %d: output %d differs from Run's", n.OpType, par, round, i)
				}
			}
		}
	}
}
