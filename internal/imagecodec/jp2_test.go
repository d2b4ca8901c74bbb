package imagecodec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// j2kHeader builds a codestream main header (SOC, SIZ, COD, QCD) for
// tests: nc components of prec bits, w x h, one tile; cod is the COD
// segment's payload after Scod, or nil for a plain 5/3 one.
func j2kHeader(w, h, nc, prec int, cod []byte) []byte {
	b := []byte{0xFF, 0x4F, 0xFF, 0x51}
	siz := binary.BigEndian.AppendUint16(nil, 0) // Rsiz
	for _, v := range []uint32{uint32(w), uint32(h), 0, 0, uint32(w), uint32(h), 0, 0} {
		siz = binary.BigEndian.AppendUint32(siz, v)
	}
	siz = binary.BigEndian.AppendUint16(siz, uint16(nc))
	for range nc {
		siz = append(siz, byte(prec-1), 1, 1)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(siz)+2))
	b = append(b, siz...)
	if cod == nil {
		cod = []byte{0, 0, 1, 0, 0, 4, 4, 0, 1} // LRCP, 1 layer, no MCT, 0 levels, 64x64, 5/3
	}
	b = append(b, 0xFF, 0x52)
	b = binary.BigEndian.AppendUint16(b, uint16(len(cod)+3))
	b = append(b, 0)
	b = append(b, cod...)
	n := 3*int(cod[4]) + 1 // QCD: no quantization, 2 guard bits, exponent 8 for every subband
	b = append(b, 0xFF, 0x5C, 0, byte(3+n), 0x40)
	return append(b, bytes.Repeat([]byte{8 << 3}, n)...)
}

// jp2Wrap puts a codestream in a JP2 file with the given extra header boxes.
func jp2Wrap(cs []byte, nc int, extra ...[]byte) []byte {
	box := func(typ string, content []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(len(content)+8))
		return append(append(b, typ...), content...)
	}
	ihdr := []byte{0, 0, 0, 1, 0, 0, 0, 1, 0, byte(nc), 7, 7, 0, 0}
	h := box("ihdr", ihdr)
	for _, e := range extra {
		h = append(h, e...)
	}
	f := []byte(jp2Signature)
	f = append(f, box("ftyp", []byte("jp2 \x00\x00\x00\x00jp2 "))...)
	f = append(f, box("jp2h", h)...)
	return append(f, box("jp2c", cs)...)
}

// TestJPEG2000Unsupported checks that features outside this decoder give
// clear errors, from DecodeConfig where the header shows them.
func TestJPEG2000Unsupported(t *testing.T) {
	colr := func(cs uint32) []byte {
		return append([]byte{0, 0, 0, 15, 'c', 'o', 'l', 'r', 1, 0, 0}, byte(cs>>24), byte(cs>>16), byte(cs>>8), byte(cs))
	}
	pclr := []byte{0, 0, 0, 12, 'p', 'c', 'l', 'r', 0, 1, 1, 7}
	cases := []struct {
		name, want string
		data       []byte
	}{
		{"5 components", "5 components", j2kHeader(8, 8, 5, 8, nil)},
		{"17 bits", "17-bit samples", j2kHeader(8, 8, 1, 17, nil)},
		{"Part 2 MCT", "Part 2", j2kHeader(8, 8, 3, 8, []byte{0, 0, 1, 2, 0, 4, 4, 0, 1})},
		{"HT code-blocks", "HT", j2kHeader(8, 8, 1, 8, []byte{0, 0, 1, 0, 0, 4, 4, 0x40, 1})},
		{"transform", "only 9/7 and 5/3", j2kHeader(8, 8, 1, 8, []byte{0, 0, 1, 0, 0, 4, 4, 0, 2})},
		{"code-block size", "code-block size", j2kHeader(8, 8, 1, 8, []byte{0, 0, 1, 0, 0, 8, 8, 0, 1})},
		{"palette", "palette", jp2Wrap(j2kHeader(8, 8, 1, 8, nil), 1, pclr)},
		{"sYCC", "sYCC", jp2Wrap(j2kHeader(8, 8, 3, 8, nil), 3, colr(18))},
		{"no codestream box", "no codestream", jp2Wrap(nil, 1)[:len(jp2Wrap(nil, 1))-8]},
		{"empty", "empty image area", j2kHeader(0, 8, 1, 8, nil)},
	}
	for _, c := range cases {
		_, _, err := Decode(c.data, 0)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one saying %q", c.name, err, c.want)
		}
	}
}

// TestJPEG2000Config checks DecodeConfig's format name, size and colour
// model for both containers and each PIL mode.
func TestJPEG2000Config(t *testing.T) {
	cases := []struct {
		file string
		w, h int
		rgb  bool
	}{
		{"opj_33x17_l_53.j2k", 33, 17, false},
		{"opj_64x48_rgb_97.jp2", 64, 48, true},
		{"opj_opt_tiles_offset_53.j2k", 48, 40, true}, // image offset (7, 5)
	}
	for _, c := range cases {
		data, err := os.ReadFile("testdata/jp2/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		cfg, name, err := DecodeConfig(data)
		if err != nil || name != "jpeg2000" || cfg.Width != c.w || cfg.Height != c.h {
			t.Errorf("%s: %+v %q %v, want %dx%d jpeg2000", c.file, cfg, name, err, c.w, c.h)
		}
		img, _, err := Decode(data, 0)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := img.(*RGB); ok != c.rgb {
			t.Errorf("%s: decoded a %T", c.file, img)
		}
	}
	// An 8x8 grey image with no tile data decodes as black: its tile is
	// absent from the codestream.
	img, _, err := Decode(append(j2kHeader(8, 8, 1, 8, nil), 0xFF, 0xD9), 0)
	if err != nil {
		t.Fatal(err)
	}
	if g, ok := img.(*image.Gray); !ok || !bytes.Equal(g.Pix, make([]byte, 64)) {
		t.Errorf("image without tiles: %T %v", img, img)
	}
}

// TestJPEG2000Limits checks the pixel limit comes before any decoding
// and that a huge tile count is refused.
func TestJPEG2000Limits(t *testing.T) {
	huge := append(j2kHeader(100000, 100000, 3, 8, nil), 0xFF, 0xD9)
	if _, _, err := Decode(huge, 1<<20); !errors.Is(err, ErrTooLarge) {
		t.Errorf("100000x100000: err = %v, want ErrTooLarge", err)
	}
	if _, err := DecodeJPEG2000(huge, 1<<20); !errors.Is(err, ErrTooLarge) {
		t.Errorf("100000x100000, DecodeJPEG2000: err = %v, want ErrTooLarge", err)
	}
	tiles := j2kHeader(1000, 1000, 1, 8, nil)
	binary.BigEndian.PutUint32(tiles[24:], 1) // 1x1 tiles: a million of them
	binary.BigEndian.PutUint32(tiles[28:], 1)
	if _, err := DecodeJPEG2000Config(tiles); err == nil || !strings.Contains(err.Error(), "tiles") {
		t.Errorf("a million tiles: err = %v", err)
	}
}

// TestJPEG2000Subsampled decodes lossless codestreams whose chroma
// components are subsampled (testdata/jp2sub, written by gen.py) and
// checks each pixel holds its components' samples at (x/dx, y/dy). PIL
// 9.4 scrambles these images, so they are checked against the samples
// gen.py encoded (its sub_plane formula) instead.
func TestJPEG2000Subsampled(t *testing.T) {
	names, err := filepath.Glob("testdata/jp2sub/*.j2k")
	if err != nil || len(names) == 0 {
		t.Fatalf("no subsampled test files: %v", err)
	}
	for _, n := range names {
		var w, h int
		var sub [3][2]int
		base := filepath.Base(n)
		if _, err := fmt.Sscanf(base, "opj_%dx%d_%dx%d_%dx%d_%dx%d.j2k", &w, &h,
			&sub[0][0], &sub[0][1], &sub[1][0], &sub[1][1], &sub[2][0], &sub[2][1]); err != nil {
			t.Fatalf("%s: %v", base, err)
		}
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		img, err := DecodeJPEG2000(data, 0)
		if err != nil {
			t.Fatalf("%s: %v", base, err)
		}
		m, ok := img.(*RGB)
		if !ok || m.Rect.Dx() != w || m.Rect.Dy() != h {
			t.Fatalf("%s: decoded a %T of %v", base, img, img.Bounds())
		}
		bad := 0
		for k, s := range sub {
			pw := (w + s[0] - 1) / s[0]
			for y := range h {
				for x := range w {
					i := (y/s[1])*pw + x/s[0]
					want := uint8((i*(k+1)*7 + k*50) % 256)
					if got := m.Pix[y*m.Stride+3*x+k]; got != want && bad < 5 {
						t.Errorf("%s: component %d at (%d,%d) = %d, want %d", base, k, x, y, got, want)
						bad++
					}
				}
			}
		}
	}
}

// BenchmarkDecodeJPEG2000 decodes a lossy 9/7 and a lossless 5/3 file.
func BenchmarkDecodeJPEG2000(b *testing.B) {
	for _, name := range []string{"opj_200x150_97_r60.jp2", "opj_64x48_rgb_53.jp2"} {
		data, err := os.ReadFile("testdata/jp2/" + name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := DecodeJPEG2000(data, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestJPEG2000Wide decodes a 200000x1 image whose packets are all empty:
// the inverse DWT's scratch must grow with the tile's area, not its
// width squared.
func TestJPEG2000Wide(t *testing.T) {
	cs := j2kHeader(200000, 1, 1, 8, []byte{0, 0, 1, 0, 5, 4, 4, 0, 1}) // 5 levels
	body := make([]byte, 16)                                            // 16 empty packets: the precincts of 6 resolutions
	sot := []byte{0xFF, 0x90, 0, 10, 0, 0, 0, 0, 0, 0, 0, 1}
	binary.BigEndian.PutUint32(sot[6:], uint32(len(sot)+2+len(body)))
	cs = append(append(append(append(cs, sot...), 0xFF, 0x93), body...), 0xFF, 0xD9)
	img, err := DecodeJPEG2000(cs, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if g, ok := img.(*image.Gray); !ok || g.Rect.Dx() != 200000 || g.Pix[0] != 128 {
		t.Errorf("decoded %T %v", img, img.Bounds())
	}
}

// TestParallelPanic checks that a panic in one of parallel's goroutines
// reaches the caller, where Decode's guard makes it an error, rather than
// ending the process.
func TestParallelPanic(t *testing.T) {
	_, err := guard(func() (int, error) {
		parallel(3, func(i int) {
			if i == 1 {
				panic("boom")
			}
		})
		return 0, nil
	})
	if err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("err = %v, want the goroutine's panic", err)
	}
}
