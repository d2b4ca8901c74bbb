package quant

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/qgemm"
)

// QLinearMatMul, MatMulInteger and com.microsoft QGemm multiply uint8/int8
// matrices: the products of zero-point-corrected elements accumulate in
// int32 (wrapping, as the spec allows), each a product on the int8
// kernels of ops/internal/qgemm (a constant right operand packed once by
// Prepare; the left one packed per run), the zero points, bias and scale
// applied in the kernels' epilogue (matmul_run.go).
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
	// packed holds every batch matrix of a constant b, packed by Prepare.
	packed *mmPacked
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

// mmPacked is b's batch matrices packed as columns for a kernel, with
// each column's sum of packed values.
type mmPacked struct {
	k    *qgemm.Kernel
	data []byte
	sums []int32
}

// bMatrix is the batch matrix of b at element offset off, as PackCols
// reads it (element (j, k) of the N×K transpose).
func (q *qmatmul) bMatrix(b *ops.Tensor, d *ops.MatMulDims, off int) qgemm.Matrix {
	m := qgemm.Matrix{Data: b.Data[off:], RS: 1, CS: d.N, Signed: b.Type == onnx.Int8}
	if q.transB {
		m.RS, m.CS = d.K, 1
	}
	return m
}

// aMatrix is the batch matrix of a at element offset off.
func (q *qmatmul) aMatrix(a *ops.Tensor, d *ops.MatMulDims, off int) qgemm.Matrix {
	m := qgemm.Matrix{Data: a.Data[off:], RS: d.K, CS: 1, Signed: a.Type == onnx.Int8}
	if q.transA {
		m.RS, m.CS = 1, d.M
	}
	return m
}

// mmKernel is the int8 kernel of d's products (see qgemm.For), chosen
// without M, which Prepare may not know, so that Bind finds the weights
// Prepare packed.
func mmKernel(d *ops.MatMulDims) *qgemm.Kernel { return qgemm.For(0, d.N, d.K, qgemm.Steps(d.K)) }

// Prepare packs a constant b, every batch matrix of it.
func (q *qmatmul) Prepare(in []ops.Value) error {
	if len(in) <= q.in.b || in[q.in.b].Const == nil {
		return nil
	}
	if _, err := q.Infer(in); err != nil {
		return nil // Infer reports it
	}
	d, err := q.dims(in[q.in.a].Shape, in[q.in.b].Shape)
	if err != nil {
		return nil
	}
	k := mmKernel(&d)
	nb, kq := ops.NumElems(d.BBatch), qgemm.Steps(d.K)
	blen, slen := k.ColsLen(d.N, kq), k.ColPanels(d.N)*k.NR
	p := &mmPacked{k: k, data: ops.AlignedBytes(nb * blen), sums: make([]int32, nb*slen)}
	kIdx := qgemm.Linear(d.K)
	for i := range nb {
		m := q.bMatrix(in[q.in.b].Const, &d, i*d.K*d.N)
		k.PackCols(p.data[i*blen:(i+1)*blen], p.sums[i*slen:(i+1)*slen], m, d.N, kIdx, 0, k.ColPanels(d.N))
	}
	q.packed = p
	return nil
}

// Released reports b as not read by Run once Prepare has packed it.
func (q *qmatmul) Released() []int {
	if q.packed != nil {
		return []int{q.in.b}
	}
	return nil
}

// prepacked returns the packed b when it suits kernel k.
func (q *qmatmul) prepacked(k *qgemm.Kernel) *mmPacked {
	if q.packed != nil && q.packed.k == k {
		return q.packed
	}
	return nil
}

// mmSpace is the scratch of a product: one packed batch matrix of a with
// its row sums, b's unless prepacked, and the int32 sums of a product
// whose epilogue the kernels cannot apply (see finishing).
type mmSpace struct {
	a     []byte
	aSums []int32
	b     []byte
	bSums []int32
	sums  []int32
	// sumBytes is sums' bytes, where the kernels store them.
	sumBytes []byte
}

// space takes (or counts) Run's scratch from sp.
func (q *qmatmul) space(k *qgemm.Kernel, d *ops.MatMulDims, in []ops.Value, sp *qspace) mmSpace {
	kq := qgemm.Steps(d.K)
	s := mmSpace{a: sp.take(k.RowsLen(d.M, kq)), aSums: sp.int32s(k.RowPanels(d.M) * k.MR)}
	if q.prepacked(k) == nil {
		s.b, s.bSums = sp.take(k.ColsLen(d.N, kq)), sp.int32s(k.ColPanels(d.N)*k.NR)
	}
	if q.finishing(in, d) {
		s.sumBytes = sp.take(4 * d.M * d.N)
		s.sums = ops.View[int32](s.sumBytes)
	}
	return s
}

// finishing reports whether the epilogue needs a pass in Go after the
// kernels: a per-row zero point or scale of a (a second rank-one term, a
// scale per element), or a two-dimensional C.
func (q *qmatmul) finishing(in []ops.Value, d *ops.MatMulDims) bool {
	perRow := func(i int) bool { return ops.HasInput(in, i) && ops.NumElems(in[i].Shape) > 1 }
	switch q.kind {
	case mmQLinear:
		return perRow(1) || perRow(2)
	case mmInteger:
		return perRow(q.in.azp)
	}
	if ops.HasInput(in, 6) {
		row, col, _ := gemmBiasStrides(in[6], d.M, d.N)
		return row != 0 && col != 0
	}
	return false
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
	q.space(mmKernel(&d), &d, in, &sp)
	return sp.n
}

// Run multiplies a by b into y.
func (q *qmatmul) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(q, ctx, in, out)
}
