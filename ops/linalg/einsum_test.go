package linalg

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// naiveEinsum evaluates an explicit equation of letters only ("ij,jk->ik")
// by visiting every assignment of the letters: a dim of size 1 broadcasts
// (is read at index 0) against the letter's size elsewhere.
func naiveEinsum(eq string, shapes [][]int, xs [][]float64) ([]int, []float64) {
	lhs, out, _ := strings.Cut(eq, "->")
	terms := strings.Split(lhs, ",")
	size := map[byte]int{}
	var letters []byte
	for i, t := range terms {
		for k := range len(t) {
			if _, ok := size[t[k]]; !ok {
				letters = append(letters, t[k])
			}
			size[t[k]] = max(size[t[k]], shapes[i][k])
		}
	}
	outShape := make([]int, len(out))
	for k := range len(out) {
		outShape[k] = size[out[k]]
	}
	res := make([]float64, ops.NumElems(outShape))
	total := 1
	for _, l := range letters {
		total *= size[l]
	}
	idx := map[byte]int{}
	for n := range total {
		r := n
		for _, l := range letters {
			idx[l] = r % size[l]
			r /= size[l]
		}
		prod := 1.0
		for i, t := range terms {
			off := 0
			for k := range len(t) {
				j := idx[t[k]]
				if shapes[i][k] == 1 {
					j = 0
				}
				off = off*shapes[i][k] + j
			}
			prod *= xs[i][off]
		}
		o := 0
		for k := range len(out) {
			o = o*outShape[k] + idx[out[k]]
		}
		res[o] += prod
	}
	return outShape, res
}

// TestEinsumNaive compares equations of every kind with naiveEinsum (given
// the same equation with letters for the broadcast dims and the implicit
// output spelled out) in float32, float64 and int32.
func TestEinsumNaive(t *testing.T) {
	cases := []struct {
		eq, naive string
		shapes    [][]int
	}{
		{"ij,jk->ik", "ij,jk->ik", [][]int{{3, 4}, {4, 5}}},
		{"ij,jk", "ij,jk->ik", [][]int{{7, 9}, {9, 6}}},
		{"bij,bjk->bik", "bij,bjk->bik", [][]int{{2, 3, 4}, {2, 4, 5}}},
		{"...ij,...jk->...ik", "zij,zjk->zik", [][]int{{2, 3, 4}, {1, 4, 5}}},
		{"...ij,jk", "yzij,jk->yzik", [][]int{{2, 2, 3, 4}, {4, 2}}},
		{"ij->ji", "ij->ji", [][]int{{3, 5}}},
		{"ii->i", "ii->i", [][]int{{4, 4}}},
		{"ii", "ii->", [][]int{{5, 5}}},
		{"bii->bi", "bii->bi", [][]int{{2, 3, 3}}},
		{"...ii->...i", "zii->zi", [][]int{{3, 4, 4}}},
		{"ij->", "ij->", [][]int{{3, 4}}},
		{"i,i", "i,i->", [][]int{{7}, {7}}},
		{"i,j->ij", "i,j->ij", [][]int{{3}, {4}}},
		{"i,j", "i,j->ij", [][]int{{3}, {4}}},
		{"ba,ca", "ba,ca->bc", [][]int{{3, 4}, {2, 4}}},
		{"ij,jk,kl->il", "ij,jk,kl->il", [][]int{{2, 3}, {3, 4}, {4, 5}}},
		{"abc,cd,bd->a", "abc,cd,bd->a", [][]int{{2, 3, 4}, {4, 5}, {3, 5}}},
		{"ij,ij->ij", "ij,ij->ij", [][]int{{3, 4}, {3, 4}}},
		{"ij,kj->ikj", "ij,kj->ikj", [][]int{{2, 3}, {4, 3}}},
		{"iij,jk->ik", "iij,jk->ik", [][]int{{3, 3, 4}, {4, 2}}},
		{"ij,j->i", "ij,j->i", [][]int{{3, 4}, {1}}},
		{"Ab,bC->CA", "Ab,bC->CA", [][]int{{2, 3}, {3, 4}}},
		{"i...,i...->...", "iz,iz->z", [][]int{{3, 4}, {3, 1}}},
		{"ij, jk -> ik", "ij,jk->ik", [][]int{{2, 2}, {2, 2}}},
		{"ijk,ikl->ijl", "ijk,ikl->ijl", [][]int{{2, 0, 3}, {2, 3, 4}}},
		{"ij,jk->ik", "ij,jk->ik", [][]int{{2, 0}, {0, 3}}},
		{"ij,jk->ik", "ij,jk->ik", [][]int{{40, 70}, {70, 50}}},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range cases {
		xs := make([][]float64, len(c.shapes))
		for i, s := range c.shapes {
			xs[i] = make([]float64, ops.NumElems(s))
			for j := range xs[i] {
				xs[i][j] = float64(rng.IntN(7) - 3)
			}
		}
		wantShape, want := naiveEinsum(c.naive, c.shapes, xs)
		for _, dt := range []ops.DType{onnx.Float, onnx.Double, onnx.Int32} {
			ins := make([]*ops.Tensor, len(xs))
			for i, x := range xs {
				ins[i] = ops.New(dt, c.shapes[i]...)
				for j, v := range x {
					setNumber(ins[i], j, v)
				}
			}
			wantT := ops.New(dt, wantShape...)
			for j, v := range want {
				setNumber(wantT, j, v)
			}
			label := fmt.Sprintf("Einsum %q %s", c.eq, ops.TypeName(dt))
			out, err := opstest.Eval(opstest.Node("Einsum", opstest.InNames(len(ins)), 1, opstest.AttrS("equation", c.eq)), 12, ins...)
			if err != nil {
				t.Errorf("%s: %v", label, err)
				continue
			}
			if err := opstest.SameTensor(out[0], wantT, 1e-6, 1e-6); err != nil {
				t.Errorf("%s: %v", label, err)
			}
		}
	}
}

// setNumber stores v, converted to t's type, as element i of t.
func setNumber(t *ops.Tensor, i int, v float64) {
	switch t.Type {
	case onnx.Float:
		t.F32()[i] = float32(v)
	case onnx.Double:
		t.F64()[i] = v
	case onnx.Int32:
		t.I32()[i] = int32(v)
	}
}

func TestEinsumErrors(t *testing.T) {
	x := opstest.Iota32(2, 3)
	cases := []struct {
		name, eq string
		in       []*ops.Tensor
		err      string
	}{
		{"bad letter", "i1->i", []*ops.Tensor{x}, "want letters"},
		{"two ellipses", "...i...->i", []*ops.Tensor{x}, "two ellipses"},
		{"output letter not in inputs", "ij->k", []*ops.Tensor{x}, "in no input"},
		{"output repeats", "ij->ii", []*ops.Tensor{x}, "repeats"},
		{"too many terms", "ij,jk->ik", []*ops.Tensor{x}, "2 terms for 1 inputs"},
		{"rank mismatch", "ijk->i", []*ops.Tensor{x}, "rank 2"},
		{"size mismatch", "ij,ij->i", []*ops.Tensor{x, opstest.Iota32(2, 4)}, "size 4"},
		{"diagonal of a non-square", "ii->i", []*ops.Tensor{x}, "sizes 2 and 3"},
		{"type mismatch", "ij,ij->ij", []*ops.Tensor{x, ops.New(onnx.Int32, 2, 3)}, "input 1 has type int32"},
		{"bool", "i->i", []*ops.Tensor{ops.New(onnx.Bool, 2)}, "numeric"},
	}
	for _, c := range cases {
		_, err := opstest.Eval(opstest.Node("Einsum", opstest.InNames(len(c.in)), 1, opstest.AttrS("equation", c.eq)), 12, c.in...)
		opstest.WantErr(t, c.name, err, c.err)
	}
	_, err := opstest.Eval(opstest.Node("Einsum", opstest.InNames(1), 1), 12, x)
	opstest.WantErr(t, "no equation", err, "required")
}

func TestLinalgNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_einsum_*", "test_det_*"); got != 8 {
		t.Errorf("%d Einsum/Det node tests passed, want 8", got)
	}
}

// TestEinsumWraps: integer types compute in int64 and narrow back, which
// must give their own wrapping arithmetic, signed or not.
func TestEinsumWraps(t *testing.T) {
	x := opstest.Typed(opstest.Sh(2, 3), int8(100), -128, 127, 7, -9, 64)
	y := opstest.Typed(opstest.Sh(3, 2), int8(3), -2, 127, 5, 100, -128)
	want := make([]int8, 4)
	for i := range 2 {
		for k := range 2 {
			var s int8
			for j := range 3 {
				s += ops.Elems[int8](x)[i*3+j] * ops.Elems[int8](y)[j*2+k]
			}
			want[i*2+k] = s
		}
	}
	out, err := opstest.Eval(opstest.Node("Einsum", opstest.InNames(2), 1, opstest.AttrS("equation", "ij,jk->ik")), 12, x, y)
	if err != nil {
		t.Fatal(err)
	}
	if err := opstest.SameTensor(out[0], opstest.Typed(opstest.Sh(2, 2), want...), 0, 0); err != nil {
		t.Errorf("int8: %v", err)
	}
	u := opstest.Typed(opstest.Sh(4), uint64(1<<63+5), 3, 1<<40, 9)
	out, err = opstest.Eval(opstest.Node("Einsum", opstest.InNames(2), 1, opstest.AttrS("equation", "i,i->")), 12, u, u)
	if err != nil {
		t.Fatal(err)
	}
	var s uint64
	for _, v := range ops.Elems[uint64](u) {
		s += v * v
	}
	if got := ops.Elems[uint64](out[0])[0]; got != s {
		t.Errorf("uint64 dot: got %d, want %d", got, s)
	}
}
