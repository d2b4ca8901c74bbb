package qgemm

import (
	"bytes"
	"fmt"
)

// Product is one product C = A·B on the current kernel, stored through an
// epilogue, tile by tile.
//
// A is packed (PackRows): M rows over KQ steps. Column j of B at step s is
// the four bytes at B[(j/NR)·PanelStep + Offs[s] + (j%NR)·4]: packed
// panels (PackCols, PanelOffsets) or a convolution's interleaved input read
// in place. The N columns are positions of a padded grid of planes of Hp
// rows of Wp columns; column j is (z, y, x) = (j/(Hp·Wp), j/Wp%Hp, j%Wp),
// stored at output column (z·H+y)·W+x when y < H and x < W and dropped
// otherwise (a matrix product has Hp = H = 1 and Wp = W = N). Row r of
// the output is Out[r·Ldc:].
type Product struct {
	M, N, KQ  int
	A         []byte
	B         []byte
	Offs      []int32
	PanelStep int
	Hp, Wp    int
	H, W      int
	Out       []byte
	Ldc       int
	Ep        Epilogue
	// Kernel is the kernel A was packed for (see For); nil stands for
	// the current one.
	Kernel *Kernel
	k      *Kernel
	// noRows and noCols stand for omitted offset vectors.
	noRows, noCols []int32
	strides        []int32 // see tileEp
	run, stride    int     // see tileEp and evenRuns
	rowMajor       bool    // see Tiles
}

// Epilogue is what a product adds to its sums and how it stores them:
// sum(r, c) = RowOff[r] + ColOff[c] + Σ a·b + RowMul[r]·ColMul[c], each
// term present when its slice is not nil, stored as Mode says with the
// scale Scale[r] or, with ScaleCols, Scale[c]. Per-row slices hold
// RowPanels(M)·MR values, per-column ones ColPanels(N)·NR.
type Epilogue struct {
	RowOff, ColOff []int32
	RowMul, ColMul []int32
	Scale          []float32
	ScaleCols      bool
	Lo, Hi         float32
	Zp             int32
	Mode           Mode
}

// Check binds p to its kernel and checks that its operands hold every
// tile's reads and writes.
func (p *Product) Check() error {
	k := p.Kernel
	if k == nil {
		k = kern
	}
	p.k = k
	rp, cp := k.RowPanels(p.M), k.ColPanels(p.N)
	p.noRows, p.noCols = make([]int32, rp*k.MR), make([]int32, cp*k.NR)
	p.rowMajor = cp > 1 && k.RowsLen(p.M, p.KQ) > rowMajorBytes
	p.strides = nil
	if k.id == idAMX && p.KQ <= len(p.Offs) {
		p.strides = blockStrides(p.Offs[:p.KQ])
	}
	p.run, p.stride = 0, 0
	if k.runs && p.KQ <= len(p.Offs) {
		p.run, p.stride = evenRuns(p.Offs[:p.KQ])
	}
	es := p.Ep.Mode.size()
	maxOff := int32(0)
	for _, o := range p.Offs[:p.KQ] {
		if o < 0 {
			return fmt.Errorf("qgemm: negative offset %d", o)
		}
		maxOff = max(maxOff, o)
	}
	switch {
	case p.M == 0 || p.N == 0:
		return nil
	case len(p.A) < k.RowsLen(p.M, p.KQ):
		return fmt.Errorf("qgemm: A has %d bytes, want %d", len(p.A), k.RowsLen(p.M, p.KQ))
	case p.KQ > 0 && (cp-1)*p.PanelStep+int(maxOff)+k.NR*4 > len(p.B):
		return fmt.Errorf("qgemm: B has %d bytes, the columns reach %d", len(p.B), (cp-1)*p.PanelStep+int(maxOff)+k.NR*4)
	case p.Wp < 1 || p.Hp < 1 || p.W > p.Wp || p.H > p.Hp:
		return fmt.Errorf("qgemm: grid %dx%d of %dx%d", p.Hp, p.Wp, p.H, p.W)
	case len(p.Out) < (p.M-1)*p.Ldc+p.outCols()*es:
		return fmt.Errorf("qgemm: output has %d bytes, want %d", len(p.Out), (p.M-1)*p.Ldc+p.outCols()*es)
	}
	e := &p.Ep
	for _, v := range []struct {
		s    []int32
		want int
	}{{e.RowOff, rp * k.MR}, {e.ColOff, cp * k.NR}, {e.RowMul, rp * k.MR}, {e.ColMul, cp * k.NR}} {
		if v.s != nil && len(v.s) < v.want {
			return fmt.Errorf("qgemm: epilogue vector of %d values, want %d", len(v.s), v.want)
		}
	}
	if (e.RowMul == nil) != (e.ColMul == nil) {
		return fmt.Errorf("qgemm: rank-one term needs both vectors")
	}
	if n := rp * k.MR; e.ScaleCols {
		n = cp * k.NR
		if e.Mode != Int32 && len(e.Scale) < n {
			return fmt.Errorf("qgemm: %d scales, want %d", len(e.Scale), n)
		}
	} else if e.Mode != Int32 && len(e.Scale) < n {
		return fmt.Errorf("qgemm: %d scales, want %d", len(e.Scale), n)
	}
	return nil
}

// outCols is the output columns of the planes the grid covers.
func (p *Product) outCols() int {
	plane := p.Hp * p.Wp
	return (p.N + plane - 1) / plane * p.H * p.W
}

// outCol is the output column of grid column j, or -1 when j is dropped.
func (p *Product) outCol(j int) int {
	x, y, z := j%p.Wp, j/p.Wp%p.Hp, j/(p.Wp*p.Hp)
	if x >= p.W || y >= p.H {
		return -1
	}
	return (z*p.H+y)*p.W + x
}

// Tiles is the number of tiles, numbered column panel by column panel so
// that consecutive tiles read one panel of B, or, when A is too large to
// stay in cache while every column panel reads it (rowMajor), row panel
// by row panel.
func (p *Product) Tiles() int { return p.k.RowPanels(p.M) * p.k.ColPanels(p.N) }

// rowMajorBytes is the size of A from which products with several column
// panels walk their tiles row panel by row panel (about a core's share of
// the L2 cache).
const rowMajorBytes = 1 << 20

// tileAt is the row and column panels of tile idx.
func (p *Product) tileAt(idx int) (pp, q int) {
	if p.rowMajor {
		cp := p.k.ColPanels(p.N)
		return idx / cp, idx % cp
	}
	rp := p.k.RowPanels(p.M)
	return idx % rp, idx / rp
}

// TileMACs is the multiply-adds of one tile, for sizing parallel grains.
func (p *Product) TileMACs() int { return p.k.MR * p.k.NR * 4 * max(1, p.KQ) }

// Run computes and stores tiles [lo, hi). The tiles of one column panel
// whose rows and columns lie inside the output go to the kernel in one
// call, stored in place; the others are stored through a buffer.
func (p *Product) Run(lo, hi int) {
	k := p.k
	rp, es := k.RowPanels(p.M), p.Ep.Mode.size()
	full := p.M / k.MR // row panels without padding rows
	panel := k.RowsLen(k.MR, p.KQ)
	var tmp [maxTileBytes]byte // zeroed at every call: sized per architecture
	var ep tileEp
	p.Ep.tileFields(&ep)
	ep.strides = p.strides
	ep.run, ep.stride = int64(p.run), int64(p.stride)
	if k.pairs && p.KQ >= 2 && p.noMin128(lo, hi) {
		ep.pairs = 1
	}
	for idx := lo; idx < hi; {
		pp, q := p.tileAt(idx)
		r0, j0 := pp*k.MR, q*k.NR
		var b []byte
		if p.KQ > 0 {
			b = p.B[q*p.PanelStep:]
		}
		if o, keep := p.columns(j0); o >= 0 && pp < full {
			n := 1
			if !p.rowMajor {
				n = min(hi, q*rp+full) - idx
			}
			if keep == 0 { // no column of this panel is stored
				idx += n
				continue
			}
			p.bind(&ep, r0, j0, n)
			if keep != ^uint64(0) {
				ep.setKeep(keep)
			}
			k.tile(p.KQ, p.A[pp*panel:(pp+n)*panel], b, p.Offs, p.Out[r0*p.Ldc+o*es:], p.Ldc, &ep, n)
			ep.setKeep(0)
			idx += n
			continue
		}
		p.bind(&ep, r0, j0, 1)
		ld := k.NR * es
		a := p.A[pp*panel : (pp+1)*panel]
		if rows := p.M - r0; 2*rows <= k.MR && p.rows(a, b, ep, r0, j0, rows, &tmp) {
			idx++
			continue
		}
		k.tile(p.KQ, a, b, p.Offs, tmp[:k.MR*ld], ld, &ep, 1)
		p.scatter(tmp[:], ld, r0, j0, k.MR)
		idx++
	}
}

// noMin128 reports whether the row panels of tiles [lo, hi) hold no
// -128: one scan for all the column panels the tiles span, where the
// kernel would scan them at each (see tileEp.pairs).
func (p *Product) noMin128(lo, hi int) bool {
	rp := p.k.RowPanels(p.M)
	p0, p1 := 0, rp-1 // the row panels, inclusive
	switch {
	case p.rowMajor:
		cp := p.k.ColPanels(p.N)
		p0, p1 = lo/cp, (hi-1)/cp
	case hi-lo < rp && lo%rp <= (hi-1)%rp:
		p0, p1 = lo%rp, (hi-1)%rp
	}
	panel := p.k.RowsLen(p.k.MR, p.KQ)
	a := p.A[p0*panel : (p1+1)*panel]
	n := noMin128Asm(a)
	return n >= 0 && bytes.IndexByte(a[n:], 0x80) < 0
}

// rows computes the first rows rows of the tile of panel a at column j0
// one by one with the kernel's row function, if it has one: a panel with
// few rows (a matrix-vector product) then costs its rows, not MR.
func (p *Product) rows(a, b []byte, ep tileEp, r0, j0, rows int, tmp *[maxTileBytes]byte) bool {
	k := p.k
	es := p.Ep.Mode.size()
	o := p.direct(j0)
	for r := range rows {
		t := ep
		t.rowOff = ep.rowOff[r:]
		if ep.rowMul != nil {
			t.rowMul = ep.rowMul[r:]
		}
		if ep.mode != Int32 && ep.scaleCols == 0 {
			t.scale = ep.scale[r:]
		}
		c := tmp[:k.NR*es]
		if o >= 0 {
			c = p.Out[(r0+r)*p.Ldc+o*es:]
		}
		ar := a
		if p.KQ > 0 {
			ar = a[4*r:]
		}
		if !k.row(p.KQ, ar, 4*k.MR, b, p.Offs, c, &t) {
			return false
		}
		if o < 0 {
			p.scatter(tmp[:], 0, r0+r, j0, 1)
		}
	}
	return true
}

// columns returns where the tiles at column j0 are stored in place (if
// their rows lie inside the output): at output column o, all their
// columns (keep ^0) or, with a kernel that compresses its stores in the
// product's mode, those of keep's bits (dropped grid columns between).
// Otherwise o is -1.
func (p *Product) columns(j0 int) (o int, keep uint64) {
	if o := p.direct(j0); o >= 0 {
		return o, ^uint64(0)
	}
	if p.k.compress&(1<<p.Ep.Mode) == 0 {
		return -1, 0
	}
	o = -1
	// The grid position steps along with c (outCol's three divisions a
	// column were a third of the Go around ResNet-18's tiles).
	x, y, z := j0%p.Wp, j0/p.Wp%p.Hp, j0/(p.Wp*p.Hp)
	for c := range min(p.k.NR, p.N-j0) {
		if x < p.W && y < p.H {
			if o < 0 {
				o = (z*p.H+y)*p.W + x
			}
			keep |= 1 << c
		}
		if x++; x == p.Wp {
			x = 0
			if y++; y == p.Hp {
				y, z = 0, z+1
			}
		}
	}
	return max(o, 0), keep
}

// direct returns the output column of the tiles at column j0 when their
// columns lie inside the output, in one run: they are then stored in
// place (if their rows are too). Otherwise it returns -1.
func (p *Product) direct(j0 int) int {
	k := p.k
	if j0+k.NR > p.N {
		return -1
	}
	if p.W == p.Wp && p.H == p.Hp {
		return j0
	}
	if x := j0 % p.Wp; x+k.NR > p.W || j0/p.Wp%p.Hp >= p.H {
		return -1
	}
	return p.outCol(j0)
}

// scatter copies the first rows rows and the columns of the tile in tmp
// (rows ld bytes apart) that lie in the output, run by run.
func (p *Product) scatter(tmp []byte, ld, r0, j0, rows int) {
	k := p.k
	es := p.Ep.Mode.size()
	rows = min(rows, p.M-r0)
	end := min(j0+k.NR, p.N)
	for j := j0; j < end; {
		x := j % p.Wp
		n := min(p.Wp-x, end-j) // the rest of this grid row
		if o := p.outCol(j); o >= 0 {
			n = min(n, p.W-x)
			for r := range rows {
				copy(p.Out[(r0+r)*p.Ldc+o*es:][:n*es], tmp[r*ld+(j-j0)*es:])
			}
		}
		j += n
	}
}

// tileFields sets the fields of ep that do not depend on the tile.
func (e *Epilogue) tileFields(ep *tileEp) {
	ep.lo, ep.hi, ep.zp, ep.mode = e.Lo, e.Hi, e.Zp, e.Mode
	ep.scaleCols = 0
	if e.ScaleCols {
		ep.scaleCols = 1
	}
}

// bind points ep's vectors at the n tiles from row r0 at column j0.
func (p *Product) bind(ep *tileEp, r0, j0, n int) {
	e, k := &p.Ep, p.k
	rows := n * k.MR
	ep.rowOff, ep.colOff = p.noRows[r0:r0+rows], p.noCols[j0:j0+k.NR]
	if e.RowOff != nil {
		ep.rowOff = e.RowOff[r0 : r0+rows]
	}
	if e.ColOff != nil {
		ep.colOff = e.ColOff[j0 : j0+k.NR]
	}
	ep.rowMul, ep.colMul = nil, nil
	if e.RowMul != nil {
		ep.rowMul, ep.colMul = e.RowMul[r0:r0+rows], e.ColMul[j0:j0+k.NR]
	}
	ep.scale = nil
	if e.Mode != Int32 {
		if e.ScaleCols {
			ep.scale = e.Scale[j0 : j0+k.NR]
		} else {
			ep.scale = e.Scale[r0 : r0+rows]
		}
	}
}

// minRun is the shortest run of evenly spaced steps a kernel with runs
// reads as one: a run costs it about ten instructions more than steps
// one by one, and saves two and a half a step.
const minRun = 4

// evenRuns returns the length of the runs offs comes in, each run's
// offsets stride apart (kq a multiple of run), or run 0 when it has no
// such runs of at least minRun steps. A convolution's runs are a tap's
// channel quads, packed panels one run of every step.
func evenRuns(offs []int32) (run, stride int) {
	if len(offs) < minRun {
		return 0, 0
	}
	d := offs[1] - offs[0]
	run = 2
	for run < len(offs) && offs[run]-offs[run-1] == d {
		run++
	}
	if run < minRun || len(offs)%run != 0 {
		return 0, 0
	}
	for s := run; s < len(offs); s++ {
		if s%run != 0 && offs[s]-offs[s-1] != d {
			return 0, 0
		}
	}
	return run, int(d)
}
