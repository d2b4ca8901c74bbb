package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// allKernels is every kernel this build can run on this CPU, including the
// generic kernels of other targets.
func allKernels() []microKernel {
	ks := availableKernels()
	for _, g := range []microKernel{kernel2x2, kernel4x4} {
		if !slices.ContainsFunc(ks, func(k microKernel) bool { return k.name == g.name }) {
			ks = append(ks, g)
		}
	}
	return ks
}

// kernelsWith is allKernels that has reports true for.
func kernelsWith(has func(k microKernel) bool) []microKernel {
	return slices.DeleteFunc(allKernels(), func(k microKernel) bool { return !has(k) })
}

// eachKernel runs f as a subtest or sub-benchmark with kern set to every
// kernel of allKernels in turn.
func eachKernel[T testing.TB](run func(name string, f func(T)) bool, f func(T)) {
	for _, k := range allKernels() {
		run(strings.ReplaceAll(k.name, " ", "-"), func(t T) {
			saved := kern
			kern = k
			defer func() { kern = saved }()
			f(t)
		})
	}
}

// intGuarded is guarded holding small random integers, so that every
// kernel's sums are exact whatever its order of operations.
func intGuarded(rng *rand.Rand, n int) (full, mid []float32) {
	full, mid = guarded(rng, n)
	for i := range mid {
		mid[i] = float32(rng.IntN(17) - 8)
	}
	return full, mid
}

// TestMicroKernels checks every kernel against the triple loop for every
// k up to 70, overwriting and adding to a C tile of stride nr+3 with NaN
// sentinels around each operand: reading one float outside a or b turns a
// result into NaN, and writing outside the tile (between its rows too)
// changes a sentinel; when overwriting, C starts as NaN so every element
// must be written.
func TestMicroKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, kn := range allKernels() {
		mr, nr := kn.mr, kn.nr
		if mr*nr > maxTile {
			t.Fatalf("%s: %dx%d tile exceeds maxTile %d", kn.name, mr, nr, maxTile)
		}
		if kn.mc%kn.mr != 0 || kn.nc%kn.nr != 0 || kn.kc < 1 {
			t.Fatalf("%s: blocking %dx%dx%d does not suit the %dx%d tile", kn.name, kn.mc, kn.nc, kn.kc, mr, nr)
		}
		ldc := nr + 3
		for k := 0; k <= 70; k++ {
			for _, add := range []bool{false, true} {
				afull, a := intGuarded(rng, mr*k)
				bfull, b := intGuarded(rng, nr*k)
				cFull, c := guarded(rng, (mr-1)*ldc+nr)
				for i := range c {
					if add && i%ldc < nr {
						c[i] = float32(rng.IntN(17) - 8)
					} else {
						c[i] = float32(math.NaN())
					}
				}
				c0 := slices.Clone(c)
				kn.fn(k, a, b, c, ldc, add)
				what := fmt.Sprintf("%s k=%d add=%v", kn.name, k, add)
				for i := range mr {
					for j := range nr {
						var want float32
						if add {
							want = c0[i*ldc+j]
						}
						for p := range k {
							want += a[p*mr+i] * b[p*nr+j]
						}
						if got := c[i*ldc+j]; got != want {
							t.Fatalf("%s: c[%d][%d] = %v, want %v", what, i, j, got, want)
						}
					}
				}
				checkGuard(t, what+" a", afull, 1, len(a), len(a))
				checkGuard(t, what+" b", bfull, 1, len(b), len(b))
				checkGuard(t, what+" c", cFull, mr, nr, ldc)
				if kn.row != nil {
					checkRowKernel(t, kn, k, a, b, add, rng)
				}
				if kn.ep != nil {
					checkEpilogueKernel(t, kn, k, a, b, c0, add, rng)
				}
				if kn.ind != nil {
					checkIndirectKernel(t, kn, k, a, c0, add, rng)
				}
				if kn.sa != nil {
					checkStridedAKernel(t, kn, k, a, b, c0, add, rng)
				}
			}
		}
	}
}

// checkEpilogueKernel checks kn's ep against fn followed by
// Epilogue.Apply, bit for bit, for each combination of row bias, residual
// (stride nr+5) and clip, with NaN sentinels around every operand and NaNs
// in C and in the residual, at both ends of a row (which must come out as NaN).
func checkEpilogueKernel(t *testing.T, kn microKernel, k int, a, b, c0 []float32, add bool, rng *rand.Rand) {
	t.Helper()
	mr, nr, ldc, ldr := kn.mr, kn.nr, kn.nr+3, kn.nr+5
	for mask := range 8 {
		withBias, withRes, clamp := mask&1 != 0, mask&2 != 0, mask&4 != 0
		rfull, res := guarded(rng, (mr-1)*ldr+nr)
		_, bias := guarded(rng, mr)
		res[ldr+2], res[2*ldr+nr-1] = float32(math.NaN()), float32(math.NaN())
		e := Epilogue{Clamp: clamp, Lo: -3, Hi: 4}
		te := tileEpilogue{lo: float32(math.Inf(-1)), hi: float32(math.Inf(1))}
		if clamp {
			te.lo, te.hi = e.Lo, e.Hi
		}
		if withBias {
			e.RowBias, te.bias = bias, bias
		}
		if withRes {
			e.Add, e.LdAdd, te.res, te.ldr = res, ldr, res, ldr
		}
		want := slices.Clone(c0)
		if add {
			want[1], want[nr-2] = float32(math.NaN()), float32(math.NaN())
		}
		cFull, c := guarded(rng, len(c0))
		copy(c, want)
		kn.fn(k, a, b, want, ldc, add)
		e.Apply(want, ldc, 0, mr, 0, nr)
		kn.ep(k, a, b, c, ldc, add, te)
		what := fmt.Sprintf("%s epilogue k=%d add=%v bias=%v res=%v clamp=%v", kn.name, k, add, withBias, withRes, clamp)
		for i := range mr {
			for j := range nr {
				if g, w := c[i*ldc+j], want[i*ldc+j]; math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
					t.Fatalf("%s: c[%d][%d] = %v, want %v", what, i, j, g, w)
				}
			}
		}
		checkGuard(t, what+" c", cFull, mr, nr, ldc)
		checkGuard(t, what+" res", rfull, 1, len(res), len(res))
	}
}

// checkKernelForm checks one in-place form of kn (run, given C, whether to
// apply the tile epilogue and the epilogue) against kn's packed kernel on
// the same A and B, bit for bit, without and with a tile epilogue (a row
// bias and a clip), with NaN sentinels around C's tile.
func checkKernelForm(t *testing.T, kn microKernel, what string, k int, a, b, c0 []float32, add bool, rng *rand.Rand,
	run func(c []float32, withEp bool, e tileEpilogue)) {
	t.Helper()
	mr, nr, ldc := kn.mr, kn.nr, kn.nr+3
	_, bias := guarded(rng, mr)
	for _, withEp := range []bool{false, true} {
		e := tileEpilogue{bias: bias, lo: -20, hi: 30}
		want := slices.Clone(c0)
		if withEp {
			kn.ep(k, a, b, want, ldc, add, e)
		} else {
			kn.fn(k, a, b, want, ldc, add)
		}
		cFull, c := guarded(rng, len(c0))
		copy(c, c0)
		run(c, withEp, e)
		what := fmt.Sprintf("%s %s k=%d add=%v epilogue=%v", kn.name, what, k, add, withEp)
		for i := range mr {
			for j := range nr {
				if g, w := c[i*ldc+j], want[i*ldc+j]; math.Float32bits(g) != math.Float32bits(w) {
					t.Fatalf("%s: c[%d][%d] = %v, want %v", what, i, j, g, w)
				}
			}
		}
		checkGuard(t, what+" c", cFull, mr, nr, ldc)
	}
}

// checkIndirectKernel checks kn's ind (see checkKernelForm): B's steps are
// read from random, overlapping offsets into a source with NaN guard bands.
func checkIndirectKernel(t *testing.T, kn microKernel, k int, a, c0 []float32, add bool, rng *rand.Rand) {
	t.Helper()
	nr, ldc := kn.nr, kn.nr+3
	_, src := intGuarded(rng, 3*k+nr)
	offs := make([]int32, k)
	b := make([]float32, nr*k)
	for p := range offs {
		offs[p] = int32(rng.IntN(3*k + 1))
		copy(b[p*nr:(p+1)*nr], src[offs[p]:])
	}
	checkKernelForm(t, kn, "indirect", k, a, b, c0, add, rng, func(c []float32, withEp bool, e tileEpilogue) {
		kn.ind(k, a, src, offs, c, ldc, add, withEp, e)
	})
}

// checkStridedAKernel checks kn's sa (see checkKernelForm): A's steps are
// read mr+3 floats apart from a source with NaN guard bands (past its last
// step too).
func checkStridedAKernel(t *testing.T, kn microKernel, k int, a, b, c0 []float32, add bool, rng *rand.Rand) {
	t.Helper()
	mr, ldc, lda := kn.mr, kn.nr+3, kn.mr+3
	_, src := guarded(rng, max(0, (k-1)*lda+mr))
	for p := range k {
		copy(src[p*lda:p*lda+mr], a[p*mr:(p+1)*mr])
	}
	checkKernelForm(t, kn, "strided A", k, a, b, c0, add, rng, func(c []float32, withEp bool, e tileEpilogue) {
		kn.sa(k, src, lda, b, c, ldc, add, withEp, e)
	})
}

// TestStridedAProduct checks products whose A is given transposed, which
// the kernel reads in place (packing only a last, partial panel), against
// the triple loop: M with and without a partial panel, several K blocks,
// 1 and 3 threads, a full epilogue, NaN guard bands around C.
func TestStridedAProduct(t *testing.T) {
	if kern.sa == nil {
		t.Skipf("kernel %s reads no strided A", kern.name)
	}
	rng := rand.New(rand.NewPCG(29, 30))
	for _, s := range [][3]int{{8, 32, 1}, {196, 70, 300}, {13, 45, 2*kern.kc + 9}, {1, 40, 33}, {49, 512, 64}} {
		m, n, k := s[0], s[1], s[2]
		_, at := guarded(rng, k*m) // Aᵀ, k x m
		_, b := guarded(rng, k*n)
		_, rb := guarded(rng, m)
		_, add := guarded(rng, m*n)
		want := make([]float32, m*n)
		naive(true, false, m, n, k, 1, at, m, b, n, 0, want, n)
		for i := range m {
			for j := range n {
				want[i*n+j] = max(want[i*n+j]+rb[i]+add[i*n+j], 0)
			}
		}
		for _, th := range []int{1, 3} {
			cfull, c := guarded(rng, m*n)
			p := Product{M: m, N: n, K: k, Alpha: 1, A: Matrix{at, m, true}, B: Matrix{b, n, false}, C: c, LdC: n,
				Ep: Epilogue{RowBias: rb, Add: add, LdAdd: n, Clamp: true, Hi: float32(math.Inf(1))}}
			p.Run(pool{th}, make([]float32, p.WorkLen()))
			what := fmt.Sprintf("%v threads %d", s, th)
			near(t, what, c, want, k)
			checkGuard(t, what, cfull, m, n, n)
		}
	}
}

// TestIndirectProduct checks products with an IndirectB (B read in place
// through offsets, as an implicit im2col) against the triple loop, for
// edge tiles (a last panel of B packed), several K blocks, 1 and 3 threads
// and a full epilogue, with Data ending at the last value read (the
// kernel must not read past it) and NaN guard bands around C.
func TestIndirectProduct(t *testing.T) {
	if !Indirect() {
		t.Skipf("kernel %s reads no indirect B", kern.name)
	}
	rng := rand.New(rand.NewPCG(27, 28))
	for _, s := range [][3]int{{8, 32, 1}, {13, 45, 70}, {70, 200, 2*kern.kc + 9}, {16, 5, 33}} {
		m, n, k := s[0], s[1], s[2]
		offs := make([]int32, k)
		hi := int32(0)
		for p := range offs {
			offs[p] = int32(rng.IntN(5*k + 3))
			hi = max(hi, offs[p])
		}
		_, data := guarded(rng, int(hi)+n)
		_, a := guarded(rng, m*k)
		_, rb := guarded(rng, m)
		_, add := guarded(rng, m*n)
		b := make([]float32, k*n)
		for p := range k {
			copy(b[p*n:(p+1)*n], data[offs[p]:])
		}
		want := make([]float32, m*n)
		naive(false, false, m, n, k, 1, a, k, b, n, 0, want, n)
		for i := range m {
			for j := range n {
				want[i*n+j] = max(want[i*n+j]+rb[i]+add[i*n+j], 0)
			}
		}
		for _, th := range []int{1, 3} {
			cfull, c := guarded(rng, m*n)
			p := Product{M: m, N: n, K: k, Alpha: 1, A: Matrix{a, k, false}, IB: IndirectB{data, offs}, C: c, LdC: n,
				Ep: Epilogue{RowBias: rb, Add: add, LdAdd: n, Clamp: true, Hi: float32(math.Inf(1))}}
			p.Run(pool{th}, make([]float32, p.WorkLen()))
			what := fmt.Sprintf("%v threads %d", s, th)
			near(t, what, c, want, k)
			checkGuard(t, what, cfull, m, n, n)
		}
	}
}

// checkRowKernel checks kn's row kernel against row 0 of the triple loop,
// with NaN sentinels around its 1 x nr result.
func checkRowKernel(t *testing.T, kn microKernel, k int, a, b []float32, add bool, rng *rand.Rand) {
	t.Helper()
	cFull, c := intGuarded(rng, kn.nr)
	if !add {
		for i := range c {
			c[i] = float32(math.NaN())
		}
	}
	c0 := slices.Clone(c)
	kn.row(k, a, b, c, add)
	for j := range kn.nr {
		var want, odd float32
		if add {
			want = c0[j]
		}
		// The row kernel sums even and odd steps apart.
		for p := range k {
			if p%2 == 0 {
				want += a[p*kn.mr] * b[p*kn.nr+j]
			} else {
				odd += a[p*kn.mr] * b[p*kn.nr+j]
			}
		}
		if want += odd; c[j] != want {
			t.Fatalf("%s row k=%d add=%v: c[%d] = %v, want %v", kn.name, k, add, j, c[j], want)
		}
	}
	checkGuard(t, kn.name+" row c", cFull, 1, kn.nr, kn.nr)
}

// TestAsmKernelBounds checks that the assembly kernels refuse short slices
// and strides instead of reading or writing past them.
func TestAsmKernelBounds(t *testing.T) {
	for _, kn := range asmKernels() {
		mr, nr, k := kn.mr, kn.nr, 3
		for name, args := range map[string][4]int{
			"short a":   {mr*k - 1, nr * k, mr * nr, nr},
			"short b":   {mr * k, nr*k - 1, mr * nr, nr},
			"short c":   {mr * k, nr * k, mr*nr - 1, nr},
			"short ldc": {mr * k, nr * k, mr * nr, nr - 1},
			"long ldc":  {mr * k, nr * k, mr * nr, nr + 1},
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s %s: no panic", kn.name, name)
					}
				}()
				kn.fn(k, make([]float32, args[0], args[0]+64), make([]float32, args[1], args[1]+64), make([]float32, args[2], args[2]+64), args[3], false)
			}()
		}
	}
}

// TestSgemmEveryKernel runs whole products through every kernel: odd
// sizes with every transposition and beta, and products spanning several
// K blocks, tiles and B chunks on several goroutines.
func TestSgemmEveryKernel(t *testing.T) {
	eachKernel(t.Run, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(13, 14))
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for m := 1; m <= 70; m += 3 {
					n, k := 1+(m*11)%71, 1+(m*17)%73
					runCase(t, rng, nil, tA, tB, m, n, k, 1, 0)
					runCase(t, rng, nil, tA, tB, n, k, m, -0.5, 1)
					runCase(t, rng, nil, tA, tB, k, m, n, 2, 0.25)
				}
			}
		}
		for _, s := range [][3]int{{131, 300, 517}, {70, 1601, 600}, {257, 33, 259}} {
			runCase(t, rng, pool{3}, false, false, s[0], s[1], s[2], 1, 0)
			runCase(t, rng, pool{2}, true, true, s[0], s[1], s[2], 0.5, 2)
		}
	})
}

// TestPickKernel checks the start-up choice and its override.
func TestPickKernel(t *testing.T) {
	ks := availableKernels()
	if got := pickKernel("").name; got != ks[0].name {
		t.Errorf("default kernel %q, want the fastest, %q", got, ks[0].name)
	}
	if got := pickKernel("no such kernel").name; got != ks[0].name {
		t.Errorf("unknown name picked %q, want %q", got, ks[0].name)
	}
	if got, want := pickKernel("generic").name, genericKernel().name; got != want {
		t.Errorf("generic picked %q, want %q", got, want)
	}
	for _, k := range ks {
		family, _, _ := strings.Cut(k.name, " ")
		if got := pickKernel(family).name; got != k.name {
			t.Errorf("family %q picked %q", family, got)
		}
		if got := pickKernel(k.name).name; got != k.name {
			t.Errorf("name %q picked %q", k.name, got)
		}
	}
	if want := pickKernel(os.Getenv(kernelEnv)).name; KernelName() != want {
		t.Errorf("KernelName() = %q, want %q", KernelName(), want)
	}
}

// benchPeak reports the GFLOP/s of loop, which does flops per iteration.
func benchPeak(b *testing.B, flops int, loop func(n int)) {
	const iters = 1 << 12
	for range b.N {
		loop(iters)
	}
	b.ReportMetric(float64(flops)*iters*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// aligned returns n zeros starting on a 64-byte boundary, as the packing
// buffers of large products are.
func aligned(n int) []float32 {
	s := make([]float32, n+16)
	off := int(-uintptr(unsafe.Pointer(unsafe.SliceData(s))) % 64 / 4)
	return s[off : off+n]
}

// BenchmarkKernel measures each micro-kernel alone on L1-resident panels
// of k=256, the driver's K block.
func BenchmarkKernel(b *testing.B) {
	eachKernel(b.Run, func(b *testing.B) {
		const k = 256
		rng := rand.New(rand.NewPCG(15, 16))
		a, bp, c := aligned(kern.mr*k), aligned(kern.nr*k), aligned(kern.mr*kern.nr)
		for i := range a {
			a[i] = rng.Float32()
		}
		for i := range bp {
			bp[i] = rng.Float32()
		}
		fn := kern.fn
		for range b.N {
			fn(k, a, bp, c, kern.nr, true)
		}
		b.ReportMetric(2*float64(kern.mr*kern.nr*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	})
}

// BenchmarkSgemmKernel measures whole single-threaded products through
// each kernel: a cube and a ResNet 3x3 convolution's im2col shape.
func BenchmarkSgemmKernel(b *testing.B) {
	for _, s := range [][3]int{{512, 512, 512}, {256, 3136, 2304}} {
		m, n, k := s[0], s[1], s[2]
		b.Run(fmt.Sprintf("%dx%dx%d", m, n, k), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(17, 18))
			_, a := guarded(rng, m*k)
			_, bm := guarded(rng, k*n)
			c := make([]float32, m*n)
			eachKernel(b.Run, func(b *testing.B) {
				work := make([]float32, WorkLen(m, n, k, false, false))
				for range b.N {
					Sgemm(nil, false, false, m, n, k, 1, a, k, bm, n, 0, c, n, work)
				}
				b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		})
	}
}

// TestFusedEpilogue checks that products whose kernel applies the
// epilogue in registers (full tiles) and Apply (edge tiles) give the same
// bits as Apply alone, on 1 and 3 threads, with a row bias, a residual
// and a clip, and a product of more than one K block.
func TestFusedEpilogue(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	for _, kn := range allKernels() {
		if kn.ep == nil {
			continue
		}
		for _, s := range [][3]int{{kn.mr, kn.nr, 5}, {3*kn.mr + 1, 5*kn.nr - 3, 2*kn.kc + 7}, {70, 300, 64}} {
			m, n, k := s[0], s[1], s[2]
			_, a := guarded(rng, m*k)
			_, b := guarded(rng, k*n)
			_, rb := guarded(rng, m)
			_, add := guarded(rng, m*(n+2))
			ep := Epilogue{RowBias: rb, Add: add, LdAdd: n + 2, Clamp: true, Lo: -0.5, Hi: 1}
			var ref []float32
			for _, fused := range []bool{false, true} {
				for _, th := range []int{1, 3} {
					saved := kern
					kern = kn
					if !fused {
						kern.ep = nil
					}
					cfull, c := guarded(rng, m*n)
					p := Product{M: m, N: n, K: k, Alpha: 1, A: Matrix{a, k, false}, B: Matrix{b, n, false}, C: c, LdC: n, Ep: ep}
					p.Run(pool{th}, make([]float32, p.WorkLen()))
					kern = saved
					what := fmt.Sprintf("%s %v fused=%v threads=%d", kn.name, s, fused, th)
					checkGuard(t, what, cfull, m, n, n)
					if ref == nil {
						ref = c
						continue
					}
					for i := range c {
						if math.Float32bits(c[i]) != math.Float32bits(ref[i]) {
							t.Fatalf("%s: element %d = %v, Apply alone gave %v", what, i, c[i], ref[i])
						}
					}
				}
			}
		}
	}
}

// TestStripKernel checks each kernel's strip form (microKernel.strip),
// in each of its forms (B packed, B through offsets, A in place), against
// the same form called tile by tile, bit for bit: n tiles side by side, B
// panels with NaN gaps between them, every K up to 21 (the kernels'
// unrolled and single steps), overwriting and adding, with no epilogue
// and with a row bias, a residual holding NaNs and a clip; NaN guard
// bands around C's rows and the residual.
func TestStripKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, kn := range allKernels() {
		if kn.strip == nil {
			continue
		}
		mr, nr := kn.mr, kn.nr
		for k := range 22 {
			for _, n := range []int{1, 2, 5} {
				ldc, ldr, lda, bstride := n*nr+3, n*nr+5, mr+3, nr*k+5
				_, a := intGuarded(rng, mr*k)
				_, asrc := intGuarded(rng, max(0, (k-1)*lda+mr))
				_, b := intGuarded(rng, (n-1)*bstride+nr*k)
				for t := 1; t < n; t++ {
					for i := range 5 {
						b[t*bstride-5+i] = float32(math.NaN())
					}
				}
				_, src := intGuarded(rng, 3*k+n*nr)
				offs := make([]int32, k)
				for p := range offs {
					offs[p] = int32(rng.IntN(3*k + 1))
				}
				_, c0 := intGuarded(rng, (mr-1)*ldc+n*nr)
				_, bias := intGuarded(rng, mr)
				_, res := intGuarded(rng, (mr-1)*ldr+n*nr)
				res[ldr+1] = float32(math.NaN())
				for _, form := range []string{"packed", "indirect", "strided A"} {
					for _, add := range []bool{false, true} {
						for _, withEp := range []bool{false, true} {
							e := tileEpilogue{lo: -40, hi: 50}
							if withEp {
								e.bias, e.res, e.ldr = bias, res, ldr
							}
							want := slices.Clone(c0)
							for t := range n {
								et := e
								if withEp {
									et.res = res[t*nr:]
								}
								ct := want[t*nr:]
								switch {
								case form == "packed" && withEp:
									kn.ep(k, a, b[t*bstride:], ct, ldc, add, et)
								case form == "packed":
									kn.fn(k, a, b[t*bstride:], ct, ldc, add)
								case form == "indirect":
									kn.ind(k, a, src[t*nr:], offs, ct, ldc, add, withEp, et)
								default:
									kn.sa(k, asrc, lda, b[t*bstride:], ct, ldc, add, withEp, et)
								}
							}
							cFull, c := guarded(rng, len(c0))
							for i := range c {
								c[i] = float32(math.NaN())
							}
							for i := range mr {
								copy(c[i*ldc:i*ldc+n*nr], c0[i*ldc:])
							}
							switch form {
							case "packed":
								kn.strip(n, bstride, k, a, 0, b, nil, c, ldc, add, withEp, e)
							case "indirect":
								kn.strip(n, nr, k, a, 0, src, offs, c, ldc, add, withEp, e)
							default:
								kn.strip(n, bstride, k, asrc, lda, b, nil, c, ldc, add, withEp, e)
							}
							what := fmt.Sprintf("%s strip %s k=%d n=%d add=%v epilogue=%v", kn.name, form, k, n, add, withEp)
							for i := range mr {
								for j := range n * nr {
									if g, w := c[i*ldc+j], want[i*ldc+j]; math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
										t.Fatalf("%s: c[%d][%d] = %v, want %v", what, i, j, g, w)
									}
								}
							}
							checkGuard(t, what+" c", cFull, mr, n*nr, ldc)
						}
					}
				}
			}
		}
		// Short operands panic instead of being read past their ends.
		const k, n = 3, 2
		ldc := n * kn.nr
		for name, f := range map[string]func(){
			"short a": func() {
				kn.strip(n, nr*k, k, make([]float32, mr*k-1), 0, make([]float32, n*nr*k), nil, make([]float32, mr*ldc), ldc, false, false, tileEpilogue{})
			},
			"short b": func() {
				kn.strip(n, nr*k, k, make([]float32, mr*k), 0, make([]float32, n*nr*k-1), nil, make([]float32, mr*ldc), ldc, false, false, tileEpilogue{})
			},
			"short c": func() {
				kn.strip(n, nr*k, k, make([]float32, mr*k), 0, make([]float32, n*nr*k), nil, make([]float32, mr*ldc-1), ldc, false, false, tileEpilogue{})
			},
			"short strided a": func() {
				kn.strip(n, nr*k, k, make([]float32, 2*(mr+1)+mr-1), mr+1, make([]float32, n*nr*k), nil, make([]float32, mr*ldc), ldc, false, false, tileEpilogue{})
			},
			"short residual": func() {
				kn.strip(n, nr*k, k, make([]float32, mr*k), 0, make([]float32, n*nr*k), nil, make([]float32, mr*ldc), ldc, false, true,
					tileEpilogue{res: make([]float32, mr*ldc-1), ldr: ldc})
			},
			"no tiles": func() {
				kn.strip(0, nr*k, k, make([]float32, mr*k), 0, make([]float32, n*nr*k), nil, make([]float32, mr*ldc), ldc, false, false, tileEpilogue{})
			},
		} {
			mustPanic(t, kn.name+" strip "+name, f)
		}
	}
}

// TestHalfKernel checks each kernel's half form (microKernel.half)
// against its full kernel's first mr/2 rows, bit for bit: strips of 1, 2
// and 5 tiles, A's steps mr/2+3 floats apart and mr apart (a packed
// panel, whose second half holds NaNs it must not read), B panels with
// NaN gaps between them, every K up to 21, overwriting (C starting as
// NaN) and adding; NaN guard bands around C's rows. Short operands
// panic.
func TestHalfKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for _, kn := range kernelsWith(func(k microKernel) bool { return k.half != nil }) {
		mr, nr, h := kn.mr, kn.nr, kn.mr/2
		for k := range 22 {
			for _, n := range []int{1, 2, 5} {
				ldc, bstride := n*nr+3, nr*k+5
				_, a := intGuarded(rng, mr*k) // packed: rows h.. are NaN
				for p := range k {
					for i := h; i < mr; i++ {
						a[p*mr+i] = float32(math.NaN())
					}
				}
				lda := h + 3
				_, asrc := intGuarded(rng, max(0, (k-1)*lda+h))
				for p := range k {
					copy(asrc[p*lda:p*lda+h], a[p*mr:])
				}
				_, b := intGuarded(rng, (n-1)*bstride+nr*k)
				for t := 1; t < n; t++ {
					for i := range 5 {
						b[t*bstride-5+i] = float32(math.NaN())
					}
				}
				_, c0 := intGuarded(rng, (mr-1)*ldc+n*nr)
				for _, add := range []bool{false, true} {
					want := slices.Clone(c0)
					for t := range n {
						kn.fn(k, a, b[t*bstride:], want[t*nr:], ldc, add)
					}
					for _, f := range []struct {
						a   []float32
						lda int
					}{{a, mr}, {asrc, lda}} {
						cFull, c := guarded(rng, (h-1)*ldc+n*nr)
						for i := range c {
							c[i] = float32(math.NaN())
						}
						if add {
							for i := range h {
								copy(c[i*ldc:i*ldc+n*nr], c0[i*ldc:])
							}
						}
						kn.half(n, bstride, k, f.a, f.lda, b, c, ldc, add)
						what := fmt.Sprintf("%s half k=%d n=%d lda=%d add=%v", kn.name, k, n, f.lda, add)
						for i := range h {
							for j := range n * nr {
								if g, w := c[i*ldc+j], want[i*ldc+j]; math.Float32bits(g) != math.Float32bits(w) {
									t.Fatalf("%s: c[%d][%d] = %v, want %v", what, i, j, g, w)
								}
							}
						}
						checkGuard(t, what+" c", cFull, h, n*nr, ldc)
					}
				}
			}
		}
		const k, n = 3, 2
		ldc := n * nr
		for name, f := range map[string]func(){
			"short a": func() {
				kn.half(n, nr*k, k, make([]float32, 2*mr+h-1), mr, make([]float32, n*nr*k), make([]float32, h*ldc), ldc, false)
			},
			"short b": func() {
				kn.half(n, nr*k, k, make([]float32, mr*k), mr, make([]float32, n*nr*k-1), make([]float32, h*ldc), ldc, false)
			},
			"short c": func() {
				kn.half(n, nr*k, k, make([]float32, mr*k), mr, make([]float32, n*nr*k), make([]float32, h*ldc-1), ldc, false)
			},
			"no tiles": func() {
				kn.half(0, nr*k, k, make([]float32, mr*k), mr, make([]float32, n*nr*k), make([]float32, h*ldc), ldc, false)
			},
			"lda": func() {
				kn.half(n, nr*k, k, make([]float32, mr*k), h-1, make([]float32, n*nr*k), make([]float32, h*ldc), ldc, false)
			},
		} {
			mustPanic(t, kn.name+" half "+name, f)
		}
	}
}

// TestHalfRows checks products whose last rows are half the kernel's
// height, which its half form computes (A packed, given transposed and
// read in place, or packed by the driver), against the triple loop: N
// with and without a partial panel, several K blocks, alpha and beta,
// a fused epilogue (row bias, residual, clip) and one applied afterwards
// (with a column bias), 1 and 3 threads, NaN guard bands around C.
func TestHalfRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	h := kern.mr / 2
	for _, s := range [][3]int{{h, 3 * kern.nr, 37}, {kern.mr + h, 45, 2*kern.kc + 9}, {9*kern.mr + h, 7, 64}} {
		m, n, k := s[0], s[1], s[2]
		_, a := guarded(rng, m*k)
		_, at := guarded(rng, k*m)
		for i := range m {
			for p := range k {
				at[p*m+i] = a[i*k+p]
			}
		}
		_, b := guarded(rng, k*n)
		_, rb := guarded(rng, m)
		_, cb := guarded(rng, n)
		_, res := guarded(rng, m*n)
		_, c0 := guarded(rng, m*n)
		pa := PackA(nil, m, k, Matrix{a, k, false})
		for _, v := range []struct {
			name        string
			a           Matrix
			pa          PackedA
			alpha, beta float32
			ep          Epilogue
		}{
			{"packed A, fused", Matrix{}, pa, 1, 0, Epilogue{RowBias: rb, Add: res, LdAdd: n, Clamp: true, Hi: 0.5}},
			{"A in place, fused", Matrix{at, m, true}, PackedA{}, 1, 1, Epilogue{RowBias: rb, Add: res, LdAdd: n, Clamp: true, Hi: 0.5}},
			{"A in place, column bias", Matrix{at, m, true}, PackedA{}, 1, 0, Epilogue{ColBias: cb}},
			{"A packed by the driver, alpha beta", Matrix{a, k, false}, PackedA{}, -2, 0.5, Epilogue{}},
		} {
			p := Product{M: m, N: n, K: k, Alpha: v.alpha, Beta: v.beta, A: v.a, PA: v.pa, B: Matrix{b, n, false}, LdC: n, Ep: v.ep}
			checkNaive(t, rng, fmt.Sprintf("%s %v", v.name, s), p, a, b, c0)
		}
	}
}

// TestHalfColsKernel checks each kernel's half-width form
// (microKernel.halfCols) against its full kernel's first nr/2 columns,
// bit for bit, for every K up to 21: B's panel holds NaNs in its other
// columns and ends at the last value read, and C's rows (nr/2+3 apart)
// start as NaN, with NaN guard bands around them and between them.
// Short operands panic.
func TestHalfColsKernel(t *testing.T) {
	rng := rand.New(rand.NewPCG(37, 38))
	for _, kn := range kernelsWith(func(k microKernel) bool { return k.halfCols != nil }) {
		mr, nr, w := kn.mr, kn.nr, kn.nr/2
		for k := range 22 {
			_, a := intGuarded(rng, mr*k)
			_, b := intGuarded(rng, nr*k)
			for p := range k {
				for j := w; j < nr; j++ {
					b[p*nr+j] = float32(math.NaN())
				}
			}
			want := make([]float32, mr*nr)
			kn.fn(k, a, b, want, nr, false)
			ldc := w + 3
			cFull, c := guarded(rng, (mr-1)*ldc+w)
			for i := range c {
				c[i] = float32(math.NaN())
			}
			bShort := b[:max(0, nr*(k-1)+w)]
			kn.halfCols(k, a, bShort, c, ldc)
			what := fmt.Sprintf("%s half-width k=%d", kn.name, k)
			for i := range mr {
				for j := range w {
					if g, v := c[i*ldc+j], want[i*nr+j]; math.Float32bits(g) != math.Float32bits(v) {
						t.Fatalf("%s: c[%d][%d] = %v, want %v", what, i, j, g, v)
					}
				}
			}
			checkGuard(t, what+" c", cFull, mr, w, ldc)
		}
		const k = 3
		for name, f := range map[string]func(){
			"short a": func() { kn.halfCols(k, make([]float32, mr*k-1), make([]float32, nr*k), make([]float32, mr*nr), nr) },
			"short b": func() {
				kn.halfCols(k, make([]float32, mr*k), make([]float32, nr*(k-1)+w-1), make([]float32, mr*nr), nr)
			},
			"short c": func() {
				kn.halfCols(k, make([]float32, mr*k), make([]float32, nr*k), make([]float32, (mr-1)*nr+w-1), nr)
			},
			"ldc": func() { kn.halfCols(k, make([]float32, mr*k), make([]float32, nr*k), make([]float32, mr*nr), w-1) },
		} {
			mustPanic(t, kn.name+" half-width "+name, f)
		}
	}
}

// TestHalfCols checks products whose last columns are at most half the
// kernel's width, which its half-width form computes (B packed by the
// driver, packed beforehand, or the packed last panel of an indirect B),
// against the triple loop: M with and without a partial panel, several K
// blocks, alpha and beta, an epilogue, 1 and 3 threads, NaN guard bands
// around C.
func TestHalfCols(t *testing.T) {
	rng := rand.New(rand.NewPCG(39, 40))
	for _, s := range [][3]int{{8, 1, 37}, {13, kern.nr + 3, 2*kern.kc + 9}, {70, 6*kern.nr + 1, 64}} {
		m, n, k := s[0], s[1], s[2]
		_, a := guarded(rng, m*k)
		_, b := guarded(rng, k*n)
		_, rb := guarded(rng, m)
		_, res := guarded(rng, m*n)
		_, c0 := guarded(rng, m*n)
		offs := make([]int32, k)
		for p := range offs {
			offs[p] = int32(p * n)
		}
		pb := PackB(nil, k, n, Matrix{b, n, false})
		for _, v := range []struct {
			name        string
			b           Matrix
			pb          PackedB
			ib          IndirectB
			alpha, beta float32
			ep          Epilogue
		}{
			{"B packed by the driver, alpha beta", Matrix{b, n, false}, PackedB{}, IndirectB{}, -2, 0.5, Epilogue{}},
			{"B packed, epilogue", Matrix{}, pb, IndirectB{}, 1, 0, Epilogue{RowBias: rb, Add: res, LdAdd: n, Clamp: true, Hi: 0.5}},
			{"indirect B, epilogue", Matrix{}, PackedB{}, IndirectB{b, offs}, 1, 1, Epilogue{RowBias: rb, Clamp: true, Lo: -0.25, Hi: 0.5}},
		} {
			if v.ib.Valid() && !Indirect() {
				continue
			}
			p := Product{M: m, N: n, K: k, Alpha: v.alpha, Beta: v.beta, A: Matrix{a, k, false}, B: v.b, PB: v.pb, IB: v.ib, LdC: n, Ep: v.ep}
			checkNaive(t, rng, fmt.Sprintf("%s %v", v.name, s), p, a, b, c0)
		}
	}
}

// checkNaive runs p (M x N, C of stride N starting as c0, whatever its
// operands' forms) on 1 and 3 threads against the triple loop of a (M x
// K) and b (K x N), row-major, and p's epilogue, with NaN guard bands
// around C.
func checkNaive(t *testing.T, rng *rand.Rand, what string, p Product, a, b, c0 []float32) {
	t.Helper()
	m, n, k := p.M, p.N, p.K
	want := slices.Clone(c0)
	naive(false, false, m, n, k, p.Alpha, a, k, b, n, p.Beta, want, n)
	p.Ep.Apply(want, n, 0, m, 0, n)
	for _, th := range []int{1, 3} {
		cfull, c := guarded(rng, m*n)
		copy(c, c0)
		p.C = c
		p.Run(pool{th}, make([]float32, p.WorkLen()))
		what := fmt.Sprintf("%s threads %d", what, th)
		near(t, what, c, want, k)
		checkGuard(t, what, cfull, m, n, n)
	}
}

// mustPanic fails unless f panics.
func mustPanic(t *testing.T, what string, f func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s: no panic", what)
		}
	}()
	f()
}
