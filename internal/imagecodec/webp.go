package imagecodec

import (
	"bytes"
	"fmt"
	"image"

	"golang.org/x/image/webp"
)

// DecodeWebPConfig reads a WebP file's header.
func DecodeWebPConfig(data []byte) (image.Config, error) {
	return webp.DecodeConfig(bytes.NewReader(data))
}

// DecodeWebP decodes a still WebP image as libwebp does, and as PIL
// presents it: lossy (VP8) frames are decoded by golang.org/x/image and
// converted with libwebp's fancy upsampling and fixed-point YUV to RGB
// conversion; lossless (VP8L) images keep their exact samples. The result
// is an *image.NRGBA if the file declares an alpha channel (the VP8X
// alpha flag, or the VP8L header's alpha hint), else an *RGB.
// Images of more than maxPixels pixels (maxPixels > 0) are refused before
// decoding, with an error wrapping ErrTooLarge.
func DecodeWebP(data []byte, maxPixels int64) (image.Image, error) {
	cfg, err := DecodeWebPConfig(data)
	if err != nil {
		return nil, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("webp: empty image (%dx%d)", cfg.Width, cfg.Height)
	}
	if n := int64(cfg.Width) * int64(cfg.Height); maxPixels > 0 && n > maxPixels {
		return nil, fmt.Errorf("webp: image is %dx%d (%d pixels): %w of %d", cfg.Width, cfg.Height, n, ErrTooLarge, maxPixels)
	}
	img, err := webp.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	switch m := img.(type) {
	case *image.YCbCr:
		out := NewRGB(m.Rect)
		webpYUVToRGB(m, out.Pix, out.Stride, 3)
		return out, nil
	case *image.NYCbCrA:
		out := image.NewNRGBA(m.Rect)
		webpYUVToRGB(&m.YCbCr, out.Pix, out.Stride, 4)
		w := m.Rect.Dx()
		for y := range m.Rect.Dy() {
			a := m.A[y*m.AStride : y*m.AStride+w]
			o := out.Pix[y*out.Stride:]
			for x, v := range a {
				o[4*x+3] = v
			}
		}
		return out, nil
	}
	if m, ok := img.(*image.NRGBA); ok && !webpHasAlpha(data) {
		out := NewRGB(m.Rect)
		for y := range m.Rect.Dy() {
			src, dst := m.Pix[y*m.Stride:], out.Pix[y*out.Stride:]
			for x := range m.Rect.Dx() {
				copy(dst[3*x:3*x+3], src[4*x:4*x+3])
			}
		}
		return out, nil
	}
	return img, nil
}

// webpHasAlpha reports whether a WebP file declares alpha, as libwebp's
// WebPGetFeatures does: by the VP8X alpha flag, or for a simple lossless
// file by the VP8L header's alpha_is_used bit.
func webpHasAlpha(data []byte) bool {
	if len(data) < 25 {
		return false
	}
	switch string(data[12:16]) {
	case "VP8X":
		return data[20]&0x10 != 0
	case "VP8L":
		return data[24]&0x10 != 0
	}
	return false
}

// webpYUVToRGB converts a 4:2:0 VP8 frame to RGB as libwebp's fancy
// upsampler (upsampling.c) does, writing pixels step bytes apart in rows
// stride bytes apart of dst. Each output chroma value blends the four
// nearest chroma samples 9:3:3:1, in libwebp's two rounding stages; the
// top and bottom rows and the edge columns use libwebp's 3:1 edge rule.
func webpYUVToRGB(m *image.YCbCr, dst []uint8, stride, step int) {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	cw, ch := (w+1)/2, (h+1)/2
	u, v := make([]uint8, w), make([]uint8, w)
	for y := range h {
		near := y / 2
		far := near + 1
		if y%2 == 0 {
			far = near - 1
		}
		far = min(max(far, 0), ch-1)
		n, f := near*m.CStride, far*m.CStride
		webpUpsampleRow(u, m.Cb[n:n+cw], m.Cb[f:f+cw])
		webpUpsampleRow(v, m.Cr[n:n+cw], m.Cr[f:f+cw])
		yr := m.Y[y*m.YStride : y*m.YStride+w]
		o := dst[y*stride:]
		for x := range w {
			o[step*x], o[step*x+1], o[step*x+2] = webpToRGB(yr[x], u[x], v[x])
		}
	}
}

// webpUpsampleRow writes one row of full-width chroma from the nearer
// chroma row n and the farther row f.
func webpUpsampleRow(dst, n, f []uint8) {
	w := len(dst)
	edge := func(i int) uint8 { return uint8((3*int(n[i]) + int(f[i]) + 2) >> 2) }
	dst[0] = edge(0)
	for x := 1; 2*x < w; x++ {
		tl, t, l, c := int(n[x-1]), int(n[x]), int(f[x-1]), int(f[x])
		avg := tl + t + l + c + 8
		dst[2*x-1] = uint8((((avg + 2*(t+l)) >> 3) + tl) >> 1)
		dst[2*x] = uint8((((avg + 2*(tl+c)) >> 3) + t) >> 1)
	}
	if w%2 == 0 {
		dst[w-1] = edge(w/2 - 1)
	}
}

// webpToRGB is libwebp's VP8YUVToR/G/B (yuv.h): 14-bit fixed point,
// MultHi products, clipped.
func webpToRGB(y, u, v uint8) (r, g, b uint8) {
	mh := func(a uint8, c int) int { return int(a) * c >> 8 }
	yy := mh(y, 19077)
	return webpClip(yy + mh(v, 26149) - 14234),
		webpClip(yy - mh(u, 6419) - mh(v, 13320) + 8708),
		webpClip(yy + mh(u, 33050) - 17685)
}

// webpClip is libwebp's VP8Clip8: drop the 6 fraction bits and clamp to 0..255.
func webpClip(v int) uint8 {
	if v&^(256<<6-1) == 0 {
		return uint8(v >> 6)
	}
	if v < 0 {
		return 0
	}
	return 255
}
