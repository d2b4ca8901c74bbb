package imagecodec

import (
	"fmt"
)

// JPEG 2000 codestream markers (ITU-T T.800 table A.2).
const (
	csSOC = 0xFF4F
	csSIZ = 0xFF51
	csCOD = 0xFF52
	csCOC = 0xFF53
	csTLM = 0xFF55
	csPLM = 0xFF57
	csPLT = 0xFF58
	csQCD = 0xFF5C
	csQCC = 0xFF5D
	csRGN = 0xFF5E
	csPOC = 0xFF5F
	csPPM = 0xFF60
	csPPT = 0xFF61
	csCRG = 0xFF63
	csCOM = 0xFF64
	csSOT = 0xFF90
	csSOP = 0xFF91
	csEPH = 0xFF92
	csSOD = 0xFF93
	csEOC = 0xFFD9
)

// Progression orders (T.800 table A.16).
const (
	progLRCP = iota
	progRLCP
	progRPCL
	progPCRL
	progCPRL
)

// Code-block style flags (T.800 table A.19).
const (
	cbBypass  = 0x01 // selective arithmetic coding bypass
	cbReset   = 0x02 // reset context probabilities on coding pass boundaries
	cbTermAll = 0x04 // termination on each coding pass
	cbCausal  = 0x08 // vertically causal context
	cbSegMark = 0x20 // segmentation symbols
	// 0x10, predictable termination, changes nothing when decoding.
)

// j2kMaxLevels is the most decomposition levels a component may have (T.800 A.6.1).
const j2kMaxLevels = 32

// j2kComponent is one component as SIZ declares it.
type j2kComponent struct {
	prec   int  // bits per sample, 1..38 (this decoder: 1..16)
	signed bool // samples are two's complement
	dx, dy int  // subsampling on the reference grid
}

// j2kCodingStyle is one component's coding parameters (COD or COC).
type j2kCodingStyle struct {
	levels     int    // decomposition levels NL
	cbw, cbh   int    // code-block width and height exponents
	cbStyle    byte   // code-block style flags
	reversible bool   // 5/3 reversible wavelet (else 9/7 irreversible)
	precincts  []byte // per resolution: PPx in the low nibble, PPy in the high one
}

// j2kQuant is one component's quantization (QCD or QCC).
type j2kQuant struct {
	style int      // 0: none, 1: scalar derived, 2: scalar expounded
	guard int      // guard bits
	steps []uint16 // per subband: exponent<<11 | mantissa (mantissa 0 without quantization)
}

// csPOC is one progression order change (T.800 A.6.6).
type j2kPOC struct {
	rs, cs, lye, re, ce, order int
}

// j2kParams are the coding parameters in force in a header, main or tile.
// Component entries are nil where the header sets no component-specific
// value (COC, QCC, RGN).
type j2kParams struct {
	hasCOD   bool
	order    int  // progression order
	layers   int  // quality layers
	mct      bool // multiple component transform
	sop, eph bool // SOP markers may be used; EPH markers are used
	cod      j2kCodingStyle
	coc      []*j2kCodingStyle
	qcd      *j2kQuant
	qcc      []*j2kQuant
	roi      []int // RGN shift per component, -1 where none is set
	pocs     []j2kPOC
}

// newParams returns empty parameters for nc components.
func newParams(nc int) *j2kParams {
	p := &j2kParams{coc: make([]*j2kCodingStyle, nc), qcc: make([]*j2kQuant, nc), roi: make([]int, nc)}
	for i := range p.roi {
		p.roi[i] = -1
	}
	return p
}

// j2kSegment is a marker segment's payload, with a cursor.
type j2kSegment struct {
	marker int
	b      []byte
	pos    int
	err    error
}

// need reports whether n more bytes remain, recording an error if not.
func (s *j2kSegment) need(n int) bool {
	if s.err == nil && s.pos+n > len(s.b) {
		s.err = fmt.Errorf("jpeg2000: marker %04X segment too short", s.marker)
	}
	return s.err == nil
}

func (s *j2kSegment) u8() int {
	if !s.need(1) {
		return 0
	}
	s.pos++
	return int(s.b[s.pos-1])
}

func (s *j2kSegment) u16() int {
	if !s.need(2) {
		return 0
	}
	s.pos += 2
	return int(s.b[s.pos-2])<<8 | int(s.b[s.pos-1])
}

func (s *j2kSegment) u32() int64 {
	if !s.need(4) {
		return 0
	}
	s.pos += 4
	b := s.b[s.pos-4:]
	return int64(b[0])<<24 | int64(b[1])<<16 | int64(b[2])<<8 | int64(b[3])
}

// comp reads a component index, one byte or two as Csiz requires.
func (s *j2kSegment) comp(nc int) int {
	if nc < 257 {
		return s.u8()
	}
	return s.u16()
}

// csSIZ is the image and tile geometry of SIZ.
type j2kSize struct {
	x1, y1, x0, y0     int // image area on the reference grid: [x0, x1) x [y0, y1)
	tw, th, tx0, ty0   int // tile size and tiling origin
	comps              []j2kComponent
	tilesX, tilesY     int
	width, height      int // x1-x0, y1-y0
	maxCompW, maxCompH int
}

// j2kMaxTiles bounds the tiles of an image: tile indexes are 16-bit.
const j2kMaxTiles = 65535

// readSIZ parses the SIZ segment.
func readSIZ(s *j2kSegment) (*j2kSize, error) {
	s.u16() // Rsiz: capabilities, informative for decoding
	z := &j2kSize{}
	v := [8]int64{}
	for i := range v {
		v[i] = s.u32()
	}
	nc := s.u16()
	if s.err != nil {
		return nil, s.err
	}
	for _, x := range v {
		if x >= 1<<31 {
			return nil, fmt.Errorf("jpeg2000: image or tile coordinate %d: over 2^31 is not supported", x)
		}
	}
	z.x1, z.y1, z.x0, z.y0, z.tw, z.th, z.tx0, z.ty0 = int(v[0]), int(v[1]), int(v[2]), int(v[3]), int(v[4]), int(v[5]), int(v[6]), int(v[7])
	switch {
	case z.x0 >= z.x1 || z.y0 >= z.y1:
		return nil, fmt.Errorf("jpeg2000: empty image area (%d,%d)-(%d,%d)", z.x0, z.y0, z.x1, z.y1)
	case z.tw == 0 || z.th == 0:
		return nil, fmt.Errorf("jpeg2000: zero tile size")
	case z.tx0 > z.x0 || z.ty0 > z.y0 || v[6]+v[4] <= v[2] || v[7]+v[5] <= v[3]:
		return nil, fmt.Errorf("jpeg2000: the first tile does not cover the image origin")
	case nc < 1 || nc > 4:
		return nil, fmt.Errorf("jpeg2000: %d components: only 1 to 4 are supported", nc)
	}
	z.width, z.height = z.x1-z.x0, z.y1-z.y0
	tiles := func(n, size int64) int64 { return (n + size - 1) / size }
	tx, ty := tiles(v[0]-v[6], v[4]), tiles(v[1]-v[7], v[5])
	if tx*ty > j2kMaxTiles {
		return nil, fmt.Errorf("jpeg2000: %dx%d tiles: more than %d", tx, ty, j2kMaxTiles)
	}
	z.tilesX, z.tilesY = int(tx), int(ty)
	for range nc {
		ssiz, dx, dy := s.u8(), s.u8(), s.u8()
		if s.err != nil {
			return nil, s.err
		}
		c := j2kComponent{prec: ssiz&0x7F + 1, signed: ssiz&0x80 != 0, dx: dx, dy: dy}
		if c.prec > 16 {
			return nil, fmt.Errorf("jpeg2000: %d-bit samples: at most 16 are supported", c.prec)
		}
		if dx == 0 || dy == 0 {
			return nil, fmt.Errorf("jpeg2000: component subsampling %dx%d", dx, dy)
		}
		z.comps = append(z.comps, c)
	}
	return z, nil
}

// readCodingStyle parses SPcod or SPcoc; custom says whether precinct
// sizes follow.
func readCodingStyle(s *j2kSegment, custom bool) (j2kCodingStyle, error) {
	c := j2kCodingStyle{levels: s.u8(), cbw: s.u8() + 2, cbh: s.u8() + 2, cbStyle: byte(s.u8())}
	t := s.u8()
	if s.err != nil {
		return c, s.err
	}
	switch {
	case c.levels > j2kMaxLevels:
		return c, fmt.Errorf("jpeg2000: %d decomposition levels", c.levels)
	case c.cbw > 10 || c.cbh > 10 || c.cbw+c.cbh > 12:
		return c, fmt.Errorf("jpeg2000: code-block size 2^%d x 2^%d", c.cbw, c.cbh)
	case t > 1:
		return c, fmt.Errorf("jpeg2000: wavelet transform %d: only 9/7 and 5/3 are supported", t)
	case c.cbStyle&0xC0 != 0:
		return c, fmt.Errorf("jpeg2000: code-block style %#x: HT (Part 15) or unknown coding", c.cbStyle)
	}
	c.reversible = t == 1
	c.precincts = make([]byte, c.levels+1)
	for r := range c.precincts {
		c.precincts[r] = 0xFF
		if custom {
			c.precincts[r] = byte(s.u8())
			if r > 0 && (c.precincts[r]&15 == 0 || c.precincts[r]>>4 == 0) {
				return c, fmt.Errorf("jpeg2000: precinct size 2^0 above resolution 0")
			}
		}
	}
	return c, s.err
}

// readQuant parses Sqcd/SPqcd or Sqcc/SPqcc.
func readQuant(s *j2kSegment) (*j2kQuant, error) {
	sq := s.u8()
	q := &j2kQuant{style: sq & 31, guard: sq >> 5}
	switch q.style {
	case 0:
		for s.pos < len(s.b) {
			q.steps = append(q.steps, uint16(s.u8()>>3)<<11)
		}
	case 1, 2:
		for s.pos+1 < len(s.b) {
			q.steps = append(q.steps, uint16(s.u16()))
		}
	default:
		return nil, fmt.Errorf("jpeg2000: quantization style %d", q.style)
	}
	if s.err == nil && len(q.steps) == 0 {
		return nil, fmt.Errorf("jpeg2000: quantization without step sizes")
	}
	return q, s.err
}

// read applies a COD, COC, QCD, QCC, RGN or POC segment to p.
func (p *j2kParams) read(s *j2kSegment, nc int) error {
	switch s.marker {
	case csCOD:
		scod := s.u8()
		p.order, p.layers = s.u8(), s.u16()
		mct := s.u8()
		if s.err != nil {
			return s.err
		}
		if p.order > progCPRL {
			return fmt.Errorf("jpeg2000: progression order %d", p.order)
		}
		if p.layers == 0 {
			return fmt.Errorf("jpeg2000: zero quality layers")
		}
		if mct > 1 {
			return fmt.Errorf("jpeg2000: multiple component transform %d (Part 2) is not supported", mct)
		}
		p.mct, p.sop, p.eph = mct == 1, scod&2 != 0, scod&4 != 0
		cs, err := readCodingStyle(s, scod&1 != 0)
		if err != nil {
			return err
		}
		p.cod, p.hasCOD = cs, true
	case csCOC:
		c := s.comp(nc)
		custom := s.u8()&1 != 0
		if s.err == nil && c >= nc {
			return fmt.Errorf("jpeg2000: COC for component %d of %d", c, nc)
		}
		cs, err := readCodingStyle(s, custom)
		if err != nil {
			return err
		}
		p.coc[c] = &cs
	case csQCD:
		q, err := readQuant(s)
		if err != nil {
			return err
		}
		p.qcd = q
	case csQCC:
		c := s.comp(nc)
		if s.err == nil && c >= nc {
			return fmt.Errorf("jpeg2000: QCC for component %d of %d", c, nc)
		}
		q, err := readQuant(s)
		if err != nil {
			return err
		}
		p.qcc[c] = q
	case csRGN:
		c := s.comp(nc)
		style, shift := s.u8(), s.u8()
		switch {
		case s.err != nil:
			return s.err
		case c >= nc:
			return fmt.Errorf("jpeg2000: RGN for component %d of %d", c, nc)
		case style != 0:
			return fmt.Errorf("jpeg2000: ROI style %d", style)
		case shift > 30:
			return fmt.Errorf("jpeg2000: ROI shift %d", shift)
		}
		p.roi[c] = shift
	case csPOC:
		n := 7
		if nc >= 257 {
			n = 9
		}
		for s.pos+n <= len(s.b) {
			c := j2kPOC{rs: s.u8(), cs: s.comp(nc), lye: s.u16(), re: s.u8(), ce: s.comp(nc), order: s.u8()}
			if c.ce == 0 {
				c.ce = 256
			}
			if c.order > progCPRL {
				return fmt.Errorf("jpeg2000: POC progression order %d", c.order)
			}
			p.pocs = append(p.pocs, c)
		}
		if len(p.pocs) == 0 {
			return fmt.Errorf("jpeg2000: empty POC segment")
		}
	}
	return s.err
}

// j2kTileCoding is the resolved coding of one tile: the tile-part
// headers' parameters over the main header's, per component.
type j2kTileCoding struct {
	order, layers int
	mct           bool
	sop, eph      bool
	pocs          []j2kPOC
	styles        []j2kCodingStyle
	quants        []*j2kQuant
	roi           []int
}

// resolve combines main and tile parameters with the precedence of
// T.800 A.6: tile COC > tile COD > main COC > main COD, likewise for
// quantization.
func resolve(main, tile *j2kParams, nc int) (*j2kTileCoding, error) {
	if !main.hasCOD && !tile.hasCOD {
		return nil, fmt.Errorf("jpeg2000: no COD marker")
	}
	g := main
	if tile.hasCOD {
		g = tile
	}
	t := &j2kTileCoding{order: g.order, layers: g.layers, mct: g.mct, sop: g.sop, eph: g.eph, pocs: main.pocs}
	if tile.pocs != nil {
		t.pocs = tile.pocs
	}
	for c := range nc {
		var cs j2kCodingStyle
		switch {
		case tile.coc[c] != nil:
			cs = *tile.coc[c]
		case tile.hasCOD:
			cs = tile.cod
		case main.coc[c] != nil:
			cs = *main.coc[c]
		default:
			cs = main.cod
		}
		q := tile.qcc[c]
		for _, alt := range []*j2kQuant{tile.qcd, main.qcc[c], main.qcd} {
			if q == nil {
				q = alt
			}
		}
		if q == nil {
			return nil, fmt.Errorf("jpeg2000: no quantization for component %d", c)
		}
		if cs.reversible && q.style != 0 {
			return nil, fmt.Errorf("jpeg2000: component %d: quantization style %d with the reversible 5/3 transform", c, q.style)
		}
		nb := 3*cs.levels + 1
		if q.style != 1 && len(q.steps) < nb {
			return nil, fmt.Errorf("jpeg2000: component %d: %d step sizes for %d subbands", c, len(q.steps), nb)
		}
		roi := tile.roi[c]
		if roi < 0 {
			roi = max(main.roi[c], 0)
		}
		t.styles = append(t.styles, cs)
		t.quants = append(t.quants, q)
		t.roi = append(t.roi, roi)
	}
	if t.mct && nc < 3 {
		return nil, fmt.Errorf("jpeg2000: component transform with %d components", nc)
	}
	if t.mct && t.styles[0].reversible != t.styles[1].reversible || t.mct && t.styles[0].reversible != t.styles[2].reversible {
		return nil, fmt.Errorf("jpeg2000: component transform over components with different wavelets")
	}
	return t, nil
}
