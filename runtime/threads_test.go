package runtime

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/models"
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// buildModel is models.Build, failing the test on error.
func buildModel(t testing.TB, name string) *onnx.Model {
	t.Helper()
	p, err := models.Build(name, 1)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// imageInput is the models package's synthetic input of shape [n 3 224 224].
func imageInput(n int) *ops.Tensor {
	return ops.FromF32(models.SyntheticInput(n, 3, 224, 224), n, 3, 224, 224)
}

// TestThreadCountBitIdentical checks that a real network gives the same
// bytes for every thread count: kernels split work so that no element's
// order of operations depends on the split.
func TestThreadCountBitIdentical(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping a whole-ResNet-18 check in -short mode (minutes under qemu emulation; CI runs it natively)")
	}
	p := buildModel(t, "resnet18")
	x := imageInput(2)
	var want []byte
	for _, threads := range []int{1, 2, 3} {
		m := load(t, p, WithThreads(threads))
		got := run(t, m, x)[0].Data
		if want == nil {
			want = got
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("threads %d: output differs from 1 thread's", threads)
		}
	}
}

// stepAllocs measures the allocations of each step of the session's last
// plan run alone, summed by operator type (with fusions), for messages.
func stepAllocs(sess *Session) string {
	st := sess.get()
	defer sess.put(st)
	byOp := map[string]float64{}
	for i := range st.plan.steps {
		s := &st.plan.steps[i]
		a := testing.AllocsPerRun(3, func() {
			if f := st.bound[i]; f != nil {
				f()
			} else {
				s.op.Run(&st.ctx, st.ins[i], st.outs[i])
			}
		})
		if a > 0 {
			byOp[strings.Join(append([]string{s.key.n.proto.OpType}, stepFused(s)...), "+")] += a
		}
	}
	var parts []string
	for op, a := range byOp {
		parts = append(parts, fmt.Sprintf("%s %v", op, a))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// stepFused names the op types fused into s.
func stepFused(s *step) []string {
	var f []string
	for _, n := range s.fused {
		f = append(f, n.proto.OpType)
	}
	return f
}

// checkZeroAllocs runs m on inputs with a session and requires runs after
// the first to allocate nothing.
func checkZeroAllocs(t *testing.T, name string, m *Model, inputs ...*ops.Tensor) {
	t.Helper()
	sess := m.NewSession()
	ctx := context.Background()
	for range 2 {
		if _, err := sess.Run(ctx, inputs); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(10, func() {
		if _, err := sess.Run(ctx, inputs); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%s, %d threads: %v allocations per Session.Run, want 0; by step: %s", name, m.pool.Threads(), allocs, stepAllocs(sess))
	}
}

// requireBinders skips the test unless every op type listed binds: the
// network tests below need the Conv and Gemm kernels to implement
// ops.Binder.
func requireBinders(t *testing.T, m *Model, inputs []*ops.Tensor, opTypes ...string) {
	t.Helper()
	p, err := m.planFor(inputs)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.steps {
		if _, ok := s.op.(ops.Binder); !ok && containsString(opTypes, s.key.n.proto.OpType) {
			t.Skipf("%s does not implement ops.Binder yet", s.key.n.proto.OpType)
		}
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestSessionRunAllocatesNothingResNet18(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping a whole-ResNet-18 check in -short mode (minutes under qemu emulation; CI runs it natively)")
	}
	m := load(t, buildModel(t, "resnet18"), WithThreads(2))
	x := imageInput(1)
	requireBinders(t, m, []*ops.Tensor{x}, "Conv", "Gemm", "MatMul")
	checkZeroAllocs(t, "resnet18", m, x)
}

// TestSessionRunAllocatesNothingSuite covers the benchmark suite's other
// networks: depthwise and grouped convolutions, squeeze-excites, channel
// shuffles (Shape-derived Reshapes), Split, Concat, Resize and the
// detector's box decoding.
func TestSessionRunAllocatesNothingSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping whole-network checks in -short mode (minutes under qemu emulation; CI runs them natively)")
	}
	for _, name := range []string{"mobilenetv2", "mobilenetv3-small", "mobilenetv3-large", "shufflenetv2",
		"efficientnet-b0", "squeezenet1.1", "densenet121", "googlenet", "yolov8n"} {
		m := load(t, buildModel(t, name), WithThreads(2))
		in, _, _ := models.Shapes(name)
		x := ops.FromF32(models.SyntheticInput(in...), in...)
		requireBinders(t, m, []*ops.Tensor{x}, "Conv", "Gemm", "MatMul")
		checkZeroAllocs(t, name, m, x)
	}
}

func TestSessionRunAllocatesNothingSqueezeNet(t *testing.T) {
	m, err := Load(filepath.Join(sharedDir(t), "models", "squeezenet1.0", "model.onnx"), WithThreads(2))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	x := ops.New(onnx.Float, 1, 3, 224, 224)
	requireBinders(t, m, []*ops.Tensor{x}, "Conv", "Gemm", "MatMul")
	checkZeroAllocs(t, "squeezenet", m, x)
}

// TestSessionRunAllocatesNothingParallelOps runs the non-GEMM operators of
// image networks on two threads, each with a loop split across workers.
func TestSessionRunAllocatesNothingParallelOps(t *testing.T) {
	rng := newRand(9)
	p := newBuilder(13).input("x", onnx.Float, 2, 16, 32, 32).
		init("scale", randTensor(rng, 16, 1, 1)).init("shift", randTensor(rng, 1, 32)).
		node("Mul", s("x", "scale"), s("a")).
		node("Add", s("a", "shift"), s("b")).
		node("Relu", s("b"), s("r")).
		node("Sigmoid", s("x"), s("g")).
		node("Sum", s("r", "g", "x"), s("sum")).
		node("MaxPool", s("sum"), s("mp"), aInts("kernel_shape", 3, 3), aInts("pads", 1, 1, 1, 1)).
		node("AveragePool", s("sum"), s("ap"), aInts("kernel_shape", 3, 3), aInts("pads", 1, 1, 1, 1)).
		node("Concat", s("mp", "ap"), s("cat"), aInt("axis", 1)).
		node("Softmax", s("cat"), s("sm"), aInt("axis", 1)).
		node("GlobalAveragePool", s("sm"), s("gap")).
		node("Flatten", s("gap"), s("y")).
		output("y", onnx.Float, 2, 32).m
	m := load(t, p, WithThreads(2))
	checkZeroAllocs(t, "element-wise and pooling ops", m, randTensor(rng, 2, 16, 32, 32))
}
