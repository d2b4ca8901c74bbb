package runtime

import (
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// positives is the reference of the Positive test operator.
func positives(x []float32) []float32 {
	var out []float32
	for _, v := range x {
		if v > 0 {
			out = append(out, v)
		}
	}
	return out
}

// TestDataDependentShapes runs a graph whose middle node's output length
// depends on the data: the plan stops there, the node runs with its inputs
// known, and the rest is planned for the length it gives (cached per
// length). A value computed before the stop (z) and a graph input (x) pass
// through to the outputs; a second data-dependent node stops the
// continuation in turn.
func TestDataDependentShapes(t *testing.T) {
	p := newBuilder(13).
		input("x", onnx.Float, "N").
		tnode("Affine", s("x"), s("a"), aFloat("a", 2), aFloat("b", -1)).
		tnode("Twice", s("x"), s("z")).
		tnode("Positive", s("a"), s("p")).
		tnode("Affine", s("p"), s("q"), aFloat("a", -1), aFloat("b", 3)).
		tnode("Positive", s("q"), s("r")).
		tnode("Twice", s("r"), s("y")).
		output("y", onnx.Float, "M").
		output("z", onnx.Float, "N").
		output("x2", onnx.Float, "N").
		output("p", onnx.Float, "P").
		m
	p.Graph.Nodes = append(p.Graph.Nodes, &onnx.Node{Name: "id", OpType: "Identity", Inputs: s("x"), Outputs: s("x2")})
	m := load(t, p)
	sess := m.NewSession()
	for round, xs := range [][]float32{
		{1, 1, 1, 1},
		{0.1, 0.9, 1.2, -3},
		{1, 1, 1, 1},     // the plans of round 0 again
		{-1, -2, -3, -4}, // nothing positive: empty tensors on
	} {
		x := ops.FromF32(xs, len(xs))
		var a, z []float32
		for _, v := range xs {
			a = append(a, 2*v-1)
			z = append(z, 2*v)
		}
		pos := positives(a)
		var q []float32
		for _, v := range pos {
			q = append(q, 3-v)
		}
		var y []float32
		for _, v := range positives(q) {
			y = append(y, 2*v)
		}
		for _, via := range []string{"Model.Run", "Session.Run"} {
			var out []*ops.Tensor
			var err error
			if via == "Model.Run" {
				out, err = m.Run(nil, []*ops.Tensor{x})
			} else {
				out, err = sess.Run(nil, []*ops.Tensor{x})
			}
			if err != nil {
				t.Fatalf("round %d, %s: %v", round, via, err)
			}
			for i, want := range [][]float32{y, z, xs, pos} {
				got := out[i]
				if len(got.Shape) != 1 || got.Shape[0] != len(want) {
					t.Fatalf("round %d, %s: output %d has shape %v, want [%d]", round, via, i, got.Shape, len(want))
				}
				for j, w := range want {
					if g := got.F32()[j]; g != w {
						t.Errorf("round %d, %s: output %d element %d = %g, want %g", round, via, i, j, g, w)
					}
				}
			}
		}
	}
	root := m.plans[0]
	if root.dyn == nil || root.dyn.node.proto.OpType != "Positive" || len(root.steps) != 2 {
		t.Fatalf("root plan should run 2 steps and stop at Positive")
	}
	if n := len(root.dyn.plans); n != 3 {
		t.Errorf("%d continuations planned, want 3 (one per length of p seen)", n)
	}
	if n := len(m.plans); n != 1 {
		t.Errorf("%d root plans, want 1", n)
	}
}
