package quantize

import (
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/preprocess"
)

// Source gives the calibration inputs.
type Source interface {
	// Len is the number of samples.
	Len() int
	// Sample returns sample i (0 <= i < Len()): the model's input, a
	// float32 tensor of the model's input shape (a batch of one image
	// [1, C, H, W] also suits a model whose input is [C, H, W]). opt is
	// the preprocessing the model needs (see Options.Preprocess), for
	// sources that make their inputs from images. Quantize calls Sample
	// for every index in order, once per pass over the calibration set.
	Sample(i int, opt preprocess.Options) (Sample, error)
}

// Sample is one calibration input.
type Sample struct {
	// Name identifies the sample in errors and progress: an image's path,
	// "random image 3"...
	Name  string
	Input *ops.Tensor
}

// Images is a Source of image files, decoded (JPEG, PNG, GIF, BMP,
// TIFF, WebP, JPEG 2000, PNM) and preprocessed as edgeinfer's
// classification does. A file that does not decode is an error naming it.
func Images(paths ...string) Source { return imageSource(append([]string(nil), paths...)) }

// ImageDir is a Source of the images in folder dir, by name (not
// recursive): the files edgeinfer's classification would take from it
// (see preprocess.ImageFiles). A folder without images is an error
// wrapping ErrNoCalibration.
func ImageDir(dir string) (Source, error) {
	paths, err := preprocess.ImageFiles(dir)
	if err != nil {
		return nil, fmt.Errorf("quantize: calibration folder: %w", err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("quantize: calibration folder %s has no images (%s): %w", dir, preprocess.ImageExtensions(), ErrNoCalibration)
	}
	return imageSource(paths), nil
}

type imageSource []string

func (s imageSource) Len() int { return len(s) }

func (imageSource) images() {}

func (s imageSource) Sample(i int, opt preprocess.Options) (Sample, error) {
	data, shape, err := preprocess.Load(s[i], opt)
	if err != nil {
		return Sample{}, err
	}
	return Sample{Name: s[i], Input: ops.FromF32(data, shape...)}, nil
}

// RandomImages is a Source of n synthetic images, the same for the same
// seed: smooth random colour gradients with pixel noise, preprocessed
// like photos. They exercise every layer with plausible ranges but are
// no substitute for real images of what the model will see: calibrate
// on those when you have them.
func RandomImages(n int, seed uint64) Source { return randomSource{n, seed} }

type randomSource struct {
	n    int
	seed uint64
}

func (s randomSource) Len() int { return s.n }

func (randomSource) images() {}

// imageSampler is implemented by the sources that make their samples
// from images, and so need the model's preprocessing.
type imageSampler interface{ images() }

func (s randomSource) Sample(i int, opt preprocess.Options) (Sample, error) {
	w, h := opt.Width, opt.Height
	if w <= 0 {
		w = preprocess.DefaultSize
	}
	if h <= 0 {
		h = preprocess.DefaultSize
	}
	// Drawn at the size resizing would bring it to, so that cropping keeps most of it.
	w, h = min(w+w/8, 1<<15), min(h+h/8, 1<<15)
	rng := rand.New(rand.NewPCG(s.seed, uint64(i)))
	var corner [4][3]float64
	for k := range corner {
		for c := range corner[k] {
			corner[k][c] = rng.Float64() * 255
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		fy := float64(y) / float64(max(h-1, 1))
		for x := range w {
			fx := float64(x) / float64(max(w-1, 1))
			var px [3]uint8
			for c := range px {
				top := corner[0][c]*(1-fx) + corner[1][c]*fx
				bottom := corner[2][c]*(1-fx) + corner[3][c]*fx
				v := top*(1-fy) + bottom*fy + (rng.Float64()-0.5)*48
				px[c] = uint8(min(max(v, 0), 255))
			}
			img.SetRGBA(x, y, color.RGBA{px[0], px[1], px[2], 255})
		}
	}
	data, shape, err := preprocess.FromImage(img, opt)
	if err != nil {
		return Sample{}, err
	}
	return Sample{Name: fmt.Sprintf("random image %d", i+1), Input: ops.FromF32(data, shape...)}, nil
}

// Tensors is a Source of ready-made input tensors (opt is not used).
func Tensors(inputs ...*ops.Tensor) Source {
	return tensorSource(append([]*ops.Tensor(nil), inputs...))
}

type tensorSource []*ops.Tensor

func (s tensorSource) Len() int { return len(s) }

func (s tensorSource) Sample(i int, _ preprocess.Options) (Sample, error) {
	if s[i] == nil {
		return Sample{}, fmt.Errorf("tensor %d is nil", i+1)
	}
	return Sample{Name: fmt.Sprintf("tensor %d", i+1), Input: s[i]}, nil
}
