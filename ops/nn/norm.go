package nn

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// The normalizations whose statistics cover contiguous rows of X:
//
//   - LayerNormalization (17): rows are X's leading axes before axis, each
//     normalized over the rest; y = (x-mean)/sqrt(var+epsilon)*Scale + B
//     with Scale and B broadcast to X; optional outputs Mean and InvStdDev
//     of shape [d0..d(axis-1), 1, ..., 1] (float32 for stash_type 1).
//   - RMSNormalization (23): like LayerNormalization without centering or
//     bias, y = x/sqrt(mean(x²)+epsilon)*scale.
//   - InstanceNormalization (1, 6, 22): one row per (batch, channel) over
//     the spatial axes, scale and B of shape [C].
//   - GroupNormalization (18, 21): one row per (batch, group of C/num_groups
//     channels); opset 18 takes scale and bias per group ([num_groups]),
//     opset 21 per channel ([C]).
//
// Statistics are accumulated in float64 (two passes: mean, then squared
// deviations), so float32 rows of any length do not drift; rows run in
// parallel.
func init() {
	ops.Register("", "LayerNormalization", 17, buildNorm(layerNorm))
	ops.Register("", "RMSNormalization", 23, buildNorm(rmsNorm))
	for _, v := range []int{1, 6, 22} {
		ops.Register("", "InstanceNormalization", v, buildNorm(instanceNorm))
	}
	for _, v := range []int{18, 21} {
		ops.Register("", "GroupNormalization", v, buildNorm(groupNorm))
	}
}

// normKind says which normalization a normOp computes.
type normKind int

const (
	layerNorm normKind = iota
	rmsNorm
	instanceNorm
	groupNorm
)

// normOp is a normalization over contiguous rows (see init).
type normOp struct {
	kind      normKind
	axis      int64     // first normalized axis (layer, RMS)
	eps       float64   // epsilon
	groups    int       // num_groups (group)
	perGroup  bool      // GroupNormalization-18: scale and bias per group
	statsType ops.DType // element type of Mean and InvStdDev (layer)
	nOut      int       // outputs the node declares
	// scale and bias broadcast once by Prepare when constant and
	// not already laid out as the kernel reads them (their bytes).
	scale, bias []byte
}

func buildNorm(kind normKind) ops.Builder {
	return func(n *onnx.Node, opset int) (ops.Op, error) {
		a := ops.AttrsOf(n)
		op := &normOp{kind: kind, axis: a.Int("axis", -1), eps: float64(a.Float("epsilon", 1e-5)), statsType: onnx.Float, nOut: len(n.Outputs)}
		stash := a.Int("stash_type", 1)
		groups := a.Int("num_groups", 0)
		if err := a.Err(); err != nil {
			return nil, err
		}
		maxOut := 1
		switch kind {
		case layerNorm:
			maxOut = 3
			switch onnx.DataType(stash) {
			case onnx.Float, onnx.BFloat16: // bfloat16 is computed as float32
			case onnx.Double:
				op.statsType = onnx.Double
			default:
				return nil, fmt.Errorf("attribute \"stash_type\" is %d, want 1 (float), 16 (bfloat16) or 11 (double)", stash)
			}
		case groupNorm:
			if !a.Has("num_groups") || groups < 1 {
				return nil, fmt.Errorf("attribute \"num_groups\" is required and must be positive (got %d)", groups)
			}
			g, err := ops.ToDim(groups, "attribute \"num_groups\"")
			if err != nil {
				return nil, err
			}
			op.groups, op.perGroup = g, opset < 21
		}
		if op.nOut < 1 || op.nOut > maxOut {
			return nil, fmt.Errorf("node has %d outputs, want 1 to %d", op.nOut, maxOut)
		}
		return op, nil
	}
}

// normLayout is a normOp resolved for X's shape: rows of inner elements,
// each normalized on its own; element e = r*inner+i takes scale and bias
// entry (e/rep) mod len(scale), rep dividing inner (or 1).
type normLayout struct {
	rows, inner, rep int
	// paramShape is the shape scale and bias are broadcast to when their
	// own shape is not already it (layer and RMS only).
	paramShape []int
}

// paramNames are the names of inputs 1 and 2 in messages.
func (op *normOp) paramNames() [2]string {
	switch op.kind {
	case instanceNorm:
		return [2]string{"scale", "B"}
	case groupNorm:
		return [2]string{"scale", "bias"}
	case rmsNorm:
		return [2]string{"scale", ""}
	}
	return [2]string{"Scale", "B"}
}

// layout checks X and the parameters' shapes and resolves the rows.
func (op *normOp) layout(x []int, params [2][]int, hasBias bool) (normLayout, int, error) {
	names := op.paramNames()
	r := len(x)
	switch op.kind {
	case layerNorm, rmsNorm:
		axis, err := ops.NormAxis(int(op.axis), r)
		if err != nil {
			return normLayout{}, 0, fmt.Errorf("attribute \"axis\": %w", err)
		}
		l := normLayout{rows: ops.NumElems(x[:axis]), inner: ops.NumElems(x[axis:]), rep: 1, paramShape: x[axis:]}
		for i, p := range params[:1+b2i(hasBias)] {
			bs, err := ops.BroadcastShape(x, p)
			if err != nil || len(p) > r || !ops.SameShape(bs, x) {
				return normLayout{}, 0, fmt.Errorf("input %q of shape %v does not broadcast to X's shape %v", names[i], p, x)
			}
			// A parameter varying over the unnormalized axes makes every row's differ.
			for k, d := range p {
				if r-len(p)+k < axis && d != 1 {
					l.paramShape = x
				}
			}
		}
		return l, axis, nil
	}
	if r < 2 {
		return normLayout{}, 0, fmt.Errorf("input \"X\" has shape %v, want [N, C, ...]", x)
	}
	c, spatial := x[1], ops.NumElems(x[2:])
	want := c
	l := normLayout{rows: x[0] * c, inner: spatial, rep: spatial}
	if op.kind == groupNorm {
		if c%op.groups != 0 {
			return normLayout{}, 0, fmt.Errorf("attribute \"num_groups\" %d does not divide the %d channels", op.groups, c)
		}
		l.rows, l.inner = x[0]*op.groups, c/op.groups*spatial
		if op.perGroup {
			want, l.rep = op.groups, l.inner
		}
	}
	for i, p := range params[:1+b2i(hasBias)] {
		if len(p) != 1 || p[0] != want {
			return normLayout{}, 0, fmt.Errorf("input %q has shape %v, want [%d]", names[i], p, want)
		}
	}
	return l, 1, nil
}

// b2i is 1 for true, 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// hasBias reports whether the node's bias input is given (B is optional
// for LayerNormalization, absent from RMSNormalization).
func (op *normOp) hasBias(in []ops.Value) bool { return op.kind != rmsNorm && ops.HasInput(in, 2) }

// Infer checks the inputs; Y has X's shape, Mean and InvStdDev X's with
// the normalized axes set to 1.
func (op *normOp) Infer(in []ops.Value) ([]ops.Value, error) {
	lo, hi := 3, 3
	switch op.kind {
	case layerNorm:
		lo = 2
	case rmsNorm:
		lo, hi = 2, 2
	}
	if err := ops.CheckInputs(in, lo, hi); err != nil {
		return nil, err
	}
	x := in[0]
	names := op.paramNames()
	if err := checkFloatInput(x, "X"); err != nil {
		return nil, err
	}
	for i := 1; i <= 1+b2i(op.hasBias(in)); i++ {
		if in[i].Type != x.Type {
			return nil, fmt.Errorf("input %q has type %s, want X's %s", names[i-1], ops.TypeName(in[i].Type), ops.TypeName(x.Type))
		}
	}
	_, axis, err := op.layout(x.Shape, op.paramShapes(in), op.hasBias(in))
	if err != nil {
		return nil, err
	}
	out := []ops.Value{{Type: x.Type, Shape: x.Shape}}
	if op.nOut > 1 {
		st := append([]int(nil), x.Shape...)
		for i := axis; i < len(st); i++ {
			st[i] = 1
		}
		for range op.nOut - 1 {
			out = append(out, ops.Value{Type: op.statsType, Shape: st})
		}
	}
	return out, nil
}

// paramShapes is the shapes of scale and bias (nil when absent).
func (op *normOp) paramShapes(in []ops.Value) [2][]int {
	var p [2][]int
	p[0] = in[1].Shape
	if op.hasBias(in) {
		p[1] = in[2].Shape
	}
	return p
}

// checkFloatInput requires v to be float32 or float64.
func checkFloatInput(v ops.Value, name string) error {
	if v.Type == onnx.Float || v.Type == onnx.Double {
		return nil
	}
	if !ops.Supported(v.Type) || v.Type == onnx.Float16 || v.Type == onnx.BFloat16 {
		return fmt.Errorf("input %q has type %s: %w", name, ops.TypeName(v.Type), ops.ErrUnsupported)
	}
	return fmt.Errorf("input %q has type %s, want a floating-point type", name, ops.TypeName(v.Type))
}

// expands reports whether a parameter of shape p must be broadcast to l's
// paramShape before the kernel reads it.
func (l *normLayout) expands(p []int) bool {
	return l.paramShape != nil && ops.NumElems(p) != ops.NumElems(l.paramShape)
}

// Prepare broadcasts constant scale and bias that need it.
func (op *normOp) Prepare(in []ops.Value) error {
	if len(in) < 2 || in[0].Type != in[1].Type || checkFloatInput(in[0], "X") != nil {
		return nil
	}
	l, _, err := op.layout(in[0].Shape, op.paramShapes(in), op.hasBias(in))
	if err != nil {
		return err
	}
	size := ops.ElemSize(in[0].Type)
	prepare := func(c *ops.Tensor) []byte {
		if c == nil || !l.expands(c.Shape) {
			return nil
		}
		return newExpander(c.Shape, l.paramShape, size, ops.AlignedBytes(ops.NumElems(l.paramShape)*size)).run(c.Data)
	}
	op.scale = prepare(in[1].Const)
	if op.hasBias(in) {
		op.bias = prepare(in[2].Const)
	}
	return nil
}

// Workspace holds scale and bias broadcast at run time.
func (op *normOp) Workspace(in []ops.Value) int {
	if len(in) < 2 || checkFloatInput(in[0], "X") != nil {
		return 0
	}
	l, _, err := op.layout(in[0].Shape, op.paramShapes(in), op.hasBias(in))
	if err != nil || l.paramShape == nil {
		return 0
	}
	return 2 * ops.NumElems(l.paramShape) * ops.ElemSize(in[0].Type)
}

// expander broadcasts a parameter of one shape to another into fixed
// storage, its plan and loop body made once, so that a run allocates
// nothing.
type expander struct {
	plan     *ops.BroadcastPlan
	dst, src []byte
	size, n  int
	body     func(o, n, ia, na, ib, nb int)
}

// newExpander plans broadcasting shape from to shape to, elements of size
// bytes, into dst.
func newExpander(from, to []int, size int, dst []byte) *expander {
	e := &expander{plan: ops.NewBroadcastPlan(to, from, from), size: size, n: ops.NumElems(to)}
	e.dst = dst[:e.n*size]
	e.body = func(o, n, ia, na, _, _ int) {
		d := e.dst[o*e.size : (o+n)*e.size]
		if na == n {
			copy(d, e.src[ia*e.size:])
			return
		}
		ops.FillElems(d, e.src[ia*e.size:(ia+1)*e.size])
	}
	return e
}

// run broadcasts src's elements and returns the storage holding them.
func (e *expander) run(src []byte) []byte {
	e.src = src
	e.plan.Walk(0, e.n, e.body)
	return e.dst
}

// Run normalizes X.
func (op *normOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind resolves the layout once and binds the loop over rows; scale and
// bias that are not constant are broadcast at every call when they need it.
func (op *normOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	vals := ops.ConstValues(in)
	hasBias := op.hasBias(vals)
	l, _, err := op.layout(in[0].Shape, op.paramShapes(vals), hasBias)
	if err != nil {
		return nil, err
	}
	size := ops.ElemSize(in[0].Type)
	// param gives input i's elements as the kernel reads them: prepared,
	// as they are, or broadcast into half h of the scratch.
	param := func(prepared []byte, i, h int) (func() []byte, error) {
		if prepared != nil {
			return func() []byte { return prepared }, nil
		}
		if !l.expands(in[i].Shape) {
			return func() []byte { return in[i].Data[:in[i].Len()*size] }, nil
		}
		n := ops.NumElems(l.paramShape) * size
		if len(ctx.Scratch) < 2*n {
			return nil, fmt.Errorf("scratch has %d bytes, need %d", len(ctx.Scratch), 2*n)
		}
		e := newExpander(in[i].Shape, l.paramShape, size, ctx.Scratch[h*n:])
		return func() []byte { return e.run(in[i].Data) }, nil
	}
	scale, err := param(op.scale, 1, 0)
	if err != nil {
		return nil, err
	}
	bias := func() []byte { return nil }
	if hasBias {
		if bias, err = param(op.bias, 2, 1); err != nil {
			return nil, err
		}
	}
	stat := func(i int) *ops.Tensor {
		if i < len(out) {
			return out[i]
		}
		return nil
	}
	grain := max(1, 4096/max(l.inner, 1))
	if in[0].Type == onnx.Double {
		job := new(normJob[float64])
		return ops.BindLoop(ctx.Par, l.rows, grain, job, func() {
			*job = newNormJob[float64](op, l, in[0], out[0], scale(), bias(), stat(1), stat(2))
		}), nil
	}
	job := new(normJob[float32])
	return ops.BindLoop(ctx.Par, l.rows, grain, job, func() {
		*job = newNormJob[float32](op, l, in[0], out[0], scale(), bias(), stat(1), stat(2))
	}), nil
}

// newNormJob views the tensors of one run.
func newNormJob[T ops.Float](op *normOp, l normLayout, x, y *ops.Tensor, scale, bias []byte, mean, inv *ops.Tensor) normJob[T] {
	return normJob[T]{
		x: ops.Elems[T](x), y: ops.Elems[T](y), scale: ops.View[T](scale), bias: ops.View[T](bias),
		mean: newStatView(mean), inv: newStatView(inv),
		inner: l.inner, rep: l.rep, eps: op.eps, center: op.kind != rmsNorm,
	}
}

// statView is a statistics output (nil when not computed).
type statView struct {
	f32 []float32
	f64 []float64
}

func newStatView(t *ops.Tensor) statView {
	if t == nil {
		return statView{}
	}
	if t.Type == onnx.Double {
		return statView{f64: t.F64()}
	}
	return statView{f32: t.F32()}
}

// set stores v at i.
func (s statView) set(i int, v float64) {
	if s.f32 != nil {
		s.f32[i] = float32(v)
	} else if s.f64 != nil {
		s.f64[i] = v
	}
}

// normJob normalizes rows of inner elements of x into y (see normLayout
// for how scale and bias are indexed); bias is nil when absent. mean and
// inv receive each row's statistics when requested.
type normJob[T ops.Float] struct {
	x, y, scale, bias []T
	mean, inv         statView
	inner, rep        int
	eps               float64
	center            bool // subtract the mean (false for RMS)
}

func (j normJob[T]) Run(lo, hi int) {
	n := j.inner
	for r := lo; r < hi; r++ {
		x, y := j.x[r*n:][:n], j.y[r*n:][:n]
		mean, inv := rowStats(x, j.center, j.eps)
		j.mean.set(r, mean)
		j.inv.set(r, inv)
		if n == 0 {
			continue
		}
		m := T(mean)
		if j.rep == 1 { // one parameter per element
			off := r * n % len(j.scale)
			scale := j.scale[off:][:n]
			iv := T(inv)
			if j.bias == nil {
				for i, v := range x {
					y[i] = (v - m) * iv * scale[i]
				}
				continue
			}
			bias := j.bias[off:][:n]
			for i, v := range x {
				y[i] = (v-m)*iv*scale[i] + bias[i]
			}
			continue
		}
		segs := n / j.rep
		for s := range segs {
			p := (r*segs + s) % len(j.scale)
			a, b := T(inv*float64(j.scale[p])), T(0)
			if j.bias != nil {
				b = j.bias[p]
			}
			ys := y[s*j.rep:][:j.rep]
			for i, v := range x[s*j.rep:][:j.rep] {
				ys[i] = (v-m)*a + b
			}
		}
	}
}

// rowStats is the mean of x (0 unless center) and 1/sqrt(mean((x-mean)²)
// + eps), accumulated in float64.
func rowStats[T ops.Float](x []T, center bool, eps float64) (mean, inv float64) {
	n := float64(len(x))
	if center {
		mean = sum(x) / n
	}
	return mean, 1 / math.Sqrt(sumSqDev(x, mean)/n+eps)
}

// sum is the sum of x in float64, over four independent lanes.
func sum[T ops.Float](x []T) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += float64(x[i])
		s1 += float64(x[i+1])
		s2 += float64(x[i+2])
		s3 += float64(x[i+3])
	}
	for ; i < len(x); i++ {
		s0 += float64(x[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// sumSqDev is the sum of (x-m)² in float64, over four independent lanes.
func sumSqDev[T ops.Float](x []T, m float64) float64 {
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		d0, d1, d2, d3 := float64(x[i])-m, float64(x[i+1])-m, float64(x[i+2])-m, float64(x[i+3])-m
		s0 += d0 * d0
		s1 += d1 * d1
		s2 += d2 * d2
		s3 += d3 * d3
	}
	for ; i < len(x); i++ {
		d := float64(x[i]) - m
		s0 += d * d
	}
	return (s0 + s1) + (s2 + s3)
}
