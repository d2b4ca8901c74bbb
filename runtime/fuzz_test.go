package runtime

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
	"github.com/edgeinfer/edgeinfer/ops"
)

// fuzzLimits keep every fuzzed model small, so that each input runs in
// milliseconds and the fuzzer's memory stays bounded.
var fuzzLimits = Limits{MaxNodes: 2000, MaxRank: 8, MaxTensorBytes: 4 << 20, MaxMemory: 16 << 20, MaxDecodeBytes: 16 << 20}

// fuzzSeeds are the built-in seeds of FuzzLoad: the models of the rule
// tests (each breaks one rule or limit, or nearly does; not those with
// operators that panic on purpose), a small chain and a small CNN that run.
func fuzzSeeds(t testing.TB) [][]byte {
	models := []*onnx.Model{chainModel(), tinyCNN()}
	for _, c := range ruleCases() {
		if !strings.Contains(c.name, "panic") { // the test operators that panic on purpose
			models = append(models, c.model())
		}
	}
	var out [][]byte
	for _, m := range models {
		b, err := onnx.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// tinyCNN is Conv -> BatchNormalization -> Relu -> MaxPool -> Flatten ->
// Gemm -> Softmax on a 1x2x6x6 input, with constant weights.
func tinyCNN() *onnx.Model {
	rng := newRand(3)
	return newBuilder(13).
		input("x", onnx.Float, "N", 2, 6, 6).
		init("w", randTensor(rng, 3, 2, 3, 3)).init("b", randTensor(rng, 3)).
		init("s", randTensor(rng, 3)).init("o", randTensor(rng, 3)).init("m", randTensor(rng, 3)).
		init("v", ops.FromF32([]float32{1, 2, 3}, 3)).
		init("fw", randTensor(rng, 4, 3)).init("fb", randTensor(rng, 4)).
		node("Conv", s("x", "w", "b"), s("c"), aInts("pads", 1, 1, 1, 1), aInts("strides", 2, 2)).
		node("BatchNormalization", s("c", "s", "o", "m", "v"), s("bn")).
		node("Relu", s("bn"), s("r")).
		node("MaxPool", s("r"), s("p"), aInts("kernel_shape", 2, 2), aInts("strides", 2, 2)).
		node("Flatten", s("p"), s("f")).
		node("Gemm", s("f", "fw", "fb"), s("g"), aInt("transB", 1)).
		node("Softmax", s("g"), s("y")).
		output("y", onnx.Float, "N", 4).m
}

// sharedSeeds returns the node tests' models when ../shared is present.
func sharedSeeds() [][]byte {
	dir, ok := onnxtest.SharedPath("onnx-node-tests")
	if !ok {
		return nil
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*", "model.onnx"))
	var out [][]byte
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			out = append(out, b)
		}
	}
	return out
}

// syntheticInputs makes zero-filled inputs of the declared types and
// shapes (unknown dimensions 1, undeclared shapes rank 1, undeclared types
// float), or reports false when an input cannot be made.
func syntheticInputs(m *Model) ([]*ops.Tensor, bool) {
	var in []*ops.Tensor
	for _, io := range m.Inputs() {
		typ := io.Type
		switch {
		case typ == onnx.Undefined || typ == onnx.Float16 || typ == onnx.BFloat16:
			typ = onnx.Float
		case !ops.Supported(typ):
			return nil, false
		}
		shape := []int{1}
		if io.Dims != nil {
			shape = make([]int, len(io.Dims))
			for i, d := range io.Dims {
				shape[i] = int(max(d, 1))
			}
		}
		in = append(in, ops.New(typ, shape...))
	}
	return in, true
}

// FuzzLoad feeds arbitrary bytes through the whole graph compiler: decode,
// validate, build, simplify, plan, and a run on synthetic inputs, with and
// without optimizations. Any outcome but a panic (recovered ones included:
// they are operator bugs) is fine. `go test` runs the seeds: the built-in
// models and, when ../shared is present, the 264 node tests' models.
func FuzzLoad(f *testing.F) {
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
	}
	for _, b := range sharedSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := onnx.DecodeLimited(data, fuzzLimits.MaxDecodeBytes)
		if err != nil {
			return
		}
		m, err := LoadModel(p, WithThreads(1), WithLimits(fuzzLimits), WithOptimizations(len(data)%2 == 0))
		if errors.Is(err, ErrPanic) {
			t.Fatalf("load: %v", err)
		}
		if err != nil {
			return
		}
		defer m.Close()
		if _, err := m.Plan(nil); errors.Is(err, ErrPanic) {
			t.Fatalf("plan: %v", err)
		}
		in, ok := syntheticInputs(m)
		if !ok {
			return
		}
		if _, err := m.Run(context.Background(), in); errors.Is(err, ErrPanic) {
			t.Fatalf("run: %v", err)
		}
	})
}

// TestKnownKernelCrashes replays inputs FuzzLoad found that crashed a
// kernel outside the runtime; each stays as a regression test.
func TestKnownKernelCrashes(t *testing.T) {
	t.Run("Conv kernel wider than its unpadded input", func(t *testing.T) {
		p := newBuilder(22).input("x", onnx.Float, 1, 1, 3, 89).input("W", onnx.Float, 1, 1, 5, 97).
			node("Conv", s("x", "W"), s("y"), aInts("pads", 1, 1, 1, 48)).output("y", onnx.Float).m
		m := load(t, p)
		y := run(t, m, ops.New(onnx.Float, 1, 1, 3, 89), ops.New(onnx.Float, 1, 1, 5, 97))[0]
		if !ops.SameShape(y.Shape, []int{1, 1, 1, 42}) {
			t.Errorf("shape %v, want [1 1 1 42]", y.Shape)
		}
	})
}
