package gemm

import (
	"fmt"
	"math"
)

// A product with one row of A (M = 1: a fully connected layer at batch 1,
// a projection of one token) is a matrix-vector product, y = x·op(B): it
// does K·N multiply-adds on K·N values of B, each read once, so it runs at
// the speed B streams from memory, not at the kernel's. It goes through the
// kernel's GEMV form (microKernel.gemv) instead of its tile, which would
// compute mr-1 rows of padding: B's panels of nr columns (packed by PackB,
// or B itself read in place, nr columns at a time) are streamed whole, one
// after the other, each step's nr values multiplied by one value of x. The
// packed panels are already the order the GEMV streams best (every panel
// one sequential run of K·nr floats), so a constant B packed once serves
// both forms and no second copy is kept.
//
// The panels are split over the threads; every output is computed by one
// goroutine in the kernel's fixed order, so results are bit-identical for
// any thread count. The column bias and the clip of the epilogue are
// applied in the kernel's registers (Act after each task's columns); any
// other epilogue, an alpha other than 1 or a beta other than 0 apply to the
// kernel's results in a buffer, as the tile path does.

// gemvFunc is a kernel's GEMV form. It multiplies the row vector x (k
// floats) by panels consecutive panels of nr columns of B, panel i's step
// p being the nr floats b[i*pstride+p*ldb:], and stores panel i's results
// to y[i*nr:][:nr]: y[i*nr+c] = min(max(Σ_p x[p]·b[i*pstride+p*ldb+c] +
// bias[i*nr+c], lo), hi), with no bias when bias is nil (a NaN comes out as
// NaN). The kernels sum steps p of each residue mod 4 apart and add the
// four sums as (s0 + s1) + (s2 + s3).
type gemvFunc func(k, panels int, x, b []float32, ldb, pstride int, y, bias []float32, lo, hi float32)

// gemvOK reports whether p (which has M = 1) runs on the GEMV: B must be
// packed or read in place with a stride (not through offsets, and not
// transposed, whose columns are not runs of memory).
func (p *Product) gemvOK() bool {
	return p.M == 1 && kern.gemv != nil && !p.IB.Valid() && (p.PB.Valid() || !p.B.Trans)
}

// gemvWorkLen is the floats of work a GEMV with k steps and n columns
// needs: x gathered when op(A) is not contiguous, the last, partial panel of
// a B read in place, packed, and the kernel's results for every panel, with
// a padded copy of the bias for the partial one.
func gemvWorkLen(n, k int) int {
	nr := kern.nr
	return align(k) + align(k*nr) + align(ceilDiv(n, nr)*nr) + align(nr)
}

// negInf and posInf are the bounds of a clip that changes nothing.
var negInf, posInf = float32(math.Inf(-1)), float32(math.Inf(1))

// gemvJob is one matrix-vector product cut into panels of nr columns of
// C, which tasks compute in any grouping.
type gemvJob struct {
	k, n        int
	x           []float32 // op(A)'s row, contiguous
	b           []float32 // B's panels: packed, or B itself
	ldb, pstr   int       // from a step of a panel to the next, and from a panel to the next
	tail        []float32 // the last, partial panel, when b is B itself
	full        int       // panels inside C's N columns
	c           []float32
	res         []float32 // the kernel's results, a slot of nr floats per panel
	bias        []float32 // the column bias, applied by the kernel (fused only)
	biasTail    []float32 // bias padded to the last, partial panel
	lo, hi      float32
	fused       bool // the kernel writes C and applies the epilogue itself
	alpha, beta float32
	ep          Epilogue
}

// runGemv computes p (see gemvOK) on par through r, or serially when par
// is nil (r may then be nil too).
func (p *Product) runGemv(par Parallel, r *Runner, work []float32) {
	nr := kern.nr
	j := gemvJob{k: p.K, n: p.N, c: p.C[:p.N], alpha: p.Alpha, beta: p.Beta, ep: p.Ep,
		lo: negInf, hi: posInf, full: p.N / nr}
	xw, work := work[:align(p.K)], work[align(p.K):]
	tw, work := work[:align(p.K*nr)], work[align(p.K*nr):]
	j.res, work = work[:ceilDiv(p.N, nr)*nr], work[align(ceilDiv(p.N, nr)*nr):]
	j.biasTail = work[:nr]
	j.x = p.row0(xw[:p.K])
	switch {
	case p.K == 0:
		// Every panel's sums are empty: nothing of B is read.
		j.ldb = nr
	case p.PB.Valid():
		j.b, j.ldb, j.pstr = p.PB.p.data, nr, nr*p.K
	default:
		j.b, j.ldb, j.pstr = p.B.Data, p.B.Ld, nr
		if rem := p.N % nr; rem != 0 {
			j.tail = tw[:p.K*nr]
			for q := range p.K {
				d := j.tail[q*nr : (q+1)*nr]
				copy(d, p.B.Data[q*p.B.Ld+p.N-rem:][:rem])
				clear(d[rem:])
			}
		}
	}
	j.fused = p.Alpha == 1 && p.Beta == 0 && p.Ep.RowBias == nil && p.Ep.Add == nil
	if j.fused {
		j.bias = p.Ep.ColBias
		if p.Ep.Clamp {
			j.lo, j.hi = p.Ep.Lo, p.Ep.Hi
		}
		if j.bias != nil && j.full*nr < p.N {
			clear(j.biasTail)
			copy(j.biasTail, j.bias[j.full*nr:p.N])
		}
	}
	panels := ceilDiv(p.N, nr)
	if par == nil || 2*p.K*p.N < serialFlops {
		j.panels(0, panels)
		return
	}
	grain := ceilDiv(serialFlops/2, max(1, p.K*nr))
	r.gemv = j
	if r.gemvFn == nil {
		r.gemvFn = r.gemv.panels
	}
	par.For(panels, grain, r.gemvFn)
}

// row0 returns op(A)'s row 0 (p has M = 1), gathered into x unless it is
// contiguous.
func (p *Product) row0(x []float32) []float32 {
	switch {
	case p.PA.Valid():
		for q := range x {
			x[q] = p.PA.p.data[q*kern.mr]
		}
	case p.A.Trans && p.A.Ld != 1:
		for q := range x {
			x[q] = p.A.Data[q*p.A.Ld]
		}
	default:
		return p.A.Data[:len(x)]
	}
	return x
}

// panels computes panels [lo, hi) of C.
func (j *gemvJob) panels(lo, hi int) {
	nr, gemv := kern.nr, kern.gemv
	full := min(hi, j.full)
	out := j.res
	if j.fused {
		out = j.c
	}
	if lo < full {
		var bias []float32
		if j.bias != nil {
			bias = j.bias[lo*nr:]
		}
		gemv(j.k, full-lo, j.x, j.b[lo*j.pstr:], j.ldb, j.pstr, out[lo*nr:], bias, j.lo, j.hi)
	}
	if hi > j.full {
		// The last, partial panel: computed into its slot of res.
		b, ldb := j.b[j.full*j.pstr:], j.ldb
		if j.tail != nil {
			b, ldb = j.tail, nr
		}
		var bias []float32
		if j.bias != nil {
			bias = j.biasTail
		}
		gemv(j.k, 1, j.x, b, ldb, j.pstr, j.res[j.full*nr:], bias, j.lo, j.hi)
		if j.fused {
			copy(j.c[j.full*nr:], j.res[j.full*nr:j.n])
		}
	}
	c0, c1 := lo*nr, min(hi*nr, j.n)
	if j.fused {
		if j.ep.Act != nil {
			j.ep.Act(j.c[c0:c1])
		}
		return
	}
	c, res := j.c[c0:c1], j.res[c0:c1]
	for x, v := range res {
		v *= j.alpha
		if j.beta != 0 {
			v += j.beta * c[x]
		}
		c[x] = v
	}
	j.ep.Apply(j.c, j.n, 0, 1, c0, c1)
}

// checkGemv panics unless the slices given a GEMV kernel of width nr hold
// what it reads and writes.
func checkGemv(nr, k, panels int, x, b []float32, ldb, pstride int, y, bias []float32) {
	if panels == 0 {
		return
	}
	if k < 0 || panels < 0 || pstride < 0 || ldb < 0 || len(x) < k || len(y) < panels*nr ||
		bias != nil && len(bias) < panels*nr ||
		k > 0 && len(b) < (panels-1)*pstride+(k-1)*ldb+nr {
		panic(fmt.Sprintf("gemm: GEMV of %d panels of %d columns given %d x, %d B (strides %d, %d), %d y and %d bias floats for k=%d",
			panels, nr, len(x), len(b), ldb, pstride, len(y), len(bias), k))
	}
}

// gemvGo returns the pure-Go GEMV form for panels nr columns wide (nr
// even): each pair of columns of a panel in turn, with four sums per
// column (steps p mod 4), so that the compiler keeps eight accumulators
// in registers.
func gemvGo(nr int) gemvFunc {
	return func(k, panels int, x, b []float32, ldb, pstride int, y, bias []float32, lo, hi float32) {
		checkGemv(nr, k, panels, x, b, ldb, pstride, y, bias)
		x = x[:k]
		for i := range panels {
			var bp []float32
			if k > 0 {
				bp = b[i*pstride:]
			}
			for c := 0; c < nr; c += 2 {
				var s00, s01, s10, s11, s20, s21, s30, s31 float32 // s<step mod 4><column>
				q := 0
				for ; q+4 <= len(x); q += 4 {
					w0 := bp[q*ldb+c:][:2]
					w1 := bp[(q+1)*ldb+c:][:2]
					w2 := bp[(q+2)*ldb+c:][:2]
					w3 := bp[(q+3)*ldb+c:][:2]
					x0, x1, x2, x3 := x[q], x[q+1], x[q+2], x[q+3]
					s00 += x0 * w0[0]
					s01 += x0 * w0[1]
					s10 += x1 * w1[0]
					s11 += x1 * w1[1]
					s20 += x2 * w2[0]
					s21 += x2 * w2[1]
					s30 += x3 * w3[0]
					s31 += x3 * w3[1]
				}
				for ; q < len(x); q++ {
					w := bp[q*ldb+c:][:2]
					s00 += x[q] * w[0]
					s01 += x[q] * w[1]
				}
				v0, v1 := (s00+s10)+(s20+s30), (s01+s11)+(s21+s31)
				if bias != nil {
					v0 += bias[i*nr+c]
					v1 += bias[i*nr+c+1]
				}
				y[i*nr+c], y[i*nr+c+1] = min(max(v0, lo), hi), min(max(v1, lo), hi)
			}
		}
	}
}
