package nn

import (
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/hgemm"
)

// In the fp16 mode (ops.FP16), a Gemm whose B is constant weights given
// transposed ([N, K]: a fully connected layer) and whose A is one row (a
// batch of 1) runs hgemm's GEMV: the weights stored in fp16 (half the
// memory), A converted to fp16 once per run, C and the activation applied
// to the float32 output. Other Gemms stay float32.

// SetPrecision makes Prepare pack a fully connected layer's weights for
// the fp16 GEMV when p is FP16 (ops.PrecisionSetter).
func (g *gemmOp) SetPrecision(p ops.Precision) { g.fp16 = p == ops.FP16 }

// prepareHalf packs B (constant, [N, K]) in fp16 when the fp16 GEMV
// computes the product of in's shapes (one row of A, alpha 1, C absent or
// a bias row [N] or [1, N] with beta 1), and reports whether it did.
func (g *gemmOp) prepareHalf(in []ops.Value, m, n, k int) bool {
	if !g.fp16 || m != 1 || !g.transB || in[0].Const != nil || in[1].Const == nil || g.alpha != 1 {
		return false
	}
	if ops.HasInput(in, 2) && g.beta != 0 {
		if c := in[2].Shape; g.beta != 1 || !(ops.SameShape(c, []int{n}) || ops.SameShape(c, []int{1, n})) {
			return false
		}
	}
	g.hw = hgemm.PackW(n, k, in[1].Const.F32(), in[1].Shape[1])
	return true
}

// execHalf computes Y = A Bᵀ (+ C) with the fp16 GEMV, one row of A after
// another (Prepare chose it for one).
func (g *gemmOp) execHalf(par ops.Parallel, scratch []byte, in, out []*ops.Tensor, r *hgemm.GemvRunner) error {
	m, n, k, err := g.dims(in[0].Shape, in[1].Shape)
	if err != nil {
		return err
	}
	if r == nil {
		r = new(hgemm.GemvRunner)
	}
	a, y := in[0].F32(), out[0].F32()
	work := ops.View[uint16](scratch)
	ep := g.act
	if c := in[2:]; len(c) > 0 && c[0] != nil && g.beta != 0 {
		ep.ColBias = c[0].F32()[:n] // a bias row, as Prepare checked
	}
	for i := range m {
		r.Gemv(par, &g.hw, a[i*k:][:k], y[i*n:][:n], work, &ep)
	}
	return nil
}

// halfWorkspace is the bytes of scratch the fp16 GEMV needs.
func (g *gemmOp) halfWorkspace(k int) int { return 2 * hgemm.GemvWorkLen(k) }

// halfOK reports whether Prepare packed B for the fp16 GEMV and the run's
// A is float32 of K columns.
func (g *gemmOp) halfOK(in []*ops.Tensor) bool {
	return g.hw.Valid() && in[0].Type == onnx.Float
}
