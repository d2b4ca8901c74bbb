package preprocess

import "math"

// precisionBits is Pillow's fixed-point precision for 8-bit resampling (32 - 8 - 2).
const precisionBits = 22

// taps are fixed-point filter weights along one axis: output pixel i reads
// input pixels start[i] .. start[i]+n[i]-1 with weights k[i*ksize:][:n[i]].
type taps struct {
	start, n []int
	k        []int32
	ksize    int
}

// compute sets t to Pillow's BILINEAR weights for resizing inSize pixels
// to outSize, for output pixels first .. first+count-1 only, reusing t's
// slices; w is a float64 buffer to reuse, returned grown. It follows
// precompute_coeffs and normalize_coeffs_8bpc of Pillow's libImaging/Resample.c
// operation for operation, so results match PIL's Image.resize bit for bit:
// the triangle filter's support widens with the downscale factor (antialiasing),
// weights are normalised in float64 and then rounded to 22-bit fixed point.
func (t *taps) compute(inSize, outSize, first, count int, w []float64) []float64 {
	scale := float64(inSize) / float64(outSize)
	filterscale := max(scale, 1)
	support := filterscale // the triangle's support is 1
	ss := 1 / filterscale
	ksize := int(math.Ceil(support))*2 + 1
	t.start, t.n, t.k, t.ksize = grow(t.start, count), grow(t.n, count), grow(t.k, count*ksize), ksize
	w = grow(w, ksize)
	for i := range count {
		center := (float64(first+i) + 0.5) * scale
		xmin := max(int(center-support+0.5), 0)
		xmax := min(int(center+support+0.5), inSize) - xmin
		sum := 0.0
		for x := range xmax {
			w[x] = max(1-math.Abs((float64(x+xmin)-center+0.5)*ss), 0)
			sum += w[x]
		}
		k := t.k[i*ksize:]
		for x := range xmax {
			if sum != 0 {
				w[x] /= sum
			}
			k[x] = int32(0.5 + w[x]*(1<<precisionBits)) // weights are >= 0
		}
		t.start[i], t.n[i] = xmin, xmax
	}
	return w
}

// convolve computes out[i*m+e] = sum over j of in[(start[i]+j)*m+e] * k[i][j],
// rounded and clamped to 0..255 as Pillow does, for i in [lo, hi) and e in [0, m).
// m is the element count of one position: the channels of a pixel for a
// horizontal pass, a whole row for a vertical one.
func (t *taps) convolve(out, in []uint8, m, lo, hi int) {
	for i := lo; i < hi; i++ {
		k := t.k[i*t.ksize : i*t.ksize+t.n[i]]
		src := in[t.start[i]*m:]
		dst := out[i*m : (i+1)*m]
		for e := range dst {
			acc := int32(1 << (precisionBits - 1))
			for j, kj := range k {
				acc += int32(src[j*m+e]) * kj
			}
			switch {
			case acc >= 1<<(precisionBits+8):
				dst[e] = 255
			case acc <= 0:
				dst[e] = 0
			default:
				dst[e] = uint8(acc >> precisionBits)
			}
		}
	}
}

// resizeCrop resizes p to nw x nh with Pillow's bilinear filter (horizontal
// pass first, then vertical, rounding to 8 bits in between, as Pillow does)
// and returns the cw x ch window at (left, top) of the result. Only the
// window and the source rows it needs are computed.
func resizeCrop(p *Pixels, nw, nh, left, top, cw, ch, threads int) []uint8 {
	var s scratch
	return s.resizeCrop(p, nw, nh, left, top, cw, ch, threads)
}

// resizeCrop is resizeCrop in s's buffers; the window it returns is s.crop.
// With threads 1 it allocates nothing once the buffers have grown.
func (s *scratch) resizeCrop(p *Pixels, nw, nh, left, top, cw, ch, threads int) []uint8 {
	c := p.Channels
	s.w = s.ht.compute(p.Width, nw, left, cw, s.w)
	s.w = s.vt.compute(p.Height, nh, top, ch, s.w)
	ht, vt := &s.ht, &s.vt
	y0, y1 := vt.start[0], vt.start[ch-1]+vt.n[ch-1] // source rows the window reads
	for i := range vt.start {
		vt.start[i] -= y0
	}
	row := cw * c
	s.tmp = grow(s.tmp, (y1-y0)*row)
	s.crop = grow(s.crop, ch*row)
	if threads == 1 {
		hpass(ht, s.tmp, p, y0, 0, y1-y0, cw)
		vt.convolve(s.crop, s.tmp, row, 0, ch)
		return s.crop
	}
	parallelResize(ht, vt, s.tmp, s.crop, p, y0, y1, cw, ch, threads)
	return s.crop
}

// hpass runs the horizontal pass for window rows lo..hi-1 (source rows
// y0+lo..), writing cw pixels per row into tmp.
func hpass(ht *taps, tmp []uint8, p *Pixels, y0, lo, hi, cw int) {
	c := p.Channels
	row, srcRow := cw*c, p.Width*c
	for y := lo; y < hi; y++ {
		ht.convolve(tmp[y*row:(y+1)*row], p.Pix[(y0+y)*srcRow:(y0+y+1)*srcRow], c, 0, cw)
	}
}

// parallelResize runs both passes of resizeCrop on up to threads goroutines.
func parallelResize(ht, vt *taps, tmp, out []uint8, p *Pixels, y0, y1, cw, ch, threads int) {
	row := cw * p.Channels
	parallel(y1-y0, row*ht.ksize, threads, func(lo, hi int) { hpass(ht, tmp, p, y0, lo, hi, cw) })
	parallel(ch, row*vt.ksize, threads, func(lo, hi int) { vt.convolve(out, tmp, row, lo, hi) })
}

// geometry returns the resized size and the crop offset for a w x h image
// and an outW x outH output, following the reference prep.py: the side that
// needs the larger scale is resized to round(out/ratio) (Python's round:
// halves to even), the other to round(side*scale), and the crop offset is
// floor((resized-out)/2). For a square output this is "resize the shorter
// side to round(size*256/224), centre-crop size x size".
func geometry(w, h, outW, outH int, ratio float64) (nw, nh, left, top int) {
	sw := int(math.RoundToEven(float64(outW) / ratio))
	sh := int(math.RoundToEven(float64(outH) / ratio))
	if int64(sw)*int64(h) > int64(sh)*int64(w) {
		nw, nh = sw, int(math.RoundToEven(float64(int64(h)*int64(sw))/float64(w)))
	} else {
		nw, nh = int(math.RoundToEven(float64(int64(w)*int64(sh))/float64(h))), sh
	}
	return nw, nh, (nw - outW) / 2, (nh - outH) / 2
}
