package preprocess

import (
	"fmt"
	"image"
	"image/color"

	"github.com/edgeinfer/edgeinfer/internal/imagecodec"
)

// A Converter turns images into tensors for one Options, as FromImage and
// Pixels.Tensor do, keeping its buffers from one image to the next: once
// it has converted an image of a given size, converting another of that
// size allocates nothing when opt.Threads is 1 and the image is a Pixels
// or one of *image.RGBA (opaque pixels), *image.NRGBA, *image.Gray,
// *image.YCbCr (the type image/jpeg returns) or the RGB type the package's
// own JPEG decoder returns. Other image types, or Threads other than 1,
// give the same results with a few allocations per image.
//
// The data and shape a Converter returns are its own buffers: they are
// valid until its next conversion. A Converter is not safe for concurrent
// use; use one per goroutine (or a pool of them).
type Converter struct {
	opt Options // resolved
	s   scratch
	px  Pixels // FromImage's pixels
}

// NewConverter returns a Converter for opt (defaults filled in as for Load).
func NewConverter(opt Options) (*Converter, error) {
	o, err := opt.resolved()
	if err != nil {
		return nil, err
	}
	return &Converter{opt: o}, nil
}

// Options returns the converter's options, with defaults filled in.
func (c *Converter) Options() Options { return c.opt }

// Image converts img as FromImage does (no EXIF orientation).
func (c *Converter) Image(img image.Image) (data []float32, shape []int, err error) {
	if b := img.Bounds(); b.Empty() {
		return nil, nil, fmt.Errorf("preprocess: empty image (%dx%d)", b.Dx(), b.Dy())
	}
	pixelsInto(&c.px, img, 1, c.opt.Gray, c.opt.Threads, &c.s)
	return c.s.tensor(&c.px, c.opt)
}

// Pixels converts decoded pixels as Pixels.Tensor does.
func (c *Converter) Pixels(p *Pixels) (data []float32, shape []int, err error) {
	return c.s.tensor(p, c.opt)
}

// scratch holds the buffers of one conversion. The zero value is ready:
// buffers grow to the sizes asked for and are kept.
type scratch struct {
	row, row3 []uint8 // one source row, in the output and in 3 channels
	luma      []uint8 // colour pixels reduced to luma
	tmp, crop []uint8 // the horizontal pass and the window
	canvas    []uint8 // a letterboxed image with its bars
	ht, vt    taps
	w         []float64
	data      []float32
	shape     [4]int
	lumaPx    Pixels
}

// grow returns s resized to n elements, reusing its array when it can.
// The elements are not cleared.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// tensor is Pixels.Tensor writing into s's buffers; o is resolved.
func (s *scratch) tensor(p *Pixels, o Options) (data []float32, shape []int, err error) {
	if p.Width <= 0 || p.Height <= 0 || (p.Channels != 1 && p.Channels != 3) ||
		len(p.Pix) != p.Width*p.Height*p.Channels {
		return nil, nil, fmt.Errorf("preprocess: invalid pixels: %dx%d with %d channels in %d bytes",
			p.Width, p.Height, p.Channels, len(p.Pix))
	}
	src := p
	if o.Gray && p.Channels == 3 { // PIL converts to "L" before resizing
		s.luma = grow(s.luma, p.Width*p.Height)
		for i := range s.luma {
			s.luma[i] = imagecodec.Luma(p.Pix[3*i], p.Pix[3*i+1], p.Pix[3*i+2])
		}
		s.lumaPx = Pixels{Width: p.Width, Height: p.Height, Channels: 1, Pix: s.luma}
		src = &s.lumaPx
	}
	f := fitOf(src.Width, src.Height, o)
	crop := s.fit(src, f, o)
	o.Width, o.Height = f.outW, f.outH
	s.data = grow(s.data, o.Width*o.Height*o.Channels)
	normalizeInto(s.data, crop, src.Channels, o)
	if o.Layout == NHWC {
		s.shape = [4]int{1, o.Height, o.Width, o.Channels}
	} else {
		s.shape = [4]int{1, o.Channels, o.Height, o.Width}
	}
	return s.data, s.shape[:], nil
}

// pixelsInto is newPixels writing into dst (its Pix reused) with s's row
// buffers; it allocates nothing for the types fastRows reads when threads is 1.
func pixelsInto(dst *Pixels, img image.Image, o int, gray bool, threads int, s *scratch) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	c := imagecodec.Channels(img)
	if gray {
		c = 1
	}
	m := newOrientMap(o, w, h)
	*dst = Pixels{Width: m.dw, Height: m.dh, Channels: c, Pix: grow(dst.Pix, w*h*c), Orientation: o}
	f, ok := fastRowsOf(img)
	if !ok || threads != 1 || (c == 3 && f.channels == 1) {
		readRows(dst.Pix, img, m, c, threads)
		return
	}
	s.row = grow(s.row, w*c)
	if c == 1 && f.channels == 3 {
		s.row3 = grow(s.row3, 3*w)
	}
	for y := range h {
		if c == f.channels {
			f.read(y, s.row)
		} else { // colour to luma
			f.read(y, s.row3)
			for x := range w {
				s.row[x] = imagecodec.Luma(s.row3[3*x], s.row3[3*x+1], s.row3[3*x+2])
			}
		}
		m.place(dst.Pix, s.row, c, y)
	}
}

// readRows fills pix with img's rows through imagecodec.RowReader, on up
// to threads goroutines.
func readRows(pix []uint8, img image.Image, m orientMap, c, threads int) {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	read := imagecodec.RowReader(img, c)
	parallel(h, w, threads, func(y0, y1 int) {
		row := make([]uint8, w*c)
		for y := y0; y < y1; y++ {
			read(y, row)
			m.place(pix, row, c, y)
		}
	})
}

// fastRows reads the rows of the common image types without allocating,
// giving the bytes imagecodec.RowReader gives in the image's native
// channel count (1 for *image.Gray, else 3).
type fastRows struct {
	b        image.Rectangle
	channels int
	gray     *image.Gray
	rgb      *imagecodec.RGB
	nrgba    *image.NRGBA
	rgba     *image.RGBA
	ycc      *image.YCbCr
}

func fastRowsOf(img image.Image) (fastRows, bool) {
	f := fastRows{b: img.Bounds(), channels: 3}
	switch m := img.(type) {
	case *image.Gray:
		f.gray, f.channels = m, 1
	case *imagecodec.RGB:
		f.rgb = m
	case *image.NRGBA:
		f.nrgba = m
	case *image.RGBA:
		f.rgba = m
	case *image.YCbCr:
		f.ycc = m
	default:
		return f, false
	}
	return f, true
}

// read writes row y (counted from the top of the bounds) into dst.
func (f *fastRows) read(y int, dst []uint8) {
	x0, w := f.b.Min.X, f.b.Dx()
	y += f.b.Min.Y
	switch {
	case f.gray != nil:
		i := f.gray.PixOffset(x0, y)
		copy(dst[:w], f.gray.Pix[i:i+w])
	case f.rgb != nil:
		i := f.rgb.PixOffset(x0, y)
		copy(dst[:3*w], f.rgb.Pix[i:i+3*w])
	case f.nrgba != nil:
		p := f.nrgba.Pix[f.nrgba.PixOffset(x0, y):]
		for x := range w {
			dst[3*x], dst[3*x+1], dst[3*x+2] = p[4*x], p[4*x+1], p[4*x+2]
		}
	case f.rgba != nil:
		p := f.rgba.Pix[f.rgba.PixOffset(x0, y):]
		for x := range w {
			r, g, b, a := p[4*x], p[4*x+1], p[4*x+2], p[4*x+3]
			if a != 255 { // premultiplied: recover the stored colour, as RowReader does
				n := color.NRGBAModel.Convert(color.RGBA{r, g, b, a}).(color.NRGBA)
				r, g, b = n.R, n.G, n.B
			}
			dst[3*x], dst[3*x+1], dst[3*x+2] = r, g, b
		}
	case f.ycc != nil:
		// color.YCbCr's RGBA method, at 16 bits, then the high byte: what
		// converting img.At to NRGBA gives, without boxing each pixel.
		for x := range w {
			r, g, b, _ := f.ycc.YCbCrAt(x0+x, y).RGBA()
			dst[3*x], dst[3*x+1], dst[3*x+2] = uint8(r>>8), uint8(g>>8), uint8(b>>8)
		}
	}
}
