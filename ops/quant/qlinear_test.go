package quant

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// evalScratch is opstest.Eval for ops that ask for a workspace: it builds n,
// infers with constant inputs, gives Run the Workspace bytes and runs on a
// opstest.ChunkPar.
func evalScratch(n *onnx.Node, opset int, in ...*ops.Tensor) (*ops.Tensor, error) {
	op, err := ops.Build(n, opset)
	if err != nil {
		return nil, err
	}
	vals := make([]ops.Value, len(in))
	for i, t := range in {
		if t != nil {
			vals[i] = ops.Value{Type: t.Type, Shape: t.Shape, Const: t}
		}
	}
	outVals, err := op.Infer(vals)
	if err != nil {
		return nil, err
	}
	out := ops.New(outVals[0].Type, outVals[0].Shape...)
	ctx := &ops.Ctx{Par: opstest.ChunkPar{Size: 3}}
	if w, ok := op.(ops.Workspacer); ok {
		ctx.Scratch = ops.AlignedBytes(w.Workspace(vals))
	}
	return out, op.Run(ctx, in, []*ops.Tensor{out})
}

func TestQLinearMatMulHand(t *testing.T) {
	a := opstest.WithShape(quantTensor[uint8](nil, 1, 2, 3, 4, 5, 6), 2, 3)
	b := opstest.WithShape(quantTensor[uint8](nil, 1, 2, 3, 4, 5, 6), 3, 2)
	// (a-1)·(b-2) = [[7 10] [16 28]]; times 0.5*1/2 = [1.75 2.5 4 7], rounded half to even, +100.
	got, err := evalScratch(qNode("QLinearMatMul", 8), 10, a, scalarF32(0.5), quantTensor[uint8](nil, 1),
		b, scalarF32(1), quantTensor[uint8](nil, 2), scalarF32(2), quantTensor[uint8](nil, 100))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "per tensor", got, opstest.WithShape(quantTensor[uint8](nil, 102, 102, 104, 107), 2, 2))

	// Per-column b: zero points [2 3] make both columns [-1 1 3]; sums [[7 7] [16 16]];
	// scales 0.5*[1 0.5]/2 = [0.25 0.125].
	got, err = evalScratch(qNode("QLinearMatMul", 8), 21, a, opstest.F32s(0.5), quantTensor[uint8]([]int{1}, 1),
		b, opstest.F32s(1, 0.5), quantTensor[uint8](nil, 2, 3), opstest.F32s(2), quantTensor[uint8]([]int{1}, 100))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "per column", got, opstest.WithShape(quantTensor[uint8](nil, 102, 101, 104, 102), 2, 2))

	// Saturation of an int8 output.
	got, err = evalScratch(qNode("QLinearMatMul", 8), 10, a, scalarF32(1), quantTensor[uint8](nil, 0),
		b, scalarF32(1), quantTensor[uint8](nil, 0), scalarF32(0.01), quantTensor[int8](nil, -100))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "saturated", got, opstest.WithShape(quantTensor[int8](nil, 127, 127, 127, 127), 2, 2))
}

// quant8Rand is a random uint8 or int8 tensor.
func quant8Rand(rng *rand.Rand, dt ops.DType, shape ...int) *ops.Tensor {
	t := ops.New(dt, shape...)
	for i := range t.Data {
		t.Data[i] = byte(rng.IntN(256))
	}
	return t
}

// q8At reads element i of a uint8 or int8 tensor.
func q8At(t *ops.Tensor, i int) int64 {
	if t.Type == onnx.Int8 {
		return int64(t.I8()[i])
	}
	return int64(t.U8()[i])
}

// qRequant is the reference requantization of sum s.
func qRequant(s int64, xs, ws, ys float32, zp int64, dt ops.DType) int64 {
	v := math.RoundToEven(float64(s)*float64(xs*ws/ys)) + float64(zp)
	lo, hi := 0.0, 255.0
	if dt == onnx.Int8 {
		lo, hi = -128, 127
	}
	return int64(max(lo, min(hi, v)))
}

// sameQ8 compares a uint8/int8 output with reference values.
func sameQ8(t *testing.T, label string, got *ops.Tensor, shape []int, want []int64) {
	t.Helper()
	if !ops.SameShape(got.Shape, shape) {
		t.Fatalf("%s: shape %v, want %v", label, got.Shape, shape)
	}
	for i, w := range want {
		if g := q8At(got, i); g != w {
			t.Fatalf("%s: element %d is %d, want %d", label, i, g, w)
		}
	}
}

// TestQLinearMatMulShapes checks broadcasting, 1-D operands and every type
// combination against a naive product.
func TestQLinearMatMulShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	cases := []struct{ a, b, out []int }{
		{[]int{2, 1, 2, 3}, []int{3, 3, 2}, []int{2, 3, 2, 2}},
		{[]int{3}, []int{3, 2}, []int{2}},
		{[]int{2, 3}, []int{3}, []int{2}},
		{[]int{3}, []int{3}, []int{}},
		{[]int{4, 70}, []int{70, 130}, []int{4, 130}},
		{[]int{2, 3, 0}, []int{0, 2}, []int{2, 3, 2}},
	}
	types := []ops.DType{onnx.Uint8, onnx.Int8}
	for ci, c := range cases {
		for _, at := range types {
			for _, bt := range types {
				for _, yt := range types {
					label := fmt.Sprintf("case %d %s·%s->%s", ci, ops.TypeName(at), ops.TypeName(bt), ops.TypeName(yt))
					a, b := quant8Rand(rng, at, c.a...), quant8Rand(rng, bt, c.b...)
					za, zy := quant8Rand(rng, at), quant8Rand(rng, yt)
					n := c.b[len(c.b)-1]
					if len(c.b) == 1 {
						n = 1
					}
					zb := quant8Rand(rng, bt, n)
					bs := make([]float32, n)
					for i := range bs {
						bs[i] = 0.001 + rng.Float32()*0.01
					}
					as, ys := float32(0.01), float32(0.02)
					got, err := evalScratch(qNode("QLinearMatMul", 8), 21, a, scalarF32(as), za, b, ops.FromF32(bs, n), zb, scalarF32(ys), zy)
					if err != nil {
						t.Fatalf("%s: %v", label, err)
					}
					sameQ8(t, label, got, c.out, qmatmulRef(a, b, za, zb, zy, as, bs, ys, yt))
				}
			}
		}
	}
}

// qmatmulRef is a naive QLinearMatMul: numpy shapes handled by
// broadcasting batch indices digit by digit.
func qmatmulRef(a, b, za, zb, zy *ops.Tensor, as float32, bs []float32, ys float32, yt ops.DType) []int64 {
	am, bm := a.Shape, b.Shape
	if len(am) == 1 {
		am = []int{1, am[0]}
	}
	if len(bm) == 1 {
		bm = []int{bm[0], 1}
	}
	m, k, n := am[len(am)-2], am[len(am)-1], bm[len(bm)-1]
	ab, bb := am[:len(am)-2], bm[:len(bm)-2]
	batch, _ := ops.BroadcastShape(ab, bb)
	index := func(dims []int, bi int) int { // flat batch index of dims for output batch bi
		idx, mul := 0, 1
		for j := len(batch) - 1; j >= 0; j-- {
			d := bi % batch[j]
			bi /= batch[j]
			if o := j - (len(batch) - len(dims)); o >= 0 {
				if dims[o] > 1 {
					idx += d * mul
				}
				mul *= dims[o]
			}
		}
		return idx
	}
	var out []int64
	for bi := range ops.NumElems(batch) {
		ao, bo := index(ab, bi)*m*k, index(bb, bi)*k*n
		for i := range m {
			for j := range n {
				var s int64
				for l := range k {
					s += (q8At(a, ao+i*k+l) - q8At(za, 0)) * (q8At(b, bo+l*n+j) - q8At(zb, j))
				}
				out = append(out, qRequant(s, as, bs[j], ys, q8At(zy, 0), yt))
			}
		}
	}
	return out
}

func TestQLinearMatMulErrors(t *testing.T) {
	u := func(shape ...int) *ops.Tensor { return ops.New(onnx.Uint8, shape...) }
	ok := []*ops.Tensor{u(2, 3), scalarF32(1), u(), u(3, 4), scalarF32(1), u(), scalarF32(1), u()}
	with := func(i int, v *ops.Tensor) []*ops.Tensor {
		in := append([]*ops.Tensor(nil), ok...)
		in[i] = v
		return in
	}
	n := qNode("QLinearMatMul", 8)
	if _, err := evalScratch(n, 10, ok...); err != nil {
		t.Fatal(err)
	}
	_, err := evalScratch(n, 10, with(3, u(2, 4))...)
	opstest.WantErr(t, "inner dims", err, "3 columns", "2 rows")
	_, err = evalScratch(n, 10, with(1, opstest.F32s(1, 1))...)
	opstest.WantErr(t, "per-row a_scale", err, "a_scale", "want a scalar")
	_, err = evalScratch(n, 10, with(4, opstest.F32s(1, 1, 1))...)
	opstest.WantErr(t, "b_scale size", err, "b_scale", "4 elements")
	_, err = evalScratch(n, 10, with(5, ops.New(onnx.Int8))...)
	opstest.WantErr(t, "b_zero_point type", err, "b_zero_point", "int8", "uint8")
	_, err = evalScratch(n, 10, with(0, ops.New(onnx.Int16, 2, 3))...)
	opstest.WantErr(t, "int16 a", err, "input \"a\"", "int16")
	_, err = evalScratch(n, 10, with(6, opstest.I64s(1))...)
	opstest.WantErr(t, "y_scale type", err, "y_scale", "int64")
	_, err = evalScratch(n, 10, ok[:7]...)
	opstest.WantErr(t, "seven inputs", err, "inputs")
	op, err := ops.Build(n, 21)
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]ops.Value, 8)
	for i, x := range ok {
		vals[i] = ops.Value{Type: x.Type, Shape: x.Shape}
	}
	vals[0].Type, vals[2].Type = onnx.Float8E4M3FN, onnx.Float8E4M3FN
	_, err = op.Infer(vals)
	if !errors.Is(err, ops.ErrUnsupported) {
		t.Errorf("float8 a: error %v, want ErrUnsupported", err)
	}
	opstest.WantErr(t, "float8 a", err, "unsupported type FLOAT8E4M3FN")
}

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

// TestQLinearConvReference compares QLinearConv with a direct convolution
// over geometries (padding, strides, dilations, auto_pad, groups, 1-D to 3-D,
// 1x1) and every type combination, with per-channel weight quantization.
func TestQLinearConvReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	cases := []struct {
		x, w  []int
		group int
		attrs []*onnx.Attribute
	}{
		{[]int{1, 2, 5, 5}, []int{3, 2, 3, 3}, 1, []*onnx.Attribute{opstest.AttrIs("pads", 1, 1, 1, 1)}},
		{[]int{2, 4, 7, 6}, []int{4, 2, 3, 2}, 2, []*onnx.Attribute{opstest.AttrIs("strides", 2, 1), opstest.AttrIs("dilations", 2, 1), opstest.AttrIs("pads", 0, 2, 1, 0)}},
		{[]int{1, 3, 6, 6}, []int{3, 1, 3, 3}, 3, []*onnx.Attribute{opstest.AttrS("auto_pad", "SAME_UPPER"), opstest.AttrIs("strides", 2, 2)}},
		{[]int{1, 2, 5, 4}, []int{2, 2, 2, 2}, 1, []*onnx.Attribute{opstest.AttrS("auto_pad", "SAME_LOWER")}},
		{[]int{2, 3, 4, 5}, []int{5, 3, 1, 1}, 1, nil},
		{[]int{1, 2, 9}, []int{2, 2, 3}, 1, []*onnx.Attribute{opstest.AttrIs("pads", 2, 1), opstest.AttrIs("kernel_shape", 3)}},
		{[]int{1, 2, 3, 4, 4}, []int{2, 1, 2, 3, 2}, 2, []*onnx.Attribute{opstest.AttrIs("pads", 1, 0, 1, 0, 1, 1)}},
		{[]int{1, 1, 4, 4}, []int{1, 1, 2, 2}, 1, []*onnx.Attribute{opstest.AttrS("auto_pad", "VALID"), opstest.AttrIs("strides", 2, 2)}},
	}
	types := []ops.DType{onnx.Uint8, onnx.Int8}
	for ci, c := range cases {
		for _, xt := range types {
			for _, wt := range types {
				for _, yt := range types {
					label := fmt.Sprintf("case %d %s*%s->%s", ci, ops.TypeName(xt), ops.TypeName(wt), ops.TypeName(yt))
					m := c.w[0]
					x, w := quant8Rand(rng, xt, c.x...), quant8Rand(rng, wt, c.w...)
					zx, zy := quant8Rand(rng, xt), quant8Rand(rng, yt)
					zw := quant8Rand(rng, wt, m)
					ws, bias := make([]float32, m), ops.New(onnx.Int32, m)
					for i := range ws {
						ws[i] = 0.0005 + rng.Float32()*0.002
						bias.I32()[i] = int32(rng.IntN(2001) - 1000)
					}
					xs, ys := float32(0.02), float32(0.03)
					attrs := append([]*onnx.Attribute{opstest.AttrI("group", int64(c.group))}, c.attrs...)
					got, err := evalScratch(qNode("QLinearConv", 9, attrs...), 10, x, scalarF32(xs), zx, w, ops.FromF32(ws, m), zw, scalarF32(ys), zy, bias)
					if err != nil {
						t.Fatalf("%s: %v", label, err)
					}
					op, _ := ops.Build(qNode("QLinearConv", 9, attrs...), 10)
					g, err := op.(*qlinearConv).geom(c.x, c.w)
					if err != nil {
						t.Fatal(err)
					}
					want := qconvRef(x, w, zx, zw, zy, bias, xs, ws, ys, c.group, &g, yt)
					sameQ8(t, label, got, append([]int{c.x[0], m}, g.Out...), want)
				}
			}
		}
	}
}

// qconvRef is a direct quantized convolution: for every output position
// and tap, the input coordinate is computed axis by axis and skipped when it
// falls in the padding.
func qconvRef(x, w, zx, zw, zy, bias *ops.Tensor, xs float32, ws []float32, ys float32, group int, g *ops.Window, yt ops.DType) []int64 {
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
				s := int64(bias.I32()[oc])
				for ic := range cg {
					for t := range kn {
						off, inside := 0, true
						for d := range nd {
							o, kk := p/outSt[d]%g.Out[d], t/kSt[d]%g.Kernel[d]
							pos := o*g.Strides[d] - g.PadBegin[d] + kk*g.Dilations[d]
							inside = inside && pos >= 0 && pos < g.In[d]
							off += pos * inSt[d]
						}
						if !inside {
							continue
						}
						xv := q8At(x, (b*c+grp*cg+ic)*plane+off) - q8At(zx, 0)
						wv := q8At(w, (oc*cg+ic)*kn+t) - q8At(zw, oc)
						s += xv * wv
					}
				}
				out = append(out, qRequant(s, xs, ws[oc], ys, q8At(zy, 0), yt))
			}
		}
	}
	return out
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

// TestQLinearNodeTests runs test_qlinearconv and the eight
// test_qlinearmatmul_* (the float16 ones have their scales widened).
func TestQLinearNodeTests(t *testing.T) {
	if got := opstest.NodeTests(t, "test_qlinearconv", "test_qlinearmatmul_*"); got != 9 {
		t.Errorf("%d node tests passed, want 9", got)
	}
}
