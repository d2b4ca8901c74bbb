package runtime

import (
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// shapeChainModel is PyTorch's flatten: Reshape(x, Concat(Unsqueeze(
// Gather(Shape(x), 0)), [-1])) followed by a Relu.
func shapeChainModel() *onnx.Model {
	return newBuilder(13).
		input("x", onnx.Float, "N", 3, 4, 4).
		init("zero", ops.FromI64([]int64{0})).
		init("axes", ops.FromI64([]int64{0}, 1)).
		init("rest", ops.FromI64([]int64{-1}, 1)).
		node("Shape", s("x"), s("shape")).
		node("Gather", s("shape", "zero"), s("n"), aInt("axis", 0)).
		node("Unsqueeze", s("n", "axes"), s("n1")).
		node("Concat", s("n1", "rest"), s("target"), aInt("axis", 0)).
		node("Reshape", s("x", "target"), s("flat")).
		node("Relu", s("flat"), s("y")).
		output("y", onnx.Float, "N", 48).m
}

func TestFoldShapeChain(t *testing.T) {
	rng := newRand(20)
	p := shapeChainModel()
	lit := load(t, p, WithOptimizations(false))
	for _, n := range []int{1, 3} {
		x := randTensor(rng, n, 3, 4, 4)
		m := agree(t, p, x)
		pl := planOf(t, m, x)
		if got := strings.Join(stepTypes(pl), " "); got != "Reshape Relu" {
			t.Errorf("batch %d: optimized steps %q, want the shape chain folded into \"Reshape Relu\"", n, got)
		}
		if pl.info.Folded != 4 {
			t.Errorf("batch %d: %d nodes folded, want 4", n, pl.info.Folded)
		}
		if got := len(planOf(t, lit, x).steps); got != 6 {
			t.Errorf("batch %d: unoptimized plan has %d steps, want all 6 nodes", n, got)
		}
		if y := run(t, m, x)[0]; !ops.SameShape(y.Shape, []int{n, 48}) {
			t.Errorf("batch %d: output shape %v", n, y.Shape)
		}
	}
}

func TestFoldLoadConstants(t *testing.T) {
	p := newBuilder(13).
		input("x", onnx.Float, 3).
		init("two", ops.FromF32([]float32{2, 2, 2}, 3)).
		node("Constant", nil, s("c"), &onnx.Attribute{Name: "value_floats", Type: onnx.AttrFloats, Floats: []float32{1, 2, 3}}).
		node("Add", s("c", "two"), s("k")).
		node("Mul", s("x", "k"), s("y")).
		output("y", onnx.Float, 3).m
	x := ops.FromF32([]float32{1, -1, 0.5}, 3)
	m := agree(t, p, x)
	if len(m.g.nodes) != 1 || !m.g.nodes[0].is("Mul") {
		t.Fatalf("after load the graph has %d nodes, want only Mul", len(m.g.nodes))
	}
	closeTo(t, "y", run(t, m, x)[0], ops.FromF32([]float32{3, -4, 2.5}, 3), 0, 0)
}

func TestFoldWholeGraphToConstantOutput(t *testing.T) {
	// Everything folds: the output is a constant copied out of the plan.
	p := newBuilder(13).
		input("x", onnx.Float, 2, 5).
		node("Shape", s("x"), s("y")).
		output("y", onnx.Int64, 2).m
	m := agree(t, p, ops.New(onnx.Float, 2, 5))
	sess := m.NewSession()
	out, err := sess.Run(t.Context(), []*ops.Tensor{ops.New(onnx.Float, 2, 5)})
	if err != nil {
		t.Fatal(err)
	}
	closeTo(t, "shape", out[0], ops.FromI64([]int64{2, 5}, 2), 0, 0)
	if n := len(planOf(t, m, ops.New(onnx.Float, 2, 5)).steps); n != 0 {
		t.Errorf("%d steps left, want 0", n)
	}
}

func TestFoldedOperatorPreparedOnce(t *testing.T) {
	p := newBuilder(13).
		input("x", onnx.Float, 3).
		init("k", ops.FromF32([]float32{1, 2, 3}, 3)).
		tnode("Affine", s("k"), s("c"), aFloat("a", 2)).
		node("Add", s("x", "c"), s("y")).
		output("y", onnx.Float, 3).m
	for _, opt := range []bool{true, false} {
		before := affinePrepares.Load()
		m := load(t, p, WithOptimizations(opt))
		for _, n := range []float32{1, 2} {
			y := run(t, m, ops.FromF32([]float32{n, n, n}, 3))[0]
			closeTo(t, "y", y, ops.FromF32([]float32{n + 2, n + 4, n + 6}, 3), 0, 0)
		}
		if got := affinePrepares.Load() - before; got != 1 {
			t.Errorf("optimizations %v: %d Prepare calls, want 1", opt, got)
		}
	}
}
