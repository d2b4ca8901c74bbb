package imagecodec

import (
	"bytes"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// j2kTile gathers one tile's tile-parts.
type j2kTile struct {
	params  *j2kParams
	bodies  [][]byte // tile-part data, in order
	ppt     []j2kZSeg
	headers [][]byte // packed packet headers from PPM, per tile-part
	parts   int
}

// j2kZSeg is a PPM or PPT segment's payload and its index Z.
type j2kZSeg struct {
	z int
	b []byte
}

// j2kCodestream is a parsed codestream: headers and tile data.
type j2kCodestream struct {
	siz   *j2kSize
	main  *j2kParams
	tiles []*j2kTile // by tile index, nil for tiles absent from the stream
}

// j2kReader walks the markers of a codestream.
type j2kReader struct {
	data []byte
	pos  int
}

// marker reads the next marker code.
func (r *j2kReader) marker() (int, error) {
	if r.pos+2 > len(r.data) {
		return 0, fmt.Errorf("jpeg2000: codestream: %w", ErrTruncated)
	}
	m := int(r.data[r.pos])<<8 | int(r.data[r.pos+1])
	r.pos += 2
	if m>>8 != 0xFF {
		return 0, fmt.Errorf("jpeg2000: expected a marker at byte %d, found %04X", r.pos-2, m)
	}
	return m, nil
}

// segment reads the marker segment of m that follows.
func (r *j2kReader) segment(m int) (*j2kSegment, error) {
	if r.pos+2 > len(r.data) {
		return nil, fmt.Errorf("jpeg2000: marker %04X: %w", m, ErrTruncated)
	}
	n := int(r.data[r.pos])<<8 | int(r.data[r.pos+1])
	if n < 2 || r.pos+n > len(r.data) {
		return nil, fmt.Errorf("jpeg2000: marker %04X segment of %d bytes: %w", m, n, ErrTruncated)
	}
	s := &j2kSegment{marker: m, b: r.data[r.pos+2 : r.pos+n]}
	r.pos += n
	return s, nil
}

// readJ2KHeader parses a codestream up to and including SIZ.
func readJ2KHeader(data []byte) (*j2kSize, *j2kReader, error) {
	r := &j2kReader{data: data}
	if m, err := r.marker(); err != nil || m != csSOC {
		return nil, nil, fmt.Errorf("jpeg2000: missing SOC marker")
	}
	if m, err := r.marker(); err != nil || m != csSIZ {
		return nil, nil, fmt.Errorf("jpeg2000: SIZ marker does not follow SOC")
	}
	s, err := r.segment(csSIZ)
	if err != nil {
		return nil, nil, err
	}
	siz, err := readSIZ(s)
	return siz, r, err
}

// readCodestream parses the main header and collects the tile-parts.
func readCodestream(data []byte) (*j2kCodestream, error) {
	siz, r, err := readJ2KHeader(data)
	if err != nil {
		return nil, err
	}
	nc := len(siz.comps)
	cs := &j2kCodestream{siz: siz, main: newParams(nc), tiles: make([]*j2kTile, siz.tilesX*siz.tilesY)}
	var ppm []j2kZSeg
	var tileParts []*j2kTile // in codestream order, for PPM
	// Main header.
	for {
		m, err := r.marker()
		if err != nil {
			return nil, err
		}
		if m == csSOT {
			break
		}
		if m == csEOC { // no tile data at all
			return cs, nil
		}
		s, err := r.segment(m)
		if err != nil {
			return nil, err
		}
		switch m {
		case csCOD, csCOC, csQCD, csQCC, csRGN, csPOC:
			if err := cs.main.read(s, nc); err != nil {
				return nil, err
			}
		case csPPM:
			if len(s.b) < 1 {
				return nil, fmt.Errorf("jpeg2000: empty PPM segment")
			}
			ppm = append(ppm, j2kZSeg{int(s.b[0]), s.b[1:]})
		case csSIZ:
			return nil, fmt.Errorf("jpeg2000: second SIZ marker")
		case csTLM, csPLM, csCRG, csCOM:
			// Indexes and annotations: the decoder finds its way without them.
		}
	}
	// Tile-parts: r.pos is just past an SOT marker.
	for {
		sotPos := r.pos - 2
		s, err := r.segment(csSOT)
		if err != nil {
			return nil, err
		}
		idx, psot := s.u16(), s.u32()
		s.u8() // TPsot: tile-parts are taken in stream order
		s.u8() // TNsot
		if s.err != nil {
			return nil, s.err
		}
		if idx >= len(cs.tiles) {
			return nil, fmt.Errorf("jpeg2000: tile index %d of %d", idx, len(cs.tiles))
		}
		t := cs.tiles[idx]
		if t == nil {
			t = &j2kTile{params: newParams(nc)}
			cs.tiles[idx] = t
		}
		for {
			m, err := r.marker()
			if err != nil {
				return nil, err
			}
			if m == csSOD {
				break
			}
			s, err := r.segment(m)
			if err != nil {
				return nil, err
			}
			switch m {
			case csCOD, csCOC, csQCD, csQCC, csRGN, csPOC:
				if err := t.params.read(s, nc); err != nil {
					return nil, err
				}
			case csPPT:
				if len(s.b) < 1 {
					return nil, fmt.Errorf("jpeg2000: empty PPT segment")
				}
				// Ordered by tile-part, then by Zppt within it.
				t.ppt = append(t.ppt, j2kZSeg{t.parts<<8 | int(s.b[0]), s.b[1:]})
			case csPLT, csCOM:
				// Packet lengths and comments: not needed.
			}
		}
		end := int64(len(data))
		if psot != 0 {
			end = int64(sotPos) + psot
		} else if bytes.HasSuffix(data, []byte{0xFF, 0xD9}) {
			end -= 2
		}
		// A last tile-part cut short is decoded as far as it goes.
		end = max(min(end, int64(len(data))), int64(r.pos))
		t.bodies = append(t.bodies, data[r.pos:end])
		t.parts++
		tileParts = append(tileParts, t)
		r.pos = int(end)
		if r.pos+2 > len(data) {
			break
		}
		m, err := r.marker()
		if err != nil {
			return nil, err
		}
		if m == csEOC {
			break
		}
		if m != csSOT {
			return nil, fmt.Errorf("jpeg2000: marker %04X after a tile-part, want SOT or EOC", m)
		}
	}
	if len(ppm) > 0 {
		if err := splitPPM(ppm, tileParts); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

// joinZ concatenates PPM or PPT payloads in the order of their indexes.
func joinZ(segs []j2kZSeg) []byte {
	slices.SortStableFunc(segs, func(a, b j2kZSeg) int { return a.z - b.z })
	var out []byte
	for _, s := range segs {
		out = append(out, s.b...)
	}
	return out
}

// splitPPM hands the packed packet headers of the main header's PPM
// segments to the tile-parts, in codestream order (T.800 A.7.4).
func splitPPM(ppm []j2kZSeg, parts []*j2kTile) error {
	b := joinZ(ppm)
	for _, t := range parts {
		if len(b) < 4 {
			return fmt.Errorf("jpeg2000: PPM: packet headers for %d tile-parts: %w", len(parts), ErrTruncated)
		}
		n := int64(b[0])<<24 | int64(b[1])<<16 | int64(b[2])<<8 | int64(b[3])
		if n > int64(len(b)-4) {
			return fmt.Errorf("jpeg2000: PPM: %w", ErrTruncated)
		}
		t.headers = append(t.headers, b[4:4+n])
		b = b[4+n:]
	}
	return nil
}

// tileRect returns tile idx's area on the reference grid.
func (z *j2kSize) tileRect(idx int) (x0, y0, x1, y1 int) {
	p, q := idx%z.tilesX, idx/z.tilesX
	edge := func(o, i, size, lo, hi int) int { // in 64 bits: a 32-bit int could overflow
		return int(min(max(int64(o)+int64(i)*int64(size), int64(lo)), int64(hi)))
	}
	x0, y0 = edge(z.tx0, p, z.tw, z.x0, z.x1), edge(z.ty0, q, z.th, z.y0, z.y1)
	x1, y1 = edge(z.tx0, p+1, z.tw, z.x0, z.x1), edge(z.ty0, q+1, z.th, z.y0, z.y1)
	return
}

// j2kSamples is a decoded tile-component: final sample values (DC level
// shifted and clamped to the component's range), w x h.
type j2kSamples struct {
	v    []int32
	w, h int
}

// decodeTile decodes tile idx into one sample plane per component.
func (cs *j2kCodestream) decodeTile(idx int, t1s []*t1) ([]j2kSamples, error) {
	t := cs.tiles[idx]
	siz := cs.siz
	nc := len(siz.comps)
	coding, err := resolve(cs.main, t.params, nc)
	if err != nil {
		return nil, err
	}
	tx0, ty0, tx1, ty1 := siz.tileRect(idx)
	d := &j2kTileDecoder{coding: coding, tx0: tx0, ty0: ty0}
	for c, comp := range siz.comps {
		tc, err := buildTileComp(ceilDivPos(tx0, comp.dx), ceilDivPos(ty0, comp.dy), ceilDivPos(tx1, comp.dx), ceilDivPos(ty1, comp.dy),
			&coding.styles[c], coding.quants[c], comp.prec, coding.roi[c])
		if err != nil {
			return nil, err
		}
		d.comps = append(d.comps, tc)
		d.dxy = append(d.dxy, [2]int{comp.dx, comp.dy})
	}
	for _, b := range t.bodies {
		d.body = append(d.body, b...)
	}
	switch {
	case len(t.headers) > 0 && len(t.ppt) > 0:
		return nil, fmt.Errorf("jpeg2000: both PPM and PPT packet headers")
	case len(t.headers) > 0:
		d.headers = bytes.Join(t.headers, nil)
	case len(t.ppt) > 0:
		d.headers = joinZ(t.ppt)
	}
	d.budget = 1<<24 + 64*(len(d.body)+len(d.headers))
	if err := d.readPackets(); err != nil {
		return nil, err
	}

	out := make([]j2kSamples, nc)
	ints := make([][]int32, nc)
	floats := make([][]float32, nc)
	for c, tc := range d.comps {
		w, h := tc.x1-tc.x0, tc.y1-tc.y0
		out[c] = j2kSamples{w: w, h: h}
		if coding.styles[c].reversible {
			ints[c] = make([]int32, w*h)
		} else {
			floats[c] = make([]float32, w*h)
		}
	}
	// Tier-1 over all code-blocks, in parallel: each writes its own
	// part of its component's buffer.
	decodeBlocks(d.comps, coding.roi, t1s, func(c int, b *j2kBand, cb *j2kCodeBlock, mag []int32) {
		w := out[c].w
		cw := cb.x1 - cb.x0
		for y := range cb.y1 - cb.y0 {
			at := (b.oy+cb.y0-b.y0+y)*w + b.ox + cb.x0 - b.x0
			src := mag[y*cw : (y+1)*cw]
			if ints[c] != nil {
				row := ints[c][at : at+cw]
				for x, v := range src {
					row[x] = v / 2
				}
				continue
			}
			row, half := floats[c][at:at+cw], b.step*0.5
			for x, v := range src {
				row[x] = float32(v) * half
			}
		}
	})
	parallel(nc, func(c int) {
		if ints[c] != nil {
			idwt(d.comps[c], ints[c], idwt53Line, idwtRows53)
		} else {
			idwt(d.comps[c], floats[c], idwt97Line, idwtRows97)
		}
	})
	if coding.mct {
		if d.comps[1].x1-d.comps[1].x0 != out[0].w || d.comps[2].x1-d.comps[2].x0 != out[0].w ||
			d.comps[1].y1-d.comps[1].y0 != out[0].h || d.comps[2].y1-d.comps[2].y0 != out[0].h {
			return nil, fmt.Errorf("jpeg2000: component transform over components of different sizes")
		}
		if ints[0] != nil {
			rctInverse(ints[0], ints[1], ints[2])
		} else {
			ictInverse(floats[0], floats[1], floats[2])
		}
	}
	for c, comp := range siz.comps {
		lo, hi := int32(0), int32(1)<<comp.prec-1
		shift := int32(1) << (comp.prec - 1)
		if comp.signed {
			lo, hi, shift = -shift, shift-1, 0
		}
		if ints[c] != nil {
			v := ints[c]
			for i, s := range v {
				v[i] = min(max(s+shift, lo), hi)
			}
			out[c].v = v
			continue
		}
		f := floats[c]
		v := make([]int32, len(f))
		for i, s := range f {
			// openjpeg rounds with lrintf: to nearest, ties to even.
			// Samples are at most 16 bits, so values past 2^22 are
			// clamped anyway, and below that adding and subtracting
			// 1.5*2^23 rounds in float32 exactly that way.
			s = min(max(s, -1<<22), 1<<22)
			r := float32(s+0x1.8p23) - 0x1.8p23
			v[i] = min(max(int32(r)+shift, lo), hi)
		}
		out[c].v = v
	}
	return out, nil
}

// ceilDivPos is ceil(v/d) for v >= 0 without overflow near the top of
// a 32-bit int.
func ceilDivPos(v, d int) int {
	if v == 0 {
		return 0
	}
	return (v-1)/d + 1
}

// decodeBlocks decodes every code-block of the tile-components that has
// data, handing each to put (from several goroutines, one t1 each) with
// its signed, doubled magnitudes after the ROI shift is undone.
func decodeBlocks(comps []*j2kTileComp, roi []int, t1s []*t1, put func(int, *j2kBand, *j2kCodeBlock, []int32)) {
	type job struct {
		c  int
		b  *j2kBand
		cb *j2kCodeBlock
	}
	var jobs []job
	for c, tc := range comps {
		for r := range tc.res {
			for bi := range tc.res[r].bands {
				b := &tc.res[r].bands[bi]
				for _, cb := range b.blocks {
					if cb != nil && cb.passes > 0 {
						jobs = append(jobs, job{c, b, cb})
					}
				}
			}
		}
	}
	var next atomic.Int64
	parallel(min(len(t1s), len(jobs)), func(w int) {
		t := t1s[w]
		for {
			i := int(next.Add(1)) - 1
			if i >= len(jobs) {
				return
			}
			j := jobs[i]
			t.decodeBlock(j.cb, j.b.planes, comps[j.c].style.cbStyle, j.b.orient)
			if s := roi[j.c]; s > 0 {
				thresh := int32(1) << s
				for i, v := range t.mag {
					if v >= thresh {
						t.mag[i] = v >> s
					} else if v <= -thresh {
						t.mag[i] = -(-v >> s)
					}
				}
			}
			put(j.c, j.b, j.cb, t.mag)
		}
	})
}

// parallel runs f(0) ... f(n-1) on n goroutines (inline when n is 1).
// A panic in one of them is raised again in the caller's goroutine, where
// Decode's guard turns it into an error, instead of ending the process.
func parallel(n int, f func(int)) {
	if n <= 1 {
		if n == 1 {
			f(0)
		}
		return
	}
	var wg sync.WaitGroup
	var once sync.Once
	var failure any
	for i := range n {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					once.Do(func() { failure = r })
				}
			}()
			f(i)
		})
	}
	wg.Wait()
	if failure != nil {
		panic(failure)
	}
}
