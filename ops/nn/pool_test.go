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

// poolCase is one pooling window for the reference comparison.
type poolCase struct {
	x                  []int
	kernel, strides    []int
	dilations, pads    []int
	ceil, includePad   bool
	autoPad            string
	wantOut            []int // spatial output shape, from the spec's formulas by hand
	wantBegin, wantEnd []int // effective padding
}

// refPool pools x (kind MaxPool, AveragePool or LpPool with exponent p)
// by enumerating every tap of every window: taps in the input count, taps
// in the padding count only for an average including padding, taps beyond
// the padding (ceil_mode) never count.
func refPool(kind string, p float64, x []float32, xs []int, c *poolCase, strides, dil []int) []float32 {
	nd := len(xs) - 2
	planes, inSize, outSize, kSize := xs[0]*xs[1], ops.NumElems(xs[2:]), ops.NumElems(c.wantOut), ops.NumElems(c.kernel)
	y := make([]float32, planes*outSize)
	opos, kpos := make([]int, nd), make([]int, nd)
	for pl := range planes {
		for o := range outSize {
			opstest.Unflatten(o, c.wantOut, opos)
			best, sum, lp, n := math.Inf(-1), 0.0, 0.0, 0
			for k := range kSize {
				opstest.Unflatten(k, c.kernel, kpos)
				idx, inside, inPad := 0, true, true
				for d := range nd {
					p := opos[d]*strides[d] - c.wantBegin[d] + kpos[d]*dil[d]
					if p < -c.wantBegin[d] || p >= xs[2+d]+c.wantEnd[d] {
						inPad = false
					}
					if p < 0 || p >= xs[2+d] {
						inside = false
					}
					idx = idx*xs[2+d] + min(max(p, 0), xs[2+d]-1)
				}
				switch {
				case inside:
					v := float64(x[pl*inSize+idx])
					best, sum, lp, n = math.Max(best, v), sum+v, lp+math.Pow(math.Abs(v), p), n+1
				case inPad && c.includePad:
					n++
				}
			}
			switch kind {
			case "MaxPool":
				y[pl*outSize+o] = float32(best)
			case "AveragePool":
				y[pl*outSize+o] = float32(sum / float64(n))
			default:
				y[pl*outSize+o] = float32(math.Pow(lp, 1/p))
			}
		}
	}
	return y
}

func (c *poolCase) attrs(kind string) []*onnx.Attribute {
	a := []*onnx.Attribute{opstest.Ints("kernel_shape", c.kernel...)}
	if c.strides != nil {
		a = append(a, opstest.Ints("strides", c.strides...))
	}
	if c.dilations != nil {
		a = append(a, opstest.Ints("dilations", c.dilations...))
	}
	if c.pads != nil {
		a = append(a, opstest.Ints("pads", c.pads...))
	}
	if c.ceil {
		a = append(a, opstest.Int("ceil_mode", 1))
	}
	if c.autoPad != "" {
		a = append(a, opstest.String("auto_pad", c.autoPad))
	}
	if c.includePad && kind == "AveragePool" {
		a = append(a, opstest.Int("count_include_pad", 1))
	}
	return a
}

// poolCases are windows whose output shape and padding were worked out by
// hand from the spec's formulas.
var poolCases = func() []poolCase {
	return []poolCase{
		{x: []int{1, 2, 7, 7}, kernel: []int{3, 3}, strides: []int{2, 2}, pads: []int{1, 1, 1, 1},
			wantOut: []int{4, 4}, wantBegin: []int{1, 1}, wantEnd: []int{1, 1}},
		// Axis 0: span 9+1-3 = 7, ceil(7/2)+1 = 5 windows, the last (taps 8,
		// 9, 10) reaching past the end padding. Axis 1: span 4+1-2 = 3,
		// ceil(3/2)+1 = 3, but the third window would start at 4 >= 4+0,
		// in the end padding: 2.
		{x: []int{2, 1, 9, 4}, kernel: []int{3, 2}, strides: []int{2, 2}, pads: []int{0, 0, 1, 1}, ceil: true, includePad: true,
			wantOut: []int{5, 2}, wantBegin: []int{0, 0}, wantEnd: []int{1, 1}},
		{x: []int{1, 3, 9, 10}, kernel: []int{2, 3}, strides: []int{3, 2}, dilations: []int{2, 2}, ceil: true,
			wantOut: []int{3, 4}, wantBegin: []int{0, 0}, wantEnd: []int{0, 0}},
		{x: []int{1, 2, 9, 10}, kernel: []int{3, 2}, strides: []int{2, 3}, autoPad: "SAME_UPPER", includePad: true,
			wantOut: []int{5, 4}, wantBegin: []int{1, 0}, wantEnd: []int{1, 1}},
		{x: []int{1, 2, 9, 10}, kernel: []int{3, 2}, strides: []int{2, 3}, autoPad: "SAME_LOWER", includePad: true,
			wantOut: []int{5, 4}, wantBegin: []int{1, 1}, wantEnd: []int{1, 0}},
		{x: []int{1, 2, 9, 10}, kernel: []int{3, 4}, strides: []int{2, 3}, autoPad: "VALID",
			wantOut: []int{4, 3}, wantBegin: []int{0, 0}, wantEnd: []int{0, 0}},
		{x: []int{3, 2, 11}, kernel: []int{4}, strides: []int{3}, pads: []int{2, 3}, includePad: true,
			wantOut: []int{5}, wantBegin: []int{2}, wantEnd: []int{3}},
		// ResNet's stem pool, and rows too wide for the separable max pool.
		{x: []int{1, 3, 12, 13}, kernel: []int{3, 3}, strides: []int{2, 2}, pads: []int{1, 1, 1, 1},
			wantOut: []int{6, 7}, wantBegin: []int{1, 1}, wantEnd: []int{1, 1}},
		// SqueezeNet's pools: the 3-wide stride-2 window over rows wider
		// than one SIMD step, with and without padding.
		{x: []int{1, 2, 5, 111}, kernel: []int{3, 3}, strides: []int{2, 2},
			wantOut: []int{2, 55}, wantBegin: []int{0, 0}, wantEnd: []int{0, 0}},
		{x: []int{1, 1, 4, 70}, kernel: []int{3, 3}, strides: []int{2, 2}, pads: []int{1, 1, 1, 1},
			wantOut: []int{2, 35}, wantBegin: []int{1, 1}, wantEnd: []int{1, 1}},
		// The 8-bit whole-plane pools (max3x3S2Plane): ResNet's stem pool
		// at size, padding at the top and left alone, one output column
		// after a left pad, one window, and a plane too large for the
		// scratch.
		{x: []int{1, 2, 112, 112}, kernel: []int{3, 3}, strides: []int{2, 2}, pads: []int{1, 1, 1, 1},
			wantOut: []int{56, 56}, wantBegin: []int{1, 1}, wantEnd: []int{1, 1}},
		{x: []int{1, 2, 9, 20}, kernel: []int{3, 3}, strides: []int{2, 2}, pads: []int{1, 0, 0, 0},
			wantOut: []int{4, 9}, wantBegin: []int{1, 0}, wantEnd: []int{0, 0}},
		{x: []int{1, 2, 4, 2}, kernel: []int{3, 3}, strides: []int{2, 2}, pads: []int{1, 1, 0, 0},
			wantOut: []int{2, 1}, wantBegin: []int{1, 1}, wantEnd: []int{0, 0}},
		{x: []int{1, 3, 3, 3}, kernel: []int{3, 3}, strides: []int{2, 2},
			wantOut: []int{1, 1}, wantBegin: []int{0, 0}, wantEnd: []int{0, 0}},
		{x: []int{1, 1, 21, 1000}, kernel: []int{3, 3}, strides: []int{2, 2},
			wantOut: []int{10, 499}, wantBegin: []int{0, 0}, wantEnd: []int{0, 0}},
		// Inception's pooling branch (3x3, stride 1, "same"), over rows
		// wider and narrower than one SIMD step and too narrow for any
		// window to lie inside; GoogLeNet's ceil-mode pools, the last
		// window reaching past the row.
		{x: []int{1, 2, 14, 14}, kernel: []int{3, 3}, strides: []int{1, 1}, pads: []int{1, 1, 1, 1},
			wantOut: []int{14, 14}, wantBegin: []int{1, 1}, wantEnd: []int{1, 1}},
		{x: []int{1, 3, 7, 23}, kernel: []int{3, 3}, strides: []int{1, 1}, pads: []int{1, 1, 1, 1},
			wantOut: []int{7, 23}, wantBegin: []int{1, 1}, wantEnd: []int{1, 1}},
		{x: []int{1, 2, 6, 2}, kernel: []int{3, 3}, strides: []int{1, 1}, pads: []int{1, 1, 1, 1},
			wantOut: []int{6, 2}, wantBegin: []int{1, 1}, wantEnd: []int{1, 1}},
		{x: []int{1, 2, 5, 1}, kernel: []int{3, 3}, strides: []int{1, 1}, pads: []int{1, 1, 1, 1},
			wantOut: []int{5, 1}, wantBegin: []int{1, 1}, wantEnd: []int{1, 1}},
		{x: []int{2, 3, 1, 9}, kernel: []int{3, 3}, strides: []int{1, 1}, pads: []int{1, 1, 1, 1},
			wantOut: []int{1, 9}, wantBegin: []int{1, 1}, wantEnd: []int{1, 1}},
		{x: []int{1, 200, 7, 7}, kernel: []int{3, 3}, strides: []int{1, 1}, pads: []int{1, 1, 1, 1},
			wantOut: []int{7, 7}, wantBegin: []int{1, 1}, wantEnd: []int{1, 1}},
		{x: []int{1, 2, 11, 28}, kernel: []int{3, 3}, strides: []int{2, 2}, ceil: true,
			wantOut: []int{5, 14}, wantBegin: []int{0, 0}, wantEnd: []int{0, 0}},
		{x: []int{1, 1, 3, 1030}, kernel: []int{2, 3}, strides: []int{1, 2}, pads: []int{0, 1, 0, 1},
			wantOut: []int{2, 515}, wantBegin: []int{0, 1}, wantEnd: []int{0, 1}},
		{x: []int{1, 2, 5, 6, 7}, kernel: []int{2, 3, 2}, strides: []int{2, 1, 2}, dilations: []int{1, 2, 2}, pads: []int{1, 0, 1, 0, 2, 1}, ceil: true, includePad: true,
			wantOut: []int{3, 4, 4}, wantBegin: []int{1, 0, 1}, wantEnd: []int{0, 2, 1}},
	}
}()

// TestSpatialResolve checks resolve (QLinearConv's slices) and resolve3
// (the float kernels' arrays) against the hand-computed shapes and pads.
func TestSpatialResolve(t *testing.T) {
	for _, c := range poolCases {
		n := opstest.NodeOf("MaxPool", []*ops.Tensor{nil}, 1, c.attrs("MaxPool")...)
		sp, err := ops.ParseWindow(ops.AttrsOf(n), true)
		if err != nil {
			t.Fatal(err)
		}
		g, err := sp.Resolve(c.x[2:], nil)
		if err != nil {
			t.Fatal(err)
		}
		if !ops.SameShape(g.Out, c.wantOut) || !ops.SameShape(g.PadBegin, c.wantBegin) || !ops.SameShape(g.PadEnd, c.wantEnd) {
			t.Errorf("%+v: resolve gives out %v pads %v %v", c, g.Out, g.PadBegin, g.PadEnd)
		}
		g3, err := sp.Resolve3(c.x[2:], nil)
		if err != nil {
			t.Fatal(err)
		}
		off := ops.MaxWindowAxes - len(c.wantOut)
		for i := range c.wantOut {
			if g3.Out[off+i] != c.wantOut[i] || g3.Pad[off+i] != c.wantBegin[i] || g3.PadEnd[off+i] != c.wantEnd[i] {
				t.Errorf("%+v: resolve3 gives %+v", c, g3)
			}
		}
	}
}

func TestPoolReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	cases := poolCases
	for i := range cases {
		c := &cases[i]
		nd := len(c.x) - 2
		strides, dil := c.strides, c.dilations
		if strides == nil {
			strides = []int{1, 1, 1}[:nd]
		}
		if dil == nil {
			dil = []int{1, 1, 1}[:nd]
		}
		x := opstest.Rand(rng, c.x...)
		for _, k := range []struct {
			kind string
			p    int
		}{{"MaxPool", 0}, {"AveragePool", 0}, {"LpPool", 2}, {"LpPool", 3}} {
			kind := k.kind
			label := fmt.Sprintf("%s %+v", kind, *c)
			attrs := c.attrs(kind)
			if k.p != 0 {
				attrs = append(attrs, opstest.Int("p", k.p))
			}
			op, err := ops.Build(opstest.NodeOf(kind, []*ops.Tensor{x}, 1, attrs...), 22)
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			want := refPool(kind, float64(k.p), x.F32(), c.x, c, strides, dil)
			for _, par := range []ops.Parallel{ops.Serial{}, opstest.Par{N: 3}} {
				got, err := opstest.Exec(op, []*ops.Tensor{x}, nil, par)
				if err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				if ws := append(c.x[:2:2], c.wantOut...); !ops.SameShape(got[0].Shape, ws) {
					t.Fatalf("%s: shape %v, want %v", label, got[0].Shape, ws)
				}
				opstest.Close(t, label, got[0].F32(), want, 1e-5, 1e-6)
			}
		}
		// MaxPool of 8-bit values (a quantized network's), exactly.
		for _, dt := range []ops.DType{onnx.Uint8, onnx.Int8} {
			label := fmt.Sprintf("MaxPool %s %+v", ops.TypeName(dt), *c)
			xq := ops.New(dt, c.x...)
			xf := make([]float32, len(xq.Data))
			for i := range xq.Data {
				xq.Data[i] = byte(rng.IntN(256))
				xf[i] = float32(xq.Data[i])
				if dt == onnx.Int8 {
					xf[i] = float32(int8(xq.Data[i]))
				}
			}
			op, err := ops.Build(opstest.NodeOf("MaxPool", []*ops.Tensor{xq}, 1, c.attrs("MaxPool")...), 22)
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			want := refPool("MaxPool", 0, xf, c.x, c, strides, dil)
			got, err := opstest.Exec(op, []*ops.Tensor{xq}, nil, opstest.Par{N: 3})
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			for i, w := range want {
				g := float32(got[0].Data[i])
				if dt == onnx.Int8 {
					g = float32(int8(got[0].Data[i]))
				}
				if g != w {
					t.Fatalf("%s: element %d is %v, want %v", label, i, g, w)
				}
			}
		}
	}
}

func TestMaxPoolIndicesAndInts(t *testing.T) {
	// 2x3 plane, 2x2 window, stride 1: maxima and their positions.
	x := []float32{1, 9, 2, 8, 3, 7}
	xt := ops.FromF32(x, 1, 1, 2, 3)
	for _, c := range []struct {
		order int
		want  []int64
	}{{0, []int64{1, 1}}, {1, []int64{2, 2}}} {
		op, err := ops.Build(opstest.NodeOf("MaxPool", []*ops.Tensor{xt}, 2, opstest.Ints("kernel_shape", 2, 2), opstest.Int("storage_order", c.order)), 12)
		if err != nil {
			t.Fatal(err)
		}
		got, err := opstest.Exec(op, []*ops.Tensor{xt}, nil, ops.Serial{})
		if err != nil {
			t.Fatal(err)
		}
		opstest.Close(t, "values", got[0].F32(), []float32{9, 9}, 0, 0)
		if idx := got[1].I64(); idx[0] != c.want[0] || idx[1] != c.want[1] {
			t.Errorf("storage_order %d: indices %v, want %v", c.order, idx, c.want)
		}
	}
	// int8 with padding: padded positions never win even against -128.
	xi := &ops.Tensor{Type: onnx.Int8, Shape: []int{1, 1, 1, 3}, Data: []byte{0x80, 0x85, 0x90}}
	op, err := ops.Build(opstest.NodeOf("MaxPool", []*ops.Tensor{xi}, 1, opstest.Ints("kernel_shape", 1, 2), opstest.Ints("pads", 0, 1, 0, 1)), 12)
	if err != nil {
		t.Fatal(err)
	}
	got, err := opstest.Exec(op, []*ops.Tensor{xi}, nil, ops.Serial{})
	if err != nil {
		t.Fatal(err)
	}
	if g := got[0].I8(); len(g) != 4 || g[0] != -128 || g[1] != -123 || g[2] != -112 || g[3] != -112 {
		t.Errorf("int8 max pool = %v, want [-128 -123 -112 -112]", g)
	}
}

func TestGlobalPools(t *testing.T) {
	x := ops.FromF32([]float32{1, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, -4, -5, -6, -7, -9}, 1, 2, 2, 2, 2)
	for op, want := range map[string][]float32{"GlobalAveragePool": {4.5, -4.625}, "GlobalMaxPool": {8, -1}, "GlobalLpPool": {14.282857, 14.866069}} {
		o, err := ops.Build(opstest.NodeOf(op, []*ops.Tensor{x}, 1), 22)
		if err != nil {
			t.Fatal(err)
		}
		got, err := opstest.Exec(o, []*ops.Tensor{x}, nil, opstest.Par{N: 2})
		if err != nil {
			t.Fatal(err)
		}
		if !ops.SameShape(got[0].Shape, []int{1, 2, 1, 1, 1}) {
			t.Errorf("%s: shape %v", op, got[0].Shape)
		}
		opstest.Close(t, op, got[0].F32(), want, 1e-6, 0)
	}
	// Opset 1's p is a float.
	o, err := ops.Build(opstest.NodeOf("GlobalLpPool", []*ops.Tensor{x}, 1, opstest.Float("p", 1)), 1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := opstest.Exec(o, []*ops.Tensor{x}, nil, ops.Serial{})
	if err != nil {
		t.Fatal(err)
	}
	opstest.Close(t, "GlobalLpPool-1", got[0].F32(), []float32{36, 37}, 1e-6, 0)
}

func TestPoolErrors(t *testing.T) {
	x := ops.New(onnx.Float, 1, 1, 4, 4)
	for _, c := range []struct {
		op    string
		x     *ops.Tensor
		attrs []*onnx.Attribute
		want  string
	}{
		{"MaxPool", x, nil, "kernel_shape"},
		{"MaxPool", x, []*onnx.Attribute{opstest.Ints("kernel_shape", 3, 0)}, "kernel_shape"},
		{"MaxPool", x, []*onnx.Attribute{opstest.Ints("kernel_shape", 3, 3), opstest.Ints("dilations", 1, 0)}, "dilations"},
		{"MaxPool", x, []*onnx.Attribute{opstest.Ints("kernel_shape", 5, 3)}, "exceeds padded input"},
		{"MaxPool", x, []*onnx.Attribute{opstest.Ints("kernel_shape", 3)}, "kernel_shape"},
		{"MaxPool", x, []*onnx.Attribute{opstest.Ints("kernel_shape", 3, 3), opstest.Int("storage_order", 2)}, "storage_order"},
		{"MaxPool", ops.New(onnx.Float, 4, 4), []*onnx.Attribute{opstest.Ints("kernel_shape", 3, 3)}, "want [N, C"},
		{"AveragePool", ops.New(onnx.Uint8, 1, 1, 4, 4), []*onnx.Attribute{opstest.Ints("kernel_shape", 3, 3)}, "uint8"},
		{"GlobalAveragePool", ops.New(onnx.Int32, 1, 1, 4, 4), nil, "int32"},
		{"GlobalMaxPool", ops.New(onnx.Float, 1, 4), nil, "want [N, C"},
		{"LpPool", x, []*onnx.Attribute{opstest.Ints("kernel_shape", 3, 3), opstest.Int("p", 0)}, "\"p\""},
		{"LpPool", x, []*onnx.Attribute{opstest.Ints("kernel_shape", 3, 3), opstest.Float("p", 2)}, "\"p\""},
		{"LpPool", ops.New(onnx.Int8, 1, 1, 4, 4), []*onnx.Attribute{opstest.Ints("kernel_shape", 3, 3)}, "int8"},
	} {
		op, err := ops.Build(opstest.NodeOf(c.op, []*ops.Tensor{c.x}, 1, c.attrs...), 22)
		if err == nil {
			_, err = opstest.Exec(op, []*ops.Tensor{c.x}, nil, ops.Serial{})
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: error %v, want one mentioning %q", c.op, c.attrs, err, c.want)
		}
	}
}

func TestPoolNodeTests(t *testing.T) {
	for _, c := range []struct {
		pattern string
		want    int
	}{
		{"test_maxpool*", 19},
		{"test_averagepool*", 20},
		{"test_lppool*", 8},
		{"test_global*pool*", 4},
	} {
		if n := opstest.AllNodeTests(t, c.pattern); n != c.want {
			t.Errorf("%s: %d node tests passed, want %d", c.pattern, n, c.want)
		}
	}
}

// BenchmarkMaxPoolResNet is ResNet's stem pool: 3x3, stride 2, pad 1 on 64x112x112.
func BenchmarkMaxPoolResNet(b *testing.B) {
	x := opstest.Rand(rand.New(rand.NewPCG(1, 2)), 1, 64, 112, 112)
	op, err := ops.Build(opstest.NodeOf("MaxPool", []*ops.Tensor{x}, 1, opstest.Ints("kernel_shape", 3, 3), opstest.Ints("strides", 2, 2), opstest.Ints("pads", 1, 1, 1, 1)), 12)
	if err != nil {
		b.Fatal(err)
	}
	out := []*ops.Tensor{ops.New(onnx.Float, 1, 64, 56, 56)}
	ctx := &ops.Ctx{Par: ops.Serial{}}
	b.SetBytes(int64(len(x.Data)))
	for range b.N {
		if err := op.Run(ctx, []*ops.Tensor{x}, out); err != nil {
			b.Fatal(err)
		}
	}
}
