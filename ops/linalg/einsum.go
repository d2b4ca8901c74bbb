package linalg

import (
	"fmt"
	"slices"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
	"github.com/edgeinfer/edgeinfer/ops/internal/wide"
)

// Einsum (opset 12) evaluates an Einstein summation over its inputs, as
// numpy.einsum: one term of letters per input separated by commas, then
// optionally "->" and the output's letters. A letter repeated within a term
// takes a diagonal; letters missing from the output are summed over;
// "..." stands for the dims not named, broadcast across inputs (aligned
// from the right) and placed first in an implicit output. Without "->" the
// output is the letters used exactly once, in alphabetical order. A size-1
// dim broadcasts against the same letter's larger size elsewhere. Every
// numeric type.
//
// The inputs are contracted left to right, two at a time, as a batched
// matrix product: each side is gathered (transposed, with any letter only
// it uses and nothing later needs summed out) into [batch, rows, k] and
// [batch, k, cols], multiplied (float32 by the GEMM), and the product
// feeds the next contraction; the last result is permuted into the output.
func init() {
	ops.Register("", "Einsum", 12, buildEinsum)
}

// einsumOp is a built Einsum: the equation's terms as label codes (0-51 for
// letters, ellipsis for "...").
type einsumOp struct {
	terms    [][]int
	out      []int // the explicit output, nil when implicit
	explicit bool
}

// ellipsis marks "..." in a parsed term; the broadcast dims it stands for
// get the labels firstBroadcast, firstBroadcast+1...
const (
	ellipsis       = -1
	firstBroadcast = 52
)

func buildEinsum(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	eq := a.String("equation", "")
	if err := a.Err(); err != nil {
		return nil, err
	}
	if !a.Has("equation") {
		return nil, fmt.Errorf("attribute \"equation\" is required")
	}
	eq = strings.Join(strings.Fields(eq), "")
	lhs, rhs, explicit := strings.Cut(eq, "->")
	op := &einsumOp{explicit: explicit}
	for _, t := range strings.Split(lhs, ",") {
		term, err := parseTerm(t)
		if err != nil {
			return nil, fmt.Errorf("attribute \"equation\" %q: %w", eq, err)
		}
		op.terms = append(op.terms, term)
	}
	if explicit {
		out, err := parseTerm(rhs)
		if err != nil {
			return nil, fmt.Errorf("attribute \"equation\" %q: output: %w", eq, err)
		}
		for i, l := range out {
			if slices.Contains(out[:i], l) {
				return nil, fmt.Errorf("attribute \"equation\" %q: output repeats %s", eq, labelName(l))
			}
			if l != ellipsis && !slices.ContainsFunc(op.terms, func(t []int) bool { return slices.Contains(t, l) }) {
				return nil, fmt.Errorf("attribute \"equation\" %q: output letter %s is in no input", eq, labelName(l))
			}
		}
		op.out = out
	}
	return op, nil
}

// parseTerm reads one term: letters and at most one "...".
func parseTerm(s string) ([]int, error) {
	var t []int
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			t = append(t, int(c-'a'))
		case c >= 'A' && c <= 'Z':
			t = append(t, 26+int(c-'A'))
		case strings.HasPrefix(s[i:], "..."):
			if slices.Contains(t, ellipsis) {
				return nil, fmt.Errorf("term %q has two ellipses", s)
			}
			t = append(t, ellipsis)
			i += 2
		default:
			return nil, fmt.Errorf("term %q has %q, want letters and \"...\"", s, c)
		}
	}
	return t, nil
}

// labelName spells a label in messages.
func labelName(l int) string {
	switch {
	case l == ellipsis:
		return "\"...\""
	case l < 26:
		return fmt.Sprintf("%q", 'a'+rune(l))
	case l < firstBroadcast:
		return fmt.Sprintf("%q", 'A'+rune(l-26))
	}
	return fmt.Sprintf("broadcast dim %d", l-firstBroadcast)
}

// einsumPlan is an equation resolved for input shapes: every input dim's
// label, every label's size and the output's labels.
type einsumPlan struct {
	ins  [][]int
	size map[int]int
	out  []int
}

// resolve expands the ellipses, checks the sizes and works out the output.
func (op *einsumOp) resolve(in []ops.Value) (*einsumPlan, error) {
	if len(in) != len(op.terms) {
		return nil, fmt.Errorf("the equation has %d terms for %d inputs", len(op.terms), len(in))
	}
	nb := 0 // broadcast dims
	for i, t := range op.terms {
		named := len(t)
		if slices.Contains(t, ellipsis) {
			named--
			nb = max(nb, len(in[i].Shape)-named)
		}
		if r := len(in[i].Shape); r < named || r != named && !slices.Contains(t, ellipsis) {
			return nil, fmt.Errorf("input %d has rank %d but its term names %d dims", i, r, named)
		}
	}
	p := &einsumPlan{size: map[int]int{}}
	count := map[int]int{}
	for i, t := range op.terms {
		shape := in[i].Shape
		labels := make([]int, 0, len(shape))
		for _, l := range t {
			if l != ellipsis {
				labels = append(labels, l)
				continue
			}
			e := len(shape) - (len(t) - 1)
			for k := nb - e; k < nb; k++ {
				labels = append(labels, firstBroadcast+k)
			}
		}
		for k, l := range labels {
			d := shape[k]
			if j := slices.Index(labels, l); j < k && shape[j] != d {
				return nil, fmt.Errorf("input %d repeats %s over dims of sizes %d and %d", i, labelName(l), shape[j], d)
			}
			s, seen := p.size[l]
			switch {
			case !seen || s == 1:
				p.size[l] = d
			case d != s && d != 1:
				return nil, fmt.Errorf("input %d has size %d for %s, elsewhere %d", i, d, labelName(l), s)
			}
			if slices.Index(labels, l) == k {
				count[l]++
			}
		}
		p.ins = append(p.ins, labels)
	}
	if op.explicit {
		for _, l := range op.out {
			if l != ellipsis {
				p.out = append(p.out, l)
				continue
			}
			for k := range nb {
				p.out = append(p.out, firstBroadcast+k)
			}
		}
		return p, nil
	}
	for k := range nb {
		p.out = append(p.out, firstBroadcast+k)
	}
	for l := range firstBroadcast {
		if count[l] == 1 && !inTwice(op.terms, l) {
			p.out = append(p.out, l)
		}
	}
	return p, nil
}

// inTwice reports whether some term names l twice (a diagonal, which an
// implicit output leaves out).
func inTwice(terms [][]int, l int) bool {
	for _, t := range terms {
		n := 0
		for _, x := range t {
			if x == l {
				n++
			}
		}
		if n > 1 {
			return true
		}
	}
	return false
}

// Infer checks the inputs against the equation and gives the output shape.
func (op *einsumOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, max(1, len(in))); err != nil {
		return nil, err
	}
	for i, v := range in {
		if err := checkNumeric(v, fmt.Sprintf("Inputs %d", i)); err != nil {
			return nil, err
		}
		if v.Type != in[0].Type {
			return nil, fmt.Errorf("input %d has type %s, input 0 %s", i, ops.TypeName(v.Type), ops.TypeName(in[0].Type))
		}
	}
	p, err := op.resolve(in)
	if err != nil {
		return nil, err
	}
	shape := make([]int, len(p.out))
	for i, l := range p.out {
		shape[i] = p.size[l]
	}
	return []ops.Value{{Type: in[0].Type, Shape: shape}}, nil
}

// checkNumeric requires a numeric element type of input v named name.
func checkNumeric(v ops.Value, name string) error {
	if ops.IsNumeric(v.Type) {
		return nil
	}
	if err := ops.CheckElemType(v, name); err != nil {
		return err
	}
	return fmt.Errorf("input %q has type %s, want a numeric type", name, ops.TypeName(v.Type))
}

// Run evaluates the equation.
func (op *einsumOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the contractions and allocates their intermediate buffers once.
func (op *einsumOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	p, err := op.resolve(ops.ConstValues(in))
	if err != nil {
		return nil, err
	}
	switch in[0].Type {
	case onnx.Float:
		return bindEinsum[float32](ctx.Par, p, in, out[0]), nil
	case onnx.Double:
		return bindEinsum[float64](ctx.Par, p, in, out[0]), nil
	}
	return bindEinsumInt64(ctx.Par, p, in, out[0]), nil
}

// bindEinsumInt64 binds an Einsum of an integer type computed in int64 on
// widened copies of the tensors: sums of products wrap to the same low
// bits in int64 as in any narrower type, signed or not, so the result
// narrowed back is the narrow type's own.
func bindEinsumInt64(par ops.Parallel, p *einsumPlan, in []*ops.Tensor, y *ops.Tensor) func() error {
	return wide.Widened(onnx.Int64, in, []*ops.Tensor{y}, func(in, ys []*ops.Tensor) func() error {
		return bindEinsum[int64](par, p, in, ys[0])
	})
}

// operand is a strided view labelled per dim: an input (a repeated label's
// strides added, a broadcast size-1 dim given stride 0) or a product.
type operand struct {
	labels, strides []int
}

// inputOperand views input shape with labels.
func inputOperand(labels, shape []int, size map[int]int) operand {
	st := ops.Strides(shape)
	var o operand
	for k, l := range labels {
		s := st[k]
		if shape[k] == 1 && size[l] != 1 {
			s = 0
		}
		if j := slices.Index(o.labels, l); j >= 0 {
			o.strides[j] += s
			continue
		}
		o.labels = append(o.labels, l)
		o.strides = append(o.strides, s)
	}
	return o
}

// strideOf is l's stride in o (0 when o lacks it).
func (o operand) strideOf(l int) int {
	if j := slices.Index(o.labels, l); j >= 0 {
		return o.strides[j]
	}
	return 0
}

// bindEinsum plans the contractions of p for type T over the step's tensors.
func bindEinsum[T ops.Numeric](par ops.Parallel, p *einsumPlan, in []*ops.Tensor, y *ops.Tensor) func() error {
	var steps []*contraction[T]
	cur := inputOperand(p.ins[0], in[0].Shape, p.size)
	curIn := 0 // the input cur views, or -1 for the last product
	var prev []T
	for s := 1; s < len(in); s++ {
		next := inputOperand(p.ins[s], in[s].Shape, p.size)
		keep := map[int]bool{}
		for _, t := range append([][]int{p.out}, p.ins[s+1:]...) {
			for _, l := range t {
				keep[l] = true
			}
		}
		var batch, rows, ks, cols, dropX, dropY []int
		for _, l := range cur.labels {
			switch inY := slices.Contains(next.labels, l); {
			case inY && keep[l]:
				batch = append(batch, l)
			case inY:
				ks = append(ks, l)
			case keep[l]:
				rows = append(rows, l)
			default:
				dropX = append(dropX, l)
			}
		}
		for _, l := range next.labels {
			switch {
			case slices.Contains(cur.labels, l):
			case keep[l]:
				cols = append(cols, l)
			default:
				dropY = append(dropY, l)
			}
		}
		st := &contraction[T]{xIn: curIn, yIn: s,
			packX: newGather[T](p, cur, concat(batch, rows, ks), dropX),
			packY: newGather[T](p, next, concat(batch, ks, cols), dropY),
			mul:   newBMM[T](p.count(batch), p.count(rows), p.count(ks), p.count(cols)),
		}
		st.packX.src = prev
		st.bufX, st.bufY = st.packX.buffer(), st.packY.buffer()
		steps = append(steps, st)
		prev = st.mul.c
		cur = operand{labels: concat(batch, rows, cols)}
		cur.strides = ops.Strides(p.sizes(cur.labels))
		curIn = -1
	}
	var drop []int
	for _, l := range cur.labels {
		if !slices.Contains(p.out, l) {
			drop = append(drop, l)
		}
	}
	final := newGather[T](p, cur, p.out, drop)
	final.src = prev
	return func() error {
		for _, st := range steps {
			if st.xIn >= 0 {
				st.packX.src = ops.Elems[T](in[st.xIn])
			}
			st.packY.src = ops.Elems[T](in[st.yIn])
			st.mul.a = st.packX.fill(par, st.bufX)
			st.mul.b = st.packY.fill(par, st.bufY)
			st.mul.run(par)
		}
		if curIn >= 0 {
			final.src = ops.Elems[T](in[curIn])
		}
		final.run(par, ops.Elems[T](y))
		return nil
	}
}

// count is the number of elements over labels.
func (p *einsumPlan) count(labels []int) int { return ops.NumElems(p.sizes(labels)) }

// sizes are the labels' sizes.
func (p *einsumPlan) sizes(labels []int) []int {
	s := make([]int, len(labels))
	for i, l := range labels {
		s[i] = p.size[l]
	}
	return s
}

// concat is the lists one after the other, in a new slice.
func concat(lists ...[]int) []int {
	var out []int
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// contraction is one product of two operands: X (input xIn, or the
// previous product) and input yIn, each gathered into the product's
// operand layout.
type contraction[T ops.Numeric] struct {
	xIn, yIn     int
	packX, packY *gather[T]
	bufX, bufY   []T // where the gathers write (nil for an identity)
	mul          *bmm[T]
}

// gather writes to a contiguous destination, for every index of its dims
// in row-major order, the sum over the dropped dims of a strided source.
// When that is the source as it lies (identity), fill hands the source on.
type gather[T ops.Numeric] struct {
	outShape, outStrides []int // source strides of the destination's dims
	redShape, redStrides []int // the dims summed over
	reds, size           int   // elements summed per output; outputs
	identity             bool
	src, dst             []T
	body                 func(lo, hi int)
}

// newGather gathers operand o into the order of the labels out (of sizes
// from p), summing over drop.
func newGather[T ops.Numeric](p *einsumPlan, o operand, out, drop []int) *gather[T] {
	g := &gather[T]{}
	st := make([]int, len(out))
	for i, l := range out {
		st[i] = o.strideOf(l)
	}
	g.outShape, g.outStrides = mergeDims(p.sizes(out), st)
	st = st[:0]
	for _, l := range drop {
		st = append(st, o.strideOf(l))
	}
	g.redShape, g.redStrides = mergeDims(p.sizes(drop), st)
	g.reds, g.size = ops.NumElems(g.redShape), ops.NumElems(g.outShape)
	g.identity = len(g.redShape) == 0 && (len(g.outShape) == 0 || len(g.outShape) == 1 && g.outStrides[0] == 1)
	g.body = g.rangeOf
	return g
}

// buffer is a destination for fill: nil for an identity.
func (g *gather[T]) buffer() []T {
	if g.identity {
		return nil
	}
	return make([]T, g.size)
}

// fill returns the gathered values: the source itself for an identity,
// else buf filled.
func (g *gather[T]) fill(par ops.Parallel, buf []T) []T {
	if g.identity {
		return g.src[:g.size]
	}
	g.run(par, buf)
	return buf
}

// mergeDims drops the size-1 dims of a strided view and merges each dim
// into the next where they step as one.
func mergeDims(shape, strides []int) ([]int, []int) {
	var sh, st []int
	for k, d := range shape {
		if d == 1 {
			continue
		}
		if n := len(sh); n > 0 && st[n-1] == strides[k]*d {
			sh[n-1] *= d
			st[n-1] = strides[k]
			continue
		}
		sh = append(sh, d)
		st = append(st, strides[k])
	}
	return sh, st
}

// run fills dst.
func (g *gather[T]) run(par ops.Parallel, dst []T) {
	g.dst = dst
	par.For(len(dst), max(1, ops.Grain/max(g.reds, 1)), g.body)
}

// rangeOf fills dst[lo:hi], a row of the innermost dim at a time.
func (g *gather[T]) rangeOf(lo, hi int) {
	shape, strides := g.outShape, g.outStrides
	inner, step := 1, 0
	if nd := len(shape); nd > 0 {
		inner, step = shape[nd-1], strides[nd-1]
		shape, strides = shape[:nd-1], strides[:nd-1]
	}
	var ow, rw ops.Odometer
	ow.Reset(shape, strides)
	ow.Seek(lo / inner)
	rw.Reset(g.redShape, g.redStrides)
	for o := lo; o < hi; {
		c := o % inner
		d := g.dst[o:min(hi, o-c+inner)]
		base := ow.Off + c*step
		switch {
		case len(g.redShape) > 0:
			for i := range d {
				var s T
				for range g.reds {
					s += g.src[base+i*step+rw.Off]
					rw.Next()
				}
				d[i] = s
			}
		case step == 1:
			copy(d, g.src[base:])
		default:
			for i := range d {
				d[i] = g.src[base+i*step]
			}
		}
		o += len(d)
		ow.Next()
	}
}

// bmm is a batched matrix product c[i] = a[i] b[i] of batch m x k by k x n
// row-major matrices (c its own, a and b set before each run): float32 by
// the GEMM, other types by rows.
type bmm[T ops.Numeric] struct {
	batch, m, k, n int
	a, b, c        []T
	runner         gemm.Runner
	work           []float32
	rows           func(lo, hi int)
}

func newBMM[T ops.Numeric](batch, m, k, n int) *bmm[T] {
	mm := &bmm[T]{batch: batch, m: m, k: k, n: n, c: make([]T, batch*m*n)}
	if _, ok := any(mm.c).([]float32); ok {
		mm.work = make([]float32, gemm.WorkLen(m, n, k, false, false))
	}
	mm.rows = mm.rowRange
	return mm
}

// run computes c.
func (mm *bmm[T]) run(par ops.Parallel) {
	if len(mm.c) == 0 {
		return
	}
	if mm.k == 0 {
		clear(mm.c)
		return
	}
	a32, ok := any(mm.a).([]float32)
	if !ok {
		par.For(mm.batch*mm.m, max(1, ops.Grain/max(mm.k*mm.n, 1)), mm.rows)
		return
	}
	b32, c32 := any(mm.b).([]float32), any(mm.c).([]float32)
	m, k, n := mm.m, mm.k, mm.n
	for i := range mm.batch {
		p := gemm.Product{M: m, N: n, K: k, Alpha: 1,
			A: gemm.Matrix{Data: a32[i*m*k:], Ld: k}, B: gemm.Matrix{Data: b32[i*k*n:], Ld: n},
			C: c32[i*m*n:], LdC: n}
		mm.runner.Run(par, &p, mm.work)
	}
}

// rowRange computes the rows [lo, hi) of the batch's stacked c.
func (mm *bmm[T]) rowRange(lo, hi int) {
	m, k, n := mm.m, mm.k, mm.n
	for r := lo; r < hi; r++ {
		crow := mm.c[r*n:][:n]
		clear(crow)
		bat := mm.b[r/m*k*n:]
		for kk, av := range mm.a[r*k:][:k] {
			for j, bv := range bat[kk*n:][:n] {
				crow[j] += av * bv
			}
		}
	}
}
