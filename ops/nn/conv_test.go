package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
	"github.com/edgeinfer/edgeinfer/ops/opstest"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// convCase is one convolution for the reference comparison.
type convCase struct {
	x, w      []int // shapes
	group     int
	strides   []int
	dilations []int
	pads      []int
	autoPad   string
	bias      bool
	act       ops.Activation
	residual  bool
}

// refConv is a direct N-D convolution in float64 from the spec's formula;
// pads gives the begin padding of each axis and out the spatial output shape.
func refConv(x, w, b []float32, xs, ws []int, group int, strides, dilations, pads, out []int) []float32 {
	nd := len(xs) - 2
	n, c, m := xs[0], xs[1], ws[0]
	cg, mg := c/group, m/group
	inSize, outSize, kSize := ops.NumElems(xs[2:]), ops.NumElems(out), ops.NumElems(ws[2:])
	y := make([]float32, n*m*outSize)
	opos, kpos := make([]int, nd), make([]int, nd)
	for b0 := range n {
		for oc := range m {
			g := oc / mg
			for o := range outSize {
				opstest.Unflatten(o, out, opos)
				sum := 0.0
				if b != nil {
					sum = float64(b[oc])
				}
				for ic := range cg {
					for k := range kSize {
						opstest.Unflatten(k, ws[2:], kpos)
						idx, inside := 0, true
						for d := range nd {
							p := opos[d]*strides[d] - pads[d] + kpos[d]*dilations[d]
							if p < 0 || p >= xs[2+d] {
								inside = false
								break
							}
							idx = idx*xs[2+d] + p
						}
						if inside {
							xv := x[(b0*c+g*cg+ic)*inSize+idx]
							sum += float64(xv) * float64(w[(oc*cg+ic)*kSize+k])
						}
					}
				}
				y[(b0*m+oc)*outSize+o] = float32(sum)
			}
		}
	}
	return y
}

// expectedPads is the begin padding and output shape a case should give,
// worked out independently of ops.WindowAttrs from the spec's formulas.
func (cc *convCase) expectedPads() (pads, out []int) {
	nd := len(cc.x) - 2
	pads, out = make([]int, nd), make([]int, nd)
	for d := range nd {
		in, k, s, dil := cc.x[2+d], cc.w[2+d], 1, 1
		if cc.strides != nil {
			s = cc.strides[d]
		}
		if cc.dilations != nil {
			dil = cc.dilations[d]
		}
		ext := (k-1)*dil + 1
		switch cc.autoPad {
		case "SAME_UPPER", "SAME_LOWER":
			out[d] = int(math.Ceil(float64(in) / float64(s)))
			total := max(0, (out[d]-1)*s+ext-in)
			pads[d] = total / 2
			if cc.autoPad == "SAME_LOWER" {
				pads[d] = total - total/2
			}
		case "VALID":
			out[d] = int(math.Ceil(float64(in-ext+1) / float64(s)))
		default:
			pb, pe := 0, 0
			if cc.pads != nil {
				pb, pe = cc.pads[d], cc.pads[nd+d]
			}
			pads[d] = pb
			out[d] = (in+pb+pe-ext)/s + 1
		}
	}
	return pads, out
}

func (cc *convCase) node(ins []*ops.Tensor) *onnx.Node {
	attrs := []*onnx.Attribute{opstest.Int("group", cc.group)}
	if cc.strides != nil {
		attrs = append(attrs, opstest.Ints("strides", cc.strides...))
	}
	if cc.dilations != nil {
		attrs = append(attrs, opstest.Ints("dilations", cc.dilations...))
	}
	if cc.pads != nil {
		attrs = append(attrs, opstest.Ints("pads", cc.pads...))
	}
	if cc.autoPad != "" {
		attrs = append(attrs, opstest.String("auto_pad", cc.autoPad))
	}
	return opstest.NodeOf("Conv", ins, 1, attrs...)
}

// check runs the case with W constant or not over par and compares with refConv.
func (cc *convCase) check(t *testing.T, rng *rand.Rand, constW bool, par ops.Parallel) {
	t.Helper()
	label := fmt.Sprintf("%+v constW=%v threads=%d", *cc, constW, par.Threads())
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
	got, err := execReleased(op, ins, map[int]bool{1: constW, 2: constW}, par)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	if wantShape := append([]int{cc.x[0], cc.w[0]}, out...); !ops.SameShape(got[0].Shape, wantShape) {
		t.Fatalf("%s: shape %v, want %v", label, got[0].Shape, wantShape)
	}
	opstest.Close(t, label, got[0].F32(), want, 1e-4, 1e-4)
}

// execReleased is opstest.Exec with the inputs op declares released
// after Prepare (ops.Releaser) passed to Run without their data, as the
// runtime drops them.
func execReleased(op ops.Op, ins []*ops.Tensor, consts map[int]bool, par ops.Parallel) ([]*ops.Tensor, error) {
	vals, outVals, err := opstest.Prepare(op, ins, consts)
	if err != nil {
		return nil, err
	}
	ins = slices.Clone(ins)
	if r, ok := op.(ops.Releaser); ok {
		for _, i := range r.Released() {
			ins[i] = &ops.Tensor{Type: ins[i].Type, Shape: ins[i].Shape}
		}
	}
	outs := make([]*ops.Tensor, len(outVals))
	for i, v := range outVals {
		outs[i] = ops.New(v.Type, v.Shape...)
		for j := range outs[i].F32() {
			outs[i].F32()[j] = float32(math.NaN()) // Run must write every element
		}
	}
	ctx := &ops.Ctx{Par: par}
	if w, ok := op.(ops.Workspacer); ok {
		ctx.Scratch = ops.AlignedBytes(w.Workspace(vals))
	}
	if err := op.Run(ctx, ins, outs); err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	return outs, nil
}

func TestConvReference(t *testing.T) {
	relu := ops.Activation{Kind: ops.ActRelu}
	cases := []convCase{
		{x: []int{1, 1, 5, 5}, w: []int{1, 1, 3, 3}, group: 1},
		{x: []int{2, 3, 7, 6}, w: []int{4, 3, 3, 2}, group: 1, pads: []int{1, 0, 2, 1}, bias: true},
		{x: []int{1, 4, 9, 9}, w: []int{6, 2, 3, 3}, group: 2, strides: []int{2, 2}, pads: []int{1, 1, 1, 1}, bias: true, act: relu},
		{x: []int{1, 5, 11, 10}, w: []int{5, 1, 3, 3}, group: 5, pads: []int{1, 1, 1, 1}, bias: true, act: ops.Activation{Kind: ops.ActClip, Min: 0, Max: 0.5}},
		{x: []int{2, 4, 12, 13}, w: []int{4, 1, 5, 3}, group: 4, strides: []int{2, 3}, dilations: []int{2, 1}, pads: []int{2, 1, 3, 0}, residual: true, act: relu},
		{x: []int{1, 3, 8, 8}, w: []int{6, 1, 3, 3}, group: 3, strides: []int{2, 2}, autoPad: "SAME_UPPER", bias: true},
		{x: []int{1, 2, 10, 9}, w: []int{3, 2, 3, 4}, group: 1, dilations: []int{2, 3}, autoPad: "SAME_LOWER"},
		{x: []int{1, 2, 10, 9}, w: []int{3, 2, 4, 2}, group: 1, strides: []int{3, 2}, autoPad: "VALID", bias: true},
		{x: []int{2, 8, 6, 7}, w: []int{5, 8, 1, 1}, group: 1, bias: true, residual: true, act: ops.Activation{Kind: ops.ActLeakyRelu, Alpha: 0.1}},
		{x: []int{1, 6, 6, 7}, w: []int{4, 3, 1, 1}, group: 2, strides: []int{2, 2}},
		{x: []int{2, 3, 17}, w: []int{4, 3, 4}, group: 1, strides: []int{2}, dilations: []int{3}, pads: []int{2, 5}, bias: true, act: relu},
		{x: []int{1, 4, 20}, w: []int{4, 1, 3}, group: 4, pads: []int{1, 1}, residual: true},
		{x: []int{1, 2, 5, 6, 7}, w: []int{3, 2, 2, 3, 2}, group: 1, strides: []int{1, 2, 2}, pads: []int{1, 0, 1, 0, 1, 1}, bias: true},
		{x: []int{1, 3, 4, 5, 6}, w: []int{3, 1, 3, 3, 3}, group: 3, dilations: []int{1, 2, 1}, pads: []int{1, 2, 1, 1, 2, 1}, residual: true, act: relu},
		// Unit stride, 2-D: computed at the padded width.
		{x: []int{2, 6, 9, 8}, w: []int{4, 3, 3, 3}, group: 2, dilations: []int{1, 2}, pads: []int{0, 1, 2, 3}, residual: true, act: ops.Activation{Kind: ops.ActClip, Min: -0.2, Max: 0.4}},
		// Strided windows with many taps per phase (a stem): computed over
		// the padded input split by stride phase.
		{x: []int{1, 3, 23, 21}, w: []int{4, 3, 7, 5}, group: 1, strides: []int{2, 2}, dilations: []int{1, 2}, pads: []int{3, 2, 2, 1}, bias: true, act: relu},
		{x: []int{2, 4, 17, 16}, w: []int{6, 2, 5, 5}, group: 2, strides: []int{3, 2}, pads: []int{2, 1, 0, 2}, residual: true},
		// Padded rows of 16: tiles of 2 rows when paddedProductBudget is
		// 130, 32 columns, and a last one of 16, a partial panel of
		// columns that the GEMM packs (with AVX-512's 32-column panels).
		{x: []int{1, 2, 5, 14}, w: []int{4, 2, 3, 3}, group: 1, pads: []int{1, 1, 1, 1}, bias: true, act: relu},
		// K*P = 288*1600 is larger than one im2col tile: several tiles.
		{x: []int{1, 32, 40, 40}, w: []int{24, 32, 3, 3}, group: 1, pads: []int{1, 1, 1, 1}, bias: true, residual: true, act: relu},
		{x: []int{1, 20, 33, 35}, w: []int{70, 20, 5, 5}, group: 1, strides: []int{1, 2}, pads: []int{2, 2, 2, 2}},
		// AlexNet's second conv: an im2col tile boundary falls mid-row where
		// a tap's whole remaining run lies in the right padding.
		{x: []int{1, 64, 27, 27}, w: []int{3, 64, 5, 5}, group: 1, pads: []int{2, 2, 2, 2}, bias: true},
		// One-tap convolutions with few output positions, which take the
		// transposed product (Y^T = X^T W^T) when that fills kernel tiles better.
		{x: []int{2, 160, 7, 7}, w: []int{64, 160, 1, 1}, group: 1, bias: true, residual: true, act: relu},
		{x: []int{1, 24, 5, 7}, w: []int{70, 12, 1, 1}, group: 2, bias: true},
		{x: []int{1, 33, 14, 14}, w: []int{96, 33, 1, 1}, group: 1, residual: true, act: ops.Activation{Kind: ops.ActLeakyRelu, Alpha: 0.1}},
		{x: []int{2, 160, 13, 14}, w: []int{64, 160, 1, 1}, group: 1, strides: []int{2, 2}, bias: true, residual: true, act: relu},
		{x: []int{1, 24, 28, 28}, w: []int{128, 12, 1, 1}, group: 2, strides: []int{2, 2}, bias: true},
		{x: []int{1, 16, 9, 10}, w: []int{96, 16, 1, 1}, group: 1, strides: []int{3, 2}},
		// A strided one with 136 output channels and 225 positions: on
		// arm64's NEON kernel, the gathered positions packed (readInPlace).
		{x: []int{1, 20, 30, 29}, w: []int{136, 20, 1, 1}, group: 1, strides: []int{2, 2}, bias: true, residual: true, act: relu},
		{x: []int{1, 8, 5, 6, 7}, w: []int{64, 8, 1, 1, 1}, group: 1, strides: []int{2, 1, 3}, bias: true},
		// Larger windows with few output positions: the transposed product
		// over im2col(X)ᵀ gathered from the padded input (stride phases too).
		{x: []int{2, 24, 7, 7}, w: []int{64, 24, 3, 3}, group: 1, pads: []int{1, 1, 1, 1}, bias: true, residual: true, act: relu},
		{x: []int{1, 16, 14, 13}, w: []int{96, 8, 3, 3}, group: 2, strides: []int{2, 2}, pads: []int{1, 1, 1, 0}, bias: true, act: relu},
		{x: []int{1, 12, 9, 8}, w: []int{64, 12, 3, 2}, group: 1, dilations: []int{2, 1}, pads: []int{1, 0, 2, 1}, residual: true},
		// One output position: the transposed product is a matrix-vector one.
		{x: []int{2, 70, 1, 1}, w: []int{37, 70, 1, 1}, group: 1, bias: true, residual: true, act: relu},
		{x: []int{1, 24, 1, 1}, w: []int{40, 12, 1, 1}, group: 2, bias: true, act: ops.Activation{Kind: ops.ActLeakyRelu, Alpha: 0.1}},
		{x: []int{1, 9, 3, 3}, w: []int{21, 9, 3, 3}, group: 1, bias: true, act: relu},
	}
	old := paddedProductBudget
	t.Cleanup(func() { paddedProductBudget = old })
	// Windows on the padded path compute their product a tile of whole
	// output rows at a time: in one tile, a few rows a tile with a
	// shorter last one, and (but with -short, as under emulation) one row
	// a tile.
	budgets := []int{old, 130, 1}
	if testing.Short() {
		budgets = budgets[:2]
	}
	for _, budget := range budgets {
		paddedProductBudget = budget
		rng := rand.New(rand.NewPCG(11, 12)) // the same operands each time
		for i := range cases {
			for _, constW := range []bool{true, false} {
				cases[i].check(t, rng, constW, ops.Serial{})
				cases[i].check(t, rng, constW, opstest.Par{N: 3})
			}
		}
	}
}

func TestConvSpecExample(t *testing.T) {
	// Operators.md, Conv: conv_with_padding and conv_without_padding.
	x := make([]float32, 25)
	for i := range x {
		x[i] = float32(i)
	}
	w := make([]float32, 9)
	for i := range w {
		w[i] = 1
	}
	for _, c := range []struct {
		pads []int
		want []float32
	}{
		{[]int{1, 1, 1, 1}, []float32{12, 21, 27, 33, 24, 33, 54, 63, 72, 51, 63, 99, 108, 117, 81, 93, 144, 153, 162, 111, 72, 111, 117, 123, 84}},
		{[]int{0, 0, 0, 0}, []float32{54, 63, 72, 99, 108, 117, 144, 153, 162}},
	} {
		ins := []*ops.Tensor{ops.FromF32(x, 1, 1, 5, 5), ops.FromF32(w, 1, 1, 3, 3)}
		op, err := ops.Build(opstest.NodeOf("Conv", ins, 1, opstest.Ints("kernel_shape", 3, 3), opstest.Ints("pads", c.pads...)), 11)
		if err != nil {
			t.Fatal(err)
		}
		got, err := opstest.Exec(op, ins, map[int]bool{1: true}, ops.Serial{})
		if err != nil {
			t.Fatal(err)
		}
		opstest.Close(t, fmt.Sprint("pads ", c.pads), got[0].F32(), c.want, 0, 0)
	}
}

func TestConvErrors(t *testing.T) {
	x4 := ops.New(onnx.Float, 1, 4, 5, 5)
	for _, c := range []struct {
		name  string
		ins   []*ops.Tensor
		attrs []*onnx.Attribute
		want  string
	}{
		{"zero stride", []*ops.Tensor{x4, ops.New(onnx.Float, 2, 4, 3, 3)}, []*onnx.Attribute{opstest.Ints("strides", 1, 0)}, "strides"},
		{"negative pad", []*ops.Tensor{x4, ops.New(onnx.Float, 2, 4, 3, 3)}, []*onnx.Attribute{opstest.Ints("pads", 0, -1, 0, 0)}, "pads"},
		{"odd pads", []*ops.Tensor{x4, ops.New(onnx.Float, 2, 4, 3, 3)}, []*onnx.Attribute{opstest.Ints("pads", 0, 1, 0)}, "pads"},
		{"bad auto_pad", []*ops.Tensor{x4, ops.New(onnx.Float, 2, 4, 3, 3)}, []*onnx.Attribute{opstest.String("auto_pad", "SAME")}, "auto_pad"},
		{"pads with auto_pad", []*ops.Tensor{x4, ops.New(onnx.Float, 2, 4, 3, 3)}, []*onnx.Attribute{opstest.String("auto_pad", "VALID"), opstest.Ints("pads", 1, 1, 1, 1)}, "pads"},
		{"zero group", []*ops.Tensor{x4, ops.New(onnx.Float, 2, 4, 3, 3)}, []*onnx.Attribute{opstest.Int("group", 0)}, "group"},
		{"channels", []*ops.Tensor{x4, ops.New(onnx.Float, 2, 3, 3, 3)}, nil, "input channels"},
		{"group channels", []*ops.Tensor{x4, ops.New(onnx.Float, 3, 2, 3, 3)}, []*onnx.Attribute{opstest.Int("group", 2)}, "multiple of group"},
		{"kernel too big", []*ops.Tensor{x4, ops.New(onnx.Float, 2, 4, 6, 3)}, nil, "exceeds padded input"},
		{"kernel_shape mismatch", []*ops.Tensor{x4, ops.New(onnx.Float, 2, 4, 3, 3)}, []*onnx.Attribute{opstest.Ints("kernel_shape", 3, 2)}, "kernel_shape"},
		{"strides count", []*ops.Tensor{x4, ops.New(onnx.Float, 2, 4, 3, 3)}, []*onnx.Attribute{opstest.Ints("strides", 1)}, "strides"},
		{"rank", []*ops.Tensor{x4, ops.New(onnx.Float, 2, 4, 3)}, nil, "rank"},
		{"bias shape", []*ops.Tensor{x4, ops.New(onnx.Float, 2, 4, 3, 3), ops.New(onnx.Float, 3)}, nil, "\"B\""},
		{"int input", []*ops.Tensor{ops.New(onnx.Int32, 1, 4, 5, 5), ops.New(onnx.Float, 2, 4, 3, 3)}, nil, "int32"},
		{"4 spatial axes", []*ops.Tensor{ops.New(onnx.Float, 1, 1, 2, 2, 2, 2), ops.New(onnx.Float, 1, 1, 1, 1, 1, 1)}, nil, "unsupported"},
	} {
		op, err := ops.Build(opstest.NodeOf("Conv", c.ins, 1, c.attrs...), 22)
		if err == nil {
			_, err = opstest.Exec(op, c.ins, nil, ops.Serial{})
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	op, _ := ops.Build(opstest.NodeOf("Conv", []*ops.Tensor{x4, x4}, 1), 22)
	_, err := op.Infer([]ops.Value{{Type: onnx.Double, Shape: []int{1, 4, 5, 5}}, {Type: onnx.Float, Shape: []int{1, 4, 1, 1}}})
	if !errors.Is(err, ops.ErrUnsupported) {
		t.Errorf("float64 input: error %v, want ErrUnsupported", err)
	}
}

func TestConvNodeTests(t *testing.T) {
	if n := opstest.NodeTests(t, "test_conv*", "test_basic_conv*"); n != 6 {
		t.Errorf("%d conv node tests passed, want 6", n)
	}
}

// resnet50Convs lists ResNet-50's convolutions at 224x224 (torchvision
// layout, stride on the 3x3): input channels, input size, output channels,
// kernel, stride, and how many times the layer occurs.
var resnet50Convs = []struct{ c, hw, m, k, s, times int }{
	{3, 224, 64, 7, 2, 1},
	// layer1
	{64, 56, 64, 1, 1, 1}, {256, 56, 64, 1, 1, 2}, {64, 56, 64, 3, 1, 3}, {64, 56, 256, 1, 1, 4},
	// layer2
	{256, 56, 128, 1, 1, 1}, {128, 56, 128, 3, 2, 1}, {512, 28, 128, 1, 1, 3}, {128, 28, 128, 3, 1, 3},
	{128, 28, 512, 1, 1, 4}, {256, 56, 512, 1, 2, 1},
	// layer3
	{512, 28, 256, 1, 1, 1}, {256, 28, 256, 3, 2, 1}, {1024, 14, 256, 1, 1, 5}, {256, 14, 256, 3, 1, 5},
	{256, 14, 1024, 1, 1, 6}, {512, 28, 1024, 1, 2, 1},
	// layer4
	{1024, 14, 512, 1, 1, 1}, {512, 14, 512, 3, 2, 1}, {2048, 7, 512, 1, 1, 2}, {512, 7, 512, 3, 1, 2},
	{512, 7, 2048, 1, 1, 3}, {1024, 14, 2048, 1, 2, 1},
}

// BenchmarkResNet50Convs runs every convolution of ResNet-50 once per
// iteration (with bias and a fused Relu), bound as a session binds them, on
// GOMAXPROCS threads (-cpu 1,2 measures the scaling).
func BenchmarkResNet50Convs(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	type layer struct {
		run   func() error
		times int
	}
	var layers []layer
	flops := 0.0
	for _, l := range resnet50Convs {
		pad := l.k / 2
		ins := []*ops.Tensor{opstest.Rand(rng, 1, l.c, l.hw, l.hw), opstest.Rand(rng, l.m, l.c, l.k, l.k), opstest.Rand(rng, l.m)}
		op, err := ops.Build(opstest.NodeOf("Conv", ins, 1, opstest.Ints("strides", l.s, l.s), opstest.Ints("pads", pad, pad, pad, pad)), 13)
		if err != nil {
			b.Fatal(err)
		}
		op = op.(ops.ActFuser).FuseActivation(ops.Activation{Kind: ops.ActRelu})
		vals := []ops.Value{{Type: onnx.Float, Shape: ins[0].Shape}, {Type: onnx.Float, Shape: ins[1].Shape, Const: ins[1]}, {Type: onnx.Float, Shape: ins[2].Shape, Const: ins[2]}}
		if err := op.(ops.Preparer).Prepare(vals); err != nil {
			b.Fatal(err)
		}
		ov, err := op.Infer(vals)
		if err != nil {
			b.Fatal(err)
		}
		out := ops.New(onnx.Float, ov[0].Shape...)
		var par ops.Parallel = ops.Serial{}
		if n := goruntime.GOMAXPROCS(0); n > 1 {
			par = opstest.Par{N: n}
		}
		ctx := &ops.Ctx{Par: par, Scratch: ops.AlignedBytes(op.(ops.Workspacer).Workspace(vals))}
		run, err := op.(ops.Binder).Bind(ctx, ins, []*ops.Tensor{out})
		if err != nil {
			b.Fatal(err)
		}
		layers = append(layers, layer{run, l.times})
		flops += float64(l.times) * 2 * float64(out.Len()*l.c*l.k*l.k)
	}
	b.ResetTimer()
	for range b.N {
		for _, l := range layers {
			for range l.times {
				if err := l.run(); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*1e3, "ms/net")
}

// TestNNRunAllocs checks that serial runs of the NN operators, bound as a
// session binds them (Run binds at every call), allocate nothing: every
// buffer comes from Prepare, the scratch workspace or the binding.
func TestNNRunAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	x := opstest.Rand(rng, 1, 8, 20, 20)
	type tc struct {
		op     string
		ins    []*ops.Tensor
		consts map[int]bool
		attrs  []*onnx.Attribute
	}
	cases := []tc{
		{"Conv", []*ops.Tensor{x, opstest.Rand(rng, 16, 8, 1, 1), opstest.Rand(rng, 16)}, map[int]bool{1: true, 2: true}, nil},
		{"Conv", []*ops.Tensor{x, opstest.Rand(rng, 16, 8, 3, 3), opstest.Rand(rng, 16)}, map[int]bool{1: true, 2: true}, []*onnx.Attribute{opstest.Ints("pads", 1, 1, 1, 1)}},
		{"Conv", []*ops.Tensor{x, opstest.Rand(rng, 16, 4, 3, 3)}, nil, []*onnx.Attribute{opstest.Int("group", 2)}},
		{"Conv", []*ops.Tensor{x, opstest.Rand(rng, 8, 1, 3, 3)}, map[int]bool{1: true}, []*onnx.Attribute{opstest.Int("group", 8), opstest.Ints("strides", 2, 2)}},
		{"Gemm", []*ops.Tensor{opstest.Rand(rng, 3, 40), opstest.Rand(rng, 50, 40), opstest.Rand(rng, 50)}, map[int]bool{1: true}, []*onnx.Attribute{opstest.Int("transB", 1)}},
		{"Gemm", []*ops.Tensor{opstest.Rand(rng, 40, 3), opstest.Rand(rng, 40, 50), opstest.Rand(rng, 3, 1)}, nil, []*onnx.Attribute{opstest.Int("transA", 1), opstest.Float("beta", 0.5)}},
		{"MaxPool", []*ops.Tensor{x}, nil, []*onnx.Attribute{opstest.Ints("kernel_shape", 3, 3), opstest.Ints("strides", 2, 2)}},
		{"AveragePool", []*ops.Tensor{x}, nil, []*onnx.Attribute{opstest.Ints("kernel_shape", 3, 3), opstest.Ints("pads", 1, 1, 1, 1), opstest.Int("count_include_pad", 1)}},
		{"GlobalAveragePool", []*ops.Tensor{x}, nil, nil},
		{"BatchNormalization", []*ops.Tensor{x, opstest.Rand(rng, 8), opstest.Rand(rng, 8), opstest.Rand(rng, 8), ops.New(onnx.Float, 8)}, nil, nil},
		{"LRN", []*ops.Tensor{x}, nil, []*onnx.Attribute{opstest.Int("size", 3)}},
	}
	for _, c := range cases {
		op, err := ops.Build(opstest.NodeOf(c.op, c.ins, 1, c.attrs...), 13)
		if err != nil {
			t.Fatal(err)
		}
		vals, ov, err := opstest.Prepare(op, c.ins, c.consts)
		if err != nil {
			t.Fatal(err)
		}
		out := []*ops.Tensor{ops.New(ov[0].Type, ov[0].Shape...)}
		ctx := &ops.Ctx{Par: ops.Serial{}}
		if w, ok := op.(ops.Workspacer); ok {
			ctx.Scratch = ops.AlignedBytes(w.Workspace(vals))
		}
		run := func() error { return op.Run(ctx, c.ins, out) }
		if b, ok := op.(ops.Binder); ok {
			var err error
			if run, err = b.Bind(ctx, c.ins, out); err != nil {
				t.Fatal(err)
			}
		}
		if n := testing.AllocsPerRun(5, func() {
			if err := run(); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%s %v: %v allocations per run, want 0", c.op, c.attrs, n)
		}
	}
}

// TestConcurrentRuns runs one prepared Conv and one Gemm from several
// goroutines at once (each with its own output and scratch, as sessions
// do); run with -race to check that Run mutates nothing shared.
func TestConcurrentRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	convIns := []*ops.Tensor{opstest.Rand(rng, 1, 6, 15, 15), opstest.Rand(rng, 8, 3, 3, 3), opstest.Rand(rng, 8)}
	gemmIns := []*ops.Tensor{opstest.Rand(rng, 9, 30), opstest.Rand(rng, 30, 20), opstest.Rand(rng, 20)}
	for _, c := range []struct {
		op  string
		ins []*ops.Tensor
		at  []*onnx.Attribute
	}{
		{"Conv", convIns, []*onnx.Attribute{opstest.Int("group", 2), opstest.Ints("pads", 1, 1, 1, 1)}},
		{"Gemm", gemmIns, nil},
	} {
		op, err := ops.Build(opstest.NodeOf(c.op, c.ins, 1, c.at...), 13)
		if err != nil {
			t.Fatal(err)
		}
		op = op.(ops.ActFuser).FuseActivation(ops.Activation{Kind: ops.ActRelu})
		consts := map[int]bool{1: true, 2: true}
		want, err := opstest.Exec(op, c.ins, consts, ops.Serial{})
		if err != nil {
			t.Fatal(err)
		}
		vals := []ops.Value{{Type: onnx.Float, Shape: c.ins[0].Shape}, {Type: onnx.Float, Shape: c.ins[1].Shape, Const: c.ins[1]}, {Type: onnx.Float, Shape: c.ins[2].Shape, Const: c.ins[2]}}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		outs := make([]*ops.Tensor, 4)
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outs[g] = ops.New(onnx.Float, want[0].Shape...)
				ctx := &ops.Ctx{Par: opstest.Par{N: 2}, Scratch: ops.AlignedBytes(op.(ops.Workspacer).Workspace(vals))}
				for range 5 {
					if errs[g] = op.Run(ctx, c.ins, outs[g:g+1]); errs[g] != nil {
						return
					}
				}
			}()
		}
		wg.Wait()
		for g := range 4 {
			if errs[g] != nil {
				t.Fatal(errs[g])
			}
			opstest.Close(t, c.op, outs[g].F32(), want[0].F32(), 0, 0)
		}
	}
}

// TestNNBindAllocs checks that Conv, Gemm and MatMul bound to their tensors
// run on two threads without allocating and give the bits of a serial Run,
// also after the input's data changes.
func TestNNBindAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	x := opstest.Rand(rng, 1, 8, 20, 20)
	cases := []struct {
		op     string
		ins    []*ops.Tensor
		consts map[int]bool
		attrs  []*onnx.Attribute
	}{
		{"Conv", []*ops.Tensor{x, opstest.Rand(rng, 16, 8, 1, 1), opstest.Rand(rng, 16)}, map[int]bool{1: true, 2: true}, nil},
		{"Conv", []*ops.Tensor{x, opstest.Rand(rng, 16, 8, 3, 3), opstest.Rand(rng, 16)}, map[int]bool{1: true, 2: true}, []*onnx.Attribute{opstest.Ints("pads", 1, 1, 1, 1)}},
		{"Conv", []*ops.Tensor{x, opstest.Rand(rng, 16, 4, 3, 3)}, nil, []*onnx.Attribute{opstest.Int("group", 2), opstest.Ints("strides", 2, 2)}},
		{"Conv", []*ops.Tensor{x, opstest.Rand(rng, 8, 1, 3, 3)}, map[int]bool{1: true}, []*onnx.Attribute{opstest.Int("group", 8)}},
		{"Gemm", []*ops.Tensor{opstest.Rand(rng, 30, 40), opstest.Rand(rng, 50, 40), opstest.Rand(rng, 50)}, map[int]bool{1: true}, []*onnx.Attribute{opstest.Int("transB", 1)}},
		{"MatMul", []*ops.Tensor{opstest.Rand(rng, 2, 30, 40), opstest.Rand(rng, 40, 50)}, nil, nil},
	}
	for _, c := range cases {
		op, err := ops.Build(opstest.NodeOf(c.op, c.ins, 1, c.attrs...), 13)
		if err != nil {
			t.Fatal(err)
		}
		if f, ok := op.(ops.ActFuser); ok {
			op = f.FuseActivation(ops.Activation{Kind: ops.ActRelu})
		}
		vals, ov, err := opstest.Prepare(op, c.ins, c.consts)
		if err != nil {
			t.Fatal(err)
		}
		want := []*ops.Tensor{ops.New(ov[0].Type, ov[0].Shape...)}
		got := []*ops.Tensor{ops.New(ov[0].Type, ov[0].Shape...)}
		scratch := ops.AlignedBytes(op.(ops.Workspacer).Workspace(vals))
		ins := slices.Clone(c.ins)
		in0 := *ins[0]
		ins[0] = &in0
		run, err := op.(ops.Binder).Bind(&ops.Ctx{Par: opstest.SeqPar{}, Scratch: scratch}, ins, got)
		if err != nil {
			t.Fatal(err)
		}
		label := fmt.Sprintf("%s %v", c.op, c.attrs)
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
			for i, v := range got[0].F32() {
				if math.Float32bits(v) != math.Float32bits(want[0].F32()[i]) {
					t.Fatalf("%s round %d: element %d = %v, serial Run gave %v", label, round, i, v, want[0].F32()[i])
				}
			}
		}
	}
}

// A convolution with one output position takes the transposed product,
// a matrix-vector one, whatever the kernel.
func TestConvOnePositionTransposed(t *testing.T) {
	for _, c := range []convCase{
		{x: []int{2, 70, 1, 1}, w: []int{37, 70, 1, 1}, group: 1},
		{x: []int{1, 24, 1, 1}, w: []int{40, 12, 1, 1}, group: 2},
		{x: []int{1, 9, 3, 3}, w: []int{21, 9, 3, 3}, group: 1},
	} {
		d, err := convDimsOf(&ops.WindowAttrs{}, c.group, c.x, c.w)
		if err != nil || !transposedFaster(&d) {
			t.Errorf("%v x %v: transposedFaster false (err %v)", c.x, c.w, err)
		}
	}
}

// The transposed-product cases above must really take that path where the
// kernel's 32-wide tiles make it pay (AVX-512).
func TestConvTransposedPathTaken(t *testing.T) {
	if gemm.KernelName() != "avx512 8x32" {
		t.Skipf("kernel %s: the transposed product is chosen for 32-wide tiles", gemm.KernelName())
	}
	for _, c := range []convCase{
		{x: []int{2, 160, 7, 7}, w: []int{64, 160, 1, 1}, group: 1},
		{x: []int{2, 160, 13, 14}, w: []int{64, 160, 1, 1}, group: 1, strides: []int{2, 2}},
		{x: []int{2, 24, 7, 7}, w: []int{64, 24, 3, 3}, group: 1, pads: []int{1, 1, 1, 1}},
		{x: []int{1, 16, 14, 13}, w: []int{96, 8, 3, 3}, group: 2, strides: []int{2, 2}, pads: []int{1, 1, 1, 0}},
		{x: []int{1, 12, 9, 8}, w: []int{64, 12, 3, 2}, group: 1, dilations: []int{2, 1}, pads: []int{1, 0, 2, 1}},
	} {
		d, err := convDimsOf(&ops.WindowAttrs{Strides: c.strides, Dilations: c.dilations, Pads: c.pads}, c.group, c.x, c.w)
		if err != nil || !transposedFaster(&d) {
			t.Errorf("%v x %v strides %v: transposedFaster false (err %v)", c.x, c.w, c.strides, err)
		}
	}
}
