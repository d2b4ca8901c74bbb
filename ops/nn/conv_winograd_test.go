package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	goruntime "runtime"
	"slices"
	"testing"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// winoCase is a 3x3 convolution for the Winograd tests.
type winoCase struct {
	n, c, h, w, m int
	pads          [4]int // top, left, bottom, right
	bias, res     bool
	act           ops.Activation
}

// forceWinograd makes every convolution of winogradShape prepared from
// now on run as F(4x4, 3x3), wide as asked, until the test ends.
func forceWinograd(t testing.TB, use, wide bool) { forceWinogradKind(t, use, wide, wino43) }

// forceWinogradKind is forceWinograd for algorithm k.
func forceWinogradKind(t testing.TB, use, wide bool, k *winoKind) {
	old := winogradPolicy
	winogradPolicy = func(*convDims) winoChoice { return winoChoice{use, wide, k} }
	t.Cleanup(func() { winogradPolicy = old })
}

// build returns the case's op (fused as asked), its inputs (the residual
// last) and which of them are constant.
func (wc winoCase) build(t *testing.T, rng *rand.Rand) (ops.Op, []*ops.Tensor, map[int]bool) {
	t.Helper()
	ins := []*ops.Tensor{opstest.Rand(rng, wc.n, wc.c, wc.h, wc.w), opstest.Rand(rng, wc.m, wc.c, 3, 3)}
	consts := map[int]bool{1: true}
	if wc.bias {
		ins = append(ins, opstest.Rand(rng, wc.m))
		consts[2] = true
	}
	p := wc.pads
	op, err := ops.Build(opstest.NodeOf("Conv", ins, 1, opstest.Ints("pads", p[0], p[1], p[2], p[3])), 13)
	if err != nil {
		t.Fatal(err)
	}
	if wc.res {
		op = op.(ops.AddFuser).FuseAdd()
		ins = append(ins, opstest.Rand(rng, wc.n, wc.m, wc.h+p[0]+p[2]-2, wc.w+p[1]+p[3]-2))
	}
	if wc.act.Kind != ops.ActNone {
		op = op.(ops.ActFuser).FuseActivation(wc.act)
	}
	return op, ins, consts
}

// abs returns |v| element by element.
func abs(v []float32) []float32 {
	a := make([]float32, len(v))
	for i, x := range v {
		a[i] = float32(math.Abs(float64(x)))
	}
	return a
}

// winogradErrorBound is the largest error allowed on an output, relative
// to the sum of |w·x| over its window plus |bias| and |residual| (a
// direct float32 sum errs by a few float32 epsilons, 6e-8, of it): the
// transforms' coefficients (up to 5 in Bᵀ, 8 in Aᵀ, 1/24 in G) scale the
// rounding errors of the transformed values by up to about 30; the
// largest error measured on TestWinogradReference's cases is 2.2e-6.
const winogradErrorBound = 5e-6

// winograd63ErrorBound is winogradErrorBound for F(6x6, 3x3), whose
// transforms' coefficients are larger (up to 5.25 and 32, and G's 1/90):
// the largest error measured on TestWinogradReference's cases is 9.6e-6.
const winograd63ErrorBound = 3e-5

// errorBound is the bound on k's errors.
func (k *winoKind) errorBound() float64 {
	if k == wino63 {
		return winograd63ErrorBound
	}
	return winogradErrorBound
}

// TestWinogradReference checks F(4x4, 3x3) convolutions, narrow and wide,
// against a float64 direct convolution, on odd sizes, every kind of
// padding, batches, bias, residual and activations, and across chunks of
// tile rows.
func TestWinogradReference(t *testing.T) {
	old := winogradChunk
	winogradChunk = 1 // as few tile rows a chunk as allowed
	t.Cleanup(func() { winogradChunk = old })
	rng := rand.New(rand.NewPCG(7, 8))
	cases := []winoCase{
		{n: 1, c: 3, h: 5, w: 7, m: 4, pads: [4]int{1, 1, 1, 1}},
		{n: 2, c: 17, h: 13, w: 11, m: 9, bias: true},
		{n: 1, c: 8, h: 9, w: 10, m: 5, pads: [4]int{1, 0, 2, 1}, act: ops.Activation{Kind: ops.ActRelu}},
		{n: 1, c: 5, h: 3, w: 3, m: 7, pads: [4]int{2, 2, 2, 2}, res: true},
		{n: 2, c: 33, h: 23, w: 17, m: 40, pads: [4]int{1, 1, 1, 1}, bias: true, res: true, act: ops.Activation{Kind: ops.ActRelu}},
		{n: 1, c: 64, h: 30, w: 30, m: 64, pads: [4]int{1, 1, 1, 1}, bias: true, act: ops.Activation{Kind: ops.ActClip, Min: -0.5, Max: 0.5}},
		{n: 1, c: 16, h: 4, w: 19, m: 24, pads: [4]int{0, 1, 0, 1}, act: ops.Activation{Kind: ops.ActLeakyRelu, Alpha: 0.1}},
		// Several chunks of tile rows.
		{n: 2, c: 8, h: 100, w: 10, m: 12, pads: [4]int{0, 1, 2, 0}, bias: true, res: true, act: ops.Activation{Kind: ops.ActLeakyRelu, Alpha: -0.3}},
		{n: 1, c: 4, h: 300, w: 3, m: 20, pads: [4]int{1, 1, 1, 1}, act: ops.Activation{Kind: ops.ActRelu}},
	}
	if !testing.Short() {
		// Many channels.
		cases = append(cases, winoCase{n: 1, c: 200, h: 17, w: 15, m: 200, pads: [4]int{1, 1, 1, 1}, bias: true, res: true})
	}
	for _, k := range []*winoKind{wino43, wino63} {
		worst := 0.0
		for _, wide := range []bool{false, true} {
			if wide && !winogradWideOK() {
				t.Logf("kernel %s: wide convolutions not tested", gemm.KernelName())
				continue
			}
			forceWinogradKind(t, true, wide, k)
			for _, wc := range cases {
				worst = max(worst, wc.check(t, rng, k, wide))
			}
		}
		t.Logf("%s: largest error relative to the sum of magnitudes: %.3g", k.name, worst)
	}
}

// check compares the case's convolution (wide or not) with refConv and
// returns its largest error relative to the sum of magnitudes.
func (wc winoCase) check(t *testing.T, rng *rand.Rand, k *winoKind, wide bool) float64 {
	t.Helper()
	worst := 0.0
	label := fmt.Sprintf("%s %+v wide=%v", k.name, wc, wide)
	op, ins, consts := wc.build(t, rng)
	got, err := opstest.Exec(op, ins, consts, ops.Serial{})
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	if w := op.(*convOp).wino; w == nil || w.wide != wide || w.k != k {
		t.Fatalf("%s: not run as that Winograd of that width", label)
	}
	x, w := ins[0], ins[1]
	var b, absB []float32
	if wc.bias {
		b, absB = ins[2].F32(), abs(ins[2].F32())
	}
	oh, ow := wc.h+wc.pads[0]+wc.pads[2]-2, wc.w+wc.pads[1]+wc.pads[3]-2
	want := refConv(x.F32(), w.F32(), b, x.Shape, w.Shape, 1, []int{1, 1}, []int{1, 1}, wc.pads[:2], []int{oh, ow})
	scale := refConv(abs(x.F32()), abs(w.F32()), absB, x.Shape, w.Shape, 1, []int{1, 1}, []int{1, 1}, wc.pads[:2], []int{oh, ow})
	if wc.res {
		r := ins[len(ins)-1].F32()
		for i := range want {
			want[i] += r[i]
			scale[i] += float32(math.Abs(float64(r[i])))
		}
	}
	for i, v := range want {
		want[i] = wc.act.Apply(v)
	}
	for i, v := range got[0].F32() {
		e := math.Abs(float64(v)-float64(want[i])) / float64(scale[i])
		worst = max(worst, e)
		if !(e <= k.errorBound()) {
			t.Fatalf("%s: element %d = %v, want %v (error %.3g of the window's sum of magnitudes %v)", label, i, v, want[i], e, scale[i])
		}
	}
	return worst
}

// winogradBenchShapes are the 3x3 unit-stride convolutions (C input and
// M output channels on hw x hw, padding 1) BenchmarkWinograd times:
// ResNet's, AlexNet's, and smaller and larger ones, to calibrate
// winogradCosts.
var winogradBenchShapes = []struct{ c, m, hw int }{
	{64, 64, 56}, {128, 128, 28}, {256, 256, 14}, {512, 512, 7},
	{192, 384, 13}, {384, 256, 13}, {256, 256, 13},
	{32, 32, 28}, {16, 16, 56}, {16, 32, 112}, {64, 128, 40}, {128, 64, 20}, {48, 48, 9}, {256, 512, 5},
}

// BenchmarkWinograd compares, for winogradBenchShapes (bias and Relu),
// the convolution's other path (im2col) with F(4x4, 3x3), narrow and
// wide, on GOMAXPROCS threads.
func BenchmarkWinograd(b *testing.B) {
	for _, l := range winogradBenchShapes {
		for _, mode := range []string{"im2col", "narrow", "wide"} {
			wino, wide := mode != "im2col", mode == "wide"
			if wide && !winogradWideOK() {
				continue
			}
			name := fmt.Sprintf("c%d_m%d_hw%d/%s", l.c, l.m, l.hw, mode)
			b.Run(name, func(b *testing.B) {
				forceWinograd(b, wino, wide)
				rng := rand.New(rand.NewPCG(1, 1))
				wc := winoCase{n: 1, c: l.c, h: l.hw, w: l.hw, m: l.m, pads: [4]int{1, 1, 1, 1}, bias: true, act: ops.Activation{Kind: ops.ActRelu}}
				op, ins, consts := wc.build(&testing.T{}, rng)
				run, _ := bindConv(b, op, ins, consts)
				b.ResetTimer()
				for range b.N {
					if err := run(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(2*l.c*l.m*9*l.hw*l.hw)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// bindConv prepares op for ins (constants as consts says) and binds it on
// GOMAXPROCS threads, returning the bound run and its output.
func bindConv(tb testing.TB, op ops.Op, ins []*ops.Tensor, consts map[int]bool) (func() error, *ops.Tensor) {
	tb.Helper()
	vals := make([]ops.Value, len(ins))
	for i, in := range ins {
		vals[i] = ops.Value{Type: in.Type, Shape: in.Shape}
		if consts[i] {
			vals[i].Const = in
		}
	}
	if err := op.(ops.Preparer).Prepare(vals); err != nil {
		tb.Fatal(err)
	}
	ov, err := op.Infer(vals)
	if err != nil {
		tb.Fatal(err)
	}
	out := ops.New(ov[0].Type, ov[0].Shape...)
	var par ops.Parallel = ops.Serial{}
	if n := goruntime.GOMAXPROCS(0); n > 1 {
		par = opstest.Par{N: n}
	}
	run, err := op.(ops.Binder).Bind(&ops.Ctx{Par: par, Scratch: ops.AlignedBytes(op.(ops.Workspacer).Workspace(vals))}, ins, []*ops.Tensor{out})
	if err != nil {
		tb.Fatal(err)
	}
	return run, out
}

// TestWinogradThreads checks that F(4x4, 3x3) convolutions, narrow and
// wide, give the same bits on 1 to 4 threads (each chunk on its own
// goroutine) and, bound to their tensors on two threads, allocate nothing
// and give a serial Run's bits, also after the input's data changes.
func TestWinogradThreads(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, kw := range []struct {
		k    *winoKind
		wide bool
	}{{wino43, false}, {wino43, true}, {wino63, false}, {wino63, true}} {
		k, wide := kw.k, kw.wide
		if wide && !winogradWideOK() {
			continue
		}
		forceWinogradKind(t, true, wide, k)
		wc := winoCase{n: 2, c: 19, h: 30, w: 26, m: 21, pads: [4]int{1, 1, 0, 2}, bias: true, res: true, act: ops.Activation{Kind: ops.ActRelu}}
		label := fmt.Sprintf("%s wide=%v", k.name, wide)
		op, ins, consts := wc.build(t, rng)
		want, err := opstest.Exec(op, ins, consts, ops.Serial{})
		if err != nil {
			t.Fatal(err)
		}
		for threads := 1; threads <= 4; threads++ {
			got, err := opstest.Exec(op, ins, consts, opstest.Par{N: threads})
			if err != nil {
				t.Fatal(err)
			}
			sameBits(t, fmt.Sprintf("%s threads=%d", label, threads), got[0].F32(), want[0].F32())
		}
		in0 := *ins[0]
		bound := append([]*ops.Tensor{&in0}, ins[1:]...)
		out := ops.New(want[0].Type, want[0].Shape...)
		scratch := ops.AlignedBytes(op.(ops.Workspacer).Workspace([]ops.Value{{Type: in0.Type, Shape: in0.Shape}, {Type: ins[1].Type, Shape: ins[1].Shape, Const: ins[1]}}))
		run, err := op.(ops.Binder).Bind(&ops.Ctx{Par: opstest.SeqPar{}, Scratch: scratch}, bound, []*ops.Tensor{out})
		if err != nil {
			t.Fatal(err)
		}
		for round := range 2 {
			if round == 1 {
				in0.Data = opstest.Rand(rng, in0.Shape...).Data
			}
			serial := ops.New(want[0].Type, want[0].Shape...)
			if err := op.Run(&ops.Ctx{Par: ops.Serial{}, Scratch: ops.AlignedBytes(len(scratch))}, bound, []*ops.Tensor{serial}); err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(3, func() {
				if err := run(); err != nil {
					t.Fatal(err)
				}
			}); n != 0 {
				t.Errorf("%s: bound run allocates %v times, want 0", label, n)
			}
			sameBits(t, fmt.Sprintf("%s bound, round %d", label, round), out.F32(), serial.F32())
		}
	}
}

// sameBits fails unless got and want hold the same bits.
func sameBits(t *testing.T, label string, got, want []float32) {
	t.Helper()
	for i, v := range got {
		if math.Float32bits(v) != math.Float32bits(want[i]) {
			t.Fatalf("%s: element %d = %v, want %v", label, i, v, want[i])
		}
	}
}

// TestConvReleased checks that Conv declares W released exactly when
// Prepare packed or transformed it.
func TestConvReleased(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	forceWinograd(t, true, false)
	for _, tc := range []struct {
		name   string
		group  int
		constW bool
		want   []int
	}{
		{"winograd", 1, true, []int{1}},
		{"packed", 2, true, []int{1}},
		{"runtime weights", 1, false, nil},
	} {
		ins := []*ops.Tensor{opstest.Rand(rng, 1, 4, 9, 9), opstest.Rand(rng, 6, 4/tc.group, 3, 3)}
		op, err := ops.Build(opstest.NodeOf("Conv", ins, 1, opstest.Int("group", tc.group)), 13)
		if err != nil {
			t.Fatal(err)
		}
		vals := []ops.Value{{Type: ins[0].Type, Shape: ins[0].Shape}, {Type: ins[1].Type, Shape: ins[1].Shape}}
		if tc.constW {
			vals[1].Const = ins[1]
		}
		if err := op.(ops.Preparer).Prepare(vals); err != nil {
			t.Fatal(err)
		}
		if got := op.(ops.Releaser).Released(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Released() = %v, want %v", tc.name, got, tc.want)
		}
	}
}
