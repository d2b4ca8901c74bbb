package preprocess

import (
	"bytes"
	"encoding/binary"
	"image/color"
	"image/jpeg"
	"testing"
)

// tiffIFD returns a TIFF structure whose IFD0 holds one entry: tag, type,
// count and a SHORT value.
func tiffIFD(bo binary.AppendByteOrder, tag, typ uint16, count uint32, value uint16) []byte {
	t := []byte("II")
	if bo == binary.AppendByteOrder(binary.BigEndian) {
		t = []byte("MM")
	}
	t = bo.AppendUint16(t, 42)
	t = bo.AppendUint32(t, 8) // IFD0 offset
	t = bo.AppendUint16(t, 1) // one entry
	t = bo.AppendUint16(t, tag)
	t = bo.AppendUint16(t, typ)
	t = bo.AppendUint32(t, count)
	t = bo.AppendUint16(t, value)
	t = bo.AppendUint16(t, 0)    // value field padding
	return bo.AppendUint32(t, 0) // no next IFD
}

// app1 wraps a payload in a JPEG APP1 segment.
func app1(payload []byte) []byte {
	n := len(payload) + 2
	return append([]byte{0xFF, 0xE1, byte(n >> 8), byte(n)}, payload...)
}

// exifJPEG returns jpg with an APP1 Exif segment holding orientation o inserted after SOI.
func exifJPEG(jpg []byte, bo binary.AppendByteOrder, o uint16) []byte {
	seg := app1(append([]byte("Exif\x00\x00"), tiffIFD(bo, 0x0112, 3, 1, o)...))
	return append(append(bytes.Clone(jpg[:2]), seg...), jpg[2:]...)
}

// exifSides says where the stored row 0 and column 0 are displayed for each
// orientation value (EXIF 2.3, tag 0x0112).
var exifSides = [9][2]string{
	1: {"top", "left"}, 2: {"top", "right"}, 3: {"bottom", "right"}, 4: {"bottom", "left"},
	5: {"left", "top"}, 6: {"right", "top"}, 7: {"right", "bottom"}, 8: {"left", "bottom"},
}

var opposite = map[string]string{"top": "bottom", "bottom": "top", "left": "right", "right": "left"}

func TestEXIFOrientation(t *testing.T) {
	// 64x32 stored image with solid quadrants; each 8x8 chroma block is one colour.
	jpg := encode(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, quad(64, 32), &jpeg.Options{Quality: 100}) })
	for o := uint16(1); o <= 8; o++ {
		bo := binary.AppendByteOrder(binary.LittleEndian)
		if o%2 == 0 {
			bo = binary.BigEndian
		}
		p, err := DecodeReader(bytes.NewReader(exifJPEG(jpg, bo, o)), "o.jpg", Options{})
		if err != nil {
			t.Fatalf("orientation %d: %v", o, err)
		}
		w, h := 64, 32
		if o >= 5 {
			w, h = 32, 64
		}
		if p.Width != w || p.Height != h || p.Orientation != int(o) {
			t.Fatalf("orientation %d: %dx%d (orientation %d), want %dx%d", o, p.Width, p.Height, p.Orientation, w, h)
		}
		// Stored quadrant (qr, qc) touches row 0's side when qr == 0 and column 0's when qc == 0.
		var want [4]color.NRGBA
		for q, c := range quadColors {
			sides := map[string]bool{}
			rowSide, colSide := exifSides[o][0], exifSides[o][1]
			if q/2 == 1 {
				rowSide = opposite[rowSide]
			}
			if q%2 == 1 {
				colSide = opposite[colSide]
			}
			sides[rowSide], sides[colSide] = true, true
			at := 0 // displayed quadrant index
			if sides["right"] {
				at++
			}
			if sides["bottom"] {
				at += 2
			}
			want[at] = c
		}
		checkQuad(t, "orientation "+string(rune('0'+o)), p, want, 10)
	}
}

func TestEXIFParser(t *testing.T) {
	le := binary.LittleEndian
	valid := tiffIFD(le, 0x0112, 3, 1, 6)
	soi := []byte{0xFF, 0xD8}
	cases := []struct {
		name string
		data []byte
		want int
	}{
		{"tiff file", valid, 6},
		{"big-endian tiff", tiffIFD(binary.BigEndian, 0x0112, 3, 1, 8), 8},
		{"jpeg", append(append(bytes.Clone(soi), app1(append([]byte("Exif\x00\x00"), valid...))...), 0xFF, 0xD9), 6},
		{"xmp app1 first", append(append(append(bytes.Clone(soi), app1([]byte("http://ns.adobe.com/xap/1.0/\x00<x/>"))...),
			app1(append([]byte("Exif\x00\x00"), valid...))...), 0xFF, 0xDA), 6},
		{"after scan", append(append(bytes.Clone(soi), 0xFF, 0xDA, 0, 2), app1(append([]byte("Exif\x00\x00"), valid...))...), 1},
		{"other tag", tiffIFD(le, 0x0110, 3, 1, 6), 1},
		{"long type", tiffIFD(le, 0x0112, 4, 1, 6), 1},
		{"two values", tiffIFD(le, 0x0112, 3, 2, 6), 1},
		{"value 9", tiffIFD(le, 0x0112, 3, 1, 9), 1},
		{"value 0", tiffIFD(le, 0x0112, 3, 1, 0), 1},
		{"ifd past end", append(bytes.Clone(valid[:4]), 0xff, 0xff, 0xff, 0xff), 1},
		{"entries past end", append(bytes.Clone(valid[:8]), 0xff, 0xff), 1},
		{"short tiff", valid[:7], 1},
		{"bad magic", append([]byte("II\x2b\x00"), valid[4:]...), 1},
		{"segment past end", append(bytes.Clone(soi), 0xFF, 0xE1, 0xFF, 0xFF, 'E', 'x'), 1},
		{"segment length 1", append(bytes.Clone(soi), 0xFF, 0xE1, 0x00, 0x01, 0, 0), 1},
		{"no marker", append(bytes.Clone(soi), 0x12, 0x34, 0x56, 0x78), 1},
		{"exif header only", append(bytes.Clone(soi), app1([]byte("Exif\x00\x00II"))...), 1},
		{"png", []byte("\x89PNG\r\n\x1a\n"), 1},
		{"empty", nil, 1},
	}
	for _, c := range cases {
		if got := exifOrientation(c.data); got != c.want {
			t.Errorf("%s: orientation %d, want %d", c.name, got, c.want)
		}
	}
	// A JPEG whose Exif segment is malformed still decodes, unrotated.
	jpg := encode(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, quad(16, 8), nil) })
	bad := append(append(bytes.Clone(jpg[:2]), app1(append([]byte("Exif\x00\x00"), valid[:12]...))...), jpg[2:]...)
	p, err := DecodeReader(bytes.NewReader(bad), "bad-exif.jpg", Options{})
	if err != nil || p.Orientation != 1 || p.Width != 16 {
		t.Errorf("malformed Exif: %v, %v", p, err)
	}
}

// FuzzEXIFOrientation checks that no input panics the parser or yields a
// value outside 1..8. `go test` runs the seeds.
func FuzzEXIFOrientation(f *testing.F) {
	valid := tiffIFD(binary.LittleEndian, 0x0112, 3, 1, 6)
	f.Add(valid)
	f.Add(append([]byte{0xFF, 0xD8}, app1(append([]byte("Exif\x00\x00"), valid...))...))
	f.Add(tiffIFD(binary.BigEndian, 0x0112, 3, 1, 3))
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := exifOrientation(data); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
	})
}

// TestOrientMapIsPermutation checks that every orientation maps a w x h
// image onto its upright size one to one.
func TestOrientMapIsPermutation(t *testing.T) {
	for o := 1; o <= 8; o++ {
		m := newOrientMap(o, 5, 3)
		seen := make([]bool, 15)
		for sy := range 3 {
			for sx := range 5 {
				i := m.base + sx*m.ax + sy*m.ay
				if i < 0 || i >= 15 || seen[i] {
					t.Fatalf("orientation %d: pixel (%d,%d) maps to %d twice or out of range", o, sx, sy, i)
				}
				seen[i] = true
			}
		}
		if m.dw*m.dh != 15 || (o >= 5) != (m.dw == 3) {
			t.Errorf("orientation %d: upright size %dx%d", o, m.dw, m.dh)
		}
	}
}
