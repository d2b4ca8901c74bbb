package runtime

import (
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func TestUnsupportedListsEverything(t *testing.T) {
	b := newBuilder(13).
		input("x", onnx.Float, 4).
		input("names", onnx.String, 4).
		node("Relu", s("x"), s("a"))
	b.m.OpsetImports = append(b.m.OpsetImports, onnx.OpsetID{Domain: "com.example", Version: 3})
	b.node("Frobnicate", s("a"), s("f1"))
	b.m.Graph.Nodes[len(b.m.Graph.Nodes)-1].Domain = "com.example"
	b.node("NoSuchOp", s("f1"), s("b1"))
	b.node("Frobnicate", s("b1"), s("f2"))
	b.m.Graph.Nodes[len(b.m.Graph.Nodes)-1].Domain = "com.example"
	b.output("f2", onnx.Float, 4)
	p := b.m

	got := Unsupported(p)
	want := []UnsupportedOp{
		{OpType: "NoSuchOp", Opset: 13, Nodes: []string{"b1"}},
		{OpType: "Frobnicate", Domain: "com.example", Opset: 3, Nodes: []string{"f1", "f2"}},
		{OpType: "tensor(STRING)", Nodes: []string{"names"}, IO: "input"},
	}
	if len(got) != len(want) {
		t.Fatalf("Unsupported = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i].String() || got[i].Opset != want[i].Opset || got[i].Domain != want[i].Domain {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}

	_, err := LoadModel(p)
	if err == nil {
		t.Fatal("model with unsupported operators loaded")
	}
	for _, frag := range []string{
		`NoSuchOp (opset 13) at node "b1"`,
		`Frobnicate (domain "com.example", opset 3) at nodes "f1", "f2"`,
		`graph input "names" of type tensor(STRING)`,
	} {
		if !strings.Contains(err.Error(), frag) {
			t.Errorf("error %q does not mention %s", err, frag)
		}
	}
}

func TestValidationErrors(t *testing.T) {
	base := func() *builder { return newBuilder(13).input("x", onnx.Float, 4) }
	cases := []struct {
		name  string
		model func() *onnx.Model
		want  string
	}{
		{"no default opset", func() *onnx.Model {
			m := base().node("Relu", s("x"), s("y")).output("y", onnx.Float, 4).m
			m.OpsetImports = m.OpsetImports[1:]
			return m
		}, "imports no opset of the default ONNX domain"},
		{"dangling input", func() *onnx.Model {
			return base().node("Add", s("x", "ghost"), s("y")).output("y", onnx.Float, 4).m
		}, `Add "y": input "ghost" is not a graph input, an initializer or any node's output`},
		{"duplicate output", func() *onnx.Model {
			return base().node("Relu", s("x"), s("y")).node("Relu", s("x"), s("y")).output("y", onnx.Float, 4).m
		}, `value "y" is defined twice`},
		{"output shadows input", func() *onnx.Model {
			return base().node("Relu", s("x"), s("x")).output("x", onnx.Float, 4).m
		}, `value "x" is defined twice: by a graph input and by Relu "x"`},
		{"missing graph output", func() *onnx.Model {
			return base().node("Relu", s("x"), s("y")).output("z", onnx.Float, 4).m
		}, `graph output "z" is not produced by any node`},
		{"cycle", func() *onnx.Model {
			return base().
				node("Add", s("x", "c"), s("a")).
				node("Relu", s("a"), s("b")).
				node("Relu", s("b"), s("c")).
				node("Relu", s("x"), s("y")).
				output("y", onnx.Float, 4).m
		}, `graph has a cycle: Add "a" -> Relu "b" -> Relu "c" -> Add "a"`},
		{"sequence input", func() *onnx.Model {
			m := base().node("Relu", s("x"), s("y")).output("y", onnx.Float, 4).m
			m.Graph.Inputs = append(m.Graph.Inputs, &onnx.ValueInfo{Name: "seq", Type: onnx.TypeInfo{Kind: onnx.KindSequence}})
			return m
		}, `graph input "seq" of type sequence`},
		{"float8 output", func() *onnx.Model {
			return base().node("Relu", s("x"), s("y")).output("y", onnx.Float8E4M3FN, 4).m
		}, `graph output "y" of type tensor(FLOAT8E4M3FN)`},
		{"bad attribute", func() *onnx.Model {
			return base().node("LeakyRelu", s("x"), s("y"), aInt("alpha", 1)).output("y", onnx.Float, 4).m
		}, `LeakyRelu "y": attribute "alpha" has type INT, want FLOAT`},
	}
	for _, c := range cases {
		_, err := LoadModel(c.model())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestNodesOutOfOrderAreSorted(t *testing.T) {
	p := newBuilder(13).
		input("x", onnx.Float, 3).
		node("Relu", s("b"), s("y")).
		tnode("Affine", s("a"), s("b"), aFloat("a", 3)).
		tnode("Affine", s("x"), s("a"), aFloat("b", -1)).
		output("y", onnx.Float, 3).m
	m := load(t, p, WithOptimizations(false))
	got := run(t, m, ops.FromF32([]float32{0, 1, 2}, 3))[0]
	closeTo(t, "y", got, ops.FromF32([]float32{0, 0, 3}, 3), 0, 0)
}

func TestUndeclaredTypesAccepted(t *testing.T) {
	p := newBuilder(13).input("x", onnx.Float, 2).node("Relu", s("x"), s("y")).output("y", onnx.Float, 2).m
	p.Graph.Inputs[0].Type = onnx.TypeInfo{}
	p.Graph.Outputs[0].Type = onnx.TypeInfo{}
	m := load(t, p)
	if in := m.Inputs()[0]; in.Type != onnx.Undefined || in.Dims != nil || in.String() != "?[?]" {
		t.Errorf("undeclared input described as %+v (%s)", in, in)
	}
	closeTo(t, "y", run(t, m, ops.FromF32([]float32{-1, 2}, 2))[0], ops.FromF32([]float32{0, 2}, 2), 0, 0)
	if _, err := m.Run(t.Context(), []*ops.Tensor{{Type: onnx.String, Shape: []int{1}}}); err == nil {
		t.Error("a string tensor was accepted")
	}
}
