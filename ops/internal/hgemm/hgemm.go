// Package hgemm is the half-precision (fp16) product behind the opt-in
// fp16 arithmetic mode (ARMv8.2 FEAT_FP16: a Raspberry Pi 5's Cortex-A76):
// C (float32) = A * B, with A (a convolution's weights) packed once in
// fp16, B (activations, float32) converted to fp16 as it is packed, the
// products summed by FMLA on 8 fp16 lanes, and the fp16 sums of each block
// of KC steps of K added up in float32 (a sum over a large K in fp16 loses
// too much: see KC). An optional gemm.Epilogue (bias, residual, clip) is
// applied to C as each chunk of its columns is finished.
//
// B is read through per-row offsets, element (p, j) being B[Offs[p]+j]:
// a row-major matrix (Offs[p] = p*ldb) or an implicit im2col of a padded
// input (Offs the offsets of the window's taps), the forms the float32
// convolutions read in place.
//
// The kernel is arm64 assembly where the CPU has fp16 arithmetic
// (Available); elsewhere a Go kernel emulating the same fp16 rounding
// serves tests (the runtime never chooses the mode there). Results are
// bit-identical for any thread count.
package hgemm

import (
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
)

// The kernel's tile: MR rows of A by NR columns of B, 16 fp16 accumulator
// vectors of 8 lanes.
const (
	MR = 16
	NR = 8
)

// KC is the number of steps of K summed in fp16 before the block's sum is
// added to C in float32. fp16 has an 11-bit significand: a sum over
// thousands of steps (ResNet-50's 3x3x512 = 4608) drifts by several units
// in the third digit, while blocks of 128 keep the error near that of the
// fp16 rounding of the operands themselves (see the package's tests and
// docs/performance.md) for one float32 add per output value per block.
var KC = 128

// kcEnv names the environment variable that sets KC at start-up (a
// number of steps, at least 4), for measuring the error against it.
const kcEnv = "EDGEINFER_HGEMM_KC"

func init() {
	if v, err := strconv.Atoi(os.Getenv(kcEnv)); err == nil && v >= 4 {
		KC = v
	}
}

// Parallel runs fn over [0,n) split into contiguous chunks on up to
// Threads goroutines (ops.Parallel's method set).
type Parallel interface {
	For(n, grain int, fn func(lo, hi int))
	Threads() int
}

// PackedA is a left operand (M x K) in fp16, cut into panels of MR rows:
// panel i holds K steps of MR values, step p being rows i*MR.. of column
// p, zero past row M.
type PackedA struct {
	m, k int
	data []uint16
}

// PackA packs the m x k row-major a (rows lda floats apart) into fp16.
func PackA(m, k int, a []float32, lda int) PackedA {
	if m > 0 && k > 0 && (lda < k || len(a) < (m-1)*lda+k) {
		panic(fmt.Sprintf("hgemm: A is %d floats with stride %d, too small for %dx%d", len(a), lda, m, k))
	}
	pa := PackedA{m: m, k: k, data: make([]uint16, ceilDiv(m, MR)*MR*k)}
	for i := 0; i < m; i++ {
		panel := pa.data[i/MR*MR*k:]
		for p, v := range a[i*lda : i*lda+k] {
			panel[p*MR+i%MR] = onnx.F32ToF16(v)
		}
	}
	return pa
}

// Dims returns A's rows and columns.
func (pa *PackedA) Dims() (m, k int) { return pa.m, pa.k }

// Bytes is the memory the packed operand holds.
func (pa *PackedA) Bytes() int { return 2 * len(pa.data) }

// Valid reports whether pa holds an operand.
func (pa *PackedA) Valid() bool { return pa.data != nil }

// Product is C = A * B followed by Ep (C is M x N with rows LdC floats
// apart; B is K x N read through Offs).
type Product struct {
	A    PackedA
	N    int
	B    []float32
	Offs []int32
	C    []float32
	LdC  int
	Ep   gemm.Epilogue

	hi int32 // the largest offset, found by check
}

// zeros is the row bias of an epilogue without one.
var zeros [MR]float32

// chunkCols is how many columns of B a task packs and multiplies at a
// time: a multiple of NR whose fp16 panels take about 256 KB.
func chunkCols(k int) int {
	return min(256, max(NR, (1<<17)/max(k, 1)/NR*NR))
}

// Runner runs products, keeping the fp16 B panels of each task and the
// closure it hands to a Parallel from one product to the next: only its
// first product (or one with a larger K) allocates. A Runner must not
// run two products at once.
type Runner struct {
	bufs  [][]uint16
	accs  [][MR * NR]float32
	job   Product // a copy of the product being run, for the tasks
	split split
	fn    func(lo, hi int)
}

// split is how a product is cut into units of work: chunks of nc columns
// of C, each cut into rowBlocks blocks of rows (whole panels) when there
// are fewer chunks than threads, spread over tasks. Unit u is row block
// u%rowBlocks of chunk u/rowBlocks: a task's units that share a chunk
// pack its B once.
type split struct {
	nc, chunks, rowBlocks, tasks int
}

// splitOf cuts p for threads threads.
func (p *Product) splitOf(threads int) split {
	m, k := p.A.Dims()
	s := split{nc: chunkCols(k)}
	s.chunks = ceilDiv(p.N, s.nc)
	if 2*m*p.N*k < 1<<16 {
		threads = 1
	}
	s.rowBlocks = max(1, min(ceilDiv(m, MR), ceilDiv(threads, s.chunks)))
	s.tasks = max(1, min(threads, s.chunks*s.rowBlocks))
	return s
}

// Run computes p, spreading blocks of C over par (nil runs serially).
func (r *Runner) Run(par Parallel, p *Product) {
	m, k := p.A.Dims()
	p.check()
	if m == 0 || p.N == 0 {
		return
	}
	threads := 1
	if par != nil {
		threads = par.Threads()
	}
	s := p.splitOf(threads)
	r.grow(s.tasks, k*s.nc)
	if s.tasks == 1 {
		p.units(&s, r.bufs[0], &r.accs[0], 0, s.chunks*s.rowBlocks)
		return
	}
	r.job, r.split = *p, s
	if r.fn == nil {
		r.fn = func(lo, hi int) {
			s := &r.split
			units := s.chunks * s.rowBlocks
			for t := lo; t < hi; t++ {
				r.job.units(s, r.bufs[t], &r.accs[t], t*units/s.tasks, (t+1)*units/s.tasks)
			}
		}
	}
	par.For(s.tasks, 1, r.fn)
	r.job = Product{}
}

// grow makes sure r has tasks buffers of n halves each.
func (r *Runner) grow(tasks, n int) {
	for len(r.bufs) < tasks {
		r.bufs = append(r.bufs, nil)
		r.accs = append(r.accs, [MR * NR]float32{})
	}
	for t := range tasks {
		if len(r.bufs[t]) < n {
			r.bufs[t] = make([]uint16, n)
		}
	}
}

// check panics on inconsistent arguments: they are programming errors.
func (p *Product) check() {
	m, k := p.A.Dims()
	if !p.A.Valid() && m*k != 0 {
		panic("hgemm: A is not packed")
	}
	if p.N < 0 || len(p.Offs) < k {
		panic(fmt.Sprintf("hgemm: %d offsets for K=%d (N=%d)", len(p.Offs), k, p.N))
	}
	if m == 0 || p.N == 0 {
		return
	}
	if p.LdC < p.N || len(p.C) < (m-1)*p.LdC+p.N {
		panic(fmt.Sprintf("hgemm: C is %d floats with stride %d, too small for %dx%d", len(p.C), p.LdC, m, p.N))
	}
	hi := int32(0)
	for _, o := range p.Offs[:k] {
		if o < 0 {
			panic(fmt.Sprintf("hgemm: B has offset %d", o))
		}
		hi = max(hi, o)
	}
	p.hi = hi
	if k > 0 && len(p.B) < int(hi)+p.N {
		panic(fmt.Sprintf("hgemm: B has %d floats, its offsets and N=%d read %d", len(p.B), p.N, int(hi)+p.N))
	}
	if p.Ep.Add != nil && (p.Ep.LdAdd < p.N || len(p.Ep.Add) < (m-1)*p.Ep.LdAdd+p.N) {
		panic("hgemm: residual smaller than C")
	}
	if p.Ep.RowBias != nil && len(p.Ep.RowBias) < m || p.Ep.ColBias != nil && len(p.Ep.ColBias) < p.N {
		panic("hgemm: bias shorter than C")
	}
}

// units computes units [lo, hi) of split s, packing each chunk of B into
// buf, with acc for the edge tiles.
func (p *Product) units(s *split, buf []uint16, acc *[MR * NR]float32, lo, hi int) {
	m, k := p.A.Dims()
	panelsM := ceilDiv(m, MR)
	packed := -1
	for u := lo; u < hi; u++ {
		c, rb := u/s.rowBlocks, u%s.rowBlocks
		j0 := c * s.nc
		j1 := min(j0+s.nc, p.N)
		i0, i1 := rb*panelsM/s.rowBlocks*MR, min(m, (rb+1)*panelsM/s.rowBlocks*MR)
		if i0 >= i1 {
			continue
		}
		panels := ceilDiv(j1-j0, NR)
		if packed != c {
			for j := range panels {
				p.packB(buf[j*k*NR:][:k*NR], j0+j*NR, min(NR, j1-j0-j*NR))
			}
			packed = c
		}
		mulBlock(k, p.A.data, buf, i0, i1, j0, j1, p.C, p.LdC, &p.Ep, acc)
	}
}

// mulBlock computes rows [i0, i1) and columns [j0, j1) of C (rows ldc
// floats apart) from the fp16 panels of A (MR rows each, k steps, from row
// 0) and those of B (NR columns each, k steps, from column j0), then
// applies ep: in the kernel's registers for its full tiles where it can.
func mulBlock(k int, a, b []uint16, i0, i1, j0, j1 int, c []float32, ldc int, ep *gemm.Epilogue, acc *[MR * NR]float32) {
	panels := ceilDiv(j1-j0, NR)
	kc := blockLen(k)
	fuse := !empty(ep) && ep.ColBias == nil && ep.Act == nil
	full := (j1 - j0) / NR // panels of NR columns
	for pc := 0; pc < k; pc += kc {
		kb := min(kc, k-pc)
		last := pc+kb >= k
		mode := 0
		if pc > 0 {
			mode = modeAdd
		}
		for i := i0; i < i1; i += MR {
			ap := a[(i/MR*k+pc)*MR:][:kb*MR]
			rows := min(MR, i1-i)
			first := 0
			if rows == MR && full > 0 {
				m := mode
				var te tileEpilogue
				if last && fuse {
					m |= modeEp
					te.ldr, te.lo, te.hi = ep.LdAdd, float32(math.Inf(-1)), float32(math.Inf(1))
					if ep.Clamp {
						te.lo, te.hi = ep.Lo, ep.Hi
					}
					te.bias = zeros[:]
					if ep.RowBias != nil {
						te.bias = ep.RowBias[i:]
					}
					if ep.Add != nil {
						m |= modeRes
						te.res = ep.Add[i*ep.LdAdd+j0:]
					}
				}
				kernel(kb, full, ap, b[pc*NR:], k*NR, c[i*ldc+j0:], ldc, m, &te)
				first = full
			}
			for j := first; j < panels; j++ {
				col := j0 + j*NR
				cols := min(NR, j1-col)
				kernel(kb, 1, ap, b[(j*k+pc)*NR:], k*NR, acc[:], NR, 0, nil)
				for r := range rows {
					c := c[(i+r)*ldc+col:][:cols]
					t := acc[r*NR:][:cols]
					if mode&modeAdd != 0 {
						for x := range c {
							c[x] += t[x]
						}
					} else {
						copy(c, t)
					}
				}
				if last && fuse {
					ep.Apply(c, ldc, i, i+rows, col, col+cols)
				}
			}
		}
	}
	if k == 0 {
		for i := i0; i < i1; i++ {
			clear(c[i*ldc+j0 : i*ldc+j1])
		}
	}
	if !empty(ep) && (!fuse || k == 0) {
		ep.Apply(c, ldc, i0, i1, j0, j1)
	}
}

// blockLen is the length of the fp16 blocks K is summed in: KC, or K cut
// into equal blocks of at most KC (a multiple of 4 steps, the kernel's
// unrolling) so that none is a short remnant.
func blockLen(k int) int {
	kc := max(KC, 4)
	return ceilDiv(ceilDiv(max(k, 1), ceilDiv(max(k, 1), kc)), 4) * 4
}

func empty(e *gemm.Epilogue) bool {
	return e.RowBias == nil && e.ColBias == nil && e.Add == nil && !e.Clamp && e.Act == nil
}

// packB writes the fp16 panel of B's columns [j, j+n) (n <= NR, zero
// padded to NR) to dst, K steps of NR values.
func (p *Product) packB(dst []uint16, j, n int) {
	k := p.A.k
	if n == NR || int(p.hi)+j+NR <= len(p.B) {
		// A last, partial panel whose NR columns all lie in B is packed
		// whole too: its columns past N only reach the edge tiles'
		// columns that are not stored.
		packPanel(k, p.B, p.Offs[:k], j, dst)
		return
	}
	for s, o := range p.Offs[:k] {
		d := dst[s*NR : (s+1)*NR]
		for x := range d {
			if x < n {
				d[x] = onnx.F32ToF16(p.B[int(o)+j+x])
			} else {
				d[x] = 0
			}
		}
	}
}

// packPanelGo converts NR columns of B from column j to fp16, k steps.
func packPanelGo(k int, b []float32, offs []int32, j int, dst []uint16) {
	for s, o := range offs[:k] {
		for x, v := range b[int(o)+j:][:NR] {
			dst[s*NR+x] = onnx.F32ToF16(v)
		}
	}
}

// The kernel's modes: what it does with each tile it computes.
const (
	modeAdd = 1 // add the tile to C's instead of storing it
	modeEp  = 2 // then add the row bias and clip (tileEpilogue)
	modeRes = 4 // with modeEp, add the residual before the clip
)

// tileEpilogue is the part of a gemm.Epilogue the kernel applies to its
// tiles in registers (the order is Epilogue.Apply's): bias (MR values,
// one per row) added, then res (rows ldr floats apart, advancing NR
// floats per panel) when the mode has modeRes, then the clip to [lo, hi].
type tileEpilogue struct {
	bias, res []float32
	ldr       int
	lo, hi    float32
}

// checkKernel panics unless the kernel's slices hold what it reads and
// writes: k steps of A; n panels of B, bstride halves apart; n tiles of C
// side by side, rows ldc floats apart; the epilogue's bias and residual.
func checkKernel(k, n int, a, b []uint16, bstride int, c []float32, ldc int, mode int, ep *tileEpilogue) {
	if k < 0 || n < 0 || n == 0 {
		if k < 0 || n < 0 {
			panic("hgemm: negative kernel size")
		}
		return
	}
	if len(a) < MR*k || bstride < NR*k || len(b) < (n-1)*bstride+NR*k || ldc < n*NR || len(c) < (MR-1)*ldc+n*NR {
		panic(fmt.Sprintf("hgemm: kernel given %d A, %d B and %d C values (strides %d, %d) for k=%d, n=%d", len(a), len(b), len(c), bstride, ldc, k, n))
	}
	if mode&modeEp != 0 && (len(ep.bias) < MR || mode&modeRes != 0 && (ep.ldr < n*NR || len(ep.res) < (MR-1)*ep.ldr+n*NR)) {
		panic(fmt.Sprintf("hgemm: tile epilogue given %d bias and %d residual floats (stride %d) for n=%d", len(ep.bias), len(ep.res), ep.ldr, n))
	}
}

// kernelGo is the kernel in Go: for each of n panels of B, an MR x NR tile
// of fp16 accumulators, each step a fused multiply-add rounded to fp16 as
// FMLA does, converted to float32 and stored to c (rows ldc floats apart,
// the next panel's NR floats to the right), or as mode says.
func kernelGo(k, n int, a, b []uint16, bstride int, c []float32, ldc int, mode int, ep *tileEpilogue) {
	for j := range n {
		var acc [MR * NR]float64
		bp := b[j*bstride:]
		for p := range k {
			for r := range MR {
				av := float64(onnx.F16ToF32(a[p*MR+r]))
				for x := range NR {
					bv := float64(onnx.F16ToF32(bp[p*NR+x]))
					acc[r*NR+x] = RoundF16(acc[r*NR+x] + av*bv)
				}
			}
		}
		for r := range MR {
			row := c[r*ldc+j*NR:][:NR]
			for x := range row {
				v := float32(acc[r*NR+x])
				if mode&modeAdd != 0 {
					v = row[x] + v
				}
				if mode&modeEp != 0 {
					v += ep.bias[r]
					if mode&modeRes != 0 {
						v += ep.res[r*ep.ldr+j*NR+x]
					}
					v = min(max(v, ep.lo), ep.hi)
				}
				row[x] = v
			}
		}
	}
}

// RoundF16 rounds x to the nearest fp16 value (ties to even), overflowing
// to ±Inf past the largest finite one, 65504.
func RoundF16(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	_, e := math.Frexp(x) // |x| = f * 2^e, 0.5 <= f < 1
	q := max(e-11, -24)   // the unit in the last place at x's binade
	y := math.Ldexp(math.RoundToEven(math.Ldexp(x, -q)), q)
	if math.Abs(y) > 65504 {
		return math.Inf(int(math.Copysign(1, x)))
	}
	return y
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// Available reports whether this CPU runs the fp16 kernel in assembly:
// arm64 with fp16 arithmetic (FEAT_FP16), such as a Raspberry Pi 5's
// Cortex-A76. Elsewhere the Go kernel computes the same results, far
// slower: the fp16 mode is meant only where this is true.
func Available() bool { return available }
