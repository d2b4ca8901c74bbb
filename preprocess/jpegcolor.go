package preprocess

import "image"

// ycbcrReader returns a row reader converting m to RGB the way libjpeg-turbo,
// and so PIL, decodes JPEG: 4:2:0 and 4:2:2 chroma more than two samples
// wide is upsampled with libjpeg's "fancy" triangle filter (3/4 nearer
// sample, 1/4 further one, with its rounding biases) instead of the
// nearest-sample replication of image/jpeg, and YCbCr is converted with
// libjpeg's fixed-point tables. Other subsample ratios, and narrower
// chroma (where libjpeg-turbo also replicates), use the nearest sample.
func ycbcrReader(m *image.YCbCr) func(y int, dst []uint8) {
	b := m.Rect
	w, h := b.Dx(), b.Dy()
	v2 := m.SubsampleRatio == image.YCbCrSubsampleRatio420
	if b.Min != (image.Point{}) || w <= 4 || !v2 && m.SubsampleRatio != image.YCbCrSubsampleRatio422 {
		return func(y int, dst []uint8) {
			for x := range w {
				yi, ci := m.YOffset(b.Min.X+x, b.Min.Y+y), m.COffset(b.Min.X+x, b.Min.Y+y)
				ycc2rgb(dst[3*x:3*x+3], m.Y[yi], m.Cb[ci], m.Cr[ci])
			}
		}
	}
	cw, chh := (w+1)/2, h
	// h2v1_fancy_upsample: out = (3*near + far + bias) >> 2, bias 1 towards the left, 2 towards the right.
	shift, bias := uint(2), [2]int32{1, 2}
	if v2 { // h2v2_fancy_upsample: columns are 3*near + far row sums, bias 8 / 7, >> 4
		chh, shift, bias = (h+1)/2, 4, [2]int32{8, 7}
	}
	return func(y int, dst []uint8) {
		near, far := y, y
		if v2 {
			near, far = y/2, y/2+1
			if y%2 == 0 {
				far = y/2 - 1
			}
			far = min(max(far, 0), chh-1)
		}
		n, f := near*m.CStride, far*m.CStride
		for x := range w {
			cx, nx := x/2, x/2+1
			if x%2 == 0 {
				nx = cx - 1
			}
			nx = min(max(nx, 0), cw-1)
			up := func(p []uint8) uint8 {
				a, c := int32(p[n+cx]), int32(p[n+nx])
				if v2 {
					a, c = 3*a+int32(p[f+cx]), 3*c+int32(p[f+nx])
				}
				return uint8((3*a + c + bias[x%2]) >> shift)
			}
			ycc2rgb(dst[3*x:3*x+3], m.Y[y*m.YStride+x], up(m.Cb), up(m.Cr))
		}
	}
}

// ycc2rgb is libjpeg's ycc_rgb_convert: 16-bit fixed-point JFIF YCbCr to RGB.
func ycc2rgb(dst []uint8, y, cb, cr uint8) {
	const half = 1 << 15
	yy, b, r := int32(y), int32(cb)-128, int32(cr)-128
	dst[0] = clamp8(yy + (91881*r+half)>>16)
	dst[1] = clamp8(yy + (-22554*b-46802*r+half)>>16)
	dst[2] = clamp8(yy + (116130*b+half)>>16)
}

// clamp8 clamps v to 0..255.
func clamp8(v int32) uint8 {
	return uint8(min(max(v, 0), 255))
}
