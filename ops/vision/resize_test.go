package vision

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestResizeNodeTests runs the official Resize and Upsample node tests.
func TestResizeNodeTests(t *testing.T) {
	if n, want := opstest.AllNodeTests(t, "test_resize_*", "test_upsample_*"), 40; n != want {
		t.Errorf("%d node tests passed, want %d", n, want)
	}
}

// ortGolden runs the ONNX Runtime golden tests in testdata/ort whose
// names match pattern (see testdata/ortgen.mjs) and fails t for each
// that does not pass.
func ortGolden(t *testing.T, pattern string) {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join("testdata", "ort", pattern))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatalf("no golden tests match %q", pattern)
	}
	for _, d := range dirs {
		t.Run(filepath.Base(d), func(t *testing.T) {
			if err := opstest.RunNodeTest(d); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestResizeORT compares Resize and Upsample with ONNX Runtime on the
// cases the node tests miss.
func TestResizeORT(t *testing.T) {
	ortGolden(t, "resize_*")
	ortGolden(t, "upsample_*")
}

// resizeNode is a Resize node with inputs X, roi, scales and sizes (nil:
// omitted) and the given attributes.
func resizeNode(ins []*ops.Tensor, attrs ...*onnx.Attribute) *onnx.Node {
	return opstest.EwNode("Resize", ins, 1, attrs...)
}

// TestResizeErrors checks that invalid attributes and inputs fail with
// errors naming them, and that shape inputs not known before the run
// say so with ErrNotConstant.
func TestResizeErrors(t *testing.T) {
	x := opstest.Iota32(1, 1, 2, 3)
	sc := opstest.F32s(1, 1, 2, 2)
	sz := opstest.I64s(1, 1, 4, 6)
	builds := []struct {
		op    string
		opset int
		attrs []*onnx.Attribute
		frag  string
	}{
		{"Resize", 19, []*onnx.Attribute{opstest.AttrS("mode", "bilinear")}, `"mode"`},
		{"Resize", 10, []*onnx.Attribute{opstest.AttrS("mode", "cubic")}, `"mode"`},
		{"Resize", 13, []*onnx.Attribute{opstest.AttrS("coordinate_transformation_mode", "tf_half_pixel_for_nn")}, "coordinate_transformation_mode"},
		{"Resize", 18, []*onnx.Attribute{opstest.AttrS("coordinate_transformation_mode", "half_pixel_symmetric")}, "coordinate_transformation_mode"},
		{"Resize", 19, []*onnx.Attribute{opstest.AttrS("nearest_mode", "round")}, "nearest_mode"},
		{"Resize", 19, []*onnx.Attribute{opstest.AttrI("exclude_outside", 2)}, "exclude_outside"},
		{"Resize", 19, []*onnx.Attribute{opstest.AttrI("antialias", -1)}, "antialias"},
		{"Resize", 19, []*onnx.Attribute{opstest.AttrS("keep_aspect_ratio_policy", "fit")}, "keep_aspect_ratio_policy"},
		{"Resize", 19, []*onnx.Attribute{opstest.AttrI("mode", 1)}, `"mode"`},
		{"Upsample", 7, nil, `"scales" is required`},
		{"Upsample", 1, []*onnx.Attribute{opstest.AttrF("height_scale", 2)}, "width_scale"},
		{"Upsample", 9, []*onnx.Attribute{opstest.AttrS("mode", "cubic")}, `"mode"`},
	}
	for _, c := range builds {
		_, err := ops.Build(opstest.EwNode(c.op, []*ops.Tensor{x}, 1, c.attrs...), c.opset)
		opstest.WantErr(t, fmt.Sprintf("%s-%d %v", c.op, c.opset, c.attrs), err, c.frag)
	}
	evals := []struct {
		label string
		opset int
		attrs []*onnx.Attribute
		ins   []*ops.Tensor
		frags []string
	}{
		{"both", 19, nil, []*ops.Tensor{x, nil, sc, sz}, []string{"both"}},
		{"neither", 19, nil, []*ops.Tensor{x}, []string{"must be given"}},
		{"empty scales, no sizes", 11, nil, []*ops.Tensor{x, opstest.F32s(), opstest.F32s()}, []string{"must be given"}},
		{"scales count", 19, nil, []*ops.Tensor{x, nil, opstest.F32s(2, 2)}, []string{"2 values for 4 axes"}},
		{"sizes count", 19, []*onnx.Attribute{opstest.AttrIs("axes", 2, 3)}, []*ops.Tensor{x, nil, nil, sz}, []string{"4 values for 2 axes"}},
		{"zero scale", 19, nil, []*ops.Tensor{x, nil, opstest.F32s(1, 1, 0, 2)}, []string{"scales[2]", "positive"}},
		{"NaN scale", 19, nil, []*ops.Tensor{x, nil, opstest.F32s(1, 1, float32(math.NaN()), 2)}, []string{"scales[2]"}},
		{"huge scale", 19, nil, []*ops.Tensor{x, nil, opstest.F32s(1, 1, 1e30, 2)}, []string{"out of range"}},
		{"negative size", 19, nil, []*ops.Tensor{x, nil, nil, opstest.I64s(1, 1, -1, 2)}, []string{"sizes[2]"}},
		{"scales type", 19, nil, []*ops.Tensor{x, nil, opstest.I64s(1, 1, 2, 2)}, []string{`"scales"`, "float32"}},
		{"sizes type", 19, nil, []*ops.Tensor{x, nil, nil, opstest.F32s(1, 1, 2, 2)}, []string{`"sizes"`, "int64"}},
		{"scales rank", 19, nil, []*ops.Tensor{x, nil, opstest.WithShape(sc, 2, 2)}, []string{`"scales"`, "1-D"}},
		{"axis range", 19, []*onnx.Attribute{opstest.AttrIs("axes", 4)}, []*ops.Tensor{x, nil, opstest.F32s(2)}, []string{`"axes"`, "out of range"}},
		{"axis repeated", 19, []*onnx.Attribute{opstest.AttrIs("axes", 3, -1)}, []*ops.Tensor{x, nil, opstest.F32s(2, 2)}, []string{`"axes"`, "repeated"}},
		{"roi type", 19, []*onnx.Attribute{opstest.AttrS("coordinate_transformation_mode", "tf_crop_and_resize")}, []*ops.Tensor{x, opstest.I64s(0, 0, 0, 0, 1, 1, 1, 1), sc}, []string{`"roi"`}},
		{"roi count", 19, []*onnx.Attribute{opstest.AttrS("coordinate_transformation_mode", "tf_crop_and_resize")}, []*ops.Tensor{x, opstest.F32s(0, 1), sc}, []string{"roi has 2 values, want 8"}},
		{"bool linear", 19, []*onnx.Attribute{opstest.AttrS("mode", "linear")}, []*ops.Tensor{opstest.Bools(opstest.Sh(2), true, false), nil, opstest.F32s(2)}, []string{"bool"}},
		{"empty axis grown", 19, nil, []*ops.Tensor{ops.New(onnx.Float, 1, 0), nil, nil, opstest.I64s(1, 3)}, []string{"empty"}},
		{"aspect of empty axis", 19, []*onnx.Attribute{opstest.AttrS("keep_aspect_ratio_policy", "not_larger")}, []*ops.Tensor{ops.New(onnx.Float, 1, 0), nil, nil, opstest.I64s(1, 0)}, []string{"empty"}},
		{"roi missing at 11", 11, nil, []*ops.Tensor{x, nil, sc}, []string{"required input 1"}},
	}
	for _, c := range evals {
		_, err := opstest.Eval(resizeNode(c.ins, c.attrs...), c.opset, c.ins...)
		opstest.WantErr(t, c.label, err, c.frags...)
	}
	up := []*ops.Tensor{x, opstest.F32s(1, 1, 0.5, 2)}
	_, err := opstest.Eval(opstest.EwNode("Upsample", up, 1), 9, up...)
	opstest.WantErr(t, "Upsample below 1", err, "scales[2]", "at least 1")
	if _, err := opstest.Eval(resizeNode([]*ops.Tensor{&ops.Tensor{Type: onnx.String, Shape: []int{1}}, nil, opstest.F32s(2)}), 19,
		&ops.Tensor{Type: onnx.String, Shape: []int{1}}, nil, opstest.F32s(2)); !errors.Is(err, ops.ErrUnsupported) {
		t.Errorf("string X: %v, want ErrUnsupported", err)
	}
	op, err := ops.Build(resizeNode([]*ops.Tensor{x, nil, sc}), 19)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"scales", "sizes"} {
		vals := []ops.Value{{Type: onnx.Float, Shape: x.Shape}, {}, {}, {}}
		vals[2+i] = ops.Value{Type: []ops.DType{onnx.Float, onnx.Int64}[i], Shape: []int{4}}
		if _, err := op.Infer(vals); !errors.Is(err, ops.ErrNotConstant) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s not constant: %v, want ErrNotConstant naming it", name, err)
		}
	}
	// An empty scales tensor stands for an omitted one without its value.
	vals := []ops.Value{{Type: onnx.Float, Shape: x.Shape}, {}, {Type: onnx.Float, Shape: []int{0}}, {Type: onnx.Int64, Shape: []int{4}, Const: sz}}
	if out, err := op.Infer(vals); err != nil || !ops.SameShape(out[0].Shape, []int{1, 1, 4, 6}) {
		t.Errorf("empty scales and sizes: %v %v", out, err)
	}
}

// TestResizeBindReplans binds a Resize whose scales are computed by an
// earlier step: new scale values giving the same output shape must be
// used, and the plan kept while they stay.
func TestResizeBindReplans(t *testing.T) {
	x := opstest.Iota32(1, 1, 1, 5)
	scales := opstest.F32s(1, 1, 1, 2)
	ins := []*ops.Tensor{x, nil, scales}
	op, err := ops.Build(resizeNode(ins, opstest.AttrS("mode", "linear"), opstest.AttrS("coordinate_transformation_mode", "asymmetric")), 19)
	if err != nil {
		t.Fatal(err)
	}
	y := ops.New(onnx.Float, 1, 1, 1, 10)
	f, err := op.(ops.Binder).Bind(&ops.Ctx{Par: ops.Serial{}}, ins, []*ops.Tensor{y})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		scale float32
		want  []float32
	}{
		{2, []float32{0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4}},
		{2.1, []float32{0, 1 / 2.1, 2 / 2.1, 3 / 2.1, 4 / 2.1, 5 / 2.1, 6 / 2.1, 7 / 2.1, 8 / 2.1, 4}},
		{2.1, []float32{0, 1 / 2.1, 2 / 2.1, 3 / 2.1, 4 / 2.1, 5 / 2.1, 6 / 2.1, 7 / 2.1, 8 / 2.1, 4}},
		{2, []float32{0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4}},
	} {
		scales.F32()[3] = c.scale
		if err := f(); err != nil {
			t.Fatal(err)
		}
		opstest.Close(t, fmt.Sprint("scale ", c.scale), y.F32(), c.want, 1e-6, 1e-6)
	}
	scales.F32()[3] = 3
	opstest.WantErr(t, "scale giving another shape", f(), "output has shape [1 1 1 10]", "[1 1 1 15]")
}

// TestResizeBoundAllocs checks that bound nearest and linear resizes
// allocate nothing once planned, on one thread and on two.
func TestResizeBoundAllocs(t *testing.T) {
	x := opstest.Rand(rand.New(rand.NewPCG(1, 2)), 1, 3, 9, 10)
	for _, mode := range []string{"nearest", "linear", "cubic"} {
		for _, scales := range [][]float32{{1, 1, 2, 2}, {1, 2, 1.5, 0.7}} {
			ins := []*ops.Tensor{x, nil, opstest.F32s(scales...)}
			outs, err := opstest.Eval(resizeNode(ins, opstest.AttrS("mode", mode)), 19, ins...)
			if err != nil {
				t.Fatal(err)
			}
			op, _ := ops.Build(resizeNode(ins, opstest.AttrS("mode", mode)), 19)
			for _, par := range []ops.Parallel{ops.Serial{}, opstest.SeqPar{}} {
				f, err := op.(ops.Binder).Bind(&ops.Ctx{Par: par}, ins, outs)
				if err != nil {
					t.Fatal(err)
				}
				if err := f(); err != nil {
					t.Fatal(err)
				}
				if n := testing.AllocsPerRun(5, func() { f() }); n != 0 {
					t.Errorf("%s %v on %T: %v allocations per bound run, want 0", mode, scales, par, n)
				}
			}
		}
	}
}

// TestResizeEmpty resizes tensors with an empty axis and to empty sizes.
func TestResizeEmpty(t *testing.T) {
	for _, c := range []struct {
		x           *ops.Tensor
		sizes, want []int64
	}{
		{ops.New(onnx.Float, 2, 0, 3), []int64{4, 0, 5}, []int64{4, 0, 5}},
		{opstest.Iota32(2, 3), []int64{0, 3}, []int64{0, 3}},
		{opstest.Iota32(2, 3), []int64{2, 0}, []int64{2, 0}},
	} {
		for _, mode := range []string{"nearest", "linear"} {
			ins := []*ops.Tensor{c.x, nil, nil, opstest.I64s(c.sizes...)}
			outs, err := opstest.Eval(resizeNode(ins, opstest.AttrS("mode", mode)), 19, ins...)
			if err != nil {
				t.Errorf("%v to %v, %s: %v", c.x.Shape, c.sizes, mode, err)
				continue
			}
			if fmt.Sprint(outs[0].Shape) != fmt.Sprint(c.want) {
				t.Errorf("%v to %v, %s: shape %v", c.x.Shape, c.sizes, mode, outs[0].Shape)
			}
		}
	}
}

// TestUpsample1 checks the experimental Upsample-1's attributes.
func TestUpsample1(t *testing.T) {
	x := opstest.Iota32(1, 1, 2, 2)
	outs, err := opstest.Eval(opstest.EwNode("Upsample", []*ops.Tensor{x}, 1, opstest.AttrF("height_scale", 2), opstest.AttrF("width_scale", 1.5), opstest.AttrS("mode", "bilinear")), 1, x)
	if err != nil {
		t.Fatal(err)
	}
	want := []float32{0, 2.0 / 3, 1, 1, 5.0 / 3, 2, 2, 8.0 / 3, 3, 2, 8.0 / 3, 3}
	if !ops.SameShape(outs[0].Shape, []int{1, 1, 4, 3}) {
		t.Fatalf("shape %v", outs[0].Shape)
	}
	opstest.Close(t, "Upsample-1 bilinear", outs[0].F32(), want, 1e-6, 1e-6)
}

// BenchmarkResize2x is a 2x resize of a [1,64,80,80] map (a detector's
// feature pyramid step), nearest and bilinear (half_pixel).
func BenchmarkResize2x(b *testing.B) {
	x := opstest.Rand(rand.New(rand.NewPCG(3, 4)), 1, 64, 80, 80)
	ins := []*ops.Tensor{x, nil, opstest.F32s(1, 1, 2, 2)}
	for _, mode := range []string{"nearest", "linear"} {
		b.Run(mode, func(b *testing.B) {
			op, err := ops.Build(resizeNode(ins, opstest.AttrS("mode", mode)), 19)
			if err != nil {
				b.Fatal(err)
			}
			y := ops.New(onnx.Float, 1, 64, 160, 160)
			f, err := op.(ops.Binder).Bind(&ops.Ctx{Par: ops.Serial{}}, ins, []*ops.Tensor{y})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(x.Data) + len(y.Data)))
			for range b.N {
				if err := f(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestResizeBool resizes bool input in nearest mode, with tf_crop_and_resize's
// extrapolation value stored as true.
func TestResizeBool(t *testing.T) {
	x := opstest.Bools(opstest.Sh(2, 2), true, false, false, true)
	ins := []*ops.Tensor{x, nil, opstest.F32s(1.5, 2)}
	got, err := opstest.Eval(resizeNode(ins), 19, ins...)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "nearest", got[0], opstest.Bools(opstest.Sh(3, 4),
		true, true, false, false,
		true, true, false, false,
		false, false, true, true))
	ins = []*ops.Tensor{x, opstest.F32s(0, 0, 1, 2), nil, opstest.I64s(2, 3)}
	got, err = opstest.Eval(resizeNode(ins, opstest.AttrS("coordinate_transformation_mode", "tf_crop_and_resize"), opstest.AttrF("extrapolation_value", 2)), 19, ins...)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "extrapolated", got[0], opstest.Bools(opstest.Sh(2, 3),
		true, false, true,
		false, true, true))
}
