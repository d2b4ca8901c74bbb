package all

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// bindCase is an operator run both through Run and through Bind.
type bindCase struct {
	op     string
	ins    []*ops.Tensor
	consts map[int]bool // inputs given to Infer as constants
	attrs  []*onnx.Attribute
}

// TestBindReadsCurrentData binds each operator once to fixed tensor
// structs, then gives input 0 new data twice: every call of the bound
// function must compute what Run computes on the data of that moment, on
// one thread and split across several.
func TestBindReadsCurrentData(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	x := func() *ops.Tensor { return opstest.Rand(rng, 2, 8, 20, 20) }
	cases := []bindCase{
		{"Relu", []*ops.Tensor{x()}, nil, nil},
		{"Sigmoid", []*ops.Tensor{x()}, nil, nil},
		{"Clip", []*ops.Tensor{x(), ops.FromF32([]float32{-0.5}, 1), ops.FromF32([]float32{0.5}, 1)}, nil, nil},
		{"Add", []*ops.Tensor{x(), opstest.Rand(rng, 8, 1, 1)}, nil, nil},
		{"Sum", []*ops.Tensor{x(), opstest.Rand(rng, 20), opstest.Rand(rng, 1, 20, 1)}, nil, nil},
		{"PRelu", []*ops.Tensor{x(), opstest.Rand(rng, 8, 1, 1)}, nil, nil},
		{"Concat", []*ops.Tensor{x(), opstest.Rand(rng, 2, 3, 20, 20)}, nil, []*onnx.Attribute{opstest.Int("axis", 1)}},
		{"Split", []*ops.Tensor{x()}, nil, []*onnx.Attribute{opstest.Int("axis", 2)}},
		{"Softmax", []*ops.Tensor{x()}, nil, []*onnx.Attribute{opstest.Int("axis", 1)}},
		{"Transpose", []*ops.Tensor{x()}, nil, []*onnx.Attribute{opstest.Ints("perm", 0, 2, 3, 1)}},
		{"Cast", []*ops.Tensor{x()}, nil, []*onnx.Attribute{opstest.Int("to", int(onnx.Float16))}},
		{"MaxPool", []*ops.Tensor{x()}, nil, []*onnx.Attribute{opstest.Ints("kernel_shape", 3, 3), opstest.Ints("strides", 2, 2)}},
		{"AveragePool", []*ops.Tensor{x()}, nil, []*onnx.Attribute{opstest.Ints("kernel_shape", 2, 2)}},
		{"GlobalMaxPool", []*ops.Tensor{x()}, nil, nil},
		{"BatchNormalization", []*ops.Tensor{x(), opstest.Rand(rng, 8), opstest.Rand(rng, 8), opstest.Rand(rng, 8), ops.FromF32([]float32{1, 2, 3, 4, 1, 2, 3, 4}, 8)}, nil, nil},
		{"LRN", []*ops.Tensor{x()}, nil, []*onnx.Attribute{opstest.Int("size", 3)}},
		{"Pad", []*ops.Tensor{x(), ops.FromI64([]int64{0, 0, 1, 2, 0, 1, 0, 1}, 8)}, map[int]bool{1: true}, nil},
		{"Slice", []*ops.Tensor{x(), ops.FromI64([]int64{1, 19}, 2), ops.FromI64([]int64{20, 0}, 2), ops.FromI64([]int64{2, 3}, 2), ops.FromI64([]int64{1, -2}, 2)},
			map[int]bool{1: true, 2: true, 3: true, 4: true}, nil},
		{"Gather", []*ops.Tensor{x(), ops.FromI64([]int64{3, -1, 0}, 3)}, nil, []*onnx.Attribute{opstest.Int("axis", 1)}},
		{"ReduceMean", []*ops.Tensor{x()}, nil, []*onnx.Attribute{opstest.Ints("axes", 1, 3)}},
		{"QuantizeLinear", []*ops.Tensor{x(), ops.FromF32([]float32{0.01}, 1)}, nil, nil},
	}
	for _, c := range cases {
		n := opstest.NodeOf(c.op, c.ins, 1, c.attrs...)
		if c.op == "Split" {
			n.Outputs = []string{"y0", "y1"}
		}
		op, err := ops.Build(n, 13)
		if err != nil {
			t.Fatalf("%s: %v", c.op, err)
		}
		b, ok := op.(ops.Binder)
		if !ok {
			t.Errorf("%s does not implement Binder", c.op)
			continue
		}
		vals := make([]ops.Value, len(c.ins))
		for i, in := range c.ins {
			vals[i] = ops.Value{Type: in.Type, Shape: in.Shape}
			if c.consts[i] {
				vals[i].Const = in
			}
		}
		ov, err := op.Infer(vals)
		if err != nil {
			t.Fatalf("%s: %v", c.op, err)
		}
		for _, par := range []ops.Parallel{ops.Serial{}, opstest.StepPar{Step: 3}} {
			outs := make([]*ops.Tensor, len(ov))
			for i, v := range ov {
				outs[i] = ops.New(v.Type, v.Shape...)
			}
			ins := append([]*ops.Tensor{}, c.ins...)
			ins[0] = &ops.Tensor{Type: c.ins[0].Type, Shape: c.ins[0].Shape}
			ctx := &ops.Ctx{Par: par, Scratch: ops.AlignedBytes(1 << 12)}
			f, err := b.Bind(ctx, ins, outs)
			if err != nil {
				t.Fatalf("%s: Bind: %v", c.op, err)
			}
			for round := range 2 {
				ins[0].Data = x().Data
				if err := f(); err != nil {
					t.Fatalf("%s: bound call: %v", c.op, err)
				}
				want := make([]*ops.Tensor, len(ov))
				for i, v := range ov {
					want[i] = ops.New(v.Type, v.Shape...)
				}
				if err := op.Run(&ops.Ctx{Par: ops.Serial{}, Scratch: ops.AlignedBytes(1 << 12)}, ins, want); err != nil {
					t.Fatalf("%s: Run: %v", c.op, err)
				}
				for i := range want {
					if !bytes.Equal(outs[i].Data, want[i].Data) {
						t.Errorf("%s with %T, round %d: output %d differs from Run's", c.op, par, round, i)
					}
				}
			}
		}
	}
}
