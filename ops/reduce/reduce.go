package reduce

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/wide"
)

// The Reduce* operators combine the elements of their input over a set of
// axes, keeping each reduced dim as 1 (keepdims, the default) or dropping
// it:
//
//	ReduceSum        sum                     empty set: 0
//	ReduceMean       sum / count             NaN (undefined for integers: an error)
//	ReduceProd       product                 1
//	ReduceMax        maximum (NaN wins)      -Inf, the type's lowest value, false
//	ReduceMin        minimum (NaN wins)      +Inf, the type's highest value, true
//	ReduceL1         sum of |x|              0
//	ReduceL2         sqrt of sum of x²       0
//	ReduceSumSquare  sum of x²               0
//	ReduceLogSum     log of sum              -Inf (undefined for integers)
//	ReduceLogSumExp  log of sum of exp(x)    -Inf (undefined for integers)
//
// The axes are an attribute until ReduceSum-13 and the others' version 18
// and an optional int64 input from then; no axes (or, as an input, an empty
// list) means every axis, or none with noop_with_empty_axes (from the same
// versions), in which case each output element is its input element
// transformed (|x|, x², log x...). Negative axes count from the back from
// opset 11. Types: float32, float64, int32, int64, uint32 and uint64; also
// int8 and uint8 for ReduceMax and ReduceMin from 12 and bool from 20.
// Floating-point sums, products and means accumulate in float64, integer
// ones in 64 bits (wrapping as the element type does); integer results of
// L2, LogSum and LogSumExp are the float64 result truncated.
func init() {
	for _, r := range []struct {
		name      string
		kind      reduceKind
		versions  []int
		axesInput int // the version from which axes is an input
	}{
		{"ReduceSum", kSum, []int{1, 11, 13}, 13},
		{"ReduceMean", kMean, []int{1, 11, 13, 18}, 18},
		{"ReduceProd", kProd, []int{1, 11, 13, 18}, 18},
		{"ReduceMax", kMax, []int{1, 11, 12, 13, 18, 20}, 18},
		{"ReduceMin", kMin, []int{1, 11, 12, 13, 18, 20}, 18},
		{"ReduceL1", kL1, []int{1, 11, 13, 18}, 18},
		{"ReduceL2", kL2, []int{1, 11, 13, 18}, 18},
		{"ReduceSumSquare", kSumSquare, []int{1, 11, 13, 18}, 18},
		{"ReduceLogSum", kLogSum, []int{1, 11, 13, 18}, 18},
		{"ReduceLogSumExp", kLogSumExp, []int{1, 11, 13, 18}, 18},
	} {
		for _, v := range r.versions {
			ops.Register("", r.name, v, buildReduce(r.kind, r.axesInput))
		}
	}
}

// reduceKind is what a Reduce* operator computes.
type reduceKind int

const (
	kSum reduceKind = iota
	kMean
	kProd
	kMax
	kMin
	kL1
	kL2
	kSumSquare
	kLogSum
	kLogSumExp
)

// reduceOp is a built Reduce* operator.
type reduceOp struct {
	kind      reduceKind
	opset     int
	axes      []int64 // attribute before axes became an input
	axesInput bool    // axes is optional input 1
	keepDims  bool
	noopEmpty bool // no axes means no reduction rather than all axes
	negOK     bool // negative axes (opset 11)
}

func buildReduce(kind reduceKind, axesInput int) ops.Builder {
	return func(n *onnx.Node, opset int) (ops.Op, error) {
		a := ops.AttrsOf(n)
		op := &reduceOp{kind: kind, opset: opset, axesInput: opset >= axesInput,
			keepDims: a.Int("keepdims", 1) != 0, negOK: opset >= 11}
		if op.axesInput {
			op.noopEmpty = a.Int("noop_with_empty_axes", 0) != 0
		} else {
			op.axes = a.Ints("axes")
		}
		return op, a.Err()
	}
}

// checkType checks the data input's element type for the op's kind and version.
func (op *reduceOp) checkType(t ops.DType) error {
	switch t {
	case onnx.Float, onnx.Double, onnx.Int32, onnx.Int64, onnx.Uint32, onnx.Uint64:
		return nil
	case onnx.Int8, onnx.Uint8:
		if (op.kind == kMax || op.kind == kMin) && op.opset >= 12 {
			return nil
		}
	case onnx.Bool:
		if (op.kind == kMax || op.kind == kMin) && op.opset >= 20 {
			return nil
		}
	}
	if !ops.Supported(t) {
		return fmt.Errorf("input \"data\" has type %s: %w", ops.TypeName(t), ops.ErrUnsupported)
	}
	return fmt.Errorf("input \"data\" has type %s, not allowed for this reduction at opset %d", ops.TypeName(t), op.opset)
}

// reduced marks the axes reduced over.
func (op *reduceOp) reduced(in []ops.Value) ([]bool, error) {
	spec := op.axes
	if op.axesInput && ops.HasInput(in, 1) {
		var err error
		if spec, err = ops.ConstInts(in[1], "axes"); err != nil {
			return nil, err
		}
	}
	mask := make([]bool, len(in[0].Shape))
	if len(spec) == 0 {
		for i := range mask {
			mask[i] = !op.noopEmpty
		}
		return mask, nil
	}
	axes, err := ops.AxesIn(spec, len(mask), op.negOK)
	if err != nil {
		return nil, fmt.Errorf("axes: %w", err)
	}
	for _, a := range axes {
		mask[a] = true
	}
	return mask, nil
}

// Infer drops or keeps as 1 each reduced dim.
func (op *reduceOp) Infer(in []ops.Value) ([]ops.Value, error) {
	hi := 1
	if op.axesInput {
		hi = 2
	}
	if err := ops.CheckInputs(in, 1, hi); err != nil {
		return nil, err
	}
	x := in[0]
	if err := op.checkType(x.Type); err != nil {
		return nil, err
	}
	mask, err := op.reduced(in)
	if err != nil {
		return nil, err
	}
	out := []int{}
	count := 1
	for i, d := range x.Shape {
		switch {
		case !mask[i]:
			out = append(out, d)
		case op.keepDims:
			out = append(out, 1)
		}
		if mask[i] {
			count *= d
		}
	}
	undefined := op.kind == kMean || op.kind == kLogSum || op.kind == kLogSumExp
	if undefined && count == 0 && !ops.IsFloat(x.Type) && ops.NumElems(out) > 0 {
		return nil, fmt.Errorf("this reduction of no %s elements (an empty reduced axis) is undefined", ops.TypeName(x.Type))
	}
	return []ops.Value{{Type: x.Type, Shape: out}}, nil
}

// Run reduces.
func (op *reduceOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the reduction at the first call: the axes are the same at
// every run of a plan (the output shape depends on them), but in a plan run
// without optimizations they may be computed by earlier steps.
func (op *reduceOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	var run func() error
	return func() error {
		if run == nil {
			mask, err := op.reduced(ops.ConstValues(in))
			if err != nil {
				return err
			}
			p := newReducePlan(in[0].Shape, mask)
			x, y := in[0], out[0]
			switch x.Type {
			case onnx.Float:
				run = bindReduce[float32, float64](ctx.Par, op.kind, p, x, y, x.Type)
			case onnx.Double:
				run = bindReduce[float64, float64](ctx.Par, op.kind, p, x, y, x.Type)
			case onnx.Uint64:
				run = bindReduce[uint64, uint64](ctx.Par, op.kind, p, x, y, x.Type)
			case onnx.Int64:
				run = bindReduce[int64, int64](ctx.Par, op.kind, p, x, y, x.Type)
			default: // on int64 copies, which sum, multiply and order as the narrower types do
				run = wide.Widened(onnx.Int64, in[:1], out[:1], func(xs, ys []*ops.Tensor) func() error {
					return bindReduce[int64, int64](ctx.Par, op.kind, p, xs[0], ys[0], x.Type)
				})
			}
		}
		return run()
	}, nil
}

// reducePlan is a reduction over a row-major input with size-1 dims dropped
// and neighbouring dims of the same kind (kept or reduced) merged. When the
// innermost dim is reduced (row mode, cols 0) an output element combines,
// for each index of the other reduced dims, a contiguous run of run
// elements. When it is kept (column mode) the outputs come in blocks of
// cols contiguous elements, each block combining, for each index of the
// reduced dims, cols contiguous input elements element-wise.
type reducePlan struct {
	keepShape, keepStrides []int // kept dims, without the innermost in column mode
	redShape, redStrides   []int // reduced dims, without the innermost in row mode
	run                    int   // row mode: the innermost reduced dim's size
	cols                   int   // column mode: the innermost kept dim's size
	count                  int   // input elements per output element
	outs                   int   // output elements
}

func newReducePlan(shape []int, mask []bool) *reducePlan {
	p := &reducePlan{run: 1, count: 1}
	st := ops.Strides(shape)
	last := -1 // kind of the previous kept dim: 0 kept, 1 reduced
	for k, d := range shape {
		if mask[k] {
			p.count *= d
		}
		if d == 1 {
			continue
		}
		kind := 0
		if mask[k] {
			kind = 1
		}
		sh, ss := &p.keepShape, &p.keepStrides
		if kind == 1 {
			sh, ss = &p.redShape, &p.redStrides
		}
		if kind == last {
			(*sh)[len(*sh)-1] *= d
			(*ss)[len(*ss)-1] = st[k]
		} else {
			*sh = append(*sh, d)
			*ss = append(*ss, st[k])
		}
		last = kind
	}
	p.outs = ops.NumElems(p.keepShape)
	switch {
	case last == 1:
		n := len(p.redShape)
		p.run = p.redShape[n-1]
		p.redShape, p.redStrides = p.redShape[:n-1], p.redStrides[:n-1]
	case last == 0:
		n := len(p.keepShape)
		p.cols = p.keepShape[n-1]
		p.keepShape, p.keepStrides = p.keepShape[:n-1], p.keepStrides[:n-1]
	}
	return p
}

// elem is an element type the reductions compute (the narrower integers
// and bool as int64).
type elem interface {
	~float32 | ~float64 | ~int64 | ~uint64
}

// accum is an accumulator type: float64 for floats, 64-bit integers otherwise.
type accum interface{ ~float64 | ~int64 | ~uint64 }

// tile is how many output columns column mode accumulates at once, on the stack.
const tile = 256

// reduceJob reduces x into y for the output elements of a range.
type reduceJob[T elem, A accum] struct {
	kind     reduceKind
	p        *reducePlan
	emptyMax T // the maximum of no elements
	emptyMin T // the minimum of no elements
	x, y     []T
	reds     int // steps of the reduced dims' odometer per output
}

// bindReduce binds the reduction of x into y, of type T, which stand for
// tensors of type orig (int64 copies of narrower integers): the maximum and
// minimum of no elements are orig's limits.
func bindReduce[T elem, A accum](par ops.Parallel, kind reduceKind, p *reducePlan, x, y *ops.Tensor, orig ops.DType) func() error {
	j := reduceJob[T, A]{kind: kind, p: p, reds: ops.NumElems(p.redShape)}
	j.emptyMax, j.emptyMin = ops.TypeLimits[T]()
	if orig != x.Type {
		lo, hi := wide.Limits(orig)
		j.emptyMax, j.emptyMin = T(lo), T(hi)
	}
	return ops.BindLoop(par, p.outs, max(1, ops.Grain/max(p.count, 1)), &j, func() { j.x, j.y = ops.Elems[T](x), ops.Elems[T](y) })
}

// Run computes the output elements [lo, hi).
func (j *reduceJob[T, A]) Run(lo, hi int) {
	p := j.p
	var rw ops.Odometer
	if p.cols == 0 {
		for o := lo; o < hi; o++ {
			base := ops.StridedOffset(o, p.keepShape, p.keepStrides)
			rw.Reset(p.redShape, p.redStrides)
			j.y[o] = j.row(base, &rw)
		}
		return
	}
	for o := lo; o < hi; {
		blk, c0 := o/p.cols, o%p.cols
		c1 := min(p.cols, c0+hi-o)
		base := ops.StridedOffset(blk, p.keepShape, p.keepStrides)
		for c := c0; c < c1; c += tile {
			n := min(tile, c1-c)
			rw.Reset(p.redShape, p.redStrides)
			j.columns(j.y[blk*p.cols+c:][:n], base+c, &rw)
		}
		o += c1 - c0
	}
}

// row reduces the runs at base plus each offset of rw into one element.
func (j *reduceJob[T, A]) row(base int, rw *ops.Odometer) T {
	run := j.p.run
	switch j.kind {
	case kMax, kMin:
		m := j.emptyMax
		if j.kind == kMin {
			m = j.emptyMin
		}
		for r := 0; r < j.reds; r++ {
			m = extremeRun(j.kind == kMin, m, j.x[base+rw.Off:][:run])
			rw.Next()
		}
		return m
	case kProd:
		acc := A(1)
		for r := 0; r < j.reds; r++ {
			for _, v := range j.x[base+rw.Off:][:run] {
				acc *= A(v)
			}
			rw.Next()
		}
		return T(acc)
	case kLogSumExp:
		m := j.emptyMax
		for r := 0; r < j.reds; r++ {
			m = extremeRun(false, m, j.x[base+rw.Off:][:run])
			rw.Next()
		}
		rw.Seek(0)
		var s float64
		for r := 0; r < j.reds; r++ {
			for _, v := range j.x[base+rw.Off:][:run] {
				s += math.Exp(float64(v) - float64(m))
			}
			rw.Next()
		}
		return T(logSumExp(float64(m), s))
	}
	var acc A
	for r := 0; r < j.reds; r++ {
		acc += sumRun[T, A](j.kind, j.x[base+rw.Off:][:run])
		rw.Next()
	}
	return j.finish(acc)
}

// columns reduces, for each offset of rw, the len(d) elements at base plus
// that offset element-wise into d.
func (j *reduceJob[T, A]) columns(d []T, base int, rw *ops.Odometer) {
	n := len(d)
	switch j.kind {
	case kMax, kMin, kLogSumExp:
		init := j.emptyMax
		if j.kind == kMin {
			init = j.emptyMin
		}
		ops.Fill(d, init)
		for r := 0; r < j.reds; r++ {
			extremeCols(j.kind == kMin, d, j.x[base+rw.Off:][:n])
			rw.Next()
		}
		if j.kind != kLogSumExp {
			return
		}
		rw.Seek(0)
		var sums [tile]float64
		acc := sums[:n]
		for r := 0; r < j.reds; r++ {
			for i, v := range j.x[base+rw.Off:][:n] {
				acc[i] += math.Exp(float64(v) - float64(d[i]))
			}
			rw.Next()
		}
		for i, s := range acc {
			d[i] = T(logSumExp(float64(d[i]), s))
		}
		return
	}
	var buf [tile]A
	acc := buf[:n]
	if j.kind == kProd {
		ops.Fill(acc, 1)
	}
	for r := 0; r < j.reds; r++ {
		s := j.x[base+rw.Off:][:n]
		switch j.kind {
		case kProd:
			for i, v := range s {
				acc[i] *= A(v)
			}
		case kL1:
			for i, v := range s {
				acc[i] += abs(A(v))
			}
		case kL2, kSumSquare:
			for i, v := range s {
				acc[i] += A(v) * A(v)
			}
		default:
			for i, v := range s {
				acc[i] += A(v)
			}
		}
		rw.Next()
	}
	for i, a := range acc {
		d[i] = j.finish(a)
	}
}

// finish turns the accumulated sum (or product) into the result.
func (j *reduceJob[T, A]) finish(acc A) T {
	switch j.kind {
	case kMean:
		return T(acc / A(j.p.count))
	case kL2:
		return T(math.Sqrt(float64(acc)))
	case kLogSum:
		return T(math.Log(float64(acc)))
	}
	return T(acc)
}

// logSumExp is m + log(s) for a maximum m and the sum s of exp(x - m),
// which is m itself when m is infinite (or NaN).
func logSumExp(m, s float64) float64 {
	if math.IsInf(m, 0) || math.IsNaN(m) {
		return m
	}
	return m + math.Log(s)
}

// abs is |v| (v itself for unsigned types).
func abs[A accum](v A) A {
	if v < 0 {
		return -v
	}
	return v
}

// sumRun sums s, squared for L2 and SumSquare and absolute for L1, in
// four independent accumulators.
func sumRun[T elem, A accum](kind reduceKind, s []T) A {
	var a0, a1, a2, a3 A
	i := 0
	switch kind {
	case kL1:
		for ; i+4 <= len(s); i += 4 {
			a0 += abs(A(s[i]))
			a1 += abs(A(s[i+1]))
			a2 += abs(A(s[i+2]))
			a3 += abs(A(s[i+3]))
		}
		for ; i < len(s); i++ {
			a0 += abs(A(s[i]))
		}
	case kL2, kSumSquare:
		for ; i+4 <= len(s); i += 4 {
			v0, v1, v2, v3 := A(s[i]), A(s[i+1]), A(s[i+2]), A(s[i+3])
			a0 += v0 * v0
			a1 += v1 * v1
			a2 += v2 * v2
			a3 += v3 * v3
		}
		for ; i < len(s); i++ {
			v := A(s[i])
			a0 += v * v
		}
	default:
		for ; i+4 <= len(s); i += 4 {
			a0 += A(s[i])
			a1 += A(s[i+1])
			a2 += A(s[i+2])
			a3 += A(s[i+3])
		}
		for ; i < len(s); i++ {
			a0 += A(s[i])
		}
	}
	return (a0 + a1) + (a2 + a3)
}

// extremeRun is the maximum (or, if least, the minimum) of m and s's
// elements, in four independent chains; a NaN anywhere gives NaN.
func extremeRun[T elem](least bool, m T, s []T) T {
	pick := func(a, b T) T {
		if least {
			return min(a, b)
		}
		return max(a, b)
	}
	m0, m1, m2, m3 := m, m, m, m
	i := 0
	for ; i+4 <= len(s); i += 4 {
		m0, m1, m2, m3 = pick(m0, s[i]), pick(m1, s[i+1]), pick(m2, s[i+2]), pick(m3, s[i+3])
	}
	for ; i < len(s); i++ {
		m0 = pick(m0, s[i])
	}
	return pick(pick(m0, m1), pick(m2, m3))
}

// extremeCols sets d[i] to the maximum (or, if least, the minimum) of d[i]
// and s[i].
func extremeCols[T elem](least bool, d, s []T) {
	s = s[:len(d)]
	if least {
		for i, v := range s {
			d[i] = min(d[i], v)
		}
		return
	}
	for i, v := range s {
		d[i] = max(d[i], v)
	}
}
