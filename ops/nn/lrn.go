package nn

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func init() {
	for _, v := range []int{1, 13} {
		ops.Register("", "LRN", v, buildLRN)
	}
}

// lrnOp is LRN, local response normalization across channels:
// y = x / (bias + alpha/size * sum of x² over the channel window)^beta,
// the window of channel c being [c - floor((size-1)/2), c + ceil((size-1)/2)]
// clipped to the channels.
type lrnOp struct {
	alpha, beta, bias float32
	size              int
}

func buildLRN(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	l := &lrnOp{alpha: a.Float("alpha", 1e-4), beta: a.Float("beta", 0.75), bias: a.Float("bias", 1)}
	size := a.Int("size", 0)
	if err := a.Err(); err != nil {
		return nil, err
	}
	if !a.Has("size") || size < 1 {
		return nil, fmt.Errorf("attribute \"size\" is required and must be positive (got %d)", size)
	}
	l.size = int(size)
	return l, nil
}

// Infer checks X; Y has its shape.
func (l *lrnOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if err := ops.CheckFloat(in[0], "X", false); err != nil {
		return nil, err
	}
	if len(in[0].Shape) < 2 {
		return nil, fmt.Errorf("input \"X\" has shape %v, want [N, C, ...]", in[0].Shape)
	}
	return []ops.Value{{Type: onnx.Float, Shape: in[0].Shape}}, nil
}

// Run computes Y, one (batch, channel) plane per task.
func (l *lrnOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error { return ops.RunBound(l, ctx, in, out) }

// Bind binds the loop over planes.
func (l *lrnOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	n, c := in[0].Shape[0], in[0].Shape[1]
	plane := in[0].Len() / max(1, n*c)
	job := new(lrnJob)
	return ops.BindLoop(ctx.Par, n*c, 1, job, func() { *job = lrnJob{l, in[0].F32(), out[0].F32(), c, plane} }), nil
}

// lrnJob normalizes (batch, channel) planes of plane values.
type lrnJob struct {
	l            *lrnOp
	x, y         []float32
	chans, plane int
}

func (j lrnJob) Run(lo, hi int) {
	l, c, plane := j.l, j.chans, j.plane
	before, after := (l.size-1)/2, l.size/2
	scale := float64(l.alpha) / float64(l.size)
	for r := lo; r < hi; r++ {
		b, ch := r/c, r%c
		c0, c1 := max(0, ch-before), min(c-1, ch+after)
		dst := j.y[r*plane : (r+1)*plane]
		for i := range dst {
			var sq float64
			for k := c0; k <= c1; k++ {
				v := float64(j.x[(b*c+k)*plane+i])
				sq += v * v
			}
			dst[i] = float32(float64(j.x[r*plane+i]) / math.Pow(float64(l.bias)+scale*sq, float64(l.beta)))
		}
	}
}
