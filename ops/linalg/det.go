package linalg

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Det (opset 11, 22) gives the determinant of each square matrix in the
// trailing two dims of X (shape [*, M, M]; the output has shape [*]), for
// float32 and float64. Each matrix is factored in float64 by Gaussian
// elimination with partial pivoting (LU): the determinant is the product
// of the pivots, negated for each row swap. A 0x0 matrix has determinant 1,
// a singular one 0; a NaN anywhere in a matrix gives NaN.
func init() {
	for _, v := range []int{11, 22} {
		ops.Register("", "Det", v, func(n *onnx.Node, opset int) (ops.Op, error) { return detOp{}, nil })
	}
}

// detOp is a built Det.
type detOp struct{}

// Infer checks X and drops its matrix dims.
func (detOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if !ops.IsFloat(x.Type) {
		if err := ops.CheckElemType(x, "X"); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("input \"X\" has type %s, want float32 or float64", ops.TypeName(x.Type))
	}
	r := len(x.Shape)
	if r < 2 || x.Shape[r-1] != x.Shape[r-2] {
		return nil, fmt.Errorf("input \"X\" has shape %v, want [..., M, M]", x.Shape)
	}
	return []ops.Value{{Type: x.Type, Shape: x.Shape[:r-2]}}, nil
}

// Run computes the determinants.
func (d detOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(d, ctx, in, out)
}

// Bind splits the matrices into one task per thread, each with its own
// float64 copy of the matrix it factors.
func (detOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x := in[0]
	m := x.Shape[len(x.Shape)-1]
	if x.Type == onnx.Float {
		return bindDet[float32](ctx.Par, x, out[0], m), nil
	}
	return bindDet[float64](ctx.Par, x, out[0], m), nil
}

func bindDet[T ops.Float](par ops.Parallel, x, y *ops.Tensor, m int) func() error {
	var lu [][]float64
	var xs, ys []T
	tasks, loop := ops.BindTasks(par, y.Len(), m*m*m, func(t, lo, hi int) {
		a := lu[t]
		for i := lo; i < hi; i++ {
			nan := false
			for j, v := range xs[i*m*m:][:m*m] {
				a[j] = float64(v)
				nan = nan || v != v
			}
			if nan {
				ys[i] = T(math.NaN())
				continue
			}
			ys[i] = T(luDet(a, m))
		}
	})
	lu = make([][]float64, tasks)
	for i := range lu {
		lu[i] = make([]float64, m*m)
	}
	return func() error {
		xs, ys = ops.Elems[T](x), ops.Elems[T](y)
		loop()
		return nil
	}
}

// luDet is the determinant of the m x m row-major matrix a, free of NaN,
// which it overwrites with its elimination.
func luDet(a []float64, m int) float64 {
	det := 1.0
	for c := range m {
		p, best := c, -1.0
		for r := c; r < m; r++ {
			if v := math.Abs(a[r*m+c]); v > best {
				p, best = r, v
			}
		}
		if best == 0 {
			return 0
		}
		if p != c {
			pr, cr := a[p*m:][:m], a[c*m:][:m]
			for j := range cr {
				pr[j], cr[j] = cr[j], pr[j]
			}
			det = -det
		}
		piv := a[c*m+c]
		det *= piv
		prow := a[c*m:][:m]
		for r := c + 1; r < m; r++ {
			row := a[r*m:][:m]
			f := row[c] / piv
			if f == 0 {
				continue
			}
			for j := c + 1; j < m; j++ {
				row[j] -= f * prow[j]
			}
		}
	}
	return det
}
