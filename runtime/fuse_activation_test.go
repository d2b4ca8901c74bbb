package runtime

import (
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// convThen is Conv (1x1, 3 -> 4 channels, bias) followed by what add builds
// on the Conv output "c"; the graph output is "y".
func convThen(opset int64, add func(b *builder)) *onnx.Model {
	rng := newRand(50)
	b := newBuilder(opset).
		input("x", onnx.Float, "N", 3, 4, 4).
		init("w", randTensor(rng, 4, 3, 1, 1)).
		init("bias", randTensor(rng, 4)).
		node("Conv", s("x", "w", "bias"), s("c"))
	add(b)
	return b.output("y", onnx.Float, "N", 4, 4, 4).m
}

func TestFuseActivation(t *testing.T) {
	rng := newRand(51)
	x := randTensor(rng, 2, 3, 4, 4)
	cases := []struct {
		name  string
		model *onnx.Model
		steps string
	}{
		{"conv relu", convThen(13, func(b *builder) { b.node("Relu", s("c"), s("y")) }), "Conv+Relu"},
		{"conv leaky relu", convThen(13, func(b *builder) { b.node("LeakyRelu", s("c"), s("y"), aFloat("alpha", 0.2)) }), "Conv+LeakyRelu"},
		{"conv clip inputs", convThen(13, func(b *builder) {
			b.init("lo", ops.FromF32([]float32{-0.1})).init("hi", ops.FromF32([]float32{0.3}))
			b.node("Clip", s("c", "lo", "hi"), s("y"))
		}), "Conv+Clip"},
		{"conv clip max only", convThen(13, func(b *builder) {
			b.init("hi", ops.FromF32([]float32{0.3}))
			b.node("Clip", s("c", "", "hi"), s("y"))
		}), "Conv+Clip"},
		{"conv clip attributes", convThen(6, func(b *builder) {
			b.node("Clip", s("c"), s("y"), aFloat("min", 0), aFloat("max", 6))
		}), "Conv+Clip"},
		{"clip bounds not constant", convThen(13, func(b *builder) {
			b.input("hi", onnx.Float)
			b.node("Clip", s("c", "", "hi"), s("y"))
		}), "Conv Clip"},
		{"clip min above max", convThen(13, func(b *builder) {
			b.init("lo", ops.FromF32([]float32{0.5})).init("hi", ops.FromF32([]float32{0.1}))
			b.node("Clip", s("c", "lo", "hi"), s("y"))
		}), "Conv Clip"},
		{"conv output read twice", convThen(13, func(b *builder) {
			b.node("Relu", s("c"), s("r")).node("Add", s("r", "c"), s("y"))
		}), "Conv Relu Add"},
		{"conv output is a graph output", convThen(13, func(b *builder) {
			b.node("Relu", s("c"), s("y")).output("c", onnx.Float, "N", 4, 4, 4)
		}), "Conv Relu"},
		{"sigmoid is not fusable", convThen(13, func(b *builder) { b.node("Sigmoid", s("c"), s("y")) }), "Conv Sigmoid"},
		{"conv hardswish", convThen(14, func(b *builder) { b.node("HardSwish", s("c"), s("y")) }), "Conv+HardSwish"},
		{"conv swish", convThen(24, func(b *builder) { b.node("Swish", s("c"), s("y"), aFloat("alpha", 1.5)) }), "Conv+Swish"},
		{"conv silu", convThen(13, func(b *builder) {
			b.node("Sigmoid", s("c"), s("g")).node("Mul", s("c", "g"), s("y"))
		}), "Conv+Sigmoid+Mul"},
		{"conv silu gate first", convThen(13, func(b *builder) {
			b.node("Sigmoid", s("c"), s("g")).node("Mul", s("g", "c"), s("y"))
		}), "Conv+Sigmoid+Mul"},
		{"conv times hardsigmoid", convThen(13, func(b *builder) {
			b.node("HardSigmoid", s("c"), s("g"), aFloat("alpha", 0.25), aFloat("beta", 0.4)).node("Mul", s("c", "g"), s("y"))
		}), "Conv+HardSigmoid+Mul"},
		{"gate read twice", convThen(13, func(b *builder) {
			b.node("Sigmoid", s("c"), s("g")).node("Mul", s("c", "g"), s("m")).node("Add", s("m", "g"), s("y"))
		}), "Conv Sigmoid Mul Add"},
		{"gate of another value", convThen(13, func(b *builder) {
			b.node("Relu", s("c"), s("r")).node("Sigmoid", s("r"), s("g")).node("Mul", s("c", "g"), s("y"))
		}), "Conv Relu Sigmoid Mul"},
		{"gated value read again", convThen(13, func(b *builder) {
			b.node("Sigmoid", s("c"), s("g")).node("Mul", s("c", "g"), s("m")).node("Add", s("m", "c"), s("y"))
		}), "Conv Sigmoid Mul Add"},
		{"conv add silu", convThen(13, func(b *builder) {
			b.node("Conv", s("x", "w"), s("c2")).node("Add", s("c", "c2"), s("a")).
				node("Sigmoid", s("a"), s("g")).node("Mul", s("g", "a"), s("y"))
		}), "Conv Conv+Add+Sigmoid+Mul"},
	}
	for _, c := range cases {
		inputs := []*ops.Tensor{x}
		if len(c.model.Graph.Inputs) == 2 {
			inputs = append(inputs, ops.FromF32([]float32{0.3}))
		}
		m := agree(t, c.model, inputs...)
		if got := strings.Join(stepTypes(planOf(t, m, inputs...)), " "); got != c.steps {
			t.Errorf("%s: steps %q, want %q", c.name, got, c.steps)
		}
	}
}

func TestFuseActivationIntoGemm(t *testing.T) {
	rng := newRand(52)
	for _, c := range []struct {
		opset int64
		add   func(b *builder)
		steps string
	}{
		{13, func(b *builder) { b.node("LeakyRelu", s("g"), s("y")) }, "Gemm+LeakyRelu"},
		{14, func(b *builder) { b.node("HardSwish", s("g"), s("y")) }, "Gemm+HardSwish"},
		{13, func(b *builder) { b.node("Sigmoid", s("g"), s("s")).node("Mul", s("g", "s"), s("y")) }, "Gemm+Sigmoid+Mul"},
	} {
		b := newBuilder(c.opset).
			input("x", onnx.Float, 2, 6).
			init("w", randTensor(rng, 5, 6)).
			init("b", randTensor(rng, 5)).
			node("Gemm", s("x", "w", "b"), s("g"), aInt("transB", 1))
		c.add(b)
		p := b.output("y", onnx.Float, 2, 5).m
		x := randTensor(rng, 2, 6)
		m := agree(t, p, x)
		if got := strings.Join(stepTypes(planOf(t, m, x)), " "); got != c.steps {
			t.Errorf("steps %q, want %q", got, c.steps)
		}
	}
}

// TestFuseActivationIntoBatchNorm checks a BatchNormalization that cannot
// fold into a Conv (DenseNet's, after a Concat) taking the activation
// after it into its store, with the literal graph's results.
func TestFuseActivationIntoBatchNorm(t *testing.T) {
	rng := newRand(53)
	for _, c := range []struct {
		opset int64
		add   func(b *builder)
		steps string
	}{
		{13, func(b *builder) { b.node("Relu", s("n"), s("y")) }, "BatchNormalization+Relu"},
		{14, func(b *builder) { b.node("HardSwish", s("n"), s("y")) }, "BatchNormalization+HardSwish"},
	} {
		v := randTensor(rng, 3)
		for i, x := range v.F32() {
			v.F32()[i] = x*x + 0.1
		}
		b := newBuilder(c.opset).
			input("x", onnx.Float, 2, 3, 5, 7).
			init("scale", randTensor(rng, 3)).init("bias", randTensor(rng, 3)).
			init("mean", randTensor(rng, 3)).init("var", v).
			node("BatchNormalization", s("x", "scale", "bias", "mean", "var"), s("n"))
		c.add(b)
		p := b.output("y", onnx.Float, 2, 3, 5, 7).m
		x := randTensor(rng, 2, 3, 5, 7)
		m := agree(t, p, x)
		if got := strings.Join(stepTypes(planOf(t, m, x)), " "); got != c.steps {
			t.Errorf("steps %q, want %q", got, c.steps)
		}
	}
}
