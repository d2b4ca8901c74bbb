package opstest

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
	"github.com/edgeinfer/edgeinfer/ops"
)

// NodeTests runs, each as a subtest, every test of the 264-test subset
// (../shared/onnx-node-tests) whose directory name matches one of patterns
// (filepath.Match syntax, e.g. "test_reshape*"), and returns how many
// passed. Tests the runner or an op reports as ErrUnsupported are skipped;
// the caller's count assertion decides whether skips are acceptable. The
// whole test is skipped when ../shared is absent.
func NodeTests(t *testing.T, patterns ...string) int {
	t.Helper()
	return nodeTestsIn(t, "onnx-node-tests", patterns)
}

// AllNodeTests is NodeTests over all 1,765 official node tests
// (../shared/onnx-node-tests-all). Only single-node tests run here (the
// runtime's conformance test runs the rest); a multi-node test matching a
// pattern is skipped.
func AllNodeTests(t *testing.T, patterns ...string) int {
	t.Helper()
	return nodeTestsIn(t, "onnx-node-tests-all", patterns)
}

// nodeTestsIn runs the tests of one suite folder of ../shared.
func nodeTestsIn(t *testing.T, suite string, patterns []string) int {
	t.Helper()
	root, ok := onnxtest.SharedPath(suite)
	if !ok {
		t.Skipf("ONNX node tests not found: ../shared/%s beside the repository root is absent", suite)
	}
	var dirs []string
	for _, p := range patterns {
		m, err := filepath.Glob(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, m...)
	}
	seen := map[string]bool{}
	passed := 0
	for _, d := range dirs {
		if seen[d] {
			continue
		}
		seen[d] = true
		t.Run(filepath.Base(d), func(t *testing.T) {
			err := RunNodeTest(d)
			switch {
			case errors.Is(err, ops.ErrUnsupported), errors.Is(err, errMultiNode):
				t.Skip(err)
			case err != nil:
				t.Error(err)
			default:
				passed++
			}
		})
	}
	return passed
}

// errMultiNode is RunNodeTest's error for a model of several nodes.
var errMultiNode = errors.New("model does not hold exactly one node")

// ReadTensorFile decodes a serialized TensorProto file into an ops tensor.
func ReadTensorFile(path string) (*ops.Tensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := onnx.DecodeTensor(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	t, err := ops.FromProto(p, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// RunNodeTest runs the single node of dir's model on test_data_set_0 and
// compares every output.
func RunNodeTest(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return err
	}
	m, err := onnx.Decode(b)
	if err != nil {
		return err
	}
	g := m.Graph
	if g == nil || len(g.Nodes) != 1 {
		return errMultiNode
	}
	node := g.Nodes[0]
	opset, ok := m.Opset(node.Domain)
	if !ok {
		return fmt.Errorf("model imports no opset for domain %q", node.Domain)
	}
	tensors := map[string]*ops.Tensor{}
	for _, init := range g.Initializer {
		if tensors[init.Name], err = ops.FromProto(init, dir); err != nil {
			return fmt.Errorf("initializer %q: %w", init.Name, err)
		}
	}
	data := filepath.Join(dir, "test_data_set_0")
	k := 0
	for _, vi := range g.Inputs {
		if _, isInit := tensors[vi.Name]; isInit {
			continue
		}
		if vi.Type.Kind != onnx.KindTensor {
			return fmt.Errorf("input %q is a %v: %w", vi.Name, vi.Type.Kind, ops.ErrUnsupported)
		}
		if tensors[vi.Name], err = ReadTensorFile(filepath.Join(data, fmt.Sprintf("input_%d.pb", k))); err != nil {
			return err
		}
		k++
	}
	op, err := ops.Build(node, int(opset))
	if err != nil {
		return err
	}
	vals := make([]ops.Value, len(node.Inputs))
	ins := make([]*ops.Tensor, len(node.Inputs))
	for i, name := range node.Inputs {
		if name == "" {
			continue
		}
		t, ok := tensors[name]
		if !ok {
			return fmt.Errorf("node input %q is neither a graph input nor an initializer", name)
		}
		vals[i] = ops.Value{Type: t.Type, Shape: t.Shape, Const: t}
		ins[i] = t
	}
	if p, ok := op.(ops.Preparer); ok {
		if err := p.Prepare(vals); err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
	}
	outVals, err := op.Infer(vals)
	if err != nil {
		return fmt.Errorf("infer: %w", err)
	}
	if len(outVals) < len(node.Outputs) {
		return fmt.Errorf("infer gave %d outputs, the node has %d", len(outVals), len(node.Outputs))
	}
	outs := make([]*ops.Tensor, len(outVals))
	for i, v := range outVals {
		outs[i] = ops.New(v.Type, v.Shape...)
	}
	ctx := &ops.Ctx{Par: ops.Serial{}}
	if w, ok := op.(ops.Workspacer); ok {
		ctx.Scratch = ops.AlignedBytes(w.Workspace(vals))
	}
	if err := op.Run(ctx, ins, outs); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	for k, vi := range g.Outputs {
		i := -1
		for j, name := range node.Outputs {
			if name == vi.Name {
				i = j
			}
		}
		if i < 0 {
			return fmt.Errorf("graph output %q is not an output of the node", vi.Name)
		}
		want, err := ReadTensorFile(filepath.Join(data, fmt.Sprintf("output_%d.pb", k)))
		if err != nil {
			return err
		}
		if err := SameTensor(outs[i], want, 1e-3, 1e-5); err != nil {
			return fmt.Errorf("output %q: %w", vi.Name, err)
		}
	}
	return nil
}

// SameTensor compares type, shape and elements: floats within
// atol + rtol*|want| (NaN matches NaN, an infinity the same infinity),
// every other type exactly.
func SameTensor(got, want *ops.Tensor, rtol, atol float64) error {
	if got.Type != want.Type || !ops.SameShape(got.Shape, want.Shape) {
		return fmt.Errorf("got %v, want %v", got, want)
	}
	var g, w []float64
	switch got.Type {
	case onnx.Float:
		g, w = WidenF64(got.F32()), WidenF64(want.F32())
	case onnx.Double:
		g, w = got.F64(), want.F64()
	default:
		n := got.Len() * ops.ElemSize(got.Type)
		for i := 0; i < n; i++ {
			if got.Data[i] != want.Data[i] {
				return fmt.Errorf("element %d differs (byte %d: got %#x, want %#x)", i/ops.ElemSize(got.Type), i, got.Data[i], want.Data[i])
			}
		}
		return nil
	}
	for i := range got.Len() {
		if g[i] == w[i] || math.IsNaN(g[i]) && math.IsNaN(w[i]) { // equal infinities too
			continue
		}
		if !(math.Abs(g[i]-w[i]) <= atol+rtol*math.Abs(w[i])) {
			return fmt.Errorf("element %d: got %g, want %g", i, g[i], w[i])
		}
	}
	return nil
}

func WidenF64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
