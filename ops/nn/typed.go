package nn

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Gemm and MatMul in the types other than float32 the specification allows:
// float64 and the 32- and 64-bit integers (float16 and bfloat16 arrive as
// float32). Models compute in float32, so these run on a plain kernel,
// row-parallel, streaming B's rows: correct and allocation-free, not tuned.
// Integer products wrap around on overflow, as in C, so that signed and
// unsigned types of a size share one kernel: their sums and products wrap
// to the same bits (alpha and beta convert to an integer through int64,
// in two's complement).

// isTyped reports whether t is computed by the typed kernels.
func isTyped(t ops.DType) bool {
	switch t {
	case onnx.Double, onnx.Int32, onnx.Int64, onnx.Uint32, onnx.Uint64:
		return true
	}
	return false
}

// checkOperands checks that the present inputs named names are float32, or
// all of one typed type, and returns that type.
func checkOperands(in []ops.Value, names []string) (ops.DType, error) {
	t := in[0].Type
	if !isTyped(t) {
		for i, name := range names {
			if ops.HasInput(in, i) {
				if err := ops.CheckFloat(in[i], name, false); err != nil {
					return 0, err
				}
			}
		}
		return onnx.Float, nil
	}
	for i, name := range names {
		if ops.HasInput(in, i) && in[i].Type != t {
			return 0, fmt.Errorf("input %q has type %s, input %q %s: they must match", name, ops.TypeName(in[i].Type), names[0], ops.TypeName(t))
		}
	}
	return t, nil
}

// typedProduct is C = alpha*op(A)*op(B) (+ C's prior contents when accumulate):
// A is m x k (k x m when transA) with row stride lda, B k x n (n x k when
// transB) with row stride ldb, C m x n with row stride n.
type typedProduct[T ops.Numeric] struct {
	m, n, k        int
	alpha          T
	a, b, c        []T
	lda, ldb       int
	transA, transB bool
	accumulate     bool
}

// rows computes rows [lo, hi) of C.
func (p *typedProduct[T]) rows(lo, hi int) {
	for i := lo; i < hi; i++ {
		c := p.c[i*p.n : (i+1)*p.n]
		if !p.accumulate {
			clear(c)
		}
		for l := range p.k {
			av := p.a[i*p.lda+l]
			if p.transA {
				av = p.a[l*p.lda+i]
			}
			if av == 0 {
				continue
			}
			av *= p.alpha
			if p.transB {
				for j := range c {
					c[j] += av * p.b[j*p.ldb+l]
				}
				continue
			}
			for j, bv := range p.b[l*p.ldb : l*p.ldb+p.n] {
				c[j] += av * bv
			}
		}
	}
}

// typedGemm computes Gemm's Y in type T.
func typedGemm[T ops.Numeric](par ops.Parallel, g *gemmOp, in, out []*ops.Tensor, m, n, k int) {
	y := ops.Elems[T](out[0])
	p := &typedProduct[T]{m: m, n: n, k: k, alpha: scalarOf[T](g.alpha), a: ops.Elems[T](in[0]), b: ops.Elems[T](in[1]), c: y,
		lda: in[0].Shape[1], ldb: in[1].Shape[1], transA: g.transA, transB: g.transB}
	if c := ops.InputAt(in, 2); c != nil && g.beta != 0 {
		cv, beta := ops.Elems[T](c), scalarOf[T](g.beta)
		rows, cols := 1, 1
		switch len(c.Shape) {
		case 1:
			cols = c.Shape[0]
		case 2:
			rows, cols = c.Shape[0], c.Shape[1]
		}
		for i := range m {
			src := cv[i%rows*cols:][:cols]
			for j := range n {
				y[i*n+j] = beta * src[j%cols]
			}
		}
		p.accumulate = true
	}
	par.For(m, max(1, 4096/max(1, n*k)), p.rows)
}

// typedMatMul computes MatMul in type T, one product per output batch.
func typedMatMul[T ops.Numeric](par ops.Parallel, in, out []*ops.Tensor, d *ops.MatMulDims) {
	a, b, y := ops.Elems[T](in[0]), ops.Elems[T](in[1]), ops.Elems[T](out[0])
	batches := ops.NumElems(d.Batch)
	par.For(batches*d.M, max(1, 4096/max(1, d.N*d.K)), func(lo, hi int) {
		for r := lo; r < hi; {
			bi, i := r/d.M, r%d.M
			end := min(hi, (bi+1)*d.M)
			ao, bo := d.Offsets(bi)
			p := typedProduct[T]{m: d.M, n: d.N, k: d.K, alpha: 1, a: a[ao:], b: b[bo:], c: y[bi*d.M*d.N:], lda: d.K, ldb: d.N}
			p.rows(i, i+end-r)
			r = end
		}
	})
}

// scalarOf converts an attribute to T: a float to float64 as it is, to an
// integer truncated through int64.
func scalarOf[T ops.Numeric](v float32) T {
	var z T
	if _, ok := any(z).(float64); ok {
		return T(v)
	}
	return T(int64(v))
}

// typedKernels dispatches the typed kernels on an element type.
var typedKernels = map[ops.DType]struct {
	gemm   func(ops.Parallel, *gemmOp, []*ops.Tensor, []*ops.Tensor, int, int, int)
	matMul func(ops.Parallel, []*ops.Tensor, []*ops.Tensor, *ops.MatMulDims)
}{
	onnx.Double: {typedGemm[float64], typedMatMul[float64]},
	onnx.Int32:  {typedGemm[uint32], typedMatMul[uint32]},
	onnx.Int64:  {typedGemm[uint64], typedMatMul[uint64]},
	onnx.Uint32: {typedGemm[uint32], typedMatMul[uint32]},
	onnx.Uint64: {typedGemm[uint64], typedMatMul[uint64]},
}
