package nn

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func init() {
	for _, v := range []int{7, 9, 14, 15} {
		ops.Register("", "BatchNormalization", v, buildBatchNorm)
	}
}

// batchNormOp is BatchNormalization in inference mode: per channel (or per
// activation with opset 7's spatial=0) y = x*a + b, where
// a = scale/sqrt(var+epsilon) and b = B - mean*a. With constant parameters
// a and b are computed once by Prepare.
type batchNormOp struct {
	epsilon float32
	spatial bool
	ab      []float32 // a then b, set by Prepare when the parameters are constant
}

func buildBatchNorm(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	bn := &batchNormOp{
		epsilon: a.Float("epsilon", 1e-5),
		spatial: a.Int("spatial", 1) != 0,
	}
	training := a.Int("training_mode", 0) != 0
	if err := a.Err(); err != nil {
		return nil, err
	}
	if training {
		return nil, fmt.Errorf("attribute \"training_mode\" is 1: training mode is %w (inference only)", ops.ErrUnsupported)
	}
	for _, o := range n.Outputs[min(1, len(n.Outputs)):] {
		if o != "" {
			return nil, fmt.Errorf("output %q: running or saved statistics are training outputs, %w (inference only)", o, ops.ErrUnsupported)
		}
	}
	if !bn.spatial && opset >= 9 {
		return nil, fmt.Errorf("attribute \"spatial\" was removed in opset 9")
	}
	return bn, nil
}

// paramShape is the shape scale, B, mean and var must have for x.
func (bn *batchNormOp) paramShape(x []int) []int {
	if bn.spatial {
		return x[1:2]
	}
	return x[1:]
}

// Infer checks X and the four parameters; Y has X's shape.
func (bn *batchNormOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 5, 5); err != nil {
		return nil, err
	}
	names := [...]string{"X", "scale", "B", "input_mean", "input_var"}
	for i, v := range in {
		if err := ops.CheckFloat(v, names[i], false); err != nil {
			return nil, err
		}
	}
	x := in[0].Shape
	if len(x) < 2 {
		return nil, fmt.Errorf("input \"X\" has shape %v, want [N, C, ...]", x)
	}
	want := bn.paramShape(x)
	for i, v := range in[1:] {
		if !ops.SameShape(v.Shape, want) {
			return nil, fmt.Errorf("input %q has shape %v, want %v", names[i+1], v.Shape, want)
		}
	}
	return []ops.Value{{Type: onnx.Float, Shape: x}}, nil
}

// InPlace lets Y overwrite X.
func (bn *batchNormOp) InPlace(in []ops.Value) int { return 0 }

// coefficients writes a into ab[:n] and b into ab[n:].
func (bn *batchNormOp) coefficients(scale, bias, mean, variance, ab []float32) {
	n := len(ab) / 2
	for i := range n {
		a := scale[i] / float32(math.Sqrt(float64(variance[i]+bn.epsilon)))
		ab[i], ab[n+i] = a, bias[i]-mean[i]*a
	}
}

// Prepare computes a and b when the parameters are constant.
func (bn *batchNormOp) Prepare(in []ops.Value) error {
	if len(in) != 5 {
		return nil
	}
	for _, v := range in[1:] {
		if v.Const == nil || v.Type != onnx.Float {
			return nil
		}
	}
	bn.ab = make([]float32, 2*in[1].Const.Len())
	bn.coefficients(in[1].Const.F32(), in[2].Const.F32(), in[3].Const.F32(), in[4].Const.F32(), bn.ab)
	return nil
}

// Workspace holds a and b when they are computed at run time.
func (bn *batchNormOp) Workspace(in []ops.Value) int {
	if len(in) < 2 {
		return 0
	}
	return 8 * ops.NumElems(in[1].Shape)
}

// Run computes Y.
func (bn *batchNormOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	x, y := in[0].F32(), out[0].F32()
	ab, err := bn.abSpace(ctx, in)
	if err != nil {
		return err
	}
	if bn.ab == nil {
		bn.coefficients(in[1].F32(), in[2].F32(), in[3].F32(), in[4].F32(), ab)
	}
	rows, inner := bn.rows(in)
	ops.ParallelRange(ctx.Par, rows, max(1, 4096/max(inner, 1)), affineJob{x, y, ab[:len(ab)/2], ab[len(ab)/2:], inner})
	return nil
}

// Bind binds the loop over rows; a and b are computed at every call when
// the parameters are not constant.
func (bn *batchNormOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	ab, err := bn.abSpace(ctx, in)
	if err != nil {
		return nil, err
	}
	rows, inner := bn.rows(in)
	return ops.BindLoop(ctx.Par, rows, max(1, 4096/max(inner, 1)), func() affineJob {
		if bn.ab == nil {
			bn.coefficients(in[1].F32(), in[2].F32(), in[3].F32(), in[4].F32(), ab)
		}
		return affineJob{in[0].F32(), out[0].F32(), ab[:len(ab)/2], ab[len(ab)/2:], inner}
	}), nil
}

// abSpace returns the prepared a and b, or the scratch space for them.
func (bn *batchNormOp) abSpace(ctx *ops.Ctx, in []*ops.Tensor) ([]float32, error) {
	if bn.ab != nil {
		return bn.ab, nil
	}
	params := in[1].Len()
	ab := ops.View[float32](ctx.Scratch)
	if len(ab) < 2*params {
		return nil, fmt.Errorf("scratch has %d bytes, need %d", len(ctx.Scratch), 8*params)
	}
	return ab[:2*params], nil
}

// rows is the number of rows of X with one parameter each, and their length.
func (bn *batchNormOp) rows(in []*ops.Tensor) (rows, inner int) {
	params := in[1].Len()
	return in[0].Shape[0] * params, in[0].Len() / max(1, in[0].Shape[0]*params)
}

// affineJob computes y = x*a[c] + b[c] over rows of inner values, row r
// using parameter c = r mod len(a).
type affineJob struct {
	x, y, a, b []float32
	inner      int
}

func (j affineJob) Run(lo, hi int) {
	for r := lo; r < hi; r++ {
		c := r % len(j.a)
		ac, bc := j.a[c], j.b[c]
		src, dst := j.x[r*j.inner:(r+1)*j.inner], j.y[r*j.inner:(r+1)*j.inner]
		for i, v := range src {
			dst[i] = v*ac + bc
		}
	}
}
