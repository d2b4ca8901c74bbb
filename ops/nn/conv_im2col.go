package nn

import (
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
	"github.com/edgeinfer/edgeinfer/ops/internal/vec"
)

// The im2col convolutions compute, for each group, the GEMM of the
// group's weights (M/group x C/group*taps) and the im2col matrix of its
// input channels (a row per input channel and kernel tap, a column per
// output position). Generally the im2col matrix is packed for the GEMM a
// tile of output positions at a time (bounding its buffer), the epilogue
// applied as each tile of the output is stored. A 2-D window with unit
// strides (or at least 2 taps per stride phase) is computed on the padded
// path instead (see convDims.padded): its im2col rows are contiguous runs
// of a padded copy of the input split by stride phase, read in place by
// the kernel where it can (an implicit im2col, gemm.IndirectB) and packed
// otherwise; the product is computed at the padded width, and its valid
// columns are copied out with the epilogue.

// im2colWorkLen is the floats of scratch the packed im2col path needs: an
// im2col tile packed for the GEMM and the GEMM's own work.
func (d *convDims) im2colWorkLen(packedW bool) int {
	return gemm.PackedBLen(d.k, d.tile) + gemm.WorkLen(d.mg, d.tile, d.k, packedW, true)
}

// paddedWorkLen is the floats of scratch the padded path needs: the
// GEMM's work (and the im2col tile it packs unless indirect), the taps'
// offsets, the padded input and the product at the padded width.
func (d *convDims) paddedWorkLen(packedW bool) int {
	n := align16(d.k) + align16(d.paddedLen()) + d.mg*d.tile
	if d.indirect {
		return n + d.indirectWorkLen(packedW)
	}
	return n + d.im2colWorkLen(packedW)
}

// indirectWorkLen is the GEMM work of the padded path's tiles read in
// place: the last tile's partial panel of columns, which the GEMM packs,
// may be wider than the others'.
func (d *convDims) indirectWorkLen(packedW bool) int {
	last := d.pq - (d.pq-1)/d.tile*d.tile
	return max(gemm.IndirectWorkLen(d.mg, d.tile, d.k, packedW), gemm.IndirectWorkLen(d.mg, last, d.k, packedW))
}

// execIm2col computes a convolution group by group, a packed tile of the
// im2col matrix at a time.
func (s *convStep) execIm2col(gc groupCtx, x, w, bias, res, y []float32, lo, hi int) {
	par, work := gc.par, gc.work
	c, d := s.c, &s.d
	inPlane, p := d.g.InSize(), d.p
	gw := work[gemm.PackedBLen(d.k, d.tile):]
	for q := lo; q < hi; q++ {
		n, g := q/c.group, q%c.group
		xg := x[(n*d.c+g*d.cg)*inPlane:][:d.cg*inPlane]
		yOff := (n*d.m + g*d.mg) * p
		prod := s.groupProduct(g, w, p)
		for q0 := 0; q0 < p; q0 += d.tile {
			nq := min(d.tile, p-q0)
			prod.N, prod.C = nq, y[yOff+q0:]
			prod.Ep = s.epilogue(g, bias, res, yOff+q0, p)
			var pb gemm.PackedB
			pb.Init(work[:gemm.PackedBLen(d.k, nq)], d.k, nq)
			runLoop(par, &s.im2col, &s.im2colJ, im2colJob{g: d.g, x: xg, pb: pb, q0: q0}, d.k, max(1, 4096/nq))
			prod.PB = pb
			gc.product(&prod, gw)
		}
	}
}

// execPadded computes a 2-D convolution on the padded path group by
// group: the group's input is copied with its padding, split by stride
// phase, and the product is computed at the padded width a tile of whole
// output rows at a time into a buffer, whose valid columns are copied to
// Y with the residual and activation while the tile is in cache (the
// bias and a clip alone are the product's epilogue).
// Its B, im2col of the padded input, has rows that are contiguous runs of
// it: read in place through the taps' offsets when the kernel can
// (indirect), else packed a tile at a time.
func (s *convStep) execPadded(gc groupCtx, x, w, bias, res, y []float32, lo, hi int) {
	par, work := gc.par, gc.work
	c, d := s.c, &s.d
	var gw, rest []float32
	if d.indirect {
		gw = work[:d.indirectWorkLen(c.packed != nil)]
		rest = work[len(gw):]
	} else {
		gw = work[gemm.PackedBLen(d.k, d.tile):]
		rest = gw[gemm.WorkLen(d.mg, d.tile, d.k, c.packed != nil, true):]
	}
	taps, rest := int32s(rest[:d.k]), rest[align16(d.k):]
	xp, tmp := rest[:d.paddedLen()], rest[align16(d.paddedLen()):][:d.mg*d.tile]
	d.tapOffsets(taps)
	inPlane, p := d.g.InSize(), d.p
	for q := lo; q < hi; q++ {
		n, g := q/c.group, q%c.group
		s.padInput(par, xp, x[(n*d.c+g*d.cg)*inPlane:][:d.cg*inPlane])
		prod := s.groupProduct(g, w, d.tile)
		yOff := (n*d.m + g*d.mg) * p
		ep := s.epilogue(g, bias, res, yOff, p)
		if ep.Add == nil && ep.Act == nil {
			// A bias and a clip alone go to the product's tiles (in the
			// kernel's registers) instead of a pass over the copied
			// rows; the discarded columns get them too.
			prod.Ep, ep = ep, gemm.Epilogue{}
		}
		for q0 := 0; q0 < d.pq; q0 += d.tile {
			nq := min(d.tile, d.pq-q0)
			prod.N, prod.C = nq, tmp
			if d.indirect {
				prod.IB = gemm.IndirectB{Data: xp[q0:], Offs: taps}
			} else {
				var pb gemm.PackedB
				pb.Init(work[:gemm.PackedBLen(d.k, nq)], d.k, nq)
				runLoop(par, &s.im2col, &s.im2colJ, im2colJob{g: d.g, x: xp, pb: pb, q0: q0, taps: taps}, d.k, max(1, 4096/nq))
				prod.PB = pb
			}
			gc.product(&prod, gw)
			job := paddedOutJob{d: d, tmp: tmp, ld: d.tile, y: y[yOff : yOff+d.mg*p], ep: ep, r0: q0 / d.wp, r1: (q0 + nq) / d.wp}
			runLoop(par, &s.output, &s.outputJ, job, d.mg, max(1, 8192/(nq/d.wp*d.g.Out[2])))
		}
	}
}

// paddedOutJob copies the valid columns of output rows [r0, r1), computed
// at the padded width into tmp (ld floats per channel), to a group's
// output y, and applies the epilogue to each channel's rows while they
// are in cache.
type paddedOutJob struct {
	d      *convDims
	tmp    []float32
	ld     int
	y      []float32
	ep     gemm.Epilogue
	r0, r1 int
}

func (j paddedOutJob) Run(lo, hi int) {
	d, p, ow := j.d, j.d.p, j.d.g.Out[2]
	for m := lo; m < hi; m++ {
		for oh := j.r0; oh < j.r1; oh++ {
			copy(j.y[m*p+oh*ow:][:ow], j.tmp[m*j.ld+(oh-j.r0)*d.wp:][:ow])
		}
		j.ep.Apply(j.y, p, m, m+1, j.r0*ow, j.r1*ow)
	}
}

// tapOffsets sets taps[r], the offset of tap r (input channel, kernel
// position) in the padded input (see convDims.padded): element (r, q) of
// im2col(X) is at taps[r] + q at the padded width.
func (d *convDims) tapOffsets(taps []int32) {
	g := &d.g
	n, kw := g.Taps(), g.Kernel[2]
	sh, sw, plane := g.Strides[1], g.Strides[2], d.phasePlanes()*d.hp*d.wp
	for r := range taps {
		ch, t := r/n, r%n
		y, x := t/kw*g.Dilations[1], t%kw*g.Dilations[2]
		taps[r] = int32(ch*plane + ((y%sh*sw+x%sw)*d.hp+y/sh)*d.wp + x/sw)
	}
}

// padInput copies a group's channels x (In[1] x In[2] each) into xp with
// the window's padding as zeros, split by stride phase (see
// convDims.padded), and zeros the tail that the last row's discarded
// columns read.
func (s *convStep) padInput(par ops.Parallel, xp, x []float32) {
	d := &s.d
	runLoop(par, &s.pad, &s.padJ, padJob{*d, xp, x}, d.cg, max(1, 16384/max(1, d.g.InSize())))
	clear(xp[d.cg*d.phasePlanes()*d.hp*d.wp:])
}

// padJob copies channels of a group's input into its padded copy (see
// convStep.padInput).
type padJob struct {
	d     convDims
	xp, x []float32
}

func (j padJob) Run(lo, hi int) {
	d, xp, x := &j.d, j.xp, j.x
	g := &d.g
	h, w, top, left := g.In[1], g.In[2], g.Pad[1], g.Pad[2]
	sh, sw, ph := g.Strides[1], g.Strides[2], d.hp*d.wp
	for ch := lo; ch < hi; ch++ {
		src := x[ch*h*w:][:h*w]
		for a := range sh {
			for b := range sw {
				dst := xp[((ch*sh+a)*sw+b)*ph:][:ph]
				lo, hi := ops.ValidRun(b-left, sw, w, d.wp)
				for r := range d.hp {
					row := dst[r*d.wp:][:d.wp]
					iy := r*sh + a - top
					if iy < 0 || iy >= h {
						clear(row)
						continue
					}
					in := src[iy*w:][:w]
					clear(row[:lo])
					if sw == 1 {
						copy(row[lo:hi], in[lo+b-left:])
					} else if hi > lo {
						vec.Gather(row[lo:hi], in[lo*sw+b-left:], sw)
					}
					clear(row[hi:])
				}
			}
		}
	}
}

// im2colJob fills the rows of an im2col tile, packed for the GEMM: one row
// per input channel and kernel tap, one column per output position from q0.
// With taps set, x is a padded input (see convDims.padded) and row r is
// the contiguous run of it from taps[r]+q0.
type im2colJob struct {
	g    ops.Window3
	x    []float32
	pb   gemm.PackedB
	q0   int
	taps []int32
}

// Its range is over rows of the tile.
func (j im2colJob) Run(lo, hi int) {
	_, nq := j.pb.Dims()
	if j.taps != nil {
		for r := lo; r < hi; r++ {
			off := int(j.taps[r]) + j.q0
			j.pb.SetRow(r, 0, j.x[off:off+nq], 1, nq)
		}
		return
	}
	for r := lo; r < hi; r++ {
		im2colRow(&j.g, j.x, r, j.q0, nq, &j.pb)
	}
}

// im2colRow writes row r of the im2col matrix for nq output positions
// starting at q0 into pb: for each position the input value its window
// reads at tap r, 0 in padding.
func im2colRow(g *ops.Window3, x []float32, r, q0, nq int, pb *gemm.PackedB) {
	taps := g.Taps()
	ch, t := r/taps, r%taps
	kw, kh, kd := t%g.Kernel[2], t/g.Kernel[2]%g.Kernel[1], t/(g.Kernel[2]*g.Kernel[1])
	plane := x[ch*g.InSize() : (ch+1)*g.InSize()]
	ow0, oh0 := g.Out[2], g.Out[1]
	// Input offsets of output position 0 for this tap, per axis.
	d0 := kd*g.Dilations[0] - g.Pad[0]
	h0 := kh*g.Dilations[1] - g.Pad[1]
	w0 := kw*g.Dilations[2] - g.Pad[2]
	sw := g.Strides[2]
	ow, oh, od := q0%ow0, q0/ow0%oh0, q0/(ow0*oh0)
	for i := 0; i < nq; {
		run := min(ow0-ow, nq-i)
		id, ih, iw := od*g.Strides[0]+d0, oh*g.Strides[1]+h0, ow*sw+w0
		seg := i
		i, ow = i+run, 0
		if oh++; oh == oh0 {
			oh, od = 0, od+1
		}
		if id < 0 || id >= g.In[0] || ih < 0 || ih >= g.In[1] {
			pb.ClearRow(r, seg, run)
			continue
		}
		src := plane[(id*g.In[1]+ih)*g.In[2]:][:g.In[2]]
		lo, hi := ops.ValidRun(iw, sw, g.In[2], run)
		pb.ClearRow(r, seg, lo)
		if hi > lo {
			pb.SetRow(r, seg+lo, src[iw+lo*sw:], sw, hi-lo)
		}
		pb.ClearRow(r, seg+hi, run-hi)
	}
}
