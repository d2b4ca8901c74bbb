package imagecodec

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"runtime"
)

// jp2Signature is the JP2 signature box (ISO/IEC 15444-1 I.5.1).
const jp2Signature = "\x00\x00\x00\x0cjP  \r\n\x87\n"

// sniffJPEG2000 reports whether data starts a JP2 file or a raw codestream.
func sniffJPEG2000(data []byte) bool {
	return bytes.HasPrefix(data, []byte(jp2Signature)) || bytes.HasPrefix(data, []byte{0xFF, 0x4F, 0xFF, 0x51})
}

// jp2Box is one box of a JP2 file.
type jp2Box struct {
	typ     string
	content []byte
}

// jp2Boxes splits data into boxes (I.4): a 32-bit length (1: a 64-bit
// length follows the type; 0: the box runs to the end), then the type.
func jp2Boxes(data []byte) ([]jp2Box, error) {
	var boxes []jp2Box
	for len(data) > 0 {
		if len(data) < 8 {
			return nil, fmt.Errorf("jpeg2000: box header: %w", ErrTruncated)
		}
		n, typ, head := uint64(binary.BigEndian.Uint32(data)), string(data[4:8]), uint64(8)
		switch n {
		case 0:
			n = uint64(len(data))
		case 1:
			if len(data) < 16 {
				return nil, fmt.Errorf("jpeg2000: box header: %w", ErrTruncated)
			}
			n, head = binary.BigEndian.Uint64(data[8:]), 16
		}
		if n < head {
			return nil, fmt.Errorf("jpeg2000: %q box of %d bytes", typ, n)
		}
		if n > uint64(len(data)) {
			if typ != "jp2c" {
				return nil, fmt.Errorf("jpeg2000: %q box: %w", typ, ErrTruncated)
			}
			n = uint64(len(data)) // a cut codestream is decoded as far as it goes
		}
		boxes = append(boxes, jp2Box{typ, data[head:n]})
		data = data[n:]
	}
	return boxes, nil
}

// jp2File is what the JP2 boxes say about the image.
type jp2File struct {
	codestream []byte
	sycc       bool // colour specification: sYCC
}

// readJP2 finds the header and codestream boxes of a JP2 file.
func readJP2(data []byte) (*jp2File, error) {
	boxes, err := jp2Boxes(data)
	if err != nil {
		return nil, err
	}
	f := &jp2File{}
	var haveHeader bool
	for _, b := range boxes {
		switch b.typ {
		case "jp2h":
			inner, err := jp2Boxes(b.content)
			if err != nil {
				return nil, err
			}
			for _, h := range inner {
				switch h.typ {
				case "ihdr":
					if len(h.content) < 14 {
						return nil, fmt.Errorf("jpeg2000: image header box of %d bytes", len(h.content))
					}
					haveHeader = true
				case "colr":
					if len(h.content) >= 7 && h.content[0] == 1 && binary.BigEndian.Uint32(h.content[3:]) == 18 {
						f.sycc = true
					}
				case "pclr":
					return nil, fmt.Errorf("jpeg2000: palette images are not supported")
				}
			}
		case "jp2c":
			if f.codestream == nil {
				f.codestream = b.content
			}
		}
	}
	switch {
	case !haveHeader:
		return nil, fmt.Errorf("jpeg2000: no image header box")
	case f.codestream == nil:
		return nil, fmt.Errorf("jpeg2000: no codestream box")
	}
	return f, nil
}

// jpeg2000Input returns the codestream of a JP2 file or raw codestream
// and the file's colour specification.
func jpeg2000Input(data []byte) (*jp2File, error) {
	if bytes.HasPrefix(data, []byte(jp2Signature)) {
		return readJP2(data)
	}
	return &jp2File{codestream: data}, nil
}

// pilMode is the mode PIL gives a JPEG 2000 image: from the codestream's
// component count and first component's precision (L up to 9 bits, I;16
// over that), as PIL's plugin reads them.
func pilMode(siz *j2kSize) string {
	switch len(siz.comps) {
	case 1:
		if siz.comps[0].prec > 9 {
			return "I;16"
		}
		return "L"
	case 2:
		return "LA"
	case 3:
		return "RGB"
	}
	return "RGBA"
}

// DecodeJPEG2000Config reads a JPEG 2000 file's header (JP2 file or raw
// codestream) and returns its size and colour model: color.GrayModel or
// color.Gray16Model for one component, color.RGBAModel for three,
// color.NRGBAModel for two (grey and alpha) or four.
func DecodeJPEG2000Config(data []byte) (image.Config, error) {
	f, err := jpeg2000Input(data)
	if err != nil {
		return image.Config{}, err
	}
	siz, _, err := readJ2KHeader(f.codestream)
	if err != nil {
		return image.Config{}, err
	}
	if f.sycc && len(siz.comps) == 3 {
		return image.Config{}, fmt.Errorf("jpeg2000: sYCC colour space is not supported")
	}
	m := map[string]color.Model{"L": color.GrayModel, "I;16": color.Gray16Model, "LA": color.NRGBAModel,
		"RGB": color.RGBAModel, "RGBA": color.NRGBAModel}[pilMode(siz)]
	return image.Config{ColorModel: m, Width: siz.width, Height: siz.height}, nil
}

// DecodeJPEG2000 decodes a JPEG 2000 Part-1 image, a JP2 file or a raw
// codestream, to the pixels PIL (through openjpeg) gives: an *image.Gray
// for one component of up to 9 bits, an *image.Gray16 for one of 10 to
// 16 bits, an *RGB for three components, an *image.NRGBA for four (RGBA)
// or two (grey and alpha, the grey replicated). Samples of other bit
// depths than 8 are scaled as PIL does: shifted up to 8 bits, or rounded
// down to them (the rounding wraps at the top, as PIL's does), and
// 16-bit ones shifted up to 16 bits. Images of more than maxPixels
// pixels (maxPixels > 0) are refused, with an error wrapping ErrTooLarge,
// before any pixel memory is allocated.
func DecodeJPEG2000(data []byte, maxPixels int64) (image.Image, error) {
	f, err := jpeg2000Input(data)
	if err != nil {
		return nil, err
	}
	siz, _, err := readJ2KHeader(f.codestream)
	if err != nil {
		return nil, err
	}
	if n := int64(siz.width) * int64(siz.height); maxPixels > 0 && n > maxPixels {
		return nil, fmt.Errorf("jpeg2000: image is %dx%d (%d pixels): %w of %d", siz.width, siz.height, n, ErrTooLarge, maxPixels)
	}
	if f.sycc && len(siz.comps) == 3 {
		return nil, fmt.Errorf("jpeg2000: sYCC colour space is not supported")
	}
	cs, err := readCodestream(f.codestream)
	if err != nil {
		return nil, err
	}
	out := newJ2KImage(siz)
	t1s := make([]*t1, runtime.GOMAXPROCS(0))
	for i := range t1s {
		t1s[i] = &t1{}
	}
	for idx, t := range cs.tiles {
		if t == nil {
			continue // a tile absent from the stream stays black
		}
		planes, err := cs.decodeTile(idx, t1s)
		if err != nil {
			return nil, fmt.Errorf("%w (tile %d)", err, idx)
		}
		out.put(siz, idx, planes)
	}
	return out.img, nil
}

// j2kImage is the output image and the writer of its samples.
type j2kImage struct {
	img    image.Image
	pix    []uint8
	stride int
	bpp    int  // bytes per pixel
	wide   bool // 16-bit big-endian samples
	la     bool // grey and alpha into NRGBA
}

func newJ2KImage(siz *j2kSize) *j2kImage {
	r := image.Rect(0, 0, siz.width, siz.height)
	o := &j2kImage{}
	switch pilMode(siz) {
	case "L":
		m := image.NewGray(r)
		o.img, o.pix, o.stride, o.bpp = m, m.Pix, m.Stride, 1
	case "I;16":
		m := image.NewGray16(r)
		o.img, o.pix, o.stride, o.bpp, o.wide = m, m.Pix, m.Stride, 2, true
	case "RGB":
		m := NewRGB(r)
		o.img, o.pix, o.stride, o.bpp = m, m.Pix, m.Stride, 3
	default:
		m := image.NewNRGBA(r)
		o.img, o.pix, o.stride, o.bpp, o.la = m, m.Pix, m.Stride, 4, len(siz.comps) == 2
	}
	return o
}

// put writes a decoded tile's samples, converted as PIL's JPEG 2000
// unpackers convert them: an offset for signed samples, then a shift to
// 8 bits (16 for I;16) with rounding when shifting down. A subsampled
// component's sample for pixel (x, y) of the tile is the one at
// ((x-tx0)/dx, (y-ty0)/dy) from the tile-component's origin.
func (o *j2kImage) put(siz *j2kSize, idx int, planes []j2kSamples) {
	tx0, ty0, tx1, ty1 := siz.tileRect(idx)
	for c, comp := range siz.comps {
		p := planes[c]
		if p.w == 0 || p.h == 0 {
			continue
		}
		offset := int32(0)
		if comp.signed {
			offset = 1 << (comp.prec - 1)
		}
		shift := 8 - comp.prec
		if o.wide {
			shift = 16 - comp.prec
		}
		if shift < 0 {
			offset += 1 << (-shift - 1)
		}
		conv := func(v int32) uint32 {
			u := uint32(v + offset)
			if shift < 0 {
				return u >> -shift
			}
			return u << shift
		}
		if offset == 0 && shift == 0 && comp.dx == 1 && comp.dy == 1 && !o.la && !o.wide {
			for y := ty0; y < ty1; y++ { // 8-bit unsigned samples: copied
				src := p.v[(y-ty0)*p.w : (y-ty0+1)*p.w]
				row := o.pix[(y-siz.y0)*o.stride+(tx0-siz.x0)*o.bpp+c:]
				for x, v := range src[:tx1-tx0] {
					row[x*o.bpp] = uint8(v)
				}
			}
			continue
		}
		dsts := []int{c}
		switch {
		case o.la && c == 0:
			dsts = []int{0, 1, 2}
		case o.la:
			dsts = []int{3}
		}
		for y := ty0; y < ty1; y++ {
			sy := min((y-ty0)/comp.dy, p.h-1)
			src := p.v[sy*p.w : (sy+1)*p.w]
			row := o.pix[(y-siz.y0)*o.stride+(tx0-siz.x0)*o.bpp:]
			for x := range tx1 - tx0 {
				u := conv(src[min(x/comp.dx, p.w-1)])
				if o.wide {
					row[2*x], row[2*x+1] = uint8(u>>8), uint8(u)
					continue
				}
				for _, k := range dsts {
					row[x*o.bpp+k] = uint8(u)
				}
			}
		}
	}
}
