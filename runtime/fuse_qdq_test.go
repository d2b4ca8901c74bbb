package runtime

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// qdqBuilder writes QDQ models: float tensors quantized and dequantized
// around float operators, as quantizers write them.
type qdqBuilder struct {
	*builder
	n int
}

func (b *qdqBuilder) name(base string) string {
	b.n++
	return fmt.Sprintf("%s%d", base, b.n)
}

// scalar adds a one-element initializer.
func (b *qdqBuilder) scalar(t *ops.Tensor) string {
	n := b.name("c")
	b.init(n, t)
	return n
}

func f32s(v ...float32) *ops.Tensor { return ops.FromF32(v) }

func u8s(v ...uint8) *ops.Tensor {
	t := ops.New(onnx.Uint8, len(v))
	copy(t.U8(), v)
	t.Shape = nil
	return t
}

// qdq quantizes x to uint8 at scale s and zero point z and dequantizes it back.
func (b *qdqBuilder) qdq(x string, s float32, z uint8) string {
	sc, zp := b.scalar(f32s(s)), b.scalar(u8s(z))
	q, dq := b.name("q"), b.name("dq")
	b.node("QuantizeLinear", []string{x, sc, zp}, []string{q})
	b.node("DequantizeLinear", []string{q, sc, zp}, []string{dq})
	return dq
}

// weights adds w quantized to int8 per output channel (axis 0) and
// dequantized by a node, returning the dequantized value's name (the
// int8 initializer is that name plus "_q").
func (b *qdqBuilder) weights(w *ops.Tensor) string {
	m := w.Shape[0]
	per := w.Len() / m
	scales, zps, q := ops.New(onnx.Float, m), ops.New(onnx.Int8, m), ops.New(onnx.Int8, w.Shape...)
	for c := range m {
		mx := float32(1e-6)
		for _, v := range w.F32()[c*per : (c+1)*per] {
			mx = max(mx, float32(math.Abs(float64(v))))
		}
		scales.F32()[c] = mx / 127
		for i, v := range w.F32()[c*per : (c+1)*per] {
			q.I8()[c*per+i] = int8(math.RoundToEven(float64(v / scales.F32()[c])))
		}
	}
	dq := b.name("w")
	qn, sn, zn := dq+"_q", dq+"_s", dq+"_z"
	b.init(qn, q).init(sn, scales).init(zn, zps)
	b.node("DequantizeLinear", []string{qn, sn, zn}, []string{dq}, aInt("axis", 0))
	return dq
}

// TestQDQFusion runs QDQ models whose patterns the loader turns into
// integer operators, and checks that the fused graph gives the literal
// graph's (float) outputs within one quantization step of the output, and
// that the expected integer operators are planned.
func TestQDQFusion(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	const outScale = 0.05
	for _, c := range []struct {
		name  string
		build func(b *qdqBuilder) string // from "x" [1,4,6,6] to the value dequantized last
		want  []string                   // operators the optimized plan runs
	}{
		{"conv+relu", func(b *qdqBuilder) string {
			x := b.qdq("x", 0.02, 128)
			w := b.weights(randTensor(rng, 8, 4, 3, 3))
			b.init("bias", randTensor(rng, 8))
			b.node("Conv", []string{x, w, "bias"}, []string{"conv"}, aInts("pads", 1, 1, 1, 1))
			b.node("Relu", s("conv"), s("relu"))
			return b.qdq("relu", outScale, 0)
		}, []string{"QLinearConv"}},
		{"matmul", func(b *qdqBuilder) string {
			x := b.qdq("x", 0.02, 128)
			b.node("Reshape", []string{x, b.scalar(ops.FromI64([]int64{1, 144}, 2))}, s("flat"))
			f := b.qdq("flat", 0.02, 128) // Reshape between equal QDQs runs on uint8
			w := randTensor(rng, 10, 144)
			wt := ops.New(onnx.Float, 144, 10)
			for i := range 10 {
				for j := range 144 {
					wt.F32()[j*10+i] = w.F32()[i*144+j]
				}
			}
			scales, zps, q := f32s(0.01), b.scalar(ops.New(onnx.Int8)), ops.New(onnx.Int8, 144, 10)
			for i, v := range wt.F32() {
				q.I8()[i] = int8(max(-127, min(127, math.RoundToEven(float64(v/0.01)))))
			}
			b.init("wq", q)
			ws := b.scalar(scales)
			b.node("DequantizeLinear", []string{"wq", ws, zps}, s("w"))
			b.node("MatMul", []string{f, "w"}, s("mm"))
			return b.qdq("mm", outScale, 128)
		}, []string{"Reshape", "QLinearMatMul"}},
		{"gemm", func(b *qdqBuilder) string {
			x := b.qdq("x", 0.02, 128)
			b.node("Flatten", []string{x}, s("flat"))
			f := b.qdq("flat", 0.02, 128)
			w := b.weights(randTensor(rng, 10, 144))
			b.init("bias", randTensor(rng, 10))
			b.node("Gemm", []string{f, w, "bias"}, s("gemm"), aInt("transB", 1))
			return b.qdq("gemm", outScale, 128)
		}, []string{"Flatten", "QGemm"}},
		{"relu kept", func(b *qdqBuilder) string { // zero point 128: the Relu is not redundant
			x := b.qdq("x", 0.02, 128)
			w := b.weights(randTensor(rng, 8, 4, 1, 1))
			b.node("Conv", []string{x, w}, []string{"conv"})
			b.node("Relu", s("conv"), s("relu"))
			return b.qdq("relu", outScale, 128)
		}, []string{"Conv+Relu"}},
		{"gemm float output", func(b *qdqBuilder) string {
			x := b.qdq("x", 0.02, 128)
			b.node("Flatten", []string{x}, s("flat"))
			f := b.qdq("flat", 0.02, 128)
			w := b.weights(randTensor(rng, 10, 144))
			b.init("bias", randTensor(rng, 10))
			b.node("Gemm", []string{f, w, "bias"}, s("gemm"), aInt("transB", 1))
			return "gemm" // float, as a classifier's logits
		}, []string{"Flatten", "QGemm"}},
		{"matmul float output", func(b *qdqBuilder) string {
			x := b.qdq("x", 0.02, 128)
			b.node("Flatten", []string{x}, s("flat"))
			f := b.qdq("flat", 0.02, 128)
			w := b.weights(randTensor(rng, 144, 10)) // per row of B: not per column, so per tensor below
			b.init("ws", f32s(0.01))
			b.init("wz", ops.New(onnx.Int8))
			b.node("DequantizeLinear", []string{w + "_q", "ws", "wz"}, s("wt"))
			b.node("MatMul", []string{f, "wt"}, s("mm"))
			return "mm"
		}, []string{"Flatten", "QGemm"}},
		{"clip 0..6 absorbed, zero points omitted", func(b *qdqBuilder) string {
			x := b.qdq("x", 0.02, 128)
			w := b.weights(randTensor(rng, 8, 4, 3, 3))
			b.node("Conv", []string{x, w}, []string{"conv"}, aInts("pads", 1, 1, 1, 1))
			b.node("Clip", []string{"conv", b.scalar(f32s(0)), b.scalar(f32s(6))}, s("clip"))
			sc := b.scalar(f32s(6.0 / 255))
			b.node("QuantizeLinear", []string{"clip", sc}, s("cq")) // uint8, zero point 0
			b.node("DequantizeLinear", []string{"cq", sc}, s("cdq"))
			return "cdq"
		}, []string{"QLinearConv"}},
		{"add, pools, concat", func(b *qdqBuilder) string {
			x := b.qdq("x", 0.02, 128)
			y := b.qdq("x", 0.03, 100)
			b.node("Add", []string{x, y}, s("sum"))
			sum := b.qdq("sum", 0.04, 120)
			b.node("MaxPool", []string{sum}, s("mp"), aInts("kernel_shape", 2, 2), aInts("strides", 2, 2))
			mp := b.qdq("mp", 0.04, 120)
			b.node("AveragePool", []string{sum}, s("ap"), aInts("kernel_shape", 2, 2), aInts("strides", 2, 2))
			ap := b.qdq("ap", 0.03, 110)
			b.node("Concat", []string{mp, ap}, s("cat"), aInt("axis", 1))
			cat := b.qdq("cat", 0.04, 120)
			b.node("Sigmoid", []string{cat}, s("sig"))
			sig := b.qdq("sig", 1.0/256, 0)
			b.node("GlobalAveragePool", []string{sig}, s("gap"))
			return b.qdq("gap", outScale/20, 0)
		}, []string{"QLinearAdd", "MaxPool", "QLinearAveragePool", "QLinearConcat", "QLinearSigmoid", "QLinearGlobalAveragePool"}},
		{"silu", func(b *qdqBuilder) string { // x·sigmoid(x): EfficientNet's, YOLO's activation
			x := b.qdq("x", 0.02, 128)
			b.node("Sigmoid", []string{x}, s("sig"))
			sig := b.qdq("sig", 1.0/256, 0)
			b.node("Mul", []string{sig, x}, s("silu"))
			return b.qdq("silu", outScale, 10)
		}, []string{"QLinearSiLU"}},
		{"split", func(b *qdqBuilder) string { // ShuffleNet's channel split
			x := b.qdq("x", 0.02, 128)
			b.node("Split", []string{x, b.scalar(ops.FromI64([]int64{1, 3}, 2))}, s("s0", "s1"), aInt("axis", 1))
			s0, s1 := b.qdq("s0", 0.02, 128), b.qdq("s1", 0.02, 128)
			b.node("Concat", []string{s1, s0}, s("cat"), aInt("axis", 1))
			return b.qdq("cat", 0.02, 128)
		}, []string{"Split", "Concat"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := &qdqBuilder{builder: newBuilder(13).input("x", onnx.Float, 1, 4, 6, 6)}
			out := c.build(b)
			b.node("Identity", []string{out}, s("y"))
			b.output("y", onnx.Float)
			x := randTensor(rng, 1, 4, 6, 6)
			for i := range x.F32() {
				x.F32()[i] *= 2
			}
			fused, literal := load(t, b.m, WithQDQFusion(true)), load(t, b.m, WithOptimizations(false))
			got, want := run(t, fused, x)[0], run(t, literal, x)[0]
			step := float64(outScale)
			if c.name == "add, pools, concat" {
				step = outScale / 20
			}
			closeTo(t, "fused against literal", got, want, step*1.0001, 0)
			steps := stepTypes(planOf(t, fused, x))
			if c.name == "silu" && slices.ContainsFunc(steps, func(s string) bool { return s == "QLinearSigmoid" || s == "QLinearMul" }) {
				t.Errorf("plan %v runs the sigmoid or the product QLinearSiLU replaces", steps)
			}
			if c.name == "split" {
				// Quantized once at the input and dequantized once at the
				// output: the Split and the Concat run on the uint8 data.
				for _, op := range []string{"QuantizeLinear", "DequantizeLinear"} {
					if n := len(slices.DeleteFunc(slices.Clone(steps), func(s string) bool { return s != op })); n != 1 {
						t.Errorf("plan %v runs %d %s, want 1", steps, n, op)
					}
				}
			}
			for _, op := range c.want {
				if !slices.Contains(steps, op) {
					t.Errorf("plan %v lacks %s", steps, op)
				}
			}
			for _, op := range []string{"Conv", "MatMul", "Gemm", "Add", "AveragePool", "Sigmoid", "Clip"} {
				if c.name != "relu kept" && slices.ContainsFunc(steps, func(s string) bool { return s == op || strings.HasPrefix(s, op+"+") }) {
					t.Errorf("plan %v still runs a float %s", steps, op)
				}
			}
			for _, n := range fused.g.nodes {
				if c.name != "relu kept" && n.is("DequantizeLinear") && fused.g.consts[n.in[0]] != nil {
					t.Errorf("the graph keeps %s, a DequantizeLinear of a constant", n.label())
				}
			}
		})
	}
}

// BenchmarkQDQConv runs one QDQ 3x3 convolution of 64 to 64 channels on
// 56x56 (ResNet's first stage, with its Relu) fused into QLinearConv and
// literally in float (quantize, dequantize, float Conv).
func BenchmarkQDQConv(b *testing.B) {
	rng := rand.New(rand.NewPCG(41, 42))
	qb := &qdqBuilder{builder: newBuilder(13).input("x", onnx.Float, 1, 64, 56, 56)}
	x := qb.qdq("x", 0.02, 128)
	w := qb.weights(randTensor(rng, 64, 64, 3, 3))
	qb.init("bias", randTensor(rng, 64))
	qb.node("Conv", []string{x, w, "bias"}, []string{"conv"}, aInts("pads", 1, 1, 1, 1))
	qb.node("Relu", s("conv"), s("relu"))
	out := qb.qdq("relu", 0.05, 0)
	qb.node("Identity", []string{out}, s("y"))
	qb.output("y", onnx.Float)
	in := randTensor(rng, 1, 64, 56, 56)
	for _, c := range []struct {
		name string
		opts []Option
	}{{"fused", nil}, {"literal", []Option{WithOptimizations(false)}}} {
		b.Run(c.name, func(b *testing.B) {
			m := load(b, qb.m, append(c.opts, WithThreads(1))...)
			s := m.NewSession()
			inputs := []*ops.Tensor{in}
			for b.Loop() {
				if _, err := s.Run(context.Background(), inputs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
