package vision

import (
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/vec"
	"github.com/edgeinfer/edgeinfer/ops/internal/wide"
)

// axisPlan says, for each output position of one axis, which inputs it
// reads: k consecutive ones from start[o], weighted by w[o*k:(o+1)*k]
// (nearest mode: the one input start[o], w nil). Outputs listed in extrap
// take the extrapolation value; their taps are a harmless placeholder.
type axisPlan struct {
	n, m   int // input and output lengths
	k      int
	start  []int
	w      []float64
	extrap []int
}

// identity reports whether every output position copies the input at
// the same position.
func (p *axisPlan) identity() bool {
	if p.n != p.m || len(p.extrap) > 0 {
		return false
	}
	for o, s := range p.start {
		if p.w == nil {
			if s != o {
				return false
			}
			continue
		}
		for t, w := range p.w[o*p.k : (o+1)*p.k] {
			if (s+t == o) != (w == 1) || w != 0 && w != 1 {
				return false
			}
		}
	}
	return true
}

// resizeExec resizes an input into an output of the planned shapes.
type resizeExec interface {
	run(par ops.Parallel, x, y *ops.Tensor)
}

// newResizeExec makes the executor for the per-axis plans: a copy when
// every axis is an identity, a gather in nearest mode, otherwise
// separable weighted passes in float32 or float64 (integers go through
// float64). Only the axes up to the last one that is not an identity are
// walked; the axes after it move as blocks. threads sizes the parallel
// split; the loops are bound (allocation-free).
func newResizeExec(mode interp, plans []axisPlan, s *resizeSpec, dt ops.DType, threads int) resizeExec {
	last := -1
	for d := range plans {
		if !plans[d].identity() {
			last = d
		}
	}
	if last < 0 {
		return copyExec{}
	}
	block := ops.NumElems(s.in[last+1:])
	if mode == interpNearest {
		switch ops.ElemSize(dt) {
		case 1:
			return newNearestExec[uint8](plans, s, last, block)
		case 2:
			return newNearestExec[uint16](plans, s, last, block)
		case 4:
			return newNearestExec[uint32](plans, s, last, block)
		}
		return newNearestExec[uint64](plans, s, last, block)
	}
	switch dt {
	case onnx.Float:
		return newFloatExec[float32](plans, s, last, block, threads)
	case onnx.Double:
		return newFloatExec[float64](plans, s, last, block, threads)
	}
	return &widenExec{
		f: newFloatExec[float64](plans, s, last, block, threads),
		x: ops.New(onnx.Double, ops.NumElems(s.in)),
		y: ops.New(onnx.Double, ops.NumElems(s.out)),
	}
}

// copyExec copies the input unchanged.
type copyExec struct{}

func (copyExec) run(_ ops.Parallel, x, y *ops.Tensor) { copy(y.Data, x.Data) }

// digits spells row r as digits over dims into idx (len(dims) long).
func digits(idx, dims []int, r int) {
	for d := len(dims) - 1; d >= 0; d-- {
		idx[d] = r % dims[d]
		r /= dims[d]
	}
}

// step advances digits idx over dims to the next row.
func step(idx, dims []int) {
	for d := len(idx) - 1; d >= 0; d-- {
		if idx[d]++; idx[d] < dims[d] {
			return
		}
		idx[d] = 0
	}
}

// nearestExec copies each output element from its nearest input, one
// output row (the last resized axis, with its blocks) at a time; a row
// reading the same input row as the one before it is a copy of that one.
type nearestExec[E any] struct {
	dims   []int   // output dims of the axes before the last resized one
	src    [][]int // per such axis and output position: input offset
	col    []int   // per output position of the last resized axis: offset in the input row
	block  int
	repeat int // > 1 when col repeats each input position this often (block 1)
	rowIn  int
	rowOut int
	rows   int
	loop   ops.Loop
	job    nearestJob[E] // the loop's job
}

func newNearestExec[E any](plans []axisPlan, s *resizeSpec, last, block int) *nearestExec[E] {
	e := &nearestExec[E]{dims: s.out[:last], block: block, rows: ops.NumElems(s.out[:last])}
	stride := block * s.in[last]
	e.rowIn, e.rowOut = stride, block*s.out[last]
	e.src = make([][]int, last)
	for d := last - 1; d >= 0; d-- {
		e.src[d] = make([]int, s.out[d])
		for o, st := range plans[d].start {
			e.src[d][o] = st * stride
		}
		stride *= s.in[d]
	}
	p := &plans[last]
	e.col = make([]int, p.m)
	for o, st := range p.start {
		e.col[o] = st * block
	}
	if f := p.m / max(p.n, 1); block == 1 && f > 1 && p.m == f*p.n {
		e.repeat = f
		for o, st := range p.start {
			if st != o/f {
				e.repeat = 0
				break
			}
		}
	}
	e.loop.Bind(&e.job)
	return e
}

func (e *nearestExec[E]) run(par ops.Parallel, x, y *ops.Tensor) {
	grain := max(1, ops.Grain/max(e.rowOut, 1))
	e.job = nearestJob[E]{e, ops.View[E](x.Data), ops.View[E](y.Data)}
	e.loop.Run(par, e.rows, grain)
}

// nearestJob gathers output rows of a nearestExec.
type nearestJob[E any] struct {
	e    *nearestExec[E]
	x, y []E
}

func (j nearestJob[E]) Run(lo, hi int) {
	if lo >= hi {
		return
	}
	e := j.e
	var buf [8]int
	idx := buf[:0]
	if len(e.dims) > len(buf) {
		idx = make([]int, 0, len(e.dims))
	}
	idx = idx[:len(e.dims)]
	digits(idx, e.dims, lo)
	prev := -1
	for r := lo; r < hi; r++ {
		off := 0
		for d, i := range idx {
			off += e.src[d][i]
		}
		step(idx, e.dims)
		dst := j.y[r*e.rowOut:][:e.rowOut]
		if off == prev {
			copy(dst, j.y[(r-1)*e.rowOut:][:e.rowOut])
			continue
		}
		prev = off
		row := j.x[off:][:e.rowIn]
		switch {
		case e.repeat == 2:
			for i, v := range row {
				dst[2*i], dst[2*i+1] = v, v
			}
		case e.repeat > 0:
			for i, v := range row {
				for k := range e.repeat {
					dst[i*e.repeat+k] = v
				}
			}
		case e.block == 1:
			for o, at := range e.col {
				dst[o] = row[at]
			}
		default:
			for o, at := range e.col {
				copy(dst[o*e.block:][:e.block], row[at:][:e.block])
			}
		}
	}
}

// taps is an axisPlan's weights in the computing type.
type taps[F ops.Float] struct {
	k     int
	start []int
	w     []F
}

func tapsOf[F ops.Float](p *axisPlan) *taps[F] {
	t := &taps[F]{k: p.k, start: p.start, w: make([]F, len(p.w))}
	for i, v := range p.w {
		t.w[i] = F(v)
	}
	return t
}

// floatExec resizes float data in separable passes: one weighted pass per
// resized axis before the last two of the walked axes, through
// intermediate buffers, then a fused pass over those two axes, row by
// row: the output row's input rows blended into a row buffer (SIMD), then
// its columns gathered from that row.
type floatExec[F ops.Float] struct {
	passes []*blendPass[F]
	bufs   [][]F // each pass's output
	final  *fusedPass[F]
}

func newFloatExec[F ops.Float](plans []axisPlan, s *resizeSpec, last, block, threads int) *floatExec[F] {
	e := &floatExec[F]{}
	// The fused pass takes axes h = last-1 and last; earlier resized axes
	// get a pass each, in order.
	h := last - 1
	for d := 0; d < h; d++ {
		if plans[d].identity() {
			continue
		}
		p := &blendPass[F]{
			t:     tapsOf[F](&plans[d]),
			outer: ops.NumElems(s.out[:d]),
			n:     s.in[d],
			m:     s.out[d],
			inner: ops.NumElems(s.in[d+1:last+1]) * block,
		}
		p.loop.Bind(&p.job)
		e.passes = append(e.passes, p)
		e.bufs = append(e.bufs, make([]F, p.outer*p.m*p.inner))
	}
	f := &fusedPass[F]{w: tapsOf[F](&plans[last]), block: block, nW: s.in[last], mW: s.out[last], nH: 1, mH: 1}
	if h >= 0 {
		f.outer = ops.NumElems(s.out[:h])
		f.nH, f.mH = s.in[h], s.out[h]
		if !plans[h].identity() {
			f.h = tapsOf[F](&plans[h])
		}
	} else {
		f.outer = 1
	}
	f.rowIn, f.rowOut = f.nW*block, f.mW*block
	rows := f.outer * f.mH
	f.tasks = max(1, min(rows, 2*threads))
	if f.h != nil {
		f.tmp = make([][]F, f.tasks)
		for i := range f.tmp {
			f.tmp[i] = make([]F, f.rowIn)
		}
	}
	f.loop.Bind(&f.job)
	e.final = f
	return e
}

func (e *floatExec[F]) run(par ops.Parallel, x, y *ops.Tensor) {
	e.resize(par, ops.View[F](x.Data), ops.View[F](y.Data))
}

// resize runs the passes from x into y.
func (e *floatExec[F]) resize(par ops.Parallel, x, y []F) {
	src := x
	for i, p := range e.passes {
		grain := max(1, ops.Grain/max(p.inner, 1))
		p.job = blendJob[F]{p, src, e.bufs[i]}
		p.loop.Run(par, p.outer*p.m, grain)
		src = e.bufs[i]
	}
	e.final.job = fusedJob[F]{e.final, src, y}
	e.final.loop.Run(par, e.final.tasks, 1)
}

// blendPass resizes one axis of a [outer, n, inner] view into
// [outer, m, inner], blending whole rows of inner values.
type blendPass[F ops.Float] struct {
	t           *taps[F]
	outer, n, m int
	inner       int
	loop        ops.Loop
	job         blendJob[F] // the loop's job
}

// blendJob computes output rows [lo, hi) of a blendPass.
type blendJob[F ops.Float] struct {
	p    *blendPass[F]
	x, y []F
}

func (j blendJob[F]) Run(lo, hi int) {
	p := j.p
	k := p.t.k
	for r := lo; r < hi; r++ {
		outer, o := r/p.m, r%p.m
		src := j.x[(outer*p.n+p.t.start[o])*p.inner:]
		blendRows(j.y[r*p.inner:][:p.inner], src, p.inner, p.t.w[o*k:][:k])
	}
}

// fusedPass resizes the last two walked axes of a [outer, nH, nW*block]
// view into [outer, mH, mW*block]; h is nil when the first of them is an
// identity. Its rows are split into tasks, each with its row buffer.
type fusedPass[F ops.Float] struct {
	h, w           *taps[F]
	outer          int
	nH, mH, nW, mW int
	block          int
	rowIn, rowOut  int
	tasks          int
	tmp            [][]F
	loop           ops.Loop
	job            fusedJob[F] // the loop's job
}

// fusedJob computes the output rows of tasks [lo, hi) of a fusedPass.
type fusedJob[F ops.Float] struct {
	f    *fusedPass[F]
	x, y []F
}

func (j fusedJob[F]) Run(lo, hi int) {
	f := j.f
	rows := f.outer * f.mH
	for task := lo; task < hi; task++ {
		for r := task * rows / f.tasks; r < (task+1)*rows/f.tasks; r++ {
			plane, oh := r/f.mH, r%f.mH
			src := j.x[plane*f.nH*f.rowIn:]
			var row []F
			if f.h == nil {
				row = src[oh*f.rowIn:][:f.rowIn]
			} else {
				row = f.tmp[task]
				k := f.h.k
				blendRows(row, src[f.h.start[oh]*f.rowIn:], f.rowIn, f.h.w[oh*k:][:k])
			}
			dst := j.y[r*f.rowOut:][:f.rowOut]
			if f.block == 1 {
				gatherTaps(dst, row, f.w)
				continue
			}
			k := f.w.k
			for o, s := range f.w.start {
				blendRows(dst[o*f.block:][:f.block], row[s*f.block:], f.block, f.w.w[o*k:][:k])
			}
		}
	}
}

// blendRows sets dst to the sum of w[t] times the row of src starting at
// t*stride, for every t: SIMD row passes for float32.
func blendRows[F ops.Float](dst, src []F, stride int, w []F) {
	n := len(dst)
	if len(w) == 1 {
		for i, v := range src[:n] {
			dst[i] = w[0] * v
		}
		return
	}
	if d, ok := any(dst).([]float32); ok {
		s := any(src).([]float32)
		vec.Lerp(d, s[:n], s[stride:][:n], float32(w[0]), float32(w[1]))
		for t := 2; t < len(w); t++ {
			vec.Axpy(d, s[t*stride:][:n], float32(w[t]))
		}
		return
	}
	a, b, y := w[0], w[1], src[stride:][:n]
	for i, v := range src[:n] {
		dst[i] = a*v + b*y[i]
	}
	for t := 2; t < len(w); t++ {
		c := w[t]
		for i, v := range src[t*stride:][:n] {
			dst[i] += c * v
		}
	}
}

// gatherTaps sets dst[o] to the weighted sum of src's inputs t.start[o]
// onwards.
func gatherTaps[F ops.Float](dst, src []F, t *taps[F]) {
	switch t.k {
	case 1:
		for o, s := range t.start[:len(dst)] {
			dst[o] = t.w[o] * src[s]
		}
	case 2:
		w := t.w[:2*len(dst)]
		for o, s := range t.start[:len(dst)] {
			x, c := src[s:s+2], w[2*o:2*o+2]
			dst[o] = c[0]*x[0] + c[1]*x[1]
		}
	case 4:
		w := t.w[:4*len(dst)]
		for o, s := range t.start[:len(dst)] {
			x, c := src[s:s+4], w[4*o:4*o+4]
			dst[o] = c[0]*x[0] + c[1]*x[1] + c[2]*x[2] + c[3]*x[3]
		}
	default:
		for o, s := range t.start[:len(dst)] {
			var acc F
			for i, v := range t.w[o*t.k : (o+1)*t.k] {
				acc += v * src[s+i]
			}
			dst[o] = acc
		}
	}
}

// widenExec resizes integer data through float64 buffers: the input is
// widened, resized, then rounded half to even and saturated into the
// output.
type widenExec struct {
	f    *floatExec[float64]
	x, y *ops.Tensor // float64
}

func (e *widenExec) run(par ops.Parallel, x, y *ops.Tensor) {
	wide.Convert(e.x, x)
	e.f.resize(par, e.x.F64(), e.y.F64())
	saturateInto(y, e.y.F64())
}

// extrapFix writes the extrapolation value over every output element one
// of whose coordinates lies outside tf_crop_and_resize's window.
type extrapFix struct {
	axes  []int // axes with such positions
	plans []axisPlan
	out   []int
	value []byte // the value as one output element
}

func newExtrapFix(plans []axisPlan, out []int, value []byte) extrapFix {
	f := extrapFix{plans: plans, out: out, value: value}
	for d := range plans {
		if len(plans[d].extrap) > 0 {
			f.axes = append(f.axes, d)
		}
	}
	return f
}

// apply fills y's extrapolated elements.
func (f extrapFix) apply(y *ops.Tensor) {
	es := len(f.value)
	for _, d := range f.axes {
		outer, m := ops.NumElems(f.out[:d]), f.out[d]
		inner := ops.NumElems(f.out[d+1:]) * es
		for i := range outer {
			for _, o := range f.plans[d].extrap {
				ops.FillElems(y.Data[(i*m+o)*inner:][:inner], f.value)
			}
		}
	}
}
