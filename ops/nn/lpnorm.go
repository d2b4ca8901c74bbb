package nn

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// LpNormalization (1, 22): every vector along axis (default -1) divided by
// its L1 (p=1) or L2 (p=2) norm, a zero vector giving zeros. Float32 and
// float64; norms accumulate in float64.
func init() {
	for _, v := range []int{1, 22} {
		ops.Register("", "LpNormalization", v, buildLpNorm)
	}
}

// lpNormOp is LpNormalization.
type lpNormOp struct {
	axis int64
	p    int
}

func buildLpNorm(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &lpNormOp{axis: a.Int("axis", -1)}
	p := a.Int("p", 2)
	if err := a.Err(); err != nil {
		return nil, err
	}
	if p != 1 && p != 2 {
		return nil, fmt.Errorf("attribute \"p\" is %d, want 1 or 2", p)
	}
	op.p = int(p)
	return op, nil
}

// Infer checks the input; the output has its shape.
func (op *lpNormOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if err := checkFloatInput(in[0], "input"); err != nil {
		return nil, err
	}
	if _, err := ops.NormAxis(int(op.axis), len(in[0].Shape)); err != nil {
		return nil, fmt.Errorf("attribute \"axis\": %w", err)
	}
	return []ops.Value{{Type: in[0].Type, Shape: in[0].Shape}}, nil
}

// InPlace lets the output overwrite the input: each vector is read
// whole before it is written.
func (op *lpNormOp) InPlace(in []ops.Value) int { return 0 }

// Run normalizes.
func (op *lpNormOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind binds the loop over vectors.
func (op *lpNormOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	shape := in[0].Shape
	axis, err := ops.NormAxis(int(op.axis), len(shape))
	if err != nil {
		return nil, fmt.Errorf("attribute \"axis\": %w", err)
	}
	n, inner := shape[axis], ops.NumElems(shape[axis+1:])
	vectors := ops.NumElems(shape[:axis]) * inner
	grain := max(1, ops.Grain/max(n, 1))
	if in[0].Type == onnx.Double {
		job := new(lpNormJob[float64])
		return ops.BindLoop(ctx.Par, vectors, grain, job, func() {
			*job = lpNormJob[float64]{in[0].F64(), out[0].F64(), n, inner, op.p}
		}), nil
	}
	job := new(lpNormJob[float32])
	return ops.BindLoop(ctx.Par, vectors, grain, job, func() {
		*job = lpNormJob[float32]{in[0].F32(), out[0].F32(), n, inner, op.p}
	}), nil
}

// lpNormJob normalizes vectors [lo, hi) of n elements inner apart, vector
// v starting at (v/inner)*n*inner + v%inner.
type lpNormJob[T ops.Float] struct {
	x, y     []T
	n, inner int
	p        int
}

func (j lpNormJob[T]) Run(lo, hi int) {
	for v := lo; v < hi; v++ {
		start := v/j.inner*j.n*j.inner + v%j.inner
		var norm float64
		for k := range j.n {
			x := float64(j.x[start+k*j.inner])
			if j.p == 1 {
				norm += math.Abs(x)
			} else {
				norm += x * x
			}
		}
		if j.p == 2 {
			norm = math.Sqrt(norm)
		}
		for k := range j.n {
			i := start + k*j.inner
			if norm == 0 {
				j.y[i] = 0
			} else {
				j.y[i] = T(float64(j.x[i]) / norm)
			}
		}
	}
}
