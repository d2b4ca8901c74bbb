package runtime

import (
	"errors"
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

// domainNode adds a node of domain to b.
func domainNode(b *builder, domain, opType string, in, out []string) *builder {
	b.node(opType, in, out)
	b.m.Graph.Nodes[len(b.m.Graph.Nodes)-1].Domain = domain
	return b
}

func TestSkippedDomainsWrapErrUnsupported(t *testing.T) {
	ml := onnx.OpsetID{Domain: "ai.onnx.ml", Version: 3}
	training := onnx.OpsetID{Domain: "ai.onnx.preview.training", Version: 1}
	cases := []struct {
		name   string
		model  func() *onnx.Model
		skip   bool   // the error wraps ops.ErrUnsupported
		want   string // in the error
		absent string // not in the error
	}{
		{"ml only, no default opset", func() *onnx.Model {
			b := newBuilder(13).input("x", onnx.Float, 3)
			domainNode(b, "ai.onnx.ml", "Binarizer", s("x"), s("y"))
			domainNode(b, "ai.onnx.ml", "ArrayFeatureExtractor", s("y", "x"), s("z"))
			domainNode(b, "ai.onnx.ml", "Binarizer", s("z"), s("w"))
			b.output("w", onnx.Float, 3).m.OpsetImports = []onnx.OpsetID{ml}
			return b.m
		}, true, `unsupported domain ai.onnx.ml (operators ArrayFeatureExtractor at node "z"; Binarizer at nodes "y", "w")`, "default ONNX domain"},
		{"training beside the default domain", func() *onnx.Model {
			b := newBuilder(13).input("x", onnx.Float, 3).node("Relu", s("x"), s("r"))
			domainNode(b, "ai.onnx.preview.training", "Adagrad", s("r"), s("y"))
			b.output("y", onnx.Float, 3).m.OpsetImports = append(b.m.OpsetImports, training)
			return b.m
		}, true, `unsupported domain ai.onnx.preview.training (operators Adagrad at node "y")`, ""},
		{"ml beside a missing default operator", func() *onnx.Model {
			b := newBuilder(13).input("x", onnx.Float, 3).node("NoSuchOp", s("x"), s("r"))
			domainNode(b, "ai.onnx.ml", "Binarizer", s("r"), s("y"))
			b.output("y", onnx.Float, 3).m.OpsetImports = append(b.m.OpsetImports, ml)
			return b.m
		}, false, `unsupported operators: NoSuchOp (opset 13) at node "r"`, ""},
		{"ml beside a broken graph", func() *onnx.Model {
			b := newBuilder(13).input("x", onnx.Float, 3)
			domainNode(b, "ai.onnx.ml", "Binarizer", s("ghost"), s("y"))
			b.output("y", onnx.Float, 3).m.OpsetImports = []onnx.OpsetID{ml}
			return b.m
		}, false, `unsupported domain ai.onnx.ml (operators Binarizer at node "y")`, ""},
		{"ml not imported", func() *onnx.Model {
			b := newBuilder(13).input("x", onnx.Float, 3)
			domainNode(b, "ai.onnx.ml", "Binarizer", s("x"), s("y"))
			return b.output("y", onnx.Float, 3).m
		}, false, `Binarizer (domain "ai.onnx.ml", which the model does not import) at node "y"`, ""},
		{"custom domain only", func() *onnx.Model {
			b := newBuilder(13).input("x", onnx.Float, 3)
			domainNode(b, "com.example", "Frobnicate", s("x"), s("y"))
			b.output("y", onnx.Float, 3).m.OpsetImports = []onnx.OpsetID{{Domain: "com.example", Version: 2}}
			return b.m
		}, false, `unsupported operators: Frobnicate (domain "com.example", opset 2) at node "y"`, "default ONNX domain"},
	}
	for _, c := range cases {
		_, err := LoadModel(c.model())
		switch {
		case err == nil:
			t.Errorf("%s: loaded", c.name)
		case errors.Is(err, ops.ErrUnsupported) != c.skip:
			t.Errorf("%s: errors.Is(err, ErrUnsupported) = %v, want %v: %v", c.name, !c.skip, c.skip, err)
		case !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: error %q does not contain %q", c.name, err, c.want)
		case c.absent != "" && strings.Contains(err.Error(), c.absent):
			t.Errorf("%s: error %q mentions %q", c.name, err, c.absent)
		}
	}
}

// A graph of non-default domains needs no default-domain opset.
func TestNoDefaultOpsetWithoutDefaultNodes(t *testing.T) {
	p := newBuilder(13).input("x", onnx.Float, 3).tnode("Twice", s("x"), s("y")).output("y", onnx.Float, 3).m
	p.OpsetImports = p.OpsetImports[1:]
	m := load(t, p)
	closeTo(t, "y", run(t, m, ops.FromF32([]float32{1, -2, 3}, 3))[0], ops.FromF32([]float32{2, -4, 6}, 3), 0, 0)
}

// Graph inputs and outputs of types edgeinfer does not compute fail the
// load with an error that wraps ops.ErrUnsupported and names the type.
func TestUnsupportedIOTypes(t *testing.T) {
	tensor := func(dt onnx.DataType) onnx.TypeInfo { return tensorType(dt, 3) }
	for _, c := range []struct {
		typ  onnx.TypeInfo
		want string
	}{
		{onnx.TypeInfo{Kind: onnx.KindSequence}, "of type sequence"},
		{onnx.TypeInfo{Kind: onnx.KindOptional}, "of type optional"},
		{onnx.TypeInfo{Kind: onnx.KindMap}, "of type map"},
		{onnx.TypeInfo{Kind: onnx.KindSparseTensor}, "of type sparse_tensor"},
		{tensor(onnx.String), "of type tensor(STRING)"},
		{tensor(onnx.Float8E4M3FN), "of type tensor(FLOAT8E4M3FN)"},
		{tensor(onnx.Int4), "of type tensor(INT4)"},
	} {
		for _, output := range []bool{false, true} {
			p := newBuilder(13).input("x", onnx.Float, 3).node("Relu", s("x"), s("y")).output("y", onnx.Float, 3).m
			vi := &onnx.ValueInfo{Name: "odd", Type: c.typ}
			where := `graph input "odd" `
			if output {
				p.Graph.Nodes = append(p.Graph.Nodes, &onnx.Node{Name: "odd", OpType: "Relu", Inputs: s("x"), Outputs: s("odd")})
				p.Graph.Outputs = append(p.Graph.Outputs, vi)
				where = `graph output "odd" `
			} else {
				p.Graph.Inputs = append(p.Graph.Inputs, vi)
			}
			_, err := LoadModel(p)
			if err == nil || !errors.Is(err, ops.ErrUnsupported) || !strings.Contains(err.Error(), where+c.want) {
				t.Errorf("%s%s: got %v, want an error wrapping ops.ErrUnsupported naming it", where, c.want, err)
			}
		}
	}
}
