package preprocess

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// hostileImages returns well-formed small images of every kind the decoder
// meets in practice, by name: each file format, baseline and progressive
// JPEG, CMYK, grey, alpha, 16-bit and paletted PNG, and EXIF orientations.
// The hostile tests below damage them.
func hostileImages(t testing.TB) map[string][]byte {
	t.Helper()
	enc := func(f func(*bytes.Buffer) error) []byte {
		var b bytes.Buffer
		if err := f(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	img := noise(24, 16, 9)
	gray := image.NewGray(img.Bounds())
	deep := image.NewNRGBA64(img.Bounds())
	for i := range gray.Pix {
		gray.Pix[i] = img.Pix[4*i]
		deep.Pix[8*i], deep.Pix[8*i+6] = img.Pix[4*i], uint8(i)
	}
	files := map[string][]byte{
		"rgb.png":      enc(func(b *bytes.Buffer) error { return png.Encode(b, img) }),
		"gray.png":     enc(func(b *bytes.Buffer) error { return png.Encode(b, gray) }),
		"rgba16.png":   enc(func(b *bytes.Buffer) error { return png.Encode(b, deep) }),
		"paletted.png": enc(func(b *bytes.Buffer) error { return png.Encode(b, quad(24, 16)) }),
		"rgb.jpg":      enc(func(b *bytes.Buffer) error { return jpeg.Encode(b, img, nil) }),
		"gray.jpg":     enc(func(b *bytes.Buffer) error { return jpeg.Encode(b, gray, nil) }),
		"anim.gif":     enc(func(b *bytes.Buffer) error { return gif.Encode(b, quad(24, 16), nil) }),
		"rgb.bmp":      enc(func(b *bytes.Buffer) error { return bmp.Encode(b, img) }),
		"rgb.tiff":     enc(func(b *bytes.Buffer) error { return tiff.Encode(b, img, &tiff.Options{Compression: tiff.Deflate}) }),
	}
	files["rotated.jpg"] = exifJPEG(files["rgb.jpg"], binary.BigEndian, 6)
	files["rgb.ppm"] = ppm(img)
	for _, name := range []string{"quad.webp", "quad_cmyk.jpg", "quad_progressive.jpg", "photo.jpg", "photo.webp", "photo_422_progressive.jpg", "photo_gray.jpg", "photo.jp2", "quad.j2k"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	return files
}

// checkDecoded checks the outcome of decoding a damaged file: consistent
// pixels that convert to a tensor, or an error naming the file. A decoder
// panic (recovered by guard) is reported through the returned flag.
func checkDecoded(t *testing.T, name string, p *Pixels, err error) (decoderPanic bool) {
	t.Helper()
	if err != nil {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
		return strings.Contains(err.Error(), "decoder panicked")
	}
	if len(p.Pix) != p.Width*p.Height*p.Channels || p.Width <= 0 || p.Height <= 0 {
		t.Errorf("%s: %dx%dx%d pixels in %d bytes", name, p.Width, p.Height, p.Channels, len(p.Pix))
		return false
	}
	if _, _, err := p.Tensor(Options{Width: 8, Height: 8}); err != nil {
		t.Errorf("%s: decoded but Tensor fails: %v", name, err)
	}
	return false
}

// TestHostileImages truncates every fixture at many offsets and flips
// random bits in it: each damaged file decodes consistently or fails with
// an error naming it. Third-party decoder panics are recovered and counted.
func TestHostileImages(t *testing.T) {
	flips := 64
	if testing.Short() {
		flips = 16
	}
	rng := rand.New(rand.NewPCG(4, 4))
	cases, panics := 0, 0
	for name, data := range hostileImages(t) {
		step := max(1, len(data)/150)
		for n := 0; n < len(data); n += step {
			label := name + "@" + strconv.Itoa(n)
			p, err := DecodeReader(bytes.NewReader(data[:n]), label, Options{MaxPixels: 1 << 20})
			if err == nil {
				// Only a prefix ending on a complete image can decode.
				t.Logf("%s: a %d-byte prefix of %d decodes", name, n, len(data))
			}
			if checkDecoded(t, label, p, err) {
				panics++
			}
			cases++
		}
		for range flips {
			b := bytes.Clone(data)
			for range 1 + rng.IntN(4) {
				i := rng.IntN(len(b))
				b[i] ^= 1 << rng.IntN(8)
			}
			label := name + "~flipped"
			p, err := DecodeReader(bytes.NewReader(b), label, Options{MaxPixels: 1 << 20})
			if checkDecoded(t, label, p, err) {
				panics++
			}
			cases++
		}
	}
	t.Logf("%d damaged images, %d recovered decoder panics", cases, panics)
}

// TestMoreKinds checks the formats TestFormats does not: progressive JPEG
// (written by PIL), greyscale JPEG, 16-bit RGBA and paletted PNG with
// translucent entries.
func TestMoreKinds(t *testing.T) {
	files := hostileImages(t)
	p, err := DecodeReader(bytes.NewReader(files["quad_progressive.jpg"]), "p.jpg", Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkQuad(t, "progressive jpeg", p, quadColors, 10)

	p, err = DecodeReader(bytes.NewReader(files["gray.jpg"]), "g.jpg", Options{})
	if err != nil || p.Channels != 1 {
		t.Fatalf("grey jpeg: %+v, %v; want one channel", p, err)
	}
	pal := color.Palette{color.NRGBA{200, 100, 50, 128}, color.NRGBA{0, 0, 255, 255}}
	pimg := image.NewPaletted(image.Rect(0, 0, 2, 1), pal)
	pimg.Pix[1] = 1
	var b bytes.Buffer
	if err := png.Encode(&b, pimg); err != nil {
		t.Fatal(err)
	}
	p, err = DecodeReader(&b, "pal.png", Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Alpha is dropped and the stored colour kept (within the rounding of
	// the encoder's premultiplied palette).
	want := []uint8{200, 100, 50, 0, 0, 255}
	for i, v := range want {
		if d := int(p.Pix[i]) - int(v); d < -1 || d > 1 {
			t.Fatalf("translucent palette: pixels %v, want %v within 1", p.Pix, want)
		}
	}
}

// endless is an image stream that never ends.
type endless struct{ read int64 }

func (e *endless) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = 0xFF
	}
	e.read += int64(len(b))
	return len(b), nil
}

func TestFileSizeLimit(t *testing.T) {
	data := hostileImages(t)["rgb.png"]
	path := filepath.Join(t.TempDir(), "big.png")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	limit := int64(len(data) - 1)
	if _, err := Decode(path, Options{MaxFileBytes: limit}); err == nil || !strings.Contains(err.Error(), path) ||
		!strings.Contains(err.Error(), "over the limit of "+strconv.FormatInt(limit, 10)+" bytes") {
		t.Errorf("file one byte over the limit: %v", err)
	}
	if _, err := Decode(path, Options{MaxFileBytes: limit + 1}); err != nil {
		t.Errorf("file at the limit: %v", err)
	}
	if _, err := DecodeReader(bytes.NewReader(data), "s.png", Options{MaxFileBytes: -1}); err != nil {
		t.Errorf("no limit: %v", err)
	}
	// A stream is not read past the limit.
	e := &endless{}
	if _, err := DecodeReader(e, "endless", Options{MaxFileBytes: 1 << 20}); err == nil || !strings.Contains(err.Error(), "endless: file is over the limit") {
		t.Errorf("endless stream: %v", err)
	}
	if e.read > 1<<20+64<<10 {
		t.Errorf("read %d bytes of an endless stream with a 1 MiB limit", e.read)
	}
}
