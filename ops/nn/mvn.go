package nn

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// MeanVarianceNormalization (9, 13): y = (x - mean) / (sqrt(var) + 1e-9),
// mean and (population) variance taken over the axes attribute (default
// [0, 2, 3]: per channel of an NCHW tensor), the epsilon being the one of
// the operator's function body. Float32 and float64; the statistics
// accumulate in float64.
func init() {
	for _, v := range []int{9, 13} {
		ops.Register("", "MeanVarianceNormalization", v, buildMVN)
	}
}

// mvnEpsilon is added to the standard deviation, as the function body does.
const mvnEpsilon = 1e-9

// mvnOp is MeanVarianceNormalization.
type mvnOp struct{ axes []int64 }

func buildMVN(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	axes := a.Ints("axes")
	if err := a.Err(); err != nil {
		return nil, err
	}
	if !a.Has("axes") {
		axes = []int64{0, 2, 3}
	}
	return &mvnOp{axes: axes}, nil
}

// statsShape is X's shape with the reduced axes set to 1.
func (op *mvnOp) statsShape(x []int) ([]int, error) {
	axes, err := ops.AxesIn(op.axes, len(x), true)
	if err != nil {
		return nil, fmt.Errorf("attribute \"axes\": %w", err)
	}
	s := append([]int(nil), x...)
	for _, a := range axes {
		s[a] = 1
	}
	return s, nil
}

// Infer checks X; Y has its shape.
func (op *mvnOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if err := checkFloatInput(in[0], "X"); err != nil {
		return nil, err
	}
	if _, err := op.statsShape(in[0].Shape); err != nil {
		return nil, err
	}
	return []ops.Value{{Type: in[0].Type, Shape: in[0].Shape}}, nil
}

// Workspace holds the mean and the variance of every group, in float64.
func (op *mvnOp) Workspace(in []ops.Value) int {
	if len(in) != 1 {
		return 0
	}
	s, err := op.statsShape(in[0].Shape)
	if err != nil {
		return 0
	}
	return 16 * ops.NumElems(s)
}

// Run normalizes X: two passes over X gather the statistics, a third
// (parallel) writes Y. Each pass walks X as runs along which the
// statistics' index either stays or advances with X's.
func (op *mvnOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	x := in[0]
	s, err := op.statsShape(x.Shape)
	if err != nil {
		return err
	}
	groups := ops.NumElems(s)
	stats := ops.View[float64](ctx.Scratch)
	if len(stats) < 2*groups {
		return fmt.Errorf("scratch has %d bytes, need %d", len(ctx.Scratch), 16*groups)
	}
	plan := ops.NewBroadcastPlan(x.Shape, x.Shape, s)
	if x.Type == onnx.Double {
		runMVN(ctx.Par, plan, x.F64()[:x.Len()], out[0].F64(), stats[:groups], stats[groups:2*groups])
	} else {
		runMVN(ctx.Par, plan, x.F32()[:x.Len()], out[0].F32(), stats[:groups], stats[groups:2*groups])
	}
	return nil
}

// runMVN normalizes x into y with plan mapping x onto its statistics'
// groups; mean and scale are scratch for each group's mean and 1/(std+eps).
func runMVN[T ops.Float](par ops.Parallel, plan *ops.BroadcastPlan, x, y []T, mean, scale []float64) {
	n := len(x)
	clear(mean)
	clear(scale)
	count := float64(n) / float64(len(mean))
	plan.Walk(0, n, func(o, n, _, _, ib, nb int) {
		if nb == 1 {
			mean[ib] += sum(x[o : o+n])
			return
		}
		for i, v := range x[o : o+n] {
			mean[ib+i] += float64(v)
		}
	})
	for g := range mean {
		mean[g] /= count
	}
	plan.Walk(0, n, func(o, n, _, _, ib, nb int) {
		if nb == 1 {
			scale[ib] += sumSqDev(x[o:o+n], mean[ib])
			return
		}
		for i, v := range x[o : o+n] {
			d := float64(v) - mean[ib+i]
			scale[ib+i] += d * d
		}
	})
	for g := range scale {
		scale[g] = 1 / (math.Sqrt(scale[g]/count) + mvnEpsilon)
	}
	par.For(n, ops.Grain, func(lo, hi int) {
		plan.Walk(lo, hi, func(o, n, _, _, ib, nb int) {
			for i, v := range x[o : o+n] {
				g := ib
				if nb > 1 {
					g += i
				}
				y[o+i] = T((float64(v) - mean[g]) * scale[g])
			}
		})
	})
}
