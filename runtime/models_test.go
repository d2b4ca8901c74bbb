package runtime

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// readPB reads a serialized TensorProto (a test set's input_K.pb or output_K.pb).
func readPB(t *testing.T, path string) *ops.Tensor {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := onnx.DecodeTensor(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	tt, err := ops.FromProto(p, "")
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return tt
}

// checkZooModel runs every test_data_set_* of a model-zoo folder through the
// model, optimized and not, and returns the optimized model.
func checkZooModel(t *testing.T, dir string, atol float64) *Model {
	path := filepath.Join(sharedDir(t), "models", dir)
	opt, err := Load(filepath.Join(path, "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { opt.Close() })
	lit, err := Load(filepath.Join(path, "model.onnx"), WithOptimizations(false))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lit.Close() })
	sets, _ := filepath.Glob(filepath.Join(path, "test_data_set_*"))
	if len(sets) == 0 {
		t.Fatalf("%s: no test data sets", path)
	}
	for _, set := range sets {
		in := readPB(t, filepath.Join(set, "input_0.pb"))
		want := readPB(t, filepath.Join(set, "output_0.pb"))
		for name, m := range map[string]*Model{"optimized": opt, "unoptimized": lit} {
			got := run(t, m, in)[0]
			got.Shape = want.Shape // the zoo's files sometimes drop unit dims
			closeTo(t, fmt.Sprintf("%s %s %s", dir, filepath.Base(set), name), got, want, atol, 0)
		}
		checkArena(t, planOf(t, opt, in))
	}
	return opt
}

func TestSqueezeNet(t *testing.T) {
	m := checkZooModel(t, "squeezenet1.0", 1e-3)
	info, err := m.Plan(nil)
	if err != nil {
		t.Fatal(err)
	}
	fused := 0
	for _, s := range info.Steps {
		if s.OpType == "Conv" && strings.Join(s.Fused, "+") == "Relu" {
			fused++
		}
	}
	if fused != 26 {
		t.Errorf("%d Conv+Relu steps, want all 26 Convs fused with their Relu", fused)
	}
	// conv1: 64 filters of 3x3x3 over a 111x111 output.
	if s := info.Steps[0]; s.OpType != "Conv" || s.MACs != 64*111*111*3*3*3 {
		t.Errorf("first step %s with %d MACs, want Conv with %d", s.OpType, s.MACs, 64*111*111*3*3*3)
	}
	// This export has SqueezeNet 1.1's layers: about 0.35 GMACs.
	if info.MACs < 0.3e9 || info.MACs > 0.4e9 {
		t.Errorf("plan counts %d MACs, want about 0.35e9", info.MACs)
	}
	if info.ArenaBytes*2 > info.NaiveBytes {
		t.Errorf("arena %d bytes is more than half the naive %d", info.ArenaBytes, info.NaiveBytes)
	}
}

func TestMNIST(t *testing.T) {
	checkZooModel(t, "mnist-12", 1e-3)
}

func BenchmarkSqueezeNet(b *testing.B) {
	dir := filepath.Join(sharedDir(b), "models", "squeezenet1.0")
	m, err := Load(filepath.Join(dir, "model.onnx"))
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	x := ops.New(onnx.Float, 1, 3, 224, 224)
	sess := m.NewSession()
	in := []*ops.Tensor{x}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sess.Run(b.Context(), in); err != nil {
			b.Fatal(err)
		}
	}
}
