package runtime

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// builder assembles small models in Go for tests.
type builder struct{ m *onnx.Model }

func newBuilder(opset int64) *builder {
	return &builder{m: &onnx.Model{
		IRVersion:    8,
		OpsetImports: []onnx.OpsetID{{Domain: "", Version: opset}, {Domain: testDomain, Version: 1}},
		Graph:        &onnx.Graph{Name: "test"},
	}}
}

// tensorType declares a tensor type; dims are ints (fixed) or strings (symbolic).
func tensorType(typ onnx.DataType, dims ...any) onnx.TypeInfo {
	ti := onnx.TypeInfo{Kind: onnx.KindTensor, Elem: typ, HasShape: true, Shape: []onnx.Dim{}}
	for _, d := range dims {
		switch d := d.(type) {
		case int:
			ti.Shape = append(ti.Shape, onnx.Dim{Value: int64(d), Known: true})
		case string:
			ti.Shape = append(ti.Shape, onnx.Dim{Param: d, Known: true})
		}
	}
	return ti
}

func (b *builder) input(name string, typ onnx.DataType, dims ...any) *builder {
	b.m.Graph.Inputs = append(b.m.Graph.Inputs, &onnx.ValueInfo{Name: name, Type: tensorType(typ, dims...)})
	return b
}

func (b *builder) output(name string, typ onnx.DataType, dims ...any) *builder {
	b.m.Graph.Outputs = append(b.m.Graph.Outputs, &onnx.ValueInfo{Name: name, Type: tensorType(typ, dims...)})
	return b
}

func (b *builder) init(name string, t *ops.Tensor) *builder {
	b.m.Graph.Initializer = append(b.m.Graph.Initializer, ops.ToProto(t, name, t.Type))
	return b
}

// node adds a default-domain node named after its first output.
func (b *builder) node(opType string, in, out []string, attrs ...*onnx.Attribute) *builder {
	b.m.Graph.Nodes = append(b.m.Graph.Nodes, &onnx.Node{Name: out[0], OpType: opType, Inputs: in, Outputs: out, Attrs: attrs})
	return b
}

// tnode adds a node of the private test domain.
func (b *builder) tnode(opType string, in, out []string, attrs ...*onnx.Attribute) *builder {
	b.node(opType, in, out, attrs...)
	b.m.Graph.Nodes[len(b.m.Graph.Nodes)-1].Domain = testDomain
	return b
}

func aInt(name string, v int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInt, I: v}
}
func aFloat(name string, v float32) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrFloat, F: v}
}
func aInts(name string, v ...int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInts, Ints: v}
}

func s(names ...string) []string { return names }

// randTensor is a Float tensor of values in [-1, 1).
func randTensor(rng *rand.Rand, shape ...int) *ops.Tensor {
	t := ops.New(onnx.Float, shape...)
	for i := range t.F32() {
		t.F32()[i] = rng.Float32()*2 - 1
	}
	return t
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 42)) }

// load loads p and closes the model when the test ends.
func load(t testing.TB, p *onnx.Model, opts ...Option) *Model {
	t.Helper()
	m, err := LoadModel(p, opts...)
	if err != nil {
		t.Fatalf("LoadModel: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// run runs m and fails the test on error.
func run(t testing.TB, m *Model, inputs ...*ops.Tensor) []*ops.Tensor {
	t.Helper()
	out, err := m.Run(context.Background(), inputs)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out
}

// closeTo fails unless got and want have the same type and shape and
// elements within atol + rtol*|want| (exactly equal for integer types).
func closeTo(t testing.TB, what string, got, want *ops.Tensor, atol, rtol float64) {
	t.Helper()
	if got.Type != want.Type || !ops.SameShape(got.Shape, want.Shape) {
		t.Fatalf("%s: got %s, want %s", what, got, want)
	}
	if got.Type != onnx.Float {
		n := got.Len() * ops.ElemSize(got.Type)
		if string(got.Data[:n]) != string(want.Data[:n]) {
			t.Fatalf("%s: elements differ", what)
		}
		return
	}
	g, w := got.F32()[:got.Len()], want.F32()[:want.Len()]
	for i := range g {
		if d := math.Abs(float64(g[i] - w[i])); !(d <= atol+rtol*math.Abs(float64(w[i]))) {
			t.Fatalf("%s: element %d is %g, want %g (diff %g)", what, i, g[i], w[i], d)
		}
	}
}

// agree runs p with optimizations on and off and checks the outputs match.
// It returns the optimized model for further checks.
func agree(t *testing.T, p *onnx.Model, inputs ...*ops.Tensor) *Model {
	t.Helper()
	opt := load(t, p)
	lit := load(t, p, WithOptimizations(false))
	got, want := run(t, opt, inputs...), run(t, lit, inputs...)
	for i := range want {
		closeTo(t, opt.g.names[opt.g.outputs[i]], got[i], want[i], 1e-5, 1e-5)
	}
	return opt
}

// planOf returns m's plan for inputs.
func planOf(t *testing.T, m *Model, inputs ...*ops.Tensor) *plan {
	t.Helper()
	p, err := m.planFor(inputs)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return p
}

// stepTypes lists a plan's steps as "Op" or "Op+Fused+Fused".
func stepTypes(p *plan) []string {
	var out []string
	for _, s := range p.steps {
		l := s.key.n.proto.OpType
		for _, f := range s.fused {
			l += "+" + f.proto.OpType
		}
		out = append(out, l)
	}
	return out
}

// sharedDir returns the ../shared folder beside the repository root, or
// skips the test when it is absent.
func sharedDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root (go.mod) not found")
		}
		dir = parent
	}
	shared := filepath.Join(filepath.Dir(dir), "shared")
	if _, err := os.Stat(shared); err != nil {
		t.Skipf("shared data folder %s is absent: %v", shared, err)
	}
	return shared
}
