package quant

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// The golden tests of testdata/ort are single-node models of the
// com.microsoft operators, the ai.onnx integer convolutions and products
// and edge cases of the others, with ONNX Runtime 1.30's outputs on random
// 8-bit inputs, written by
// testdata/gen_goldens.mjs (see its header to regenerate them). Each must
// match bit for bit.
const goldenCount = 53

// TestORTGoldens runs every golden test with and without Prepare, on
// loops cut at odd places.
func TestORTGoldens(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "ort", "*"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != goldenCount {
		t.Errorf("%d golden tests, want %d", len(dirs), goldenCount)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			n, opset, in, want, err := loadGolden(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, prepare := range []bool{false, true} {
				got, err := evalQAll(n, opset, prepare, in...)
				if err != nil {
					t.Fatalf("prepared %v: %v", prepare, err)
				}
				for i, w := range want {
					if err := opstest.SameTensor(got[i], w, 0, 0); err != nil {
						t.Errorf("prepared %v: output %d: %v", prepare, i, err)
					}
				}
			}
		})
	}
}

// loadGolden reads a golden test: its node and the node's opset, the
// node's inputs (initializers and test_data_set_0's inputs; nil where
// omitted) and the expected outputs.
func loadGolden(dir string) (*onnx.Node, int, []*ops.Tensor, []*ops.Tensor, error) {
	b, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
	if err != nil {
		return nil, 0, nil, nil, err
	}
	m, err := onnx.Decode(b)
	if err != nil {
		return nil, 0, nil, nil, err
	}
	g := m.Graph
	if len(g.Nodes) != 1 {
		return nil, 0, nil, nil, fmt.Errorf("%d nodes, want 1", len(g.Nodes))
	}
	n := g.Nodes[0]
	opset, _ := m.Opset(n.Domain)
	values := map[string]*ops.Tensor{}
	for _, init := range g.Initializer {
		if values[init.Name], err = ops.FromProto(init, dir); err != nil {
			return nil, 0, nil, nil, err
		}
	}
	k := 0
	for _, vi := range g.Inputs {
		if values[vi.Name] != nil {
			continue
		}
		if values[vi.Name], err = opstest.ReadTensorFile(filepath.Join(dir, "test_data_set_0", fmt.Sprintf("input_%d.pb", k))); err != nil {
			return nil, 0, nil, nil, err
		}
		k++
	}
	in := make([]*ops.Tensor, len(n.Inputs))
	for i, name := range n.Inputs {
		in[i] = values[name] // nil for an omitted input
	}
	want := make([]*ops.Tensor, len(g.Outputs))
	for i := range want {
		if want[i], err = opstest.ReadTensorFile(filepath.Join(dir, "test_data_set_0", fmt.Sprintf("output_%d.pb", i))); err != nil {
			return nil, 0, nil, nil, err
		}
	}
	return n, int(opset), in, want, nil
}
