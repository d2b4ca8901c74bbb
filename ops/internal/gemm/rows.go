package gemm

import "fmt"

// A product with one row of A whose B is transposed and not packed (a
// fully connected layer's weights, [N, K] as ONNX's Gemm stores them with
// transB = 1) is N dot products of x with B's rows: y[i] = Σ_p x[p]·
// b[i*ldb+p], each row one sequential run of memory, four rows streamed
// at once. With it a batch-1 layer reads its weights as the model holds
// them: no packed copy is made (Rows), which halves the resident memory
// of a network that is mostly fully connected weights (AlexNet, VGG), and
// it streams them faster than the packed panels (16 against 13.5 GB/s on
// 4.9 MB of weights no cache holds, BenchmarkRows).

// rowsFunc is a kernel's form for it: y[i] = Σ_p x[p]·b[i*ldb+p] for
// i < n, the sums in any order.
type rowsFunc func(k, n int, x, b []float32, ldb int, y []float32)

// Rows reports whether the kernel in use computes a product with one row
// of A from the rows of a transposed B in place, so that a constant B of a
// batch-1 product is better left unpacked.
func Rows() bool { return kern.rows != nil }

// rowsOK reports whether p runs as dot products with B's rows (see
// Rows): one row of A, B transposed and neither packed nor indirect.
func (p *Product) rowsOK() bool {
	return p.M == 1 && kern.rows != nil && p.B.Trans && !p.PB.Valid() && !p.IB.Valid()
}

// rowsWorkLen is the floats of work the rows form needs: x gathered, and
// the sums when C is scaled and added to them.
func rowsWorkLen(n, k int) int { return align(k) + align(n) }

// rowsJob is a product computed by kern.rows, rows [lo, hi) of B at a
// time.
type rowsJob struct {
	k, ldb int
	x, b   []float32
	c      []float32
}

func (j *rowsJob) run(lo, hi int) {
	kern.rows(j.k, hi-lo, j.x, j.b[lo*j.ldb:], j.ldb, j.c[lo:hi])
}

// runRows computes p (see rowsOK) on par through r, or serially when par
// is nil: the dot products into C (into work first when beta*C is added),
// then alpha, beta and the epilogue.
func (p *Product) runRows(par Parallel, r *Runner, work []float32) {
	c := p.C[:p.N]
	if p.Beta != 0 {
		c = work[align(p.K):][:p.N]
	}
	j := rowsJob{k: p.K, ldb: p.B.Ld, x: p.row0(work[:p.K]), b: p.B.Data, c: c}
	if par == nil || 2*p.K*p.N < serialFlops {
		j.run(0, p.N)
	} else {
		r.rows = j
		if r.rowsFn == nil {
			r.rowsFn = r.rows.run
		}
		par.For(p.N, max(4, ceilDiv(serialFlops/2, max(1, p.K))), r.rowsFn)
	}
	switch {
	case p.Beta != 0:
		for i, v := range c {
			p.C[i] = p.Alpha*v + p.Beta*p.C[i]
		}
	case p.Alpha != 1:
		for i := range c {
			c[i] *= p.Alpha
		}
	}
	if !p.Ep.empty() {
		p.Ep.Apply(p.C, p.N, 0, 1, 0, p.N)
	}
}

// checkRows panics unless the slices given a rows kernel hold what it
// reads and writes.
func checkRows(k, n int, x, b []float32, ldb int, y []float32) {
	if k < 0 || n < 0 || len(x) < k || len(y) < n || n > 0 && k > 0 && (ldb < k || len(b) < (n-1)*ldb+k) {
		panic(fmt.Sprintf("gemm: %d dot products of %d steps given %d x, %d B (stride %d) and %d y floats", n, k, len(x), len(b), ldb, len(y)))
	}
}

// rowsGo is the Go rows form: four sums per row (steps p mod 4).
func rowsGo(k, n int, x, b []float32, ldb int, y []float32) {
	checkRows(k, n, x, b, ldb, y)
	x = x[:k]
	for i := range n {
		if k == 0 {
			y[i] = 0
			continue
		}
		row := b[i*ldb:][:k]
		var s0, s1, s2, s3 float32
		q := 0
		for ; q+4 <= k; q += 4 {
			s0 += x[q] * row[q]
			s1 += x[q+1] * row[q+1]
			s2 += x[q+2] * row[q+2]
			s3 += x[q+3] * row[q+3]
		}
		for ; q < k; q++ {
			s0 += x[q] * row[q]
		}
		y[i] = (s0 + s1) + (s2 + s3)
	}
}

// asmRows wraps an assembly rows kernel that takes steps of width floats
// (k rounded down to them) in the bounds checks that keep it inside its
// slices; the last k mod width steps are added in Go.
func asmRows(width int, f func(k, n int, x, b *float32, ldb int, y *float32)) rowsFunc {
	return func(k, n int, x, b []float32, ldb int, y []float32) {
		checkRows(k, n, x, b, ldb, y)
		kv := k / width * width
		if n == 0 {
			return
		}
		if kv == 0 {
			clear(y[:n])
		} else {
			f(kv, n, &x[0], &b[0], ldb, &y[0])
		}
		for q := kv; q < k; q++ {
			for i := range n {
				y[i] += x[q] * b[i*ldb+q]
			}
		}
	}
}
