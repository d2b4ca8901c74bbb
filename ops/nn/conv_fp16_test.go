package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// checkHalf runs cc in the fp16 mode (with hgemm's Go kernel where the CPU
// has no fp16 arithmetic) and compares with refConv within fp16's error:
// the operands' rounding and the sums of blocks of K in fp16 bound each
// element's error by about (KC+3) * 2^-11 times the sum of its terms'
// magnitudes. It returns the algorithm the op ran.
func (cc *convCase) checkHalf(t *testing.T, rng *rand.Rand, par ops.Parallel) string {
	t.Helper()
	label := fmt.Sprintf("fp16 %+v threads=%d", *cc, par.Threads())
	x, w := opstest.Rand(rng, cc.x...), opstest.Rand(rng, cc.w...)
	ins := []*ops.Tensor{x, w}
	var b []float32
	if cc.bias {
		bt := opstest.Rand(rng, cc.w[0])
		ins, b = append(ins, bt), bt.F32()
	}
	op, err := ops.Build(cc.node(ins), 22)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	op.(ops.PrecisionSetter).SetPrecision(ops.FP16)
	pads, out := cc.expectedPads()
	nd := len(cc.x) - 2
	strides, dil := cc.strides, cc.dilations
	if strides == nil {
		strides = []int{1, 1, 1}[:nd]
	}
	if dil == nil {
		dil = []int{1, 1, 1}[:nd]
	}
	want := refConv(x.F32(), w.F32(), b, cc.x, cc.w, cc.group, strides, dil, pads, out)
	// The magnitudes' sums: the same convolution of |X| and |W|.
	abs := func(s []float32) []float32 {
		a := make([]float32, len(s))
		for i, v := range s {
			a[i] = float32(math.Abs(float64(v)))
		}
		return a
	}
	mag := refConv(abs(x.F32()), abs(w.F32()), nil, cc.x, cc.w, cc.group, strides, dil, pads, out)
	if cc.residual {
		op = op.(ops.AddFuser).FuseAdd()
		r := opstest.Rand(rng, append([]int{cc.x[0], cc.w[0]}, out...)...)
		ins = append(ins, r)
		for i := range want {
			want[i] += r.F32()[i]
		}
	}
	if cc.act.Kind != ops.ActNone {
		op = op.(ops.ActFuser).FuseActivation(cc.act)
		for i := range want {
			want[i] = cc.act.Apply(want[i])
		}
	}
	got, err := execReleased(op, ins, map[int]bool{1: true, 2: true}, par)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	k := cc.w[1]
	for _, n := range cc.w[2:] {
		k *= n
	}
	kc := float32(min(k, 128) + 3)
	for i, g := range got[0].F32() {
		if d := float32(math.Abs(float64(g - want[i]))); !(d <= kc*0x1p-11*mag[i]+1e-5) {
			t.Fatalf("%s: Y[%d] = %v, want %v (error bound %v)", label, i, g, want[i], kc*0x1p-11*mag[i])
		}
	}
	vals := make([]ops.Value, len(ins))
	for i, in := range ins {
		vals[i] = ops.Value{Type: in.Type, Shape: in.Shape}
	}
	return op.(ops.AlgorithmNamer).Algorithm(vals)
}

// TestConvHalf checks the fp16 path on the shapes it computes (1x1 in
// place and strided, padded windows with unit and larger strides,
// groups, batches, fused residuals and activations), and that the shapes
// it does not (depthwise, 3-D) keep float32.
func TestConvHalf(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	relu := ops.Activation{Kind: ops.ActRelu}
	cases := []struct {
		cc   convCase
		half bool
	}{
		{convCase{x: []int{1, 3, 9, 10}, w: []int{5, 3, 3, 3}, group: 1, pads: []int{1, 1, 1, 1}, bias: true, act: relu}, true},
		{convCase{x: []int{2, 8, 6, 7}, w: []int{17, 8, 1, 1}, group: 1, bias: true, residual: true, act: relu}, true},
		{convCase{x: []int{1, 16, 13, 14}, w: []int{40, 16, 1, 1}, group: 1, strides: []int{2, 2}, bias: true}, true},
		{convCase{x: []int{1, 4, 9, 9}, w: []int{6, 2, 3, 3}, group: 2, strides: []int{2, 2}, pads: []int{1, 1, 1, 1}, bias: true, act: relu}, true},
		{convCase{x: []int{1, 3, 23, 21}, w: []int{20, 3, 7, 7}, group: 1, strides: []int{2, 2}, pads: []int{3, 3, 3, 3}, bias: true, act: relu}, true},
		{convCase{x: []int{1, 3, 31, 31}, w: []int{9, 3, 11, 11}, group: 1, strides: []int{4, 4}, pads: []int{2, 2, 2, 2}, bias: true}, true},
		// K = 64*9 = 576: several fp16 blocks of K summed in float32.
		{convCase{x: []int{1, 64, 8, 8}, w: []int{24, 64, 3, 3}, group: 1, pads: []int{1, 1, 1, 1}, bias: true, residual: true, act: ops.Activation{Kind: ops.ActClip, Min: -1, Max: 6}}, true},
		{convCase{x: []int{2, 40, 7, 7}, w: []int{33, 40, 1, 1}, group: 1, bias: true, residual: true, act: relu}, true},
		// 3x3 windows that run as F(4x4, 3x3) (where the transforms have
		// SIMD), its products in fp16: few tiles, and several chunks.
		{convCase{x: []int{1, 16, 16, 16}, w: []int{24, 16, 3, 3}, group: 1, pads: []int{1, 1, 1, 1}, bias: true, act: relu}, true},
		{convCase{x: []int{2, 20, 30, 29}, w: []int{33, 20, 3, 3}, group: 1, pads: []int{1, 1, 1, 1}, bias: true, residual: true, act: relu}, true},
		{convCase{x: []int{1, 5, 11, 10}, w: []int{5, 1, 3, 3}, group: 5, pads: []int{1, 1, 1, 1}, bias: true}, false},
		{convCase{x: []int{1, 2, 5, 6, 7}, w: []int{3, 2, 2, 3, 2}, group: 1, strides: []int{1, 2, 2}, pads: []int{1, 0, 1, 0, 1, 1}, bias: true}, false},
	}
	for _, c := range cases {
		for _, par := range []ops.Parallel{ops.Serial{}, opstest.Par{N: 3}} {
			algo := c.cc.checkHalf(t, rng, par)
			if par.Threads() == 1 {
				t.Logf("x %v w %v: %s", c.cc.x, c.cc.w, algo)
			}
			if strings.HasPrefix(algo, "fp16") != c.half {
				t.Errorf("%+v: algorithm %q, fp16 path %v", c.cc, algo, c.half)
			}
		}
	}
}

// TestHalfBindAllocs checks that bound fp16 convolutions and GEMVs
// allocate nothing after their first run (which makes hgemm's buffers).
func TestHalfBindAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	x := opstest.Rand(rng, 1, 16, 16, 16)
	cases := []struct {
		op    string
		ins   []*ops.Tensor
		attrs []*onnx.Attribute
	}{
		{"Conv", []*ops.Tensor{x, opstest.Rand(rng, 24, 16, 1, 1), opstest.Rand(rng, 24)}, nil},
		{"Conv", []*ops.Tensor{x, opstest.Rand(rng, 24, 16, 3, 3), opstest.Rand(rng, 24)}, []*onnx.Attribute{opstest.Ints("pads", 1, 1, 1, 1)}},
		{"Conv", []*ops.Tensor{x, opstest.Rand(rng, 24, 16, 3, 3)}, []*onnx.Attribute{opstest.Ints("pads", 1, 1, 1, 1), opstest.Ints("strides", 2, 2)}},
		{"Gemm", []*ops.Tensor{opstest.Rand(rng, 1, 300), opstest.Rand(rng, 50, 300), opstest.Rand(rng, 50)}, []*onnx.Attribute{opstest.Int("transB", 1)}},
	}
	for _, c := range cases {
		op, err := ops.Build(opstest.NodeOf(c.op, c.ins, 1, c.attrs...), 13)
		if err != nil {
			t.Fatal(err)
		}
		op.(ops.PrecisionSetter).SetPrecision(ops.FP16)
		vals, ov, err := opstest.Prepare(op, c.ins, map[int]bool{1: true, 2: true})
		if err != nil {
			t.Fatal(err)
		}
		out := []*ops.Tensor{ops.New(ov[0].Type, ov[0].Shape...)}
		for _, par := range []ops.Parallel{ops.Serial{}} {
			ctx := &ops.Ctx{Par: par, Scratch: ops.AlignedBytes(op.(ops.Workspacer).Workspace(vals))}
			run, err := op.(ops.Binder).Bind(ctx, c.ins, out)
			if err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(3, func() {
				if err := run(); err != nil {
					t.Fatal(err)
				}
			}); n != 0 {
				t.Errorf("%s %v threads=%d: %v allocations per run, want 0", c.op, c.attrs, par.Threads(), n)
			}
		}
	}
}
