package elem

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/fmath"
)

// SwiGLU (opset 28) gates a value by the Swish of a gate: Y = A *
// sigmoid(alpha*A) * B, for A and B of one shape (no broadcasting), float32
// or float64. The sigmoid runs on fmath's block kernel, so it neither
// overflows nor loses tiny results.
func init() {
	ops.Register("", "SwiGLU", 28, buildSwiGLU)
}

// swiGLU is a built SwiGLU.
type swiGLU struct{ alpha float32 }

func buildSwiGLU(n *onnx.Node, _ int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &swiGLU{alpha: a.Float("alpha", 1)}
	return op, a.Err()
}

// Infer checks that A and B are floats of one type and shape.
func (op *swiGLU) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	a, b := in[0], in[1]
	if !ops.IsFloat(a.Type) {
		return nil, fmt.Errorf("input A has type %s, want float32 or float64", ops.TypeName(a.Type))
	}
	if b.Type != a.Type || !ops.SameShape(a.Shape, b.Shape) {
		return nil, fmt.Errorf("input B is %s%v, input A %s%v: they must have one type and shape", ops.TypeName(b.Type), b.Shape, ops.TypeName(a.Type), a.Shape)
	}
	return []ops.Value{{Type: a.Type, Shape: a.Shape}}, nil
}

// InPlace lets Y overwrite A.
func (op *swiGLU) InPlace(in []ops.Value) int { return 0 }

// Run computes Y.
func (op *swiGLU) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind makes the loop once.
func (op *swiGLU) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	if in[0].Type == onnx.Double {
		return bindSwiGLU[float64](ctx.Par, op.alpha, in, out), nil
	}
	return bindSwiGLU[float32](ctx.Par, op.alpha, in, out), nil
}

// bindSwiGLU binds Y = A*sigmoid(alpha*A)*B in type T, blockwise.
func bindSwiGLU[T ops.Float](par ops.Parallel, alpha float32, in, out []*ops.Tensor) func() error {
	var a, b, y []T
	al := T(alpha)
	body := func(lo, hi int) {
		var buf [fmath.Block]T
		for i := lo; i < hi; i += fmath.Block {
			n := min(fmath.Block, hi-i)
			s := buf[:n]
			for j, v := range a[i : i+n] {
				s[j] = al * v
			}
			fmath.SigmoidBlock(s, s)
			for j := range s {
				y[i+j] = a[i+j] * s[j] * b[i+j]
			}
		}
	}
	n := out[0].Len()
	return func() error {
		a, b, y = ops.Elems[T](in[0]), ops.Elems[T](in[1]), ops.Elems[T](out[0])
		par.For(n, ops.Grain/8, body)
		return nil
	}
}
