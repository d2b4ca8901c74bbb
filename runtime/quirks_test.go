package runtime

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Exporter quirks that ONNX Runtime accepts (checked against onnxruntime
// 1.30 with models built like these).

// reluModel is x -> Relu -> y with the first dimension of both declared as
// dim_value first.
func reluModel(first int64) *onnx.Model {
	p := newBuilder(13).input("x", onnx.Float, 1, 3).node("Relu", s("x"), s("y")).output("y", onnx.Float, 1, 3).m
	p.Graph.Inputs[0].Type.Shape[0].Value = first
	p.Graph.Outputs[0].Type.Shape[0].Value = first
	return p
}

// Dimensions declared -1 (Paddle) or 0 are unknown, not sizes that reject
// every input; the fixed ones are still checked.
func TestNegativeAndZeroDeclaredDimsAreUnknown(t *testing.T) {
	for _, first := range []int64{-1, -16, 0} {
		p := reluModel(first)
		m := load(t, p)
		ins, outs := DeclaredIO(p)
		for _, io := range [][]IOInfo{m.Inputs(), m.Outputs(), ins, outs} {
			if got := io[0]; !reflect.DeepEqual(got.Dims, []int64{-1, 3}) || got.String() != "float32[? 3]" {
				t.Errorf("dim %d: %s described as %+v (%s), want dims [-1 3]", first, got.Name, got, got)
			}
		}
		for _, n := range []int{2, 0} {
			x := randTensor(newRand(uint64(n)), n, 3)
			want := ops.New(onnx.Float, n, 3)
			for i, v := range x.F32() {
				want.F32()[i] = max(v, 0)
			}
			closeTo(t, "y", run(t, m, x)[0], want, 0, 0)
		}
		if _, err := m.Run(context.Background(), []*ops.Tensor{ops.New(onnx.Float, 2, 4)}); err == nil || !strings.Contains(err.Error(), "want [? 3]") {
			t.Errorf("dim %d: a [2 4] input gave %v, want the fixed dimension checked", first, err)
		}
		info, err := m.Plan(nil)
		if err != nil || !ops.SameShape(info.Steps[0].OutShapes[0], []int{1, 3}) {
			t.Errorf("dim %d: Plan(nil) = %+v, %v: want the unknown dimension planned as 1", first, info, err)
		}
	}
}

// Dimensions sharing a symbolic name take different sizes (Paddle names
// every unknown dimension "?"); a graph that needs them to agree fails at
// planning, naming the node.
func TestSharedSymbolicNameNotEnforced(t *testing.T) {
	p := newBuilder(13).
		input("a", onnx.Float, "?", 3).
		input("b", onnx.Float, "?", "?").
		node("Relu", s("a"), s("ra")).
		node("Relu", s("b"), s("rb")).
		output("ra", onnx.Float, "?", 3).
		output("rb", onnx.Float, "?", "?").m
	m := load(t, p)
	a, b := randTensor(newRand(3), 2, 3), randTensor(newRand(4), 5, 4)
	out := run(t, m, a, b)
	if !ops.SameShape(out[0].Shape, []int{2, 3}) || !ops.SameShape(out[1].Shape, []int{5, 4}) {
		t.Errorf("outputs %s, %s: want [2 3] and [5 4]", out[0], out[1])
	}

	p = newBuilder(13).
		input("a", onnx.Float, "N", 3).
		input("b", onnx.Float, "N", 3).
		node("Add", s("a", "b"), s("sum")).
		output("sum", onnx.Float, "N", 3).m
	m = load(t, p)
	_, err := m.Run(context.Background(), []*ops.Tensor{randTensor(newRand(5), 2, 3), randTensor(newRand(6), 5, 3)})
	if err == nil || !strings.HasPrefix(err.Error(), `Add "sum": `) {
		t.Errorf("Add of [2 3] and [5 3]: got %v, want an error naming the node", err)
	}
}

// Initializers listed as graph inputs (every weight in IR version 3
// exports; an overridable default from IR version 4) are constants, not
// inputs the caller must give.
func TestInitializerInputsAreConstants(t *testing.T) {
	for _, ir := range []int64{3, 8} {
		p := newBuilder(9).
			input("x", onnx.Float, 3).
			input("w", onnx.Float, 3).
			init("w", ops.FromF32([]float32{1, 2, 3}, 3)).
			node("Add", s("x", "w"), s("y")).
			output("y", onnx.Float, 3).m
		p.IRVersion = ir
		p.OpsetImports = p.OpsetImports[:1]
		for _, opts := range [][]Option{nil, {WithOptimizations(false)}} {
			m := load(t, p, opts...)
			ins, _ := DeclaredIO(p)
			if len(m.Inputs()) != 1 || m.Inputs()[0].Name != "x" || len(ins) != 1 || ins[0].Name != "x" {
				t.Fatalf("IR %d: inputs %v, declared %v: want only x", ir, m.Inputs(), ins)
			}
			x := ops.FromF32([]float32{-1, 0, 1}, 3)
			closeTo(t, "y", run(t, m, x)[0], ops.FromF32([]float32{0, 2, 4}, 3), 0, 0)
			_, err := m.Run(context.Background(), []*ops.Tensor{x, ops.FromF32([]float32{0, 0, 0}, 3)})
			if err == nil || err.Error() != `got 2 inputs, want 1 ("x")` {
				t.Errorf("IR %d: overriding w gave %v, want the input count error", ir, err)
			}
		}
	}
}
