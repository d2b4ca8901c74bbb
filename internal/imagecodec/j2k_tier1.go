package imagecodec

// Tier-1: the MQ arithmetic decoder (T.800 annex C) and the embedded
// block coding passes that rebuild a code-block's coefficients from it
// (annex D).

// mqState is one row of the MQ coder's probability estimation table
// (T.800 table C.2): Qe, the next state after an MPS and after an LPS,
// and whether an LPS switches the MPS sense.
type mqState struct {
	qe         uint32
	nmps, nlps uint8
	swtch      bool
}

var mqTable = [47]mqState{
	{0x5601, 1, 1, true}, {0x3401, 2, 6, false}, {0x1801, 3, 9, false}, {0x0AC1, 4, 12, false},
	{0x0521, 5, 29, false}, {0x0221, 38, 33, false}, {0x5601, 7, 6, true}, {0x5401, 8, 14, false},
	{0x4801, 9, 14, false}, {0x3801, 10, 14, false}, {0x3001, 11, 17, false}, {0x2401, 12, 18, false},
	{0x1C01, 13, 20, false}, {0x1601, 29, 21, false}, {0x5601, 15, 14, true}, {0x5401, 16, 14, false},
	{0x5101, 17, 15, false}, {0x4801, 18, 16, false}, {0x3801, 19, 17, false}, {0x3401, 20, 18, false},
	{0x3001, 21, 19, false}, {0x2801, 22, 19, false}, {0x2401, 23, 20, false}, {0x2201, 24, 21, false},
	{0x1C01, 25, 22, false}, {0x1801, 26, 23, false}, {0x1601, 27, 24, false}, {0x1401, 28, 25, false},
	{0x1201, 29, 26, false}, {0x1101, 30, 27, false}, {0x0AC1, 31, 28, false}, {0x09C1, 32, 29, false},
	{0x08A1, 33, 30, false}, {0x0521, 34, 31, false}, {0x0441, 35, 32, false}, {0x02A1, 36, 33, false},
	{0x0221, 37, 34, false}, {0x0141, 38, 35, false}, {0x0111, 39, 36, false}, {0x0085, 40, 37, false},
	{0x0049, 41, 38, false}, {0x0025, 42, 39, false}, {0x0015, 43, 40, false}, {0x0009, 44, 41, false},
	{0x0005, 45, 42, false}, {0x0001, 45, 43, false}, {0x5601, 46, 46, false},
}

// Contexts of the block coder (T.800 D.3): 0-8 zero coding, 9-13 sign
// coding, 14-16 magnitude refinement, then run-length and uniform.
const (
	ctxSC      = 9
	ctxMR      = 14
	ctxRL      = 17
	ctxUniform = 18
	numCtx     = 19
)

// mqDecoder is the MQ arithmetic decoder (T.800 C.3) over one codeword
// segment. Past the end of the data it reads 0xFF bytes, as if the
// segment ended with a marker.
type mqDecoder struct {
	data []byte
	pos  int
	c, a uint32
	ct   int
	// per context: index into mqStates (state and MPS sense)
	ctx [32]uint8
}

// mqEntry is one probability state combined with an MPS sense: its Qe
// and the entries to move to after an MPS and after an LPS.
type mqEntry struct {
	qe         uint32
	mps        uint32
	nmps, nlps uint8
}

// mqStates holds mqTable's states twice, for MPS sense 0 (entry 2i) and
// 1 (entry 2i+1), with the switch of sense folded into the LPS moves;
// 256 entries so that a byte indexes it without a bounds check.
var mqStates = func() (t [256]mqEntry) {
	for i, st := range mqTable {
		for mps := range 2 {
			lpsMPS := mps
			if st.swtch {
				lpsMPS = 1 - mps
			}
			t[2*i+mps] = mqEntry{qe: st.qe, mps: uint32(mps), nmps: st.nmps*2 + uint8(mps), nlps: st.nlps*2 + uint8(lpsMPS)}
		}
	}
	return t
}()

// resetContexts sets every context to its initial state (T.800 table D.7).
func (m *mqDecoder) resetContexts() {
	m.ctx = [32]uint8{}
	m.ctx[0], m.ctx[ctxRL], m.ctx[ctxUniform] = 4*2, 3*2, 46*2
}

// init starts decoding data (INITDEC).
func (m *mqDecoder) init(data []byte) {
	m.data, m.pos = data, 0
	m.c = uint32(m.byteAt(0)) << 16
	m.byteIn()
	m.c <<= 7
	m.ct -= 7
	m.a = 0x8000
}

func (m *mqDecoder) byteAt(i int) byte {
	if i < len(m.data) {
		return m.data[i]
	}
	return 0xFF
}

// byteIn reads the next byte into C (BYTEIN), stopping at a marker.
func (m *mqDecoder) byteIn() {
	if m.byteAt(m.pos) == 0xFF {
		if b1 := m.byteAt(m.pos + 1); b1 > 0x8F {
			m.c += 0xFF00
			m.ct = 8
		} else {
			m.pos++
			m.c += uint32(b1) << 9
			m.ct = 7
		}
		return
	}
	m.pos++
	m.c += uint32(m.byteAt(m.pos)) << 8
	m.ct = 8
}

// decode returns the next decision in context cx (DECODE). The common
// case, an MPS needing no renormalization, stays small enough to inline.
func (m *mqDecoder) decode(cx int) uint32 {
	e := &mqStates[m.ctx[cx&31]]
	m.a -= e.qe
	upper := m.c>>16 >= e.qe
	if upper {
		m.c -= e.qe << 16
		if m.a&0x8000 != 0 {
			return e.mps
		}
	}
	return m.exchange(cx, e, upper)
}

// exchange finishes a decision that needs renormalization: in the upper
// sub-interval an MPS (or an LPS by conditional exchange, MPS_EXCHANGE),
// in the lower one an LPS (or an MPS by conditional exchange,
// LPS_EXCHANGE).
func (m *mqDecoder) exchange(cx int, e *mqEntry, upper bool) uint32 {
	d := e.mps
	if m.a < e.qe == upper { // an LPS
		d = 1 - d
		m.ctx[cx&31] = e.nlps
	} else {
		m.ctx[cx&31] = e.nmps
	}
	if !upper {
		m.a = e.qe
	}
	m.renorm()
	return d
}

// renorm doubles A until its top bit is set (RENORMD).
func (m *mqDecoder) renorm() {
	for {
		if m.ct == 0 {
			m.byteIn()
		}
		m.a <<= 1
		m.c <<= 1
		m.ct--
		if m.a&0x8000 != 0 {
			return
		}
	}
}

// rawDecoder reads the bits of a bypassed (raw) coding pass (T.800 D.6):
// most significant first, a 0 bit stuffed after each 0xFF byte, 0xFF
// bytes past the end.
type rawDecoder struct {
	data   []byte
	pos    int
	cur    uint32
	n      int
	lastFF bool
}

func (r *rawDecoder) init(data []byte) { *r = rawDecoder{data: data} }

func (r *rawDecoder) bit() uint32 {
	if r.n == 0 {
		c := byte(0xFF)
		if r.pos < len(r.data) {
			c = r.data[r.pos]
		}
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

// Coefficient state flags of the block coder. The low byte holds the
// significance of the eight neighbours, kept up to date as coefficients
// become significant, so contexts are table lookups.
const (
	nW = 1 << iota // neighbour significance
	nE
	nN
	nS
	nNW
	nNE
	nSW
	nSE
	negW // signs of the four direct neighbours, when significant
	negE
	negN
	negS
	fSig     // significant
	fNeg     // negative (when significant)
	fVisited // coded in this bit-plane's significance pass
	fRefined // refined at least once
)

// zcContext maps a subband orientation and a neighbour significance mask
// to a zero coding context (T.800 table D.1).
var zcContext = func() (t [4][256]uint8) {
	for o := range 4 {
		for m := range 256 {
			h := m&nW/nW + m&nE/nE
			v := m&nN/nN + m&nS/nS
			d := m&nNW/nNW + m&nNE/nNE + m&nSW/nSW + m&nSE/nSE
			if o == 1 { // HL: the roles of h and v swap
				h, v = v, h
			}
			var cx int
			if o == 3 {
				switch hv := h + v; {
				case d >= 3:
					cx = 8
				case d == 2:
					cx = 6 + min(hv, 1)
				case d == 1:
					cx = 3 + min(hv, 2)
				default:
					cx = min(hv, 2)
				}
			} else {
				switch {
				case h == 2:
					cx = 8
				case h == 1:
					cx = 5
					if v > 0 {
						cx = 7
					} else if d > 0 {
						cx = 6
					}
				case v == 2:
					cx = 4
				case v == 1:
					cx = 3
				default:
					cx = min(d, 2)
				}
			}
			t[o][m] = uint8(cx)
		}
	}
	return t
}()

// scContext maps the significance and sign bits of the four direct
// neighbours (flags >> 0 and >> 8, see nW and negW) to a sign coding
// context and the bit to XOR the decoded one with (T.800 table D.3).
var scContext = func() (t [256][2]uint8) {
	for m := range 256 {
		contrib := func(sig, neg int) int {
			switch {
			case m&sig == 0:
				return 0
			case m&(neg>>4) != 0:
				return -1
			}
			return 1
		}
		h := max(-1, min(1, contrib(nW, negW)+contrib(nE, negE)))
		v := max(-1, min(1, contrib(nN, negN)+contrib(nS, negS)))
		x := 0
		if h < 0 || h == 0 && v < 0 {
			h, v, x = -h, -v, 1
		}
		t[m] = [2]uint8{uint8(ctxSC + 3*h + v), uint8(x)}
	}
	return t
}()

// t1 decodes code-blocks; its buffers are reused from block to block.
type t1 struct {
	w, h   int
	flags  []uint16 // (w+2) x (h+2), a border around the block
	mag    []int32  // w x h magnitudes, doubled with a half bit (see decodeBlock)
	mq     mqDecoder
	raw    rawDecoder
	buf    []byte
	causal bool
	orient int
}

// setSignificant marks coefficient (flag index i, magnitude index j, row
// y) significant at bit-plane p with the given sign, and tells its
// neighbours. In vertically causal mode the row above a stripe does not
// see the stripe's first row.
func (t *t1) setSignificant(i, j, y, p int, neg uint32) {
	f, s := t.flags, t.w+2
	n := uint16(neg)
	f[i] |= fSig | n*fNeg
	f[i-1] |= nE | n*negE
	f[i+1] |= nW | n*negW
	if !t.causal || y&3 != 0 {
		f[i-s] |= nS | n*negS
		f[i-s-1] |= nSE
		f[i-s+1] |= nSW
	}
	f[i+s] |= nN | n*negN
	f[i+s-1] |= nNE
	f[i+s+1] |= nNW
	t.mag[j] = 3 << p
}

// decodeSign reads a newly significant coefficient's sign.
func (t *t1) decodeSign(f uint16, raw bool) uint32 {
	if raw {
		return t.raw.bit()
	}
	c := &scContext[uint8(f&0xF|f>>4&0xF0)]
	return t.mq.decode(int(c[0])) ^ uint32(c[1])
}

// sigPass is the significance propagation pass at bit-plane p.
func (t *t1) sigPass(p int, raw bool) {
	s := t.w + 2
	zc := &zcContext[t.orient]
	for y0 := 0; y0 < t.h; y0 += 4 {
		for x := range t.w {
			for y := y0; y < min(y0+4, t.h); y++ {
				i := (y+1)*s + x + 1
				f := t.flags[i]
				if f&fSig != 0 || f&0xFF == 0 {
					continue
				}
				var bit uint32
				if raw {
					bit = t.raw.bit()
				} else {
					bit = t.mq.decode(int(zc[f&0xFF]))
				}
				t.flags[i] |= fVisited
				if bit != 0 {
					t.setSignificant(i, y*t.w+x, y, p, t.decodeSign(f, raw))
				}
			}
		}
	}
}

// refPass is the magnitude refinement pass at bit-plane p.
func (t *t1) refPass(p int, raw bool) {
	s := t.w + 2
	for y0 := 0; y0 < t.h; y0 += 4 {
		for x := range t.w {
			for y := y0; y < min(y0+4, t.h); y++ {
				i := (y+1)*s + x + 1
				f := t.flags[i]
				if f&(fSig|fVisited) != fSig {
					continue
				}
				var bit uint32
				switch {
				case raw:
					bit = t.raw.bit()
				case f&fRefined != 0:
					bit = t.mq.decode(ctxMR + 2)
				case f&0xFF != 0:
					bit = t.mq.decode(ctxMR + 1)
				default:
					bit = t.mq.decode(ctxMR)
				}
				j := y*t.w + x
				if bit != 0 {
					t.mag[j] += 1 << p
				} else {
					t.mag[j] -= 1 << p
				}
				t.flags[i] |= fRefined
			}
		}
	}
}

// cleanupPass is the cleanup pass at bit-plane p; it clears the visited flags.
func (t *t1) cleanupPass(p int, segMark bool) {
	s := t.w + 2
	zc := &zcContext[t.orient]
	for y0 := 0; y0 < t.h; y0 += 4 {
		for x := range t.w {
			y := y0
			if y0+4 <= t.h {
				i := (y0+1)*s + x + 1
				run := true
				for k := range 4 {
					if t.flags[i+k*s]&(fSig|fVisited|0xFF) != 0 {
						run = false
						break
					}
				}
				if run {
					if t.mq.decode(ctxRL) == 0 {
						continue
					}
					k := int(t.mq.decode(ctxUniform)<<1 | t.mq.decode(ctxUniform))
					y = y0 + k
					i += k * s
					t.setSignificant(i, y*t.w+x, y, p, t.decodeSign(t.flags[i], false))
					y++
				}
			}
			for ; y < min(y0+4, t.h); y++ {
				i := (y+1)*s + x + 1
				f := t.flags[i]
				if f&(fSig|fVisited) != 0 {
					continue
				}
				if t.mq.decode(int(zc[f&0xFF])) != 0 {
					t.setSignificant(i, y*t.w+x, y, p, t.decodeSign(f, false))
				}
			}
		}
	}
	for i := range t.flags {
		t.flags[i] &^= fVisited
	}
	if segMark {
		for range 4 {
			t.mq.decode(ctxUniform)
		}
	}
}

// decodeBlock decodes code-block cb of a subband with planes magnitude
// bit-planes. Magnitudes are kept doubled, with the bit below the last
// decoded bit-plane set: the midpoint reconstruction of T.800 E.1.1.2
// with r = 1/2. The result, signed, is left in t.mag, w x h.
func (t *t1) decodeBlock(cb *j2kCodeBlock, planes int, style byte, orient int) {
	t.w, t.h = cb.x1-cb.x0, cb.y1-cb.y0
	t.causal, t.orient = style&cbCausal != 0, orient
	n := (t.w + 2) * (t.h + 2)
	if cap(t.flags) < n {
		t.flags = make([]uint16, n)
	}
	t.flags = t.flags[:n]
	clear(t.flags)
	if cap(t.mag) < t.w*t.h {
		t.mag = make([]int32, t.w*t.h)
	}
	t.mag = t.mag[:t.w*t.h]
	clear(t.mag)
	t.mq.resetContexts()
	pass := 0
	top := planes - cb.zeroPlanes - 1 // bit-plane of the first cleanup pass
	for _, seg := range cb.segs {
		t.buf = t.buf[:0]
		for _, c := range seg.chunks {
			t.buf = append(t.buf, c...)
		}
		raw := style&cbBypass != 0 && pass >= 10 && pass%3 != 0
		if raw {
			t.raw.init(t.buf)
		} else {
			t.mq.init(t.buf)
		}
		for range seg.passes {
			p := top - (pass+2)/3
			switch pass % 3 {
			case 0:
				t.cleanupPass(p, style&cbSegMark != 0)
			case 1:
				t.sigPass(p, raw)
			case 2:
				t.refPass(p, raw)
			}
			if style&cbReset != 0 {
				t.mq.resetContexts()
			}
			pass++
		}
	}
	s := t.w + 2
	for y := range t.h {
		for x := range t.w {
			if t.flags[(y+1)*s+x+1]&fNeg != 0 {
				t.mag[y*t.w+x] = -t.mag[y*t.w+x]
			}
		}
	}
}
