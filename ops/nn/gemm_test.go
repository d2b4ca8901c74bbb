package nn

import (
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
	if _, err := op.Infer([]ops.Value{{Type: onnx.Int32, Shape: []int{2, 3}}, {Type: onnx.Int64, Shape: []int{3, 2}}}); err == nil || !strings.Contains(err.Error(), "must match") {
		t.Errorf("int32 times int64 MatMul: error %v, want one saying the types must match", err)
	}
	if _, err := op.Infer([]ops.Value{{Type: onnx.Int8, Shape: []int{2, 3}}, {Type: onnx.Int8, Shape: []int{3, 2}}}); err == nil {
		t.Errorf("int8 MatMul: no error")
	}
}

// TestTypedProducts checks Gemm and MatMul in float64 and the integer types
// against a plain triple loop: transposes, every C broadcast, batches that
// broadcast, integer wrap-around, serial and chunked.
func TestTypedProducts(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	val := func(typ onnx.DataType) float64 { // small integers: exact in every type
		v := float64(rng.IntN(11) - 5)
		if typ == onnx.Uint32 || typ == onnx.Uint64 {
			v = float64(rng.IntN(6))
		}
		return v
	}
	tensor := func(typ onnx.DataType, shape ...int) *ops.Tensor {
		x := ops.New(typ, shape...)
		for i := range x.Len() {
			setElem(x, i, val(typ))
		}
		return x
	}
	for _, typ := range []onnx.DataType{onnx.Double, onnx.Int32, onnx.Int64, onnx.Uint32, onnx.Uint64} {
		for _, c := range []struct {
			as, bs, cs []int
			ta, tb     bool
		}{
			{[]int{3, 4}, []int{4, 5}, nil, false, false},
			{[]int{4, 3}, []int{4, 5}, []int{5}, true, false},
			{[]int{3, 4}, []int{5, 4}, []int{3, 1}, false, true},
			{[]int{4, 3}, []int{5, 4}, []int{3, 5}, true, true},
			{[]int{1, 7}, []int{7, 2}, []int{}, false, false},
		} {
			a, b := tensor(typ, c.as...), tensor(typ, c.bs...)
			ins := []*ops.Tensor{a, b}
			if c.cs != nil {
				ins = append(ins, tensor(typ, c.cs...))
			}
			attrs := []*onnx.Attribute{opstest.Int("transA", b2i(c.ta)), opstest.Int("transB", b2i(c.tb)), opstest.Float("alpha", 2), opstest.Float("beta", 3)}
			want := naiveGemm(ins, c.ta, c.tb, 2, 3)
			for _, par := range []ops.Parallel{ops.Serial{}, opstest.ChunkPar{Size: 1}} {
				op, err := ops.Build(opstest.NodeOf("Gemm", ins, 1, attrs...), 13)
				if err != nil {
					t.Fatal(err)
				}
				got, err := opstest.Exec(op, ins, nil, par)
				if err != nil {
					t.Fatalf("%s Gemm %+v: %v", ops.TypeName(typ), c, err)
				}
				sameElems(t, fmt.Sprintf("%s Gemm %+v", ops.TypeName(typ), c), got[0], want)
			}
		}
		for _, c := range []struct{ as, bs []int }{
			{[]int{3, 4}, []int{4, 5}},
			{[]int{2, 1, 3, 4}, []int{3, 4, 2}},
			{[]int{4}, []int{2, 4, 3}},
			{[]int{2, 3, 4}, []int{4}},
		} {
			a, b := tensor(typ, c.as...), tensor(typ, c.bs...)
			want := naiveMatMul(t, a, b)
			for _, par := range []ops.Parallel{ops.Serial{}, opstest.ChunkPar{Size: 2}} {
				op, _ := ops.Build(opstest.NodeOf("MatMul", []*ops.Tensor{a, b}, 1), 13)
				got, err := opstest.Exec(op, []*ops.Tensor{a, b}, nil, par)
				if err != nil {
					t.Fatalf("%s MatMul %v x %v: %v", ops.TypeName(typ), c.as, c.bs, err)
				}
				sameElems(t, fmt.Sprintf("%s MatMul %v x %v", ops.TypeName(typ), c.as, c.bs), got[0], want)
			}
		}
	}
	// int32 products wrap around like C's.
	big := ops.New(onnx.Int32, 1, 2)
	copy(big.I32(), []int32{1 << 30, 1 << 30})
	col := ops.New(onnx.Int32, 2, 1)
	copy(col.I32(), []int32{4, 4})
	op, _ := ops.Build(opstest.NodeOf("MatMul", []*ops.Tensor{big, col}, 1), 13)
	got, err := opstest.Exec(op, []*ops.Tensor{big, col}, nil, ops.Serial{})
	if err != nil || got[0].I32()[0] != 0 {
		t.Errorf("int32 wrap-around: %v %v, want 0", got, err)
	}
}

// setElem sets element i of x to v.
func setElem(x *ops.Tensor, i int, v float64) {
	switch x.Type {
	case onnx.Double:
		x.F64()[i] = v
	case onnx.Int32:
		x.I32()[i] = int32(v)
	case onnx.Int64:
		x.I64()[i] = int64(v)
	case onnx.Uint32:
		x.U32()[i] = uint32(v)
	case onnx.Uint64:
		x.U64()[i] = uint64(v)
	}
}

// elem is element i of x as float64.
func elem(x *ops.Tensor, i int) float64 {
	switch x.Type {
	case onnx.Double:
		return x.F64()[i]
	case onnx.Int32:
		return float64(x.I32()[i])
	case onnx.Int64:
		return float64(x.I64()[i])
	case onnx.Uint32:
		return float64(x.U32()[i])
	}
	return float64(x.U64()[i])
}

// naiveGemm is alpha*op(A)*op(B) + beta*C by the definition, in float64
// (exact for the small integers of the test).
func naiveGemm(in []*ops.Tensor, ta, tb bool, alpha, beta float64) []float64 {
	a, b := in[0], in[1]
	m, k := a.Shape[0], a.Shape[1]
	if ta {
		m, k = k, m
	}
	n := b.Shape[1]
	if tb {
		n = b.Shape[0]
	}
	at := func(i, l int) float64 {
		if ta {
			return elem(a, l*a.Shape[1]+i)
		}
		return elem(a, i*a.Shape[1]+l)
	}
	bt := func(l, j int) float64 {
		if tb {
			return elem(b, j*b.Shape[1]+l)
		}
		return elem(b, l*b.Shape[1]+j)
	}
	out := make([]float64, m*n)
	for i := range m {
		for j := range n {
			var s float64
			for l := range k {
				s += at(i, l) * bt(l, j)
			}
			out[i*n+j] = alpha * s
			if len(in) > 2 {
				c := in[2]
				rows, cols := 1, 1
				switch len(c.Shape) {
				case 1:
					cols = c.Shape[0]
				case 2:
					rows, cols = c.Shape[0], c.Shape[1]
				}
				out[i*n+j] += beta * elem(c, (i%rows)*cols+j%cols)
			}
		}
	}
	return out
}

// naiveMatMul is numpy's matmul of a and b by the definition, in float64.
func naiveMatMul(t *testing.T, a, b *ops.Tensor) []float64 {
	d, err := ops.MatMulShape(a.Shape, b.Shape)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, ops.NumElems(d.Out))
	for bi := range ops.NumElems(d.Batch) {
		ao, bo := d.Offsets(bi)
		for i := range d.M {
			for j := range d.N {
				var s float64
				for l := range d.K {
					s += elem(a, ao+i*d.K+l) * elem(b, bo+l*d.N+j)
				}
				out[(bi*d.M+i)*d.N+j] = s
			}
		}
	}
	return out
}

// sameElems checks that got holds want exactly.
func sameElems(t *testing.T, what string, got *ops.Tensor, want []float64) {
	t.Helper()
	if got.Len() != len(want) {
		t.Fatalf("%s: %d elements, want %d", what, got.Len(), len(want))
	}
	for i, w := range want {
		if g := elem(got, i); g != w {
			t.Errorf("%s: element %d is %v, want %v", what, i, g, w)
			return
		}
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
