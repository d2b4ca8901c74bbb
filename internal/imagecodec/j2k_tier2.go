package imagecodec

import (
	"fmt"
	"math/bits"
	"slices"
)

// Tier-2: the tile's structure (resolutions, subbands, precincts,
// code-blocks, T.800 B.5-B.7), the progression of packets (B.12) and the
// packet headers (B.10), which say which bytes belong to which code-block.

// j2kCodeBlock is one code-block and the compressed data gathered for it.
type j2kCodeBlock struct {
	x0, y0, x1, y1 int // area in subband coordinates
	zeroPlanes     int // missing most significant bit-planes
	lblock         int
	passes         int          // coding passes gathered so far
	segs           []j2kCodeSeg // codeword segments, in order
}

// j2kCodeSeg is one codeword segment of a code-block: a run of coding
// passes coded as one arithmetic (or raw) codeword, and its bytes, which
// may arrive in several packets.
type j2kCodeSeg struct {
	passes, maxPasses int
	chunks            [][]byte
}

// j2kBand is one subband of a resolution.
type j2kBand struct {
	orient         int             // 0 LL, 1 HL, 2 LH, 3 HH
	x0, y0, x1, y1 int             // area in subband coordinates
	ox, oy         int             // where its samples sit in the tile-component buffer
	cbw, cbh       int             // code-block size exponents, after the precinct limit
	gx0, gy0       int             // code-block grid index of the first block
	nbx, nby       int             // code-blocks across and down
	blocks         []*j2kCodeBlock // nil until first included
	planes         int             // magnitude bit-planes Mb (with the ROI shift)
	step           float32         // quantization step, irreversible only
}

// j2kPrecinctBand is the part of a subband in one precinct: a rectangle
// of its code-blocks and their tag trees.
type j2kPrecinctBand struct {
	bx0, by0, bw, bh int // code-block grid rectangle, relative to the band's
	incl, zero       *tagTree
}

// j2kResolution is one resolution level of a tile-component.
type j2kResolution struct {
	x0, y0, x1, y1 int
	ppx, ppy       int // precinct size exponents
	px0, py0       int // index of the first precinct on the grid anchored at 0
	pw, ph         int // precincts across and down
	bands          []j2kBand
	precincts      [][]j2kPrecinctBand // per precinct, per band; allocated when first read
}

// j2kTileComp is one component of a tile.
type j2kTileComp struct {
	x0, y0, x1, y1 int
	style          *j2kCodingStyle
	res            []j2kResolution
}

// buildTileComp lays out the resolutions, subbands and code-blocks of a
// tile-component covering [x0, x1) x [y0, y1) on the component's grid.
func buildTileComp(x0, y0, x1, y1 int, st *j2kCodingStyle, q *j2kQuant, prec, roi int) (*j2kTileComp, error) {
	tc := &j2kTileComp{x0: x0, y0: y0, x1: x1, y1: y1, style: st}
	nl := st.levels
	for r := 0; r <= nl; r++ {
		s := nl - r
		res := j2kResolution{x0: ceilShift(x0, s), y0: ceilShift(y0, s), x1: ceilShift(x1, s), y1: ceilShift(y1, s),
			ppx: int(st.precincts[r] & 15), ppy: int(st.precincts[r] >> 4)}
		if res.x1 > res.x0 && res.y1 > res.y0 {
			res.px0, res.py0 = res.x0>>res.ppx, res.y0>>res.ppy
			res.pw = ceilShift(res.x1, res.ppx) - res.px0
			res.ph = ceilShift(res.y1, res.ppy) - res.py0
		}
		cbw, cbh := min(st.cbw, res.ppx), min(st.cbh, res.ppy)
		orients := []int{0}
		if r > 0 {
			cbw, cbh = min(st.cbw, res.ppx-1), min(st.cbh, res.ppy-1)
			orients = []int{1, 2, 3}
		}
		// Low-pass samples of this resolution (the previous one's size)
		// come first in the buffer, high-pass after them.
		lw, lh := ceilShift(res.x1, 1)-ceilShift(res.x0, 1), ceilShift(res.y1, 1)-ceilShift(res.y0, 1)
		for _, o := range orients {
			b := j2kBand{orient: o, cbw: cbw, cbh: cbh}
			xo, yo := o&1, o>>1
			if r == 0 {
				b.x0, b.y0, b.x1, b.y1 = res.x0, res.y0, res.x1, res.y1
			} else {
				nb := nl - r + 1
				b.x0, b.x1 = bandEdge(x0, xo, nb), bandEdge(x1, xo, nb)
				b.y0, b.y1 = bandEdge(y0, yo, nb), bandEdge(y1, yo, nb)
				b.ox, b.oy = xo*lw, yo*lh
			}
			if err := b.quantize(q, st, r, prec, roi); err != nil {
				return nil, err
			}
			if b.x1 > b.x0 && b.y1 > b.y0 {
				b.gx0, b.gy0 = b.x0>>cbw, b.y0>>cbh
				b.nbx, b.nby = ceilShift(b.x1, cbw)-b.gx0, ceilShift(b.y1, cbh)-b.gy0
				b.blocks = make([]*j2kCodeBlock, b.nbx*b.nby)
			}
			res.bands = append(res.bands, b)
		}
		tc.res = append(tc.res, res)
	}
	return tc, nil
}

// quantize sets the band's bit-plane count and step size (T.800 E.1).
func (b *j2kBand) quantize(q *j2kQuant, st *j2kCodingStyle, r, prec, roi int) error {
	nl := st.levels
	idx := 0
	if r > 0 {
		idx = 3*(r-1) + b.orient
	}
	var eps, mu int
	if q.style == 1 { // derived from the LL band's values
		nb := nl
		if r > 0 {
			nb = nl - r + 1
		}
		eps, mu = int(q.steps[0]>>11)-nl+nb, int(q.steps[0]&0x7FF)
	} else {
		eps, mu = int(q.steps[idx]>>11), int(q.steps[idx]&0x7FF)
	}
	b.planes = q.guard + eps - 1 + roi
	if b.planes > 30 || eps < 0 {
		return fmt.Errorf("jpeg2000: subband with %d bit-planes (exponent %d): more than this decoder handles", b.planes, eps)
	}
	if !st.reversible {
		gain := [4]int{0, 1, 1, 2}[b.orient]
		b.step = float32((1 + float64(mu)/2048) * pow2(prec+gain-eps))
	}
	return nil
}

// newBlock creates code-block k of the band's grid, included for the
// first time with z missing bit-planes.
func (b *j2kBand) newBlock(k, z int) *j2kCodeBlock {
	i, j := k%b.nbx, k/b.nbx
	cb := &j2kCodeBlock{zeroPlanes: z, lblock: 3,
		x0: max(b.x0, (b.gx0+i)<<b.cbw), y0: max(b.y0, (b.gy0+j)<<b.cbh),
		x1: min(b.x1, (b.gx0+i+1)<<b.cbw), y1: min(b.y1, (b.gy0+j+1)<<b.cbh)}
	b.blocks[k] = cb
	return cb
}

// pow2 returns 2**e as a float64.
func pow2(e int) float64 {
	if e >= 0 {
		return float64(uint64(1) << min(e, 63))
	}
	return 1 / float64(uint64(1)<<min(-e, 63))
}

// bandEdge maps tile-component coordinate v to a subband of decomposition
// level nb with offset o (T.800 equation B-15), in 64 bits as levels may
// reach 32.
func bandEdge(v, o, nb int) int {
	w := int64(v) - int64(o)<<(nb-1)
	return int(-((-w) >> nb))
}

// ceilShift returns ceil(v / 2**s), for any sign of v.
func ceilShift(v, s int) int {
	return -((-v) >> s)
}

// precinct returns the subband parts of precinct k of resolution r,
// computing them (and creating their tag trees) on first use.
func (res *j2kResolution) precinct(r, k int) []j2kPrecinctBand {
	if res.precincts == nil {
		res.precincts = make([][]j2kPrecinctBand, res.pw*res.ph)
	}
	if p := res.precincts[k]; p != nil {
		return p
	}
	px, py := res.px0+k%res.pw, res.py0+k/res.pw
	p := make([]j2kPrecinctBand, len(res.bands))
	for i := range res.bands {
		b := &res.bands[i]
		ppx, ppy := res.ppx, res.ppy
		if r > 0 {
			ppx, ppy = ppx-1, ppy-1
		}
		x0, x1 := max(b.x0, px<<ppx), int(min(int64(b.x1), int64(px+1)<<ppx))
		y0, y1 := max(b.y0, py<<ppy), int(min(int64(b.y1), int64(py+1)<<ppy))
		if x0 >= x1 || y0 >= y1 {
			continue
		}
		pb := &p[i]
		pb.bx0, pb.by0 = x0>>b.cbw-b.gx0, y0>>b.cbh-b.gy0
		pb.bw, pb.bh = ceilShift(x1, b.cbw)-b.gx0-pb.bx0, ceilShift(y1, b.cbh)-b.gy0-pb.by0
		pb.incl, pb.zero = newTagTree(pb.bw, pb.bh), newTagTree(pb.bw, pb.bh)
	}
	res.precincts[k] = p
	return p
}

// tagTree is a tag tree (T.800 B.10.2): a quadtree of minimums coding
// one value per code-block of a precinct.
type tagTree struct {
	w, h  []int // width and height of each level, leaves first
	off   []int // first node of each level
	value []int32
	low   []int32
}

const tagUnknown = 1 << 30

func newTagTree(w, h int) *tagTree {
	t := &tagTree{}
	n := 0
	for {
		t.w, t.h, t.off = append(t.w, w), append(t.h, h), append(t.off, n)
		n += w * h
		if w == 1 && h == 1 {
			break
		}
		w, h = (w+1)/2, (h+1)/2
	}
	t.value, t.low = make([]int32, n), make([]int32, n)
	for i := range t.value {
		t.value[i] = tagUnknown
	}
	return t
}

// decode reads bits until the value of leaf (x, y) is known or known to
// be at least threshold, and returns the value or threshold.
func (t *tagTree) decode(br *j2kBitReader, x, y int, threshold int32) int32 {
	var path [32]int
	n := len(t.w)
	for l := range n {
		path[l] = t.off[l] + (y>>l)*t.w[l] + x>>l
	}
	low := int32(0)
	for l := n - 1; l >= 0; l-- {
		i := path[l]
		if low > t.low[i] {
			t.low[i] = low
		} else {
			low = t.low[i]
		}
		for low < threshold && low < t.value[i] {
			if br.bit() != 0 {
				t.value[i] = low
			} else {
				low++
			}
		}
		t.low[i] = low
	}
	return min(t.value[path[0]], threshold)
}

// j2kBitReader reads packet header bits (T.800 B.10.1): most significant
// bit first, with a 0 bit stuffed after every 0xFF byte.
type j2kBitReader struct {
	b      []byte
	pos    int
	cur    uint32
	n      int // bits left in cur
	over   bool
	lastFF bool
}

func (r *j2kBitReader) bit() uint32 {
	if r.n == 0 {
		if r.pos >= len(r.b) {
			r.over = true
			return 0
		}
		c := r.b[r.pos]
		r.pos++
		r.cur, r.n = uint32(c), 8
		if r.lastFF {
			r.n = 7
		}
		r.lastFF = c == 0xFF
	}
	r.n--
	return r.cur >> r.n & 1
}

func (r *j2kBitReader) bits(n int) uint32 {
	v := uint32(0)
	for range n {
		v = v<<1 | r.bit()
	}
	return v
}

// align ends the header: the rest of the byte is padding, and a byte
// that is 0xFF is followed by one holding the stuffed bit.
func (r *j2kBitReader) align() {
	r.n = 0
	if r.lastFF {
		r.pos++
		r.lastFF = false
	}
}

// j2kTileDecoder holds one tile during tier-2 decoding.
type j2kTileDecoder struct {
	coding   *j2kTileCoding
	comps    []*j2kTileComp
	body     []byte // the tile's packet data, all tile-parts joined
	pos      int
	headers  []byte // packet headers from PPM or PPT, or nil
	hpos     int
	sent     [][][]int32 // per component, resolution, precinct: layers read
	budget   int         // loop iterations left
	maxRes   int
	dxy      [][2]int // component subsampling
	tx0, ty0 int      // the tile's origin on the reference grid
}

// segMaxPasses returns the number of passes a codeword segment starting
// at pass index first can hold, with code-block style st.
func segMaxPasses(first int, st byte) int {
	switch {
	case st&cbTermAll != 0:
		return 1
	case st&cbBypass == 0:
		return 1 << 20
	case first == 0:
		return 10
	case first%3 == 1:
		return 2 // significance and refinement passes, raw
	}
	return 1 // cleanup pass, arithmetic coded
}

// packet reads the packet of layer l, resolution r, component c, precinct k.
func (d *j2kTileDecoder) packet(l, r, c, k int) error {
	tc := d.comps[c]
	res := &tc.res[r]
	if d.coding.sop && d.pos+6 <= len(d.body) && int(d.body[d.pos])<<8|int(d.body[d.pos+1]) == csSOP {
		d.pos += 6
	}
	br := j2kBitReader{b: d.body, pos: d.pos}
	if d.headers != nil {
		br.b, br.pos = d.headers, d.hpos
	}
	type contrib struct {
		cb     *j2kCodeBlock
		seg, n int
	}
	var got []contrib
	st := tc.style.cbStyle
	if br.bit() != 0 {
		prec := res.precinct(r, k)
		for bi := range prec {
			pb := &prec[bi]
			b := &res.bands[bi]
			for j := range pb.bh {
				for i := range pb.bw {
					bk := (pb.by0+j)*b.nbx + pb.bx0 + i
					cb := b.blocks[bk]
					if cb == nil {
						if pb.incl.decode(&br, i, j, int32(l+1)) > int32(l) {
							continue
						}
						z := pb.zero.decode(&br, i, j, 64)
						if z >= 64 || int(z) > b.planes {
							return fmt.Errorf("jpeg2000: code-block with %d missing bit-planes of %d", z, b.planes)
						}
						cb = b.newBlock(bk, int(z))
					} else if br.bit() == 0 {
						continue
					}
					n := readPassCount(&br)
					for br.bit() != 0 && !br.over {
						cb.lblock++
					}
					if cb.passes+n > 3*(b.planes-cb.zeroPlanes)-2 || cb.lblock > 24 {
						return fmt.Errorf("jpeg2000: code-block with more coding passes than bit-planes")
					}
					for n > 0 {
						if len(cb.segs) == 0 || cb.segs[len(cb.segs)-1].passes == cb.segs[len(cb.segs)-1].maxPasses {
							cb.segs = append(cb.segs, j2kCodeSeg{maxPasses: segMaxPasses(cb.passes, st)})
						}
						s := &cb.segs[len(cb.segs)-1]
						m := min(n, s.maxPasses-s.passes)
						got = append(got, contrib{cb, len(cb.segs) - 1, int(br.bits(cb.lblock + bits.Len(uint(m)) - 1))})
						s.passes += m
						cb.passes += m
						n -= m
					}
				}
			}
		}
	}
	if br.over {
		return fmt.Errorf("jpeg2000: packet header: %w", ErrTruncated)
	}
	br.align()
	if d.coding.eph && br.pos+2 <= len(br.b) && int(br.b[br.pos])<<8|int(br.b[br.pos+1]) == csEPH {
		br.pos += 2
	}
	if d.headers != nil {
		d.hpos = br.pos
	} else {
		d.pos = br.pos
	}
	for _, g := range got {
		if g.n > len(d.body)-d.pos {
			return fmt.Errorf("jpeg2000: packet body: %w", ErrTruncated)
		}
		if g.n > 0 {
			s := &g.cb.segs[g.seg]
			s.chunks = append(s.chunks, d.body[d.pos:d.pos+g.n])
		}
		d.pos += g.n
	}
	return nil
}

// readPassCount reads the number of new coding passes (T.800 table B.4).
func readPassCount(br *j2kBitReader) int {
	switch {
	case br.bit() == 0:
		return 1
	case br.bit() == 0:
		return 2
	}
	if v := br.bits(2); v != 3 {
		return 3 + int(v)
	}
	if v := br.bits(5); v != 31 {
		return 6 + int(v)
	}
	return 37 + int(br.bits(7))
}

// readPackets reads all the tile's packets in the order its progression
// (and progression order changes) give.
func (d *j2kTileDecoder) readPackets() error {
	nc := len(d.comps)
	d.sent = make([][][]int32, nc)
	for c, tc := range d.comps {
		d.sent[c] = make([][]int32, len(tc.res))
		for r := range tc.res {
			d.sent[c][r] = make([]int32, tc.res[r].pw*tc.res[r].ph)
		}
		d.maxRes = max(d.maxRes, len(tc.res))
	}
	vols := d.coding.pocs
	if len(vols) == 0 {
		vols = []j2kPOC{{rs: 0, cs: 0, lye: d.coding.layers, re: d.maxRes, ce: nc, order: d.coding.order}}
	}
	for _, v := range vols {
		v.lye, v.re, v.ce = min(v.lye, d.coding.layers), min(v.re, d.maxRes), min(v.ce, nc)
		if err := d.volume(v); err != nil {
			return err
		}
		if d.pos >= len(d.body) && (d.headers == nil || d.hpos >= len(d.headers)) {
			break
		}
	}
	return nil
}

// visit reads packet (l, r, c, k) unless it was read already, charging
// the loop budget.
func (d *j2kTileDecoder) visit(l, r, c, k int) error {
	d.budget--
	if d.budget < 0 {
		return fmt.Errorf("jpeg2000: progression order changes loop too long")
	}
	s := &d.sent[c][r][k]
	if int(*s) != l {
		return nil
	}
	*s++
	return d.packet(l, r, c, k)
}

// j2kPrecinctRef is a precinct in a position-driven progression.
type j2kPrecinctRef struct {
	x, y    int64 // where it starts on the reference grid
	c, r, k int
}

// volume reads the packets of one progression volume (T.800 B.12.1).
func (d *j2kTileDecoder) volume(v j2kPOC) error {
	switch v.order {
	case progLRCP, progRLCP:
		outer, inner := v.lye, v.re-v.rs
		if v.order == progRLCP {
			outer, inner = inner, outer
		}
		for a := range outer {
			for b := range inner {
				l, r := a, v.rs+b
				if v.order == progRLCP {
					l, r = b, v.rs+a
				}
				for c := v.cs; c < v.ce; c++ {
					if r >= len(d.comps[c].res) {
						continue
					}
					for k := range d.sent[c][r] {
						if err := d.visit(l, r, c, k); err != nil {
							return err
						}
					}
				}
			}
		}
		return nil
	}
	var refs []j2kPrecinctRef
	for c := v.cs; c < v.ce; c++ {
		tc := d.comps[c]
		dx, dy := d.dxy[c][0], d.dxy[c][1]
		for r := v.rs; r < min(v.re, len(tc.res)); r++ {
			res := &tc.res[r]
			s := len(tc.res) - 1 - r
			d.budget -= res.pw * res.ph
			if d.budget < 0 {
				return fmt.Errorf("jpeg2000: progression order changes loop too long")
			}
			for k := range res.pw * res.ph {
				// Where the precinct starts on the reference grid; the
				// first one of a row or column may start before the tile.
				px, py := int64(res.px0+k%res.pw)<<res.ppx, int64(res.py0+k/res.pw)<<res.ppy
				refs = append(refs, j2kPrecinctRef{x: max(int64(d.tx0), px<<s*int64(dx)), y: max(int64(d.ty0), py<<s*int64(dy)), c: c, r: r, k: k})
			}
		}
	}
	key := func(p j2kPrecinctRef) [4]int64 {
		c, r := int64(p.c), int64(p.r)
		switch v.order {
		case progRPCL:
			return [4]int64{r, p.y, p.x, c}
		case progPCRL:
			return [4]int64{p.y, p.x, c, r}
		}
		return [4]int64{c, p.y, p.x, r}
	}
	slices.SortFunc(refs, func(a, b j2kPrecinctRef) int {
		ka, kb := key(a), key(b)
		return slices.Compare(ka[:], kb[:])
	})
	for _, p := range refs {
		for l := range v.lye {
			if err := d.visit(l, p.r, p.c, p.k); err != nil {
				return err
			}
		}
	}
	return nil
}
