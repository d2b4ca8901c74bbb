package runtime

import (
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func TestRemoveDeadSteps(t *testing.T) {
	// The Relu's output only feeds Shape, which folds: the Relu is dead.
	p := newBuilder(13).
		input("x", onnx.Float, "N", 6).
		init("target", ops.FromI64([]int64{-1, 3}, 2)).
		node("Relu", s("x"), s("r")).
		node("Shape", s("r"), s("shape")).
		node("Reshape", s("x", "target"), s("y")).
		output("y", onnx.Float, "M", 3).
		output("shape", onnx.Int64, 2).m
	x := randTensor(newRand(90), 2, 6)
	m := agree(t, p, x)
	if got := strings.Join(stepTypes(planOf(t, m, x)), " "); got != "Reshape" {
		t.Errorf("steps %q, want only Reshape", got)
	}
	closeTo(t, "shape", run(t, m, x)[1], ops.FromI64([]int64{2, 6}, 2), 0, 0)
}
