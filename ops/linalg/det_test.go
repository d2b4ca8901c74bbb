package linalg

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// naiveDet is the determinant by Laplace expansion along the first row.
func naiveDet(a []float64, m int) float64 {
	if m == 0 {
		return 1
	}
	det := 0.0
	sub := make([]float64, (m-1)*(m-1))
	for c := range m {
		k := 0
		for r := 1; r < m; r++ {
			for j := range m {
				if j != c {
					sub[k] = a[r*m+j]
					k++
				}
			}
		}
		term := a[c] * naiveDet(sub, m-1)
		if c%2 == 1 {
			term = -term
		}
		det += term
	}
	return det
}

// TestDetNaive compares batches of random matrices (some singular, some
// needing row swaps) with naiveDet in float32 and float64.
func TestDetNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, shape := range [][]int{{1, 1}, {2, 2}, {3, 3}, {5, 4, 4}, {2, 3, 5, 5}, {7, 6, 6}, {0, 3, 3}, {2, 0, 0}} {
		m := shape[len(shape)-1]
		mats := ops.NumElems(shape[:len(shape)-2])
		x64 := ops.New(onnx.Double, shape...)
		x32 := ops.New(onnx.Float, shape...)
		want64 := ops.New(onnx.Double, shape[:len(shape)-2]...)
		want32 := ops.New(onnx.Float, shape[:len(shape)-2]...)
		for i := range mats {
			a := x64.F64()[i*m*m:][:m*m]
			for j := range a {
				a[j] = float64(rng.IntN(9) - 4)
				if i%3 == 1 && j < m { // a zero first column: the first pivot needs a swap
					a[j*m%len(a)] = 0
				}
			}
			if i%4 == 3 && m > 1 { // two equal rows: singular
				copy(a[m:2*m], a[:m])
			}
			for j, v := range a {
				x32.F32()[i*m*m+j] = float32(v)
			}
			want64.F64()[i] = naiveDet(a, m)
			want32.F32()[i] = float32(want64.F64()[i])
		}
		for _, c := range []struct{ x, want *ops.Tensor }{{x64, want64}, {x32, want32}} {
			out, err := opstest.Eval(opstest.Node("Det", opstest.InNames(1), 1), 22, c.x)
			label := fmt.Sprintf("Det %v", c.x)
			if err != nil {
				t.Errorf("%s: %v", label, err)
				continue
			}
			if err := opstest.SameTensor(out[0], c.want, 1e-9, 1e-9); err != nil {
				t.Errorf("%s: %v", label, err)
			}
		}
	}
}

func TestDetSpecial(t *testing.T) {
	nan := math.NaN()
	x := opstest.Typed(opstest.Sh(3, 2, 2), 0.0, 0, 0, 1, 0, nan, 0, 1, 1e300, 0, 0, 1e10)
	out, err := opstest.Eval(opstest.Node("Det", opstest.InNames(1), 1), 11, x)
	if err != nil {
		t.Fatal(err)
	}
	got := out[0].F64()
	if got[0] != 0 || !math.IsNaN(got[1]) || !math.IsInf(got[2], 1) {
		t.Errorf("det of a zero column, a NaN behind a zero column and a huge diagonal: %v, want [0 NaN +Inf]", got)
	}
	for _, c := range []struct {
		name string
		x    *ops.Tensor
		err  string
	}{
		{"vector", opstest.F32s(1, 2), "want [..., M, M]"},
		{"not square", opstest.Iota32(2, 3), "want [..., M, M]"},
		{"int", ops.New(onnx.Int32, 2, 2), "want float32 or float64"},
	} {
		_, err := opstest.Eval(opstest.Node("Det", opstest.InNames(1), 1), 22, c.x)
		opstest.WantErr(t, c.name, err, c.err)
	}
}
