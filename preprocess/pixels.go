package preprocess

import (
	"image"
	"runtime"
	"sync"

	"github.com/edgeinfer/edgeinfer/internal/imagecodec"
)

// Pixels is a decoded, upright 8-bit image: Height rows of Width pixels, each
// Channels interleaved bytes (R, G, B, or one luma byte), top row first.
// Alpha is dropped, as PIL's convert("RGB") does: the stored colour of a
// transparent pixel is kept, not composited over a background.
type Pixels struct {
	Width, Height, Channels int
	Pix                     []uint8
	Format                  string // decoder that read the file ("jpeg", "png", ...); empty for FromImage
	Orientation             int    // EXIF orientation that was applied (1: none)
}

// orientMap places source pixel (sx, sy) of a w x h image at index
// base + sx*ax + sy*ay of the upright dw x dh image, for EXIF orientation o.
type orientMap struct{ base, ax, ay, dw, dh int }

func newOrientMap(o, w, h int) orientMap {
	switch o {
	case 2: // mirrored horizontally
		return orientMap{w - 1, -1, w, w, h}
	case 3: // rotated 180
		return orientMap{(h-1)*w + w - 1, -1, -w, w, h}
	case 4: // mirrored vertically
		return orientMap{(h - 1) * w, 1, -w, w, h}
	case 5: // transposed: row 0 is the left column, column 0 the top row
		return orientMap{0, h, 1, h, w}
	case 6: // stored rotated 90 counter-clockwise: display rotates it clockwise
		return orientMap{h - 1, h, -1, h, w}
	case 7: // transversed: row 0 is the right column, column 0 the bottom row
		return orientMap{(w-1)*h + h - 1, -h, -1, h, w}
	case 8: // stored rotated 90 clockwise: display rotates it counter-clockwise
		return orientMap{(w - 1) * h, -h, 1, h, w}
	}
	return orientMap{0, 1, w, w, h}
}

// place writes source row sy (w pixels of c bytes) into dst.
func (m orientMap) place(dst, row []uint8, c, sy int) {
	i := m.base + sy*m.ay
	if m.ax == 1 {
		copy(dst[i*c:], row)
		return
	}
	for sx := 0; sx < len(row); sx += c {
		copy(dst[i*c:i*c+c], row[sx:sx+c])
		i += m.ax
	}
}

// newPixels converts img to upright packed pixels, applying EXIF orientation
// o; gray selects one luma channel, otherwise grey sources keep one channel
// and colour sources get three.
func newPixels(img image.Image, o int, gray bool, threads int) *Pixels {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	c := imagecodec.Channels(img)
	if gray {
		c = 1
	}
	m := newOrientMap(o, w, h)
	p := &Pixels{Width: m.dw, Height: m.dh, Channels: c, Pix: make([]uint8, w*h*c), Orientation: o}
	readRows(p.Pix, img, m, c, threads)
	return p
}

// minParallelWork is the least work (items times cost) worth a goroutine.
const minParallelWork = 1 << 15

// parallel runs fn over [0, n) split into contiguous chunks on up to threads
// goroutines (0: GOMAXPROCS), using fewer when n*cost is small.
func parallel(n, cost, threads int, fn func(lo, hi int)) {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	threads = int(min(int64(threads), int64(n), int64(n)*int64(cost)/minParallelWork))
	if threads <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for i := range threads {
		lo, hi := int(int64(n)*int64(i)/int64(threads)), int(int64(n)*int64(i+1)/int64(threads))
		wg.Go(func() { fn(lo, hi) })
	}
	wg.Wait()
}

// RGBA returns a copy of the pixels as an opaque *image.RGBA (luma
// replicated), to draw on or encode.
func (p *Pixels) RGBA() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, p.Width, p.Height))
	for i := range p.Width * p.Height {
		d := img.Pix[4*i : 4*i+4]
		if p.Channels == 1 {
			d[0], d[1], d[2] = p.Pix[i], p.Pix[i], p.Pix[i]
		} else {
			d[0], d[1], d[2] = p.Pix[3*i], p.Pix[3*i+1], p.Pix[3*i+2]
		}
		d[3] = 255
	}
	return img
}
