package vision

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestRoiAlignNodeTests runs the official RoiAlign node tests.
func TestRoiAlignNodeTests(t *testing.T) {
	if n, want := opstest.AllNodeTests(t, "test_roialign*"), 3; n != want {
		t.Errorf("%d node tests passed, want %d", n, want)
	}
}

// TestRoiORT compares RoiAlign and MaxRoiPool with ONNX Runtime.
func TestRoiORT(t *testing.T) {
	ortGolden(t, "roialign_*")
	ortGolden(t, "maxroipool_*")
}

// TestRoiErrors checks that invalid attributes and inputs fail with
// errors naming them, image indices out of range included.
func TestRoiErrors(t *testing.T) {
	x := ops.New(onnx.Float, 2, 1, 4, 4)
	rois := opstest.WithShape(opstest.F32s(0, 0, 2, 2), 1, 4)
	idx := opstest.I64s(0)
	for _, c := range []struct {
		op    string
		attrs []*onnx.Attribute
		frag  string
	}{
		{"RoiAlign", []*onnx.Attribute{opstest.AttrS("mode", "sum")}, `"mode"`},
		{"RoiAlign", []*onnx.Attribute{opstest.AttrS("coordinate_transformation_mode", "asymmetric")}, "coordinate_transformation_mode"},
		{"RoiAlign", []*onnx.Attribute{opstest.AttrI("output_height", 0)}, "output_height"},
		{"RoiAlign", []*onnx.Attribute{opstest.AttrI("sampling_ratio", -1)}, "sampling_ratio"},
		{"RoiAlign", []*onnx.Attribute{opstest.AttrI("sampling_ratio", 1<<20)}, "sampling_ratio"},
		{"MaxRoiPool", nil, "pooled_shape"},
		{"MaxRoiPool", []*onnx.Attribute{opstest.AttrIs("pooled_shape", 2, 0)}, "pooled_shape"},
	} {
		_, err := ops.Build(opstest.EwNode(c.op, []*ops.Tensor{x, rois}, 1, c.attrs...), 22)
		opstest.WantErr(t, fmt.Sprint(c.op, c.attrs), err, c.frag)
	}
	for _, c := range []struct {
		label string
		ins   []*ops.Tensor
		frags []string
	}{
		{"X rank", []*ops.Tensor{ops.New(onnx.Float, 1, 4, 4), rois, idx}, []string{`"X"`}},
		{"X type", []*ops.Tensor{ops.New(onnx.Int32, 2, 1, 4, 4), rois, idx}, []string{`"X"`}},
		{"rois type", []*ops.Tensor{x, ops.New(onnx.Double, 1, 4), idx}, []string{`"rois"`, "must match"}},
		{"rois shape", []*ops.Tensor{x, ops.New(onnx.Float, 1, 5), idx}, []string{`"rois"`}},
		{"indices type", []*ops.Tensor{x, rois, opstest.Typed[int32](opstest.Sh(1), 0)}, []string{`"batch_indices"`, "int64"}},
		{"indices count", []*ops.Tensor{x, rois, opstest.I64s(0, 1)}, []string{`"batch_indices"`}},
		{"index range", []*ops.Tensor{x, rois, opstest.I64s(2)}, []string{`"batch_indices"[0]`, "out of range"}},
		{"negative index", []*ops.Tensor{x, rois, opstest.I64s(-1)}, []string{"out of range"}},
		{"huge region", []*ops.Tensor{x, opstest.WithShape(opstest.F32s(0, 0, 1e9, 2), 1, 4), idx}, []string{`"rois"[0]`, "samples"}},
		{"NaN region", []*ops.Tensor{x, opstest.WithShape(opstest.F32s(0, float32(math.NaN()), 1, 2), 1, 4), idx}, []string{`"rois"[0]`, "not finite"}},
	} {
		_, err := opstest.Eval(opstest.EwNode("RoiAlign", c.ins, 1), 22, c.ins...)
		opstest.WantErr(t, "RoiAlign "+c.label, err, c.frags...)
	}
	for _, c := range []struct {
		label string
		rois  *ops.Tensor
		frags []string
	}{
		{"rois shape", rois, []string{`"rois"`, "[num_rois, 5]"}},
		{"image index", opstest.WithShape(opstest.F32s(2, 0, 0, 1, 1), 1, 5), []string{`"rois"[0]`, "out of range"}},
		{"NaN image index", opstest.WithShape(opstest.F32s(float32(math.NaN()), 0, 0, 1, 1), 1, 5), []string{`"rois"[0]`}},
	} {
		_, err := opstest.Eval(opstest.EwNode("MaxRoiPool", []*ops.Tensor{x, c.rois}, 1, opstest.AttrIs("pooled_shape", 2, 2)), 22, x, c.rois)
		opstest.WantErr(t, "MaxRoiPool "+c.label, err, c.frags...)
	}
}

// TestRoiBound checks that bound RoiAlign and MaxRoiPool allocate nothing
// once their buffers fit, and agree with serial runs when split.
func TestRoiBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	x := opstest.Rand(rng, 2, 5, 9, 11)
	rois4 := opstest.WithShape(opstest.F32s(0, 0, 8, 8, 1.5, 2.5, 7, 6, -2, -1, 20, 3), 3, 4)
	rois5 := opstest.WithShape(opstest.F32s(0, 0, 0, 8, 8, 1, 1.5, 2.5, 7, 6, 1, -2, -1, 20, 3), 3, 5)
	for _, c := range []struct {
		op  string
		ins []*ops.Tensor
		at  []*onnx.Attribute
	}{
		{"RoiAlign", []*ops.Tensor{x, rois4, opstest.I64s(1, 0, 1)}, []*onnx.Attribute{opstest.AttrI("output_height", 3), opstest.AttrI("output_width", 2)}},
		{"RoiAlign", []*ops.Tensor{x, rois4, opstest.I64s(1, 0, 1)}, []*onnx.Attribute{opstest.AttrS("mode", "max"), opstest.AttrI("sampling_ratio", 2)}},
		{"MaxRoiPool", []*ops.Tensor{x, rois5}, []*onnx.Attribute{opstest.AttrIs("pooled_shape", 3, 3), opstest.AttrF("spatial_scale", 0.8)}},
	} {
		node := opstest.EwNode(c.op, c.ins, 1, c.at...)
		chunked, err := opstest.Eval(node, 16, c.ins...)
		if err != nil {
			t.Fatal(err)
		}
		op, _ := ops.Build(node, 16)
		serial := []*ops.Tensor{ops.New(chunked[0].Type, chunked[0].Shape...)}
		if err := op.Run(&ops.Ctx{Par: ops.Serial{}}, c.ins, serial); err != nil {
			t.Fatal(err)
		}
		opstest.WantTensor(t, c.op+" split", chunked[0], serial[0])
		for _, par := range []ops.Parallel{ops.Serial{}, opstest.SeqPar{}} {
			f, err := op.(ops.Binder).Bind(&ops.Ctx{Par: par}, c.ins, serial)
			if err != nil {
				t.Fatal(err)
			}
			f()
			if n := testing.AllocsPerRun(5, func() { f() }); n != 0 {
				t.Errorf("%s %v on %T: %v allocations per bound run, want 0", c.op, c.at, par, n)
			}
		}
	}
}

// TestRoiFloat64 checks that both operators compute float64 inputs as
// they compute the same values in float32 (the goldens cover float32;
// ONNX Runtime has no float64 MaxRoiPool).
func TestRoiFloat64(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	x := opstest.Rand(rng, 2, 3, 7, 9)
	rois4 := opstest.WithShape(opstest.F32s(0, 0, 8, 6, 1.5, 2.5, 7, 6, -2, -1, 20, 3), 3, 4)
	rois5 := opstest.WithShape(opstest.F32s(0, 0, 0, 8, 6, 1, 1.5, 2.5, 7, 6, 1, -2, -1, 20, 3), 3, 5)
	widen := func(t *ops.Tensor) *ops.Tensor {
		w := ops.New(onnx.Double, t.Shape...)
		for i, v := range t.F32() {
			w.F64()[i] = float64(v)
		}
		return w
	}
	for _, c := range []struct {
		op  string
		ins []*ops.Tensor
		at  []*onnx.Attribute
	}{
		{"RoiAlign", []*ops.Tensor{x, rois4, opstest.I64s(1, 0, 1)}, []*onnx.Attribute{opstest.AttrI("output_height", 3), opstest.AttrF("spatial_scale", 0.7)}},
		{"MaxRoiPool", []*ops.Tensor{x, rois5}, []*onnx.Attribute{opstest.AttrIs("pooled_shape", 3, 2), opstest.AttrF("spatial_scale", 0.5)}},
	} {
		node := opstest.EwNode(c.op, c.ins, 1, c.at...)
		f32, err := opstest.Eval(node, 22, c.ins...)
		if err != nil {
			t.Fatal(err)
		}
		wide := append([]*ops.Tensor{widen(c.ins[0]), widen(c.ins[1])}, c.ins[2:]...)
		f64, err := opstest.Eval(node, 22, wide...)
		if err != nil {
			t.Fatal(err)
		}
		narrow := make([]float32, f64[0].Len())
		for i, v := range f64[0].F64() {
			narrow[i] = float32(v)
		}
		opstest.Close(t, c.op, narrow, f32[0].F32(), 1e-5, 1e-6)
	}
}
