// Package gemm is edgeinfer's single-precision matrix multiply: row-major
// C = alpha*op(A)*op(B) + beta*C, cache-blocked with both operands packed
// into panels and an mr x nr register-blocked micro-kernel (kernel.go is the
// seam for assembly kernels). Constant operands can be packed once
// (PackA, PackB), and a caller that builds an operand itself (a
// convolution's im2col) can write it straight into the packed layout
// (PackedB.Init, SetRow, ClearRow; PackedA.Init, Gather). Where the kernel
// has the forms for it (Indirect), B can instead be read in place through
// per-row offsets (IndirectB: an implicit im2col), and an A given
// transposed is read in place too; only a last, partial panel is then
// packed. An Epilogue adds a per-row or per-column bias and a residual
// matrix and applies an activation to C as its tiles are finished, in the
// kernel's registers where it can, else while they are still in cache.
//
// Work is split over tiles of C, each computed by one goroutine with a fixed
// order of operations, so results are bit-identical for any thread count.
// Packing space comes from the caller (WorkLen): a serial product
// allocates nothing, a parallel one only the closures it hands to Parallel,
// and a Runner keeps those from one product to the next.
package gemm

import (
	"fmt"
	"math"
	"slices"
)

// Parallel runs fn over [0,n) split into contiguous chunks on up to Threads
// goroutines. It has the same method set as ops.Parallel, so a session's
// worker pool serves both.
type Parallel interface {
	// For calls fn(lo, hi) for disjoint ranges covering [0, n) and returns
	// when all are done; grain is the smallest chunk worth a goroutine.
	For(n, grain int, fn func(lo, hi int))
	// Threads is the number of goroutines For may use.
	Threads() int
}

// Matrix is a row-major operand: element (i, j) of op(X) is Data[i*Ld+j], or
// Data[j*Ld+i] when Trans.
type Matrix struct {
	Data  []float32
	Ld    int
	Trans bool
}

// transposed is m read as op(X)ᵀ.
func (m Matrix) transposed() Matrix {
	m.Trans = !m.Trans
	return m
}

// from is m without its first r rows of op(X).
func (m Matrix) from(r int) Matrix {
	if m.Trans {
		m.Data = m.Data[r:]
	} else {
		m.Data = m.Data[r*m.Ld:]
	}
	return m
}

// Epilogue is applied to C after the product: every c[i][j] gets
// RowBias[i], ColBias[j] and Add[i*LdAdd+j] added (each when non-nil), is
// clipped to [Lo, Hi] when Clamp is set (a Relu or Clip, in SIMD where the
// CPU has it), then Act transforms each finished row segment in place.
type Epilogue struct {
	RowBias []float32 // M values (a convolution's per-channel bias)
	ColBias []float32 // N values (a fully connected layer's bias)
	Add     []float32 // M x N row-major with stride LdAdd (a residual)
	LdAdd   int
	Clamp   bool
	Lo, Hi  float32
	Act     func(row []float32)
}

// empty reports whether e changes nothing.
func (e *Epilogue) empty() bool {
	return e.RowBias == nil && e.ColBias == nil && e.Add == nil && !e.Clamp && e.Act == nil
}

// Blocking: a task computes a tile of at most mc x nc elements of C, over K
// in steps of kc (the sizes are the kernel's). kc*nr B values stay in L1
// while the tile's mc*kc packed A values are swept; none depends on the
// thread count.
const (
	// packBudget bounds the floats of B packed at once when B is not pre-packed.
	packBudget = 1 << 20
	// serialFlops is the size below which a product runs on the calling goroutine.
	serialFlops = 1 << 16
)

// Product is one C = alpha*op(A)*op(B) + beta*C (op(A) is M x K, op(B) is
// K x N, C is M x N with stride LdC) followed by Ep. When beta is 0, C is
// only written. PA and PB, when they hold operands, replace A and B, and
// IB, when it does, replaces B (only when Indirect reports the kernel
// reads it).
type Product struct {
	M, N, K     int
	Alpha, Beta float32
	A           Matrix
	PA          PackedA
	B           Matrix
	PB          PackedB
	IB          IndirectB
	C           []float32
	LdC         int
	Ep          Epilogue
}

// IndirectB is a right operand op(B) (K x N) read in place, with no
// packing: element (p, j) is Data[Offs[p]+j]. It is an implicit im2col
// when Data is a padded input and Offs the offsets of the window's taps,
// or a row-major B with Offs[p] = p*ldb. The kernel reads whole panels of
// nr columns; a last, partial one is packed (IndirectWorkLen counts it).
type IndirectB struct {
	Data []float32
	Offs []int32
}

// Valid reports whether ib holds an operand.
func (ib *IndirectB) Valid() bool { return ib.Offs != nil }

// Indirect reports whether the kernel in use can multiply an IndirectB.
func Indirect() bool { return kern.ind != nil }

// IndirectWorkLen is the number of floats of work an m x n x k product
// with an IndirectB needs, given whether A comes pre-packed.
func IndirectWorkLen(m, n, k int, packedA bool) int {
	return WorkLen(m, n, k, packedA, true) + align(PackedBLen(k, n%kern.nr))
}

// WorkLen is the number of floats of work Run needs.
func (p *Product) WorkLen() int { return p.workLen(false) }

// workLen is WorkLen, or what a serial run needs (SerialWorkLen).
func (p *Product) workLen(serial bool) int {
	w := workLenOf(p.M, p.N, p.K, p.PA.Valid(), p.PB.Valid() || p.IB.Valid(), serial)
	if p.IB.Valid() {
		w += align(PackedBLen(p.K, p.N%kern.nr)) // as IndirectWorkLen
	}
	return w
}

// WorkLen is the number of floats of work an m x n x k product needs, given
// which operands come pre-packed.
func WorkLen(m, n, k int, packedA, packedB bool) int {
	return workLenOf(m, n, k, packedA, packedB, false)
}

// SerialWorkLen is WorkLen for a product Run with a nil Parallel, on the
// calling goroutine: its tiles share one accumulator instead of having one
// each for the threads (a Winograd convolution runs 36 products at once,
// each serial, and would otherwise hold 36 sets).
func SerialWorkLen(m, n, k int, packedA, packedB bool) int {
	return workLenOf(m, n, k, packedA, packedB, true)
}

// workLenOf is WorkLen, or SerialWorkLen when serial.
func workLenOf(m, n, k int, packedA, packedB, serial bool) int {
	w := workLen(m, n, k, packedA, packedB, serial)
	if n == 1 && !packedA && !packedB {
		w = max(w, workLen(1, m, k, false, false, serial), gemvWorkLen(m, k)) // see columnVector
	}
	if m == 1 {
		if kern.rows != nil {
			// The GEMV (B not transposed, or packed) or the rows form
			// (B transposed): no panel is packed.
			return max(gemvWorkLen(n, k), rowsWorkLen(n, k))
		}
		w = max(w, gemvWorkLen(n, k))
	}
	return w
}

// workLen is WorkLen (SerialWorkLen when serial) for the product as given.
func workLen(m, n, k int, packedA, packedB, serial bool) int {
	w, chunk := 0, n
	if !packedA {
		w += align(PackedALen(m, k))
	}
	if !packedB {
		chunk = bChunk(n, k)
		w += align(PackedBLen(k, chunk))
	}
	return w + accLen(m, chunk, serial)
}

// align rounds a number of floats up to a whole number of 64-byte lines,
// so that panels cut from an aligned work buffer start on a line.
func align(n int) int { return (n + 15) &^ 15 }

// bChunk is how many columns of a B that is not pre-packed are packed and
// multiplied at a time.
func bChunk(n, k int) int {
	_, nc := blocks()
	c := max(nc, packBudget/max(k, 1)/nc*nc)
	return min(c, ceilDiv(max(n, 1), kern.nr)*kern.nr)
}

// Sgemm computes C = alpha*op(A)*op(B) + beta*C, BLAS-style, using work
// (WorkLen(m, n, k, false, false) floats) for packing.
func Sgemm(par Parallel, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int, work []float32) {
	p := Product{
		M: m, N: n, K: k, Alpha: alpha, Beta: beta,
		A: Matrix{a, lda, transA}, B: Matrix{b, ldb, transB}, C: c, LdC: ldc,
	}
	p.Run(par, work)
}

// checkMatrix panics unless m holds a rows x cols op(X).
func checkMatrix(name string, m Matrix, rows, cols int) {
	if rows == 0 || cols == 0 {
		return
	}
	r, c := rows, cols
	if m.Trans {
		r, c = cols, rows
	}
	if m.Ld < c || len(m.Data) < (r-1)*m.Ld+c {
		panic(fmt.Sprintf("gemm: %s is %d floats with stride %d, too small for %dx%d (transposed: %v)",
			name, len(m.Data), m.Ld, rows, cols, m.Trans))
	}
}

// check panics on inconsistent arguments: they are programming errors.
func (p *Product) check(work []float32, serial bool) {
	if p.M < 0 || p.N < 0 || p.K < 0 {
		panic(fmt.Sprintf("gemm: negative dimension %dx%dx%d", p.M, p.N, p.K))
	}
	if p.PA.Valid() {
		if m, k := p.PA.Dims(); m != p.M || k != p.K || p.PA.kernel != kern.name {
			panic(fmt.Sprintf("gemm: packed A is %dx%d for kernel %s, want %dx%d for %s", m, k, p.PA.kernel, p.M, p.K, kern.name))
		}
	} else {
		checkMatrix("A", p.A, p.M, p.K)
	}
	switch {
	case p.IB.Valid():
		p.checkIndirect()
	case p.PB.Valid():
		if k, n := p.PB.Dims(); k != p.K || n != p.N || p.PB.kernel != kern.name {
			panic(fmt.Sprintf("gemm: packed B is %dx%d for kernel %s, want %dx%d for %s", k, n, p.PB.kernel, p.K, p.N, kern.name))
		}
	default:
		checkMatrix("B", p.B, p.K, p.N)
	}
	checkMatrix("C", Matrix{p.C, p.LdC, false}, p.M, p.N)
	if p.Ep.Add != nil {
		checkMatrix("Add", Matrix{p.Ep.Add, p.Ep.LdAdd, false}, p.M, p.N)
	}
	if p.Ep.RowBias != nil && len(p.Ep.RowBias) < p.M || p.Ep.ColBias != nil && len(p.Ep.ColBias) < p.N {
		panic("gemm: bias shorter than C")
	}
	if need := p.workLen(serial); len(work) < need {
		panic(fmt.Sprintf("gemm: work has %d floats, need %d", len(work), need))
	}
}

// packTail packs columns [n-rem, n) of ib, rem = n mod nr, into tail.
func (ib *IndirectB) packTail(tail *panels, n int) {
	rem, w := tail.n, tail.w
	for p, o := range ib.Offs[:tail.k] {
		d := tail.data[p*w : (p+1)*w]
		copy(d, ib.Data[int(o)+n-rem:int(o)+n])
		clear(d[rem:])
	}
}

// checkIndirect panics unless the kernel reads an IndirectB and every
// panel it reads of p.IB lies inside Data.
func (p *Product) checkIndirect() {
	if kern.ind == nil {
		panic(fmt.Sprintf("gemm: kernel %s does not read an indirect B", kern.name))
	}
	ib := &p.IB
	if len(ib.Offs) < p.K {
		panic(fmt.Sprintf("gemm: indirect B has %d offsets for K=%d", len(ib.Offs), p.K))
	}
	hi := int32(0)
	for _, o := range ib.Offs[:p.K] {
		if o < 0 {
			panic(fmt.Sprintf("gemm: indirect B has offset %d", o))
		}
		hi = max(hi, o)
	}
	if need := int(hi) + p.N; p.K > 0 && len(ib.Data) < need {
		panic(fmt.Sprintf("gemm: indirect B has %d floats, its offsets and N=%d read %d", len(ib.Data), p.N, need))
	}
}

// Run computes the product, splitting tiles of C over par (nil runs
// serially). A serial run allocates nothing; a parallel one allocates the
// closures it hands to par (a Runner reuses them).
func (p *Product) Run(par Parallel, work []float32) {
	if par == nil || par.Threads() <= 1 {
		p.run(nil, nil, work)
		return
	}
	new(Runner).Run(par, p, work)
}

// Runner runs products on a Parallel, keeping the closures it hands to it
// from one product to the next, so that only its first parallel product
// allocates. A Runner must not run two products at once.
type Runner struct {
	job     tileJob
	tilesFn func(lo, hi int)
	pack    panels
	packSrc Matrix
	packFn  func(lo, hi int)
	gemv    gemvJob
	gemvFn  func(lo, hi int)
	rows    rowsJob
	rowsFn  func(lo, hi int)
}

// Run computes p as p.Run does, reusing r's closures.
func (r *Runner) Run(par Parallel, p *Product, work []float32) {
	if par == nil || par.Threads() <= 1 {
		par = nil
	}
	p.run(par, r, work)
}

// run computes the product; par is nil or has more than one thread, and r
// is non-nil when par is.
func (p *Product) run(par Parallel, r *Runner, work []float32) {
	p.check(work, par == nil)
	if p.M == 0 || p.N == 0 {
		return
	}
	if 2*p.M*p.N*p.K < serialFlops {
		par = nil
	}
	if t, ok := p.columnVector(); ok {
		p = &t
	}
	if p.rowsOK() {
		p.runRows(par, r, work)
		return
	}
	if p.gemvOK() {
		p.runGemv(par, r, work)
		return
	}
	job := tileJob{c: p.C, ldc: p.LdC, m: p.M, k: p.K, alpha: p.Alpha, beta: p.Beta, ep: p.Ep}
	switch {
	case p.PA.Valid():
		job.pa = p.PA.p
	case p.A.Trans && kern.sa != nil && !p.IB.Valid():
		// A's steps are contiguous runs of mr rows: the kernel reads
		// them in place, and only a last, partial panel is packed.
		job.sa, job.lda = p.A.Data, p.A.Ld
		rem := p.M % kern.mr
		if job.halfRows(rem) {
			rem = 0 // read in place too
		}
		job.pa = newPanels(work, rem, p.K, kern.mr)
		job.pa.pack(p.A.from(p.M-rem), 0, job.pa.count())
		work = work[align(len(job.pa.data)):]
	default:
		job.pa = newPanels(work, p.M, p.K, kern.mr)
		r.packAll(par, &job.pa, p.A)
		work = work[align(len(job.pa.data)):]
	}
	chunk := p.N
	if !p.PB.Valid() && !p.IB.Valid() {
		chunk = bChunk(p.N, p.K)
	}
	job.ib = p.IB
	if p.IB.Valid() && p.N%kern.nr != 0 {
		// The last panel is partial: the kernel would read past N.
		job.ibTail = newPanels(work, p.N%kern.nr, p.K, kern.nr)
		p.IB.packTail(&job.ibTail, p.N)
		work = work[align(len(job.ibTail.data)):]
	}
	acc := accLen(p.M, chunk, par == nil)
	job.acc, work = work[:acc], work[acc:]
	for job.j0 = 0; job.j0 < p.N; job.j0 += chunk {
		job.nb = min(chunk, p.N-job.j0)
		switch {
		case p.IB.Valid():
		case p.PB.Valid():
			job.pb = p.PB.p
		default:
			job.pb = newPanels(work, job.nb, p.K, kern.nr)
			r.packAll(par, &job.pb, p.B.transposed().from(job.j0))
		}
		job.bm, job.bn = blocks()
		job.mt = ceilDiv(p.M, job.bm)
		tasks := job.mt * ceilDiv(job.nb, job.bn)
		if par == nil {
			job.tiles(0, tasks)
			continue
		}
		if th := min(par.Threads(), maxSplit); tasks < 4*th && job.uneven(tasks, th) {
			// Too few tiles to share evenly (the threads take tasks as
			// they finish: 3 on 2 threads take as long as 4, and so do 4
			// whose last is narrow).
			tasks = job.split(4 * th)
		}
		r.job = job
		if r.tilesFn == nil {
			r.tilesFn = r.job.tiles
		}
		par.For(tasks, 1, r.tilesFn)
	}
}

// columnVector returns p transposed, Cᵀ = op(B)ᵀ op(A)ᵀ, when C is one
// contiguous column (a matrix-vector product): a single row of A then
// meets a row kernel instead of a tile computing nr-1 padding columns.
// Operands packed for their own side, and a residual that is not
// contiguous, keep p as it is.
func (p *Product) columnVector() (Product, bool) {
	if p.N != 1 || p.M == 1 || p.LdC != 1 || p.PA.Valid() || p.PB.Valid() || p.IB.Valid() || p.Ep.Add != nil && p.Ep.LdAdd != 1 {
		return Product{}, false
	}
	t := *p
	t.M, t.N, t.LdC = 1, p.M, p.M
	t.A, t.B = p.B.transposed(), p.A.transposed()
	t.Ep.RowBias, t.Ep.ColBias = p.Ep.ColBias, p.Ep.RowBias
	t.Ep.LdAdd = p.M
	return t, true
}

// packAll packs every panel of pn from m, splitting the panels over par
// (which, when non-nil, r serves).
func (r *Runner) packAll(par Parallel, pn *panels, m Matrix) {
	cnt := pn.count()
	grain := max(group, ceilDiv(1<<14, max(1, pn.w*pn.k)))
	if par == nil || cnt <= grain {
		pn.pack(m, 0, cnt)
		return
	}
	r.pack, r.packSrc = *pn, m
	if r.packFn == nil {
		r.packFn = func(lo, hi int) { r.pack.pack(r.packSrc, lo, hi) }
	}
	par.For(cnt, grain, r.packFn)
}

// tileJob is what the tasks of one chunk of B's columns share: C and its
// epilogue, the packed operands, and how C is cut into tasks, each a tile
// of at most bm x bn elements.
type tileJob struct {
	c           []float32
	ldc, m, k   int
	alpha, beta float32
	ep          Epilogue
	pa, pb      panels    // pa holds only A's last, partial panel when sa is set
	sa          []float32 // A read in place (op(A)ᵀ, step p at sa[p*lda:]), or nil
	lda         int
	ib          IndirectB // replaces pb when valid
	ibTail      panels    // the last, partial panel of ib, packed
	j0, nb      int       // the chunk's first column in C and its width
	bm, bn      int       // tile size: mc and nc rounded to the kernel's mr and nr
	mt          int       // tiles down C
	acc         []float32 // mr*nr floats of accumulator per task
}

// maxSplit bounds the threads split shares a product of few tiles among:
// it then aims at no more than 4*maxSplit tasks and makes fewer than
// 16*maxSplit.
const maxSplit = 16

// split narrows the tiles of the current chunk, which has fewer than want
// tasks, so that there are at least want when C has that many kernel
// tiles: columns first, then rows, both in whole kernel tiles. Every
// element of C is then computed by the same kernel calls over the same K
// blocks as with the full tiles, only in another task, so results stay
// bit-identical for any thread count. It returns the number of tasks,
// which is less than 4*want: each axis gets at most twice the tiles it
// aims at.
func (job *tileJob) split(want int) int {
	mr, nr := kern.mr, kern.nr
	rows := ceilDiv(job.m, job.bm)
	var cols int
	job.bn, cols = narrow(job.nb, nr, ceilDiv(want, rows))
	if rows*cols < want {
		job.bm, rows = narrow(job.m, mr, ceilDiv(want, cols))
	}
	job.mt = rows
	return rows * cols
}

// uneven reports whether th threads taking the current chunk's tasks as
// they finish would, by the kernel tiles in each task, take more than
// 9/8 of an even share.
func (job *tileJob) uneven(tasks, th int) bool {
	var load [maxSplit]int
	total := 0
	for t := range tasks {
		rows := min(job.bm, job.m-t%job.mt*job.bm)
		cols := min(job.bn, job.nb-t/job.mt*job.bn)
		w := ceilDiv(rows, kern.mr) * ceilDiv(cols, kern.nr)
		least := 0
		for i := range th {
			if load[i] < load[least] {
				least = i
			}
		}
		load[least] += w
		total += w
	}
	return 8*th*slices.Max(load[:th]) > 9*total
}

// narrow cuts n into at least parts (when n has that many units) pieces
// of whole units, returning the piece size and count.
func narrow(n, unit, parts int) (size, count int) {
	units := ceilDiv(n, unit)
	size = max(1, units/max(1, parts)) * unit
	return size, ceilDiv(n, size)
}

// blocks returns the tile size for the kernel in use.
func blocks() (bm, bn int) {
	return max(kern.mr, kern.mc/kern.mr*kern.mr), max(kern.nr, kern.nc/kern.nr*kern.nr)
}

// accLen is the number of accumulator floats for an m-row product whose B
// is multiplied cols columns at a time: one kernel tile per task for the
// edge tiles (the kernel is called through a function value, so a stack
// buffer would escape to the heap), for the tasks of full tiles or of
// split ones.
func accLen(m, cols int, serial bool) int {
	if serial {
		return kern.mr * kern.nr
	}
	bm, bn := blocks()
	return max(ceilDiv(m, bm)*ceilDiv(cols, bn), 16*maxSplit) * kern.mr * kern.nr
}

// tiles computes tasks [lo, hi).
func (job *tileJob) tiles(lo, hi int) {
	for t := lo; t < hi; t++ {
		i0, j := t%job.mt*job.bm, t/job.mt*job.bn
		// One accumulator per task, or one for all on a single goroutine.
		acc := job.acc[t*kern.mr*kern.nr%len(job.acc):][:kern.mr*kern.nr]
		job.tile(acc, i0, min(i0+job.bm, job.m), j, min(j+job.bn, job.nb))
	}
}

// epilogueCols is how many columns of a tile are finished before an
// epilogue the kernel cannot apply in registers (an activation: SiLU) is
// applied to them, row by row, while they are still in L2: at least the
// kernels' nc, so that a block's rows are each one call. Strips of 32
// columns cost EfficientNet-B0 16% more time and YOLOX-Nano 25%, the
// calls' overhead exceeding the SIMD work of their 32 values.
const epilogueCols = 512

// tile computes rows [i0, i1) and columns [j0, j1) of the current chunk of
// C, applying the epilogue to each strip of columns as its last K block is
// stored. Whole kernel tiles are written to C by the kernel itself (with
// alpha 1); edge tiles, and every tile when alpha is not 1, go through acc.
func (job *tileJob) tile(acc []float32, i0, i1, j0, j1 int) {
	k := kern
	mr, nr, jc, ldc := k.mr, k.nr, job.j0, job.ldc
	if job.beta != 0 && job.beta != 1 {
		for i := i0; i < i1; i++ {
			for x, v := range job.c[i*ldc+jc+j0 : i*ldc+jc+j1] {
				job.c[i*ldc+jc+j0+x] = job.beta * v
			}
		}
	}
	epilogue := !job.ep.empty()
	direct := job.alpha == 1
	// Split K into equal blocks of at most the kernel's kc (a multiple of 4
	// steps, the kernels' unrolling), so that no block is a short remnant.
	kc := ceilDiv(ceilDiv(max(job.k, 1), ceilDiv(max(job.k, 1), k.kc)), 4) * 4
	if job.m == 1 && k.row != nil {
		// A vector-matrix product: stream each B panel whole. (This depends
		// on the product, not on the tile, whose size split may change.)
		kc = max(job.k, 1)
	}
	for pc := 0; pc == 0 || pc < job.k; pc += kc {
		kb := min(kc, job.k-pc)
		add, last := pc > 0 || job.beta != 0, pc+kb >= job.k
		// The last K block of a kernel that can applies the epilogue to
		// its full tiles in registers, and Apply to each other tile as
		// soon as it is stored; otherwise Apply takes strips of columns.
		fused := last && epilogue && direct && k.ep != nil && job.ep.ColBias == nil && job.ep.Act == nil
		ind := job.ib.Valid()
		var bp []float32
		var offs []int32
		if ind {
			offs = job.ib.Offs[pc : pc+kb]
		}
		// Full kernel tiles in columns [j0, jf) go to the kernel's strip
		// form a row of them at a time, where it has one.
		jf := j0
		if k.strip != nil && direct {
			jf = j1
			if ind {
				jf = min(jf, job.nb)
			}
			jf = j0 + max(0, jf-j0)/nr*nr
			for i := i0; i+mr <= i1 && jf > j0; i += mr {
				job.strip(kb, pc, i, j0, jf, offs, add, fused)
			}
		}
		// A last row of tiles half the kernel's height goes to its half
		// form: the full ones a strip at a time, into C.
		ih, jh := i0+(i1-i0)/mr*mr, j0+(j1-j0)/nr*nr
		half := job.halfRows(i1-ih) && direct && jh > j0
		if half {
			job.half(kb, pc, ih, j0, (jh-j0)/nr, job.c[ih*ldc+jc+j0:], ldc, add)
			if fused {
				job.ep.Apply(job.c, job.ldc, ih, i1, jc+j0, jc+jh)
			}
		}
		strip := j0
		for j := j0; j < j1; j += nr {
			ind := ind && j+nr <= job.nb
			switch {
			case ind:
				bp = job.ib.Data[jc+j:]
			case job.ib.Valid():
				bp = job.ibTail.steps(0, pc, kb)
			default:
				bp = job.pb.steps(j/nr, pc, kb)
			}
			cols := min(nr, j1-j)
			for i := i0; i < i1; i += mr {
				rows := min(mr, i1-i)
				if j < jf && rows == mr || half && i == ih && j < jh {
					continue // a strip's
				}
				sa := job.sa != nil && rows == mr
				var ap []float32
				switch {
				case job.halfRows(rows):
					// The half form finds A itself.
				case sa:
					ap = job.sa[pc*job.lda+i:]
				case job.sa != nil:
					ap = job.pa.steps(0, pc, kb)
				default:
					ap = job.pa.steps(i/mr, pc, kb)
				}
				switch {
				case job.halfRows(rows):
					job.half(kb, pc, i, j, 1, acc, nr, false)
					job.store(acc, nr, i, jc+j, rows, cols, add)
				case direct && rows == mr && cols == nr:
					job.mul(kb, ap, bp, offs, sa, ind, job.c[i*ldc+jc+j:], ldc, add, fused, i, jc+j)
					if fused {
						continue
					}
				case sa || ind:
					job.mul(kb, ap, bp, offs, sa, ind, acc, nr, false, false, i, jc+j)
					job.store(acc, nr, i, jc+j, rows, cols, add)
				case direct && rows == 1 && cols == nr && k.row != nil:
					k.row(kb, ap, bp, job.c[i*ldc+jc+j:], add)
				case rows == 1 && k.row != nil:
					k.row(kb, ap, bp, acc, false)
					job.store(acc, nr, i, jc+j, rows, cols, add)
				case cols <= nr/2 && k.halfCols != nil:
					k.halfCols(kb, ap, bp, acc, nr)
					job.store(acc, nr, i, jc+j, rows, cols, add)
				default:
					k.fn(kb, ap, bp, acc, nr, false)
					job.store(acc, nr, i, jc+j, rows, cols, add)
				}
				if fused {
					job.ep.Apply(job.c, job.ldc, i, i+rows, jc+j, jc+j+cols)
				}
			}
			if end := j + cols; last && epilogue && !fused && (end-strip >= epilogueCols || end == j1) {
				job.ep.Apply(job.c, job.ldc, i0, i1, jc+strip, jc+end)
				strip = end
			}
		}
	}
}

// strip runs the kernel's strip form on the full tiles of row i in columns
// [j0, j1) of the current chunk, K block [pc, pc+kb): A read in place or
// packed, B packed or read in place, as mul does, with the epilogue in
// registers when withEp is set.
func (job *tileJob) strip(kb, pc, i, j0, j1 int, offs []int32, add, withEp bool) {
	k := kern
	mr, nr, jc := k.mr, k.nr, job.j0
	var te tileEpilogue
	if withEp {
		te = job.tileEpilogue(i, jc+j0)
	}
	var a []float32
	lda := 0
	if job.sa != nil {
		a, lda = job.sa[pc*job.lda+i:], job.lda
	} else {
		a = job.pa.steps(i/mr, pc, kb)
	}
	b, bstride := job.ib.Data, nr
	if job.ib.Valid() {
		b = b[jc+j0:]
	} else {
		b, bstride = job.pb.data[(j0/nr*job.pb.k+pc)*job.pb.w:], job.pb.k*job.pb.w
	}
	k.strip((j1-j0)/nr, bstride, kb, a, lda, b, offs, job.c[i*job.ldc+jc+j0:], job.ldc, add, withEp, te)
}

// halfRows reports whether a tile's rows of A go to the kernel's half
// form (microKernel.half): half its height, and B packed.
func (job *tileJob) halfRows(rows int) bool {
	return kern.half != nil && rows == kern.mr/2 && !job.ib.Valid()
}

// half runs the kernel's half form on n half-height tiles from row i and
// column j0 of the current chunk (B's panels j0/nr on; whole ones, or
// the last, partial one alone), K block [pc, pc+kb): A read in place or
// from its packed panel, into dst (stride ldd).
func (job *tileJob) half(kb, pc, i, j0, n int, dst []float32, ldd int, add bool) {
	var a []float32
	lda := job.lda
	if job.sa != nil {
		a = job.sa[pc*lda+i:]
	} else {
		a, lda = job.pa.steps(i/kern.mr, pc, kb), kern.mr
	}
	pb := &job.pb
	kern.half(n, pb.k*pb.w, kb, a, lda, pb.data[(j0/kern.nr*pb.k+pc)*pb.w:], dst, ldd, add)
}

// mul runs the kernel form for one A and one B panel into dst (stride
// ldd): A read in place (sa), B read in place (ind) or both packed, with
// the epilogue of the tile at row i, column j of C applied in registers
// when withEp is set.
func (job *tileJob) mul(kb int, ap, bp []float32, offs []int32, sa, ind bool, dst []float32, ldd int, add, withEp bool, i, j int) {
	var te tileEpilogue
	if withEp {
		te = job.tileEpilogue(i, j)
	}
	k := kern
	switch {
	case sa:
		k.sa(kb, ap, job.lda, bp, dst, ldd, add, withEp, te)
	case ind:
		k.ind(kb, ap, bp, offs, dst, ldd, add, withEp, te)
	case withEp:
		k.ep(kb, ap, bp, dst, ldd, add, te)
	default:
		k.fn(kb, ap, bp, dst, ldd, add)
	}
}

// tileEpilogue is the epilogue of the kernel tile at row i, column j of C,
// for an Epilogue with no column bias and no Act.
func (job *tileJob) tileEpilogue(i, j int) tileEpilogue {
	e := tileEpilogue{lo: float32(math.Inf(-1)), hi: float32(math.Inf(1))}
	if job.ep.Clamp {
		e.lo, e.hi = job.ep.Lo, job.ep.Hi
	}
	if job.ep.RowBias != nil {
		e.bias = job.ep.RowBias[i:]
	}
	if job.ep.Add != nil {
		e.res, e.ldr = job.ep.Add[i*job.ep.LdAdd+j:], job.ep.LdAdd
	}
	return e
}

// store merges an accumulator tile (rows x cols valid, stride nr) into C at
// (i, j), scaled by alpha: added to C when add is set, else overwriting it.
func (job *tileJob) store(acc []float32, nr, i, j, rows, cols int, add bool) {
	alpha := job.alpha
	for r := range rows {
		c := job.c[(i+r)*job.ldc+j : (i+r)*job.ldc+j+cols]
		a := acc[r*nr : r*nr+cols]
		switch {
		case !add && alpha == 1:
			copy(c, a)
		case !add:
			for x := range c {
				c[x] = alpha * a[x]
			}
		case alpha == 1:
			for x := range c {
				c[x] += a[x]
			}
		default:
			for x := range c {
				c[x] += alpha * a[x]
			}
		}
	}
}

// Apply applies e to rows [i0, i1), columns [j0, j1) of the row-major
// matrix c of stride ldc, as a product does to each finished tile.
func (e *Epilogue) Apply(c []float32, ldc, i0, i1, j0, j1 int) {
	lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
	if e.Clamp {
		lo, hi = e.Lo, e.Hi
	}
	for i := i0; i < i1; i++ {
		c := c[i*ldc+j0 : i*ldc+j1]
		var bias float32
		if e.RowBias != nil {
			bias = e.RowBias[i]
		}
		if e.ColBias != nil {
			for x, b := range e.ColBias[j0:j1] {
				c[x] = c[x] + bias + b
			}
			bias = 0
		}
		var add []float32
		if e.Add != nil {
			add = e.Add[i*e.LdAdd+j0 : i*e.LdAdd+j1]
		}
		if bias != 0 || add != nil || e.Clamp {
			clampRow(c, add, bias, lo, hi)
		}
		if e.Act != nil {
			e.Act(c)
		}
	}
}

// clampRowGo is clampRow in Go.
func clampRowGo(c, add []float32, bias, lo, hi float32) {
	if add == nil {
		for x, v := range c {
			c[x] = min(max(v+bias, lo), hi)
		}
		return
	}
	add = add[:len(c)]
	for x, v := range c {
		c[x] = min(max(v+bias+add[x], lo), hi)
	}
}
