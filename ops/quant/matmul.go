package quant

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// QLinearMatMul, MatMulInteger and com.microsoft QGemm multiply uint8/int8
// matrices: the products of zero-point-corrected elements accumulate in
// int32 (wrapping, as the spec allows), each an integer product of
// igemm.go (a constant right operand packed once by Prepare).
//
//   - MatMulInteger (10) follows numpy matmul's shapes and outputs the
//     int32 sums; its zero points are optional (0).
//   - QLinearMatMul (10, 21) follows numpy matmul's shapes and stores each
//     sum s as saturate(round_half_even(s·(a_scale·b_scale)/y_scale) +
//     y_zero_point), computed as ONNX Runtime does (the scale ratio and its
//     product with s rounded to float32). Version 21 only adds float16 and
//     bfloat16 scales (widened at load) and float8 types (unsupported).
//
// For both, a's scale and zero point are per tensor or per row ([M] or
// [1, ..., M, 1]) and b's per tensor or per column ([N] or
// [1, ..., 1, N]); forms varying along the batch axes are unsupported.
//
//   - QGemm (com.microsoft 1) is A (M×K, or K×M with transA) times B (K×N,
//     or N×K with transB) plus the optional int32 C (broadcast to M×N)
//     scaled by alpha·a_scale·b_scale, b's scale and zero point per tensor
//     or per column: with y_zero_point the output is requantized as above
//     (by (alpha·a_scale·b_scale)/y_scale), without it the float32 value
//     (divided by y_scale when given, as ONNX Runtime does).
func init() {
	for _, v := range []int{10, 21} {
		ops.Register("", "QLinearMatMul", v, buildQMatMul(mmQLinear))
	}
	ops.Register("", "MatMulInteger", 10, buildQMatMul(mmInteger))
	ops.Register("com.microsoft", "QGemm", 1, buildQMatMul(mmGemm))
}

// mmKind says which operator a qmatmul is.
type mmKind int

const (
	mmQLinear mmKind = iota // QLinearMatMul
	mmInteger               // MatMulInteger
	mmGemm                  // com.microsoft QGemm
)

// mmInputs are the input positions of a product's operands and zero points.
type mmInputs struct{ a, azp, b, bzp int }

var (
	qlinearMatMulNames = []string{"a", "a_scale", "a_zero_point", "b", "b_scale", "b_zero_point", "y_scale", "y_zero_point"}
	matMulIntegerNames = []string{"A", "B", "a_zero_point", "b_zero_point"}
	qgemmNames         = []string{"A", "a_scale", "a_zero_point", "B", "b_scale", "b_zero_point", "C", "y_scale", "y_zero_point"}
)

// qmatmul is a built QLinearMatMul, MatMulInteger or QGemm.
type qmatmul struct {
	kind           mmKind
	in             mmInputs
	names          []string
	alpha          float32 // QGemm
	transA, transB bool    // QGemm
	// bPacked holds every batch matrix of a constant b (and zero point),
	// packed by Prepare.
	bPacked []int32
}

func buildQMatMul(kind mmKind) ops.Builder {
	return func(n *onnx.Node, _ int) (ops.Op, error) {
		q := &qmatmul{kind: kind, in: mmInputs{a: 0, azp: 2, b: 3, bzp: 5}, names: qlinearMatMulNames}
		switch kind {
		case mmInteger:
			q.in, q.names = mmInputs{a: 0, b: 1, azp: 2, bzp: 3}, matMulIntegerNames
		case mmGemm:
			q.names = qgemmNames
			a := ops.AttrsOf(n)
			q.alpha = a.Float("alpha", 1)
			q.transA, q.transB = a.Int("transA", 0) != 0, a.Int("transB", 0) != 0
			if err := a.Err(); err != nil {
				return nil, err
			}
		}
		return q, nil
	}
}

// dims resolves the product's shapes: numpy matmul's, or Gemm's 2-D ones.
func (q *qmatmul) dims(a, b []int) (ops.MatMulDims, error) {
	if q.kind != mmGemm {
		return ops.MatMulShape(a, b)
	}
	if len(a) != 2 || len(b) != 2 {
		return ops.MatMulDims{}, fmt.Errorf("inputs \"A\" %v and \"B\" %v: QGemm needs matrices", a, b)
	}
	m, k := a[0], a[1]
	if q.transA {
		m, k = k, m
	}
	kb, n := b[0], b[1]
	if q.transB {
		kb, n = n, kb
	}
	if k != kb {
		return ops.MatMulDims{}, fmt.Errorf("input \"A\" %v (transA %v) has %d columns but input \"B\" %v (transB %v) has %d rows", a, q.transA, k, b, q.transB, kb)
	}
	return ops.MatMulDims{M: m, K: k, N: n, Out: []int{m, n}}, nil
}

// Infer checks the inputs; y has the product's shape, int32 for
// MatMulInteger, y_zero_point's type or else float32 for QGemm.
func (q *qmatmul) Infer(in []ops.Value) ([]ops.Value, error) {
	lo, hi := 8, 8
	switch q.kind {
	case mmInteger:
		lo, hi = 2, 4
	case mmGemm:
		lo, hi = 6, 9
	}
	if err := ops.CheckInputs(in, lo, hi); err != nil {
		return nil, err
	}
	for _, i := range []int{q.in.a, q.in.b} {
		if err := checkQ8(in[i], q.names[i]); err != nil {
			return nil, err
		}
	}
	d, err := q.dims(in[q.in.a].Shape, in[q.in.b].Shape)
	if err != nil {
		return nil, err
	}
	switch q.kind {
	case mmQLinear:
		if err := checkQLinear(in, q.names, -d.M, d.N); err != nil {
			return nil, err
		}
		return []ops.Value{{Type: in[7].Type, Shape: d.Out}}, nil
	case mmInteger:
		for _, z := range [...]struct{ zp, of, per int }{{q.in.azp, q.in.a, -d.M}, {q.in.bzp, q.in.b, d.N}} {
			if ops.HasInput(in, z.zp) {
				if err := checkZeroPoint(in[z.zp], q.names[z.zp], in[z.of].Type, q.names[z.of], z.per); err != nil {
					return nil, err
				}
			}
		}
		return []ops.Value{{Type: onnx.Int32, Shape: d.Out}}, nil
	}
	return q.inferGemm(in, &d)
}

// inferGemm checks QGemm's scales, zero points and C.
func (q *qmatmul) inferGemm(in []ops.Value, d *ops.MatMulDims) ([]ops.Value, error) {
	checks := []error{
		checkScale(in[1], q.names[1], 0),
		checkZeroPoint(in[2], q.names[2], in[0].Type, q.names[0], 0),
		checkScale(in[4], q.names[4], d.N),
		checkZeroPoint(in[5], q.names[5], in[3].Type, q.names[3], d.N),
	}
	for _, err := range checks {
		if err != nil {
			return nil, err
		}
	}
	if len(in[4].Shape) > 1 || len(in[5].Shape) > 1 {
		return nil, fmt.Errorf("inputs \"b_scale\" %v and \"b_zero_point\" %v: want scalars or vectors", in[4].Shape, in[5].Shape)
	}
	if ops.HasInput(in, 6) {
		if _, _, err := gemmBiasStrides(in[6], d.M, d.N); err != nil {
			return nil, err
		}
	}
	out := onnx.Float
	if ops.HasInput(in, 7) {
		if err := checkScale(in[7], q.names[7], 0); err != nil {
			return nil, err
		}
	}
	if ops.HasInput(in, 8) {
		if !ops.HasInput(in, 7) {
			return nil, fmt.Errorf("input \"y_zero_point\" is given without \"y_scale\"")
		}
		if err := checkQ8(in[8], q.names[8]); err != nil {
			return nil, err
		}
		if err := checkPerShape(in[8].Shape, q.names[8], 0); err != nil {
			return nil, err
		}
		out = in[8].Type
	}
	return []ops.Value{{Type: out, Shape: d.Out}}, nil
}

// gemmBiasStrides checks QGemm's C (int32, unidirectionally broadcastable
// to m×n) and returns the strides of its rows and columns (0 where
// broadcast).
func gemmBiasStrides(c ops.Value, m, n int) (row, col int, err error) {
	s := c.Shape
	if c.Type != onnx.Int32 || len(s) > 2 {
		return 0, 0, fmt.Errorf("input \"C\" is %s%v, want int32 of at most 2 axes", ops.TypeName(c.Type), s)
	}
	for len(s) < 2 {
		s = append([]int{1}, s...)
	}
	if (s[0] != 1 && s[0] != m) || (s[1] != 1 && s[1] != n) {
		return 0, 0, fmt.Errorf("input \"C\" has shape %v, not broadcastable to [%d %d]", c.Shape, m, n)
	}
	if s[0] != 1 {
		row = s[1]
	}
	if s[1] != 1 {
		col = 1
	}
	return row, col, nil
}

// bMatrix is the view of the batch matrix of b at element offset off.
func (q *qmatmul) bMatrix(b, zp *ops.Tensor, d *ops.MatMulDims, off int) qmat {
	m := qmat{data: b.Data[off:], signed: b.Type == onnx.Int8, rs: d.N, cs: 1, zp: zpData(zp), zpStep: zpStep(zp)}
	if q.transB {
		m.rs, m.cs = 1, d.K
	}
	return m
}

// aMatrix is the view of the batch matrix of a at element offset off.
func (q *qmatmul) aMatrix(a, zp *ops.Tensor, d *ops.MatMulDims, off int) qmat {
	m := qmat{data: a.Data[off:], signed: a.Type == onnx.Int8, rs: d.K, cs: 1, zp: zpData(zp), zpStep: zpStep(zp)}
	if q.transA {
		m.rs, m.cs = 1, d.M
	}
	return m
}

// Prepare packs a constant b (with a constant or omitted zero point),
// every batch matrix of it.
func (q *qmatmul) Prepare(in []ops.Value) error {
	if len(in) <= q.in.b || in[q.in.b].Const == nil || (ops.HasInput(in, q.in.bzp) && in[q.in.bzp].Const == nil) {
		return nil
	}
	if _, err := q.Infer(in); err != nil {
		return nil // Infer reports it
	}
	d, err := q.dims(in[q.in.a].Shape, in[q.in.b].Shape)
	if err != nil {
		return nil
	}
	var zp *ops.Tensor
	if ops.HasInput(in, q.in.bzp) {
		zp = in[q.in.bzp].Const
	}
	nb, blen := ops.NumElems(d.BBatch), packedBLen(d.K, d.N)
	packed := ops.View[int32](ops.AlignedBytes(4 * nb * blen))
	for i := range nb {
		m := q.bMatrix(in[q.in.b].Const, zp, &d, i*d.K*d.N)
		m.packB(packed[i*blen:(i+1)*blen], d.K, d.N, 0, colPanels(d.N))
	}
	q.bPacked = packed
	return nil
}

// Released reports b as not read by Run once Prepare has packed it.
func (q *qmatmul) Released() []int {
	if q.bPacked != nil {
		return []int{q.in.b}
	}
	return nil
}

// space counts (or takes) Run's scratch in sp: one packed batch matrix of
// a with its row sums and, unless prepacked, of b.
func (q *qmatmul) space(d *ops.MatMulDims, sp *qspace) (a []int16, sums, b []int32) {
	a, sums = sp.int16s(packedALen(d.M, d.K)), sp.int32s(rowSumLen(d.M))
	if q.bPacked == nil {
		b = sp.int32s(packedBLen(d.K, d.N))
	}
	return a, sums, b
}

// Workspace is Run's scratch (see space).
func (q *qmatmul) Workspace(in []ops.Value) int {
	if len(in) <= q.in.b {
		return 0
	}
	d, err := q.dims(in[q.in.a].Shape, in[q.in.b].Shape)
	if err != nil {
		return 0
	}
	var sp qspace
	q.space(&d, &sp)
	return sp.n
}

// Run multiplies a by b into y.
func (q *qmatmul) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(q, ctx, in, out)
}

// Bind resolves the shapes, lays out the scratch and makes the loops.
func (q *qmatmul) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	d, err := q.dims(in[q.in.a].Shape, in[q.in.b].Shape)
	if err != nil {
		return nil, err
	}
	var count qspace
	q.space(&d, &count)
	if len(ctx.Scratch) < count.n {
		return nil, fmt.Errorf("scratch has %d bytes, want %d", len(ctx.Scratch), count.n)
	}
	r := &matmulRun{q: q, d: d, par: ctx.Par, in: in, out: out[0],
		a: in[q.in.a], b: in[q.in.b], azp: ops.InputAt(in, q.in.azp), bzp: ops.InputAt(in, q.in.bzp)}
	sp := qspace{buf: ctx.Scratch}
	r.g.a, r.g.rowSum, r.pb = q.space(&d, &sp)
	r.g.m, r.g.n, r.g.k = d.M, d.N, d.K
	if r.prepacked = q.bPacked != nil; !r.prepacked {
		r.g.b = pairs(r.pb)
	}
	var p qparams
	var yzp *ops.Tensor
	switch q.kind {
	case mmQLinear:
		sa, sb := qStep(in[1]), qStep(in[4])
		rows, cols := 1+sa*(d.M-1), 1+sb*(d.N-1)
		r.scale = make([]float32, rows*cols)
		p = qparams{scale: r.scale, scaleRow: sa * cols, scaleCol: sb}
		yzp = in[7]
	case mmGemm:
		r.scale = make([]float32, 1+qStep(in[4])*(d.N-1))
		p = qparams{scale: r.scale, scaleCol: qStep(in[4])}
		if c := ops.InputAt(in, 6); c != nil {
			p.biasRow, p.biasCol, _ = gemmBiasStrides(ops.Value{Type: c.Type, Shape: c.Shape}, d.M, d.N)
			p.bias = c.I32()
		}
		yzp = ops.InputAt(in, 8)
	}
	r.g.out = newStore(out[0].Type, d.N, p, yzp)
	r.bind()
	return r.run, nil
}

// matmulRun is a bound product: its tensors, scratch, product and loop
// bodies, made once by Bind.
type matmulRun struct {
	q                  *qmatmul
	d                  ops.MatMulDims
	par                ops.Parallel
	in                 []*ops.Tensor
	out                *ops.Tensor
	a, b, azp, bzp     *ops.Tensor
	prepacked          bool    // b was packed by Prepare (into q.bPacked)
	pb                 []int32 // b's packing space otherwise
	scale              []float32
	g                  igemm
	am, bm             qmat // the current batch matrices
	packA, packB       bool // the current batch needs them packed
	packBody, tileBody func(lo, hi int)
}

// bind makes the loop bodies.
func (r *matmulRun) bind() {
	rp := rowPanels(r.d.M)
	r.packBody = func(lo, hi int) {
		if !r.packA {
			lo, hi = lo+rp, hi+rp
		}
		for i := lo; i < hi; i++ {
			if i < rp {
				r.am.packA(r.g.a, r.g.rowSum, r.d.M, r.d.K, i, i+1)
				continue
			}
			r.bm.packB(r.pb, r.d.K, r.d.N, i-rp, i-rp+1)
		}
	}
	r.tileBody = r.g.runTiles
}

// fillScales computes the output scales of the run.
func (r *matmulRun) fillScales() {
	in := r.in
	switch r.q.kind {
	case mmQLinear:
		sa, sb, ys := in[1].F32(), in[4].F32(), in[6].F32()[0]
		as, bs := qStep(in[1]), qStep(in[4])
		cols := 1 + bs*(r.d.N-1)
		for i := range r.scale {
			r.scale[i] = sa[i/cols*as] * sb[i%cols*bs] / ys
		}
	case mmGemm:
		sa, sb, bs := in[1].F32()[0], in[4].F32(), qStep(in[4])
		for j := range r.scale {
			r.scale[j] = r.q.alpha * sa * sb[j*bs]
			if ys := ops.InputAt(in, 7); ys != nil {
				r.scale[j] /= ys.F32()[0]
			}
		}
	}
}

// run computes the product batch by batch, packing each operand only when
// its batch matrix changes.
func (r *matmulRun) run() error {
	d := &r.d
	if d.M == 0 || d.N == 0 {
		return nil
	}
	r.fillScales()
	bb := d.K * d.N
	outBytes := d.M * d.N * ops.ElemSize(r.out.Type)
	lastA, lastB := -1, -1
	for bi := range ops.NumElems(d.Batch) {
		ao, bo := d.Offsets(bi)
		r.packA, r.packB = ao != lastA, !r.prepacked && bo != lastB
		lastA, lastB = ao, bo
		n := 0
		if r.packA {
			r.am = r.q.aMatrix(r.a, r.azp, d, ao)
			n += rowPanels(d.M)
		}
		if r.packB {
			r.bm = r.q.bMatrix(r.b, r.bzp, d, bo)
			n += colPanels(d.N)
		}
		if r.prepacked && bb > 0 {
			blen := packedBLen(d.K, d.N)
			r.g.b = pairs(r.q.bPacked[bo/bb*blen : (bo/bb+1)*blen])
		}
		r.par.For(n, max(1, qGrain/max(1, igMR*d.K)), r.packBody)
		r.g.out.reset(r.out.Data[bi*outBytes : (bi+1)*outBytes])
		r.par.For(r.g.tiles(), max(1, qGrain/max(1, igMR*igNR*d.K)), r.tileBody)
	}
	return nil
}
