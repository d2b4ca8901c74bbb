package vision

import (
	"errors"
	"fmt"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestAffineGridNodeTests runs the official single-node AffineGrid tests
// (the expanded ones run through the runtime).
func TestAffineGridNodeTests(t *testing.T) {
	if n, want := opstest.AllNodeTests(t, "test_affine_grid_*"), 4; n != want {
		t.Errorf("%d node tests passed, want %d", n, want)
	}
}

// TestAffineGridORT compares AffineGrid with ONNX Runtime on odd and
// size-1 axes.
func TestAffineGridORT(t *testing.T) { ortGolden(t, "affinegrid_*") }

// TestAffineGridSizeOne checks the reference's grid for size-1 axes:
// -1 with align_corners, 0 without.
func TestAffineGridSizeOne(t *testing.T) {
	theta := opstest.WithShape(opstest.F32s(1, 0, 0, 0, 1, 0), 1, 2, 3) // the identity
	size := opstest.I64s(1, 1, 1, 2)
	for align, want := range [][]float32{{-0.5, 0, 0.5, 0}, {-1, -1, 1, -1}} {
		got, err := opstest.Eval(opstest.EwNode("AffineGrid", []*ops.Tensor{theta, size}, 1, opstest.AttrI("align_corners", int64(align))), 20, theta, size)
		if err != nil {
			t.Fatal(err)
		}
		opstest.Close(t, fmt.Sprint("align_corners ", align), got[0].F32(), want, 0, 1e-7)
	}
}

// TestAffineGridErrors checks that invalid inputs fail with errors naming
// them, and a size not known before the run says so.
func TestAffineGridErrors(t *testing.T) {
	theta := ops.New(onnx.Float, 2, 2, 3)
	for _, c := range []struct {
		label       string
		theta, size *ops.Tensor
		frags       []string
	}{
		{"theta batch", theta, opstest.I64s(3, 1, 4, 4), []string{`"theta"`, "[3, 2, 3]"}},
		{"theta 3-D for 2-D size", ops.New(onnx.Float, 2, 3, 4), opstest.I64s(2, 1, 4, 4), []string{`"theta"`}},
		{"size length", theta, opstest.I64s(2, 1, 4), []string{`"size"`}},
		{"negative size", theta, opstest.I64s(2, 1, -4, 4), []string{`"size"`}},
		{"size type", theta, opstest.F32s(2, 1, 4, 4), []string{`"size"`, "int64"}},
		{"theta type", ops.New(onnx.Int32, 2, 2, 3), opstest.I64s(2, 1, 4, 4), []string{`"theta"`}},
	} {
		_, err := opstest.Eval(opstest.EwNode("AffineGrid", []*ops.Tensor{c.theta, c.size}, 1), 20, c.theta, c.size)
		opstest.WantErr(t, c.label, err, c.frags...)
	}
	op, err := ops.Build(opstest.EwNode("AffineGrid", []*ops.Tensor{theta, theta}, 1), 20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := op.Infer([]ops.Value{{Type: onnx.Float, Shape: theta.Shape}, {Type: onnx.Int64, Shape: []int{4}}}); !errors.Is(err, ops.ErrNotConstant) {
		t.Errorf("size not constant: %v, want ErrNotConstant", err)
	}
}

// TestAffineGridBoundAllocs checks that a bound AffineGrid allocates
// nothing per run.
func TestAffineGridBoundAllocs(t *testing.T) {
	theta, size := opstest.Iota32(2, 3, 4), opstest.I64s(2, 1, 3, 4, 5)
	node := opstest.EwNode("AffineGrid", []*ops.Tensor{theta, size}, 1)
	outs, err := opstest.Eval(node, 20, theta, size)
	if err != nil {
		t.Fatal(err)
	}
	op, _ := ops.Build(node, 20)
	for _, par := range []ops.Parallel{ops.Serial{}, opstest.SeqPar{}} {
		f, err := op.(ops.Binder).Bind(&ops.Ctx{Par: par}, []*ops.Tensor{theta, size}, outs)
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(5, func() { f() }); n != 0 {
			t.Errorf("on %T: %v allocations per bound run, want 0", par, n)
		}
	}
}
