package imagecodec

import (
	"errors"
	"fmt"
	"image"
	"image/color"
)

// JPEG markers (ITU-T T.81 table B.1) that the decoder acts on.
const (
	mSOF0 = 0xC0 // baseline sequential, Huffman
	mSOF1 = 0xC1 // extended sequential, Huffman
	mSOF2 = 0xC2 // progressive, Huffman
	mDHT  = 0xC4
	mRST0 = 0xD0
	mSOI  = 0xD8
	mEOI  = 0xD9
	mSOS  = 0xDA
	mDQT  = 0xDB
	mDNL  = 0xDC
	mDRI  = 0xDD
	mAPP0 = 0xE0
	mAPPE = 0xEE
)

// jpegComponent is one colour component of a frame and, once decoded, its
// samples at their own (possibly subsampled) resolution.
type jpegComponent struct {
	id     uint8
	h, v   int        // sampling factors
	tq     int        // quantization table selector
	quant  *[64]int32 // table latched at the component's first scan, natural order
	bw, bh int        // blocks per row and column, padded to whole MCUs
	w, h8  int        // sample width and height, before padding (downsampled_width/height)
	pix    []uint8    // bw*8 x bh*8 samples
	coef   []int16    // progressive only: bw*bh blocks of 64 coefficients, natural order
	pred   int32      // DC predictor
	td, ta int        // DC and AC Huffman table selectors of the current scan
	seen   bool       // appeared in a scan
}

// jpegDecoder holds the state of one JPEG decode.
type jpegDecoder struct {
	data        []byte
	pos         int
	maxPixels   int64
	width       int
	height      int
	progressive bool
	comps       []jpegComponent
	maxH, maxV  int
	mcusX       int
	mcusY       int
	quant       [4]*[64]int32
	dc, ac      [4]*huffTable
	restart     int // restart interval in MCUs, 0: none
	jfif        bool
	adobe       bool
	transform   uint8 // Adobe colour transform
	eobrun      int
	scans       int
	bits        bitReader
}

// maxScans bounds the scans in one file. Real files have at most a few
// dozen; a crafted one could otherwise repeat cheap scans over a large
// image for a very long time (libjpeg-turbo's tools cap them likewise).
const maxScans = 500

// ErrTooLarge is wrapped by errors for images over the caller's pixel limit.
var ErrTooLarge = errors.New("image over the pixel limit")

// ErrTruncated is wrapped by errors for data that ends before the image does.
var ErrTruncated = errors.New("unexpected end of data")

// DecodeJPEGConfig reads a JPEG file's header (up to its frame header) and
// returns its size and colour model: color.GrayModel for greyscale,
// color.RGBAModel for three components, color.CMYKModel for four.
func DecodeJPEGConfig(data []byte) (image.Config, error) {
	d := jpegDecoder{data: data}
	if err := d.readMarkers(true); err != nil {
		return image.Config{}, err
	}
	return image.Config{ColorModel: colorModel(len(d.comps)), Width: d.width, Height: d.height}, nil
}

// DecodeJPEG decodes a JPEG file exactly as libjpeg-turbo does with its
// default settings (accurate integer IDCT, fancy upsampling) and as PIL
// presents the result: an *image.Gray for one component, an *RGB for three
// (YCbCr, or RGB per the Adobe marker), an *image.CMYK for four (CMYK or
// Adobe YCCK, inverted as PIL's "CMYK;I" raw mode does, so 0 is no ink).
// Images of more than maxPixels pixels (maxPixels > 0) are refused, with an
// error wrapping ErrTooLarge, before any pixel memory is allocated.
//
// Progressive files are reconstructed from all their scans; libjpeg's block
// smoothing applies only to files whose scans leave low-frequency
// coefficients unsent or unrefined, which this decoder does not smooth.
func DecodeJPEG(data []byte, maxPixels int64) (image.Image, error) {
	d := jpegDecoder{data: data, maxPixels: maxPixels}
	if err := d.readMarkers(false); err != nil {
		return nil, err
	}
	return d.output()
}

// jpegErr formats a decoding error.
func jpegErr(format string, args ...any) error {
	return fmt.Errorf("jpeg: "+format, args...)
}

// readMarkers parses the file from SOI. With headerOnly it stops after the
// frame header; otherwise it decodes every scan and stops at EOI.
func (d *jpegDecoder) readMarkers(headerOnly bool) error {
	if len(d.data) < 2 || d.data[0] != 0xFF || d.data[1] != mSOI {
		return jpegErr("missing SOI marker: not a JPEG file")
	}
	d.pos = 2
	for {
		m, err := d.nextMarker()
		if err != nil {
			return err
		}
		switch {
		case m == mEOI:
			if d.comps == nil {
				return jpegErr("no frame before EOI")
			}
			if !d.anyScan() {
				return jpegErr("no scan before EOI")
			}
			return nil
		case m == mSOF0 || m == mSOF1 || m == mSOF2:
			if d.comps != nil {
				return jpegErr("more than one frame header")
			}
			if err := d.readSOF(m == mSOF2); err != nil {
				return err
			}
			if headerOnly {
				return nil
			}
		case m >= 0xC3 && m <= 0xCF && m != mDHT && m != 0xC8 && m != 0xCC:
			return jpegErr("unsupported coding process (SOF%d: lossless, hierarchical or arithmetic)", m-0xC0)
		case m == mSOS:
			if d.comps == nil {
				return jpegErr("scan before frame header")
			}
			if err := d.readScan(); err != nil {
				return err
			}
		case m == mDNL:
			return jpegErr("DNL marker not supported")
		case m >= mRST0 && m < mRST0+8:
			// A stray restart marker outside a scan carries no data.
		default:
			seg, err := d.segment()
			if err != nil {
				return err
			}
			if err := d.readTable(m, seg); err != nil {
				return err
			}
		}
	}
}

// nextMarker skips to the next marker and returns its code; bytes that are
// not a marker are skipped, as libjpeg does after a warning.
func (d *jpegDecoder) nextMarker() (byte, error) {
	for {
		for d.pos < len(d.data) && d.data[d.pos] != 0xFF {
			d.pos++
		}
		for d.pos < len(d.data) && d.data[d.pos] == 0xFF {
			d.pos++
		}
		if d.pos >= len(d.data) {
			return 0, jpegErr("no EOI marker: %w", ErrTruncated)
		}
		m := d.data[d.pos]
		d.pos++
		if m != 0 {
			return m, nil
		}
	}
}

// segment returns the payload of the marker segment at d.pos.
func (d *jpegDecoder) segment() ([]byte, error) {
	if d.pos+2 > len(d.data) {
		return nil, jpegErr("marker segment length: %w", ErrTruncated)
	}
	n := int(d.data[d.pos])<<8 | int(d.data[d.pos+1])
	if n < 2 {
		return nil, jpegErr("marker segment length %d", n)
	}
	if d.pos+n > len(d.data) {
		return nil, jpegErr("marker segment: %w", ErrTruncated)
	}
	seg := d.data[d.pos+2 : d.pos+n]
	d.pos += n
	return seg, nil
}

// readTable interprets a table or miscellaneous marker segment.
func (d *jpegDecoder) readTable(m byte, seg []byte) error {
	switch m {
	case mDQT:
		return d.readDQT(seg)
	case mDHT:
		return d.readDHT(seg)
	case mDRI:
		if len(seg) != 2 {
			return jpegErr("DRI segment of %d bytes", len(seg))
		}
		d.restart = int(seg[0])<<8 | int(seg[1])
	case mAPP0:
		// libjpeg takes a JFIF APP0 of at least 14 bytes as proof of YCbCr.
		if len(seg) >= 14 && string(seg[:5]) == "JFIF\x00" {
			d.jfif = true
		}
	case mAPPE:
		if len(seg) >= 12 && string(seg[:5]) == "Adobe" {
			d.adobe, d.transform = true, seg[11]
		}
	}
	return nil
}

// readDQT reads quantization tables (8- or 16-bit entries, zigzag order).
func (d *jpegDecoder) readDQT(seg []byte) error {
	for len(seg) > 0 {
		pq, tq := seg[0]>>4, seg[0]&15
		n := 64 << pq
		if pq > 1 || tq > 3 {
			return jpegErr("bad DQT table %d precision %d", tq, pq)
		}
		if len(seg) < 1+n {
			return jpegErr("short DQT segment")
		}
		t := new([64]int32)
		for k := range 64 {
			if pq == 0 {
				t[zigzag[k]] = int32(seg[1+k])
			} else {
				t[zigzag[k]] = int32(seg[1+2*k])<<8 | int32(seg[2+2*k])
			}
		}
		d.quant[tq] = t
		seg = seg[1+n:]
	}
	return nil
}

// readDHT reads Huffman tables.
func (d *jpegDecoder) readDHT(seg []byte) error {
	for len(seg) > 0 {
		if len(seg) < 17 {
			return jpegErr("short DHT segment")
		}
		tc, th := seg[0]>>4, seg[0]&15
		if tc > 1 || th > 3 {
			return jpegErr("bad DHT table class %d id %d", tc, th)
		}
		var counts [16]int
		total := 0
		for i := range 16 {
			counts[i] = int(seg[1+i])
			total += counts[i]
		}
		if total > 256 || len(seg) < 17+total {
			return jpegErr("bad DHT segment: %d codes", total)
		}
		t, err := newHuffTable(counts, seg[17:17+total])
		if err != nil {
			return err
		}
		if tc == 0 {
			d.dc[th] = t
		} else {
			d.ac[th] = t
		}
		seg = seg[17+total:]
	}
	return nil
}

// readSOF reads the frame header and sizes the components.
func (d *jpegDecoder) readSOF(progressive bool) error {
	seg, err := d.segment()
	if err != nil {
		return err
	}
	if len(seg) < 6 {
		return jpegErr("short frame header")
	}
	if seg[0] != 8 {
		return jpegErr("%d-bit samples not supported (want 8)", seg[0])
	}
	d.height = int(seg[1])<<8 | int(seg[2])
	d.width = int(seg[3])<<8 | int(seg[4])
	nc := int(seg[5])
	if d.height == 0 {
		return jpegErr("height defined by a DNL marker: not supported")
	}
	if d.width == 0 {
		return jpegErr("zero width")
	}
	if nc != 1 && nc != 3 && nc != 4 {
		return jpegErr("%d components not supported (want 1, 3 or 4)", nc)
	}
	if len(seg) != 6+3*nc {
		return jpegErr("frame header of %d bytes for %d components", len(seg), nc)
	}
	d.progressive = progressive
	d.comps = make([]jpegComponent, nc)
	d.maxH, d.maxV = 1, 1
	for i := range d.comps {
		c := &d.comps[i]
		p := seg[6+3*i:]
		c.id, c.h, c.v, c.tq = p[0], int(p[1]>>4), int(p[1]&15), int(p[2])
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 {
			return jpegErr("component %d has sampling factors %dx%d", i, c.h, c.v)
		}
		if c.tq > 3 {
			return jpegErr("component %d uses quantization table %d", i, c.tq)
		}
		d.maxH, d.maxV = max(d.maxH, c.h), max(d.maxV, c.v)
	}
	for i := range d.comps {
		c := &d.comps[i]
		if d.maxH%c.h != 0 || d.maxV%c.v != 0 {
			return jpegErr("fractional sampling factors (%dx%d in %dx%d) not supported", c.h, c.v, d.maxH, d.maxV)
		}
	}
	d.mcusX = ceilDiv(d.width, 8*d.maxH)
	d.mcusY = ceilDiv(d.height, 8*d.maxV)
	for i := range d.comps {
		c := &d.comps[i]
		c.bw, c.bh = d.mcusX*c.h, d.mcusY*c.v
		c.w, c.h8 = ceilDiv(d.width*c.h, d.maxH), ceilDiv(d.height*c.v, d.maxV)
	}
	return nil
}

// allocate checks the pixel limit and allocates the component planes (and
// coefficient buffers for a progressive file) at the first scan.
func (d *jpegDecoder) allocate() error {
	if n := int64(d.width) * int64(d.height); d.maxPixels > 0 && n > d.maxPixels {
		return fmt.Errorf("jpeg: image is %dx%d (%d pixels): %w of %d", d.width, d.height, n, ErrTooLarge, d.maxPixels)
	}
	for i := range d.comps {
		c := &d.comps[i]
		c.pix = make([]uint8, c.bw*c.bh*64)
		if d.progressive {
			c.coef = make([]int16, c.bw*c.bh*64)
		}
	}
	return nil
}

// anyScan reports whether a scan has been decoded.
func (d *jpegDecoder) anyScan() bool {
	for _, c := range d.comps {
		if c.seen {
			return true
		}
	}
	return false
}

// readScan reads a scan header and decodes the scan's entropy-coded data.
func (d *jpegDecoder) readScan() error {
	seg, err := d.segment()
	if err != nil {
		return err
	}
	if len(seg) < 1 {
		return jpegErr("empty scan header")
	}
	ns := int(seg[0])
	if ns < 1 || ns > 4 || len(seg) != 4+2*ns {
		return jpegErr("scan header for %d components is %d bytes", ns, len(seg))
	}
	if d.scans++; d.scans > maxScans {
		return jpegErr("more than %d scans", maxScans)
	}
	if d.comps[0].pix == nil {
		if err := d.allocate(); err != nil {
			return err
		}
	}
	scan := make([]*jpegComponent, ns)
	blocks := 0
	for i := range ns {
		id, tables := seg[1+2*i], seg[2+2*i]
		var c *jpegComponent
		for j := range d.comps {
			if d.comps[j].id == id {
				c = &d.comps[j]
			}
		}
		if c == nil {
			return jpegErr("scan names unknown component %d", id)
		}
		for _, o := range scan[:i] {
			if o == c {
				return jpegErr("scan names component %d twice", id)
			}
		}
		scan[i] = c
		c.td, c.ta = int(tables>>4), int(tables&15)
		if c.td > 3 || c.ta > 3 {
			return jpegErr("scan uses Huffman tables %d/%d", c.td, c.ta)
		}
		blocks += c.h * c.v
	}
	if ns > 1 && blocks > 10 {
		return jpegErr("MCU of %d blocks (at most 10)", blocks)
	}
	p := seg[1+2*ns:]
	ss, se, ah, al := int(p[0]), int(p[1]), int(p[2]>>4), int(p[2]&15)
	if d.progressive {
		if ss > se || se > 63 || ah > 13 || al > 13 || (ss == 0) != (se == 0) || (ss > 0 && ns != 1) {
			return jpegErr("invalid progressive scan parameters Ss=%d Se=%d Ah=%d Al=%d", ss, se, ah, al)
		}
	} else if ss != 0 || se != 63 || ah != 0 || al != 0 {
		// libjpeg only warns here and decodes the full spectrum.
		ss, se, ah, al = 0, 63, 0, 0
	}
	for _, c := range scan {
		if c.quant == nil { // libjpeg latches a component's table at its first scan
			if d.quant[c.tq] == nil {
				return jpegErr("component %d uses undefined quantization table %d", c.id, c.tq)
			}
			q := *d.quant[c.tq]
			c.quant = &q
		}
		c.seen = true
		c.pred = 0
		needDC := !d.progressive || ss == 0 && ah == 0
		needAC := !d.progressive || ss > 0
		if needDC && d.dc[c.td] == nil || needAC && d.ac[c.ta] == nil {
			return jpegErr("scan uses an undefined Huffman table")
		}
	}
	s := scanState{d: d, comps: scan, ss: ss, se: se, ah: ah, al: al}
	return s.decode()
}

// colorModel is the colour model of the image DecodeJPEG returns for nc components.
func colorModel(nc int) color.Model {
	switch nc {
	case 1:
		return color.GrayModel
	case 4:
		return color.CMYKModel
	}
	return color.RGBAModel
}

// ceilDiv is ceil(a/b) for positive b.
func ceilDiv(a, b int) int { return (a + b - 1) / b }

// zigzag maps the k-th coefficient in zigzag order to its natural
// (row-major) position; the 16 extra entries catch run lengths that
// overshoot position 63 in corrupt data, as libjpeg's table does.
var zigzag = [64 + 16]uint8{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
	63, 63, 63, 63, 63, 63, 63, 63,
	63, 63, 63, 63, 63, 63, 63, 63,
}
