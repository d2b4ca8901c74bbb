package ops

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// bindCase is an operator run both through Run and through Bind.
type bindCase struct {
	op     string
	ins    []*Tensor
	consts map[int]bool // inputs given to Infer as constants
	attrs  []*onnx.Attribute
}

// TestBindReadsCurrentData binds each operator once to fixed tensor
// structs, then gives input 0 new data twice: every call of the bound
// function must compute what Run computes on the data of that moment, on
// one thread and split across several.
func TestBindReadsCurrentData(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 62))
	x := func() *Tensor { return nnRand(rng, 2, 8, 20, 20) }
	cases := []bindCase{
		{"Relu", []*Tensor{x()}, nil, nil},
		{"Sigmoid", []*Tensor{x()}, nil, nil},
		{"Clip", []*Tensor{x(), FromF32([]float32{-0.5}, 1), FromF32([]float32{0.5}, 1)}, nil, nil},
		{"Add", []*Tensor{x(), nnRand(rng, 8, 1, 1)}, nil, nil},
		{"Sum", []*Tensor{x(), nnRand(rng, 20), nnRand(rng, 1, 20, 1)}, nil, nil},
		{"PRelu", []*Tensor{x(), nnRand(rng, 8, 1, 1)}, nil, nil},
		{"Concat", []*Tensor{x(), nnRand(rng, 2, 3, 20, 20)}, nil, []*onnx.Attribute{nnInt("axis", 1)}},
		{"Split", []*Tensor{x()}, nil, []*onnx.Attribute{nnInt("axis", 2)}},
		{"Softmax", []*Tensor{x()}, nil, []*onnx.Attribute{nnInt("axis", 1)}},
		{"Transpose", []*Tensor{x()}, nil, []*onnx.Attribute{nnInts("perm", 0, 2, 3, 1)}},
		{"Cast", []*Tensor{x()}, nil, []*onnx.Attribute{nnInt("to", int(onnx.Float16))}},
		{"MaxPool", []*Tensor{x()}, nil, []*onnx.Attribute{nnInts("kernel_shape", 3, 3), nnInts("strides", 2, 2)}},
		{"AveragePool", []*Tensor{x()}, nil, []*onnx.Attribute{nnInts("kernel_shape", 2, 2)}},
		{"GlobalMaxPool", []*Tensor{x()}, nil, nil},
		{"BatchNormalization", []*Tensor{x(), nnRand(rng, 8), nnRand(rng, 8), nnRand(rng, 8), FromF32([]float32{1, 2, 3, 4, 1, 2, 3, 4}, 8)}, nil, nil},
		{"LRN", []*Tensor{x()}, nil, []*onnx.Attribute{nnInt("size", 3)}},
		{"Pad", []*Tensor{x(), FromI64([]int64{0, 0, 1, 2, 0, 1, 0, 1}, 8)}, map[int]bool{1: true}, nil},
		{"Slice", []*Tensor{x(), FromI64([]int64{1, 19}, 2), FromI64([]int64{20, 0}, 2), FromI64([]int64{2, 3}, 2), FromI64([]int64{1, -2}, 2)},
			map[int]bool{1: true, 2: true, 3: true, 4: true}, nil},
		{"Gather", []*Tensor{x(), FromI64([]int64{3, -1, 0}, 3)}, nil, []*onnx.Attribute{nnInt("axis", 1)}},
		{"ReduceMean", []*Tensor{x()}, nil, []*onnx.Attribute{nnInts("axes", 1, 3)}},
		{"QuantizeLinear", []*Tensor{x(), FromF32([]float32{0.01}, 1)}, nil, nil},
	}
	for _, c := range cases {
		n := nnNode(c.op, c.ins, 1, c.attrs...)
		if c.op == "Split" {
			n.Outputs = []string{"y0", "y1"}
		}
		op, err := Build(n, 13)
		if err != nil {
			t.Fatalf("%s: %v", c.op, err)
		}
		b, ok := op.(Binder)
		if !ok {
			t.Errorf("%s does not implement Binder", c.op)
			continue
		}
		vals := make([]Value, len(c.ins))
		for i, in := range c.ins {
			vals[i] = Value{Type: in.Type, Shape: in.Shape}
			if c.consts[i] {
				vals[i].Const = in
			}
		}
		ov, err := op.Infer(vals)
		if err != nil {
			t.Fatalf("%s: %v", c.op, err)
		}
		for _, par := range []Parallel{Serial{}, ewStepPar{3}} {
			outs := make([]*Tensor, len(ov))
			for i, v := range ov {
				outs[i] = New(v.Type, v.Shape...)
			}
			ins := append([]*Tensor{}, c.ins...)
			ins[0] = &Tensor{Type: c.ins[0].Type, Shape: c.ins[0].Shape}
			ctx := &Ctx{Par: par, Scratch: AlignedBytes(1 << 12)}
			f, err := b.Bind(ctx, ins, outs)
			if err != nil {
				t.Fatalf("%s: Bind: %v", c.op, err)
			}
			for round := range 2 {
				ins[0].Data = x().Data
				if err := f(); err != nil {
					t.Fatalf("%s: bound call: %v", c.op, err)
				}
				want := make([]*Tensor, len(ov))
				for i, v := range ov {
					want[i] = New(v.Type, v.Shape...)
				}
				if err := op.Run(&Ctx{Par: Serial{}, Scratch: AlignedBytes(1 << 12)}, ins, want); err != nil {
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
