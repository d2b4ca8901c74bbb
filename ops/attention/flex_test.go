package attention

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// fakeGraph is an ops.Subgraph computing fn(x, i, j, outer) for every
// element x of its one input at query i and key j, into a new tensor of
// the same type and shape; runs counts its runs.
type fakeGraph struct {
	fn   func(x float64, i, j int, outer []*ops.Tensor) float64
	bad  bool // Infer and Run give a wrong shape
	runs int
}

func (g *fakeGraph) Infer(in, outer []ops.Value) ([]ops.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("fake graph: %d inputs", len(in))
	}
	s := in[0].Shape
	if g.bad {
		s = s[1:]
	}
	return []ops.Value{{Type: in[0].Type, Shape: s}}, nil
}

func (g *fakeGraph) Run(ctx *ops.Ctx, in, outer []*ops.Tensor) ([]*ops.Tensor, error) {
	g.runs++
	x := in[0]
	out := x.Clone()
	if g.bad {
		out.Shape = out.Shape[1:]
	}
	l, s := x.Shape[2], x.Shape[3]
	for k := range x.Len() {
		i, j := k/s%l, k%s
		if x.Type == onnx.Double {
			out.F64()[k] = g.fn(x.F64()[k], i, j, outer)
		} else {
			out.F32()[k] = float32(g.fn(float64(x.F32()[k]), i, j, outer))
		}
	}
	return []*ops.Tensor{out}, nil
}

// scalarInit reads the float scalar initializer name of g.
func scalarInit(t *testing.T, g *onnx.Graph, name string) float64 {
	t.Helper()
	for _, init := range g.Initializer {
		if init.Name == name {
			v, err := ops.FromProto(init, "")
			if err != nil {
				t.Fatal(err)
			}
			return float64(v.F32()[0])
		}
	}
	t.Fatalf("graph %q has no initializer %q", g.Name, name)
	return 0
}

// flexNodeGraphs are Go equivalents of the graphs of the official
// FlexAttention node tests, by test name, reading their constants.
var flexNodeGraphs = map[string]func(t *testing.T, g *onnx.Graph) func(x float64, i, j int, outer []*ops.Tensor) float64{
	"test_flexattention_score_mod": func(t *testing.T, g *onnx.Graph) func(float64, int, int, []*ops.Tensor) float64 {
		bias := scalarInit(t, g, "bias")
		return func(x float64, i, j int, _ []*ops.Tensor) float64 { return x + bias }
	},
	"test_flexattention_prob_mod": func(t *testing.T, g *onnx.Graph) func(float64, int, int, []*ops.Tensor) float64 {
		scale := scalarInit(t, g, "scale")
		return func(x float64, i, j int, _ []*ops.Tensor) float64 { return x * scale }
	},
	"test_flexattention_soft_cap": func(t *testing.T, g *onnx.Graph) func(float64, int, int, []*ops.Tensor) float64 {
		c := scalarInit(t, g, "cap")
		return func(x float64, i, j int, _ []*ops.Tensor) float64 { return c * math.Tanh(x/c) }
	},
	"test_flexattention_relative_positional": func(t *testing.T, g *onnx.Graph) func(float64, int, int, []*ops.Tensor) float64 {
		return func(x float64, i, j int, _ []*ops.Tensor) float64 { return x + float64(i-j) }
	},
	"test_flexattention_causal_mask": func(t *testing.T, g *onnx.Graph) func(float64, int, int, []*ops.Tensor) float64 {
		ninf := scalarInit(t, g, "neg_inf")
		return func(x float64, i, j int, _ []*ops.Tensor) float64 {
			if i >= j {
				return x
			}
			return ninf
		}
	},
}

// TestFlexNodeTests runs the official FlexAttention node tests: those
// without graphs through the shared runner, those with graphs here, with
// Go equivalents of their graphs standing for the runtime's compiled ones.
func TestFlexNodeTests(t *testing.T) {
	if n := opstest.AllNodeTests(t, "test_flexattention*"); n != 6 {
		t.Errorf("%d node tests passed, want 6 (the rest need the runtime's subgraphs)", n)
	}
	root, ok := onnxtest.SharedPath("onnx-node-tests-all")
	if !ok {
		t.Skip("../shared/onnx-node-tests-all is absent")
	}
	for name, mk := range flexNodeGraphs {
		dir := filepath.Join(root, name)
		m, err := onnx.Open(filepath.Join(dir, "model.onnx"))
		if err != nil {
			t.Fatal(err)
		}
		n := m.Graph.Nodes[0]
		op, err := ops.Build(n, 1)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		gs := op.(ops.SubgraphUser).GraphAttrs()
		if len(gs) != 1 {
			t.Fatalf("%s: %d graphs, want 1", name, len(gs))
		}
		op.(ops.SubgraphUser).SetSubgraphs([]ops.Subgraph{&fakeGraph{fn: mk(t, gs[0])}}, 0)
		var ins []*ops.Tensor
		for k := range 3 {
			x, err := opstest.ReadTensorFile(filepath.Join(dir, "test_data_set_0", fmt.Sprintf("input_%d.pb", k)))
			if err != nil {
				t.Fatal(err)
			}
			ins = append(ins, x)
		}
		want, err := opstest.ReadTensorFile(filepath.Join(dir, "test_data_set_0", "output_0.pb"))
		if err != nil {
			t.Fatal(err)
		}
		outs, err := opstest.Exec(op, ins, nil, opstest.Par{N: 2})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := opstest.SameTensor(outs[0], want, 1e-3, 1e-5); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		m.Close()
	}
}

// flexCase is one FlexAttention for the reference comparison.
type flexCase struct {
	b, hq, hkv, l, s, e, ev int
	double                  bool
	precision               onnx.DataType // softmax_precision, Undefined: none
	scale                   float32
	score, prob             func(x float64, i, j int, outer []*ops.Tensor) float64
	outer                   []*ops.Tensor
}

// refFlex is the spec's computation in float64.
func refFlex(c *flexCase, q, k, v []float64) []float64 {
	y := make([]float64, c.b*c.hq*c.l*c.ev)
	scale := 1 / math.Sqrt(float64(c.e))
	if c.scale != 0 {
		scale = float64(c.scale)
	}
	for b := range c.b {
		for h := range c.hq {
			hk := h / (c.hq / c.hkv)
			for i := range c.l {
				p := make([]float64, c.s)
				m := math.Inf(-1)
				for j := range p {
					for d := range c.e {
						p[j] += q[((b*c.hq+h)*c.l+i)*c.e+d] * k[((b*c.hkv+hk)*c.s+j)*c.e+d]
					}
					p[j] *= scale
					if c.score != nil {
						p[j] = c.score(p[j], i, j, c.outer)
					}
					m = math.Max(m, p[j])
				}
				var sum float64
				for j := range p {
					p[j] = math.Exp(p[j] - m)
					if math.IsInf(m, -1) {
						p[j] = 0
					}
					sum += p[j]
				}
				for j := range p {
					if sum > 0 {
						p[j] /= sum
					}
					if c.prob != nil {
						p[j] = c.prob(p[j], i, j, c.outer)
					}
					for d := range c.ev {
						y[((b*c.hq+h)*c.l+i)*c.ev+d] += p[j] * v[((b*c.hkv+hk)*c.s+j)*c.ev+d]
					}
				}
			}
		}
	}
	return y
}

// TestFlexReference compares FlexAttention with the reference with and
// without each graph (one reading an outer-scope value), with GQA, in
// float32 and float64, with either softmax precision, on several Parallels.
func TestFlexReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	bias := opstest.F32s(0.25)
	relative := func(x float64, i, j int, _ []*ops.Tensor) float64 { return x + 0.1*float64(i-j) }
	causal := func(x float64, i, j int, _ []*ops.Tensor) float64 {
		if j > i {
			return math.Inf(-1)
		}
		return x
	}
	withOuter := func(x float64, i, j int, outer []*ops.Tensor) float64 { return x*2 + float64(outer[0].F32()[0]) }
	for _, c := range []flexCase{
		{b: 2, hq: 3, hkv: 3, l: 5, s: 7, e: 8, ev: 6},
		{b: 1, hq: 4, hkv: 2, l: 70, s: 33, e: 5, ev: 9, score: relative, scale: 0.3},
		{b: 2, hq: 2, hkv: 1, l: 4, s: 4, e: 4, ev: 4, prob: withOuter, outer: []*ops.Tensor{bias}},
		{b: 1, hq: 2, hkv: 2, l: 6, s: 5, e: 3, ev: 3, score: causal, prob: func(x float64, i, j int, _ []*ops.Tensor) float64 { return x * 0.5 }},
		{b: 2, hq: 2, hkv: 2, l: 3, s: 4, e: 4, ev: 2, double: true, score: relative},
		{b: 1, hq: 2, hkv: 1, l: 3, s: 4, e: 4, ev: 2, precision: onnx.Double, score: relative},
		{b: 1, hq: 2, hkv: 1, l: 3, s: 4, e: 4, ev: 2, double: true, precision: onnx.Float},
		{b: 1, hq: 1, hkv: 1, l: 2, s: 0, e: 4, ev: 3},
	} {
		label := fmt.Sprintf("%+v", c)
		ins := []*ops.Tensor{opstest.Rand(rng, c.b, c.hq, c.l, c.e), opstest.Rand(rng, c.b, c.hkv, c.s, c.e), opstest.Rand(rng, c.b, c.hkv, c.s, c.ev)}
		want := refFlex(&c, opstest.WidenF64(ins[0].F32()), opstest.WidenF64(ins[1].F32()), opstest.WidenF64(ins[2].F32()))
		if c.double {
			ins = toF64(ins)
		}
		var attrs []*onnx.Attribute
		if c.scale != 0 {
			attrs = append(attrs, opstest.Float("scale", c.scale))
		}
		if c.precision != onnx.Undefined {
			attrs = append(attrs, opstest.Int("softmax_precision", int(c.precision)))
		}
		var graphs []ops.Subgraph
		for _, g := range []struct {
			name string
			fn   func(float64, int, int, []*ops.Tensor) float64
		}{{"score_mod", c.score}, {"prob_mod", c.prob}} {
			if g.fn != nil {
				attrs = append(attrs, &onnx.Attribute{Name: g.name, Type: onnx.AttrGraph, G: &onnx.Graph{Name: g.name}})
				graphs = append(graphs, &fakeGraph{fn: g.fn})
			}
		}
		for _, par := range []ops.Parallel{ops.Serial{}, opstest.Par{N: 3}, opstest.ChunkPar{Size: 1}} {
			n := &onnx.Node{OpType: "FlexAttention", Domain: "ai.onnx.preview", Inputs: []string{"q", "k", "v"}, Outputs: []string{"y"}, Attrs: attrs}
			op, err := ops.Build(n, 1)
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			su := op.(ops.SubgraphUser)
			if len(su.GraphAttrs()) != len(graphs) {
				t.Fatalf("%s: %d graphs, want %d", label, len(su.GraphAttrs()), len(graphs))
			}
			su.SetSubgraphs(graphs, len(c.outer))
			outs, err := opstest.Exec(op, append(slices.Clone(ins), c.outer...), nil, par)
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			if outs[0].Type != ins[0].Type {
				t.Fatalf("%s: Y is %v, want the inputs' type", label, outs[0])
			}
			closeTo(t, label, values(outs[0]), want)
		}
		for _, g := range graphs {
			if r := g.(*fakeGraph).runs; r != 3 {
				t.Errorf("%s: a graph ran %d times in 3 runs", label, r)
			}
		}
	}
}

// TestFlexErrors checks that invalid attributes, inputs and graphs are
// refused with errors naming them.
func TestFlexErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	q, k, v := opstest.Rand(rng, 1, 4, 3, 8), opstest.Rand(rng, 1, 2, 5, 8), opstest.Rand(rng, 1, 2, 5, 6)
	node := func(attrs ...*onnx.Attribute) *onnx.Node {
		return &onnx.Node{OpType: "FlexAttention", Domain: "ai.onnx.preview", Inputs: []string{"q", "k", "v"}, Outputs: []string{"y"}, Attrs: attrs}
	}
	graph := &onnx.Attribute{Name: "score_mod", Type: onnx.AttrGraph, G: &onnx.Graph{}}
	_, err := ops.Build(node(opstest.Int("softmax_precision", 7)), 1)
	opstest.WantErr(t, "precision", err, "softmax_precision", "7")
	_, err = ops.Build(node(opstest.Int("score_mod", 1)), 1)
	opstest.WantErr(t, "graph type", err, "score_mod", "GRAPH")
	for _, c := range []struct {
		label  string
		ins    []*ops.Tensor
		graphs []ops.Subgraph
		frags  []string
	}{
		{"rank", []*ops.Tensor{opstest.Rand(rng, 4, 3, 8), k, v}, nil, []string{"4-D"}},
		{"shapes", []*ops.Tensor{q, opstest.Rand(rng, 1, 2, 5, 7), v}, nil, []string{"do not agree"}},
		{"gqa", []*ops.Tensor{opstest.Rand(rng, 1, 3, 3, 8), k, v}, nil, []string{"3 query heads", "2 key/value heads"}},
		{"type", []*ops.Tensor{q, toF64([]*ops.Tensor{k})[0], v}, nil, []string{"\"K\"", "float64"}},
		{"bad graph", []*ops.Tensor{q, k, v}, []ops.Subgraph{&fakeGraph{bad: true}}, []string{"score_mod", "float32[4 3 5]", "want one float32[1 4 3 5]"}},
		{"no graphs", []*ops.Tensor{q, k, v}, nil, []string{"score_mod", "not compiled"}},
	} {
		n := node()
		if c.label == "bad graph" || c.label == "no graphs" {
			n = node(graph)
		}
		op, err := ops.Build(n, 1)
		if err != nil {
			t.Fatal(err)
		}
		if c.graphs != nil {
			op.(ops.SubgraphUser).SetSubgraphs(c.graphs, 0)
		}
		_, err = opstest.Exec(op, c.ins, nil, ops.Serial{})
		opstest.WantErr(t, c.label, err, c.frags...)
		if c.label == "no graphs" && !errors.Is(err, ops.ErrUnsupported) {
			t.Errorf("no graphs: %v does not wrap ErrUnsupported", err)
		}
	}
}
