package imagecodec

import (
	"image"
	"image/color"
)

// RGB is an in-memory image of opaque 8-bit colours stored as interleaved
// R, G, B bytes: three bytes a pixel where image.RGBA needs four.
type RGB struct {
	// Pix holds the pixels: the bytes at Pix[(y-Rect.Min.Y)*Stride + (x-Rect.Min.X)*3 :][:3]
	// are pixel (x, y)'s red, green and blue.
	Pix    []uint8
	Stride int
	Rect   image.Rectangle
}

// NewRGB returns an RGB image with the given bounds, all black.
func NewRGB(r image.Rectangle) *RGB {
	return &RGB{Pix: make([]uint8, 3*r.Dx()*r.Dy()), Stride: 3 * r.Dx(), Rect: r}
}

// ColorModel is color.RGBAModel.
func (p *RGB) ColorModel() color.Model { return color.RGBAModel }

// Bounds is p.Rect.
func (p *RGB) Bounds() image.Rectangle { return p.Rect }

// At returns the colour of pixel (x, y) as a color.RGBA, transparent black outside the bounds.
func (p *RGB) At(x, y int) color.Color {
	if !(image.Point{x, y}.In(p.Rect)) {
		return color.RGBA{}
	}
	i := p.PixOffset(x, y)
	return color.RGBA{p.Pix[i], p.Pix[i+1], p.Pix[i+2], 255}
}

// PixOffset is the index in Pix of pixel (x, y)'s red byte.
func (p *RGB) PixOffset(x, y int) int {
	return (y-p.Rect.Min.Y)*p.Stride + (x-p.Rect.Min.X)*3
}

// SubImage returns the part of p inside r, sharing its pixels.
func (p *RGB) SubImage(r image.Rectangle) image.Image {
	r = r.Intersect(p.Rect)
	if r.Empty() {
		return &RGB{}
	}
	return &RGB{Pix: p.Pix[p.PixOffset(r.Min.X, r.Min.Y):], Stride: p.Stride, Rect: r}
}
