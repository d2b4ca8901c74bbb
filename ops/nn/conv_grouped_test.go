package nn

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// groupedCases are grouped convolutions (1 < groups < channels) on each
// per-group path: ShuffleNet's grouped 1x1 layers (in place, strided and
// gathered, transposed for few positions), ResNeXt's 3x3 with 4 channels
// per group (implicit im2col), a 2x2 stride-2 window (packed im2col).
var groupedCases = []convCase{
	{x: []int{1, 24, 14, 13}, w: []int{48, 8, 1, 1}, group: 3, bias: true, act: ops.Activation{Kind: ops.ActRelu}},
	{x: []int{2, 32, 9, 9}, w: []int{64, 4, 1, 1}, group: 8, bias: true, residual: true, act: ops.Activation{Kind: ops.ActSwish, Alpha: 1}},
	{x: []int{1, 24, 15, 16}, w: []int{24, 3, 1, 1}, group: 8, strides: []int{2, 2}, bias: true},
	{x: []int{1, 40, 7, 7}, w: []int{120, 10, 1, 1}, group: 4, bias: true, residual: true, act: ops.Activation{Kind: ops.ActRelu}},
	{x: []int{1, 64, 12, 11}, w: []int{64, 4, 3, 3}, group: 16, pads: []int{1, 1, 1, 1}, bias: true, act: ops.Activation{Kind: ops.ActClip, Min: 0, Max: 6}},
	{x: []int{2, 32, 13, 10}, w: []int{64, 8, 3, 3}, group: 4, strides: []int{2, 2}, pads: []int{1, 0, 1, 1}, residual: true, act: ops.Activation{Kind: ops.ActHardSwish, Alpha: 1.0 / 6, Beta: 0.5}},
	{x: []int{1, 12, 10, 9}, w: []int{18, 4, 2, 2}, group: 3, strides: []int{2, 2}, bias: true},
}

// TestConvGrouped checks grouped convolutions against the reference, run
// on one thread and three, and bound with their groups spread over two
// and three threads (each task with its own scratch): the bits of a
// serial run, and no allocation.
func TestConvGrouped(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	spread := 0
	for i := range groupedCases {
		cc := &groupedCases[i]
		for _, constW := range []bool{true, false} {
			cc.check(t, rng, constW, ops.Serial{})
		}
		cc.check(t, rng, true, opstest.Par{N: 3})
		for _, par := range []ops.Parallel{opstest.SeqPar{}, opstest.Par{N: 3}} {
			if cc.boundAgrees(t, rng, par) {
				spread++
			}
		}
	}
	if spread == 0 {
		t.Error("no bound step spread its groups over threads")
	}
}

// boundAgrees binds the case (W constant) with par and checks that its
// bound runs give the bits of a serial run and, on the sequential
// two-thread SeqPar, allocate nothing. It reports whether the step
// spread its groups over threads.
func (cc *convCase) boundAgrees(t *testing.T, rng *rand.Rand, par ops.Parallel) bool {
	t.Helper()
	label := fmt.Sprintf("%+v threads=%d", *cc, par.Threads())
	ins := []*ops.Tensor{opstest.Rand(rng, cc.x...), opstest.Rand(rng, cc.w...)}
	if cc.bias {
		ins = append(ins, opstest.Rand(rng, cc.w[0]))
	}
	op, err := ops.Build(cc.node(ins), 22)
	if err != nil {
		t.Fatal(err)
	}
	if cc.residual {
		op = op.(ops.AddFuser).FuseAdd()
		_, out := cc.expectedPads()
		ins = append(ins, opstest.Rand(rng, append([]int{cc.x[0], cc.w[0]}, out...)...))
	}
	if cc.act.Kind != ops.ActNone {
		op = op.(ops.ActFuser).FuseActivation(cc.act)
	}
	vals, ov, err := opstest.Prepare(op, ins, map[int]bool{1: true, 2: cc.bias})
	if err != nil {
		t.Fatal(err)
	}
	ins = slices.Clone(ins)
	for _, i := range op.(ops.Releaser).Released() {
		ins[i] = &ops.Tensor{Type: ins[i].Type, Shape: ins[i].Shape}
	}
	scratch := op.(ops.Workspacer).Workspace(vals)
	want, got := ops.New(ov[0].Type, ov[0].Shape...), ops.New(ov[0].Type, ov[0].Shape...)
	if err := op.Run(&ops.Ctx{Par: ops.Serial{}, Scratch: ops.AlignedBytes(scratch)}, ins, []*ops.Tensor{want}); err != nil {
		t.Fatal(err)
	}
	b, err := op.(ops.Binder).Bind(&ops.Ctx{Par: par, Scratch: ops.AlignedBytes(scratch)}, ins, []*ops.Tensor{got})
	if err != nil {
		t.Fatal(err)
	}
	if err := b(); err != nil {
		t.Fatal(err)
	}
	sameBits(t, label, got.F32(), want.F32())
	if _, seq := par.(opstest.SeqPar); seq {
		if n := testing.AllocsPerRun(3, func() {
			if err := b(); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s: bound run allocates %v times, want 0", label, n)
		}
	}
	d, err := convDimsOf(&ops.WindowAttrs{Strides: cc.strides, Pads: cc.pads}, cc.group, cc.x, cc.w)
	if err != nil {
		t.Fatal(err)
	}
	return spreadGroups(&d, cc.group, chooseConv(&d, cc.group, op.(*convOp).form()), par.Threads())
}
