package nn

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/dwconv"
	"github.com/edgeinfer/edgeinfer/ops/internal/vec"
)

func init() {
	for _, v := range []int{1, 6, 7, 9, 14, 15} {
		ops.Register("", "BatchNormalization", v, buildBatchNorm)
	}
}

// batchNormOp is BatchNormalization: per channel (or per activation with
// spatial=0, before opset 9) y = x*a + b, where a = scale/sqrt(var+epsilon)
// and b = B - mean*a. In inference mode mean and var are the inputs, and
// with constant parameters a and b are computed once by Prepare. In
// training mode (training_mode=1 from opset 14; before it, when the node
// asks for the statistics outputs, and is_test is 0 before opset 7) mean
// and var are the batch's, over every axis but the channel's, var the
// population variance; the running statistics outputs are
// input*momentum + batch*(1-momentum), and opset 1 to 9's saved_mean and
// saved_var outputs the batch mean and variance. Y of a training node that
// requests no statistics is still normalized with the batch's.
type batchNormOp struct {
	epsilon  float32
	momentum float32
	spatial  bool
	training bool
	nOut     int       // outputs the node declares
	ab       []float32 // a then b, set by Prepare when the parameters are constant
	// act is the activation fused into Y's store (DenseNet's ReLU after
	// each normalization), set when fused.
	act   dwconv.Epilogue
	fused bool
}

// FuseActivation returns a copy applying a as Y is stored, in inference
// mode (training mode's statistics outputs would not take it).
func (bn *batchNormOp) FuseActivation(a ops.Activation) ops.Op {
	if bn.fused || bn.training {
		return nil
	}
	f := *bn
	f.act, f.fused = dwEpilogue(a), true
	return &f
}

func buildBatchNorm(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	bn := &batchNormOp{
		epsilon:  a.Float("epsilon", 1e-5),
		momentum: a.Float("momentum", 0.9),
		spatial:  a.Int("spatial", 1) != 0,
		nOut:     len(n.Outputs),
	}
	training := a.Int("training_mode", 0) != 0
	isTest := a.Int("is_test", 0) != 0
	if err := a.Err(); err != nil {
		return nil, err
	}
	stats := false // the node asks for a statistics output
	for _, o := range n.Outputs[min(1, len(n.Outputs)):] {
		stats = stats || o != ""
	}
	maxOut := 5
	switch {
	case opset >= 14:
		maxOut = 3
		if stats && !training {
			return nil, fmt.Errorf("outputs running_mean and running_var need attribute \"training_mode\" 1")
		}
		bn.training = training
	case opset < 7 && isTest && stats:
		return nil, fmt.Errorf("attribute \"is_test\" is 1 but the node asks for training statistics")
	default:
		bn.training = stats
	}
	if bn.nOut < 1 || bn.nOut > maxOut {
		return nil, fmt.Errorf("node has %d outputs, want 1 to %d", bn.nOut, maxOut)
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
	out := []ops.Value{{Type: onnx.Float, Shape: x}}
	for range bn.nOut - 1 {
		out = append(out, ops.Value{Type: onnx.Float, Shape: want})
	}
	return out, nil
}

// InPlace lets Y overwrite X, except in training mode, where X is read
// for the statistics before Y is written but the runtime may not know it.
func (bn *batchNormOp) InPlace(in []ops.Value) int {
	if bn.training {
		return -1
	}
	return 0
}

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
	if len(in) != 5 || bn.training {
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

// Workspace holds a and b when they are computed at run time, and the
// batch's mean and variance in training mode.
func (bn *batchNormOp) Workspace(in []ops.Value) int {
	if len(in) < 2 {
		return 0
	}
	n := 8 * ops.NumElems(in[1].Shape)
	if bn.training {
		n *= 2
	}
	return n
}

// Run computes Y (and the statistics outputs).
func (bn *batchNormOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(bn, ctx, in, out)
}

// Bind binds the loops over rows (and, in training mode, over the
// parameters' statistics); a and b are computed at every call when the
// parameters are not constant.
func (bn *batchNormOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	s, err := bn.step(ctx, in)
	if err != nil {
		return nil, err
	}
	b := &s
	b.batch.Bind(&b.batchJ)
	b.affine.Bind(&b.affineJ)
	b.ones = make([]float32, s.inner)
	for i := range b.ones {
		b.ones[i] = 1
	}
	return func() error {
		b.exec(ctx.Par, in, out)
		return nil
	}, nil
}

// bnStep is one BatchNormalization over given input shapes, its loops
// bound.
type bnStep struct {
	bn                  *batchNormOp
	ab, stats           []float32
	rows, inner, params int
	batch, affine       ops.Loop
	batchJ              batchStatsJob // batch's job
	affineJ             affineJob     // affine's job
	ones                []float32     // inner ones, the affine's second row
}

// step resolves the sizes and the space for a, b and the statistics.
func (bn *batchNormOp) step(ctx *ops.Ctx, in []*ops.Tensor) (bnStep, error) {
	ab, stats, err := bn.space(ctx, in)
	if err != nil {
		return bnStep{}, err
	}
	rows, inner := bn.rows(in)
	return bnStep{bn: bn, ab: ab, stats: stats, rows: rows, inner: inner, params: in[1].Len()}, nil
}

// exec computes the outputs from the tensors' current data.
func (s *bnStep) exec(par ops.Parallel, in, out []*ops.Tensor) {
	bn, p := s.bn, s.params
	switch {
	case bn.training:
		mean, variance := s.stats[:p], s.stats[p:]
		s.batchJ = batchStatsJob{ops.Elems[float32](in[0]), mean, variance, p, s.inner}
		s.batch.Run(par, p, max(1, 4096/max(s.rows/max(p, 1)*s.inner, 1)))
		bn.coefficients(in[1].F32(), in[2].F32(), mean, variance, s.ab)
		bn.trainingOutputs(in, out, mean, variance)
	case bn.ab == nil:
		bn.coefficients(in[1].F32(), in[2].F32(), in[3].F32(), in[4].F32(), s.ab)
	}
	s.affineJ = affineJob{in[0].F32(), out[0].F32(), s.ab[:p], s.ab[p:], s.ones, s.inner, nil}
	if bn.fused {
		s.affineJ.act = &bn.act
	}
	s.affine.Run(par, s.rows, max(1, 4096/max(s.inner, 1)))
}

// trainingOutputs writes the statistics outputs the node asks for: the
// running mean and variance, then (before opset 14) the batch's.
func (bn *batchNormOp) trainingOutputs(in, out []*ops.Tensor, mean, variance []float32) {
	m := bn.momentum
	for i := 1; i < len(out); i++ {
		if out[i] == nil {
			continue
		}
		dst := out[i].F32()[:len(mean)]
		switch i {
		case 1, 2:
			running, batch := in[2+i].F32(), mean
			if i == 2 {
				batch = variance
			}
			for p := range dst {
				dst[p] = running[p]*m + batch[p]*(1-m)
			}
		case 3:
			copy(dst, mean)
		case 4:
			copy(dst, variance)
		}
	}
}

// space returns a and b (prepared, or scratch space for them) and, in
// training mode, scratch space for the batch's mean and variance.
func (bn *batchNormOp) space(ctx *ops.Ctx, in []*ops.Tensor) (ab, stats []float32, err error) {
	params := in[1].Len()
	scratch := ops.View[float32](ctx.Scratch)
	need := 0
	if bn.ab == nil {
		need += 2 * params
	}
	if bn.training {
		need += 2 * params
	}
	if len(scratch) < need {
		return nil, nil, fmt.Errorf("scratch has %d bytes, need %d", len(ctx.Scratch), 4*need)
	}
	if ab = bn.ab; ab == nil {
		ab, scratch = scratch[:2*params], scratch[2*params:]
	}
	if bn.training {
		stats = scratch[:2*params]
	}
	return ab, stats, nil
}

// rows is the number of rows of X with one parameter each, and their length.
func (bn *batchNormOp) rows(in []*ops.Tensor) (rows, inner int) {
	params := in[1].Len()
	return in[0].Shape[0] * params, in[0].Len() / max(1, in[0].Shape[0]*params)
}

// affineJob computes y = x*a[c] + b[c] over rows of inner values, row r
// using parameter c = r mod len(a), then the fused activation (act, when
// not nil); each row one SIMD blend of x with a row of ones (y may be x).
type affineJob struct {
	x, y, a, b, ones []float32
	inner            int
	act              *dwconv.Epilogue
}

func (j affineJob) Run(lo, hi int) {
	for r := lo; r < hi; r++ {
		c := r % len(j.a)
		dst := j.y[r*j.inner : (r+1)*j.inner]
		vec.Lerp(dst, j.x[r*j.inner:(r+1)*j.inner], j.ones, j.a[c], j.b[c])
		if j.act != nil {
			dwconv.Activate(dst, j.act)
		}
	}
}

// batchStatsJob computes the batch mean and population variance of
// parameters [lo, hi): parameter p covers row p of every group of params
// rows of inner values. Sums run in float64.
type batchStatsJob struct {
	x              []float32
	mean, variance []float32
	params, inner  int
}

func (j batchStatsJob) Run(lo, hi int) {
	groups := len(j.x) / max(1, j.params*j.inner)
	count := float64(groups * j.inner)
	for p := lo; p < hi; p++ {
		var s float64
		for g := range groups {
			s += sum(j.x[(g*j.params+p)*j.inner:][:j.inner])
		}
		m := s / count
		var q float64
		for g := range groups {
			q += sumSqDev(j.x[(g*j.params+p)*j.inner:][:j.inner], m)
		}
		j.mean[p], j.variance[p] = float32(m), float32(q/count)
	}
}
