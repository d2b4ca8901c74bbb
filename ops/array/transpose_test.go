package array

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// naiveTranspose moves each element by its coordinates, byte by byte.
func naiveTranspose(x *ops.Tensor, perm []int) *ops.Tensor {
	shape := make([]int, len(perm))
	for i, p := range perm {
		shape[i] = x.Shape[p]
	}
	y := ops.New(x.Type, shape...)
	es, st := ops.ElemSize(x.Type), ops.Strides(x.Shape)
	for o := range y.Len() {
		src, rem := 0, o
		for i := len(shape) - 1; i >= 0; i-- {
			src += rem % shape[i] * st[perm[i]]
			rem /= shape[i]
		}
		copy(y.Data[o*es:(o+1)*es], x.Data[src*es:])
	}
	return y
}

// permutations lists every permutation of 0..n-1.
func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			out = append(out, q)
		}
	}
	return out
}

// TestTransposeNaive compares every permutation of ranks 0 to 4, for every
// element size, with a naive transpose; the shapes have dims above the tile
// size and of 1, and narrow matrices taller than a band, so the row, tile,
// column and strided paths and the merging of dims all run.
func TestTransposeNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := [][]int{{}, {7}, {18, 3}, {2, 17, 1}, {1, 20, 5, 7}, {2, 3, 19, 4}, {700, 3}, {3, 40, 33}}
	for _, dt := range []ops.DType{onnx.Bool, onnx.Int16, onnx.Float, onnx.Int64} {
		for _, shape := range shapes {
			x := opstest.RandomBytes(rng, dt, shape...)
			for _, perm := range permutations(len(shape)) {
				ints := make([]int64, len(perm))
				for i, p := range perm {
					ints[i] = int64(p)
				}
				out, err := opstest.Eval(opstest.Node("Transpose", opstest.InNames(1), 1, opstest.AttrIs("perm", ints...)), 13, x)
				label := fmt.Sprintf("Transpose %s perm %v", x, perm)
				if err != nil {
					t.Errorf("%s: %v", label, err)
					continue
				}
				opstest.WantTensor(t, label, out[0], naiveTranspose(x, perm))
			}
		}
	}
}

func TestTransposeHand(t *testing.T) {
	x := opstest.WithShape(opstest.F32s(1, 2, 3, 4, 5, 6), 2, 3)
	out, err := opstest.Eval(opstest.Node("Transpose", opstest.InNames(1), 1), 1, x)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "default perm", out[0], opstest.WithShape(opstest.F32s(1, 4, 2, 5, 3, 6), 3, 2))
	// NCHW [1, 2, 2, 2] -> NHWC: each pixel's two channels side by side.
	x = opstest.WithShape(opstest.F32s(1, 2, 3, 4, 10, 20, 30, 40), 1, 2, 2, 2)
	out, err = opstest.Eval(opstest.Node("Transpose", opstest.InNames(1), 1, opstest.AttrIs("perm", 0, 2, 3, 1)), 13, x)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "NCHW->NHWC", out[0], opstest.WithShape(opstest.F32s(1, 10, 2, 20, 3, 30, 4, 40), 1, 2, 2, 2))
}

func TestTransposeErrors(t *testing.T) {
	for _, perm := range [][]int64{{0, 0}, {0, 2}, {-1, 0}} {
		_, err := ops.Build(opstest.Node("Transpose", opstest.InNames(1), 1, opstest.AttrIs("perm", perm...)), 13)
		opstest.WantErr(t, fmt.Sprintf("perm %v", perm), err, "permutation")
	}
	_, err := opstest.Eval(opstest.Node("Transpose", opstest.InNames(1), 1, opstest.AttrIs("perm", 1, 0)), 13, opstest.Iota32(2, 3, 4))
	opstest.WantErr(t, "perm of the wrong rank", err, "rank 3")
}

func TestTransposeNodeTests(t *testing.T) {
	if got := opstest.NodeTests(t, "test_transpose*"); got != 7 {
		t.Errorf("%d Transpose node tests passed, want 7", got)
	}
}

func BenchmarkTransposeNCHWToNHWC(b *testing.B) {
	x := opstest.Iota32(1, 64, 56, 56)
	y := ops.New(onnx.Float, 1, 56, 56, 64)
	op, err := ops.Build(opstest.Node("Transpose", opstest.InNames(1), 1, opstest.AttrIs("perm", 0, 2, 3, 1)), 13)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(x.Data)))
	for b.Loop() {
		if err := op.Run(&ops.Ctx{Par: ops.Serial{}}, []*ops.Tensor{x}, []*ops.Tensor{y}); err != nil {
			b.Fatal(err)
		}
	}
}
