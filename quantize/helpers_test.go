package quantize

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// fromF32 is a 1-D float32 tensor of values.
func fromF32(values ...float32) *ops.Tensor { return ops.FromF32(values, len(values)) }

// testModel builds small models for the tests.
type testModel struct {
	m   *onnx.Model
	rng *rand.Rand
}

// newTestModel starts a model at opset whose one float32 input is called
// input, of the given shape.
func newTestModel(opset int64, input string, shape ...int64) *testModel {
	m := &onnx.Model{IRVersion: 8, OpsetImports: []onnx.OpsetID{{Version: opset}}, ProducerName: "quantize-test",
		Graph: &onnx.Graph{Name: "test", Inputs: []*onnx.ValueInfo{valueInfo(input, onnx.Float, shape...)}}}
	return &testModel{m: m, rng: rand.New(rand.NewPCG(1, uint64(opset)))}
}

func valueInfo(name string, t onnx.DataType, shape ...int64) *onnx.ValueInfo {
	vi := &onnx.ValueInfo{Name: name, Type: onnx.TypeInfo{Kind: onnx.KindTensor, Elem: t, HasShape: true}}
	for _, d := range shape {
		vi.Type.Shape = append(vi.Type.Shape, onnx.Dim{Value: d, Known: true})
	}
	return vi
}

// node appends an unnamed node (prepare names it after its first output).
func (b *testModel) node(op string, ins, outs []string, attrs ...*onnx.Attribute) *onnx.Node {
	n := &onnx.Node{OpType: op, Inputs: ins, Outputs: outs, Attrs: attrs}
	b.m.Graph.Nodes = append(b.m.Graph.Nodes, n)
	return n
}

// init adds t as initializer name and returns the name.
func (b *testModel) init(name string, t *ops.Tensor) string {
	b.m.Graph.Initializer = append(b.m.Graph.Initializer, ops.ToProto(t, name, t.Type))
	return name
}

// random adds a float32 initializer of uniform values in [lo, hi).
func (b *testModel) random(name string, lo, hi float32, shape ...int) string {
	t := ops.New(onnx.Float, shape...)
	for i := range t.F32() {
		t.F32()[i] = lo + (hi-lo)*b.rng.Float32()
	}
	return b.init(name, t)
}

func (b *testModel) ints(name string, v ...int64) string { return b.init(name, ops.FromI64(v, len(v))) }

// output declares graph outputs (type and shape left open).
func (b *testModel) output(names ...string) {
	for _, n := range names {
		b.m.Graph.Outputs = append(b.m.Graph.Outputs, &onnx.ValueInfo{Name: n})
	}
}

func aInt(name string, v int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInt, I: v}
}

func aInts(name string, v ...int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInts, Ints: v}
}

func aFloat(name string, v float32) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrFloat, F: v}
}

// randomInput is a float32 tensor of shape with values uniform in [lo, hi).
func randomInput(seed uint64, lo, hi float32, shape ...int) *ops.Tensor {
	rng := rand.New(rand.NewPCG(seed, 7))
	t := ops.New(onnx.Float, shape...)
	for i := range t.F32() {
		t.F32()[i] = lo + (hi-lo)*rng.Float32()
	}
	return t
}

// runModel loads m and runs it on in, returning its outputs.
func runModel(t *testing.T, m *onnx.Model, in *ops.Tensor) []*ops.Tensor {
	t.Helper()
	rm, err := runtime.LoadModel(m, runtime.WithThreads(1))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	defer rm.Close()
	out, err := rm.Run(context.Background(), []*ops.Tensor{in})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return out
}

// maxDiff is the largest absolute difference between two tensors of one
// type and shape (+Inf when they differ in those). Integer tensors are
// compared as int64.
func maxDiff(a, b *ops.Tensor) float64 {
	if a.Type != b.Type || a.Len() != b.Len() {
		return math.Inf(1)
	}
	d := 0.0
	for i := range a.Len() {
		var x, y float64
		switch a.Type {
		case onnx.Float:
			x, y = float64(a.F32()[i]), float64(b.F32()[i])
		case onnx.Int64:
			x, y = float64(a.I64()[i]), float64(b.I64()[i])
		default:
			return math.Inf(1)
		}
		d = math.Max(d, math.Abs(x-y))
	}
	return d
}

// opTypes lists the operators of m's nodes in order.
func opTypes(m *onnx.Model) []string {
	var s []string
	for _, n := range m.Graph.Nodes {
		s = append(s, n.OpType)
	}
	return s
}
