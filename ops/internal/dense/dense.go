// Package dense multiplies matrices of either float type for the operator
// families whose kernels are generic over float32 and float64 (the
// recurrent layers, attention): float32 runs on gemm's packed, blocked
// kernels, float64, a rare type in models, on plain row-streaming loops.
package dense

import "github.com/edgeinfer/edgeinfer/ops/internal/gemm"

// Float is the element types a Product computes.
type Float interface{ float32 | float64 }

// Matrix is a row-major operand: element (i, j) of op(X) is Data[i*Ld+j],
// or Data[j*Ld+i] when Trans.
type Matrix[T Float] struct {
	Data  []T
	Ld    int
	Trans bool
}

// Product is C = Alpha*A*op(B) + Beta*C + Bias: A is M x K (never
// transposed), op(B) is K x N, C is M x N with stride LdC, and Bias, when
// non-nil, holds N values added to every row. Beta is 0 (C is only
// written) or 1 (the product is accumulated into C). PB, when it holds an
// operand (float32 only, see PackB), replaces B.
type Product[T Float] struct {
	M, N, K     int
	Alpha, Beta T
	A, B        Matrix[T]
	PB          gemm.PackedB
	C           []T
	LdC         int
	Bias        []T
}

// PackB packs op(b), k x n, for the products of float32; for float64 it
// returns an empty PackedB (Valid is false), and products read b itself.
func PackB[T Float](k, n int, b Matrix[T]) gemm.PackedB {
	if d, ok := any(b.Data).([]float32); ok {
		return gemm.PackB(nil, k, n, gemm.Matrix{Data: d, Ld: b.Ld, Trans: b.Trans})
	}
	return gemm.PackedB{}
}

// WorkLen is the number of floats of work an m x n x k product of T needs,
// given whether B comes packed.
func WorkLen[T Float](m, n, k int, packedB bool) int {
	var z T
	if _, ok := any(z).(float32); ok {
		return gemm.WorkLen(m, n, k, false, packedB)
	}
	return 0
}

// Run computes p: float32 on par through r (nil runs without a Runner,
// which allocates when par has several threads) with work of
// WorkLen floats, float64 serially.
func Run[T Float](par gemm.Parallel, r *gemm.Runner, p *Product[T], work []float32) {
	c, ok := any(p.C).([]float32)
	if !ok {
		Naive(p)
		return
	}
	g := gemm.Product{
		M: p.M, N: p.N, K: p.K, Alpha: float32(p.Alpha), Beta: float32(p.Beta),
		A:  gemm.Matrix{Data: any(p.A.Data).([]float32), Ld: p.A.Ld},
		PB: p.PB,
		C:  c, LdC: p.LdC,
	}
	g.Ep.ColBias, _ = any(p.Bias).([]float32)
	if !p.PB.Valid() {
		g.B = gemm.Matrix{Data: any(p.B.Data).([]float32), Ld: p.B.Ld, Trans: p.B.Trans}
	}
	if r != nil {
		r.Run(par, &g, work)
	} else {
		g.Run(par, work)
	}
}

// Naive computes p row by row with B read in place (PB is ignored): a dot
// product per element when B is transposed, else a sum of scaled rows of
// B, so that both operands stream. It is the float64 kernel and the
// reference of the tests.
func Naive[T Float](p *Product[T]) {
	a, b := p.A, p.B
	for i := range p.M {
		c := p.C[i*p.LdC : i*p.LdC+p.N]
		if p.Beta == 0 {
			clear(c)
		}
		ar := a.Data[i*a.Ld : i*a.Ld+p.K]
		if b.Trans {
			for j := range c {
				br := b.Data[j*b.Ld : j*b.Ld+p.K]
				var s T
				for k, v := range ar {
					s += v * br[k]
				}
				c[j] += p.Alpha * s
			}
		} else {
			for k, v := range ar {
				av := p.Alpha * v
				br := b.Data[k*b.Ld : k*b.Ld+p.N]
				for j := range c {
					c[j] += av * br[j]
				}
			}
		}
		for j, v := range p.Bias {
			c[j] += v
		}
	}
}
