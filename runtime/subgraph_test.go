package runtime

import (
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// graphOf builds a graph attribute's graph: nodes over declared inputs and outputs.
func graphOf(name string, inputs, outputs []*onnx.ValueInfo, nodes ...*onnx.Node) *onnx.Graph {
	return &onnx.Graph{Name: name, Inputs: inputs, Outputs: outputs, Nodes: nodes}
}

// vi declares a tensor of type typ with the given dims (nil dims: unknown shape).
func vi(name string, typ onnx.DataType, dims ...any) *onnx.ValueInfo {
	ti := tensorType(typ, dims...)
	if dims == nil {
		ti.HasShape, ti.Shape = false, nil
	}
	return &onnx.ValueInfo{Name: name, Type: ti}
}

func nd(domain, op string, in, out []string, attrs ...*onnx.Attribute) *onnx.Node {
	return &onnx.Node{Name: out[0], Domain: domain, OpType: op, Inputs: in, Outputs: out, Attrs: attrs}
}

func aGraph(name string, g *onnx.Graph) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrGraph, G: g}
}

func scalarBool(v bool) *ops.Tensor {
	t := ops.New(onnx.Bool)
	if v {
		t.U8()[0] = 1
	}
	return t
}

func f32(v ...float32) *ops.Tensor { return ops.FromF32(v, len(v)) }

func wantF32(t *testing.T, what string, got *ops.Tensor, want ...float32) {
	t.Helper()
	closeTo(t, what, got, f32(want...), 0, 0)
}

// TestIfRuntimeCondition runs an If whose condition is an input: the then
// branch doubles the outer x (same shape), the else branch keeps its
// positive elements (a data-dependent shape), so the node runs once its
// inputs are known and what follows is planned for the branch taken. The
// then branch nests a second If reading x from two scopes up.
func TestIfRuntimeCondition(t *testing.T) {
	inner := nd("", "If", s("c"), s("t2"),
		aGraph("then_branch", graphOf("inner_then", nil, []*onnx.ValueInfo{vi("u", onnx.Float)}, nd(testDomain, "Twice", s("x"), s("u")))),
		aGraph("else_branch", graphOf("inner_else", nil, []*onnx.ValueInfo{vi("v", onnx.Float)}, nd(testDomain, "Affine", s("x"), s("v")))))
	then := graphOf("then", nil, []*onnx.ValueInfo{vi("t2", onnx.Float)}, inner)
	els := graphOf("else", nil, []*onnx.ValueInfo{vi("e", onnx.Float)}, nd(testDomain, "Positive", s("x"), s("e")))
	p := newBuilder(13).
		input("c", onnx.Bool).
		input("x", onnx.Float, 4).
		node("If", s("c"), s("y"), aGraph("then_branch", then), aGraph("else_branch", els)).
		tnode("Affine", s("y"), s("z"), aFloat("a", 1), aFloat("b", 1)).
		output("z", onnx.Float, "K").
		m
	m := load(t, p)
	x := f32(-1, 2, 0, 3)
	wantF32(t, "then", run(t, m, scalarBool(true), x)[0], -1, 5, 1, 7)
	wantF32(t, "else", run(t, m, scalarBool(false), x)[0], 3, 4)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestIfKnownCondition checks that a condition known at plan time picks
// the branch while planning: the If is a step running only that branch,
// and a branch reading only constants folds away.
func TestIfKnownCondition(t *testing.T) {
	then := graphOf("then", nil, []*onnx.ValueInfo{vi("a", onnx.Float)}, nd(testDomain, "Twice", s("x"), s("a")))
	els := graphOf("else", nil, []*onnx.ValueInfo{vi("b", onnx.Float)}, nd(testDomain, "Positive", s("x"), s("b")))
	p := newBuilder(13).
		input("x", onnx.Float, 3).
		init("c", scalarBool(true)).
		init("k", f32(1, 2)).
		node("If", s("c"), s("y"), aGraph("then_branch", then), aGraph("else_branch", els)).
		node("If", s("c"), s("w"),
			aGraph("then_branch", graphOf("t", nil, []*onnx.ValueInfo{vi("kk", onnx.Float)}, nd(testDomain, "Twice", s("k"), s("kk")))),
			aGraph("else_branch", graphOf("e", nil, []*onnx.ValueInfo{vi("k", onnx.Float)})),
		).
		output("y", onnx.Float, 3).
		output("w", onnx.Float, 2).
		m
	m := load(t, p)
	out := run(t, m, f32(1, -2, 3))
	wantF32(t, "y", out[0], 2, -4, 6)
	wantF32(t, "w", out[1], 2, 4)
	pl := planOf(t, m, f32(1, -2, 3))
	if got := stepTypes(pl); len(got) != 1 || got[0] != "If" || pl.dyn != nil {
		t.Errorf("steps %v (dynamic %v), want one If step", got, pl.dyn != nil)
	}
}

// TestLoop runs a Loop with a trip count, a carried value updated from an
// outer value and a scan output, for several trip counts including none.
func TestLoop(t *testing.T) {
	body := graphOf("body",
		[]*onnx.ValueInfo{vi("i", onnx.Int64), vi("cin", onnx.Bool), vi("v", onnx.Float, 2)},
		[]*onnx.ValueInfo{vi("cout", onnx.Bool), vi("vout", onnx.Float, 2), vi("so", onnx.Float, 2)},
		nd("", "Identity", s("cin"), s("cout")),
		nd("", "Add", s("v", "w"), s("vout")),
		nd(testDomain, "Twice", s("vout"), s("so")),
	)
	p := newBuilder(13).
		input("M", onnx.Int64).
		input("v0", onnx.Float, 2).
		input("w", onnx.Float, 2).
		node("Loop", s("M", "", "v0"), s("vf", "scan"), aGraph("body", body)).
		output("vf", onnx.Float, 2).
		output("scan", onnx.Float, "T", 2).
		m
	m := load(t, p)
	for _, trips := range []int64{3, 0, 1} {
		out := run(t, m, ops.FromI64([]int64{trips}), f32(1, 2), f32(10, 20))
		tf := float32(trips)
		wantF32(t, "final", out[0], 1+10*tf, 2+20*tf)
		if got := out[1].Shape; len(got) != 2 || got[0] != int(trips) || got[1] != 2 {
			t.Fatalf("trips %d: scan output shape %v", trips, got)
		}
		for k := range int(trips) {
			kf := float32(k + 1)
			if g := out[1].F32()[2*k : 2*k+2]; g[0] != 2*(1+10*kf) || g[1] != 2*(2+20*kf) {
				t.Errorf("trips %d: scan slice %d is %v", trips, k, g)
			}
		}
	}
}

// TestSubgraphReadsInitializer checks that an initializer of the enclosing
// graph a branch reads becomes a constant of the branch's model.
func TestSubgraphReadsInitializer(t *testing.T) {
	then := graphOf("then", nil, []*onnx.ValueInfo{vi("a", onnx.Float)}, nd("", "Add", s("x", "k"), s("a")))
	els := graphOf("else", nil, []*onnx.ValueInfo{vi("b", onnx.Float)}, nd("", "Sub", s("x", "k"), s("b")))
	p := newBuilder(13).
		input("c", onnx.Bool).
		input("x", onnx.Float, 2).
		init("k", f32(5, 7)).
		node("If", s("c"), s("y"), aGraph("then_branch", then), aGraph("else_branch", els)).
		output("y", onnx.Float, 2).
		m
	m := load(t, p)
	wantF32(t, "then", run(t, m, scalarBool(true), f32(1, 1))[0], 6, 8)
	wantF32(t, "else", run(t, m, scalarBool(false), f32(1, 1))[0], -4, -6)
	var n *node
	for _, nn := range m.g.nodes {
		if nn.is("If") {
			n = nn
		}
	}
	if n == nil || n.outer != 1 || m.g.names[n.in[1]] != "x" {
		t.Fatalf("the If should read the one outer value x")
	}
	sub := n.sub[1].(*subgraph).m
	if id, ok := sub.g.ids["k"]; !ok || sub.g.consts[id] == nil {
		t.Errorf("k should be a constant of the branch's model")
	}
}

// TestSubgraphErrors checks that a graph attribute reading a value nothing
// defines, or holding an unsupported operator, fails the load naming it.
func TestSubgraphErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		body *onnx.Node
		want string
	}{
		{"dangling", nd("", "Identity", s("ghost"), s("a")), `value read by a graph attribute "ghost" is not`},
		{"unsupported", nd("", "NoSuchOp", s("x"), s("a")), "NoSuchOp"},
	} {
		branch := graphOf("b", nil, []*onnx.ValueInfo{vi("a", onnx.Float)}, c.body)
		p := newBuilder(13).
			input("c", onnx.Bool).
			input("x", onnx.Float, 2).
			node("If", s("c"), s("y"), aGraph("then_branch", branch), aGraph("else_branch", branch)).
			output("y", onnx.Float, 2).
			m
		_, err := LoadModel(p)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
