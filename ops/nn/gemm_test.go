package nn

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// refMatMul multiplies row-major a (m x k) by b (k x n) in float64.
func refMatMul(a, b []float32, m, n, k int) []float64 {
	y := make([]float64, m*n)
	for i := range m {
		for j := range n {
			for p := range k {
				y[i*n+j] += float64(a[i*k+p]) * float64(b[p*n+j])
			}
		}
	}
	return y
}

// transpose2 returns the r x c row-major matrix v transposed.
func transpose2(v []float32, r, c int) []float32 {
	t := make([]float32, len(v))
	for i := range r {
		for j := range c {
			t[j*r+i] = v[i*c+j]
		}
	}
	return t
}

func TestGemmReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	const m, n, k = 5, 7, 9
	a, b := opstest.Rand(rng, m, k), opstest.Rand(rng, k, n)
	ab := refMatMul(a.F32(), b.F32(), m, n, k)
	cShapes := [][]int{nil, {}, {1}, {n}, {1, n}, {m, 1}, {1, 1}, {m, n}}
	for _, cs := range cShapes {
		for _, beta := range []float32{1, 0.5, 0} {
			for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				for _, consts := range []map[int]bool{nil, {0: true, 1: true, 2: true}} {
					for _, act := range []ops.Activation{{}, {Kind: ops.ActRelu}} {
						label := fmt.Sprintf("C%v beta=%v trans=%v consts=%v act=%v", cs, beta, tr, consts != nil, act.Kind)
						const alpha = 1.5
						at, bt := a, b
						if tr[0] {
							at = ops.FromF32(transpose2(a.F32(), m, k), k, m)
						}
						if tr[1] {
							bt = ops.FromF32(transpose2(b.F32(), k, n), n, k)
						}
						ins := []*ops.Tensor{at, bt}
						var c *ops.Tensor
						if cs != nil {
							c = opstest.Rand(rng, cs...)
							ins = append(ins, c)
						}
						want := make([]float32, m*n)
						for i := range m {
							for j := range n {
								v := alpha * ab[i*n+j]
								if c != nil {
									ci, cj := 0, 0
									if len(cs) == 2 && cs[0] == m {
										ci = i
									}
									if len(cs) > 0 && cs[len(cs)-1] == n {
										cj = j
									}
									cw := 1
									if len(cs) > 0 {
										cw = cs[len(cs)-1]
									}
									v += float64(beta) * float64(c.F32()[ci*cw+cj])
								}
								want[i*n+j] = act.Apply(float32(v))
							}
						}
						attrs := []*onnx.Attribute{opstest.Float("alpha", alpha), opstest.Float("beta", beta), opstest.Int("transA", b2i(tr[0])), opstest.Int("transB", b2i(tr[1]))}
						op, err := ops.Build(opstest.NodeOf("Gemm", ins, 1, attrs...), 13)
						if err != nil {
							t.Fatal(err)
						}
						if act.Kind != ops.ActNone {
							op = op.(ops.ActFuser).FuseActivation(act)
						}
						got, err := opstest.Exec(op, ins, consts, opstest.Par{N: 2})
						if err != nil {
							t.Fatalf("%s: %v", label, err)
						}
						opstest.Close(t, label, got[0].F32(), want, 1e-5, 1e-5)
					}
				}
			}
		}
	}
}

func TestMatMulReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for _, c := range []struct {
		a, b, out []int
	}{
		{[]int{3, 4}, []int{4, 5}, []int{3, 5}},
		{[]int{4}, []int{4, 5}, []int{5}},
		{[]int{3, 4}, []int{4}, []int{3}},
		{[]int{4}, []int{4}, []int{}},
		{[]int{2, 3, 3, 4}, []int{4, 6}, []int{2, 3, 3, 6}},
		{[]int{2, 1, 3, 4}, []int{5, 4, 6}, []int{2, 5, 3, 6}},
		{[]int{3, 4}, []int{2, 4, 6}, []int{2, 3, 6}},
		{[]int{2, 4}, []int{3, 1, 4, 2}, []int{3, 1, 2, 2}},
		{[]int{5, 1, 4}, []int{5, 4, 7}, []int{5, 1, 7}},
		{[]int{70, 300}, []int{300, 90}, []int{70, 90}},
	} {
		a, b := opstest.Rand(rng, c.a...), opstest.Rand(rng, c.b...)
		// Reference: broadcast by hand with numpy's rules.
		am, bm := c.a, c.b
		if len(am) == 1 {
			am = []int{1, am[0]}
		}
		if len(bm) == 1 {
			bm = []int{bm[0], 1}
		}
		m, k, n := am[len(am)-2], am[len(am)-1], bm[len(bm)-1]
		batch, err := ops.BroadcastShape(am[:len(am)-2], bm[:len(bm)-2])
		if err != nil {
			t.Fatal(err)
		}
		var want []float32
		pos := make([]int, len(batch))
		for bi := range ops.NumElems(batch) {
			opstest.Unflatten(bi, batch, pos)
			off := func(s []int) int {
				o := 0
				for d, sz := range s {
					p := pos[len(batch)-len(s)+d]
					o = o*sz + min(p, sz-1)
				}
				return o
			}
			ao, bo := off(am[:len(am)-2])*m*k, off(bm[:len(bm)-2])*k*n
			for _, v := range refMatMul(a.F32()[ao:ao+m*k], b.F32()[bo:bo+k*n], m, n, k) {
				want = append(want, float32(v))
			}
		}
		for _, consts := range []map[int]bool{nil, {1: true}} {
			op, err := ops.Build(opstest.NodeOf("MatMul", []*ops.Tensor{a, b}, 1), 13)
			if err != nil {
				t.Fatal(err)
			}
			got, err := opstest.Exec(op, []*ops.Tensor{a, b}, consts, opstest.Par{N: 3})
			label := fmt.Sprintf("%v x %v consts=%v", c.a, c.b, consts != nil)
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			if !ops.SameShape(got[0].Shape, c.out) {
				t.Fatalf("%s: shape %v, want %v", label, got[0].Shape, c.out)
			}
			opstest.Close(t, label, got[0].F32(), want, 1e-5, 1e-4)
		}
	}
}

func TestGemmErrors(t *testing.T) {
	f := func(s ...int) *ops.Tensor { return ops.New(onnx.Float, s...) }
	for _, c := range []struct {
		op    string
		ins   []*ops.Tensor
		attrs []*onnx.Attribute
		want  string
	}{
		{"Gemm", []*ops.Tensor{f(2, 3), f(4, 5)}, nil, "columns"},
		{"Gemm", []*ops.Tensor{f(2, 3), f(4, 3)}, []*onnx.Attribute{opstest.Int("transA", 1)}, "columns"},
		{"Gemm", []*ops.Tensor{f(2, 3, 1), f(3, 5)}, nil, "2-D"},
		{"Gemm", []*ops.Tensor{f(2, 3), f(3, 5), f(3)}, nil, "broadcast"},
		{"Gemm", []*ops.Tensor{f(2, 3), f(3, 5), f(2, 5, 1)}, nil, "rank"},
		{"Gemm", []*ops.Tensor{ops.New(onnx.Bool, 2, 3), f(3, 5)}, nil, "bool"},
		{"MatMul", []*ops.Tensor{f(2, 3), f(4, 5)}, nil, "rows"},
		{"MatMul", []*ops.Tensor{f(2, 2, 3), f(3, 3, 5)}, nil, "broadcast"},
		{"MatMul", []*ops.Tensor{f(), f(3)}, nil, "rank"},
	} {
		op, err := ops.Build(opstest.NodeOf(c.op, c.ins, 1, c.attrs...), 13)
		if err == nil {
			_, err = opstest.Exec(op, c.ins, nil, ops.Serial{})
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: error %v, want one mentioning %q", c.op, c.ins, err, c.want)
		}
	}
	op, _ := ops.Build(opstest.NodeOf("MatMul", []*ops.Tensor{f(2, 3), f(3, 2)}, 1), 13)
	if _, err := op.Infer([]ops.Value{{Type: onnx.Int32, Shape: []int{2, 3}}, {Type: onnx.Int32, Shape: []int{3, 2}}}); !errors.Is(err, ops.ErrUnsupported) {
		t.Errorf("int32 MatMul: error %v, want ErrUnsupported", err)
	}
}

// Before opset 7, C is broadcast only with broadcast=1; before opset 11 it
// is required.
func TestGemmOldOpsets(t *testing.T) {
	a := ops.FromF32([]float32{1, 2, 3, 4}, 2, 2)
	b := ops.FromF32([]float32{1, 0, 0, 1}, 2, 2)
	row := ops.FromF32([]float32{10, 20}, 2)
	full := ops.FromF32([]float32{10, 20, 30, 40}, 2, 2)
	for _, c := range []struct {
		opset int
		c     *ops.Tensor
		attrs []*onnx.Attribute
		want  []float32 // nil: an error naming C
	}{
		{1, full, nil, []float32{11, 22, 33, 44}},
		{6, row, nil, nil},
		{6, row, []*onnx.Attribute{opstest.Int("broadcast", 1)}, []float32{11, 22, 13, 24}},
		{7, row, nil, []float32{11, 22, 13, 24}},
		{9, nil, nil, nil},
		{11, nil, nil, []float32{1, 2, 3, 4}},
	} {
		ins := []*ops.Tensor{a, b}
		if c.c != nil {
			ins = append(ins, c.c)
		}
		op, err := ops.Build(opstest.NodeOf("Gemm", ins, 1, c.attrs...), c.opset)
		if err != nil {
			t.Fatal(err)
		}
		got, err := opstest.Exec(op, ins, nil, ops.Serial{})
		if c.want == nil {
			if err == nil || !strings.Contains(err.Error(), "\"C\"") {
				t.Errorf("opset %d %v: error %v, want one naming C", c.opset, c.attrs, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("opset %d: %v", c.opset, err)
		}
		opstest.Close(t, fmt.Sprintf("opset %d", c.opset), got[0].F32(), c.want, 0, 0)
	}
}

func TestGemmNodeTests(t *testing.T) {
	if n := opstest.AllNodeTests(t, "test_gemm*"); n != 11 {
		t.Errorf("%d Gemm node tests passed, want 11", n)
	}
	if n := opstest.AllNodeTests(t, "test_matmul_*"); n != 7 {
		t.Errorf("%d MatMul node tests passed, want 7", n)
	}
}
