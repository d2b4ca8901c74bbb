package imagecodec

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// refImage is one row of testdata/manifest.tsv: a file and the SHA-256 of
// the pixels PIL decodes from it (see testdata/gen.py).
type refImage struct {
	file          string
	mode          string // PIL mode: L, RGB, RGBA, CMYK
	width, height int
	native        string // sha256 of Image.tobytes() in mode
	rgb, gray     string // sha256 of convert("RGB") and convert("L")
}

// loadManifest reads testdata/manifest.tsv.
func loadManifest(t *testing.T) []refImage {
	t.Helper()
	f, err := os.Open("testdata/manifest.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var refs []refImage
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		c := strings.Split(line, "\t")
		if len(c) != 7 {
			t.Fatalf("manifest line %q: %d columns, want 7", line, len(c))
		}
		w, err1 := strconv.Atoi(c[2])
		h, err2 := strconv.Atoi(c[3])
		if err1 != nil || err2 != nil {
			t.Fatalf("manifest line %q: bad size", line)
		}
		refs = append(refs, refImage{c[0], c[1], w, h, c[4], c[5], c[6]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return refs
}

// nativePixels returns img's samples packed in PIL's layout for mode.
func nativePixels(img image.Image, mode string) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	switch mode {
	case "1": // PIL packs bitmaps 8 pixels a byte, MSB first, 1 for white
		g, ok := img.(*image.Gray)
		if !ok {
			return nil, fmt.Errorf("decoded a %T for PIL mode 1", img)
		}
		rowBytes := (w + 7) / 8
		out := make([]byte, rowBytes*h)
		for y := range h {
			for x := range w {
				if g.Pix[y*g.Stride+x] != 0 {
					out[y*rowBytes+x/8] |= 0x80 >> (x % 8)
				}
			}
		}
		return out, nil
	case "I;16": // PIL's 16-bit greyscale, little-endian
		g, ok := img.(*image.Gray16)
		if !ok {
			return nil, fmt.Errorf("decoded a %T for PIL mode I;16", img)
		}
		out := make([]byte, 0, 2*w*h)
		for y := range h {
			for x := range w {
				i := y*g.Stride + 2*x
				out = append(out, g.Pix[i+1], g.Pix[i])
			}
		}
		return out, nil
	case "LA": // grey and alpha, decoded as NRGBA with the grey replicated
		m, ok := img.(*image.NRGBA)
		if !ok {
			return nil, fmt.Errorf("decoded a %T for PIL mode LA", img)
		}
		out := make([]byte, 0, 2*w*h)
		for y := range h {
			for x := range w {
				i := y*m.Stride + 4*x
				out = append(out, m.Pix[i], m.Pix[i+3])
			}
		}
		return out, nil
	case "I": // PIL's 32-bit integer mode, little-endian
		g, ok := img.(*image.Gray16)
		if !ok {
			return nil, fmt.Errorf("decoded a %T for PIL mode I", img)
		}
		out := make([]byte, 0, 4*w*h)
		for y := range h {
			for x := range w {
				i := y*g.Stride + 2*x
				out = append(out, g.Pix[i+1], g.Pix[i], 0, 0)
			}
		}
		return out, nil
	}
	var pix []byte
	var stride, c int
	switch m := img.(type) {
	case *image.Gray:
		pix, stride, c = m.Pix, m.Stride, 1
	case *RGB:
		pix, stride, c = m.Pix, m.Stride, 3
	case *image.CMYK:
		pix, stride, c = m.Pix, m.Stride, 4
	case *image.NRGBA:
		pix, stride, c = m.Pix, m.Stride, 4
	default:
		return nil, fmt.Errorf("decoded a %T for PIL mode %s", img, mode)
	}
	want := map[string]int{"L": 1, "RGB": 3, "RGBA": 4, "CMYK": 4}[mode]
	if c != want {
		return nil, fmt.Errorf("decoded a %T (%d channels) for PIL mode %s", img, c, mode)
	}
	out := make([]byte, 0, w*h*c)
	for y := range h {
		out = append(out, pix[y*stride:y*stride+w*c]...)
	}
	return out, nil
}

// sha returns the hex SHA-256 of b.
func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// compareRaw describes how got differs from PIL's raw pixels in
// $IMAGECODEC_RAW/file.raw (written by gen.py --raw), if that is set.
func compareRaw(file string, got []byte) string {
	dir := os.Getenv("IMAGECODEC_RAW")
	if dir == "" {
		return "(set IMAGECODEC_RAW to gen.py's --raw folder to see the difference)"
	}
	want, err := os.ReadFile(filepath.Join(dir, file+".raw"))
	if err != nil {
		return err.Error()
	}
	if len(want) != len(got) {
		return fmt.Sprintf("%d bytes, PIL %d", len(got), len(want))
	}
	n, maxd, first := 0, 0, -1
	for i := range got {
		d := int(got[i]) - int(want[i])
		if d != 0 {
			n++
			maxd = max(maxd, d, -d)
			if first < 0 {
				first = i
			}
		}
	}
	return fmt.Sprintf("%d of %d bytes differ, by at most %d; first at byte %d", n, len(got), maxd, first)
}

// TestMatchesPIL decodes every file in testdata/manifest.tsv and checks
// its pixels equal PIL's bit for bit.
func TestMatchesPIL(t *testing.T) {
	refs := loadManifest(t)
	counts := map[string]int{}
	for _, r := range refs {
		t.Run(r.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", r.file))
			if err != nil {
				t.Fatal(err)
			}
			img, _, err := Decode(data, 0)
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != r.width || b.Dy() != r.height {
				t.Fatalf("size %v, PIL %dx%d", b.Size(), r.width, r.height)
			}
			got, err := nativePixels(img, r.mode)
			if err != nil {
				t.Fatal(err)
			}
			if sha(got) != r.native {
				t.Fatalf("pixels differ from PIL's: %s", compareRaw(r.file, got))
			}
			if r.mode == "I" || r.mode == "I;16" {
				return // PIL clips 16-bit samples to 255 when converting; RowReader does not
			}
			for _, c := range []struct {
				channels int
				want     string
			}{{3, r.rgb}, {1, r.gray}} {
				read := RowReader(img, c.channels)
				row := make([]byte, r.width*c.channels)
				var all []byte
				for y := range r.height {
					read(y, row)
					all = append(all, row...)
				}
				if sha(all) != c.want {
					t.Errorf("RowReader(%d channels) differs from PIL's convert(%q)", c.channels, map[int]string{1: "L", 3: "RGB"}[c.channels])
				}
			}
			counts[filepath.Dir(r.file)]++
		})
	}
	t.Logf("bit-exact with PIL: %v", counts)
}
