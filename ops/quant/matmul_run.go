package quant

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/qgemm"
)

// A product's epilogue, with the zero points moved to the kernel's
// signedness (za to rows', zb to columns'): the sum of (a-za)(b-zb) over
// K is Σab - zb[c]·Σa[r] - za[r]·Σb[c] + K·za[r]·zb[c]. With za per
// tensor, the kernels add the column offsets za·(K·zb[c] - Σb[c]) plus the
// bias, and the rank-one term Σa[r]·(-zb[c]); with za per row, a per-row
// scale of a or a two-dimensional C, they store the int32 sums without
// their za and bias terms, which a pass in Go adds before storing
// (finish).

// matmulRun is a bound product: its tensors, scratch, epilogue vectors
// and loops, made once by Bind.
type matmulRun struct {
	q              *qmatmul
	d              ops.MatMulDims
	k              *qgemm.Kernel
	par            ops.Parallel
	in             []*ops.Tensor
	out            *ops.Tensor
	a, b, azp, bzp *ops.Tensor
	packed         *mmPacked // b packed by Prepare, or nil
	sp             mmSpace
	kq             int
	kIdx           []int32
	finish         bool
	prod           qgemm.Product
	colOff, colMul []int32
	rowOff         []int32   // QGemm's C per row
	cRow, cCol     int       // the strides of QGemm's C over rows and columns
	scale          []float32 // per column
	zb             []int32   // b's zero point per column, in the columns' signedness
	za             int32     // a's per tensor, in the rows' signedness
	lo, hi         float32   // the output's range
	am, bm         qgemm.Matrix
	bSums          []int32 // the column sums of the current b
	outBatch       []byte
	packA, packB   bool
	packBody       func(lo, hi int)
	tileBody       func(lo, hi int)
	finishBody     func(lo, hi int)
}

// Bind resolves the shapes, lays out the scratch and makes the loops.
func (q *qmatmul) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	d, err := q.dims(in[q.in.a].Shape, in[q.in.b].Shape)
	if err != nil {
		return nil, err
	}
	k := mmKernel(&d)
	vals := ops.ConstValues(in)
	var count qspace
	q.space(k, &d, vals, &count)
	if len(ctx.Scratch) < count.n {
		return nil, fmt.Errorf("scratch has %d bytes, want %d", len(ctx.Scratch), count.n)
	}
	r := &matmulRun{q: q, d: d, k: k, par: ctx.Par, in: in, out: out[0], packed: q.prepacked(k),
		a: in[q.in.a], b: in[q.in.b], azp: ops.InputAt(in, q.in.azp), bzp: ops.InputAt(in, q.in.bzp),
		kq: qgemm.Steps(d.K), kIdx: qgemm.Linear(d.K), finish: q.finishing(vals, &d)}
	sp := qspace{buf: ctx.Scratch}
	r.sp = q.space(k, &d, vals, &sp)
	rows, cols := k.RowPanels(d.M)*k.MR, k.ColPanels(d.N)*k.NR
	r.colOff, r.colMul, r.zb = make([]int32, cols), make([]int32, cols), make([]int32, cols)
	r.scale = make([]float32, cols)
	r.prod = qgemm.Product{M: d.M, N: d.N, KQ: r.kq, A: r.sp.a, Offs: k.PanelOffsets(r.kq), PanelStep: k.NR * 4 * r.kq,
		Hp: 1, Wp: d.N, H: 1, W: d.N, Ldc: d.N * ops.ElemSize(out[0].Type), Kernel: k}
	r.prod.Ep = qgemm.Epilogue{ColOff: r.colOff, Scale: r.scale, ScaleCols: true, Mode: qgemm.Int32}
	switch {
	case r.finish:
		r.prod.Ldc = d.N * 4
	case q.kind == mmInteger:
	case q.kind == mmGemm && !ops.HasInput(vals, 8):
		r.prod.Ep.Mode = qgemm.Float
	default:
		r.prod.Ep.Mode = qgemm.Byte
	}
	if q.kind == mmGemm && ops.HasInput(vals, 6) {
		r.cRow, r.cCol, _ = gemmBiasStrides(vals[6], d.M, d.N)
		if r.cRow != 0 && r.cCol == 0 {
			r.rowOff = make([]int32, rows)
			r.prod.Ep.RowOff = r.rowOff
		}
	}
	r.lo, r.hi = 0, 255
	if yzp := r.yZeroPoint(); yzp != nil {
		r.lo, r.hi = outRange(yzp)
	}
	r.bind()
	if d.M > 0 && d.N > 0 {
		r.prod.B = r.bBatch(0)
		r.prod.Out = r.outData(0)
		if err := r.prod.Check(); err != nil {
			return nil, err
		}
	}
	return r.run, nil
}

// yZeroPoint is the output's zero point input, or nil.
func (r *matmulRun) yZeroPoint() *ops.Tensor {
	switch r.q.kind {
	case mmQLinear:
		return r.in[7]
	case mmGemm:
		return ops.InputAt(r.in, 8)
	}
	return nil
}

// bind makes the loop bodies.
func (r *matmulRun) bind() {
	rp := r.k.RowPanels(r.d.M)
	r.packBody = func(lo, hi int) {
		if !r.packA {
			lo, hi = lo+rp, hi+rp
		}
		for i := lo; i < hi; i++ {
			if i < rp {
				r.k.PackRows(r.sp.a, r.sp.aSums, r.am, r.d.M, r.kIdx, i, i+1)
				continue
			}
			r.k.PackCols(r.sp.b, r.sp.bSums, r.bm, r.d.N, r.kIdx, i-rp, i-rp+1)
		}
	}
	r.tileBody = func(lo, hi int) { r.prod.Run(lo, hi) }
	r.finishBody = r.finishRows
}

// bBatch is the packed b of batch matrix bi: prepacked, or the scratch.
func (r *matmulRun) bBatch(bi int) []byte {
	if r.packed == nil {
		return r.sp.b
	}
	_, bo := r.d.Offsets(bi)
	blen := r.k.ColsLen(r.d.N, r.kq)
	i := 0
	if r.d.K*r.d.N > 0 {
		i = bo / (r.d.K * r.d.N)
	}
	return r.packed.data[i*blen : (i+1)*blen]
}

// outData is where the kernels store batch bi: its output, or the int32
// sums the finishing pass reads.
func (r *matmulRun) outData(bi int) []byte {
	if r.finish {
		return r.sp.sumBytes[:4*r.d.M*r.d.N]
	}
	n := r.d.M * r.d.N * ops.ElemSize(r.out.Type)
	return r.out.Data[bi*n : (bi+1)*n]
}

// run computes the product batch by batch, packing each operand only when
// its batch matrix changes.
func (r *matmulRun) run() error {
	d := &r.d
	if d.M == 0 || d.N == 0 {
		return nil
	}
	r.params()
	lastA, lastB := -1, -1
	ep := r.prod.Ep
	for bi := range ops.NumElems(d.Batch) {
		ao, bo := d.Offsets(bi)
		r.packA, r.packB = ao != lastA, r.packed == nil && bo != lastB
		newB := bo != lastB
		lastA, lastB = ao, bo
		n := 0
		if r.packA {
			r.am = r.q.aMatrix(r.a, d, ao)
			n += r.k.RowPanels(d.M)
		}
		if r.packB {
			r.bm = r.q.bMatrix(r.b, d, bo)
			n += r.k.ColPanels(d.N)
		}
		r.par.For(n, max(1, qGrain/max(1, d.K*r.k.MR)), r.packBody)
		if newB {
			r.columns(bo)
		}
		r.prod.B, r.prod.Out = r.bBatch(bi), r.outData(bi)
		r.prod.Ep = ep
		if r.colMul != nil && r.anyZB() {
			r.prod.Ep.RowMul, r.prod.Ep.ColMul = r.sp.aSums, r.colMul
		}
		r.par.For(r.prod.Tiles(), max(1, qGrain/max(1, r.prod.TileMACs())), r.tileBody)
		if r.finish {
			r.outBatch = r.out.Data[bi*d.M*d.N*ops.ElemSize(r.out.Type):]
			r.par.For(d.M, max(1, qGrain/max(1, 4*d.N)), r.finishBody)
		}
	}
	return nil
}

// anyZB reports whether some column has a zero point (in the columns'
// signedness).
func (r *matmulRun) anyZB() bool {
	for _, z := range r.zb[:r.d.N] {
		if z != 0 {
			return true
		}
	}
	return false
}

// params reads the run's zero points, scales and bias per row or column.
func (r *matmulRun) params() {
	d, in := &r.d, r.in
	r.za = r.k.Shift(r.a.Type == onnx.Int8, false)
	if r.azp != nil {
		r.za += q8At(r.azp.Data, r.azp.Type == onnx.Int8, 0)
	}
	sb := r.k.Shift(r.b.Type == onnx.Int8, true)
	for c := range d.N {
		r.zb[c] = sb
		if r.bzp != nil {
			r.zb[c] += q8At(r.bzp.Data, r.bzp.Type == onnx.Int8, c*qStep(r.bzp))
		}
		r.colMul[c] = -r.zb[c]
	}
	switch r.q.kind {
	case mmQLinear:
		if !r.finish {
			sa, sbs, ys := in[1].F32()[0], in[4].F32(), in[6].F32()[0]
			for c := range d.N {
				r.scale[c] = sa * sbs[c*qStep(in[4])] / ys
			}
		}
	case mmGemm:
		r.gemmScales()
	}
	if yzp := r.yZeroPoint(); yzp != nil {
		zy := q8At(yzp.Data, yzp.Type == onnx.Int8, 0)
		r.prod.Ep.Zp, r.prod.Ep.Lo, r.prod.Ep.Hi = zy, r.lo-float32(zy), r.hi-float32(zy)
	}
}

// gemmScales computes QGemm's scale per column, alpha·a_scale·b_scale[c]
// (divided by y_scale when given), and its per-row C.
func (r *matmulRun) gemmScales() {
	in := r.in
	sa, sb, bs := in[1].F32()[0], in[4].F32(), qStep(in[4])
	for c := range r.d.N {
		r.scale[c] = r.q.alpha * sa * sb[c*bs]
		if ys := ops.InputAt(in, 7); ys != nil {
			r.scale[c] /= ys.F32()[0]
		}
	}
	if r.rowOff != nil {
		copy(r.rowOff, in[6].I32()[:r.d.M])
	}
}

// columns finds the column sums of batch matrix bo of b and computes its
// column offsets: za·(K·zb[c] - Σb[c]) plus C per column, or none when
// finishing (finishRows adds them).
func (r *matmulRun) columns(bo int) {
	d := &r.d
	r.bSums = r.sp.bSums
	if r.packed != nil {
		slen := r.k.ColPanels(d.N) * r.k.NR
		i := 0
		if d.K*d.N > 0 {
			i = bo / (d.K * d.N)
		}
		r.bSums = r.packed.sums[i*slen : (i+1)*slen]
	}
	if r.finish {
		clear(r.colOff)
		return
	}
	var bias []int32
	if c := ops.InputAt(r.in, 6); r.q.kind == mmGemm && c != nil && r.rowOff == nil {
		bias = c.I32()
	}
	for c := range d.N {
		v := r.za * (int32(d.K)*r.zb[c] - r.bSums[c])
		if bias != nil {
			v += bias[c*r.cCol]
		}
		r.colOff[c] = v
	}
}

// finishRows completes rows [lo, hi) of a finishing product: adds the
// terms of a's per-row zero point and QGemm's C to the int32 sums and
// stores them as the output's type says.
func (r *matmulRun) finishRows(lo, hi int) {
	d, in := &r.d, r.in
	sums := r.sp.sums
	var c []int32
	if t := ops.InputAt(in, 6); r.q.kind == mmGemm && t != nil {
		c = t.I32()
	}
	zaShift := r.k.Shift(r.a.Type == onnx.Int8, false)
	ep := &r.prod.Ep
	for i := lo; i < hi; i++ {
		za := zaShift
		if r.azp != nil {
			za += q8At(r.azp.Data, r.azp.Type == onnx.Int8, i*qStep(r.azp))
		}
		for j := range d.N {
			v := sums[i*d.N+j] + za*(int32(d.K)*r.zb[j]-r.bSums[j])
			if c != nil {
				v += c[i*r.cRow+j*r.cCol]
			}
			o := i*d.N + j
			switch {
			case r.out.Type == onnx.Int32:
				r.outBatch32()[o] = v
			case r.q.kind == mmGemm && r.yZeroPoint() == nil:
				ops.View[float32](r.outBatch)[o] = float32(v) * r.scale[j]
			default:
				s := r.scale[j]
				if r.q.kind == mmQLinear {
					s = in[1].F32()[i*qStep(in[1])] * in[4].F32()[j*qStep(in[4])] / in[6].F32()[0]
				}
				r.outBatch[o] = byte(qgemm.Requantize(v, s, ep.Lo, ep.Hi, ep.Zp))
			}
		}
	}
}

// outBatch32 is the current batch's output as int32.
func (r *matmulRun) outBatch32() []int32 { return ops.View[int32](r.outBatch) }
