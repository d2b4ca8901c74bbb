package runtime

import (
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// convBNModel is Conv (3x3, pad 1, 3 -> 4 channels, with or without bias)
// then BatchNormalization, with random parameters (variance positive).
func convBNModel(bias bool, extra func(b *builder)) *onnx.Model {
	rng := newRand(40)
	b := newBuilder(13).
		input("x", onnx.Float, "N", 3, 5, 5).
		init("w", randTensor(rng, 4, 3, 3, 3)).
		init("scale", randTensor(rng, 4)).
		init("beta", randTensor(rng, 4)).
		init("mean", randTensor(rng, 4))
	v := randTensor(rng, 4)
	for i, x := range v.F32() {
		v.F32()[i] = x*x + 0.1
	}
	b.init("var", v)
	convIn := s("x", "w")
	if bias {
		b.init("bias", randTensor(rng, 4))
		convIn = append(convIn, "bias")
	}
	b.node("Conv", convIn, s("c"), aInts("pads", 1, 1, 1, 1), aInts("kernel_shape", 3, 3)).
		node("BatchNormalization", s("c", "scale", "beta", "mean", "var"), s("y"), aFloat("epsilon", 1e-3)).
		output("y", onnx.Float, "N", 4, 5, 5)
	if extra != nil {
		extra(b)
	}
	return b.m
}

func TestFuseConvBN(t *testing.T) {
	x := randTensor(newRand(41), 2, 3, 5, 5)
	for _, bias := range []bool{true, false} {
		m := agree(t, convBNModel(bias, nil), x)
		if len(m.g.nodes) != 1 || !m.g.nodes[0].is("Conv") || len(m.g.nodes[0].in) != 3 {
			t.Errorf("bias %v: BatchNormalization not folded into a Conv with bias", bias)
		}
	}
}

func TestFuseConvBNNotApplicable(t *testing.T) {
	x := randTensor(newRand(42), 1, 3, 5, 5)
	cases := map[string]func(b *builder){
		"conv output also read elsewhere": func(b *builder) {
			b.node("Relu", s("c"), s("r")).output("r", onnx.Float, "N", 4, 5, 5)
		},
		"conv output is a graph output": func(b *builder) { b.output("c", onnx.Float, "N", 4, 5, 5) },
		"scale not constant": func(b *builder) {
			g := b.m.Graph
			for i, t := range g.Initializer {
				if t.Name == "scale" {
					g.Initializer = append(g.Initializer[:i], g.Initializer[i+1:]...)
					break
				}
			}
			b.input("scale", onnx.Float, 4)
		},
	}
	for name, extra := range cases {
		p := convBNModel(true, extra)
		inputs := []*ops.Tensor{x}
		if name == "scale not constant" {
			inputs = append(inputs, randTensor(newRand(43), 4))
		}
		m := agree(t, p, inputs...)
		bn := 0
		for _, n := range m.g.nodes {
			if n.is("BatchNormalization") {
				bn++
			}
		}
		if bn != 1 {
			t.Errorf("%s: BatchNormalization was folded", name)
		}
	}
}
