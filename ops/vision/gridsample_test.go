package vision

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestGridSampleNodeTests runs the official GridSample node tests.
func TestGridSampleNodeTests(t *testing.T) {
	if n, want := opstest.AllNodeTests(t, "test_gridsample*"), 18; n != want {
		t.Errorf("%d node tests passed, want %d", n, want)
	}
}

// TestGridSampleORT compares GridSample with ONNX Runtime on the cases
// the node tests miss.
func TestGridSampleORT(t *testing.T) { ortGolden(t, "gridsample_*") }

// TestGridSampleErrors checks that invalid attributes and inputs fail
// with errors naming them.
func TestGridSampleErrors(t *testing.T) {
	x := opstest.Iota32(1, 1, 2, 3)
	g := ops.New(onnx.Float, 1, 2, 2, 2)
	for _, c := range []struct {
		attrs []*onnx.Attribute
		frag  string
	}{
		{[]*onnx.Attribute{opstest.AttrS("mode", "area")}, `"mode"`},
		{[]*onnx.Attribute{opstest.AttrS("padding_mode", "edge")}, `"padding_mode"`},
		{[]*onnx.Attribute{opstest.AttrI("align_corners", 2)}, `"align_corners"`},
	} {
		_, err := ops.Build(opstest.EwNode("GridSample", []*ops.Tensor{x, g}, 1, c.attrs...), 22)
		opstest.WantErr(t, fmt.Sprint(c.attrs), err, c.frag)
	}
	for _, c := range []struct {
		label string
		opset int
		attrs []*onnx.Attribute
		x, g  *ops.Tensor
		frags []string
	}{
		{"3-D at 16", 16, nil, ops.New(onnx.Float, 1, 1, 2, 2, 2), ops.New(onnx.Float, 1, 1, 1, 1, 3), []string{`"X"`, "[N, C, H, W]"}},
		{"rank 2", 22, nil, ops.New(onnx.Float, 1, 1), ops.New(onnx.Float, 1, 1), []string{`"X"`}},
		{"grid rank", 22, nil, x, ops.New(onnx.Float, 1, 2, 2), []string{`"grid"`}},
		{"grid batch", 22, nil, x, ops.New(onnx.Float, 2, 2, 2, 2), []string{`"grid"`}},
		{"grid last", 22, nil, x, ops.New(onnx.Float, 1, 2, 2, 3), []string{`"grid"`}},
		{"grid type", 22, nil, x, ops.New(onnx.Int64, 1, 2, 2, 2), []string{`"grid"`, "floating-point"}},
		{"bool linear", 22, nil, ops.New(onnx.Bool, 1, 1, 2, 2), g, []string{"bool"}},
		{"empty border", 22, []*onnx.Attribute{opstest.AttrS("padding_mode", "border")}, ops.New(onnx.Float, 1, 1, 0, 2), g, []string{"empty"}},
	} {
		_, err := opstest.Eval(opstest.EwNode("GridSample", []*ops.Tensor{c.x, c.g}, 1, c.attrs...), c.opset, c.x, c.g)
		opstest.WantErr(t, c.label, err, c.frags...)
	}
}

// TestGridSampleSpecial samples bool input in nearest mode and an empty
// input with zeros padding.
func TestGridSampleSpecial(t *testing.T) {
	x := opstest.Bools(opstest.Sh(1, 1, 2, 2), true, false, false, true)
	g := opstest.WithShape(opstest.F32s(-0.5, -0.5, 0.5, -0.5, 0.5, 0.5, 3, 3), 1, 2, 2, 2)
	got, err := opstest.Eval(opstest.EwNode("GridSample", []*ops.Tensor{x, g}, 1, opstest.AttrS("mode", "nearest")), 22, x, g)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "bool nearest", got[0], opstest.Bools(opstest.Sh(1, 1, 2, 2), true, false, true, false))
	empty := ops.New(onnx.Float, 1, 2, 0, 3)
	got, err = opstest.Eval(opstest.EwNode("GridSample", []*ops.Tensor{empty, g}, 1), 22, empty, g)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "empty input", got[0], ops.New(onnx.Float, 1, 2, 2, 2))
}

// TestGridSampleBoundAllocs checks that a bound GridSample allocates
// nothing per run.
func TestGridSampleBoundAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	x, g := opstest.Rand(rng, 2, 3, 6, 7), opstest.Rand(rng, 2, 5, 4, 2)
	for _, mode := range []string{"nearest", "linear", "cubic"} {
		node := opstest.EwNode("GridSample", []*ops.Tensor{x, g}, 1, opstest.AttrS("mode", mode))
		outs, err := opstest.Eval(node, 22, x, g)
		if err != nil {
			t.Fatal(err)
		}
		op, _ := ops.Build(node, 22)
		for _, par := range []ops.Parallel{ops.Serial{}, opstest.SeqPar{}} {
			f, err := op.(ops.Binder).Bind(&ops.Ctx{Par: par}, []*ops.Tensor{x, g}, outs)
			if err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(5, func() { f() }); n != 0 {
				t.Errorf("%s on %T: %v allocations per bound run, want 0", mode, par, n)
			}
		}
	}
}
