package dense

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// ref is C = alpha*A*op(B) + beta*C + bias by the definition, in float64.
func ref[T Float](p *Product[T]) []float64 {
	c := make([]float64, len(p.C))
	for i, v := range p.C {
		c[i] = float64(v)
	}
	for i := range p.M {
		for j := range p.N {
			var s float64
			for k := range p.K {
				b := p.B.Data[k*p.B.Ld+j]
				if p.B.Trans {
					b = p.B.Data[j*p.B.Ld+k]
				}
				s += float64(p.A.Data[i*p.A.Ld+k]) * float64(b)
			}
			v := float64(p.Alpha)*s + float64(p.Beta)*c[i*p.LdC+j]
			if p.Bias != nil {
				v += float64(p.Bias[j])
			}
			c[i*p.LdC+j] = v
		}
	}
	return c
}

func rnd[T Float](rng *rand.Rand, n int) []T {
	v := make([]T, n)
	for i := range v {
		v[i] = T(rng.Float64()*2 - 1)
	}
	return v
}

// check runs products of T over shapes, strides, transposition, beta,
// bias and packing against the definition.
func check[T Float](t *testing.T, tol float64) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 7}, {1, 40, 33}, {17, 1, 9}, {37, 45, 70}, {4, 6, 0}, {0, 3, 2}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, trans := range []bool{false, true} {
			for _, beta := range []T{0, 1} {
				for _, packed := range []bool{false, true} {
					lda, ldb, ldc := k+2, n+1, n+3
					if trans {
						ldb = k + 1
					}
					p := Product[T]{
						M: m, N: n, K: k, Alpha: 0.75, Beta: beta,
						A: Matrix[T]{Data: rnd[T](rng, m*lda+1), Ld: lda},
						B: Matrix[T]{Data: rnd[T](rng, max(k, n)*ldb+1), Ld: ldb, Trans: trans},
						C: rnd[T](rng, m*ldc), LdC: ldc,
					}
					if beta == 1 {
						p.Bias = rnd[T](rng, n)
					}
					want := ref(&p)
					if packed {
						p.PB = PackB(k, n, p.B)
					}
					work := make([]float32, WorkLen[T](m, n, k, p.PB.Valid()))
					Run(nil, nil, &p, work)
					label := fmt.Sprintf("%T %dx%dx%d trans=%v beta=%v packed=%v", p.Alpha, m, n, k, trans, beta, packed)
					for i := range m {
						for j := range n {
							g, w := float64(p.C[i*ldc+j]), want[i*ldc+j]
							if !(math.Abs(g-w) <= tol*(1+math.Abs(w))) {
								t.Fatalf("%s: C[%d][%d] = %v, want %v", label, i, j, g, w)
							}
						}
					}
				}
			}
		}
	}
}

func TestProductFloat32(t *testing.T) { check[float32](t, 1e-5) }

func TestProductFloat64(t *testing.T) { check[float64](t, 1e-12) }
