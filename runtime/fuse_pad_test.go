package runtime

import (
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// padConvModel is Pad (amounts of every axis, begin then end; as inputs
// from opset 11, as attributes before) then a 3x3 Conv with pads
// convPads (nil for none), 3 -> 4 channels, on a 1x3x6x7 input.
func padConvModel(opset int64, amounts, convPads []int64, extra func(b *builder)) *onnx.Model {
	rng := newRand(50)
	b := newBuilder(opset).
		input("x", onnx.Float, 1, 3, 6, 7).
		init("w", randTensor(rng, 4, 3, 3, 3))
	if opset >= 11 {
		b.init("amounts", ops.FromI64(amounts, len(amounts))).
			node("Pad", s("x", "amounts"), s("p"))
	} else {
		b.node("Pad", s("x"), s("p"), aInts("pads", amounts...))
	}
	var attrs []*onnx.Attribute
	if convPads != nil {
		attrs = append(attrs, aInts("pads", convPads...))
	}
	b.node("Conv", s("p", "w"), s("y"), attrs...).output("y", onnx.Float)
	if extra != nil {
		extra(b)
	}
	return b.m
}

// pads counts m's Pad nodes.
func pads(m *Model) int {
	n := 0
	for _, nd := range m.g.nodes {
		if nd.is("Pad") {
			n++
		}
	}
	return n
}

func TestFusePadConv(t *testing.T) {
	x := randTensor(newRand(51), 1, 3, 6, 7)
	asym := []int64{0, 0, 1, 2, 0, 0, 2, 1}
	cases := []struct {
		name     string
		opset    int64
		amounts  []int64
		convPads []int64
		extra    func(b *builder)
	}{
		{"inputs, asymmetric", 13, asym, nil, nil},
		{"inputs, added to the conv's pads", 13, asym, []int64{1, 0, 0, 1}, nil},
		{"explicit zero value", 13, asym, nil, func(b *builder) {
			b.init("zero", ops.FromF32([]float32{0}))
			b.m.Graph.Nodes[0].Inputs = s("x", "amounts", "zero")
		}},
		{"attributes (opset 10)", 10, asym, []int64{1, 1, 1, 1}, nil},
	}
	for _, c := range cases {
		m := agree(t, padConvModel(c.opset, c.amounts, c.convPads, c.extra), x)
		if pads(m) != 0 || len(m.g.nodes) != 1 {
			t.Errorf("%s: Pad not folded into the Conv (%d nodes)", c.name, len(m.g.nodes))
		}
	}
}

func TestFusePadConvNotApplicable(t *testing.T) {
	x := randTensor(newRand(52), 1, 3, 6, 7)
	asym := []int64{0, 0, 1, 2, 0, 0, 2, 1}
	cases := []struct {
		name    string
		amounts []int64
		extra   func(b *builder)
	}{
		{"channels padded", []int64{0, 1, 1, 1, 0, 0, 1, 1}, func(b *builder) {
			b.m.Graph.Initializer[0] = ops.ToProto(randTensor(newRand(53), 4, 4, 3, 3), "w", onnx.Float)
		}},
		{"negative amount (a crop)", []int64{0, 0, -1, 1, 0, 0, 1, 1}, nil},
		{"non-zero value", asym, func(b *builder) {
			b.init("one", ops.FromF32([]float32{1}))
			b.m.Graph.Nodes[0].Inputs = s("x", "amounts", "one")
		}},
		{"reflect mode", asym, func(b *builder) {
			b.m.Graph.Nodes[0].Attrs = append(b.m.Graph.Nodes[0].Attrs, &onnx.Attribute{Name: "mode", Type: onnx.AttrString, S: []byte("reflect")})
		}},
		{"pad output read elsewhere", asym, func(b *builder) {
			b.node("Relu", s("p"), s("r")).output("r", onnx.Float)
		}},
		{"conv auto_pad", asym, func(b *builder) {
			n := b.m.Graph.Nodes[1]
			n.Attrs = append(n.Attrs, &onnx.Attribute{Name: "auto_pad", Type: onnx.AttrString, S: []byte("SAME_UPPER")})
		}},
	}
	for _, c := range cases {
		m := agree(t, padConvModel(13, c.amounts, nil, c.extra), x)
		if pads(m) != 1 {
			t.Errorf("%s: Pad was folded", c.name)
		}
	}
}
