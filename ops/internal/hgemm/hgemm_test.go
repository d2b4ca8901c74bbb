package hgemm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
)

// ref is the product the kernel computes, in plain Go: A and B rounded to
// fp16, each block of blockLen(k) steps summed by fused multiply-adds
// rounded to fp16, the blocks' sums added in float32.
func ref(m, n, k int, a []float32, lda int, b []float32, offs []int32) []float32 {
	c := make([]float32, m*n)
	kc := blockLen(k)
	h := func(v float32) float64 { return float64(onnx.F16ToF32(onnx.F32ToF16(v))) }
	for i := range m {
		for j := range n {
			var sum float32
			for pc := 0; pc < k; pc += kc {
				var acc float64
				for p := pc; p < min(pc+kc, k); p++ {
					acc = RoundF16(acc + h(a[i*lda+p])*h(b[int(offs[p])+j]))
				}
				sum += float32(acc)
			}
			c[i*n+j] = sum
		}
	}
	return c
}

// exact is the float64 product of the float32 operands, and the sum of
// the magnitudes of each element's terms.
func exact(m, n, k int, a []float32, lda int, b []float32, offs []int32) (c, mag []float64) {
	c, mag = make([]float64, m*n), make([]float64, m*n)
	for i := range m {
		for j := range n {
			for p := range k {
				t := float64(a[i*lda+p]) * float64(b[int(offs[p])+j])
				c[i*n+j] += t
				mag[i*n+j] += math.Abs(t)
			}
		}
	}
	return c, mag
}

func randSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

type serial struct{}

func (serial) For(n, grain int, fn func(lo, hi int)) { fn(0, n) }
func (serial) Threads() int                          { return 1 }

// threads runs For's chunks on goroutines, in 3 uneven parts.
type threads struct{}

func (threads) For(n, grain int, fn func(lo, hi int)) {
	done := make(chan bool)
	cuts := []int{0, n / 3, n / 2, n}
	for i := range 3 {
		go func() { fn(cuts[i], cuts[i+1]); done <- true }()
	}
	for range 3 {
		<-done
	}
}
func (threads) Threads() int { return 3 }

// TestProduct checks products of odd sizes (edge tiles in both
// directions, K not a multiple of the unrolling or of KC), with B read
// through scattered offsets, against ref bit for bit, against the exact
// product within fp16's error bound, and C's guard bands and the columns
// past N in its rows untouched.
func TestProduct(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	if Available() {
		t.Log("assembly kernel")
	}
	for _, s := range []struct{ m, n, k int }{
		{1, 1, 1}, {16, 8, 4}, {16, 8, 1}, {17, 9, 7}, {15, 7, 3}, {32, 16, 130}, {33, 300, 27},
		{64, 77, 300}, {5, 600, 64}, {48, 31, 517}, {16, 8, 0},
	} {
		for _, par := range []Parallel{nil, serial{}, threads{}} {
			lda, ldb, ldc := s.k+3, s.n+5, s.n+2
			a := randSlice(r, s.m*lda)
			// B's rows in a shuffled order, ldb apart.
			b := randSlice(r, max(1, s.k)*ldb+s.n)
			offs := make([]int32, s.k)
			for p, q := range r.Perm(s.k) {
				offs[p] = int32(q * ldb)
			}
			const guard = 37
			c := make([]float32, guard+s.m*ldc+guard)
			for i := range c {
				c[i] = 12345
			}
			p := Product{A: PackA(s.m, s.k, a, lda), N: s.n, B: b, Offs: offs, C: c[guard:], LdC: ldc}
			var run Runner
			run.Run(par, &p)
			want := ref(s.m, s.n, s.k, a, lda, b, offs)
			ex, mag := exact(s.m, s.n, s.k, a, lda, b, offs)
			bad := 0
			for i := range c {
				row, col := (i-guard)/ldc, (i-guard)%ldc
				if i < guard || row >= s.m || col >= s.n {
					if c[i] != 12345 {
						t.Fatalf("%v: C[%d] outside the product changed to %v", s, i-guard, c[i])
					}
					continue
				}
				got, w := c[i], want[row*s.n+col]
				if got != w {
					bad++
					if bad < 4 {
						t.Errorf("%v: C[%d][%d] = %v, want %v", s, row, col, got, w)
					}
				}
				// fp16's unit roundoff is 2^-11: the operands' roundings and
				// the K sums (at most blockLen steps in fp16) bound the error.
				bound := float64(blockLen(s.k)+3) * 0x1p-11 * mag[row*s.n+col]
				if e := math.Abs(float64(got) - ex[row*s.n+col]); e > bound+1e-6 {
					t.Errorf("%v: C[%d][%d] = %v, exact %v: error %.3g over %.3g", s, row, col, got, ex[row*s.n+col], e, bound)
				}
			}
		}
	}
}

// TestEpilogue checks the bias, residual and clip applied to C, in the
// kernel's registers for its full tiles and after the edge ones, with one
// or several blocks of K.
func TestEpilogue(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range []int{33, 300} {
		for _, c := range []struct{ bias, res, clamp bool }{
			{true, true, true}, {false, true, false}, {true, false, false}, {false, false, true},
		} {
			m, n, ld := 35, 45, 50
			a, b := randSlice(r, m*k), randSlice(r, k*n)
			offs := make([]int32, k)
			for p := range offs {
				offs[p] = int32(p * n)
			}
			ep := gemm.Epilogue{Clamp: c.clamp, Lo: -0.5, Hi: 1.5}
			if c.bias {
				ep.RowBias = randSlice(r, m)
			}
			if c.res {
				ep.Add, ep.LdAdd = randSlice(r, m*ld), ld
			}
			out := make([]float32, m*ld)
			p := Product{A: PackA(m, k, a, k), N: n, B: b, Offs: offs, C: out, LdC: ld, Ep: ep}
			new(Runner).Run(threads{}, &p)
			want := ref(m, n, k, a, k, b, offs)
			for i := range m {
				for j := range n {
					w := want[i*n+j]
					if c.bias {
						w += ep.RowBias[i]
					}
					if c.res {
						w += ep.Add[i*ld+j]
					}
					if c.clamp {
						w = min(max(w, -0.5), 1.5)
					}
					if out[i*ld+j] != w {
						t.Fatalf("k=%d %+v: C[%d][%d] = %v, want %v", k, c, i, j, out[i*ld+j], w)
					}
				}
			}
		}
	}
}

// TestRoundF16 checks the rounding the Go kernel emulates against the
// float32 to fp16 conversion.
func TestRoundF16(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		v := float32(r.NormFloat64() * math.Exp2(float64(r.IntN(40)-25)))
		want := onnx.F16ToF32(onnx.F32ToF16(v))
		if got := float32(RoundF16(float64(v))); got != want && !(math.IsInf(float64(got), 0) && math.IsInf(float64(want), 0)) {
			t.Fatalf("RoundF16(%v) = %v, want %v", v, got, want)
		}
	}
}

// TestMulT checks the transposed form against ref: A given transposed
// with its rows' panels read whole (the rows past m hold values that must
// not reach C), B packed from its transpose.
func TestMulT(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, s := range []struct{ m, n, k int }{{16, 8, 4}, {17, 9, 7}, {64, 40, 300}, {5, 130, 16}, {100, 64, 129}} {
		lda := ceilDiv(s.m, MR)*MR + 3
		at := randSlice(r, s.k*lda) // A's columns, lda apart
		bt := randSlice(r, s.n*(s.k+2))
		ldc := s.n + 1
		const guard = 19
		c := make([]float32, guard+s.m*ldc+guard)
		for i := range c {
			c[i] = 777
		}
		pb := PackBT(s.k, s.n, bt, s.k+2)
		work := make([]uint16, MulTWorkLen(s.m, s.k))
		MulT(s.m, at, lda, &pb, c[guard:], ldc, work)
		// ref's A row-major and B through offsets (rows of B = columns of bt).
		a := make([]float32, s.m*s.k)
		for i := range s.m {
			for p := range s.k {
				a[i*s.k+p] = at[p*lda+i]
			}
		}
		b := make([]float32, s.k*s.n)
		offs := make([]int32, s.k)
		for p := range s.k {
			offs[p] = int32(p * s.n)
			for j := range s.n {
				b[p*s.n+j] = bt[j*(s.k+2)+p]
			}
		}
		want := ref(s.m, s.n, s.k, a, s.k, b, offs)
		for i := range c {
			row, col := (i-guard)/ldc, (i-guard)%ldc
			if i < guard || row >= s.m || col >= s.n {
				if c[i] != 777 {
					t.Fatalf("%v: C[%d] outside the product changed to %v", s, i-guard, c[i])
				}
				continue
			}
			if c[i] != want[row*s.n+col] {
				t.Fatalf("%v: C[%d][%d] = %v, want %v", s, row, col, c[i], want[row*s.n+col])
			}
		}
	}
}

// TestGemv checks the GEMV form against ref (a one-column product in
// blocks of KC rounded to 8), with its epilogue and odd sizes.
func TestGemv(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, s := range []struct{ n, k int }{{1, 1}, {8, 8}, {9, 17}, {37, 300}, {64, 1000}, {100, 129}} {
		for _, par := range []Parallel{nil, threads{}} {
			ldw := s.k + 1
			w, x := randSlice(r, s.n*ldw), randSlice(r, s.k)
			bias := randSlice(r, s.n)
			pw := PackW(s.n, s.k, w, ldw)
			const guard = 5
			y := make([]float32, s.n+guard)
			for i := range y {
				y[i] = 99
			}
			var run GemvRunner
			ep := gemm.Epilogue{ColBias: bias, Clamp: true, Lo: -1, Hi: 2}
			run.Gemv(par, &pw, x, y, make([]uint16, GemvWorkLen(s.k)), &ep)
			// ref: A = W (n x k), B = x as one column; its blocks are
			// blockLen's, Gemv's are KC rounded to 8: equal for these sizes
			// only when k <= KC, so compare the exact product beyond.
			offs := make([]int32, s.k)
			for p := range offs {
				offs[p] = int32(p)
			}
			want := ref(s.n, 1, s.k, w, ldw, x, offs)
			ex, mag := exact(s.n, 1, s.k, w, ldw, x, offs)
			for i := range s.n {
				got := y[i]
				if s.k <= KC {
					if wv := min(max(want[i]+bias[i], -1), 2); got != wv {
						t.Fatalf("%v: y[%d] = %v, want %v", s, i, got, wv)
					}
				}
				wv := min(max(ex[i]+float64(bias[i]), -1), 2)
				if e := math.Abs(float64(got) - wv); e > float64(KC+3)*0x1p-11*mag[i]+1e-5 {
					t.Fatalf("%v: y[%d] = %v, exact %v", s, i, got, wv)
				}
			}
			for _, v := range y[s.n:] {
				if v != 99 {
					t.Fatalf("%v: y past n changed", s)
				}
			}
		}
	}
}
