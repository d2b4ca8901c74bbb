package attention

import (
	"math"
	"sync/atomic"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/dense"
	"github.com/edgeinfer/edgeinfer/ops/internal/fmath"
)

// This file holds the scaled dot-product kernels Attention and
// FlexAttention share: where each head's rows are in 3-D and 4-D
// tensors, the Q·Kᵀ and P·V products of one head over a block of query
// rows (with the keys and values split between a past cache and the new
// ones, so that neither is concatenated first), and the softmax of a row.

// heads says where the rows of each head are in a tensor holding n heads
// of rows x width values: 4-D (batch, n, rows, width), or 3-D (batch,
// rows, n*width) when packed.
type heads struct {
	n, rows, width int
	packed         bool
}

// at is the offset of row 0 of head h of batch entry b.
func (hd heads) at(b, h int) int {
	if hd.packed {
		return b*hd.rows*hd.n*hd.width + h*hd.width
	}
	return (b*hd.n + h) * hd.rows * hd.width
}

// ld is the distance between two rows of a head.
func (hd heads) ld() int {
	if hd.packed {
		return hd.n * hd.width
	}
	return hd.width
}

// copyHeads copies every head of src (layout from) into dst (layout to),
// whose heads have at least as many rows, starting at row r0.
func copyHeads[T dense.Float](dst []T, to heads, src []T, from heads, batch, r0 int) {
	for b := range batch {
		for h := range from.n {
			d, s := to.at(b, h)+r0*to.ld(), from.at(b, h)
			for range from.rows {
				copy(dst[d:d+from.width], src[s:s+from.width])
				d, s = d+to.ld(), s+from.ld()
			}
		}
	}
}

// sdpa is the data of one scaled dot-product attention: queries, keys and
// values (with an optional past cache of keys and values before the new
// ones) and the output, with their layouts.
type sdpa[T dense.Float] struct {
	q, k, v, pk, pv, y       []T
	qh, kh, vh, pkh, pvh, yh heads
	group                    int // query heads per key/value head
	scale                    T
}

// past is the number of cached keys before the new ones.
func (a *sdpa[T]) past() int { return a.pkh.rows }

// total is the number of keys.
func (a *sdpa[T]) total() int { return a.pkh.rows + a.kh.rows }

// scores sets rows [i0, i1) of s (stride lds) to scale*Q·Kᵀ for query
// head hq of batch entry b over key columns [0, n).
func (a *sdpa[T]) scores(b, hq, i0, i1, n int, s []T, lds int, work []float32) {
	hk := hq / a.group
	p := dense.Product[T]{
		M: i1 - i0, K: a.qh.width, Alpha: a.scale,
		A: dense.Matrix[T]{Data: a.q[a.qh.at(b, hq)+i0*a.qh.ld():], Ld: a.qh.ld()},
		C: s, LdC: lds,
	}
	np := min(n, a.past())
	if np > 0 {
		p.N = np
		p.B = dense.Matrix[T]{Data: a.pk[a.pkh.at(b, hk):], Ld: a.pkh.ld(), Trans: true}
		dense.Run(nil, nil, &p, work)
	}
	if n > np {
		p.N, p.C = n-np, s[np:]
		p.B = dense.Matrix[T]{Data: a.k[a.kh.at(b, hk):], Ld: a.kh.ld(), Trans: true}
		dense.Run(nil, nil, &p, work)
	}
}

// values sets rows [i0, i1) of Y for query head hq of batch entry b to
// P·V, P being rows of s (stride lds) over key columns [0, n).
func (a *sdpa[T]) values(b, hq, i0, i1, n int, s []T, lds int, work []float32) {
	hk := hq / a.group
	p := dense.Product[T]{
		M: i1 - i0, N: a.vh.width, Alpha: 1,
		A: dense.Matrix[T]{Data: s, Ld: lds},
		C: a.y[a.yh.at(b, hq)+i0*a.yh.ld():], LdC: a.yh.ld(),
	}
	if n == 0 { // no key: zero rows
		for i := range p.M {
			clear(p.C[i*p.LdC : i*p.LdC+p.N])
		}
		return
	}
	np := min(n, a.past())
	if np > 0 {
		p.K = np
		p.B = dense.Matrix[T]{Data: a.pv[a.pvh.at(b, hk):], Ld: a.pvh.ld()}
		dense.Run(nil, nil, &p, work)
		p.Beta = 1
	}
	if n > np {
		p.K, p.A.Data = n-np, s[np:]
		p.B = dense.Matrix[T]{Data: a.v[a.vh.at(b, hk):], Ld: a.vh.ld()}
		dense.Run(nil, nil, &p, work)
	}
}

// workLen is the GEMM work one block of rows rows needs.
func (a *sdpa[T]) workLen(rows int) int {
	n := a.total()
	return max(dense.WorkLen[T](rows, n, a.qh.width, false), dense.WorkLen[T](rows, a.vh.width, n, false))
}

// softmax normalizes row in place, giving a zero row when no element is
// above -inf (every key masked) rather than NaN. The sum is kept in four
// float64 accumulators, so long rows lose nothing to rounding.
func softmax[T dense.Float](row []T) {
	if len(row) == 0 {
		return
	}
	m := row[0]
	for _, v := range row[1:] {
		if v > m {
			m = v
		}
	}
	if math.IsInf(float64(m), -1) {
		clear(row)
		return
	}
	for i, v := range row {
		row[i] = v - m
	}
	fmath.Exp(row, row)
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(row); i += 4 {
		s0 += float64(row[i])
		s1 += float64(row[i+1])
		s2 += float64(row[i+2])
		s3 += float64(row[i+3])
	}
	for ; i < len(row); i++ {
		s0 += float64(row[i])
	}
	inv := T(1 / (s0 + s1 + s2 + s3))
	for i, v := range row {
		row[i] = v * inv
	}
}

// workers runs a loop over independent items with one scratch buffer
// per worker, each worker taking the next item as it finishes one, so
// that uneven items (causal blocks) balance. An item is computed the same
// whichever worker takes it, so results do not depend on the thread
// count. The loop body is made once: a run allocates nothing.
type workers[B any] struct {
	par  ops.Parallel
	bufs []B
	n    int
	next atomic.Int64
	do   func(item int, buf *B)
	body func(lo, hi int)
}

// newWorkers makes, with mk, buffers for as many workers as par has
// threads (at most items, at least one), and the loop body.
func newWorkers[B any](par ops.Parallel, items int, mk func() B, do func(item int, buf *B)) *workers[B] {
	w := &workers[B]{par: par, n: items, do: do}
	for range max(1, min(par.Threads(), items)) {
		w.bufs = append(w.bufs, mk())
	}
	w.body = func(lo, hi int) {
		for i := lo; i < hi; i++ {
			for it := int(w.next.Add(1)) - 1; it < w.n; it = int(w.next.Add(1)) - 1 {
				w.do(it, &w.bufs[i])
			}
		}
	}
	return w
}

// run computes every item.
func (w *workers[B]) run() {
	w.next.Store(0)
	if len(w.bufs) == 1 {
		w.body(0, 1)
	} else {
		w.par.For(len(w.bufs), 1, w.body)
	}
}

// blockWork is a worker's scratch for blocks of query rows: their scores
// and the GEMM's packing space.
type blockWork[T dense.Float] struct {
	s    []T
	work []float32
}
