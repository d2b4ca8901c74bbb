package preprocess

import (
	"fmt"
	"math"
	"strings"

	"github.com/edgeinfer/edgeinfer/internal/imagecodec"
)

// Fit is how an image is fitted to the output size.
type Fit int

// The fits.
const (
	// Crop resizes the image to cover the output (the side needing the
	// larger scale to Width/CropRatio or Height/CropRatio) and takes the
	// centre: the classifiers' recipe.
	Crop Fit = iota
	// Stretch resizes the image to exactly Width x Height, changing its
	// aspect ratio.
	Stretch
	// Letterbox resizes the image to fit inside Width x Height keeping its
	// aspect ratio and fills the rest with Options.Pad: the detectors'
	// recipe (see also Options.Corner and Options.Align).
	Letterbox
)

var fitNames = [...]string{Crop: "crop", Stretch: "stretch", Letterbox: "letterbox"}

// String returns "crop", "stretch" or "letterbox".
func (f Fit) String() string {
	if f >= 0 && int(f) < len(fitNames) {
		return fitNames[f]
	}
	return fmt.Sprintf("Fit(%d)", int(f))
}

// ParseFit parses "crop", "stretch" or "letterbox" (case-insensitive).
func ParseFit(s string) (Fit, error) {
	for f, name := range fitNames {
		if strings.EqualFold(s, name) {
			return Fit(f), nil
		}
	}
	return 0, fmt.Errorf("preprocess: unknown fit %q (want crop, stretch or letterbox)", s)
}

// Placement says where an image lands in the tensor Options make of it.
// A point (x, y) of the upright image, in pixels from its top-left corner
// (so that the image spans 0..width, 0..height), is at
// (x*ScaleX + Left, y*ScaleY + Top) in the tensor, which is Width x Height
// pixels. Left and Top are the letterbox bars, or negative for the part a
// centre crop cuts off. A letterbox's scale is the nominal one,
// min(Width/w, Height/h), on both axes, as detectors' own code maps boxes
// back (the resized sides are that scale rounded to whole pixels).
type Placement struct {
	Width, Height  int     // the tensor's size
	ScaleX, ScaleY float64 // resized size over the image's size, per axis
	Left, Top      int     // where the resized image's corner lands
}

// ToImage maps a tensor point back to the image's pixels (not clipped).
func (p Placement) ToImage(x, y float64) (float64, float64) {
	return (x - float64(p.Left)) / p.ScaleX, (y - float64(p.Top)) / p.ScaleY
}

// Place returns where a w x h upright image lands in the tensor opt makes
// of it (the output size included, which Align makes depend on the image).
func (opt Options) Place(w, h int) (Placement, error) {
	o, err := opt.resolved()
	if err != nil {
		return Placement{}, err
	}
	if w <= 0 || h <= 0 {
		return Placement{}, fmt.Errorf("preprocess: empty image (%dx%d)", w, h)
	}
	f := fitOf(w, h, o)
	p := Placement{Width: f.outW, Height: f.outH,
		ScaleX: float64(f.nw) / float64(w), ScaleY: float64(f.nh) / float64(h),
		Left: f.left, Top: f.top}
	if o.Fit == Letterbox {
		p.ScaleX = min(float64(o.Width)/float64(w), float64(o.Height)/float64(h))
		p.ScaleY = p.ScaleX
	}
	return p, nil
}

// fitting is the geometry of one image's conversion: resize to nw x nh,
// then either take the outW x outH window at (-left, -top) of it (Crop,
// Stretch) or paste it at (left, top) into an outW x outH canvas
// (Letterbox).
type fitting struct {
	nw, nh, left, top, outW, outH int
}

// fitOf computes the fitting of a w x h image for resolved options o.
// Letterbox scales by min(Width/w, Height/h) and rounds each side to the
// nearest pixel (halves to even, as Python's round), at least 1; the bars
// are split with the odd pixel right and below.
func fitOf(w, h int, o Options) fitting {
	switch o.Fit {
	case Stretch:
		return fitting{nw: o.Width, nh: o.Height, outW: o.Width, outH: o.Height}
	case Letterbox:
		r := min(float64(o.Width)/float64(w), float64(o.Height)/float64(h))
		nw := min(max(int(math.RoundToEven(float64(w)*r)), 1), o.Width)
		nh := min(max(int(math.RoundToEven(float64(h)*r)), 1), o.Height)
		f := fitting{nw: nw, nh: nh, outW: o.Width, outH: o.Height}
		if o.Align > 0 {
			f.outW = (nw + o.Align - 1) / o.Align * o.Align
			f.outH = (nh + o.Align - 1) / o.Align * o.Align
		}
		if !o.Corner {
			f.left, f.top = (f.outW-nw)/2, (f.outH-nh)/2
		}
		return f
	}
	nw, nh, left, top := geometry(w, h, o.Width, o.Height, o.CropRatio)
	return fitting{nw: nw, nh: nh, left: -left, top: -top, outW: o.Width, outH: o.Height}
}

// fit resizes p as f says and returns the outW x outH pixels (p's
// channels) in s's buffers.
func (s *scratch) fit(p *Pixels, f fitting, o Options) []uint8 {
	if o.Fit != Letterbox {
		return s.resizeCrop(p, f.nw, f.nh, -f.left, -f.top, f.outW, f.outH, o.Threads)
	}
	img := s.resizeCrop(p, f.nw, f.nh, 0, 0, f.nw, f.nh, o.Threads)
	c := p.Channels
	pad := o.Pad[:]
	if c == 1 {
		pad = []uint8{imagecodec.Luma(o.Pad[0], o.Pad[1], o.Pad[2])}
	}
	s.canvas = grow(s.canvas, f.outW*f.outH*c)
	for i := 0; i < len(s.canvas); i += c {
		copy(s.canvas[i:i+c], pad)
	}
	row := f.nw * c
	for y := range f.nh {
		copy(s.canvas[((f.top+y)*f.outW+f.left)*c:], img[y*row:(y+1)*row])
	}
	return s.canvas
}
