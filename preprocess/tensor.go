// Package preprocess turns photos into float32 input tensors for image
// classifiers.
//
// The pipeline matches the PIL reference (shared/reference/prep.py) bit for
// bit on PNG, JPEG, WebP, JPEG 2000 and PNM input: decode as PIL does
// (libjpeg-turbo's, libwebp's and openjpeg's exact pixels, from
// internal/imagecodec), convert to RGB
// (alpha dropped) or luma, resize the shorter side to round(size*256/224)
// with PIL's antialiasing bilinear filter, centre-crop size x size,
// normalise with a Preset, and lay the result out as NCHW or NHWC with a
// batch of one. For detectors, Options.Fit asks for a plain resize
// (Stretch) or a Letterbox (aspect ratio kept, padded with a colour,
// centred or in the corner, optionally to a multiple of a stride), and
// Options.Place says where the image landed, to map boxes back. Decoding (JPEG with EXIF orientation, PNG, GIF, BMP, TIFF,
// WebP, JPEG 2000, PNM) and tensor conversion are separate
// steps, Decode and Pixels.Tensor, so callers can time them apart; Load does
// both. The package is a leaf: it returns plain []float32 data and a shape.
package preprocess

//go:generate go run ./testdata/genref

import (
	"fmt"
	"image"
)

// Load decodes the image file at path and converts it to a tensor: Decode
// followed by Pixels.Tensor.
func Load(path string, opt Options) (data []float32, shape []int, err error) {
	p, err := Decode(path, opt)
	if err != nil {
		return nil, nil, err
	}
	return p.Tensor(opt)
}

// FromImage converts an already decoded image (embedded or generated) to a
// tensor, as Load does for a file; no EXIF orientation is applied.
func FromImage(img image.Image, opt Options) (data []float32, shape []int, err error) {
	o, err := opt.resolved()
	if err != nil {
		return nil, nil, err
	}
	if b := img.Bounds(); b.Empty() {
		return nil, nil, fmt.Errorf("preprocess: empty image (%dx%d)", b.Dx(), b.Dy())
	}
	return newPixels(img, 1, o.Gray, o.Threads).Tensor(opt)
}

// Tensor resizes, crops or pads (opt.Fit) and normalises p as opt says and returns the tensor
// data with its shape, [1, C, H, W] for NCHW or [1, H, W, C] for NHWC.
// Colour pixels are converted to luma first when opt asks for grey; luma
// pixels are replicated when opt asks for three channels. With one output
// channel the preset's mean and std are the averages of its three values.
// A Converter does the same in buffers it keeps.
func (p *Pixels) Tensor(opt Options) (data []float32, shape []int, err error) {
	o, err := opt.resolved()
	if err != nil {
		return nil, nil, err
	}
	var s scratch
	data, shape, err = s.tensor(p, o)
	return data, append([]int(nil), shape...), err
}

// normalizeInto maps the cropped 8-bit pixels (cs interleaved channels) to
// the output tensor data through one 256-entry table per output channel,
// computed in float32 exactly as numpy computes (x/div - mean)/std.
func normalizeInto(data []float32, crop []uint8, cs int, o Options) {
	pr, co := o.Preset, o.Channels
	mean, std := pr.Mean, pr.Std
	if co == 1 {
		mean[0] = (mean[0] + mean[1] + mean[2]) / 3
		std[0] = (std[0] + std[1] + std[2]) / 3
	}
	var lut [3][256]float32
	var from [3]int // crop channel read by each output channel
	for k := range co {
		if cs == 3 {
			from[k] = k
			if pr.BGR {
				from[k] = 2 - k
			}
		}
		for v := range 256 {
			lut[k][v] = (float32(float32(v)/pr.Div) - mean[k]) / std[k]
		}
	}
	hw := o.Width * o.Height
	for k := range co {
		l, f := &lut[k], from[k]
		if o.Layout == NHWC {
			for i := range hw {
				data[i*co+k] = l[crop[i*cs+f]]
			}
		} else {
			plane := data[k*hw : (k+1)*hw]
			for i := range plane {
				plane[i] = l[crop[i*cs+f]]
			}
		}
	}
}
