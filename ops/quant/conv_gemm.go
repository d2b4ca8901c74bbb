package quant

import (
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/qgemm"
)

// convGemm is a bound convolution on the products of convLayout: per run
// and image, the input copy is filled (phase rows in parallel), the
// column sums computed when a weight zero point needs them, then every
// group's tiles run in one parallel loop.
type convGemm struct {
	r        *convRun
	l        *convLayout
	prods    []qgemm.Product // one per group
	colSums  []int32         // each group's, l.colSums() apart
	xv       []byte          // the current image's input
	flip     byte            // makes x's values the columns' signedness
	fillBody func(lo, hi int)
	sumBody  func(lo, hi int)
	tileBody func(lo, hi int)
}

// bindGemm makes the products and loops of the product path.
func (r *convRun) bindGemm() error {
	l, k := r.l, r.wts.k
	d := &l.d
	g := &convGemm{r: r, l: l, flip: k.Flip(r.x.Type == onnx.Int8, true)}
	xqLen := l.group * l.c4 * l.cqStride
	g.colSums = ops.View[int32](r.xq[xqLen:])
	es := ops.ElemSize(r.out.Type)
	alen := k.RowsLen(d.mg, l.kq)
	g.prods = make([]qgemm.Product, l.group)
	for gi := range g.prods {
		p := &g.prods[gi]
		*p = qgemm.Product{M: d.mg, N: l.n, KQ: l.kq, A: r.wts.data[gi*alen : (gi+1)*alen],
			B: r.xq[gi*l.c4*l.cqStride : xqLen], Offs: l.offs, PanelStep: k.NR * 4,
			Hp: l.ph[1], Wp: l.ph[2], H: d.g.Out[1], W: d.g.Out[2], Ldc: d.p * es, Kernel: k}
		g.groupEpilogue(gi)
		if d.n > 0 && d.mg > 0 && d.p > 0 {
			p.Out = r.out.Data[gi*d.mg*d.p*es : d.m*d.p*es]
			if err := p.Check(); err != nil {
				return err
			}
		}
	}
	g.fillBody = g.fill
	g.sumBody = g.sums
	g.tileBody = func(lo, hi int) {
		tpg := g.prods[0].Tiles()
		for lo < hi {
			gi := lo / tpg
			end := min(hi, (gi+1)*tpg)
			g.prods[gi].Run(lo-gi*tpg, end-gi*tpg)
			lo = end
		}
	}
	r.gemm = g
	return nil
}

// groupEpilogue points group gi's product at its rows of the run's
// epilogue and its column sums.
func (g *convGemm) groupEpilogue(gi int) {
	r, l := g.r, g.l
	e := r.ep
	rows := gi * l.mgPad
	e.RowOff = e.RowOff[rows : rows+l.mgPad]
	if e.Scale != nil {
		e.Scale = e.Scale[rows : rows+l.mgPad]
	}
	if e.RowMul != nil {
		e.RowMul = e.RowMul[rows : rows+l.mgPad]
		e.ColMul = g.colSums[gi*l.colSums() : (gi+1)*l.colSums()]
	}
	g.prods[gi].Ep = e
}

// run computes image r.img into y.
func (g *convGemm) run(y []byte) {
	r, l := g.r, g.l
	d := &l.d
	if d.mg == 0 || d.p == 0 {
		return
	}
	es := ops.ElemSize(r.out.Type)
	for gi := range g.prods {
		g.groupEpilogue(gi)
		g.prods[gi].Out = y[gi*d.mg*d.p*es:]
	}
	g.xv = r.x.Data[r.img*d.c*d.plane : (r.img+1)*d.c*d.plane]
	slabs := l.group * l.c4 * l.nPhases() * l.ph[0]
	r.par.For(slabs, max(1, qGrain/max(1, 4*l.ph[1]*l.ph[2])), g.fillBody)
	if r.ep.RowMul != nil {
		r.par.For(l.group*l.k.ColPanels(l.n), max(1, qGrain/max(1, l.k.NR*4*l.kq)), g.sumBody)
	}
	r.par.For(l.group*g.prods[0].Tiles(), max(1, qGrain/max(1, g.prods[0].TileMACs())), g.tileBody)
}

// fill writes slabs [lo, hi) of the input copy, a slab being the Hph
// rows of one depth of one phase of one quad (every group's quads in
// turn): each of the Wph quads of a row holds four channels of one padded
// input position, the zero point's quad in the padding, and the plane's
// tail quads (see convLayout) too. Rows that are whole consecutive input
// rows (unit strides, no padding across) are interleaved in one call, and
// so are padded rows (Interleave4Rows), after one fill of their padding
// with them: a call a row cost ResNet-18 about 4 M instructions an
// inference on the Cortex-A76.
func (g *convGemm) fill(lo, hi int) {
	l, r := g.l, g.r
	d := &l.d
	gm := &d.g
	zq := uint32(byte(r.zx)) * 0x01010101 // the zero point in the columns' signedness
	wph, hph := l.ph[2], l.ph[1]
	merge := gm.Strides[1] == 1 && gm.Strides[2] == 1 && gm.Pad[2] == 0 && gm.PadEnd[2] == 0
	for u := lo; u < hi; u++ {
		q, rest := u/(l.nPhases()*l.ph[0]), u%(l.nPhases()*l.ph[0])
		phase, zi := rest/l.ph[0], rest%l.ph[0]
		pa, pb, pc := phase/(l.phases[1]*l.phases[2]), phase/l.phases[2]%l.phases[1], phase%l.phases[2]
		slab := r.xq[q*l.cqStride+(phase*l.planeQ+zi*hph*wph)*4:][:hph*wph*4]
		if l.tail > 0 { // one depth: zi is 0
			qgemm.Fill4(r.xq[q*l.cqStride+(phase*l.planeQ+hph*wph)*4:][:l.tail*4], zq)
		}
		iz := zi*gm.Strides[0] + pa - gm.Pad[0]
		if uint(iz) >= uint(gm.In[0]) {
			qgemm.Fill4(slab, zq)
			continue
		}
		y0, y1 := ops.ValidRun(pb-gm.Pad[1], gm.Strides[1], gm.In[1], hph)
		qgemm.Fill4(slab[:y0*wph*4], zq)
		qgemm.Fill4(slab[y1*wph*4:], zq)
		iy0 := y0*gm.Strides[1] + pb - gm.Pad[1]
		src := g.channels(q, iz, iy0)
		if merge {
			n := (y1 - y0) * gm.In[2]
			qgemm.Interleave4(slab[y0*wph*4:], src[0], src[1], src[2], src[3], n, 1, g.flip)
			continue
		}
		x0, x1 := ops.ValidRun(pc-gm.Pad[2], gm.Strides[2], gm.In[2], wph)
		ix := x0*gm.Strides[2] + pc - gm.Pad[2]
		if x0 > 0 || x1 < wph { // the rows' padding, filled with them
			qgemm.Fill4(slab[y0*wph*4:y1*wph*4], zq)
		}
		if x1 > x0 && y1 > y0 {
			qgemm.Interleave4Rows(slab[(y0*wph+x0)*4:], src[0][ix:], src[1][ix:], src[2][ix:], src[3][ix:],
				x1-x0, gm.Strides[2], g.flip, y1-y0, gm.Strides[1]*gm.In[2], wph*4)
		}
	}
}

// channels is the input of quad q's four channels (its first repeated
// for the padding channels of a last quad: any values do, their weights
// being 0) from depth iz, row iy on.
func (g *convGemm) channels(q, iz, iy int) [4][]byte {
	l := g.l
	d := &l.d
	gm := &d.g
	gi, cq := q/l.c4, q%l.c4
	var src [4][]byte
	for t := range src {
		ch := cq*4 + t
		if ch >= d.cg {
			ch = cq * 4
		}
		plane := g.xv[(gi*d.cg+ch)*d.plane : (gi*d.cg+ch+1)*d.plane]
		src[t] = plane[(iz*gm.In[1]+iy)*gm.In[2]:]
	}
	return src
}

// sums computes the column sums of column panels [lo, hi), numbered
// group by group: for each grid column, the sum of its values over every
// real (not padding) channel of every k step.
func (g *convGemm) sums(lo, hi int) {
	l, r := g.l, g.r
	k, d := l.k, &l.d
	cp := k.ColPanels(l.n)
	signed := k.ColsSigned
	for u := lo; u < hi; u++ {
		gi, q := u/cp, u%cp
		xq := r.xq[gi*l.c4*l.cqStride:]
		sums := g.colSums[gi*l.colSums():]
		for j := q * k.NR; j < (q+1)*k.NR; j++ {
			s := int32(0)
			for step, off := range l.offs {
				col := xq[int(off)+4*j:][:4]
				real := min(4, d.cg-step%l.c4*4)
				for t := range real {
					if signed {
						s += int32(int8(col[t]))
					} else {
						s += int32(col[t])
					}
				}
			}
			sums[j] = s
		}
	}
}
