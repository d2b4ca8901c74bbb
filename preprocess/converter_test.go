package preprocess

import (
	"image"
	"image/color"
	"slices"
	"testing"

	"github.com/edgeinfer/edgeinfer/internal/imagecodec"
)

// converterImages are images of every type the Converter reads itself, and
// some it hands to imagecodec.RowReader, whole and as sub-images.
func converterImages() map[string]image.Image {
	src := noise(67, 45, 9)
	b := src.Bounds()
	rgba := image.NewRGBA(b)
	gray := image.NewGray(b)
	rgb := imagecodec.NewRGB(b)
	paletted := image.NewPaletted(b, color.Palette{color.NRGBA{255, 0, 0, 255}, color.NRGBA{0, 9, 200, 255}})
	for y := range b.Dy() {
		for x := range b.Dx() {
			c := src.NRGBAAt(x, y)
			if (x+y)%7 == 0 {
				c.A = uint8(x * 3) // translucent: RGBA stores it premultiplied
			}
			rgba.Set(x, y, c)
			gray.Set(x, y, c)
			i := rgb.PixOffset(x, y)
			rgb.Pix[i], rgb.Pix[i+1], rgb.Pix[i+2] = c.R, c.G, c.B
			paletted.SetColorIndex(x, y, uint8((x*y)%2))
		}
	}
	imgs := map[string]image.Image{"nrgba": src, "rgba": rgba, "gray": gray, "rgb": rgb, "paletted": paletted}
	for name, ratio := range map[string]image.YCbCrSubsampleRatio{"444": image.YCbCrSubsampleRatio444, "420": image.YCbCrSubsampleRatio420, "422": image.YCbCrSubsampleRatio422} {
		y := image.NewYCbCr(b, ratio)
		for i := range y.Y {
			y.Y[i] = uint8(i * 31)
		}
		for i := range y.Cb {
			y.Cb[i], y.Cr[i] = uint8(i*17), uint8(255-i*5)
		}
		imgs["ycbcr"+name] = y
	}
	r := image.Rect(3, 5, 60, 40)
	for name, img := range imgs {
		imgs[name+"/sub"] = img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(r)
	}
	return imgs
}

// TestConverterMatchesFromImage checks the Converter's own row readers and
// reused buffers against FromImage, for every layout, channel count and
// grey setting, serially and on threads, converting each image twice.
func TestConverterMatchesFromImage(t *testing.T) {
	imgs := converterImages()
	for _, opt := range []Options{
		{Threads: 1},
		{Threads: 1, Width: 31, Height: 17, Layout: NHWC, Preset: Caffe},
		{Threads: 1, Channels: 1, Width: 28, Height: 28, CropRatio: 1},
		{Threads: 1, Gray: true, Preset: Inception},
		{Threads: 2, Width: 40, Height: 40},
	} {
		c, err := NewConverter(opt)
		if err != nil {
			t.Fatal(err)
		}
		for name, img := range imgs {
			want, wshape, err := FromImage(img, opt)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				got, shape, err := c.Image(img)
				if err != nil || !slices.Equal(shape, wshape) || !slices.Equal(got, want) {
					t.Fatalf("%s, %+v: converter differs from FromImage (shape %v, want %v, err %v)", name, opt, shape, wshape, err)
				}
			}
			p := newPixels(img, 1, opt.Channels == 1 || opt.Gray, 1)
			wantP, _, err := p.Tensor(opt)
			if err != nil {
				t.Fatal(err)
			}
			if got, _, err := c.Pixels(p); err != nil || !slices.Equal(got, wantP) {
				t.Fatalf("%s, %+v: Converter.Pixels differs from Pixels.Tensor (%v)", name, opt, err)
			}
		}
	}
}

// TestConverterAllocs: converting an image of a size seen before allocates
// nothing with one thread.
func TestConverterAllocs(t *testing.T) {
	imgs := converterImages()
	for _, opt := range []Options{{Threads: 1}, {Threads: 1, Channels: 1, Layout: NHWC}} {
		c, err := NewConverter(opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"nrgba", "rgba", "gray", "rgb", "ycbcr420", "ycbcr444/sub"} {
			img := imgs[name]
			if name == "rgba" { // translucent pixels are converted through color.Color
				img = noiseRGBA(67, 45)
			}
			if _, _, err := c.Image(img); err != nil {
				t.Fatal(err)
			}
			if n := testing.AllocsPerRun(20, func() { c.Image(img) }); n != 0 {
				t.Errorf("%s, %+v: %v allocations per image, want 0", name, opt, n)
			}
		}
	}
}

func noiseRGBA(w, h int) *image.RGBA {
	n := noise(w, h, 3)
	return &image.RGBA{Pix: n.Pix, Stride: n.Stride, Rect: n.Rect} // noise is opaque
}
