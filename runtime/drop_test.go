package runtime

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// checkDropped fails if m's graph or plan p still holds memory of its own
// for a constant input that a step's operator declares released: such a
// copy must be left to the garbage collector. It returns how many such
// inputs there are.
func checkDropped(t *testing.T, m *Model, p *plan) int {
	t.Helper()
	n := 0
	for _, s := range p.steps {
		for _, j := range releasedBy(s.op) {
			id := s.in[j]
			if id < 0 || p.slots[id].kind != slotConst {
				continue
			}
			n++
			if c := p.slots[id].c; len(c.Data) != 0 {
				t.Errorf("%s: the plan holds the data of released input %q", s.label(), m.g.names[id])
			}
			if c := m.g.consts[id]; c != nil && len(c.Data) != 0 && !m.inModel(c.Data) {
				t.Errorf("%s: the graph holds its own copy of released input %q", s.label(), m.g.names[id])
			}
		}
	}
	return n
}

// TestDropRecoversConstants checks that a Gemm's weights computed at load
// (a folded Transpose) are dropped once the Gemm has packed them, and are
// recovered when a later plan folds the Gemm (its input became a plan
// constant) and needs them again.
func TestDropRecoversConstants(t *testing.T) {
	rng := newRand(3)
	w0 := randTensor(rng, 4, 8)
	b := newBuilder(13).input("i", onnx.Int64, "N", 8).init("w0", w0)
	b.node("Transpose", s("w0"), s("w"))
	b.node("Cast", s("i"), s("a"), aInt("to", int64(onnx.Float)))
	b.node("Gemm", s("a", "w"), s("y"))
	m := load(t, b.output("y", onnx.Float, "N", 4).m)
	wid := m.g.ids["w"]
	input := func(n int) *ops.Tensor {
		x := ops.New(onnx.Int64, n, 8)
		for i := range x.I64() {
			x.I64()[i] = int64(rng.IntN(9) - 4)
		}
		return x
	}
	check := func(x *ops.Tensor) {
		t.Helper()
		n := x.Shape[0]
		want := ops.New(onnx.Float, n, 4)
		for r := range n {
			for c := range 4 {
				var sum float32
				for k := range 8 {
					sum += float32(x.I64()[r*8+k]) * w0.F32()[c*8+k]
				}
				want.F32()[r*4+c] = sum
			}
		}
		closeTo(t, "y", run(t, m, x)[0], want, 1e-5, 1e-5)
	}

	big := input(20) // 160 elements: not a plan constant, the Gemm is a step
	check(big)
	if !m.dropped[wid] || len(m.g.consts[wid].Data) != 0 {
		t.Fatal("the folded weights were not dropped after the Gemm packed them")
	}
	if checkDropped(t, m, planOf(t, m, big)) != 1 {
		t.Error("the plan has no released constant input")
	}
	// A plan constant input: the Gemm is folded by a new operator, which
	// needs the weights' data.
	check(input(3))
	if m.dropped[wid] || len(m.g.consts[wid].Data) == 0 {
		t.Error("the weights a folded Gemm read were not recovered")
	}
	check(big) // the cached plan
	check(input(30))
	if !m.dropped[wid] {
		t.Error("the recovered weights were not dropped again by a plan whose Gemm packs them")
	}
	if _, err := m.Plan([][]int{{5, 8}}); err != nil {
		t.Fatal(err)
	}
}

// TestDropThenReplan loads a ResNet-18 export from a file (copying the
// initializers the file does not align) with symbolic image sizes, runs
// it, checks that no released weights are held, then plans and runs
// another image size and batch, and compares every output with a fresh
// model's, bit for bit (run in the same order: operators are prepared
// for the first shape they see, which may choose their algorithm).
func TestDropThenReplan(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ResNet-18 at two sizes on two models")
	}
	p := buildModel(t, "resnet18")
	in := p.Graph.Inputs[0].Type.Shape
	in[2], in[3] = onnx.Dim{Param: "H", Known: true}, onnx.Dim{Param: "W", Known: true}
	path := filepath.Join(t.TempDir(), "resnet18.onnx")
	if err := onnx.WriteFile(path, p); err != nil {
		t.Fatal(err)
	}
	m, err := Load(path, WithThreads(2))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	x1 := imageInput(1)
	x2 := randTensor(newRand(5), 2, 3, 160, 128)
	y1 := run(t, m, x1)[0]
	released := checkDropped(t, m, planOf(t, m, x1))
	y2 := run(t, m, x2)[0]
	checkDropped(t, m, planOf(t, m, x2))
	if _, err := m.Plan(nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d released constant inputs, %d constants dropped", released, len(m.dropped))
	if released == 0 {
		t.Error("no step releases a constant input: the Gemm's packed weights should be")
	}

	fresh := load(t, p, WithThreads(2))
	for _, c := range []struct{ x, y *ops.Tensor }{{x1, y1}, {x2, y2}} {
		if want := run(t, fresh, c.x)[0]; !bytes.Equal(c.y.Data, want.Data) {
			t.Errorf("input %v: output differs from a fresh model's", c.x.Shape)
		}
	}
}
