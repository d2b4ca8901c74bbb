package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
)

// pool is a Parallel running chunks of at most grain... on n goroutines.
type pool struct{ n int }

func (p pool) Threads() int { return p.n }

func (p pool) For(n, grain int, fn func(lo, hi int)) {
	chunk := max(grain, ceilDiv(n, p.n))
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	wg.Wait()
}

// guard is how many sentinel floats surround every buffer.
const guard = 17

// guarded returns a buffer of n floats from rng between guard bands of NaN,
// and the view of its middle.
func guarded(rng *rand.Rand, n int) (full, mid []float32) {
	full = make([]float32, n+2*guard)
	for i := range full {
		full[i] = float32(math.NaN())
	}
	mid = full[guard : guard+n]
	for i := range mid {
		mid[i] = rng.Float32()*2 - 1
	}
	return full, mid
}

// naive is the reference triple loop, in float64.
func naive(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				ai, bi := i*lda+p, p*ldb+j
				if tA {
					ai = p*lda + i
				}
				if tB {
					bi = j*ldb + p
				}
				av, bv := a[ai], b[bi]
				s += float64(av) * float64(bv)
			}
			v := float64(alpha) * s
			if beta != 0 {
				v += float64(beta) * float64(c[i*ldc+j])
			}
			c[i*ldc+j] = float32(v)
		}
	}
}

// near compares got with want at a tolerance scaled by the dot length.
func near(t *testing.T, what string, got, want []float32, k int) {
	t.Helper()
	tol := 1e-5 * float64(k+4)
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		if math.IsNaN(w) != math.IsNaN(g) || math.Abs(g-w) > tol*(1+math.Abs(w)) {
			t.Fatalf("%s: element %d = %v, want %v", what, i, g, w)
		}
	}
}

// checkGuard fails if a sentinel of full outside [guard, guard+n) changed,
// and, within the middle, if any element outside the m x n window of stride
// ld is not NaN (ld > n leaves gaps that must stay untouched).
func checkGuard(t *testing.T, what string, full []float32, m, n, ld int) {
	t.Helper()
	for i, v := range full {
		off := i - guard
		inside := off >= 0 && off < (m-1)*ld+n && off%ld < n
		if !inside && !math.IsNaN(float64(v)) {
			t.Fatalf("%s: sentinel at offset %d overwritten with %v", what, off, v)
		}
	}
}

// kernels runs f with the default kernel and with each generic one.
func kernels(t *testing.T, f func(t *testing.T)) {
	ks := []microKernel{kern}
	for _, k := range []microKernel{kernel2x2, kernel4x4} {
		if k.name != kern.name {
			ks = append(ks, k)
		}
	}
	for _, k := range ks {
		t.Run(k.name, func(t *testing.T) {
			saved := kern
			kern = k
			defer func() { kern = saved }()
			f(t)
		})
	}
}

// layout returns a row-major stride for a rows x cols op(X) with padding.
func stride(trans bool, rows, cols, pad int) int {
	if trans {
		return rows + pad
	}
	return cols + pad
}

func runCase(t *testing.T, rng *rand.Rand, par Parallel, tA, tB bool, m, n, k int, alpha, beta float32) {
	t.Helper()
	lda, ldb, ldc := stride(tA, m, k, 3), stride(tB, k, n, 2), n+5
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	_, a := guarded(rng, max(0, (ar-1)*lda+ac))
	_, b := guarded(rng, max(0, (br-1)*ldb+bc))
	cfull, c := guarded(rng, (m-1)*ldc+n)
	// Gaps between rows of C must stay untouched: mark them NaN.
	for i := range c {
		if i%ldc >= n {
			c[i] = float32(math.NaN())
		}
	}
	if beta == 0 {
		// beta 0 must not read C: poison the valid window too.
		for i := range c {
			c[i] = float32(math.NaN())
		}
	}
	want := append([]float32(nil), c...)
	naive(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc)
	wfull, work := guarded(rng, WorkLen(m, n, k, false, false))
	Sgemm(par, tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, work)
	what := fmt.Sprintf("m=%d n=%d k=%d tA=%v tB=%v alpha=%v beta=%v", m, n, k, tA, tB, alpha, beta)
	checkGuard(t, what+" C", cfull, m, n, ldc)
	for i := 0; i < guard; i++ {
		if !math.IsNaN(float64(wfull[i])) || !math.IsNaN(float64(wfull[len(wfull)-1-i])) {
			t.Fatalf("%s: work guard overwritten", what)
		}
	}
	for i := range c {
		if i%ldc < n && !(math.Abs(float64(c[i]-want[i])) <= 1e-5*float64(k+4)*(1+math.Abs(float64(want[i])))) {
			t.Fatalf("%s: C[%d][%d] = %v, want %v", what, i/ldc, i%ldc, c[i], want[i])
		}
	}
}

func TestSgemmOddSizes(t *testing.T) {
	kernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for m := 1; m <= 67; m += 3 {
					n := 1 + (m*7)%67
					k := 1 + (m*13)%67
					runCase(t, rng, nil, tA, tB, m, n, k, 1, 0)
					runCase(t, rng, nil, tA, tB, n, k, m, 0.5, 1)
					runCase(t, rng, nil, tA, tB, k, m, n, -2, 0.25)
				}
			}
		}
	})
}

func TestSgemmAllSmall(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for m := 1; m <= 9; m++ {
		for n := 1; n <= 9; n++ {
			for _, k := range []int{1, 2, 3, 4, 5, 7, 8, 9} {
				runCase(t, rng, nil, m%2 == 0, n%2 == 1, m, n, k, 1, 0.5)
			}
		}
	}
}

func TestSgemmLarge(t *testing.T) {
	kernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		// Several K blocks, M and N tiles, edge tiles, and several B chunks
		// (K=600 packs 1<<20/600/256*256 = 1536 columns at a time).
		for _, s := range [][3]int{{131, 300, 517}, {70, 1601, 600}, {257, 19, 1029}} {
			for _, tr := range [][2]bool{{false, false}, {true, true}} {
				runCase(t, rng, pool{3}, tr[0], tr[1], s[0], s[1], s[2], 1, 0)
			}
		}
	})
}

func TestSgemmKZero(t *testing.T) {
	c := []float32{1, 2, 3, 4}
	Sgemm(nil, false, false, 2, 2, 0, 1, nil, 0, nil, 2, 0.5, c, 2, make([]float32, WorkLen(2, 2, 0, false, false)))
	near(t, "k=0 scales C by beta", c, []float32{0.5, 1, 1.5, 2}, 0)
}

// TestSpecExample checks a hand-computed product.
func TestSpecExample(t *testing.T) {
	a := []float32{1, 2, 3, 4, 5, 6}    // 2x3
	b := []float32{7, 8, 9, 10, 11, 12} // 3x2
	c := []float32{1, 1, 1, 1}
	Sgemm(nil, false, false, 2, 2, 3, 2, a, 3, b, 2, 3, c, 2, make([]float32, WorkLen(2, 2, 3, false, false)))
	// A*B = [[58 64] [139 154]]; 2*AB + 3.
	near(t, "2*A*B+3*C", c, []float32{119, 131, 281, 311}, 3)
}

func TestPackedAndEpilogue(t *testing.T) {
	kernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		for _, s := range [][3]int{{1, 1, 1}, {5, 7, 3}, {67, 45, 300}, {130, 600, 70}} {
			m, n, k := s[0], s[1], s[2]
			_, a := guarded(rng, m*k)
			_, b := guarded(rng, n*k)
			_, add := guarded(rng, m*(n+1))
			_, rb := guarded(rng, m)
			_, cb := guarded(rng, n)
			want := make([]float32, m*n)
			naive(false, true, m, n, k, 1, a, k, b, k, 0, want, n)
			for i := range m {
				for j := range n {
					v := want[i*n+j] + rb[i] + cb[j] + add[i*(n+1)+j]
					want[i*n+j] = max(v, 0)
				}
			}
			relu := func(r []float32) {
				for i, v := range r {
					r[i] = max(v, 0)
				}
			}
			pa := PackA(nil, m, k, Matrix{a, k, false})
			pb := PackB(make([]float32, PackedBLen(k, n)), k, n, Matrix{b, k, true})
			for _, v := range []struct {
				name   string
				pa     PackedA
				pb     PackedB
				thread int
			}{{"packed A", pa, PackedB{}, 1}, {"packed B", PackedA{}, pb, 2}, {"both packed", pa, pb, 3}, {"none packed", PackedA{}, PackedB{}, 2},
				// Thread 0: Run(nil, ...) in the SerialWorkLen of work.
				{"both packed, serial", pa, pb, 0}, {"none packed, serial", PackedA{}, PackedB{}, 0}} {
				cfull, c := guarded(rng, m*n)
				p := Product{M: m, N: n, K: k, Alpha: 1, A: Matrix{a, k, false}, PA: v.pa, B: Matrix{b, k, true}, PB: v.pb,
					C: c, LdC: n, Ep: Epilogue{RowBias: rb, ColBias: cb, Add: add, LdAdd: n + 1, Act: relu}}
				var par Parallel = pool{v.thread}
				wl := p.WorkLen()
				if v.thread == 0 {
					par, wl = nil, SerialWorkLen(m, n, k, v.pa.Valid(), v.pb.Valid())
				}
				wfull, work := guarded(rng, wl)
				p.Run(par, work)
				what := fmt.Sprintf("%s %v", v.name, s)
				near(t, what, c, want, k)
				checkGuard(t, what, cfull, m, n, n)
				checkGuard(t, what+" work", wfull, 1, len(work), len(work))
			}
		}
	})
}

// TestUnevenSplit checks when the driver finds the tasks of a chunk too
// uneven for the threads: four tasks whose last is narrow on 2 threads (3
// tiles against 1+1/8), and not four equal ones, nor one task per thread.
func TestUnevenSplit(t *testing.T) {
	bm, bn := blocks()
	for _, c := range []struct {
		m, n, th int
		want     bool
	}{
		{bm, 3*bn + kern.nr, 2, true},
		{bm, 4 * bn, 2, false},
		{bm, 2 * bn, 2, false},
		{2 * bm, bn, 3, true},
		{bm, 3 * bn, 3, false},
	} {
		job := tileJob{m: c.m, nb: c.n, bm: bm, bn: bn, mt: ceilDiv(c.m, bm)}
		tasks := job.mt * ceilDiv(c.n, bn)
		if got := job.uneven(tasks, c.th); got != c.want {
			t.Errorf("%dx%d on %d threads (%d tasks): uneven %v, want %v", c.m, c.n, c.th, tasks, got, c.want)
		}
	}
}

// TestThreadsBitIdentical checks every thread count gives the same bits,
// for products of many tiles and for products of fewer tiles than threads
// (which split narrows), with beta and alpha or an epilogue.
func TestThreadsBitIdentical(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	bm, bn := blocks()
	for _, s := range [][3]int{
		{150, 700, 530}, {bm, bn, 300}, {bm / 2, bn - 3, 257}, {1, 1000, 300},
		{3 * kern.mr, 2*kern.nr + 1, 700}, {2*bm + 1, kern.nr, 90}, {kern.mr + 1, 3 * kern.nr, 600},
		{bm, 3*bn + kern.nr/2, 300}, // 4 tasks, the last narrow: split for 2 threads
	} {
		m, n, k := s[0], s[1], s[2]
		_, a := guarded(rng, m*k)
		_, b := guarded(rng, k*n)
		_, c0 := guarded(rng, m*n)
		_, bias := guarded(rng, m)
		var ref []float32
		for _, th := range []int{1, 2, 3, 5, 8, 40} {
			c := slices.Clone(c0)
			p := Product{M: m, N: n, K: k, Alpha: 0.5, Beta: 1.5, A: Matrix{a, k, false}, B: Matrix{b, n, false},
				C: c, LdC: n, Ep: Epilogue{RowBias: bias, Clamp: true, Lo: -1, Hi: 2}}
			p.Run(pool{th}, make([]float32, p.WorkLen()))
			if ref == nil {
				ref = c
				continue
			}
			for i := range c {
				if math.Float32bits(c[i]) != math.Float32bits(ref[i]) {
					t.Fatalf("%dx%dx%d, %d threads: element %d = %v, 1 thread gave %v", m, n, k, th, i, c[i], ref[i])
				}
			}
		}
	}
}

// countPar records the size of the largest range it is asked to split.
type countPar struct {
	pool
	most *int
}

func (p countPar) For(n, grain int, fn func(lo, hi int)) {
	*p.most = max(*p.most, n)
	p.pool.For(n, grain, fn)
}

// TestSplitFewTiles checks that a product of one tile (operands pre-packed,
// so that only tiles are handed to the Parallel) is split into at least as
// many tasks as threads, columns first and then rows, when C has that many
// kernel tiles, and that 3 tiles are split evenly for 2 threads.
func TestSplitFewTiles(t *testing.T) {
	bm, bn := blocks()
	for _, s := range [][2]int{{bm, bn}, {bm, kern.nr}, {kern.mr, 2 * kern.nr}, {3 * bm, bn}} {
		m, n := s[0], s[1]
		k := max(300, serialFlops/(2*m*n)+1)
		p := Product{M: m, N: n, K: k, Alpha: 1, C: make([]float32, m*n), LdC: n,
			PA: PackA(nil, m, k, Matrix{make([]float32, m*k), k, false}),
			PB: PackB(nil, k, n, Matrix{make([]float32, k*n), n, false})}
		for _, th := range []int{2, 3, 7} {
			var tasks int
			p.Run(countPar{pool{th}, &tasks}, make([]float32, p.WorkLen()))
			want := min(th, ceilDiv(m, kern.mr)*ceilDiv(n, kern.nr))
			if tasks < want || tasks >= 8*th {
				t.Errorf("%dx%dx%d on %d threads: %d tasks, want between %d and %d", m, n, k, th, tasks, want, 8*th-1)
			}
			if m == 3*bm && th == 2 && tasks%2 != 0 {
				t.Errorf("%dx%dx%d on 2 threads: %d tasks, want an even number", m, n, k, tasks)
			}
		}
	}
}

func TestPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"short A": func() {
			Sgemm(nil, false, false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2, make([]float32, 100))
		},
		"short work": func() {
			Sgemm(nil, false, false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2, nil)
		},
		"packed dims": func() {
			pa := PackA(nil, 2, 3, Matrix{make([]float32, 6), 3, false})
			p := Product{M: 2, N: 2, K: 2, PA: pa, B: Matrix{make([]float32, 4), 2, false}, C: make([]float32, 4), LdC: 2}
			p.Run(nil, make([]float32, 100))
		},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func BenchmarkSgemm(b *testing.B) {
	for _, s := range [][3]int{{64, 3136, 576}, {64, 256, 576}, {256, 256, 256}, {512, 196, 4608}, {1000, 1, 2048}} {
		m, n, k := s[0], s[1], s[2]
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("%dx%dx%d/threads=%d", m, n, k, th), func(b *testing.B) {
				a := make([]float32, m*k)
				bb := make([]float32, k*n)
				c := make([]float32, m*n)
				for i := range a {
					a[i] = float32(i%7) * 0.1
				}
				for i := range bb {
					bb[i] = float32(i%5) * 0.1
				}
				work := make([]float32, WorkLen(m, n, k, false, false))
				var par Parallel = pool{th}
				b.ResetTimer()
				for range b.N {
					Sgemm(par, false, false, m, n, k, 1, a, k, bb, n, 0, c, n, work)
				}
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// TestPackedRows fills a packed B row by row, with strides and cleared
// runs, and a packed A by Gather, and checks the products against the
// triple loop, with NaN guard bands around the packed buffers.
func TestPackedRows(t *testing.T) {
	kernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 14))
		for _, s := range [][3]int{{3, 5, 7}, {9, 37, 20}, {33, 70, 300}} {
			m, n, k := s[0], s[1], s[2]
			_, b := guarded(rng, k*n)
			// Make every third element of B zero: those are cleared, not set.
			bsrc := make([]float32, 2*k*n) // B's values at even positions
			for i := range b {
				if i%3 == 0 {
					b[i] = 0
				}
				bsrc[2*i] = b[i]
			}
			// A[q][r] = asrc[cols[r] + rows[q]], offsets as a padded im2col's.
			_, asrc := guarded(rng, 3*m+5*k)
			rows, cols := make([]int32, m), make([]int32, k)
			for q := range rows {
				rows[q] = int32(3 * q)
			}
			for r := range cols {
				cols[r] = int32(5*r + r%2)
			}
			a := make([]float32, m*k)
			for q := range m {
				for r := range k {
					a[q*k+r] = asrc[cols[r]+rows[q]]
				}
			}
			want := make([]float32, m*n)
			naive(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
			bfull, bbuf := guarded(rng, PackedBLen(k, n))
			var pb PackedB
			pb.Init(bbuf, k, n)
			for p := range k {
				for j := 0; j < n; {
					if (p*n+j)%3 == 0 {
						pb.ClearRow(p, j, 1)
						j++
						continue
					}
					run := 1
					for j+run < n && (p*n+j+run)%3 != 0 {
						run++
					}
					pb.SetRow(p, j, bsrc[2*(p*n+j):], 2, run)
					j += run
				}
			}
			checkGuard(t, "packed B", bfull, 1, len(bbuf), len(bbuf))
			afull, abuf := guarded(rng, PackedALen(m, k))
			var pa PackedA
			pa.Init(abuf, m, k)
			pa.Gather(asrc, rows, cols, 0, pa.Panels()/2)
			pa.Gather(asrc, rows, cols, pa.Panels()/2, pa.Panels())
			checkGuard(t, "packed A", afull, 1, len(abuf), len(abuf))
			for _, v := range []struct {
				name string
				pa   PackedA
				pb   PackedB
			}{{"packed B", PackedA{}, pb}, {"gathered A", pa, PackedB{}}, {"both", pa, pb}} {
				c := make([]float32, m*n)
				prod := Product{M: m, N: n, K: k, Alpha: 1, A: Matrix{a, k, false}, PA: v.pa, B: Matrix{b, n, false}, PB: v.pb, C: c, LdC: n}
				prod.Run(pool{2}, make([]float32, prod.WorkLen()))
				near(t, fmt.Sprint(v.name, s), c, want, k)
			}
		}
	})
}

// BenchmarkPackB packs a ResNet-sized im2col matrix (576 x 3136).
func BenchmarkPackB(b *testing.B) {
	k, n := 576, 3136
	src := make([]float32, k*n)
	dst := make([]float32, PackedBLen(k, n))
	b.SetBytes(int64(4 * k * n))
	for range b.N {
		PackB(dst, k, n, Matrix{src, n, false})
	}
}

// inlinePar claims n threads but runs every chunk on the calling goroutine,
// so that it allocates nothing itself.
type inlinePar struct{ n int }

func (p inlinePar) Threads() int { return p.n }

func (p inlinePar) For(n, grain int, fn func(lo, hi int)) {
	chunk := max(grain, ceilDiv(n, p.n))
	for lo := 0; lo < n; lo += chunk {
		fn(lo, min(lo+chunk, n))
	}
}

// TestRunnerReuse checks that a Runner gives the bits of a serial run and,
// after its first product, runs parallel products without allocating.
func TestRunnerReuse(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	m, n, k := 70, 600, 300
	_, a := guarded(rng, m*k)
	_, b := guarded(rng, k*n)
	want, got := make([]float32, m*n), make([]float32, m*n)
	work := make([]float32, WorkLen(m, n, k, false, false))
	p := Product{M: m, N: n, K: k, Alpha: 1, A: Matrix{a, k, false}, B: Matrix{b, n, false}, C: want, LdC: n}
	p.Run(nil, work)
	p.C = got
	var r Runner
	par := inlinePar{2}
	if allocs := testing.AllocsPerRun(5, func() { r.Run(par, &p, work) }); allocs != 0 {
		t.Errorf("a reused Runner allocates %v times per product", allocs)
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("element %d = %v, serial run gave %v", i, got[i], want[i])
		}
	}
}

// TestEpilogueClamp checks the clamped epilogue (SIMD where available)
// against the scalar definition for every row length up to 40, with and
// without a residual, and that a NaN stays NaN.
func TestEpilogueClamp(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for n := 0; n <= 40; n++ {
		for _, withAdd := range []bool{false, true} {
			const rows, ld = 3, 45
			cfull, c := guarded(rng, rows*ld)
			_, add := guarded(rng, rows*ld)
			rb := []float32{0.25, -0.5, 0}
			want := slices.Clone(c)
			e := Epilogue{RowBias: rb, Clamp: true, Lo: -0.3, Hi: 0.6}
			if withAdd {
				e.Add, e.LdAdd = add, ld
			}
			if n > 2 {
				c[ld+n-1], want[ld+n-1] = float32(math.NaN()), float32(math.NaN())
			}
			for i := range rows {
				for j := range n {
					v := want[i*ld+j] + rb[i]
					if withAdd {
						v += add[i*ld+j]
					}
					want[i*ld+j] = min(max(v, e.Lo), e.Hi)
				}
			}
			e.Apply(c, ld, 0, rows, 0, n)
			for i := range c {
				if g, w := c[i], want[i]; g != w && !(g != g && w != w) {
					t.Fatalf("n=%d add=%v: element %d = %v, want %v", n, withAdd, i, g, w)
				}
			}
			checkGuard(t, "clamp", cfull, 1, len(c), len(c))
		}
	}
}

// TestMatrixVector checks products with a single row or column of C (the
// row kernel and the transposed column case) against the triple loop,
// with every epilogue term.
func TestMatrixVector(t *testing.T) {
	kernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(23, 24))
		for _, s := range [][3]int{{1, 1000, 600}, {1, 45, 7}, {1, 33, 1030}, {1000, 1, 600}, {45, 1, 7}, {33, 1, 1030}} {
			m, n, k := s[0], s[1], s[2]
			for _, packed := range []bool{false, true} {
				_, a := guarded(rng, m*k)
				_, b := guarded(rng, k*n)
				_, rb := guarded(rng, m)
				_, cb := guarded(rng, n)
				_, add := guarded(rng, m*n)
				want := make([]float32, m*n)
				naive(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
				for i := range m {
					for j := range n {
						want[i*n+j] = max(want[i*n+j]+rb[i]+cb[j]+add[i*n+j], 0)
					}
				}
				cfull, c := guarded(rng, m*n)
				p := Product{M: m, N: n, K: k, Alpha: 1, A: Matrix{a, k, false}, B: Matrix{b, n, false}, C: c, LdC: n,
					Ep: Epilogue{RowBias: rb, ColBias: cb, Add: add, LdAdd: n, Clamp: true, Hi: float32(math.Inf(1))}}
				if packed {
					p.PB = PackB(nil, k, n, p.B)
				}
				p.Run(pool{2}, make([]float32, p.WorkLen()))
				what := fmt.Sprintf("%v packed B %v", s, packed)
				near(t, what, c, want, k)
				checkGuard(t, what, cfull, m, n, n)
			}
		}
	})
}

// BenchmarkGemv measures a fully connected layer's product with one row of
// A and a pre-packed B through each kernel, as AlexNet's first one
// (4096 x 9216, 151 MB: streamed from memory) and ResNet-50's (1000 x
// 2048, 8 MB), in GB/s of B read.
func BenchmarkGemv(b *testing.B) {
	for _, s := range [][2]int{{4096, 9216}, {1000, 2048}} {
		n, k := s[0], s[1]
		rng := rand.New(rand.NewPCG(25, 26))
		_, a := guarded(rng, k)
		_, bm := guarded(rng, k*n)
		c := make([]float32, n)
		for _, th := range []int{1, 2} {
			b.Run(fmt.Sprintf("%dx%d/threads=%d", n, k, th), func(b *testing.B) {
				eachKernel(b.Run, func(b *testing.B) {
					p := Product{M: 1, N: n, K: k, Alpha: 1, A: Matrix{a, k, false}, PB: PackB(nil, k, n, Matrix{bm, k, true}), C: c, LdC: n}
					work := make([]float32, p.WorkLen())
					var r Runner
					b.ResetTimer()
					for range b.N {
						r.Run(pool{th}, &p, work)
					}
					b.ReportMetric(4*float64(k*n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
				})
			})
		}
	}
}

// TestClampRow checks clampRow (SIMD where the build has it) against
// clampRowGo bit for bit (any NaN for a NaN), for every length up to 70, with and without add,
// on values with NaN, infinities and signed zeros, and that it writes
// nothing outside c.
func TestClampRow(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 72))
	special := []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, float32(math.Copysign(0, -1)), 6, -6}
	value := func() float32 {
		if rng.IntN(4) == 0 {
			return special[rng.IntN(len(special))]
		}
		return float32(rng.NormFloat64() * 8)
	}
	const sentinel = 12345
	for n := range 71 {
		for _, withAdd := range []bool{false, true} {
			c := make([]float32, n+8)
			for i := range c {
				c[i] = sentinel
			}
			row := c[4 : 4+n]
			var add []float32
			if withAdd {
				add = make([]float32, n)
			}
			for i := range row {
				row[i] = value()
				if add != nil {
					add[i] = value()
				}
			}
			want := append([]float32(nil), row...)
			bias, lo, hi := value(), float32(-3), float32(rng.Float64()*10)
			if n%5 == 0 {
				lo, hi = float32(math.Inf(-1)), float32(math.Inf(1))
			}
			clampRowGo(want, add, bias, lo, hi)
			clampRow(row, add, bias, lo, hi)
			for i := range row {
				if math.Float32bits(row[i]) != math.Float32bits(want[i]) && !(row[i] != row[i] && want[i] != want[i]) {
					t.Fatalf("n %d add %v: element %d is %v, want %v", n, withAdd, i, row[i], want[i])
				}
			}
			for _, i := range []int{0, 1, 2, 3, n + 4, n + 5, n + 6, n + 7} {
				if c[i] != sentinel {
					t.Fatalf("n %d add %v: guard %d overwritten with %v", n, withAdd, i, c[i])
				}
			}
		}
	}
}
