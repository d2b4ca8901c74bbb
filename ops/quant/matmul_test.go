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

// matmulSums is a naive integer matmul of numpy shapes, batch indices
// broadcast digit by digit: sums of (a - za[row])·(b - zb[column]), zero
// points per tensor, per row (za) or per column (zb), nil for 0.
func matmulSums(a, b, za, zb *ops.Tensor) []int64 {
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
					s += (tq8(a, ao+i*k+l) - tq8Per(za, i)) * (tq8(b, bo+l*n+j) - tq8Per(zb, j))
				}
				out = append(out, s)
			}
		}
	}
	return out
}

// matmulCases are shapes of a, b and the product: broadcast batches, 1-D
// operands, empty K, and sizes past a panel.
var matmulCases = []struct{ a, b, out []int }{
	{[]int{2, 1, 2, 3}, []int{3, 3, 2}, []int{2, 3, 2, 2}},
	{[]int{3}, []int{3, 2}, []int{2}},
	{[]int{2, 3}, []int{3}, []int{2}},
	{[]int{3}, []int{3}, []int{}},
	{[]int{5, 70}, []int{70, 13}, []int{5, 13}},
	{[]int{1, 9}, []int{2, 9, 6}, []int{2, 1, 6}},
	{[]int{2, 3, 0}, []int{0, 2}, []int{2, 3, 2}},
}

// mmRows and mmCols are the M and N of a matmul case.
func mmRows(a []int) int {
	if len(a) == 1 {
		return 1
	}
	return a[len(a)-2]
}

func mmCols(b []int) int {
	if len(b) == 1 {
		return 1
	}
	return b[len(b)-1]
}

// TestQLinearMatMulShapes checks broadcasting, 1-D operands, per-row a and
// per-column b quantization and every type combination against
// matmulSums, with and without a prepacked b.
func TestQLinearMatMulShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	types := []ops.DType{onnx.Uint8, onnx.Int8}
	for ci, c := range matmulCases {
		m, n := mmRows(c.a), mmCols(c.b)
		for _, at := range types {
			for _, bt := range types {
				for _, yt := range types {
					a, b := quant8Rand(rng, at, c.a...), quant8Rand(rng, bt, c.b...)
					za, zb, zy := quant8Rand(rng, at, m), quant8Rand(rng, bt, n), quant8Rand(rng, yt)
					as, bs := make([]float32, m), make([]float32, n)
					for i := range as {
						as[i] = 0.005 + rng.Float32()*0.01
					}
					for i := range bs {
						bs[i] = 0.001 + rng.Float32()*0.01
					}
					ys := float32(0.02)
					sums := matmulSums(a, b, za, zb)
					want := make([]int64, len(sums))
					for i, s := range sums {
						r, col := i/n%max(m, 1), i%n
						want[i] = qRequant(s, as[r]*bs[col]/ys, tq8(zy, 0), yt)
					}
					for _, prepare := range []bool{false, true} {
						label := fmt.Sprintf("case %d %s·%s->%s prepared %v", ci, ops.TypeName(at), ops.TypeName(bt), ops.TypeName(yt), prepare)
						// a's parameters as a column [M, 1], b's as a row [1, N].
						got, err := evalQ(qNode("QLinearMatMul", 8), 21, prepare, a, ops.FromF32(as, m, 1), opstest.WithShape(za, m, 1),
							b, ops.FromF32(bs, 1, n), opstest.WithShape(zb, 1, n), scalarF32(ys), zy)
						if err != nil {
							t.Fatalf("%s: %v", label, err)
						}
						sameQ8(t, label, got, c.out, want)
					}
				}
			}
		}
	}
}

// TestMatMulIntegerReference checks MatMulInteger against matmulSums with
// zero points omitted, per tensor, per row and per column.
func TestMatMulIntegerReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	types := []ops.DType{onnx.Uint8, onnx.Int8}
	for ci, c := range matmulCases {
		m, n := mmRows(c.a), mmCols(c.b)
		for _, at := range types {
			for _, bt := range types {
				for zps := range 4 { // none, a's per tensor, b's per column, a's per row and b's per tensor
					a, b := quant8Rand(rng, at, c.a...), quant8Rand(rng, bt, c.b...)
					var za, zb *ops.Tensor
					in := []*ops.Tensor{a, b}
					switch zps {
					case 1:
						za = quant8Rand(rng, at)
						in = append(in, za)
					case 2:
						zb = quant8Rand(rng, bt, n)
						in = append(in, nil, zb)
					case 3:
						za, zb = quant8Rand(rng, at, m), quant8Rand(rng, bt, 1)
						in = append(in, za, zb)
					}
					want := matmulSums(a, b, za, zb)
					for _, prepare := range []bool{false, true} {
						label := fmt.Sprintf("case %d %s·%s zero points %d prepared %v", ci, ops.TypeName(at), ops.TypeName(bt), zps, prepare)
						got, err := evalQ(qNode("MatMulInteger", len(in)), 10, prepare, in...)
						if err != nil {
							t.Fatalf("%s: %v", label, err)
						}
						sameI32(t, label, got, c.out, want)
					}
				}
			}
		}
	}
}

// TestMatMulIntegerHand checks a product by hand: a - 12 is
// [[-1 -5 -9] [-2 -6 -11]], b's columns [1 2 3] and [4 5 6].
func TestMatMulIntegerHand(t *testing.T) {
	a := opstest.WithShape(quantTensor[uint8](nil, 11, 7, 3, 10, 6, 1), 2, 3)
	b := opstest.WithShape(quantTensor[uint8](nil, 1, 4, 2, 5, 3, 6), 3, 2)
	got, err := evalQ(qNode("MatMulInteger", 3), 10, true, a, b, quantTensor[uint8](nil, 12))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "by hand", got, opstest.WithShape(quantTensor[int32](nil, -38, -83, -47, -104), 2, 2))
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
	_, err = evalScratch(n, 10, with(1, opstest.F32s(1, 1, 1))...)
	opstest.WantErr(t, "a_scale size", err, "a_scale", "[3]", "one per row")
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

func TestMatMulIntegerErrors(t *testing.T) {
	u := func(shape ...int) *ops.Tensor { return ops.New(onnx.Uint8, shape...) }
	n := qNode("MatMulInteger", 4)
	_, err := evalScratch(n, 10, u(2, 3), u(3, 4), u(3), u())
	opstest.WantErr(t, "a zero point size", err, "a_zero_point", "[3]", "one per row")
	_, err = evalScratch(n, 10, u(2, 3), u(3, 4), u(), u(2))
	opstest.WantErr(t, "b zero point size", err, "b_zero_point", "[2]", "4 elements")
	_, err = evalScratch(n, 10, u(2, 2, 3), u(3, 4), u(2, 2, 1), u())
	opstest.WantErr(t, "batch-varying a zero point", err, "a_zero_point", "[2 2 1]")
	_, err = evalScratch(n, 10, u(2, 3), u(3, 4), ops.New(onnx.Int8), u())
	opstest.WantErr(t, "a zero point type", err, "a_zero_point", "int8", "uint8")
	_, err = evalScratch(qNode("MatMulInteger", 2), 10, u(2, 3), u(2, 4))
	opstest.WantErr(t, "inner dims", err, "3 columns", "2 rows")
}

// TestMatMulNodeTests runs the eight test_qlinearmatmul_* (the float16 ones
// have their scales widened) and test_matmulinteger.
func TestMatMulNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_qlinearmatmul_*", "test_matmulinteger"); got != 9 {
		t.Errorf("%d node tests passed, want 9", got)
	}
}

// TestQGemmReference checks QGemm against naive sums over transposes,
// every shape of C, alpha, per-tensor and per-column b, and quantized and
// float outputs, with and without a prepacked B.
func TestQGemmReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	const m, k, n = 5, 9, 6
	cShapes := [][]int{nil, {}, {n}, {1, n}, {m, 1}, {m, n}}
	types := []ops.DType{onnx.Uint8, onnx.Int8}
	for _, cs := range cShapes {
		for _, at := range types {
			for _, bt := range types {
				for _, out := range []ops.DType{onnx.Uint8, onnx.Int8, onnx.Float} {
					transA, transB, perCol := rng.IntN(2) == 1, rng.IntN(2) == 1, rng.IntN(2) == 1
					ashape, bshape := []int{m, k}, []int{k, n}
					if transA {
						ashape = []int{k, m}
					}
					if transB {
						bshape = []int{n, k}
					}
					a, b := quant8Rand(rng, at, ashape...), quant8Rand(rng, bt, bshape...)
					nb := 1
					if perCol {
						nb = n
					}
					za, zb := quant8Rand(rng, at), quant8Rand(rng, bt, nb)
					sa, sb := 0.01+rng.Float32()*0.02, make([]float32, nb)
					for i := range sb {
						sb[i] = 0.002 + rng.Float32()*0.01
					}
					alpha, ys := 0.5+rng.Float32(), 0.02+rng.Float32()*0.05
					var c *ops.Tensor
					if cs != nil {
						c = ops.New(onnx.Int32, cs...)
						for i := range c.I32() {
							c.I32()[i] = int32(rng.IntN(4001) - 2000)
						}
					}
					in := []*ops.Tensor{a, scalarF32(sa), za, b, ops.FromF32(sb, nb), zb, c}
					var zy *ops.Tensor
					if out != onnx.Float {
						zy = quant8Rand(rng, out)
						in = append(in, scalarF32(ys), zy)
					}
					label := fmt.Sprintf("C %v %s·%s->%s transA %v transB %v per column %v", cs, ops.TypeName(at), ops.TypeName(bt), ops.TypeName(out), transA, transB, perCol)
					attrs := []*onnx.Attribute{opstest.AttrF("alpha", alpha), opstest.AttrI("transA", b2i(transA)), opstest.AttrI("transB", b2i(transB))}
					for _, prepare := range []bool{false, true} {
						got, err := evalQ(msNode("QGemm", len(in), attrs...), 1, prepare, in...)
						if err != nil {
							t.Fatalf("%s: %v", label, err)
						}
						if got.Type != out || !ops.SameShape(got.Shape, []int{m, n}) {
							t.Fatalf("%s: got %v, want %s[%d %d]", label, got, ops.TypeName(out), m, n)
						}
						for i := range m {
							for j := range n {
								s := int64(0)
								if c != nil {
									s = int64(c.I32()[bcIndex(cs, []int{m, n}, i*n+j)])
								}
								for l := range k {
									ai, bi := i*k+l, l*n+j
									if transA {
										ai = l*m + i
									}
									if transB {
										bi = j*k + l
									}
									s += (tq8(a, ai) - tq8(za, 0)) * (tq8(b, bi) - tq8Per(zb, j))
								}
								sbj := sb[0]
								if perCol {
									sbj = sb[j]
								}
								scale := alpha * sa * sbj
								if out == onnx.Float {
									if g, w := got.F32()[i*n+j], float32(int32(s))*scale; g != w {
										t.Fatalf("%s prepared %v: element (%d, %d) is %v, want %v", label, prepare, i, j, g, w)
									}
									continue
								}
								if g, w := tq8(got, i*n+j), qRequant(s, scale/ys, tq8(zy, 0), out); g != w {
									t.Fatalf("%s prepared %v: element (%d, %d) is %d, want %d", label, prepare, i, j, g, w)
								}
							}
						}
					}
				}
			}
		}
	}
}

// TestQGemmFloatScaled checks a float output divided by a y_scale given
// without a zero point, as ONNX Runtime computes it: (2-1)·(3-1) summed
// twice is 4, times alpha·0.5·0.25 / 0.125 = 2.
func TestQGemmFloatScaled(t *testing.T) {
	got, err := evalQ(msNode("QGemm", 8, opstest.AttrF("alpha", 2)), 1, true, quantTensor[uint8]([]int{1, 2}, 2, 2), scalarF32(0.5), quantTensor[uint8](nil, 1),
		quantTensor[uint8]([]int{2, 1}, 3, 3), scalarF32(0.25), quantTensor[uint8](nil, 1), nil, scalarF32(0.125))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "float", got, ops.FromF32([]float32{8}, 1, 1))
}

func TestQGemmErrors(t *testing.T) {
	u := func(shape ...int) *ops.Tensor { return ops.New(onnx.Uint8, shape...) }
	ok := []*ops.Tensor{u(2, 3), scalarF32(1), u(), u(3, 4), scalarF32(1), u(), ops.New(onnx.Int32, 4), scalarF32(1), u()}
	with := func(i int, v *ops.Tensor) []*ops.Tensor {
		in := append([]*ops.Tensor(nil), ok...)
		in[i] = v
		return in
	}
	n := msNode("QGemm", 9)
	if _, err := evalScratch(n, 1, ok...); err != nil {
		t.Fatal(err)
	}
	_, err := evalScratch(n, 1, with(3, u(4, 3))...)
	opstest.WantErr(t, "inner dims", err, "3 columns", "4 rows")
	_, err = evalScratch(n, 1, with(0, u(2, 3, 1))...)
	opstest.WantErr(t, "rank", err, "matrices")
	_, err = evalScratch(n, 1, with(6, ops.New(onnx.Int32, 3))...)
	opstest.WantErr(t, "C shape", err, "input \"C\"", "[3]", "[2 4]")
	_, err = evalScratch(n, 1, with(6, u(4))...)
	opstest.WantErr(t, "C type", err, "input \"C\"", "uint8")
	_, err = evalScratch(n, 1, with(4, opstest.F32s(1, 2))...)
	opstest.WantErr(t, "b_scale size", err, "b_scale", "4 elements")
	_, err = evalScratch(n, 1, with(1, opstest.F32s(1, 2))...)
	opstest.WantErr(t, "a_scale", err, "a_scale", "scalar")
	_, err = evalScratch(n, 1, with(7, nil)...)
	opstest.WantErr(t, "y_zero_point without y_scale", err, "y_zero_point", "y_scale")
	_, err = evalScratch(n, 1, with(5, opstest.WithShape(u(4), 1, 4))...)
	opstest.WantErr(t, "b_zero_point rank", err, "b_zero_point", "vectors")
	_, err = ops.Build(msNode("QGemm", 6, opstest.AttrF("transA", 1)), 1)
	opstest.WantErr(t, "transA type", err, "transA", "FLOAT")
}

// TestMatMulKernels reruns the reference tests on every int8 kernel of
// this build and CPU (the default one ran them above).
func TestMatMulKernels(t *testing.T) {
	eachKernel(t, func(t *testing.T) {
		t.Run("QLinearMatMul", TestQLinearMatMulShapes)
		t.Run("MatMulInteger", TestMatMulIntegerReference)
		t.Run("QGemm", TestQGemmReference)
	})
}
