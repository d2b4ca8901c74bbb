package preprocess_test

import (
	"fmt"
	"image"
	"image/color"
	"log"

	"github.com/edgeinfer/edgeinfer/preprocess"
)

// Turn a photo into the input tensor of an ImageNet classifier: resize the
// shorter side to 256, crop the centre 224x224, normalise as torchvision
// does, lay it out as NCHW.
func ExampleLoad() {
	data, shape, err := preprocess.Load("../classify/testdata/chelsea.png", preprocess.Options{Preset: preprocess.Torchvision})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(shape, len(data))
	// Output: [1 3 224 224] 150528
}

// Auto reads the options from a model's declared input shape and producer:
// here a TensorFlow export taking 1x299x299x3 images.
func ExampleAuto() {
	opt, err := preprocess.Auto([]int64{1, 299, 299, 3}, "tf2onnx")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(opt.Width, opt.Height, opt.Channels, opt.Layout, opt.Preset.Name)
	// Output: 299 299 3 NHWC inception
}

// A Converter keeps its buffers: converting frames of one size allocates
// nothing after the first. Its output is valid until its next conversion.
func ExampleConverter() {
	c, err := preprocess.NewConverter(preprocess.Options{Width: 4, Height: 4, Preset: preprocess.Unit, Threads: 1})
	if err != nil {
		log.Fatal(err)
	}
	frame := image.NewGray(image.Rect(0, 0, 8, 6))
	for i := range frame.Pix {
		frame.Pix[i] = 255
	}
	frame.SetGray(0, 0, color.Gray{0})
	data, shape, err := c.Image(frame)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(shape, data[0], data[len(data)-1])
	// Output: [1 3 4 4] 1 1
}
