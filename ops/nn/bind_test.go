package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestLayerBindAllocs checks that the operators added beside Conv, bound
// to their tensors, run on two threads without allocating and give the
// bits of a serial Run, also after the input's data changes.
func TestLayerBindAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 46))
	x := opstest.Rand(rng, 2, 8, 9, 10)
	r := func(s ...int) *ops.Tensor { return opstest.Rand(rng, s...) }
	for _, c := range []struct {
		op     string
		opset  int
		ins    []*ops.Tensor
		nOut   int
		consts map[int]bool
		attrs  []*onnx.Attribute
	}{
		{"ConvTranspose", 22, []*ops.Tensor{x, r(8, 3, 3, 3), r(6)}, 1, map[int]bool{1: true}, []*onnx.Attribute{opstest.Int("group", 2), opstest.Ints("strides", 2, 2)}},
		{"ConvTranspose", 22, []*ops.Tensor{x, r(8, 4, 2, 2)}, 1, nil, nil},
		{"LayerNormalization", 17, []*ops.Tensor{x, r(10), r(9, 10)}, 3, nil, []*onnx.Attribute{opstest.Int("axis", 2)}},
		{"RMSNormalization", 23, []*ops.Tensor{x, r(8, 1, 10)}, 1, map[int]bool{1: true}, []*onnx.Attribute{opstest.Int("axis", 1)}},
		{"InstanceNormalization", 22, []*ops.Tensor{x, r(8), r(8)}, 1, nil, nil},
		{"GroupNormalization", 21, []*ops.Tensor{x, r(8), r(8)}, 1, nil, []*onnx.Attribute{opstest.Int("num_groups", 4)}},
		{"LpNormalization", 22, []*ops.Tensor{x}, 1, nil, []*onnx.Attribute{opstest.Int("axis", 1)}},
		{"LpPool", 22, []*ops.Tensor{x}, 1, nil, []*onnx.Attribute{opstest.Ints("kernel_shape", 3, 3), opstest.Int("p", 3)}},
		{"BatchNormalization", 15, []*ops.Tensor{x, r(8), r(8), r(8), r(8)}, 3, nil, []*onnx.Attribute{opstest.Int("training_mode", 1)}},
		{"DeformConv", 22, []*ops.Tensor{x, r(4, 8, 3, 3), r(2, 18, 7, 8), r(4), r(2, 9, 7, 8)}, 1, map[int]bool{1: true}, nil},
		{"CausalConvWithState", 27, []*ops.Tensor{r(2, 8, 90), r(8, 1, 4), r(8), r(2, 8, 3)}, 2, nil, []*onnx.Attribute{opstest.String("activation", "silu")}},
	} {
		label := fmt.Sprintf("%s %v", c.op, c.attrs)
		op, err := ops.Build(opstest.NodeOf(c.op, c.ins, c.nOut, c.attrs...), c.opset)
		if err != nil {
			t.Fatal(err)
		}
		vals, ov, err := opstest.Prepare(op, c.ins, c.consts)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		var want, got []*ops.Tensor
		for _, v := range ov {
			want = append(want, ops.New(v.Type, v.Shape...))
			got = append(got, ops.New(v.Type, v.Shape...))
		}
		var scratch []byte
		if w, ok := op.(ops.Workspacer); ok {
			scratch = ops.AlignedBytes(w.Workspace(vals))
		}
		ins := slices.Clone(c.ins)
		in0 := *ins[0]
		ins[0] = &in0
		run, err := op.(ops.Binder).Bind(&ops.Ctx{Par: opstest.SeqPar{}, Scratch: scratch}, ins, got)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		for round := range 2 {
			if round == 1 {
				in0.Data = opstest.Rand(rng, in0.Shape...).Data
			}
			if err := op.Run(&ops.Ctx{Par: ops.Serial{}, Scratch: ops.AlignedBytes(len(scratch))}, ins, want); err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(3, func() {
				if err := run(); err != nil {
					t.Fatal(err)
				}
			}); n != 0 {
				t.Errorf("%s: bound run allocates %v times, want 0", label, n)
			}
			for k := range want {
				for i, v := range got[k].F32() {
					if math.Float32bits(v) != math.Float32bits(want[k].F32()[i]) {
						t.Fatalf("%s round %d output %d: element %d = %v, serial Run gave %v", label, round, k, i, v, want[k].F32()[i])
					}
				}
			}
		}
	}
}
