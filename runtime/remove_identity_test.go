package runtime

import (
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func TestRemoveIdentityAndDropout(t *testing.T) {
	p := newBuilder(13).
		input("x", onnx.Float, 2, 3).
		init("ratio", ops.FromF32([]float32{0.5})).
		node("Identity", s("x"), s("a")).
		node("Relu", s("a"), s("b")).
		node("Dropout", s("b", "ratio"), s("c")).
		node("Identity", s("c"), s("y")).
		output("y", onnx.Float, 2, 3).m
	m := agree(t, p, randTensor(newRand(30), 2, 3))
	// The Relu now writes the graph output itself.
	if len(m.g.nodes) != 1 || !m.g.nodes[0].is("Relu") || m.g.names[m.g.nodes[0].out[0]] != "y" {
		t.Fatalf("%d nodes left, want only a Relu writing y", len(m.g.nodes))
	}
}

func TestIdentityKeptWhenNeeded(t *testing.T) {
	p := newBuilder(13).
		input("x", onnx.Float, 4).
		init("training", &ops.Tensor{Type: onnx.Bool, Shape: []int{}, Data: []byte{1}}).
		init("zero", ops.FromF32([]float32{0})).
		node("Identity", s("x"), s("passthrough")).          // graph input to graph output
		node("Dropout", s("x"), s("d", "mask")).             // the mask is an output
		node("Dropout", s("x", "zero", "training"), s("t")). // training mode
		node("Relu", s("t"), s("r")).
		output("passthrough", onnx.Float, 4).
		output("d", onnx.Float, 4).
		output("mask", onnx.Bool, 4).
		output("r", onnx.Float, 4).m
	m := load(t, p)
	if len(m.g.nodes) != 4 {
		t.Fatalf("%d nodes left, want all 4 kept", len(m.g.nodes))
	}
	x := ops.FromF32([]float32{1, -2, 3, -4}, 4)
	sess := m.NewSession()
	out, err := sess.Run(t.Context(), []*ops.Tensor{x})
	if err != nil {
		t.Fatal(err)
	}
	closeTo(t, "passthrough", out[0], x, 0, 0)
	closeTo(t, "dropout output", out[1], x, 0, 0)
}
