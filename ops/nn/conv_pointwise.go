package nn

import (
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
	"github.com/edgeinfer/edgeinfer/ops/internal/vec"
)

// A pointwise convolution (a 1x1 window without padding) is, for each
// group, one GEMM of the group's weights (M/group x C/group) and its
// input channels (C/group x output positions). With unit strides (direct)
// X itself is the right operand, read in place through its rows' offsets
// where the kernel can (gemm.IndirectB) and packed by the GEMM otherwise;
// with larger strides the positions the window reads are gathered once
// and, the same way, read in place or packed (where the kernel cannot
// read in place, a strided window goes through the im2col path). The
// epilogue is the GEMM's.

// pointwiseWorkLen is the floats of scratch a pointwise convolution needs:
// the GEMM's work, the offsets of B's rows and the gathered positions.
func (d *convDims) pointwiseWorkLen(packedW bool) int {
	n := gemm.WorkLen(d.mg, d.p, d.k, packedW, false)
	if d.inPlace() {
		n = align16(d.k) + gemm.IndirectWorkLen(d.mg, d.p, d.k, packedW)
	}
	if d.gathered() {
		n += align16(d.cg * d.p)
	}
	return n
}

// execPointwise computes a pointwise convolution group by group.
func (s *convStep) execPointwise(gc groupCtx, x, w, bias, res, y []float32, lo, hi int) {
	work := gc.work
	c, d := s.c, &s.d
	inPlane, p := d.g.InSize(), d.p
	// X's rows (or those of its gathered positions, xs), read in place as
	// B (see gemm.IndirectB).
	var rows []int32
	var xs []float32
	if d.gathered() {
		xs, work = work[:d.cg*p], work[align16(d.cg*p):]
	}
	if d.inPlace() {
		rows, work = int32s(work[:d.k]), work[align16(d.k):]
		for r := range rows {
			rows[r] = int32(r * p)
		}
	}
	for q := lo; q < hi; q++ {
		n, g := q/c.group, q%c.group
		xg := x[(n*d.c+g*d.cg)*inPlane:][:d.cg*inPlane]
		if xs != nil {
			d.gatherStrided(xs, xg)
			xg = xs
		}
		yOff := (n*d.m + g*d.mg) * p
		prod := s.groupProduct(g, w, p)
		prod.Ep = s.epilogue(g, bias, res, yOff, p)
		prod.N, prod.C = p, y[yOff:]
		if rows != nil {
			prod.IB = gemm.IndirectB{Data: xg, Offs: rows}
		} else {
			prod.B = gemm.Matrix{Data: xg, Ld: p}
		}
		gc.product(&prod, work)
	}
}

// gatherStrided copies the input positions a strided pointwise window
// reads, for each of x's channels, to dst (channels x output positions).
func (d *convDims) gatherStrided(dst, x []float32) {
	g := &d.g
	at := 0
	for ch := range len(x) / g.InSize() {
		for od := range g.Out[0] {
			for oh := range g.Out[1] {
				row := x[ch*g.InSize()+(od*g.Strides[0]*g.In[1]+oh*g.Strides[1])*g.In[2]:]
				vec.Gather(dst[at:at+g.Out[2]], row, g.Strides[2])
				at += g.Out[2]
			}
		}
	}
}
