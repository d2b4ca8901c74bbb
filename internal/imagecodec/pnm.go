package imagecodec

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"strconv"
)

// pnmHeader is a parsed Netpbm header.
type pnmHeader struct {
	kind          byte // '1'..'6'
	width, height int
	maxval        int // 1 for bitmaps
	data          int // offset of the first sample
}

// channels is the number of samples per pixel.
func (h *pnmHeader) channels() int {
	if h.kind == '3' || h.kind == '6' {
		return 3
	}
	return 1
}

// pnmSpace reports whether c is whitespace in a Netpbm header.
func pnmSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// pnmToken reads the header token at data[i:], skipping whitespace and
// #-comments as PIL does (a comment runs to the end of its line, even
// inside a token), and returns it and the offset just past the single
// whitespace byte that ends it.
func pnmToken(data []byte, i int) (string, int, error) {
	var tok []byte
	for i < len(data) && len(tok) <= 10 {
		c := data[i]
		i++
		switch {
		case pnmSpace(c):
			if len(tok) > 0 {
				return string(tok), i, nil
			}
		case c == '#':
			for i < len(data) && data[i] != '\r' && data[i] != '\n' {
				i++
			}
		default:
			tok = append(tok, c)
		}
	}
	switch {
	case len(tok) == 0:
		return "", i, fmt.Errorf("pnm: header: %w", ErrTruncated)
	case len(tok) > 10:
		return "", i, fmt.Errorf("pnm: header token %q too long", tok)
	}
	return string(tok), i, nil
}

// readPNMHeader parses the magic number, size and maxval.
func readPNMHeader(data []byte) (pnmHeader, error) {
	var h pnmHeader
	if len(data) < 3 || data[0] != 'P' || data[1] < '1' || data[1] > '6' || !pnmSpace(data[2]) {
		return h, errors.New("pnm: not a PBM, PGM or PPM file")
	}
	h.kind, h.maxval = data[1], 1
	i := 3
	n := 3
	if h.kind == '1' || h.kind == '4' {
		n = 2
	}
	var vals [3]int
	for k := range n {
		tok, next, err := pnmToken(data, i)
		if err != nil {
			return h, err
		}
		v, err := strconv.Atoi(tok)
		if err != nil || v < 0 {
			return h, fmt.Errorf("pnm: bad header number %q", tok)
		}
		vals[k], i = v, next
	}
	h.width, h.height, h.data = vals[0], vals[1], i
	if n == 3 {
		h.maxval = vals[2]
		if h.maxval < 1 || h.maxval > 65535 {
			return h, fmt.Errorf("pnm: maxval %d (want 1..65535)", h.maxval)
		}
	}
	if h.width == 0 || h.height == 0 {
		return h, fmt.Errorf("pnm: empty image (%dx%d)", h.width, h.height)
	}
	return h, nil
}

// DecodePNMConfig reads a PBM, PGM or PPM header.
func DecodePNMConfig(data []byte) (image.Config, error) {
	h, err := readPNMHeader(data)
	if err != nil {
		return image.Config{}, err
	}
	m := color.Model(color.GrayModel)
	switch {
	case h.channels() == 3:
		m = color.RGBAModel
	case h.maxval > 255:
		m = color.Gray16Model
	}
	return image.Config{ColorModel: m, Width: h.width, Height: h.height}, nil
}

// DecodePNM decodes a Netpbm image, plain (P1-P3) or raw (P4-P6), as PIL
// does: bitmaps (where 1 is black) and greymaps come as an *image.Gray,
// pixmaps as an *RGB, samples rescaled to 0..255 by PIL's
// round(v / maxval * 255) when maxval is not 255; greymaps with maxval
// over 255 come as an *image.Gray16 rescaled to 0..65535 likewise. Raw
// samples over maxval saturate; plain ones are an error. Images of more
// than maxPixels pixels (maxPixels > 0) are refused before decoding, with
// an error wrapping ErrTooLarge, and so are images the data is too short
// to hold.
func DecodePNM(data []byte, maxPixels int64) (image.Image, error) {
	h, err := readPNMHeader(data)
	if err != nil {
		return nil, err
	}
	n := int64(h.width) * int64(h.height)
	if maxPixels > 0 && n > maxPixels {
		return nil, fmt.Errorf("pnm: image is %dx%d (%d pixels): %w of %d", h.width, h.height, n, ErrTooLarge, maxPixels)
	}
	rest := data[h.data:]
	c := h.channels()
	need := n * int64(c) // the fewest bytes the samples can take
	switch {
	case h.kind == '4':
		need = int64((h.width+7)/8) * int64(h.height)
	case h.kind == '2' || h.kind == '3' || h.maxval > 255:
		need *= 2 // a digit and a separator, or two bytes
	}
	if need > int64(len(rest)) {
		return nil, fmt.Errorf("pnm: %dx%d image: %w", h.width, h.height, ErrTruncated)
	}
	r := image.Rect(0, 0, h.width, h.height)
	if h.kind == '5' || h.kind == '6' {
		if h.maxval == 255 {
			pix := append([]uint8(nil), rest[:need]...)
			if c == 3 {
				return &RGB{Pix: pix, Stride: 3 * h.width, Rect: r}, nil
			}
			return &image.Gray{Pix: pix, Stride: h.width, Rect: r}, nil
		}
	}
	next := pnmSamples(h, rest)
	if c == 1 && h.maxval > 255 {
		img := image.NewGray16(r)
		for i := range n {
			v, err := next()
			if err != nil {
				return nil, err
			}
			v = pnmScale(v, h.maxval, 65535)
			img.Pix[2*i], img.Pix[2*i+1] = uint8(v>>8), uint8(v)
		}
		return img, nil
	}
	pix := make([]uint8, n*int64(c))
	for i := range pix {
		v, err := next()
		if err != nil {
			return nil, err
		}
		pix[i] = uint8(pnmScale(v, h.maxval, 255))
	}
	if c == 3 {
		return &RGB{Pix: pix, Stride: 3 * h.width, Rect: r}, nil
	}
	return &image.Gray{Pix: pix, Stride: h.width, Rect: r}, nil
}

// pnmSamples returns a function yielding the samples of the pixel data
// rest in order, in 0..maxval; bitmap bits come as 1 for white, 0 for black.
func pnmSamples(h pnmHeader, rest []byte) func() (int, error) {
	i := 0
	switch h.kind {
	case '4': // packed bits, rows padded to whole bytes
		rowBytes, k := (h.width+7)/8, 0
		return func() (int, error) {
			x, y := k%h.width, k/h.width
			k++
			return int(^rest[y*rowBytes+x/8]>>(7-x%8)) & 1, nil
		}
	case '1': // one character a pixel, whitespace optional
		return func() (int, error) {
			i = skipPNMSpace(rest, i)
			if i >= len(rest) {
				return 0, fmt.Errorf("pnm: pixel data: %w", ErrTruncated)
			}
			c := rest[i]
			i++
			if c != '0' && c != '1' {
				return 0, fmt.Errorf("pnm: invalid bitmap character %q", c)
			}
			return int('1' - c), nil
		}
	case '2', '3':
		return func() (int, error) {
			i = skipPNMSpace(rest, i)
			j := i
			for j < len(rest) && !pnmSpace(rest[j]) && rest[j] != '#' {
				j++
			}
			tok := rest[i:j]
			i = j
			switch {
			case len(tok) == 0:
				return 0, fmt.Errorf("pnm: pixel data: %w", ErrTruncated)
			case len(tok) > 10:
				return 0, fmt.Errorf("pnm: sample %q too long", tok)
			}
			v, err := strconv.Atoi(string(tok))
			switch {
			case err != nil || v < 0:
				return 0, fmt.Errorf("pnm: bad sample %q", tok)
			case v > h.maxval:
				return 0, fmt.Errorf("pnm: sample %d over maxval %d", v, h.maxval)
			}
			return v, nil
		}
	}
	if h.maxval > 255 {
		return func() (int, error) {
			v := int(rest[i])<<8 | int(rest[i+1])
			i += 2
			return v, nil
		}
	}
	return func() (int, error) {
		v := int(rest[i])
		i++
		return v, nil
	}
}

// skipPNMSpace skips whitespace and #-comments in plain pixel data.
func skipPNMSpace(b []byte, i int) int {
	for i < len(b) {
		switch {
		case pnmSpace(b[i]):
			i++
		case b[i] == '#':
			for i < len(b) && b[i] != '\r' && b[i] != '\n' {
				i++
			}
		default:
			return i
		}
	}
	return i
}

// pnmScale is PIL's min(top, round(v / maxval * top)), Python's round
// being half to even on the float64 quotient.
func pnmScale(v, maxval, top int) int {
	if maxval == top {
		return min(v, top)
	}
	return min(top, int(math.RoundToEven(float64(v)/float64(maxval)*float64(top))))
}
