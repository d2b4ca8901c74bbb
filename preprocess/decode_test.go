package preprocess

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

var (
	red   = color.NRGBA{255, 0, 0, 255}
	green = color.NRGBA{0, 255, 0, 255}
	blue  = color.NRGBA{0, 0, 255, 255}
	white = color.NRGBA{255, 255, 255, 255}
	// quadColors are the top-left, top-right, bottom-left and bottom-right quadrants of quad.
	quadColors = [4]color.NRGBA{red, green, blue, white}
	quadPal    = color.Palette{red, green, blue, white}
)

// quad returns a w x h paletted image of four solid quadrants (quadColors).
func quad(w, h int) *image.Paletted {
	img := image.NewPaletted(image.Rect(0, 0, w, h), quadPal)
	for y := range h {
		for x := range w {
			img.SetColorIndex(x, y, uint8(2*(2*y/h)+2*x/w))
		}
	}
	return img
}

// checkQuad checks the centres of the quadrants of p against want (in
// quadColors order) within tol per channel.
func checkQuad(t *testing.T, name string, p *Pixels, want [4]color.NRGBA, tol int) {
	t.Helper()
	if p.Channels != 3 {
		t.Fatalf("%s: %d channels, want 3", name, p.Channels)
	}
	for q, c := range want {
		x, y := p.Width/4+q%2*p.Width/2, p.Height/4+q/2*p.Height/2
		px := p.Pix[(y*p.Width+x)*3:]
		for k, v := range []uint8{c.R, c.G, c.B} {
			if d := int(px[k]) - int(v); d > tol || d < -tol {
				t.Errorf("%s: pixel (%d,%d) = %v, want %v within %d", name, x, y, px[:3], []uint8{c.R, c.G, c.B}, tol)
				break
			}
		}
	}
}

// ppm encodes img as a raw PPM (P6) file.
func ppm(img image.Image) []byte {
	b := img.Bounds()
	out := fmt.Appendf(nil, "P6\n%d %d\n255\n", b.Dx(), b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			out = append(out, c.R, c.G, c.B)
		}
	}
	return out
}

func encode(t *testing.T, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestFormats(t *testing.T) {
	img := quad(64, 32)
	webp, err := os.ReadFile("testdata/quad.webp")
	if err != nil {
		t.Fatal(err)
	}
	cmyk, err := os.ReadFile("testdata/quad_cmyk.jpg")
	if err != nil {
		t.Fatal(err)
	}
	j2k, err := os.ReadFile("testdata/quad.j2k")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		format string
		data   []byte
		tol    int
	}{
		{"png", encode(t, func(b *bytes.Buffer) error { return png.Encode(b, img) }), 0},
		{"gif", encode(t, func(b *bytes.Buffer) error { return gif.Encode(b, img, nil) }), 0},
		{"bmp", encode(t, func(b *bytes.Buffer) error { return bmp.Encode(b, img) }), 0},
		{"tiff", encode(t, func(b *bytes.Buffer) error { return tiff.Encode(b, img, nil) }), 0},
		{"jpeg", encode(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, img, &jpeg.Options{Quality: 100}) }), 10},
		{"webp", webp, 0}, // lossless, written by PIL (testdata/genref)
		{"pnm", ppm(img), 0},
		{"jpeg", cmyk, 16},   // Adobe CMYK JPEG written by PIL
		{"jpeg2000", j2k, 0}, // lossless J2K codestream written by PIL
	}
	for _, c := range cases {
		p, err := DecodeReader(bytes.NewReader(c.data), "quad."+c.format, Options{})
		if err != nil {
			t.Errorf("%s: %v", c.format, err)
			continue
		}
		if p.Format != c.format {
			t.Errorf("format %q, want %q", p.Format, c.format)
		}
		checkQuad(t, c.format, p, quadColors, c.tol)
	}
}

func TestGIFFirstFrame(t *testing.T) {
	frame := func(i uint8) *image.Paletted {
		f := image.NewPaletted(image.Rect(0, 0, 8, 8), quadPal)
		for j := range f.Pix {
			f.Pix[j] = i
		}
		return f
	}
	g := &gif.GIF{Image: []*image.Paletted{frame(0), frame(2)}, Delay: []int{10, 10}}
	data := encode(t, func(b *bytes.Buffer) error { return gif.EncodeAll(b, g) })
	p, err := DecodeReader(bytes.NewReader(data), "anim.gif", Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkQuad(t, "gif", p, [4]color.NRGBA{red, red, red, red}, 0)
}

// TestPixelKinds checks the RGB bytes for alpha, 16-bit, grey and CMYK
// sources: alpha is dropped (the stored colour kept), 16-bit keeps the high byte.
func TestPixelKinds(t *testing.T) {
	nrgba := image.NewNRGBA(image.Rect(0, 0, 2, 1))
	nrgba.SetNRGBA(0, 0, color.NRGBA{10, 20, 30, 0})
	nrgba.SetNRGBA(1, 0, color.NRGBA{200, 100, 50, 128})
	deep := image.NewNRGBA64(image.Rect(0, 0, 2, 1))
	deep.SetNRGBA64(0, 0, color.NRGBA64{0x12ff, 0x5601, 0x9abc, 0})
	deep.SetNRGBA64(1, 0, color.NRGBA64{0xffff, 0x0080, 0x7f7f, 0x8000})
	rgb16 := image.NewRGBA64(image.Rect(0, 0, 2, 1))
	rgb16.SetRGBA64(0, 0, color.RGBA64{0x12ff, 0x5601, 0x9abc, 0xffff})
	rgb16.SetRGBA64(1, 0, color.RGBA64{0xffff, 0x0080, 0x7f7f, 0xffff})
	gray16 := image.NewGray16(image.Rect(0, 0, 2, 1))
	gray16.SetGray16(0, 0, color.Gray16{0x80ff})
	gray16.SetGray16(1, 0, color.Gray16{0x0100})
	premul := image.NewRGBA(image.Rect(0, 0, 2, 1))
	premul.SetRGBA(0, 0, color.RGBA{100, 50, 0, 100}) // straight (255, 127.5, 0) at alpha 100
	premul.SetRGBA(1, 0, color.RGBA{1, 2, 3, 255})
	cmyk := image.NewCMYK(image.Rect(0, 0, 2, 1))
	cmyk.SetCMYK(0, 0, color.CMYK{0, 255, 255, 0}) // red
	cmyk.SetCMYK(1, 0, color.CMYK{0, 0, 0, 255})   // black
	cases := []struct {
		name   string
		img    image.Image
		viaPNG bool
		want   []uint8
	}{
		{"nrgba", nrgba, true, []uint8{10, 20, 30, 200, 100, 50}},
		{"nrgba64", deep, true, []uint8{0x12, 0x56, 0x9a, 0xff, 0x00, 0x7f}},
		{"rgb16", rgb16, true, []uint8{0x12, 0x56, 0x9a, 0xff, 0x00, 0x7f}},
		{"gray16", gray16, true, []uint8{0x80, 0x80, 0x80, 0x01, 0x01, 0x01}},
		{"paletted", quad(2, 1), true, []uint8{255, 0, 0, 0, 255, 0}},
		{"premultiplied", premul, false, []uint8{255, 127, 0, 1, 2, 3}},
		{"cmyk", cmyk, false, []uint8{255, 0, 0, 0, 0, 0}},
	}
	for _, c := range cases {
		var p *Pixels
		if c.viaPNG {
			data := encode(t, func(b *bytes.Buffer) error { return png.Encode(b, c.img) })
			var err error
			if p, err = DecodeReader(bytes.NewReader(data), c.name+".png", Options{}); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		} else {
			p = newPixels(c.img, 1, false, 1)
		}
		if string(p.Pix) != string(c.want) {
			t.Errorf("%s: pixels %v, want %v", c.name, p.Pix, c.want)
		}
	}
	// A grey PNG decodes to one channel, or to luma when grey is asked for.
	g := image.NewGray(image.Rect(0, 0, 3, 1))
	copy(g.Pix, []uint8{0, 77, 255})
	data := encode(t, func(b *bytes.Buffer) error { return png.Encode(b, g) })
	p, err := DecodeReader(bytes.NewReader(data), "g.png", Options{})
	if err != nil || p.Channels != 1 || string(p.Pix) != "\x00\x4d\xff" {
		t.Errorf("grey png: %+v, %v", p, err)
	}
	// PIL's convert("L") of (255, 0, 0), (0, 255, 0), (0, 0, 255), (10, 200, 100) is 76, 150, 29, 132.
	rgb := image.NewNRGBA(image.Rect(0, 0, 4, 1))
	for x, c := range []color.NRGBA{red, green, blue, {10, 200, 100, 255}} {
		rgb.SetNRGBA(x, 0, c)
	}
	if p := newPixels(rgb, 1, true, 1); string(p.Pix) != string([]uint8{76, 150, 29, 132}) {
		t.Errorf("luma %v, want [76 150 29 132]", p.Pix)
	}
}

// pngHeader returns a PNG signature and IHDR chunk claiming a w x h RGB image, and no pixel data.
func pngHeader(w, h uint32) []byte {
	chunk := make([]byte, 0, 25)
	chunk = binary.BigEndian.AppendUint32(chunk, 13)
	chunk = append(chunk, "IHDR"...)
	chunk = binary.BigEndian.AppendUint32(chunk, w)
	chunk = binary.BigEndian.AppendUint32(chunk, h)
	chunk = append(chunk, 8, 2, 0, 0, 0)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return append([]byte("\x89PNG\r\n\x1a\n"), chunk...)
}

func TestPixelLimit(t *testing.T) {
	huge := filepath.Join(t.TempDir(), "huge.png")
	if err := os.WriteFile(huge, pngHeader(40000, 40000), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := Load(huge, Options{})
	if err == nil || !strings.Contains(err.Error(), huge) || !strings.Contains(err.Error(), "40000x40000") ||
		!strings.Contains(err.Error(), "limit") {
		t.Errorf("40000x40000 header: err = %v, want a limit error naming the file and size", err)
	}
	small := encode(t, func(b *bytes.Buffer) error { return png.Encode(b, quad(10, 10)) })
	if _, err := DecodeReader(bytes.NewReader(small), "small.png", Options{MaxPixels: 99}); err == nil {
		t.Error("10x10 image accepted with MaxPixels 99")
	}
	if _, err := DecodeReader(bytes.NewReader(small), "small.png", Options{MaxPixels: 100}); err != nil {
		t.Errorf("10x10 image with MaxPixels 100: %v", err)
	}
	if _, err := DecodeReader(bytes.NewReader(pngHeader(0, 5)), "empty.png", Options{}); err == nil {
		t.Error("0x5 header accepted")
	}
}

func TestCorruptInput(t *testing.T) {
	img := noise(64, 64, 5)
	pngData := encode(t, func(b *bytes.Buffer) error { return png.Encode(b, img) })
	jpgData := encode(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, img, nil) })
	jp2Data, err := os.ReadFile("testdata/photo.jp2")
	if err != nil {
		t.Fatal(err)
	}
	badCRC := bytes.Clone(pngData)
	badCRC[len(badCRC)-20] ^= 0xff // inside the last IDAT
	cases := []struct {
		name, want string
		data       []byte
	}{
		{"garbage.png", "unknown image format", []byte("this is not an image at all")},
		{"empty.jpg", "unknown image format", nil},
		{"cut.png", "truncated png", pngData[:len(pngData)/2]},
		{"header.png", "truncated png", pngData[:40]},
		{"cut.jpg", "truncated jpeg", jpgData[:len(jpgData)/2]},
		{"cut.jp2", "truncated jpeg2000", jp2Data[:len(jp2Data)/2]},
		{"header.jp2", "truncated jpeg2000", jp2Data[:100]},
		{"badcrc.png", "corrupt png", badCRC},
		{"cut.gif", "gif", encode(t, func(b *bytes.Buffer) error { return gif.Encode(b, quad(32, 32), nil) })[:30]},
	}
	for _, c := range cases {
		_, err := DecodeReader(bytes.NewReader(c.data), c.name, Options{})
		if err == nil || !strings.Contains(err.Error(), c.name) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one naming the file and saying %q", c.name, err, c.want)
		}
	}
	if _, err := Decode(filepath.Join(t.TempDir(), "missing.png"), Options{}); err == nil || !strings.Contains(err.Error(), "missing.png") {
		t.Errorf("missing file: err = %v", err)
	}
}

// FuzzDecode checks that no input makes decoding or conversion panic, and
// that whatever decodes is consistent. `go test` runs the seeds.
func FuzzDecode(f *testing.F) {
	img := quad(12, 10)
	for _, enc := range []func(*bytes.Buffer) error{
		func(b *bytes.Buffer) error { return png.Encode(b, img) },
		func(b *bytes.Buffer) error { return gif.Encode(b, img, nil) },
		func(b *bytes.Buffer) error { return bmp.Encode(b, img) },
		func(b *bytes.Buffer) error { return tiff.Encode(b, img, nil) },
		func(b *bytes.Buffer) error { return jpeg.Encode(b, img, nil) },
	} {
		var b bytes.Buffer
		if err := enc(&b); err != nil {
			f.Fatal(err)
		}
		f.Add(b.Bytes())
	}
	f.Add(ppm(img))
	for _, name := range []string{"testdata/quad.webp", "testdata/quad_cmyk.jpg", "testdata/quad_progressive.jpg", "testdata/photo.jpg",
		"testdata/photo.webp", "testdata/photo_422_progressive.jpg", "testdata/photo.jp2", "testdata/quad.j2k"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodeReader(bytes.NewReader(data), "fuzz", Options{MaxPixels: 1 << 20})
		if err != nil {
			return
		}
		if len(p.Pix) != p.Width*p.Height*p.Channels {
			t.Fatalf("%dx%dx%d pixels in %d bytes", p.Width, p.Height, p.Channels, len(p.Pix))
		}
		if _, _, err := p.Tensor(Options{Width: 8, Height: 8}); err != nil {
			t.Fatal(err)
		}
	})
}
