package imagecodec

import (
	"image"
)

// libjpeg's YCbCr to RGB tables (jdcolor.c build_ycc_rgb_table): 16-bit
// fixed-point JFIF coefficients, the red and blue terms rounded per entry,
// the green terms summed before rounding.
var crR, cbB, crG, cbG = func() (crR, cbB, crG, cbG [256]int32) {
	const half = 1 << 15
	for i := range 256 {
		x := int32(i) - 128
		crR[i] = (91881*x + half) >> 16  // 1.40200
		cbB[i] = (116130*x + half) >> 16 // 1.77200
		crG[i] = -46802 * x              // -0.71414
		cbG[i] = -22554*x + half         // -0.34414
	}
	return
}()

// clamp8 clamps v to 0..255.
func clamp8(v int32) uint8 {
	return uint8(min(max(v, 0), 255))
}

// yccToRGB is libjpeg's ycc_rgb_convert for one pixel.
func yccToRGB(y, cb, cr uint8) (r, g, b uint8) {
	yy := int32(y)
	return clamp8(yy + crR[cr]), clamp8(yy + (cbG[cb]+crG[cr])>>16), clamp8(yy + cbB[cb])
}

// output reconstructs the samples of a progressive file, then upsamples
// and colour-converts the components into the returned image.
func (d *jpegDecoder) output() (image.Image, error) {
	for i := range d.comps {
		c := &d.comps[i]
		switch {
		case !c.seen: // never coded: all-zero coefficients (libjpeg keeps zero multipliers), which reconstruct as 128
			for j := range c.pix {
				c.pix[j] = 128
			}
		case d.progressive:
			stride := c.bw * 8
			for by := range ceilDiv(c.h8, 8) {
				for bx := range ceilDiv(c.w, 8) {
					j := (by*c.bw + bx) * 64
					idctIslow((*[64]int16)(c.coef[j:j+64]), c.quant, c.pix[by*8*stride+bx*8:], stride)
				}
			}
			c.coef = nil
		}
	}
	w, h := d.width, d.height
	r := image.Rect(0, 0, w, h)
	if len(d.comps) == 1 {
		img := image.NewGray(r)
		c := &d.comps[0]
		for y := range h {
			copy(img.Pix[y*w:(y+1)*w], c.pix[y*c.bw*8:])
		}
		return img, nil
	}
	ups := make([]func(y int, dst []uint8), len(d.comps))
	rows := make([][]uint8, len(d.comps))
	for i := range d.comps {
		ups[i] = d.upsampler(&d.comps[i])
		rows[i] = make([]uint8, w)
	}
	ycc := d.transformed()
	if len(d.comps) == 3 {
		img := NewRGB(r)
		for y := range h {
			for i, up := range ups {
				up(y, rows[i])
			}
			out := img.Pix[y*img.Stride : y*img.Stride+3*w]
			c0, c1, c2 := rows[0][:w], rows[1][:w], rows[2][:w]
			if !ycc {
				for x := range w {
					out[3*x], out[3*x+1], out[3*x+2] = c0[x], c1[x], c2[x]
				}
				continue
			}
			for x := range w {
				out[3*x], out[3*x+1], out[3*x+2] = yccToRGB(c0[x], c1[x], c2[x])
			}
		}
		return img, nil
	}
	img := image.NewCMYK(r)
	for y := range h {
		for i, up := range ups {
			up(y, rows[i])
		}
		out := img.Pix[y*img.Stride : y*img.Stride+4*w]
		for x := range w {
			// PIL inverts libjpeg's Adobe CMYK ("CMYK;I"). For YCCK, libjpeg's
			// CMYK is 255 minus the clamped RGB of the YCC triple, so the
			// inverted C, M, Y are that RGB.
			k := 255 - rows[3][x]
			if ycc {
				r, g, b := yccToRGB(rows[0][x], rows[1][x], rows[2][x])
				out[4*x], out[4*x+1], out[4*x+2], out[4*x+3] = r, g, b, k
			} else {
				out[4*x], out[4*x+1], out[4*x+2], out[4*x+3] = 255-rows[0][x], 255-rows[1][x], 255-rows[2][x], k
			}
		}
	}
	return img, nil
}

// transformed reports whether the first three components are YCbCr (YCCK
// for four components), deciding as libjpeg's default_decompress_parms does:
// a JFIF marker means YCbCr, an Adobe marker's transform flag decides, and
// otherwise three components are YCbCr unless their ids spell "RGB".
func (d *jpegDecoder) transformed() bool {
	if len(d.comps) == 4 {
		return d.adobe && d.transform != 0
	}
	switch {
	case d.jfif:
		return true
	case d.adobe:
		return d.transform != 0
	}
	return !(d.comps[0].id == 'R' && d.comps[1].id == 'G' && d.comps[2].id == 'B')
}

// upsampler returns a function writing row y of component c, upsampled to
// the image's width, into dst (not safe for concurrent use), choosing libjpeg-turbo's method
// (jdsample.c): "fancy" triangular interpolation for 2x horizontal chroma
// wider than two samples, for 2x vertical, and for 2x2 chroma wider than
// two samples; replication for every other integral ratio. Beyond the
// component's real samples the nearest edge sample is used, as libjpeg's
// edge handling does.
func (d *jpegDecoder) upsampler(c *jpegComponent) func(y int, dst []uint8) {
	hs, vs := d.maxH/c.h, d.maxV/c.v
	stride := c.bw * 8
	row := func(y int) []uint8 {
		y = min(max(y, 0), c.h8-1)
		return c.pix[y*stride : y*stride+c.w]
	}
	// far is the other source row blended into output row y when doubling vertically.
	far := func(y int) int {
		if y%2 == 0 {
			return y/2 - 1
		}
		return y/2 + 1
	}
	switch {
	case hs == 1 && vs == 1:
		return func(y int, dst []uint8) { copy(dst, row(y)) }
	case hs == 2 && vs == 1 && c.w > 2:
		cols := make([]int32, c.w+2)
		return func(y int, dst []uint8) { fancyH2(dst, row(y), nil, cols, 2, [2]int32{1, 2}) }
	case hs == 1 && vs == 2:
		return func(y int, dst []uint8) {
			near, other := row(y/2), row(far(y))
			bias := int32(1 + y%2) // h1v2_fancy_upsample: 1 above, 2 below
			for x := range dst {
				dst[x] = uint8((3*int32(near[x]) + int32(other[x]) + bias) >> 2)
			}
		}
	case hs == 2 && vs == 2 && c.w > 2:
		cols := make([]int32, c.w+2)
		return func(y int, dst []uint8) { fancyH2(dst, row(y/2), row(far(y)), cols, 4, [2]int32{8, 7}) }
	}
	return func(y int, dst []uint8) {
		src := row(y / vs)
		for x := range dst {
			dst[x] = src[x/hs]
		}
	}
}

// fancyH2 doubles a row horizontally with libjpeg's triangle filter: each
// output sample is 3/4 of its nearer input column and 1/4 of the other
// neighbour, the edges repeating the end columns. With other == nil the
// columns are near's samples (h2v1); otherwise each column is first the
// vertical blend 3*near + other (h2v2). Even outputs add bias[0], odd ones
// bias[1], before the shift right by shift. cols is scratch space for
// len(near)+2 column values.
func fancyH2(dst, near, other []uint8, cols []int32, shift uint, bias [2]int32) {
	n := len(near)
	cols = cols[:n+2]
	for i, v := range near {
		cols[i+1] = int32(v)
	}
	if other != nil {
		for i, v := range other[:n] {
			cols[i+1] = 3*cols[i+1] + int32(v)
		}
	}
	cols[0], cols[n+1] = cols[1], cols[n]
	for x := 0; x+1 < len(dst); x += 2 {
		c := 3 * cols[x/2+1]
		dst[x] = uint8((c + cols[x/2] + bias[0]) >> shift)
		dst[x+1] = uint8((c + cols[x/2+2] + bias[1]) >> shift)
	}
	if w := len(dst); w%2 == 1 {
		c := 3 * cols[w/2+1]
		dst[w-1] = uint8((c + cols[w/2] + bias[0]) >> shift)
	}
}
