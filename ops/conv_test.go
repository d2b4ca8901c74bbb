package ops

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

	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// nnPar is a Parallel running each chunk of at most ceil(n/threads) on its own goroutine.
type nnPar struct{ threads int }

func (p nnPar) Threads() int { return p.threads }

func (p nnPar) For(n, grain int, fn func(lo, hi int)) {
	chunk := max(1, grain, (n+p.threads-1)/p.threads)
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	wg.Wait()
}

func nnInts(name string, v ...int) *onnx.Attribute {
	a := &onnx.Attribute{Name: name, Type: onnx.AttrInts}
	for _, x := range v {
		a.Ints = append(a.Ints, int64(x))
	}
	return a
}

func nnInt(name string, v int) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInt, I: int64(v)}
}

func nnFloat(name string, v float32) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrFloat, F: v}
}

func nnString(name, v string) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrString, S: []byte(v)}
}

// nnNode is a node of type op with inputs named in0.. (nil tensors become
// omitted inputs) and nOut outputs.
func nnNode(op string, ins []*Tensor, nOut int, attrs ...*onnx.Attribute) *onnx.Node {
	n := &onnx.Node{OpType: op, Attrs: attrs}
	for i, t := range ins {
		name := ""
		if t != nil {
			name = fmt.Sprintf("in%d", i)
		}
		n.Inputs = append(n.Inputs, name)
	}
	for i := range nOut {
		n.Outputs = append(n.Outputs, fmt.Sprintf("out%d", i))
	}
	return n
}

// nnRand is a float32 tensor of uniform values in [-1, 1).
func nnRand(rng *rand.Rand, shape ...int) *Tensor {
	t := New(onnx.Float, shape...)
	for i := range t.F32() {
		t.F32()[i] = rng.Float32()*2 - 1
	}
	return t
}

// nnPrepare gives op its input Values (inputs whose index is in consts as
// constants), prepares it and infers its outputs, as the runtime does
// before binding a step.
func nnPrepare(op Op, ins []*Tensor, consts map[int]bool) (vals, outs []Value, err error) {
	vals = make([]Value, len(ins))
	for i, t := range ins {
		if t == nil {
			continue
		}
		vals[i] = Value{Type: t.Type, Shape: t.Shape}
		if consts[i] {
			vals[i].Const = t
		}
	}
	if p, ok := op.(Preparer); ok {
		if err := p.Prepare(vals); err != nil {
			return nil, nil, fmt.Errorf("prepare: %w", err)
		}
	}
	outs, err = op.Infer(vals)
	return vals, outs, err
}

// nnExec runs op on ins: inputs whose index is in consts are passed to
// Prepare and Infer as constants. extra inputs (a fused residual) follow.
func nnExec(op Op, ins []*Tensor, consts map[int]bool, par Parallel) ([]*Tensor, error) {
	vals, outVals, err := nnPrepare(op, ins, consts)
	if err != nil {
		return nil, err
	}
	outs := make([]*Tensor, len(outVals))
	for i, v := range outVals {
		outs[i] = New(v.Type, v.Shape...)
		// Poison the output: Run must write every element.
		if v.Type == onnx.Float {
			for j := range outs[i].F32() {
				outs[i].F32()[j] = float32(math.NaN())
			}
		}
	}
	ctx := &Ctx{Par: par}
	if w, ok := op.(Workspacer); ok {
		ctx.Scratch = AlignedBytes(w.Workspace(vals))
	}
	if err := op.Run(ctx, ins, outs); err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	return outs, nil
}

// nnClose fails unless got and want agree within atol + rtol*|want|.
func nnClose(t *testing.T, label string, got, want []float32, rtol, atol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", label, len(got), len(want))
	}
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		if !(math.Abs(g-w) <= atol+rtol*math.Abs(w)) {
			t.Fatalf("%s: element %d = %v, want %v", label, i, g, w)
		}
	}
}

// convCase is one convolution for the reference comparison.
type convCase struct {
	x, w      []int // shapes
	group     int
	strides   []int
	dilations []int
	pads      []int
	autoPad   string
	bias      bool
	act       Activation
	residual  bool
}

// refConv is a direct N-D convolution in float64 from the spec's formula;
// pads gives the begin padding of each axis and out the spatial output shape.
func refConv(x, w, b []float32, xs, ws []int, group int, strides, dilations, pads, out []int) []float32 {
	nd := len(xs) - 2
	n, c, m := xs[0], xs[1], ws[0]
	cg, mg := c/group, m/group
	inSize, outSize, kSize := NumElems(xs[2:]), NumElems(out), NumElems(ws[2:])
	y := make([]float32, n*m*outSize)
	opos, kpos := make([]int, nd), make([]int, nd)
	for b0 := range n {
		for oc := range m {
			g := oc / mg
			for o := range outSize {
				unflatten(o, out, opos)
				sum := 0.0
				if b != nil {
					sum = float64(b[oc])
				}
				for ic := range cg {
					for k := range kSize {
						unflatten(k, ws[2:], kpos)
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

// unflatten writes the row-major coordinates of linear index i in shape to pos.
func unflatten(i int, shape, pos []int) {
	for d := len(shape) - 1; d >= 0; d-- {
		pos[d] = i % shape[d]
		i /= shape[d]
	}
}

// expectedPads is the begin padding and output shape a case should give,
// worked out independently of geometry.go from the spec's formulas.
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

func (cc *convCase) node(ins []*Tensor) *onnx.Node {
	attrs := []*onnx.Attribute{nnInt("group", cc.group)}
	if cc.strides != nil {
		attrs = append(attrs, nnInts("strides", cc.strides...))
	}
	if cc.dilations != nil {
		attrs = append(attrs, nnInts("dilations", cc.dilations...))
	}
	if cc.pads != nil {
		attrs = append(attrs, nnInts("pads", cc.pads...))
	}
	if cc.autoPad != "" {
		attrs = append(attrs, nnString("auto_pad", cc.autoPad))
	}
	return nnNode("Conv", ins, 1, attrs...)
}

// check runs the case with W constant or not over par and compares with refConv.
func (cc *convCase) check(t *testing.T, rng *rand.Rand, constW bool, par Parallel) {
	t.Helper()
	label := fmt.Sprintf("%+v constW=%v threads=%d", *cc, constW, par.Threads())
	x, w := nnRand(rng, cc.x...), nnRand(rng, cc.w...)
	ins := []*Tensor{x, w}
	var b []float32
	if cc.bias {
		bt := nnRand(rng, cc.w[0])
		ins, b = append(ins, bt), bt.F32()
	}
	op, err := Build(cc.node(ins), 22)
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
		op = op.(AddFuser).FuseAdd()
		r := nnRand(rng, append([]int{cc.x[0], cc.w[0]}, out...)...)
		ins = append(ins, r)
		for i := range want {
			want[i] += r.F32()[i]
		}
	}
	if cc.act.Kind != ActNone {
		op = op.(ActFuser).FuseActivation(cc.act)
		for i := range want {
			want[i] = cc.act.Apply(want[i])
		}
	}
	got, err := nnExec(op, ins, map[int]bool{1: constW, 2: constW}, par)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	if wantShape := append([]int{cc.x[0], cc.w[0]}, out...); !SameShape(got[0].Shape, wantShape) {
		t.Fatalf("%s: shape %v, want %v", label, got[0].Shape, wantShape)
	}
	nnClose(t, label, got[0].F32(), want, 1e-4, 1e-4)
}

func TestConvReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	relu := Activation{Kind: ActRelu}
	cases := []convCase{
		{x: []int{1, 1, 5, 5}, w: []int{1, 1, 3, 3}, group: 1},
		{x: []int{2, 3, 7, 6}, w: []int{4, 3, 3, 2}, group: 1, pads: []int{1, 0, 2, 1}, bias: true},
		{x: []int{1, 4, 9, 9}, w: []int{6, 2, 3, 3}, group: 2, strides: []int{2, 2}, pads: []int{1, 1, 1, 1}, bias: true, act: relu},
		{x: []int{1, 5, 11, 10}, w: []int{5, 1, 3, 3}, group: 5, pads: []int{1, 1, 1, 1}, bias: true, act: Activation{Kind: ActClip, Min: 0, Max: 0.5}},
		{x: []int{2, 4, 12, 13}, w: []int{4, 1, 5, 3}, group: 4, strides: []int{2, 3}, dilations: []int{2, 1}, pads: []int{2, 1, 3, 0}, residual: true, act: relu},
		{x: []int{1, 3, 8, 8}, w: []int{6, 1, 3, 3}, group: 3, strides: []int{2, 2}, autoPad: "SAME_UPPER", bias: true},
		{x: []int{1, 2, 10, 9}, w: []int{3, 2, 3, 4}, group: 1, dilations: []int{2, 3}, autoPad: "SAME_LOWER"},
		{x: []int{1, 2, 10, 9}, w: []int{3, 2, 4, 2}, group: 1, strides: []int{3, 2}, autoPad: "VALID", bias: true},
		{x: []int{2, 8, 6, 7}, w: []int{5, 8, 1, 1}, group: 1, bias: true, residual: true, act: Activation{Kind: ActLeakyRelu, Alpha: 0.1}},
		{x: []int{1, 6, 6, 7}, w: []int{4, 3, 1, 1}, group: 2, strides: []int{2, 2}},
		{x: []int{2, 3, 17}, w: []int{4, 3, 4}, group: 1, strides: []int{2}, dilations: []int{3}, pads: []int{2, 5}, bias: true, act: relu},
		{x: []int{1, 4, 20}, w: []int{4, 1, 3}, group: 4, pads: []int{1, 1}, residual: true},
		{x: []int{1, 2, 5, 6, 7}, w: []int{3, 2, 2, 3, 2}, group: 1, strides: []int{1, 2, 2}, pads: []int{1, 0, 1, 0, 1, 1}, bias: true},
		{x: []int{1, 3, 4, 5, 6}, w: []int{3, 1, 3, 3, 3}, group: 3, dilations: []int{1, 2, 1}, pads: []int{1, 2, 1, 1, 2, 1}, residual: true, act: relu},
		// Unit stride, 2-D: computed at the padded width.
		{x: []int{2, 6, 9, 8}, w: []int{4, 3, 3, 3}, group: 2, dilations: []int{1, 2}, pads: []int{0, 1, 2, 3}, residual: true, act: Activation{Kind: ActClip, Min: -0.2, Max: 0.4}},
		// Strided windows with many taps per phase (a stem): computed over
		// the padded input split by stride phase.
		{x: []int{1, 3, 23, 21}, w: []int{4, 3, 7, 5}, group: 1, strides: []int{2, 2}, dilations: []int{1, 2}, pads: []int{3, 2, 2, 1}, bias: true, act: relu},
		{x: []int{2, 4, 17, 16}, w: []int{6, 2, 5, 5}, group: 2, strides: []int{3, 2}, pads: []int{2, 1, 0, 2}, residual: true},
		// K*P = 288*1600 is larger than one im2col tile: several tiles.
		{x: []int{1, 32, 40, 40}, w: []int{24, 32, 3, 3}, group: 1, pads: []int{1, 1, 1, 1}, bias: true, residual: true, act: relu},
		{x: []int{1, 20, 33, 35}, w: []int{70, 20, 5, 5}, group: 1, strides: []int{1, 2}, pads: []int{2, 2, 2, 2}},
		// AlexNet's second conv: an im2col tile boundary falls mid-row where
		// a tap's whole remaining run lies in the right padding.
		{x: []int{1, 64, 27, 27}, w: []int{3, 64, 5, 5}, group: 1, pads: []int{2, 2, 2, 2}, bias: true},
		// One-tap convolutions with few output positions, which take the
		// transposed product (Y^T = X^T W^T) when that fills kernel tiles better.
		{x: []int{2, 40, 7, 7}, w: []int{64, 40, 1, 1}, group: 1, bias: true, residual: true, act: relu},
		{x: []int{1, 24, 5, 7}, w: []int{70, 12, 1, 1}, group: 2, bias: true},
		{x: []int{1, 33, 14, 14}, w: []int{96, 33, 1, 1}, group: 1, residual: true, act: Activation{Kind: ActLeakyRelu, Alpha: 0.1}},
		{x: []int{2, 40, 13, 14}, w: []int{64, 40, 1, 1}, group: 1, strides: []int{2, 2}, bias: true, residual: true, act: relu},
		{x: []int{1, 24, 28, 28}, w: []int{128, 12, 1, 1}, group: 2, strides: []int{2, 2}, bias: true},
		{x: []int{1, 16, 9, 10}, w: []int{96, 16, 1, 1}, group: 1, strides: []int{3, 2}},
		{x: []int{1, 8, 5, 6, 7}, w: []int{64, 8, 1, 1, 1}, group: 1, strides: []int{2, 1, 3}, bias: true},
		// Larger windows with few output positions: the transposed product
		// over im2col(X)ᵀ gathered from the padded input (stride phases too).
		{x: []int{2, 24, 7, 7}, w: []int{64, 24, 3, 3}, group: 1, pads: []int{1, 1, 1, 1}, bias: true, residual: true, act: relu},
		{x: []int{1, 16, 14, 13}, w: []int{96, 8, 3, 3}, group: 2, strides: []int{2, 2}, pads: []int{1, 1, 1, 0}, bias: true, act: relu},
		{x: []int{1, 12, 9, 8}, w: []int{64, 12, 3, 2}, group: 1, dilations: []int{2, 1}, pads: []int{1, 0, 2, 1}, residual: true},
	}
	for i := range cases {
		for _, constW := range []bool{true, false} {
			cases[i].check(t, rng, constW, Serial{})
			cases[i].check(t, rng, constW, nnPar{3})
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
		ins := []*Tensor{FromF32(x, 1, 1, 5, 5), FromF32(w, 1, 1, 3, 3)}
		op, err := Build(nnNode("Conv", ins, 1, nnInts("kernel_shape", 3, 3), nnInts("pads", c.pads...)), 11)
		if err != nil {
			t.Fatal(err)
		}
		got, err := nnExec(op, ins, map[int]bool{1: true}, Serial{})
		if err != nil {
			t.Fatal(err)
		}
		nnClose(t, fmt.Sprint("pads ", c.pads), got[0].F32(), c.want, 0, 0)
	}
}

func TestConvErrors(t *testing.T) {
	x4 := New(onnx.Float, 1, 4, 5, 5)
	for _, c := range []struct {
		name  string
		ins   []*Tensor
		attrs []*onnx.Attribute
		want  string
	}{
		{"zero stride", []*Tensor{x4, New(onnx.Float, 2, 4, 3, 3)}, []*onnx.Attribute{nnInts("strides", 1, 0)}, "strides"},
		{"negative pad", []*Tensor{x4, New(onnx.Float, 2, 4, 3, 3)}, []*onnx.Attribute{nnInts("pads", 0, -1, 0, 0)}, "pads"},
		{"odd pads", []*Tensor{x4, New(onnx.Float, 2, 4, 3, 3)}, []*onnx.Attribute{nnInts("pads", 0, 1, 0)}, "pads"},
		{"bad auto_pad", []*Tensor{x4, New(onnx.Float, 2, 4, 3, 3)}, []*onnx.Attribute{nnString("auto_pad", "SAME")}, "auto_pad"},
		{"pads with auto_pad", []*Tensor{x4, New(onnx.Float, 2, 4, 3, 3)}, []*onnx.Attribute{nnString("auto_pad", "VALID"), nnInts("pads", 1, 1, 1, 1)}, "pads"},
		{"zero group", []*Tensor{x4, New(onnx.Float, 2, 4, 3, 3)}, []*onnx.Attribute{nnInt("group", 0)}, "group"},
		{"channels", []*Tensor{x4, New(onnx.Float, 2, 3, 3, 3)}, nil, "input channels"},
		{"group channels", []*Tensor{x4, New(onnx.Float, 3, 2, 3, 3)}, []*onnx.Attribute{nnInt("group", 2)}, "multiple of group"},
		{"kernel too big", []*Tensor{x4, New(onnx.Float, 2, 4, 6, 3)}, nil, "exceeds padded input"},
		{"kernel_shape mismatch", []*Tensor{x4, New(onnx.Float, 2, 4, 3, 3)}, []*onnx.Attribute{nnInts("kernel_shape", 3, 2)}, "kernel_shape"},
		{"strides count", []*Tensor{x4, New(onnx.Float, 2, 4, 3, 3)}, []*onnx.Attribute{nnInts("strides", 1)}, "strides"},
		{"rank", []*Tensor{x4, New(onnx.Float, 2, 4, 3)}, nil, "rank"},
		{"bias shape", []*Tensor{x4, New(onnx.Float, 2, 4, 3, 3), New(onnx.Float, 3)}, nil, "\"B\""},
		{"int input", []*Tensor{New(onnx.Int32, 1, 4, 5, 5), New(onnx.Float, 2, 4, 3, 3)}, nil, "int32"},
		{"4 spatial axes", []*Tensor{New(onnx.Float, 1, 1, 2, 2, 2, 2), New(onnx.Float, 1, 1, 1, 1, 1, 1)}, nil, "unsupported"},
	} {
		op, err := Build(nnNode("Conv", c.ins, 1, c.attrs...), 22)
		if err == nil {
			_, err = nnExec(op, c.ins, nil, Serial{})
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
	op, _ := Build(nnNode("Conv", []*Tensor{x4, x4}, 1), 22)
	_, err := op.Infer([]Value{{Type: onnx.Double, Shape: []int{1, 4, 5, 5}}, {Type: onnx.Float, Shape: []int{1, 4, 1, 1}}})
	if !errors.Is(err, ErrUnsupported) {
		t.Errorf("float64 input: error %v, want ErrUnsupported", err)
	}
}

func TestConvNodeTests(t *testing.T) {
	if n := nodeTests(t, "test_conv*", "test_basic_conv*"); n != 6 {
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
		ins := []*Tensor{nnRand(rng, 1, l.c, l.hw, l.hw), nnRand(rng, l.m, l.c, l.k, l.k), nnRand(rng, l.m)}
		op, err := Build(nnNode("Conv", ins, 1, nnInts("strides", l.s, l.s), nnInts("pads", pad, pad, pad, pad)), 13)
		if err != nil {
			b.Fatal(err)
		}
		op = op.(ActFuser).FuseActivation(Activation{Kind: ActRelu})
		vals := []Value{{Type: onnx.Float, Shape: ins[0].Shape}, {Type: onnx.Float, Shape: ins[1].Shape, Const: ins[1]}, {Type: onnx.Float, Shape: ins[2].Shape, Const: ins[2]}}
		if err := op.(Preparer).Prepare(vals); err != nil {
			b.Fatal(err)
		}
		ov, err := op.Infer(vals)
		if err != nil {
			b.Fatal(err)
		}
		out := New(onnx.Float, ov[0].Shape...)
		var par Parallel = Serial{}
		if n := goruntime.GOMAXPROCS(0); n > 1 {
			par = nnPar{n}
		}
		ctx := &Ctx{Par: par, Scratch: AlignedBytes(op.(Workspacer).Workspace(vals))}
		run, err := op.(Binder).Bind(ctx, ins, []*Tensor{out})
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

// TestNNRunAllocs checks that serial runs of the NN operators allocate
// nothing: every buffer comes from Prepare or the scratch workspace.
func TestNNRunAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	x := nnRand(rng, 1, 8, 20, 20)
	type tc struct {
		op     string
		ins    []*Tensor
		consts map[int]bool
		attrs  []*onnx.Attribute
	}
	cases := []tc{
		{"Conv", []*Tensor{x, nnRand(rng, 16, 8, 1, 1), nnRand(rng, 16)}, map[int]bool{1: true, 2: true}, nil},
		{"Conv", []*Tensor{x, nnRand(rng, 16, 8, 3, 3), nnRand(rng, 16)}, map[int]bool{1: true, 2: true}, []*onnx.Attribute{nnInts("pads", 1, 1, 1, 1)}},
		{"Conv", []*Tensor{x, nnRand(rng, 16, 4, 3, 3)}, nil, []*onnx.Attribute{nnInt("group", 2)}},
		{"Conv", []*Tensor{x, nnRand(rng, 8, 1, 3, 3)}, map[int]bool{1: true}, []*onnx.Attribute{nnInt("group", 8), nnInts("strides", 2, 2)}},
		{"Gemm", []*Tensor{nnRand(rng, 3, 40), nnRand(rng, 50, 40), nnRand(rng, 50)}, map[int]bool{1: true}, []*onnx.Attribute{nnInt("transB", 1)}},
		{"Gemm", []*Tensor{nnRand(rng, 40, 3), nnRand(rng, 40, 50), nnRand(rng, 3, 1)}, nil, []*onnx.Attribute{nnInt("transA", 1), nnFloat("beta", 0.5)}},
		{"MaxPool", []*Tensor{x}, nil, []*onnx.Attribute{nnInts("kernel_shape", 3, 3), nnInts("strides", 2, 2)}},
		{"AveragePool", []*Tensor{x}, nil, []*onnx.Attribute{nnInts("kernel_shape", 3, 3), nnInts("pads", 1, 1, 1, 1), nnInt("count_include_pad", 1)}},
		{"GlobalAveragePool", []*Tensor{x}, nil, nil},
		{"BatchNormalization", []*Tensor{x, nnRand(rng, 8), nnRand(rng, 8), nnRand(rng, 8), New(onnx.Float, 8)}, nil, nil},
		{"LRN", []*Tensor{x}, nil, []*onnx.Attribute{nnInt("size", 3)}},
	}
	for _, c := range cases {
		op, err := Build(nnNode(c.op, c.ins, 1, c.attrs...), 13)
		if err != nil {
			t.Fatal(err)
		}
		vals, ov, err := nnPrepare(op, c.ins, c.consts)
		if err != nil {
			t.Fatal(err)
		}
		out := []*Tensor{New(ov[0].Type, ov[0].Shape...)}
		ctx := &Ctx{Par: Serial{}}
		if w, ok := op.(Workspacer); ok {
			ctx.Scratch = AlignedBytes(w.Workspace(vals))
		}
		if n := testing.AllocsPerRun(5, func() {
			if err := op.Run(ctx, c.ins, out); err != nil {
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
	convIns := []*Tensor{nnRand(rng, 1, 6, 15, 15), nnRand(rng, 8, 3, 3, 3), nnRand(rng, 8)}
	gemmIns := []*Tensor{nnRand(rng, 9, 30), nnRand(rng, 30, 20), nnRand(rng, 20)}
	for _, c := range []struct {
		op  string
		ins []*Tensor
		at  []*onnx.Attribute
	}{
		{"Conv", convIns, []*onnx.Attribute{nnInt("group", 2), nnInts("pads", 1, 1, 1, 1)}},
		{"Gemm", gemmIns, nil},
	} {
		op, err := Build(nnNode(c.op, c.ins, 1, c.at...), 13)
		if err != nil {
			t.Fatal(err)
		}
		op = op.(ActFuser).FuseActivation(Activation{Kind: ActRelu})
		consts := map[int]bool{1: true, 2: true}
		want, err := nnExec(op, c.ins, consts, Serial{})
		if err != nil {
			t.Fatal(err)
		}
		vals := []Value{{Type: onnx.Float, Shape: c.ins[0].Shape}, {Type: onnx.Float, Shape: c.ins[1].Shape, Const: c.ins[1]}, {Type: onnx.Float, Shape: c.ins[2].Shape, Const: c.ins[2]}}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		outs := make([]*Tensor, 4)
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				outs[g] = New(onnx.Float, want[0].Shape...)
				ctx := &Ctx{Par: nnPar{2}, Scratch: AlignedBytes(op.(Workspacer).Workspace(vals))}
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
			nnClose(t, c.op, outs[g].F32(), want[0].F32(), 0, 0)
		}
	}
}

// seqPar claims two threads but runs every chunk on the calling goroutine,
// so that it allocates nothing itself.
type seqPar struct{}

func (seqPar) Threads() int { return 2 }

func (seqPar) For(n, grain int, fn func(lo, hi int)) {
	chunk := max(1, grain, (n+1)/2)
	for lo := 0; lo < n; lo += chunk {
		fn(lo, min(lo+chunk, n))
	}
}

// TestNNBindAllocs checks that Conv, Gemm and MatMul bound to their tensors
// run on two threads without allocating and give the bits of a serial Run,
// also after the input's data changes.
func TestNNBindAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	x := nnRand(rng, 1, 8, 20, 20)
	cases := []struct {
		op     string
		ins    []*Tensor
		consts map[int]bool
		attrs  []*onnx.Attribute
	}{
		{"Conv", []*Tensor{x, nnRand(rng, 16, 8, 1, 1), nnRand(rng, 16)}, map[int]bool{1: true, 2: true}, nil},
		{"Conv", []*Tensor{x, nnRand(rng, 16, 8, 3, 3), nnRand(rng, 16)}, map[int]bool{1: true, 2: true}, []*onnx.Attribute{nnInts("pads", 1, 1, 1, 1)}},
		{"Conv", []*Tensor{x, nnRand(rng, 16, 4, 3, 3)}, nil, []*onnx.Attribute{nnInt("group", 2), nnInts("strides", 2, 2)}},
		{"Conv", []*Tensor{x, nnRand(rng, 8, 1, 3, 3)}, map[int]bool{1: true}, []*onnx.Attribute{nnInt("group", 8)}},
		{"Gemm", []*Tensor{nnRand(rng, 30, 40), nnRand(rng, 50, 40), nnRand(rng, 50)}, map[int]bool{1: true}, []*onnx.Attribute{nnInt("transB", 1)}},
		{"MatMul", []*Tensor{nnRand(rng, 2, 30, 40), nnRand(rng, 40, 50)}, nil, nil},
	}
	for _, c := range cases {
		op, err := Build(nnNode(c.op, c.ins, 1, c.attrs...), 13)
		if err != nil {
			t.Fatal(err)
		}
		if f, ok := op.(ActFuser); ok {
			op = f.FuseActivation(Activation{Kind: ActRelu})
		}
		vals, ov, err := nnPrepare(op, c.ins, c.consts)
		if err != nil {
			t.Fatal(err)
		}
		want := []*Tensor{New(ov[0].Type, ov[0].Shape...)}
		got := []*Tensor{New(ov[0].Type, ov[0].Shape...)}
		scratch := AlignedBytes(op.(Workspacer).Workspace(vals))
		ins := slices.Clone(c.ins)
		in0 := *ins[0]
		ins[0] = &in0
		run, err := op.(Binder).Bind(&Ctx{Par: seqPar{}, Scratch: scratch}, ins, got)
		if err != nil {
			t.Fatal(err)
		}
		label := fmt.Sprintf("%s %v", c.op, c.attrs)
		for round := range 2 {
			if round == 1 {
				in0.Data = nnRand(rng, in0.Shape...).Data
			}
			if err := op.Run(&Ctx{Par: Serial{}, Scratch: AlignedBytes(len(scratch))}, ins, want); err != nil {
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

// The transposed-product cases above must really take that path where the
// kernel's 32-wide tiles make it pay (AVX-512).
func TestConvTransposedPathTaken(t *testing.T) {
	if gemm.KernelName() != "avx512 8x32" {
		t.Skipf("kernel %s: the transposed product is chosen for 32-wide tiles", gemm.KernelName())
	}
	for _, c := range []convCase{
		{x: []int{2, 40, 7, 7}, w: []int{64, 40, 1, 1}, group: 1},
		{x: []int{2, 40, 13, 14}, w: []int{64, 40, 1, 1}, group: 1, strides: []int{2, 2}},
		{x: []int{2, 24, 7, 7}, w: []int{64, 24, 3, 3}, group: 1, pads: []int{1, 1, 1, 1}},
		{x: []int{1, 16, 14, 13}, w: []int{96, 8, 3, 3}, group: 2, strides: []int{2, 2}, pads: []int{1, 1, 1, 0}},
		{x: []int{1, 12, 9, 8}, w: []int{64, 12, 3, 2}, group: 1, dilations: []int{2, 1}, pads: []int{1, 0, 2, 1}},
	} {
		d, err := convDimsOf(&spatialAttrs{Strides: c.strides, Dilations: c.dilations, Pads: c.pads}, c.group, c.x, c.w)
		if err != nil || !transposedFaster(&d) {
			t.Errorf("%v x %v strides %v: transposedFaster false (err %v)", c.x, c.w, c.strides, err)
		}
	}
}
