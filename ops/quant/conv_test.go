package quant

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestQLinearConvHand(t *testing.T) {
	// x-1 = 0..8 in 3x3, w-1 = ones in 2x2: window sums 8 12 20 24, +bias 4,
	// times 0.5*1/4 = 1.5 2 3 3.5, rounded half to even, +10.
	x := opstest.WithShape(quantTensor[uint8](nil, 1, 2, 3, 4, 5, 6, 7, 8, 9), 1, 1, 3, 3)
	w := opstest.WithShape(quantTensor[uint8](nil, 2, 2, 2, 2), 1, 1, 2, 2)
	got, err := evalScratch(qNode("QLinearConv", 9), 10, x, scalarF32(0.5), quantTensor[uint8](nil, 1),
		w, scalarF32(1), quantTensor[uint8](nil, 1), scalarF32(4), quantTensor[uint8](nil, 10), quantTensor[int32]([]int{1}, 4))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "valid", got, opstest.WithShape(quantTensor[uint8](nil, 12, 12, 13, 14), 1, 1, 2, 2))

	// Padding reads the zero point (a real 0). With pads 1 and strides 2 the
	// windows start at (-1,-1) (-1,1) (1,-1) (1,1) and sum 0, 1+2, 3+6 and
	// 4+5+7+8 of x-1; times 0.5*1/1: 0 1.5 4.5 12 -> 0 2 4 12.
	got, err = evalScratch(qNode("QLinearConv", 8, opstest.AttrIs("pads", 1, 1, 1, 1), opstest.AttrIs("strides", 2, 2)), 10,
		x, scalarF32(0.5), quantTensor[uint8](nil, 1), w, scalarF32(1), quantTensor[uint8](nil, 1), scalarF32(1), quantTensor[uint8](nil, 0))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "padded", got, opstest.WithShape(quantTensor[uint8](nil, 0, 2, 4, 12), 1, 1, 2, 2))

	// auto_pad pads a 2x2 window over [[1 2] [3 4]] by one: after the input
	// for SAME_UPPER, before it for SAME_LOWER.
	small := opstest.WithShape(quantTensor[uint8](nil, 1, 2, 3, 4), 1, 1, 2, 2)
	ones := opstest.WithShape(quantTensor[uint8](nil, 1, 1, 1, 1), 1, 1, 2, 2)
	for _, c := range []struct {
		pad  string
		want []uint8
	}{{"SAME_UPPER", []uint8{10, 6, 7, 4}}, {"SAME_LOWER", []uint8{1, 3, 4, 10}}} {
		got, err = evalScratch(qNode("QLinearConv", 8, opstest.AttrS("auto_pad", c.pad)), 10,
			small, scalarF32(1), quantTensor[uint8](nil, 0), ones, scalarF32(1), quantTensor[uint8](nil, 0), scalarF32(1), quantTensor[uint8](nil, 0))
		if err != nil {
			t.Fatal(err)
		}
		opstest.WantTensor(t, c.pad, got, opstest.WithShape(quantTensor[uint8](nil, c.want...), 1, 1, 2, 2))
	}
}

// convCase is a convolution geometry of the reference tests.
type convCase struct {
	x, w  []int
	group int
	attrs []*onnx.Attribute
}

// convCases cover padding, strides, dilations, auto_pad, groups (depthwise,
// depthwise with two outputs per channel), 1-D to 3-D, 1x1 windows, output
// rows wider than a depthwise segment and more output channels than a
// panel.
var convCases = []convCase{
	{[]int{1, 2, 5, 5}, []int{3, 2, 3, 3}, 1, []*onnx.Attribute{opstest.AttrIs("pads", 1, 1, 1, 1)}},
	{[]int{2, 4, 7, 6}, []int{4, 2, 3, 2}, 2, []*onnx.Attribute{opstest.AttrIs("strides", 2, 1), opstest.AttrIs("dilations", 2, 1), opstest.AttrIs("pads", 0, 2, 1, 0)}},
	{[]int{1, 3, 6, 6}, []int{3, 1, 3, 3}, 3, []*onnx.Attribute{opstest.AttrS("auto_pad", "SAME_UPPER"), opstest.AttrIs("strides", 2, 2)}},
	{[]int{2, 5, 7, 5}, []int{5, 1, 3, 3}, 5, []*onnx.Attribute{opstest.AttrIs("pads", 1, 2, 0, 1), opstest.AttrIs("dilations", 1, 2)}},
	{[]int{1, 3, 4, 5}, []int{6, 1, 2, 2}, 3, []*onnx.Attribute{opstest.AttrIs("pads", 1, 1, 1, 1)}},
	{[]int{1, 2, 5, 4}, []int{2, 2, 2, 2}, 1, []*onnx.Attribute{opstest.AttrS("auto_pad", "SAME_LOWER")}},
	{[]int{2, 3, 4, 5}, []int{9, 3, 1, 1}, 1, nil},
	{[]int{1, 4, 5, 5}, []int{6, 2, 1, 1}, 2, []*onnx.Attribute{opstest.AttrIs("strides", 2, 2)}},
	{[]int{1, 2, 9}, []int{2, 2, 3}, 1, []*onnx.Attribute{opstest.AttrIs("pads", 2, 1), opstest.AttrIs("kernel_shape", 3)}},
	{[]int{1, 2, 3, 4, 4}, []int{2, 1, 2, 3, 2}, 2, []*onnx.Attribute{opstest.AttrIs("pads", 1, 0, 1, 0, 1, 1)}},
	{[]int{1, 2, 2, 3, 300}, []int{2, 1, 1, 2, 3}, 2, []*onnx.Attribute{opstest.AttrIs("pads", 0, 1, 1, 0, 0, 1), opstest.AttrIs("strides", 1, 1, 1)}},
	{[]int{1, 1, 4, 4}, []int{1, 1, 2, 2}, 1, []*onnx.Attribute{opstest.AttrS("auto_pad", "VALID"), opstest.AttrIs("strides", 2, 2)}},
	// Rows sharing their padding with the next row's (see convLayout): a
	// 7x7 map, a right padding narrower than the left, a dilated window.
	{[]int{1, 8, 7, 7}, []int{20, 8, 3, 3}, 1, []*onnx.Attribute{opstest.AttrIs("pads", 1, 1, 1, 1)}},
	{[]int{1, 5, 6, 7}, []int{13, 5, 3, 3}, 1, []*onnx.Attribute{opstest.AttrIs("pads", 2, 2, 1, 1)}},
	{[]int{1, 4, 9, 9}, []int{12, 4, 3, 3}, 1, []*onnx.Attribute{opstest.AttrIs("pads", 2, 2, 2, 2), opstest.AttrIs("dilations", 2, 2)}},
}

// window resolves a case's window as QLinearConv does.
func (c *convCase) window(t *testing.T) ops.Window {
	t.Helper()
	sp, err := ops.ParseWindow(ops.AttrsOf(qNode("QLinearConv", 8, c.attrs...)), false)
	if err != nil {
		t.Fatal(err)
	}
	g, err := sp.Resolve(c.x[2:], c.w[2:])
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// convSums is a direct integer convolution: for every output element the
// sum over the taps inside the input of (x - zx)·(w - zw[channel]), the
// input coordinate computed axis by axis (zero points may be nil: 0).
func convSums(x, w, zx, zw *ops.Tensor, group int, g *ops.Window) []int64 {
	n, c, m := x.Shape[0], x.Shape[1], w.Shape[0]
	cg, mg := c/group, m/group
	nd := len(g.In)
	inSt, kSt, outSt := ops.Strides(g.In), ops.Strides(g.Kernel), ops.Strides(g.Out)
	plane, kn, pn := g.InSize(), g.KernelSize(), g.Size()
	var out []int64
	for b := range n {
		for oc := range m {
			grp := oc / mg
			for p := range pn {
				var s int64
				for ic := range cg {
					for t := range kn {
						off, inside := 0, true
						for d := range nd {
							o, kk := p/outSt[d]%g.Out[d], t/kSt[d]%g.Kernel[d]
							pos := o*g.Strides[d] - g.PadBegin[d] + kk*g.Dilations[d]
							inside = inside && pos >= 0 && pos < g.In[d]
							off += pos * inSt[d]
						}
						if inside {
							s += (tq8(x, (b*c+grp*cg+ic)*plane+off) - tq8(zx, 0)) * (tq8(w, (oc*cg+ic)*kn+t) - tq8Per(zw, oc))
						}
					}
				}
				out = append(out, s)
			}
		}
	}
	return out
}

// convOutShape is [N, M, out...].
func convOutShape(c *convCase, g *ops.Window) []int { return append([]int{c.x[0], c.w[0]}, g.Out...) }

// TestQLinearConvReference compares QLinearConv with convSums over every
// geometry of convCases and type combination, with per-channel weight
// quantization and a bias, with and without prepacked weights.
func TestQLinearConvReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	types := []ops.DType{onnx.Uint8, onnx.Int8}
	for ci, c := range convCases {
		g := c.window(t)
		for _, xt := range types {
			for _, wt := range types {
				for _, yt := range types {
					m := c.w[0]
					x, w := quant8Rand(rng, xt, c.x...), quant8Rand(rng, wt, c.w...)
					zx, zy, zw := quant8Rand(rng, xt), quant8Rand(rng, yt), quant8Rand(rng, wt, m)
					ws, bias := make([]float32, m), ops.New(onnx.Int32, m)
					for i := range ws {
						ws[i] = 0.0005 + rng.Float32()*0.002
						bias.I32()[i] = int32(rng.IntN(2001) - 1000)
					}
					xs, ys := float32(0.02), float32(0.03)
					sums := convSums(x, w, zx, zw, c.group, &g)
					want := make([]int64, len(sums))
					for i, s := range sums {
						oc := i / g.Size() % m
						want[i] = qRequant(s+int64(bias.I32()[oc]), xs*ws[oc]/ys, tq8(zy, 0), yt)
					}
					attrs := append([]*onnx.Attribute{opstest.AttrI("group", int64(c.group))}, c.attrs...)
					for _, prepare := range []bool{false, true} {
						label := fmt.Sprintf("case %d %s*%s->%s prepared %v", ci, ops.TypeName(xt), ops.TypeName(wt), ops.TypeName(yt), prepare)
						got, err := evalQ(qNode("QLinearConv", 9, attrs...), 10, prepare, x, scalarF32(xs), zx, w, ops.FromF32(ws, m), zw, scalarF32(ys), zy, bias)
						if err != nil {
							t.Fatalf("%s: %v", label, err)
						}
						sameQ8(t, label, got, convOutShape(&c, &g), want)
					}
				}
			}
		}
	}
}

// TestConvKernels reruns the reference tests on every int8 kernel of this
// build and CPU (the default one ran them above).
func TestConvKernels(t *testing.T) {
	eachKernel(t, func(t *testing.T) {
		t.Run("QLinearConv", TestQLinearConvReference)
		t.Run("ConvInteger", TestConvIntegerReference)
	})
}

// TestConvIntegerReference compares ConvInteger with convSums over every
// geometry and type combination, with zero points omitted, per tensor and
// per channel, with and without prepacked weights.
func TestConvIntegerReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	types := []ops.DType{onnx.Uint8, onnx.Int8}
	for ci, c := range convCases {
		g := c.window(t)
		attrs := append([]*onnx.Attribute{opstest.AttrI("group", int64(c.group))}, c.attrs...)
		for _, xt := range types {
			for _, wt := range types {
				for zps := range 4 { // none, x's, w's per tensor, both with w's per channel
					x, w := quant8Rand(rng, xt, c.x...), quant8Rand(rng, wt, c.w...)
					var zx, zw *ops.Tensor
					in := []*ops.Tensor{x, w}
					switch zps {
					case 1:
						zx = quant8Rand(rng, xt)
						in = append(in, zx)
					case 2:
						zw = quant8Rand(rng, wt, 1)
						in = append(in, nil, zw)
					case 3:
						zx, zw = quant8Rand(rng, xt, 1), quant8Rand(rng, wt, c.w[0])
						in = append(in, zx, zw)
					}
					want := convSums(x, w, zx, zw, c.group, &g)
					for _, prepare := range []bool{false, true} {
						label := fmt.Sprintf("case %d %s*%s zero points %d prepared %v", ci, ops.TypeName(xt), ops.TypeName(wt), zps, prepare)
						got, err := evalQ(qNode("ConvInteger", len(in), attrs...), 10, prepare, in...)
						if err != nil {
							t.Fatalf("%s: %v", label, err)
						}
						sameI32(t, label, got, convOutShape(&c, &g), want)
					}
				}
			}
		}
	}
}

// TestConvIntegerHand checks the spec's example: x - 1 convolved with ones.
func TestConvIntegerHand(t *testing.T) {
	x := opstest.WithShape(quantTensor[uint8](nil, 2, 3, 4, 5, 6, 7, 8, 9, 10), 1, 1, 3, 3)
	w := opstest.WithShape(quantTensor[uint8](nil, 1, 1, 1, 1), 1, 1, 2, 2)
	got, err := evalQ(qNode("ConvInteger", 3), 10, true, x, w, quantTensor[uint8](nil, 1))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "valid", got, opstest.WithShape(quantTensor[int32](nil, 12, 16, 24, 28), 1, 1, 2, 2))
}

func TestQLinearConvErrors(t *testing.T) {
	u := func(shape ...int) *ops.Tensor { return ops.New(onnx.Uint8, shape...) }
	ok := []*ops.Tensor{u(1, 4, 5, 5), scalarF32(1), u(), u(6, 2, 3, 3), scalarF32(1), u(), scalarF32(1), u()}
	with := func(i int, v *ops.Tensor) []*ops.Tensor {
		in := append([]*ops.Tensor(nil), ok...)
		in[i] = v
		return in
	}
	n := qNode("QLinearConv", 8, opstest.AttrI("group", 2))
	if _, err := evalScratch(n, 10, ok...); err != nil {
		t.Fatal(err)
	}
	_, err := evalScratch(n, 10, with(3, u(6, 4, 3, 3))...)
	opstest.WantErr(t, "channels", err, "4 input channels per group", "group 2")
	_, err = evalScratch(n, 10, with(3, u(5, 2, 3, 3))...)
	opstest.WantErr(t, "output channels", err, "5 output channels", "group 2")
	_, err = evalScratch(n, 10, with(3, u(6, 2, 3))...)
	opstest.WantErr(t, "rank", err, "input \"w\"", "rank 4")
	_, err = evalScratch(n, 10, with(3, u(6, 2, 7, 7))...)
	opstest.WantErr(t, "kernel too big", err, "kernel extent 7")
	_, err = evalScratch(n, 10, with(4, opstest.F32s(1, 2))...)
	opstest.WantErr(t, "w_scale size", err, "w_scale", "6 elements")
	_, err = evalScratch(n, 10, with(1, opstest.F32s(1, 2))...)
	opstest.WantErr(t, "x_scale", err, "x_scale", "want a scalar")
	_, err = evalScratch(n, 10, append(ok, ops.New(onnx.Int32, 5))...)
	opstest.WantErr(t, "bias", err, "input \"B\"", "int32[5]", "want int32[6]")
	_, err = evalScratch(n, 10, append(ok, ops.New(onnx.Float, 6))...)
	opstest.WantErr(t, "bias type", err, "input \"B\"", "float32[6]")
	_, err = evalScratch(n, 10, with(0, u(1, 4))...)
	opstest.WantErr(t, "x rank", err, "input \"x\"", "[N, C, spatial...]")
	_, err = ops.Build(qNode("QLinearConv", 8, opstest.AttrI("group", 0)), 10)
	opstest.WantErr(t, "group 0", err, "group", "0")
	_, err = ops.Build(qNode("QLinearConv", 8, opstest.AttrIs("strides", 0, 1)), 10)
	opstest.WantErr(t, "stride 0", err, "strides")
}

func TestConvIntegerErrors(t *testing.T) {
	u := func(shape ...int) *ops.Tensor { return ops.New(onnx.Uint8, shape...) }
	n := qNode("ConvInteger", 4)
	_, err := evalScratch(n, 10, u(1, 2, 3, 3), u(4, 2, 2, 2), ops.New(onnx.Int8), u())
	opstest.WantErr(t, "x zero point type", err, "x_zero_point", "int8", "uint8")
	_, err = evalScratch(n, 10, u(1, 2, 3, 3), u(4, 2, 2, 2), u(), u(3))
	opstest.WantErr(t, "w zero point size", err, "w_zero_point", "[3]", "4 elements")
	_, err = evalScratch(n, 10, u(1, 2, 3, 3), u(4, 2, 2, 2), u(2), u())
	opstest.WantErr(t, "x zero point size", err, "x_zero_point", "want a scalar")
	_, err = evalScratch(qNode("ConvInteger", 2), 10, ops.New(onnx.Int16, 1, 2, 3, 3), u(4, 2, 2, 2))
	opstest.WantErr(t, "int16 x", err, "input \"x\"", "int16")
	_, err = evalScratch(qNode("ConvInteger", 1), 10, u(1, 2, 3, 3))
	opstest.WantErr(t, "one input", err, "inputs")
	op, err := ops.Build(qNode("ConvInteger", 2), 10)
	if err != nil {
		t.Fatal(err)
	}
	_, err = op.Infer([]ops.Value{{Type: onnx.Uint8, Shape: []int{1, 1, 2, 2, 2, 2}}, {Type: onnx.Uint8, Shape: []int{1, 1, 1, 1, 1, 1}}})
	if !errors.Is(err, ops.ErrUnsupported) {
		t.Errorf("4 spatial axes: error %v, want ErrUnsupported", err)
	}
	_, err = op.Infer([]ops.Value{{Type: onnx.Float8E4M3FN, Shape: []int{1, 1, 2, 2}}, {Type: onnx.Uint8, Shape: []int{1, 1, 1, 1}}})
	if !errors.Is(err, ops.ErrUnsupported) {
		t.Errorf("float8 x: error %v, want ErrUnsupported", err)
	}
}

// TestConvNodeTests runs test_qlinearconv and the two test_convinteger_*.
func TestConvNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_qlinearconv", "test_convinteger_*"); got != 3 {
		t.Errorf("%d node tests passed, want 3", got)
	}
}

// benchBound binds op n (every input but x constant and prepared) once
// and times its runs on one thread, reporting nanoseconds per multiply-add.
func benchBound(b *testing.B, n *onnx.Node, opset int, macs float64, in ...*ops.Tensor) {
	op, err := ops.Build(n, opset)
	if err != nil {
		b.Fatal(err)
	}
	consts := map[int]bool{}
	for i := 1; i < len(in); i++ {
		consts[i] = true
	}
	vals, outs, err := opstest.Prepare(op, in, consts)
	if err != nil {
		b.Fatal(err)
	}
	out := ops.New(outs[0].Type, outs[0].Shape...)
	ctx := &ops.Ctx{Par: ops.Serial{}, Scratch: ops.AlignedBytes(op.(ops.Workspacer).Workspace(vals))}
	run, err := op.(ops.Binder).Bind(ctx, in, []*ops.Tensor{out})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/macs, "ns/MAC")
}

// BenchmarkQLinearConv times MobileNetV2-like layers (uint8).
func BenchmarkQLinearConv(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, c := range []struct {
		name  string
		x, w  []int
		group int
		attrs []*onnx.Attribute
	}{
		{"stem3x3s2", []int{1, 3, 224, 224}, []int{32, 3, 3, 3}, 1, []*onnx.Attribute{opstest.AttrIs("pads", 1, 1, 1, 1), opstest.AttrIs("strides", 2, 2)}},
		{"pointwise144to24", []int{1, 144, 56, 56}, []int{24, 144, 1, 1}, 1, nil},
		{"pointwise24to144", []int{1, 24, 56, 56}, []int{144, 24, 1, 1}, 1, nil},
		{"depthwise3x3", []int{1, 144, 56, 56}, []int{144, 1, 3, 3}, 144, []*onnx.Attribute{opstest.AttrIs("pads", 1, 1, 1, 1)}},
		{"depthwise3x3s2", []int{1, 144, 56, 56}, []int{144, 1, 3, 3}, 144, []*onnx.Attribute{opstest.AttrIs("pads", 1, 1, 1, 1), opstest.AttrIs("strides", 2, 2)}},
	} {
		b.Run(c.name, func(b *testing.B) {
			attrs := append([]*onnx.Attribute{opstest.AttrI("group", int64(c.group))}, c.attrs...)
			n := qNode("QLinearConv", 9, attrs...)
			x, w := quant8Rand(rng, onnx.Uint8, c.x...), quant8Rand(rng, onnx.Uint8, c.w...)
			op, _ := ops.Build(n, 10)
			outV, err := op.Infer([]ops.Value{{Type: onnx.Uint8, Shape: c.x}, {Type: onnx.Float}, {Type: onnx.Uint8}, {Type: onnx.Uint8, Shape: c.w},
				{Type: onnx.Float}, {Type: onnx.Uint8}, {Type: onnx.Float}, {Type: onnx.Uint8}})
			if err != nil {
				b.Fatal(err)
			}
			macs := float64(ops.NumElems(outV[0].Shape) * ops.NumElems(c.w[1:]))
			benchBound(b, n, 10, macs, x, scalarF32(0.02), quantTensor[uint8](nil, 128), w, scalarF32(0.003), quantTensor[uint8](nil, 120),
				scalarF32(0.05), quantTensor[uint8](nil, 100), ops.New(onnx.Int32, c.w[0]))
		})
	}
}

// TestQuantEmpty runs the operators on tensors with a zero dimension:
// empty outputs, or (no input channels, no k) outputs of bias alone.
func TestQuantEmpty(t *testing.T) {
	u := func(shape ...int) *ops.Tensor { return ops.New(onnx.Uint8, shape...) }
	one := scalarF32(1)
	for _, prepare := range []bool{false, true} {
		// No images, then no input channels: y = requantized bias.
		got, err := evalQ(qNode("QLinearConv", 9), 10, prepare, u(0, 2, 3, 3), one, u(), u(4, 2, 2, 2), one, u(), one, u(), ops.New(onnx.Int32, 4))
		if err != nil || !ops.SameShape(got.Shape, []int{0, 4, 2, 2}) {
			t.Fatalf("no images: %v %v", got, err)
		}
		bias := quantTensor[int32]([]int{3}, 5, -7, 300)
		got, err = evalQ(qNode("QLinearConv", 9), 10, prepare, u(1, 0, 2, 2), one, u(), u(3, 0, 1, 1), one, u(), scalarF32(0.5), quantTensor[uint8](nil, 100), bias)
		if err != nil {
			t.Fatal(err)
		}
		opstest.WantTensor(t, "no channels", got, opstest.WithShape(quantTensor[uint8](nil, 110, 110, 110, 110, 86, 86, 86, 86, 255, 255, 255, 255), 1, 3, 2, 2))
		got, err = evalQ(qNode("ConvInteger", 2, opstest.AttrI("group", 3)), 10, prepare, u(0, 3, 4, 4), u(3, 1, 3, 3))
		if err != nil || !ops.SameShape(got.Shape, []int{0, 3, 2, 2}) {
			t.Fatalf("depthwise, no images: %v %v", got, err)
		}
		got, err = evalQ(qNode("MatMulInteger", 2), 10, prepare, u(2, 0, 3), u(3, 4))
		if err != nil || !ops.SameShape(got.Shape, []int{2, 0, 4}) {
			t.Fatalf("matmul, no rows: %v %v", got, err)
		}
		got, err = evalQ(msNode("QGemm", 9), 1, prepare, u(2, 0), one, u(), u(0, 3), one, u(), quantTensor[int32]([]int{3}, 1, 2, 3), scalarF32(0.5), u())
		if err != nil {
			t.Fatal(err)
		}
		opstest.WantTensor(t, "QGemm, no k", got, opstest.WithShape(quantTensor[uint8](nil, 2, 4, 6, 2, 4, 6), 2, 3))
	}
	p := []*ops.Tensor{one, u(), one, u()}
	got, err := evalQ(msNode("QLinearGlobalAveragePool", 5), 1, false, append([]*ops.Tensor{u(0, 3, 2, 2)}, p...)...)
	if err != nil || !ops.SameShape(got.Shape, []int{0, 3, 1, 1}) {
		t.Fatalf("global pool, no images: %v %v", got, err)
	}
	got, err = evalQ(msNode("QLinearSoftmax", 5, opstest.AttrI("opset", 13)), 1, false, append([]*ops.Tensor{u(0, 3)}, p...)...)
	if err != nil || !ops.SameShape(got.Shape, []int{0, 3}) {
		t.Fatalf("softmax, no rows: %v %v", got, err)
	}
	got, err = evalQ(msNode("QLinearConcat", 5, opstest.AttrI("axis", 0)), 1, false, one, u(), u(0, 2), one, u())
	if err != nil || !ops.SameShape(got.Shape, []int{0, 2}) {
		t.Fatalf("concat of nothing: %v %v", got, err)
	}
}
