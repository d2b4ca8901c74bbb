package runtime

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// chainModel is x -> Affine(2, 1) -> Relu -> Twice -> y with a symbolic batch.
func chainModel() *onnx.Model {
	return newBuilder(13).
		input("x", onnx.Float, "N", 3, 8).
		tnode("Affine", s("x"), s("a"), aFloat("a", 2), aFloat("b", 1)).
		node("Relu", s("a"), s("r")).
		tnode("Twice", s("r"), s("y")).
		output("y", onnx.Float, "N", 3, 8).m
}

// chainWant computes chainModel by hand.
func chainWant(x *ops.Tensor) *ops.Tensor {
	want := ops.New(onnx.Float, x.Shape...)
	for i, v := range x.F32() {
		want.F32()[i] = 2 * max(2*v+1, 0)
	}
	return want
}

func TestRunChain(t *testing.T) {
	rng := newRand(1)
	for _, threads := range []int{1, 2} {
		m := load(t, chainModel(), WithThreads(threads))
		for _, n := range []int{1, 4, 1} {
			x := randTensor(rng, n, 3, 8)
			closeTo(t, "y", run(t, m, x)[0], chainWant(x), 0, 0)
		}
		if len(m.plans) != 2 {
			t.Errorf("%d plans cached, want 2 (one per batch size)", len(m.plans))
		}
	}
}

func TestInputErrors(t *testing.T) {
	p := newBuilder(13).
		input("data", onnx.Float, "N", 3, 224, 224).
		input("mask", onnx.Float, "N", 1).
		node("Relu", s("data"), s("y")).
		node("Relu", s("mask"), s("z")).
		output("y", onnx.Float, "N", 3, 224, 224).
		output("z", onnx.Float, "N", 1).m
	m := load(t, p)
	good := ops.New(onnx.Float, 1, 3, 224, 224)
	mask := ops.New(onnx.Float, 1, 1)
	cases := []struct {
		name   string
		inputs []*ops.Tensor
		want   string
	}{
		{"count", []*ops.Tensor{good}, `got 1 inputs, want 2 ("data", "mask")`},
		{"nil", []*ops.Tensor{good, nil}, `input "mask" is nil`},
		{"rank", []*ops.Tensor{ops.New(onnx.Float, 1, 3, 224), mask}, `input "data": got float32[1 3 224], want rank 4 [N 3 224 224]`},
		{"dim", []*ops.Tensor{ops.New(onnx.Float, 1, 3, 224, 225), mask}, `input "data": got float32[1 3 224 225], want [N 3 224 224]`},
		{"type", []*ops.Tensor{ops.New(onnx.Int64, 1, 3, 224, 224), mask}, `input "data": got int64[1 3 224 224], want float32[N 3 224 224]`},
		{"data", []*ops.Tensor{good, {Type: onnx.Float, Shape: []int{1, 1}}}, `input "mask": float32[1 1] needs 4 bytes of data, has 0`},
	}
	for _, c := range cases {
		_, err := m.Run(context.Background(), c.inputs)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: got error %v, want %q", c.name, err, c.want)
		}
	}
	run(t, m, good, mask)
}

// TestZeroAllocsPerSessionRun checks the runtime's own per-run work
// (input binding, plan lookup, step calls, output conversion) allocates
// nothing. The kernels are a fused test operator and Reshape; kernels that
// hand a closure to ctx.Par.For allocate it themselves.
func TestZeroAllocsPerSessionRun(t *testing.T) {
	p := newBuilder(13).
		input("x", onnx.Float16, 1, 3, 8).
		input("shape", onnx.Int64, 2).
		tnode("Affine", s("x"), s("a"), aFloat("a", 2)).
		node("Add", s("a", "x"), s("sum")).
		node("Relu", s("sum"), s("r")).
		node("Reshape", s("r", "shape"), s("y")).
		tnode("Affine", s("y"), s("z"), aFloat("b", 1)).
		output("y", onnx.Float, 3, 8).
		output("z", onnx.Float16, 3, 8).m
	for _, threads := range []int{1, 2} {
		m := load(t, p, WithThreads(threads))
		sess := m.NewSession()
		x, shape := randTensor(newRand(2), 1, 3, 8), ops.FromI64([]int64{3, 8}, 2)
		in := []*ops.Tensor{x, shape}
		ctx := context.Background()
		if _, err := sess.Run(ctx, in); err != nil {
			t.Fatal(err)
		}
		if got := stepTypes(m.plans[0]); strings.Join(got, " ") != "Affine+Add+Relu Reshape Affine" {
			t.Fatalf("steps %v: the test expects the fused plan", got)
		}
		allocs := testing.AllocsPerRun(100, func() {
			if _, err := sess.Run(ctx, in); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("threads %d: %v allocations per Session.Run, want 0", threads, allocs)
		}
	}
}

func TestSessionOutputsAreReused(t *testing.T) {
	m := load(t, chainModel())
	sess := m.NewSession()
	rng := newRand(3)
	x1, x2 := randTensor(rng, 2, 3, 8), randTensor(rng, 2, 3, 8)
	out1, err := sess.Run(context.Background(), []*ops.Tensor{x1})
	if err != nil {
		t.Fatal(err)
	}
	first := out1[0]
	closeTo(t, "first run", first, chainWant(x1), 0, 0)
	if _, err := sess.Run(context.Background(), []*ops.Tensor{x2}); err != nil {
		t.Fatal(err)
	}
	// The session's output tensor now holds the second result; Model.Run's are the caller's.
	closeTo(t, "session output after the next run", first, chainWant(x2), 0, 0)
	if _, err := sess.Run(context.Background(), []*ops.Tensor{first}); err == nil || !strings.Contains(err.Error(), "copy it first") {
		t.Errorf("feeding a session output back: got %v, want an aliasing error", err)
	}
	if _, err := sess.Run(context.Background(), []*ops.Tensor{first.Clone()}); err != nil {
		t.Errorf("feeding a copy back: %v", err)
	}
	own := run(t, m, x1)[0]
	run(t, m, x2)
	closeTo(t, "Model.Run output after the next run", own, chainWant(x1), 0, 0)
}

func TestConcurrentRuns(t *testing.T) {
	m := load(t, chainModel(), WithThreads(2))
	sess := m.NewSession()
	rng := newRand(4)
	var inputs, wants []*ops.Tensor
	for i := range 8 {
		x := randTensor(rng, 1+i%3, 3, 8)
		inputs = append(inputs, x)
		wants = append(wants, run(t, m, x)[0])
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 20 {
				i := (g + r) % len(inputs)
				out, err := m.Run(context.Background(), []*ops.Tensor{inputs[i]})
				if err != nil {
					errs <- err
					return
				}
				if string(out[0].Data) != string(wants[i].Data) {
					errs <- errors.New("Model.Run result differs from the sequential one")
					return
				}
				if _, err := sess.Run(context.Background(), []*ops.Tensor{inputs[i]}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestPanicBecomesError(t *testing.T) {
	p := newBuilder(13).
		input("x", onnx.Float, 4).
		node("Relu", s("x"), s("r")).
		tnode("Panic", s("x"), s("p")).
		node("Add", s("r", "p"), s("y")).
		output("y", onnx.Float, 4).m
	sess := load(t, p, WithOptimizations(false)).NewSession()
	bad := ops.FromF32([]float32{-1, 2, 3, 4}, 4)
	_, err := sess.Run(context.Background(), []*ops.Tensor{bad})
	if err == nil || !strings.Contains(err.Error(), `Panic "p": panic: negative input`) {
		t.Fatalf("got error %v, want the panic naming node \"p\"", err)
	}
	out, err := sess.Run(context.Background(), []*ops.Tensor{ops.FromF32([]float32{1, -2, 3, 4}, 4)})
	if err != nil {
		t.Fatalf("session unusable after a panic: %v", err)
	}
	closeTo(t, "y", out[0], ops.FromF32([]float32{2, -2, 6, 8}, 4), 0, 0)
}

func TestCancellation(t *testing.T) {
	p := newBuilder(13).
		input("x", onnx.Float, 4).
		tnode("Hook", s("x"), s("h")).
		tnode("Panic", s("h"), s("y")).
		output("y", onnx.Float, 4).m
	m := load(t, p)
	neg := ops.FromF32([]float32{-1, 0, 0, 0}, 4) // Panic would panic if it ran

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.Run(ctx, []*ops.Tensor{neg}); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled context: got %v", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	testHook = cancel
	defer func() { testHook = nil }()
	if _, err := m.Run(ctx, []*ops.Tensor{neg}); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled between steps: got %v, want context.Canceled before the Panic step", err)
	}
}

func TestFloat16Boundary(t *testing.T) {
	for _, typ := range []onnx.DataType{onnx.Float16, onnx.BFloat16} {
		p := newBuilder(13).
			input("x", typ, 5).
			node("Relu", s("x"), s("y")).
			output("y", typ, 5).m
		m := load(t, p)
		vals := []float32{-1.5, 0.25, 3, -0, 1000}
		half := &ops.Tensor{Type: typ, Shape: []int{5}, Data: ops.AlignedBytes(10)}
		narrowInto(half, vals)
		want := &ops.Tensor{Type: typ, Shape: []int{5}, Data: ops.AlignedBytes(10)}
		narrowInto(want, []float32{0, 0.25, 3, 0, 1000})
		closeTo(t, "half input", run(t, m, half)[0], want, 0, 0)
		closeTo(t, "float input", run(t, m, ops.FromF32(vals, 5))[0], want, 0, 0)
		if m.Inputs()[0].Type != typ || m.Outputs()[0].Type != typ {
			t.Errorf("declared types not reported: %v %v", m.Inputs(), m.Outputs())
		}
	}
}

func TestIntegerInputsArePlanConstants(t *testing.T) {
	p := newBuilder(13).
		input("x", onnx.Float, 2, 3).
		input("shape", onnx.Int64, 2).
		node("Reshape", s("x", "shape"), s("y")).
		output("y", onnx.Float, "a", "b").m
	m := load(t, p)
	x := randTensor(newRand(5), 2, 3)
	for _, shape := range [][]int64{{3, 2}, {6, 1}, {3, 2}} {
		y := run(t, m, x, ops.FromI64(shape, 2))[0]
		if y.Shape[0] != int(shape[0]) || y.Shape[1] != int(shape[1]) {
			t.Errorf("reshape to %v gave %v", shape, y.Shape)
		}
		closeTo(t, "data", &ops.Tensor{Type: y.Type, Shape: x.Shape, Data: y.Data}, x, 0, 0)
	}
	if len(m.plans) != 2 {
		t.Errorf("%d plans, want 2 (one per shape value)", len(m.plans))
	}
}

func TestPlanCacheIsBounded(t *testing.T) {
	m := load(t, chainModel())
	rng := newRand(6)
	for n := 1; n <= planCacheSize+3; n++ {
		run(t, m, randTensor(rng, n, 3, 8))
	}
	if len(m.plans) != planCacheSize {
		t.Fatalf("%d plans cached, want %d", len(m.plans), planCacheSize)
	}
	if got := m.plans[0].key[0].shape[0]; got != planCacheSize+3 {
		t.Errorf("most recent plan is for batch %d", got)
	}
}

func TestMemoryLimit(t *testing.T) {
	m := load(t, chainModel(), WithMemoryLimit(1000))
	if _, err := m.Run(context.Background(), []*ops.Tensor{ops.New(onnx.Float, 1, 3, 8)}); err != nil {
		t.Fatalf("small input within the limit: %v", err)
	}
	_, err := m.Run(context.Background(), []*ops.Tensor{ops.New(onnx.Float, 100, 3, 8)})
	if err == nil || !strings.Contains(err.Error(), "over the memory limit of 1000") {
		t.Fatalf("got %v, want a memory limit error", err)
	}
	if _, err := m.Plan([][]int{{100, 3, 8}}); err == nil {
		t.Fatal("Plan ignored the memory limit")
	}
}

func TestIOInfo(t *testing.T) {
	p := newBuilder(13).
		input("x", onnx.Float, "N", 3, 8).
		input("w", onnx.Float, 3).
		init("w", ops.FromF32([]float32{1, 2, 3}, 3)).
		node("Relu", s("x"), s("y")).
		output("y", onnx.Float, "N", 3, 8).m
	m := load(t, p)
	in := m.Inputs()
	if len(in) != 1 || in[0].Name != "x" || in[0].String() != "float32[N 3 8]" || in[0].Dims[0] != -1 || in[0].Params[0] != "N" {
		t.Fatalf("Inputs() = %+v, want only x (w is an initializer)", in)
	}
	if out := m.Outputs(); len(out) != 1 || out[0].Name != "y" {
		t.Fatalf("Outputs() = %+v", out)
	}
	if m.Proto() != p {
		t.Error("Proto() is not the loaded model")
	}
}

func TestLoadFile(t *testing.T) {
	path := t.TempDir() + "/chain.onnx"
	if err := onnx.WriteFile(path, chainModel()); err != nil {
		t.Fatal(err)
	}
	m, err := Load(path, WithThreads(1))
	if err != nil {
		t.Fatal(err)
	}
	x := randTensor(newRand(7), 2, 3, 8)
	closeTo(t, "y", run(t, m, x)[0], chainWant(x), 0, 0)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(t.TempDir() + "/missing.onnx"); err == nil {
		t.Fatal("loading a missing file succeeded")
	}
}
