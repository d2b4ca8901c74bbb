package imagecodec

// lutBits is the code length resolved by one table look-up; longer codes
// take the canonical slow path.
const lutBits = 9

// huffTable is a decoding table for one JPEG Huffman table (T.81 annex C).
type huffTable struct {
	lut     [1 << lutBits]uint16 // code length << 8 | symbol; 0: code longer than lutBits
	maxcode [17]int32            // largest code of each length, -1: none
	valptr  [17]int32            // index in values of the first code of each length, minus that code
	values  []uint8
}

// newHuffTable builds a table from the code counts per length (1..16) and
// the symbols in code order, rejecting tables whose codes overflow.
func newHuffTable(counts [16]int, values []uint8) (*huffTable, error) {
	t := &huffTable{values: append([]uint8(nil), values...)}
	code, k := int32(0), 0
	for l := 1; l <= 16; l++ {
		n := counts[l-1]
		t.valptr[l] = int32(k) - code
		t.maxcode[l] = -1
		if n > 0 {
			t.maxcode[l] = code + int32(n) - 1
		}
		for range n {
			if code >= 1<<l {
				return nil, jpegErr("bad Huffman table: codes of length %d overflow", l)
			}
			if l <= lutBits {
				shift := lutBits - l
				for j := code << shift; j < (code+1)<<shift; j++ {
					t.lut[j] = uint16(l)<<8 | uint16(values[k])
				}
			}
			code++
			k++
		}
		code <<= 1
	}
	return t, nil
}

// bitReader reads the entropy-coded segment of a scan, MSB first, removing
// the 0x00 stuffed after 0xFF bytes. At a marker or at the end of the data
// it supplies zero bits, as libjpeg does; pad counts them, so that running
// into the end of the data (but not into a marker) can be reported as
// truncation.
type bitReader struct {
	data   []byte
	pos    int    // next byte to load
	acc    uint64 // bits, left-aligned
	n      int    // bits in acc
	pad    int    // trailing zero bits in acc that are not data
	marker bool   // stopped at a marker
	eof    bool   // stopped at the end of the data
}

// reset starts reading at data[pos] with an empty buffer.
func (b *bitReader) reset(data []byte, pos int) {
	*b = bitReader{data: data, pos: pos}
}

// fill loads bytes until at least 57 bits are buffered.
func (b *bitReader) fill() {
	for b.n <= 56 {
		var c byte
		switch {
		case b.marker || b.eof:
			b.pad += 8
		case b.pos >= len(b.data):
			b.eof = true
			b.pad += 8
		case b.data[b.pos] != 0xFF:
			c = b.data[b.pos]
			b.pos++
		default:
			j := b.pos + 1
			for j < len(b.data) && b.data[j] == 0xFF {
				j++
			}
			switch {
			case j >= len(b.data):
				b.eof = true
				b.pad += 8
			case b.data[j] == 0:
				c = 0xFF
				b.pos = j + 1
			default: // a marker: leave it for the marker parser
				b.marker = true
				b.pad += 8
			}
		}
		b.acc |= uint64(c) << (56 - b.n)
		b.n += 8
	}
}

// overrun reports whether the reader has handed out bits past the end of
// the data (zero bits supplied at a marker do not count, as libjpeg
// decodes on with them after a warning).
func (b *bitReader) overrun() bool {
	return b.eof && b.n < b.pad
}

// bits returns the next n (0..16) bits as an unsigned value.
func (b *bitReader) bits(n int) int32 {
	if n == 0 {
		return 0
	}
	if b.n < n {
		b.fill()
	}
	v := int32(b.acc >> (64 - n))
	b.acc <<= n
	b.n -= n
	return v
}

// bit returns the next bit.
func (b *bitReader) bit() bool {
	return b.bits(1) != 0
}

// receiveExtend reads an s-bit magnitude category value and sign-extends it (T.81 F.2.2.1).
func (b *bitReader) receiveExtend(s int) int32 {
	if s == 0 {
		return 0
	}
	v := b.bits(s)
	if v < 1<<(s-1) {
		v += -1<<s + 1
	}
	return v
}

// decode reads one Huffman-coded symbol.
func (b *bitReader) decode(t *huffTable) (int, error) {
	if b.n < 16 {
		b.fill()
	}
	if e := t.lut[b.acc>>(64-lutBits)]; e != 0 {
		l := int(e >> 8)
		b.acc <<= l
		b.n -= l
		return int(e & 0xFF), nil
	}
	code := int32(b.acc >> 48)
	for l := lutBits + 1; l <= 16; l++ {
		c := code >> (16 - l)
		if c <= t.maxcode[l] {
			b.acc <<= l
			b.n -= l
			i := t.valptr[l] + c
			if i < 0 || int(i) >= len(t.values) {
				break
			}
			return int(t.values[i]), nil
		}
	}
	if b.overrunAhead() {
		return 0, jpegErr("entropy-coded data: %w", ErrTruncated)
	}
	return 0, jpegErr("corrupt entropy-coded data: bad Huffman code")
}

// overrunAhead reports whether the 16 bits being decoded reach past the end of the data.
func (b *bitReader) overrunAhead() bool {
	return b.eof && b.n-16 < b.pad
}
