package quant

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/qgemm"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// eachKernel runs f as a subtest with each int8 kernel of this build and
// CPU in use but the default one, which the other tests use.
func eachKernel(t *testing.T, f func(t *testing.T)) {
	for _, k := range qgemm.Kernels() {
		if k == qgemm.Current() {
			continue
		}
		t.Run(strings.ReplaceAll(k.Name, " ", "-"), func(t *testing.T) {
			old := qgemm.Use(k)
			defer qgemm.Use(old)
			f(t)
		})
	}
}

// evalQ builds n at opset and runs it on in (nil: an omitted input) as the
// runtime does: Infer, Prepare with every input constant when prepare is
// set (without any constant otherwise), Workspace's scratch, and a Run on
// a ChunkPar of 3 so every loop is cut at odd places.
func evalQ(n *onnx.Node, opset int, prepare bool, in ...*ops.Tensor) (*ops.Tensor, error) {
	outs, err := evalQAll(n, opset, prepare, in...)
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}

// evalQAll is evalQ returning every output.
func evalQAll(n *onnx.Node, opset int, prepare bool, in ...*ops.Tensor) ([]*ops.Tensor, error) {
	op, err := ops.Build(n, opset)
	if err != nil {
		return nil, err
	}
	consts := map[int]bool{}
	for i := range in {
		consts[i] = prepare
	}
	return opstest.Exec(op, in, consts, opstest.ChunkPar{Size: 3})
}

// evalScratch is evalQ without Prepare.
func evalScratch(n *onnx.Node, opset int, in ...*ops.Tensor) (*ops.Tensor, error) {
	return evalQ(n, opset, false, in...)
}

// quant8Rand is a random uint8 or int8 tensor.
func quant8Rand(rng *rand.Rand, dt ops.DType, shape ...int) *ops.Tensor {
	t := ops.New(dt, shape...)
	for i := range t.Data {
		t.Data[i] = byte(rng.IntN(256))
	}
	return t
}

// tq8 reads element i of a uint8 or int8 tensor; a nil tensor (an omitted
// zero point) reads 0.
func tq8(t *ops.Tensor, i int) int64 {
	switch {
	case t == nil:
		return 0
	case t.Type == onnx.Int8:
		return int64(t.I8()[i])
	}
	return int64(t.U8()[i])
}

// tq8Per reads element i of a per-tensor or per-row/column parameter.
func tq8Per(t *ops.Tensor, i int) int64 {
	if t == nil || t.Len() == 1 {
		return tq8(t, 0)
	}
	return tq8(t, i)
}

// qRequant is the reference requantization of sum s by the scale ratio
// r, ONNX Runtime's: the product rounded to float32, then half to even.
func qRequant(s int64, r float32, zp int64, dt ops.DType) int64 {
	v := math.RoundToEven(float64(float32(float32(int32(s))*r))) + float64(zp)
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
		if g := tq8(got, i); g != w {
			t.Fatalf("%s: element %d is %d, want %d", label, i, g, w)
		}
	}
}

// sameI32 compares an int32 output with reference sums wrapped to int32.
func sameI32(t *testing.T, label string, got *ops.Tensor, shape []int, want []int64) {
	t.Helper()
	if got.Type != onnx.Int32 || !ops.SameShape(got.Shape, shape) {
		t.Fatalf("%s: got %v, want int32%v", label, got, shape)
	}
	for i, w := range want {
		if g := got.I32()[i]; g != int32(w) {
			t.Fatalf("%s: element %d is %d, want %d", label, i, g, int32(w))
		}
	}
}

// TestRequantizer compares the rounding by 1.5·2²³ with qRequant's
// half-to-even rounding on ties, random sums and extreme or NaN scales.
func TestRequantizer(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	type sample struct {
		s     int32
		scale float32
	}
	samples := []sample{{5, 0.5}, {7, 0.5}, {-5, 0.5}, {-7, 0.5}, {1, 0.5}, {-1, 0.5}, {3, 0.5}, // ties both ways
		{math.MaxInt32, 1}, {math.MinInt32, 1}, {1000, 1e30}, {-1000, 1e30}, {1, float32(math.Inf(1))}, {5, float32(math.NaN())}, {0, 0}}
	for range 2000 {
		samples = append(samples, sample{int32(rng.IntN(1<<20) - 1<<19), rng.Float32() * 0.01})
	}
	for _, dt := range []ops.DType{onnx.Uint8, onnx.Int8} {
		for _, zp := range []int32{0, 3, -100, 200} {
			if dt == onnx.Uint8 && zp < 0 || dt == onnx.Int8 && zp > 127 {
				continue
			}
			rq := newRequantizer[uint8](zp)
			if dt == onnx.Int8 {
				rq = newRequantizer[int8](zp)
			}
			for _, c := range samples {
				want := qRequant(int64(c.s), c.scale, int64(zp), dt)
				if math.IsNaN(float64(c.scale)) {
					want = map[ops.DType]int64{onnx.Uint8: 0, onnx.Int8: -128}[dt]
				}
				if got := int64(rq.apply(c.s, c.scale)); got != want {
					t.Errorf("%s zero point %d: %d·%g gives %d, want %d", ops.TypeName(dt), zp, c.s, c.scale, got, want)
				}
			}
		}
	}
}

// TestBoundRunsAllocateNothing binds operators once and checks their runs
// allocate nothing.
func TestBoundRunsAllocateNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	u := func(shape ...int) *ops.Tensor { return quant8Rand(rng, onnx.Uint8, shape...) }
	one := scalarF32(0.05)
	cases := []struct {
		name string
		n    *onnx.Node
		in   []*ops.Tensor
	}{
		{"QLinearConv", qNode("QLinearConv", 9, opstest.AttrIs("pads", 1, 1, 1, 1)), []*ops.Tensor{u(1, 3, 9, 9), one, u(), u(5, 3, 3, 3), one, u(), one, u(), ops.New(onnx.Int32, 5)}},
		{"depthwise QLinearConv", qNode("QLinearConv", 8, opstest.AttrI("group", 3)), []*ops.Tensor{u(1, 3, 9, 9), one, u(), u(3, 1, 3, 3), one, u(), one, u()}},
		{"ConvInteger", qNode("ConvInteger", 2), []*ops.Tensor{u(2, 3, 5, 5), u(4, 3, 1, 1)}},
		{"QLinearMatMul", qNode("QLinearMatMul", 8), []*ops.Tensor{u(2, 3, 7), one, u(), u(7, 5), one, u(), one, u()}},
		{"QGemm", msNode("QGemm", 9), []*ops.Tensor{u(3, 7), one, u(), u(7, 5), one, u(), ops.New(onnx.Int32, 5), one, u()}},
		{"QLinearAdd", msNode("QLinearAdd", 8), []*ops.Tensor{u(3, 40), one, u(), u(40), one, u(), one, u()}},
		{"QLinearAveragePool", msNode("QLinearAveragePool", 5, opstest.AttrIs("kernel_shape", 2, 2)), []*ops.Tensor{u(1, 2, 6, 6), one, u(), one, u()}},
		{"QLinearSoftmax", msNode("QLinearSoftmax", 5, opstest.AttrI("opset", 13)), []*ops.Tensor{u(4, 9), one, u(), one, u()}},
	}
	for _, c := range cases {
		op, err := ops.Build(c.n, 13)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		consts := map[int]bool{}
		for i := 1; i < len(c.in); i++ {
			consts[i] = true
		}
		vals, outVals, err := opstest.Prepare(op, c.in, consts)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ctx := &ops.Ctx{Par: ops.Serial{}}
		if w, ok := op.(ops.Workspacer); ok {
			ctx.Scratch = ops.AlignedBytes(w.Workspace(vals))
		}
		run, err := op.(ops.Binder).Bind(ctx, c.in, []*ops.Tensor{ops.New(outVals[0].Type, outVals[0].Shape...)})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if n := testing.AllocsPerRun(5, func() { _ = run() }); n != 0 {
			t.Errorf("%s: %v allocations per run", c.name, n)
		}
	}
}
