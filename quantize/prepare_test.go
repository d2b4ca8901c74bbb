package quantize

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/models/squeezenet"
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// TestUpgrade checks each rewrite of an operator whose meaning changed
// before opset 13: the prepared model, at opset 13, computes what the
// original does at its own opset (edgeinfer runs every version).
func TestUpgrade(t *testing.T) {
	for _, c := range []struct {
		name  string
		opset int64
		build func(b *testModel) // input "x" is float32[2 3 2 2]
		want  []string           // the prepared model's operators
	}{
		{"Softmax flattens from axis 1", 11, func(b *testModel) {
			b.node("Softmax", []string{"x"}, []string{"y"})
		}, []string{"Flatten", "Shape", "Softmax", "Reshape"}},
		{"LogSoftmax axis 2", 9, func(b *testModel) {
			b.node("LogSoftmax", []string{"x"}, []string{"y"}, aInt("axis", 2))
		}, []string{"Flatten", "Shape", "LogSoftmax", "Reshape"}},
		{"Hardmax axis -1 unchanged", 11, func(b *testModel) {
			b.node("Hardmax", []string{"x"}, []string{"y"}, aInt("axis", -1))
		}, []string{"Hardmax"}},
		{"Dropout removed", 7, func(b *testModel) {
			b.node("Dropout", []string{"x"}, []string{"d"}, aFloat("ratio", 0.3))
			b.node("Relu", []string{"d"}, []string{"y"})
		}, []string{"Relu"}},
		{"Dropout writing a graph output loses ratio", 10, func(b *testModel) {
			b.node("Dropout", []string{"x"}, []string{"y"}, aFloat("ratio", 0.3))
		}, []string{"Dropout"}},
		{"BatchNormalization spatial", 7, func(b *testModel) {
			b.node("Relu", []string{"x"}, []string{"r"})
			b.node("BatchNormalization", []string{"r", b.random("s", 0.5, 1.5, 3), b.random("b", -1, 1, 3),
				b.random("m", -1, 1, 3), b.random("v", 0.5, 2, 3)}, []string{"y"}, aInt("spatial", 1))
		}, []string{"Relu", "BatchNormalization"}},
		{"Clip attributes", 10, func(b *testModel) {
			b.node("Clip", []string{"x"}, []string{"y"}, aFloat("min", -0.5), aFloat("max", 0.25))
		}, []string{"Clip"}},
		{"Squeeze and Unsqueeze axes", 11, func(b *testModel) {
			b.node("Unsqueeze", []string{"x"}, []string{"u"}, aInts("axes", 0))
			b.node("Squeeze", []string{"u"}, []string{"y"}, aInts("axes", 0))
		}, []string{"Unsqueeze", "Squeeze"}},
		{"ReduceSum axes", 11, func(b *testModel) {
			b.node("ReduceSum", []string{"x"}, []string{"y"}, aInts("axes", 1, 3), aInt("keepdims", 0))
		}, []string{"ReduceSum"}},
		{"Split sizes", 11, func(b *testModel) {
			b.node("Split", []string{"x"}, []string{"y", "z"}, aInt("axis", 1), aInts("split", 1, 2))
		}, []string{"Split"}},
		{"TopK k", 9, func(b *testModel) {
			b.node("TopK", []string{"x"}, []string{"y", "z"}, aInt("k", 2), aInt("axis", 1))
		}, []string{"TopK"}},
		{"Slice attributes", 9, func(b *testModel) {
			b.node("Slice", []string{"x"}, []string{"y"}, aInts("starts", 1, 0), aInts("ends", 3, 1), aInts("axes", 1, 3))
		}, []string{"Slice"}},
		{"Resize from opset 11", 11, func(b *testModel) {
			b.node("Resize", []string{"x", b.init("roi", ops.New(onnx.Float, 0)), b.init("scales", fromF32(1, 1, 2, 1.5))}, []string{"y"},
				&onnx.Attribute{Name: "mode", Type: onnx.AttrString, S: []byte("linear")})
		}, []string{"Resize"}},
		{"Pad attributes", 9, func(b *testModel) {
			b.node("Pad", []string{"x"}, []string{"y"}, aInts("pads", 0, 0, 1, 2, 0, 1, 0, 0), aFloat("value", 1.5))
		}, []string{"Pad"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := newTestModel(c.opset, "x", 2, 3, 2, 2)
			c.build(b)
			outs := b.m.Graph.Nodes[len(b.m.Graph.Nodes)-1].Outputs
			b.output(outs...)
			p, err := prepare(b.m)
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := p.Opset(""); v != qdqOpset {
				t.Errorf("opset %d, want %d", v, qdqOpset)
			}
			if got := opTypes(p); !reflect.DeepEqual(got, c.want) {
				t.Errorf("operators %v, want %v", got, c.want)
			}
			for _, n := range p.Graph.Nodes {
				for _, a := range n.Attrs {
					if slices.Contains([]string{"ratio", "spatial", "min", "max", "axes", "split", "k", "starts", "ends", "pads", "value"}, a.Name) {
						t.Errorf("%s keeps attribute %s", n.OpType, a.Name)
					}
				}
			}
			in := randomInput(3, -2, 2, 2, 3, 2, 2)
			want, got := runModel(t, b.m, in), runModel(t, p, in)
			for i := range want {
				if d := maxDiff(want[i], got[i]); d > 1e-6 {
					t.Errorf("output %d differs by %g", i, d)
				}
			}
		})
	}
}

func TestUpgradeRefused(t *testing.T) {
	up := newTestModel(9, "x", 1, 3, 2, 2)
	up.node("Upsample", []string{"x", up.init("scales", fromF32(1, 1, 2, 2))}, []string{"y"})
	up.output("y")
	old := newTestModel(6, "x", 1, 3, 2, 2)
	old.node("Relu", []string{"x"}, []string{"y"})
	old.output("y")
	resize := newTestModel(11, "x", 1, 3, 2, 2)
	resize.node("Resize", []string{"x", resize.init("roi", ops.New(onnx.Float, 0)), resize.init("scales", fromF32(1, 1, 2, 2))}, []string{"y"},
		&onnx.Attribute{Name: "coordinate_transformation_mode", Type: onnx.AttrString, S: []byte("tf_half_pixel_for_nn")})
	resize.output("y")
	bn := newTestModel(7, "x", 1, 3, 2, 2)
	bn.node("BatchNormalization", []string{"x", bn.random("s", 1, 2, 3), bn.random("b", 0, 1, 3), bn.random("m", 0, 1, 3), bn.random("v", 1, 2, 3)},
		[]string{"y"}, aInt("spatial", 0))
	bn.output("y")
	for _, c := range []struct {
		name string
		m    *onnx.Model
		want string
	}{
		{"Upsample", up.m, "cannot upgrade Upsample (node y)"},
		{"opset 6", old.m, "opset 6"},
		{"non-spatial BatchNormalization", bn.m, "spatial=0"},
		{"Resize tf_half_pixel_for_nn", resize.m, "tf_half_pixel_for_nn"},
	} {
		_, err := prepare(c.m)
		if !errors.Is(err, ErrUnsupportedModel) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want ErrUnsupportedModel mentioning %q", c.name, err, c.want)
		}
	}
}

func TestPrepare(t *testing.T) {
	b := newTestModel(13, "x", 1, 2, 5, 5)
	b.node("Identity", []string{"x"}, []string{"i"})
	b.node("Conv", []string{"i", b.random("w", -1, 1, 4, 2, 3, 3)}, []string{"c"}, aInts("pads", 1, 1, 1, 1))
	b.node("BatchNormalization", []string{"c", b.random("s", 0.5, 1.5, 4), b.random("b", -1, 1, 4),
		b.random("m", -1, 1, 4), b.random("v", 0.5, 2, 4)}, []string{"y"}, aFloat("epsilon", 1e-3))
	b.output("y")
	p, err := prepare(b.m)
	if err != nil {
		t.Fatal(err)
	}
	if got := opTypes(p); !reflect.DeepEqual(got, []string{"Conv"}) {
		t.Fatalf("operators %v, want the Conv alone", got)
	}
	conv := p.Graph.Nodes[0]
	if conv.Name != "c" || conv.Inputs[0] != "x" || conv.Outputs[0] != "y" {
		t.Errorf("conv %q reads %v writes %v, want c, x, y", conv.Name, conv.Inputs, conv.Outputs)
	}
	if len(b.m.Graph.Nodes) != 3 || b.m.Graph.Nodes[1].Outputs[0] != "c" || b.m.Graph.Nodes[0].Name != "" {
		t.Error("prepare modified the model given")
	}
	if len(p.Graph.Initializer) != 2 {
		t.Errorf("%d initializers, want the folded weights and bias alone", len(p.Graph.Initializer))
	}
	in := randomInput(1, -1, 1, 1, 2, 5, 5)
	if d := maxDiff(runModel(t, b.m, in)[0], runModel(t, p, in)[0]); d > 1e-5 {
		t.Errorf("folded model differs by %g", d)
	}
}

// TestPrepareBuiltIn prepares the built-in SqueezeNet (opset 7, float16
// weights listed as graph inputs, IR version 3): the result must be a
// model ONNX Runtime accepts.
func TestPrepareBuiltIn(t *testing.T) {
	m, err := squeezenet.Model()
	if err != nil {
		t.Fatal(err)
	}
	p, err := prepare(m)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := p.Opset(""); v != qdqOpset || p.IRVersion < minIRVersion {
		t.Errorf("opset %d, IR version %d", v, p.IRVersion)
	}
	for _, t0 := range p.Graph.Initializer {
		if t0.DataType != onnx.Float {
			t.Errorf("initializer %s is %s", t0.Name, t0.DataType)
		}
	}
	if len(p.Graph.Inputs) != 1 || p.Graph.Inputs[0].Name != "data_0" {
		t.Errorf("%d graph inputs, want data_0 alone", len(p.Graph.Inputs))
	}
	for _, n := range p.Graph.Nodes {
		if n.Name == "" || n.OpType == "Dropout" {
			t.Errorf("node %q %s left", n.Name, n.OpType)
		}
	}
}

// TestSortNodes: nodes listed out of order are put in topological order,
// the given order kept among independent ones; a cycle is left alone.
func TestSortNodes(t *testing.T) {
	b := convNet()
	g := b.m.Graph
	slices.Reverse(g.Nodes)
	p, err := prepare(b.m)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := opTypes(p), []string{"Conv", "Relu", "MaxPool", "Conv"}; !reflect.DeepEqual(got, want) {
		t.Errorf("sorted %v, want %v", got, want)
	}
	two := &onnx.Graph{Nodes: []*onnx.Node{
		{Name: "b", Inputs: []string{"x"}, Outputs: []string{"y"}},
		{Name: "a", Inputs: []string{"x"}, Outputs: []string{"z"}},
		{Name: "c", Inputs: []string{"z", "y"}, Outputs: []string{"w"}},
	}}
	sortNodes(two)
	if two.Nodes[0].Name != "b" || two.Nodes[1].Name != "a" {
		t.Errorf("independent nodes reordered: %s %s", two.Nodes[0].Name, two.Nodes[1].Name)
	}
	cycle := &onnx.Graph{Nodes: []*onnx.Node{
		{Name: "a", Inputs: []string{"y"}, Outputs: []string{"x"}},
		{Name: "b", Inputs: []string{"x"}, Outputs: []string{"y"}},
	}}
	sortNodes(cycle)
	if cycle.Nodes[0].Name != "a" {
		t.Error("a cycle was reordered")
	}
}

// TestConstantWeights: weights written as Constant nodes (Paddle's
// exports) become initializers, and so get quantized.
func TestConstantWeights(t *testing.T) {
	b := newTestModel(13, "x", 1, 2, 4, 4)
	w := ops.New(onnx.Float, 3, 2, 1, 1)
	for i := range w.F32() {
		w.F32()[i] = float32(i) - 2.5
	}
	b.node("Constant", nil, []string{"w"}, &onnx.Attribute{Name: "value", Type: onnx.AttrTensor, T: ops.ToProto(w, "", onnx.Float)})
	b.node("Constant", nil, []string{"k"}, &onnx.Attribute{Name: "value_float", Type: onnx.AttrFloat, F: 0.5})
	b.node("Conv", []string{"x", "w"}, []string{"c"})
	b.node("Mul", []string{"c", "k"}, []string{"y"})
	b.output("y")
	p, err := prepare(b.m)
	if err != nil {
		t.Fatal(err)
	}
	if got := opTypes(p); !reflect.DeepEqual(got, []string{"Conv", "Mul"}) {
		t.Errorf("operators %v, want the Constants gone", got)
	}
	in := randomInput(2, -1, 1, 1, 2, 4, 4)
	if d := maxDiff(runModel(t, b.m, in)[0], runModel(t, p, in)[0]); d != 0 {
		t.Errorf("prepared model differs by %g", d)
	}
	res := quantizeOK(t, b.m, randomInputs(2, 1, 2, 4, 4), Options{})
	if res.Report.Quantized["Conv"] != 1 {
		t.Errorf("quantized %v, want the Conv", res.Report.Quantized)
	}
}
