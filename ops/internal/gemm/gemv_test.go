package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGemvKernels checks every kernel's GEMV form against a plain loop for
// every k up to 70, one to three panels, B packed (ldb = nr) and read in
// place (ldb wider than the panels, the gaps NaN), with and without a
// bias and a clip. Operands are small integers, so every order of
// operations gives the same sums exactly; NaN guard bands around x, B,
// the bias and y catch a read or write outside them, and y starts as NaN
// so that every element must be written.
func TestGemvKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, kn := range allKernels() {
		if kn.gemv == nil {
			t.Fatalf("%s has no GEMV form", kn.name)
		}
		nr := kn.nr
		for k := 0; k <= 70; k++ {
			for panels := 1; panels <= 3; panels++ {
				for _, inPlace := range []bool{false, true} {
					ldb, pstride := nr, nr*k
					if inPlace {
						ldb, pstride = panels*nr+5, nr
					}
					n := max(0, (panels-1)*pstride+(k-1)*ldb+nr)
					bfull, b := guarded(rng, n)
					for i := range b {
						b[i] = float32(math.NaN())
					}
					for i := range panels {
						for q := range k {
							for c := range nr {
								b[i*pstride+q*ldb+c] = float32(rng.IntN(17) - 8)
							}
						}
					}
					xfull, x := intGuarded(rng, k)
					_, bias := intGuarded(rng, panels*nr)
					for mask := range 4 {
						withBias, clamp := mask&1 != 0, mask&2 != 0
						lo, hi := negInf, posInf
						if clamp {
							lo, hi = -20, 30
						}
						var bs []float32
						if withBias {
							bs = bias
						}
						yfull, y := guarded(rng, panels*nr)
						for i := range y {
							y[i] = float32(math.NaN())
						}
						kn.gemv(k, panels, x, b, ldb, pstride, y, bs, lo, hi)
						what := fmt.Sprintf("%s k=%d panels=%d in place=%v bias=%v clamp=%v", kn.name, k, panels, inPlace, withBias, clamp)
						for i := range panels {
							for c := range nr {
								var want float32
								for q := range k {
									want += x[q] * b[i*pstride+q*ldb+c]
								}
								if withBias {
									want += bias[i*nr+c]
								}
								want = min(max(want, lo), hi)
								if got := y[i*nr+c]; got != want {
									t.Fatalf("%s: y[%d] = %v, want %v", what, i*nr+c, got, want)
								}
							}
						}
						checkGuard(t, what+" y", yfull, 1, len(y), len(y))
					}
					checkGuard(t, "x", xfull, 1, len(x), len(x))
					checkGuard(t, "b", bfull, 1, len(b), len(b))
				}
			}
		}
	}
}

// TestGemvNaN checks that a NaN in x comes out of every kernel's GEMV
// form as NaN, clipped or not, for a NaN at each position of a step block.
func TestGemvNaN(t *testing.T) {
	for _, kn := range allKernels() {
		const k = 7
		b := make([]float32, kn.nr*k)
		for q := range k {
			x := make([]float32, k)
			x[q] = float32(math.NaN())
			for _, clamp := range []bool{false, true} {
				lo, hi := negInf, posInf
				if clamp {
					lo, hi = 0, 6
				}
				y := make([]float32, kn.nr)
				kn.gemv(k, 1, x, b, kn.nr, 0, y, nil, lo, hi)
				for c, v := range y {
					if !math.IsNaN(float64(v)) {
						t.Fatalf("%s: NaN at x[%d] gave y[%d] = %v (clamp %v)", kn.name, q, c, v, clamp)
					}
				}
			}
		}
	}
}

// TestGemvBounds checks that every kernel's GEMV form refuses slices too
// short for its arguments instead of reading or writing past them.
func TestGemvBounds(t *testing.T) {
	for _, kn := range allKernels() {
		nr, k, panels := kn.nr, 5, 2
		want := [4]int{k, panels * nr * k, panels * nr, panels * nr} // x, B, y, bias
		for short := range want {
			n := want
			n[short]--
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: operand %d (x, B, y, bias) one float short: no panic", kn.name, short)
					}
				}()
				kn.gemv(k, panels, make([]float32, n[0]), make([]float32, n[1]), nr, nr*k, make([]float32, n[2]), make([]float32, n[3]), negInf, posInf)
			}()
		}
	}
}

// TestGemvProducts runs matrix-vector products (M = 1) through every
// kernel against the float64 triple loop: odd N and K (K not a multiple
// of the vector width, N with a partial last panel), B packed, read in
// place and given as the transposed column case, op(A) contiguous,
// strided and packed, with each epilogue the GEMV fuses (column bias,
// clip, Act) and one it does not (row bias and residual, alpha and beta),
// on 1 to 3 threads, which must give the same bits; NaN guard bands around
// C.
func TestGemvProducts(t *testing.T) {
	eachKernel(t.Run, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(33, 34))
		for _, s := range [][2]int{{1, 1}, {7, 3}, {kern.nr - 1, 17}, {kern.nr + 1, 70}, {3*kern.nr + 5, 301}, {1000, 129}, {45, 0}} {
			n, k := s[0], s[1]
			_, b := guarded(rng, k*(n+3))
			_, cb := guarded(rng, n)
			_, rb := guarded(rng, 1)
			_, add := guarded(rng, n)
			_, c0 := guarded(rng, n)
			for _, form := range []string{"packed B", "B in place", "strided A", "packed A"} {
				_, a := guarded(rng, 2*k)
				for ep := range 4 {
					p := Product{M: 1, N: n, K: k, Alpha: 1, A: Matrix{a, k, false}, B: Matrix{b, n + 3, false}, LdC: n}
					switch form {
					case "packed B":
						p.PB = PackB(nil, k, n, p.B)
					case "strided A":
						p.A = Matrix{a, 2, true}
					case "packed A":
						p.PA = PackA(nil, 1, k, p.A)
					}
					x := make([]float32, k)
					for q := range x {
						x[q] = a[q]
						if form == "strided A" {
							x[q] = a[2*q]
						}
					}
					want := make([]float32, n)
					switch ep {
					case 1:
						p.Ep = Epilogue{ColBias: cb, Clamp: true, Lo: -0.5, Hi: 1}
					case 2:
						p.Ep = Epilogue{ColBias: cb, Act: func(row []float32) {
							for i, v := range row {
								row[i] = v * v
							}
						}}
					case 3:
						p.Alpha, p.Beta = -0.5, 2
						copy(want, c0)
						p.Ep = Epilogue{RowBias: rb, ColBias: cb, Add: add, LdAdd: n, Clamp: true, Hi: 0.5}
					}
					naive(false, false, 1, n, k, p.Alpha, x, k, b, n+3, p.Beta, want, n)
					for j := range want {
						v := want[j]
						switch ep {
						case 1:
							v = min(max(v+cb[j], -0.5), 1)
						case 2:
							v = (v + cb[j]) * (v + cb[j])
						case 3:
							v = min(max(v+rb[0]+cb[j]+add[j], 0), 0.5)
						}
						want[j] = v
					}
					var ref []float32
					for _, th := range []int{1, 2, 3} {
						cfull, c := guarded(rng, n)
						copy(c, c0)
						p.C = c
						var r Runner
						r.Run(pool{th}, &p, make([]float32, p.WorkLen()))
						what := fmt.Sprintf("%s N=%d K=%d %s epilogue %d, %d threads", kern.name, n, k, form, ep, th)
						checkGuard(t, what, cfull, 1, n, n)
						near(t, what, c, want, k+2)
						if ref == nil {
							ref = c
						} else if !slices.EqualFunc(c, ref, func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }) {
							t.Fatalf("%s: not the bits of 1 thread", what)
						}
					}
				}
			}
		}
	})
}

// TestGemvRunner checks that a Runner runs parallel matrix-vector
// products without allocating once it has run one.
func TestGemvRunner(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	n, k := 1000, 600
	_, a := guarded(rng, k)
	_, b := guarded(rng, k*n)
	_, cb := guarded(rng, n)
	c := make([]float32, n)
	p := Product{M: 1, N: n, K: k, Alpha: 1, A: Matrix{a, k, false}, PB: PackB(nil, k, n, Matrix{b, n, false}), C: c, LdC: n,
		Ep: Epilogue{ColBias: cb, Clamp: true, Hi: posInf}}
	work := make([]float32, p.WorkLen())
	var r Runner
	if allocs := testing.AllocsPerRun(5, func() { r.Run(inlinePar{2}, &p, work) }); allocs != 0 {
		t.Errorf("a reused Runner allocates %v times per matrix-vector product", allocs)
	}
}

// TestRows checks each kernel's rows form (rows.go) against float64 sums
// for every k up to 70 (the assembly's steps and the Go-added rest), row
// counts around the four-row groups, a row stride above k, and that it
// writes nothing past its n outputs; and the products that take it (one
// row of A, B transposed and not packed) with alpha and every epilogue
// term.
func TestRows(t *testing.T) {
	eachKernel(t.Run, func(t *testing.T) {
		if kern.rows == nil {
			t.Skip("no rows form")
		}
		rng := rand.New(rand.NewPCG(27, 28))
		for k := range 71 {
			for _, n := range []int{0, 1, 3, 4, 5, 8, 13} {
				ldb := k + 3
				_, x := guarded(rng, k)
				_, b := guarded(rng, max(0, (n-1)*ldb+k))
				yfull, y := guarded(rng, n)
				kern.rows(k, n, x, b, ldb, y)
				for i := range n {
					var want, mag float64
					for p := range k {
						v := float64(x[p]) * float64(b[i*ldb+p])
						want, mag = want+v, mag+math.Abs(v)
					}
					if d := math.Abs(float64(y[i]) - want); d > 1e-6*mag+1e-7 {
						t.Fatalf("k=%d n=%d: y[%d] = %v, want %v", k, n, i, y[i], want)
					}
				}
				checkGuard(t, fmt.Sprintf("rows k=%d n=%d", k, n), yfull, 1, n, n)
			}
		}
		for _, s := range [][2]int{{1000, 600}, {45, 7}, {33, 1030}} {
			n, k := s[0], s[1]
			_, a := guarded(rng, k)
			_, b := guarded(rng, n*k)
			_, cb := guarded(rng, n)
			_, add := guarded(rng, n)
			beta := float32(0)
			if n == 45 {
				beta = 0.25 // beta*C added: the sums go through work
			}
			cfull, c := guarded(rng, n)
			want := append([]float32(nil), c...)
			naive(false, true, 1, n, k, 0.5, a, k, b, k, beta, want, n)
			for j := range want {
				want[j] = min(max(want[j]+cb[j]+add[j], 0), 1)
			}
			p := Product{M: 1, N: n, K: k, Alpha: 0.5, Beta: beta, A: Matrix{a, k, false}, B: Matrix{b, k, true}, C: c, LdC: n,
				Ep: Epilogue{ColBias: cb, Add: add, LdAdd: n, Clamp: true, Hi: 1}}
			p.Run(pool{2}, make([]float32, p.WorkLen()))
			what := fmt.Sprintf("rows product %v", s)
			near(t, what, c, want, k)
			checkGuard(t, what, cfull, 1, n, n)
		}
	})
}
