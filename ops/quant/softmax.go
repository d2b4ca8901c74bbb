package quant

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// The com.microsoft QLinearSoftmax (version 1) is Softmax on a uint8/int8
// tensor: Y = quantize(softmax(dequantize(X))), scales and zero points per
// tensor (zero points optional, 0). Attribute opset (required) is the
// Softmax version it stands for: before 13 the softmax runs over the
// flattened axes from axis on, from 13 along axis alone; axis defaults to
// -1 for both (the schema's default, which ONNX Runtime applies, not
// Softmax-12's 1). It is computed as ONNX Runtime computes it: with m the
// row's largest value, each x maps to e(m - x) where
// e(d) = float32(exp((-d + b)·X_scale)), b a shift that keeps the row's
// float32 sum finite; with S that sum,
// y = round_half_even(e(m - x)·floor(1/y_scale) / S) + y_zero_point, in
// float32 (ONNX Runtime's floor of the reciprocal scale included),
// saturated (where ONNX Runtime lets int8 values above 127 wrap).
func init() {
	ops.Register("com.microsoft", "QLinearSoftmax", 1, func(n *onnx.Node, _ int) (ops.Op, error) {
		a := ops.AttrsOf(n)
		if !a.Has("opset") {
			return nil, fmt.Errorf("attribute \"opset\" is required")
		}
		opset := a.Int("opset", 0)
		axis := a.Int("axis", -1)
		if err := a.Err(); err != nil {
			return nil, err
		}
		return qlinearSoftmax{axis: axis, flatten: opset < 13}, nil
	})
}

// qlinearSoftmax is a built QLinearSoftmax.
type qlinearSoftmax struct {
	axis    int64
	flatten bool // Softmax before opset 13: over the axes from axis on
}

var qlinearSoftmaxNames = []string{"X", "X_scale", "x_zero_point", "y_scale", "y_zero_point"}

// rows returns the softmax rows of shape: their number, length and the
// stride of their elements.
func (q qlinearSoftmax) rows(shape []int) (rows, d, inner int, err error) {
	axis, err := ops.AxisIn(q.axis, len(shape), true)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("attribute \"axis\": %w", err)
	}
	if q.flatten {
		return ops.NumElems(shape[:axis]), ops.NumElems(shape[axis:]), 1, nil
	}
	inner = ops.NumElems(shape[axis+1:])
	return ops.NumElems(shape[:axis]) * inner, shape[axis], inner, nil
}

// Infer checks the inputs; Y has X's type and shape.
func (q qlinearSoftmax) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := checkQOperands(in, qlinearSoftmaxNames, []int{0}, []int{1, 3}, []int{2, 4}); err != nil {
		return nil, err
	}
	if _, _, _, err := q.rows(in[0].Shape); err != nil {
		return nil, err
	}
	return []ops.Value{{Type: in[0].Type, Shape: in[0].Shape}}, nil
}

// Run computes out[0].
func (q qlinearSoftmax) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(q, ctx, in, out)
}

// Bind resolves the rows and makes the loop once.
func (q qlinearSoftmax) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	rows, d, inner, err := q.rows(in[0].Shape)
	if err != nil {
		return nil, err
	}
	if in[0].Type == onnx.Int8 {
		return bindQSoftmax[int8](ctx.Par, rows, d, inner, in, out[0]), nil
	}
	return bindQSoftmax[uint8](ctx.Par, rows, d, inner, in, out[0]), nil
}

// bindQSoftmax binds the loop over rows of d elements inner apart.
func bindQSoftmax[T quant8](par ops.Parallel, rows, d, inner int, in []*ops.Tensor, out *ops.Tensor) func() error {
	var x, y []T
	var exps [256]float32 // e(m - x), indexed by m - x
	var yscale, zy float32
	lo, hi := quantBounds[T]()
	body := func(l, h int) {
		for r := l; r < h; r++ {
			base := r/inner*d*inner + r%inner
			m := x[base]
			for j := 1; j < d; j++ {
				m = max(m, x[base+j*inner])
			}
			var sum float32
			for j := range d {
				sum += exps[int(m)-int(x[base+j*inner])]
			}
			for j := range d {
				i := base + j*inner
				v := float32(exps[int(m)-int(x[i])]*yscale) / sum
				y[i] = T(quantClamp(math.RoundToEven(float64(v))+float64(zy), lo, hi))
			}
		}
	}
	return func() error {
		if rows == 0 || d == 0 {
			return nil
		}
		x, y = ops.Elems[T](in[0]), ops.Elems[T](out)
		xs := float64(in[1].F32()[0])
		shift := max(0, math.Log(float64(math.MaxFloat32/float32(d)))-5) / xs
		for i := range exps {
			exps[i] = float32(math.Exp((float64(-i) + shift) * xs))
		}
		yscale = float32(math.Floor(float64(1 / in[3].F32()[0])))
		zy = 0
		if t := ops.InputAt(in, 4); t != nil {
			zy = float32(ops.View[T](t.Data)[0])
		}
		par.For(rows, max(1, ops.Grain/max(1, 3*d)), body)
		return nil
	}
}
