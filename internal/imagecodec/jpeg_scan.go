package imagecodec

// scanState decodes one scan: the components it codes and, for a
// progressive scan, its spectral band (ss..se) and successive approximation
// bit positions (ah, al).
type scanState struct {
	d              *jpegDecoder
	comps          []*jpegComponent
	ss, se, ah, al int
}

// decode decodes the scan's MCUs, handling restart markers, and leaves
// d.pos where the entropy-coded data ends.
func (s *scanState) decode() error {
	d := s.d
	br := &d.bits
	br.reset(d.data, d.pos)
	d.eobrun = 0
	mx, my := d.mcusX, d.mcusY
	if len(s.comps) == 1 { // a non-interleaved scan codes the component's own blocks, one per MCU
		c := s.comps[0]
		mx, my = ceilDiv(c.w, 8), ceilDiv(c.h8, 8)
	}
	rst := 0
	for m := range mx * my {
		if d.restart > 0 && m > 0 && m%d.restart == 0 {
			if err := s.restartAt(rst); err != nil {
				return err
			}
			rst++
		}
		x, y := m%mx, m/mx
		if len(s.comps) == 1 {
			if err := s.block(s.comps[0], x, y); err != nil {
				return err
			}
		} else {
			for _, c := range s.comps {
				for by := range c.v {
					for bx := range c.h {
						if err := s.block(c, x*c.h+bx, y*c.v+by); err != nil {
							return err
						}
					}
				}
			}
		}
		if br.overrun() {
			return jpegErr("scan data: %w", ErrTruncated)
		}
	}
	d.pos = br.pos
	return nil
}

// restartAt expects restart marker RSTn (n = i mod 8) after the bits read
// so far, and resets the predictors and the bit reader after it.
func (s *scanState) restartAt(i int) error {
	d := s.d
	d.pos = d.bits.pos
	m, err := d.nextMarker()
	if err != nil {
		return err
	}
	if want := byte(mRST0 + i%8); m != want {
		return jpegErr("found marker 0x%02X where restart marker 0x%02X belongs", m, want)
	}
	for _, c := range s.comps {
		c.pred = 0
	}
	d.eobrun = 0
	d.bits.reset(d.data, d.pos)
	return nil
}

// block decodes the block at (bx, by) of component c.
func (s *scanState) block(c *jpegComponent, bx, by int) error {
	if !s.d.progressive {
		var b [64]int16
		if err := s.sequential(c, &b); err != nil {
			return err
		}
		stride := c.bw * 8
		idctIslow(&b, c.quant, c.pix[by*8*stride+bx*8:], stride)
		return nil
	}
	i := (by*c.bw + bx) * 64
	b := (*[64]int16)(c.coef[i : i+64])
	switch {
	case s.ss == 0 && s.ah == 0:
		return s.dcFirst(c, b)
	case s.ss == 0:
		if s.d.bits.bit() {
			b[0] |= 1 << s.al
		}
		return nil
	case s.ah == 0:
		return s.acFirst(c, b)
	}
	return s.acRefine(c, b)
}

// dcDiff decodes one DC difference with c's DC table and adds it to c's predictor.
func (s *scanState) dcDiff(c *jpegComponent) error {
	br := &s.d.bits
	t, err := br.decode(s.d.dc[c.td])
	if err != nil {
		return err
	}
	if t > 15 {
		return jpegErr("corrupt DC coefficient category %d", t)
	}
	c.pred += br.receiveExtend(t)
	return nil
}

// sequential decodes a baseline or extended sequential block (T.81 F.2.2).
func (s *scanState) sequential(c *jpegComponent, b *[64]int16) error {
	if err := s.dcDiff(c); err != nil {
		return err
	}
	b[0] = int16(c.pred)
	br, t := &s.d.bits, s.d.ac[c.ta]
	for k := 1; k < 64; k++ {
		rs, err := br.decode(t)
		if err != nil {
			return err
		}
		r, n := rs>>4, rs&15
		if n == 0 {
			if r != 15 {
				break
			}
			k += 15
			continue
		}
		k += r
		b[zigzag[k]] = int16(br.receiveExtend(n))
	}
	return nil
}

// dcFirst decodes a progressive DC first scan's value for one block (T.81 G.1.2.1).
func (s *scanState) dcFirst(c *jpegComponent, b *[64]int16) error {
	if err := s.dcDiff(c); err != nil {
		return err
	}
	b[0] = int16(c.pred << s.al)
	return nil
}

// acFirst decodes a progressive AC first scan's band for one block (T.81 G.1.2.2).
func (s *scanState) acFirst(c *jpegComponent, b *[64]int16) error {
	d := s.d
	if d.eobrun > 0 {
		d.eobrun--
		return nil
	}
	br, t := &d.bits, d.ac[c.ta]
	for k := s.ss; k <= s.se; k++ {
		rs, err := br.decode(t)
		if err != nil {
			return err
		}
		r, n := rs>>4, rs&15
		if n == 0 {
			if r != 15 {
				d.eobrun = 1<<r + int(br.bits(r)) - 1
				break
			}
			k += 15
			continue
		}
		k += r
		b[zigzag[k]] = int16(br.receiveExtend(n) << s.al)
	}
	return nil
}

// acRefine decodes a progressive AC refinement scan's band for one block
// (T.81 G.1.2.3): correction bits for coefficients already nonzero, and
// new coefficients of magnitude 1 << al.
func (s *scanState) acRefine(c *jpegComponent, b *[64]int16) error {
	d := s.d
	br, t := &d.bits, d.ac[c.ta]
	p1, m1 := int16(1)<<s.al, int16(-1)<<s.al
	// refine appends a correction bit to the nonzero coefficient at zigzag position k.
	refine := func(k int) {
		z := &b[zigzag[k]]
		if br.bit() && *z&p1 == 0 {
			if *z >= 0 {
				*z += p1
			} else {
				*z += m1
			}
		}
	}
	k := s.ss
	if d.eobrun == 0 {
		for ; k <= s.se; k++ {
			rs, err := br.decode(t)
			if err != nil {
				return err
			}
			r, n := rs>>4, rs&15
			var v int16
			if n != 0 { // n must be 1; libjpeg takes any other size as 1 too
				v = m1
				if br.bit() {
					v = p1
				}
			} else if r != 15 {
				d.eobrun = 1<<r + int(br.bits(r))
				break
			}
			for ; k <= s.se; k++ {
				if b[zigzag[k]] != 0 {
					refine(k)
				} else {
					if r == 0 {
						break
					}
					r--
				}
			}
			if v != 0 {
				b[zigzag[k]] = v
			}
		}
	}
	if d.eobrun > 0 {
		for ; k <= s.se; k++ {
			if b[zigzag[k]] != 0 {
				refine(k)
			}
		}
		d.eobrun--
	}
	return nil
}
