package loss

import (
	"fmt"
	"math"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// NegativeLogLikelihoodLoss (opset 12, 13, 22) and SoftmaxCrossEntropyLoss
// (12, 13). The input (log-probabilities; for SoftmaxCrossEntropyLoss,
// scores whose LogSoftmax along dim 1 gives them) has shape [N, C, d1...],
// the target (int32 or int64 class indices) [N, d1...]. Each sample's loss
// is minus its target class's log-probability, times weight[class] when
// the optional weight input (C values) is given, and 0 where the target
// equals the optional ignore_index attribute. reduction "none" gives the
// losses, "sum" their sum and "mean" (the default) their sum divided by
// the sum of the samples' weights (1 each without weights, 0 for the
// ignored), as the spec's reference computes it. SoftmaxCrossEntropyLoss's
// optional second output is the log-probabilities. float32 and float64,
// computed in float64; a target outside [0, C) that is not ignored is an
// error.
func init() {
	for _, v := range []int{12, 13, 22} {
		ops.Register("", "NegativeLogLikelihoodLoss", v, buildLoss(false))
	}
	for _, v := range []int{12, 13} {
		ops.Register("", "SoftmaxCrossEntropyLoss", v, buildLoss(true))
	}
}

// reduction is how a loss combines its samples.
type reduction int

const (
	reduceMean reduction = iota
	reduceSum
	reduceNone
)

// lossOp is a built NegativeLogLikelihoodLoss or SoftmaxCrossEntropyLoss.
type lossOp struct {
	softmax   bool // SoftmaxCrossEntropyLoss: the input holds scores
	logProb   bool // the log_prob output is requested
	reduction reduction
	ignore    int64
	hasIgnore bool
}

func buildLoss(softmax bool) ops.Builder {
	return func(n *onnx.Node, opset int) (ops.Op, error) {
		a := ops.AttrsOf(n)
		op := &lossOp{softmax: softmax, hasIgnore: a.Has("ignore_index"), ignore: a.Int("ignore_index", 0)}
		switch r := a.String("reduction", "mean"); r {
		case "mean":
		case "sum":
			op.reduction = reduceSum
		case "none":
			op.reduction = reduceNone
		default:
			return nil, fmt.Errorf("attribute \"reduction\" is %q, want none, sum or mean", r)
		}
		op.logProb = softmax && len(n.Outputs) > 1 && n.Outputs[1] != ""
		return op, a.Err()
	}
}

// Infer checks the shapes and types and gives the loss (and log_prob).
func (op *lossOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 3); err != nil {
		return nil, err
	}
	x, target := in[0], in[1]
	if !ops.IsFloat(x.Type) {
		if err := ops.CheckElemType(x, "input"); err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("input \"input\" has type %s, want float32 or float64", ops.TypeName(x.Type))
	}
	if target.Type != onnx.Int32 && target.Type != onnx.Int64 {
		return nil, fmt.Errorf("input \"target\" has type %s, want int32 or int64", ops.TypeName(target.Type))
	}
	if len(x.Shape) < 2 {
		return nil, fmt.Errorf("input \"input\" has shape %v, want [N, C, d1...]", x.Shape)
	}
	want := slices.Delete(slices.Clone(x.Shape), 1, 2)
	if !ops.SameShape(target.Shape, want) {
		return nil, fmt.Errorf("input \"target\" has shape %v, want %v for input %v", target.Shape, want, x.Shape)
	}
	if ops.HasInput(in, 2) {
		if w := in[2]; w.Type != x.Type || !ops.SameShape(w.Shape, x.Shape[1:2]) {
			return nil, fmt.Errorf("input \"weight\" is %s%v, want %s[%d]", ops.TypeName(w.Type), w.Shape, ops.TypeName(x.Type), x.Shape[1])
		}
	}
	loss := ops.Value{Type: x.Type, Shape: []int{}}
	if op.reduction == reduceNone {
		loss.Shape = target.Shape
	}
	outs := []ops.Value{loss}
	if op.logProb {
		outs = append(outs, ops.Value{Type: x.Type, Shape: x.Shape})
	}
	return outs, nil
}

// Run computes the loss.
func (op *lossOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind binds the per-sample loop; for the sum and mean it allocates once
// the per-sample losses and weights that are then added in order.
func (op *lossOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	if in[0].Type == onnx.Float {
		return bindLoss[float32](ctx.Par, op, in, out), nil
	}
	return bindLoss[float64](ctx.Par, op, in, out), nil
}

func bindLoss[T ops.Float](par ops.Parallel, op *lossOp, in, out []*ops.Tensor) func() error {
	x := in[0]
	j := &lossJob[T]{op: op, n: x.Shape[0], c: x.Shape[1], d: ops.NumElems(x.Shape[2:])}
	samples := j.n * j.d
	if op.reduction != reduceNone {
		j.loss, j.weight = make([]float64, samples), make([]float64, samples)
	}
	var loop ops.Loop
	loop.Bind(j)
	return func() error {
		j.x = ops.Elems[T](x)
		j.w = ops.Elems[T](ops.InputAt(in, 2))
		if in[1].Type == onnx.Int32 {
			j.t32, j.t64 = in[1].I32(), nil
		} else {
			j.t32, j.t64 = nil, in[1].I64()
		}
		if err := j.checkTargets(samples); err != nil {
			return err
		}
		j.y = ops.Elems[T](out[0])
		if op.logProb {
			j.logProb = ops.Elems[T](out[1])
		}
		loop.Run(par, samples, max(1, ops.Grain/max(8*j.c, 1)))
		if op.reduction != reduceNone {
			var sum, wsum float64
			for i, l := range j.loss {
				sum += l
				wsum += j.weight[i]
			}
			if op.reduction == reduceMean {
				sum /= wsum
			}
			j.y[0] = T(sum)
		}
		return nil
	}
}

// lossJob computes the samples of a range: input viewed as [n, c, d].
type lossJob[T ops.Float] struct {
	op           *lossOp
	n, c, d      int
	x, w, y      []T
	logProb      []T
	t32          []int32
	t64          []int64
	loss, weight []float64 // per sample, for the sum and mean
}

// target is sample s's class.
func (j *lossJob[T]) target(s int) int64 {
	if j.t32 != nil {
		return int64(j.t32[s])
	}
	return j.t64[s]
}

// checkTargets fails on a target outside [0, C) that is not ignored.
func (j *lossJob[T]) checkTargets(samples int) error {
	for s := range samples {
		t := j.target(s)
		if (t < 0 || t >= int64(j.c)) && !(j.op.hasIgnore && t == j.op.ignore) {
			return fmt.Errorf("input \"target\" has %d at sample %d, want 0 to %d or ignore_index", t, s, j.c-1)
		}
	}
	return nil
}

// Run computes samples [lo, hi): sample s = i*d + k reads x[i, :, k].
func (j *lossJob[T]) Run(lo, hi int) {
	for s := lo; s < hi; s++ {
		base := s/j.d*j.c*j.d + s%j.d
		t := j.target(s)
		ignored := j.op.hasIgnore && t == j.op.ignore
		var lp float64 // the target's log-probability
		switch {
		case j.op.softmax:
			lp = j.logSoftmax(base, t, ignored)
		case !ignored:
			lp = float64(j.x[base+int(t)*j.d])
		}
		w := 1.0
		switch {
		case ignored:
			w = 0
		case j.w != nil:
			w = float64(j.w[t])
		}
		l := 0.0
		if !ignored {
			l = -lp * w
		}
		if j.loss == nil {
			j.y[s] = T(l)
		} else {
			j.loss[s], j.weight[s] = l, w
		}
	}
}

// logSoftmax computes the LogSoftmax of the line of c scores at base
// (stride d), stores it when log_prob is requested, and returns the value
// at class t (0 when ignored).
func (j *lossJob[T]) logSoftmax(base int, t int64, ignored bool) float64 {
	m := math.Inf(-1)
	for c := range j.c {
		m = max(m, float64(j.x[base+c*j.d]))
	}
	var sum float64
	for c := range j.c {
		sum += math.Exp(float64(j.x[base+c*j.d]) - m)
	}
	ls := m + math.Log(sum)
	if j.logProb != nil {
		for c := range j.c {
			j.logProb[base+c*j.d] = T(float64(j.x[base+c*j.d]) - ls)
		}
	}
	if ignored {
		return 0
	}
	return float64(j.x[base+int(t)*j.d]) - ls
}
