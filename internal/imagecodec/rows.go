package imagecodec

import (
	"image"
	"image/color"
)

// Channels is the number of channels RowReader gives img by default: 1
// for an *image.Gray, 3 (RGB) for everything else.
func Channels(img image.Image) int {
	if _, ok := img.(*image.Gray); ok {
		return 1
	}
	return 3
}

// RowReader returns a function that writes row y of img (counted from
// img.Bounds().Min.Y) into dst as PIL's convert("RGB") gives it
// (channels 3) or convert("L") (channels 1): alpha is dropped without
// compositing, CMYK converted with PIL's formula, grey replicated into
// RGB, and RGB reduced to ITU-R 601-2 luma with PIL's rounding. dst must
// hold Dx()*channels bytes. The function is safe for concurrent use.
func RowReader(img image.Image, channels int) func(y int, dst []uint8) {
	read, cs := nativeRows(img)
	w := img.Bounds().Dx()
	switch {
	case channels == cs:
		return read
	case channels == 1: // RGB to luma, in place: pixel x's luma lands at or before its RGB
		return func(y int, dst []uint8) {
			row := make([]uint8, 3*w)
			read(y, row)
			for x := range w {
				dst[x] = Luma(row[3*x], row[3*x+1], row[3*x+2])
			}
		}
	}
	return func(y int, dst []uint8) { // grey to RGB
		read(y, dst[:w])
		for x := w - 1; x >= 0; x-- {
			v := dst[x]
			dst[3*x], dst[3*x+1], dst[3*x+2] = v, v, v
		}
	}
}

// Luma is PIL's RGB to "L" conversion: ITU-R 601-2 luma in 16-bit fixed
// point, rounded.
func Luma(r, g, b uint8) uint8 {
	return uint8((uint32(r)*19595 + uint32(g)*38470 + uint32(b)*7471 + 0x8000) >> 16)
}

// cmykToRGB is PIL's cmyk2rgb: each channel is (255-k) - c*(255-k)/255,
// the product divided by 255 with PIL's rounding shortcut.
func cmykToRGB(c, m, y, k uint8) (r, g, b uint8) {
	nk := int32(255 - k)
	f := func(v uint8) uint8 {
		t := int32(v)*nk + 128
		return clamp8(nk - (t>>8+t)>>8)
	}
	return f(c), f(m), f(y)
}

// nativeRows returns a reader of img's rows in one channel (greyscale
// images) or three (all others), as RowReader describes.
func nativeRows(img image.Image) (read func(y int, dst []uint8), cs int) {
	b := img.Bounds()
	w := b.Dx()
	switch m := img.(type) {
	case *image.Gray:
		return func(y int, dst []uint8) {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(dst, m.Pix[i:i+w])
		}, 1
	case *RGB:
		return func(y int, dst []uint8) {
			i := m.PixOffset(b.Min.X, b.Min.Y+y)
			copy(dst, m.Pix[i:i+3*w])
		}, 3
	case *image.CMYK:
		return func(y int, dst []uint8) {
			p := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				dst[3*x], dst[3*x+1], dst[3*x+2] = cmykToRGB(p[4*x], p[4*x+1], p[4*x+2], p[4*x+3])
			}
		}, 3
	case *image.NRGBA:
		return func(y int, dst []uint8) {
			p := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				copy(dst[3*x:3*x+3], p[4*x:4*x+3])
			}
		}, 3
	case *image.NRGBA64: // 16-bit PNG with alpha: keep the high bytes, as PIL does
		return func(y int, dst []uint8) {
			p := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				dst[3*x], dst[3*x+1], dst[3*x+2] = p[8*x], p[8*x+2], p[8*x+4]
			}
		}, 3
	case *image.RGBA:
		return func(y int, dst []uint8) {
			p := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				c := color.NRGBA{p[4*x], p[4*x+1], p[4*x+2], 255}
				if a := p[4*x+3]; a != 255 { // premultiplied: recover the stored colour
					c = color.NRGBAModel.Convert(color.RGBA{c.R, c.G, c.B, a}).(color.NRGBA)
				}
				dst[3*x], dst[3*x+1], dst[3*x+2] = c.R, c.G, c.B
			}
		}, 3
	case *image.Paletted:
		var pal [256][3]uint8 // indices past the palette read as black
		for i, c := range m.Palette[:min(len(m.Palette), 256)] {
			n := color.NRGBAModel.Convert(c).(color.NRGBA)
			pal[i] = [3]uint8{n.R, n.G, n.B}
		}
		return func(y int, dst []uint8) {
			p := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range w {
				copy(dst[3*x:3*x+3], pal[p[x]][:])
			}
		}, 3
	}
	return func(y int, dst []uint8) {
		for x := range w {
			c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
			dst[3*x], dst[3*x+1], dst[3*x+2] = c.R, c.G, c.B
		}
	}, 3
}
