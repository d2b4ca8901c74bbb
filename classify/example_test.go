package classify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"log"
	"os"

	"github.com/edgeinfer/edgeinfer/classify"
	"github.com/edgeinfer/edgeinfer/models/squeezenet"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// Classify a photo file with a model file: one import. The model here is
// SqueezeNet 1.0 (the built-in model, written out as a file); any
// ImageNet-style ONNX classifier works the same way.
func Example() {
	c, err := classify.Load(modelFile, classify.WithTopK(3))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	var res classify.Result
	if err := c.ClassifyFile(context.Background(), "testdata/chelsea.png", &res); err != nil {
		log.Fatal(err)
	}
	fmt.Println("preset:", res.Preset) // read from the model: a Caffe2 export
	for _, cl := range res.Top {
		fmt.Printf("%3d  %-18s %.2f\n", cl.Index, cl.Label, cl.Score)
	}
	// Output:
	// preset: caffe
	// 285  Egyptian cat       0.40
	// 282  tiger cat          0.34
	// 281  tabby, tabby cat   0.25
}

// A daemon classifying camera frames: share one Classifier between
// goroutines, and give each its own Result to reuse; once warm, a call
// allocates nothing.
func ExampleClassifier_Classify() {
	c, err := classify.Load(modelFile, classify.WithTopK(1))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	frame := cameraFrame() // an image.Image: *image.YCbCr, *image.RGBA, ...
	var res classify.Result
	for range 3 {
		if err := c.Classify(context.Background(), frame, &res); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(res.Top[0].Label)
	// Output: Egyptian cat
}

// cameraFrame stands in for a frame grabber: the sample photo as RGBA.
func cameraFrame() image.Image {
	f, err := os.Open("testdata/chelsea.png")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		log.Fatal(err)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, img.Bounds().Min, draw.Src)
	return rgba
}

// The built-in model (embedded in the binary: no file to ship), loaded by
// the runtime and handed to New.
func ExampleNew() {
	p, err := squeezenet.Model()
	if err != nil {
		log.Fatal(err)
	}
	m, err := runtime.LoadModel(p, runtime.WithThreads(2))
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close() // New leaves the model to its caller

	c, err := classify.New(m, classify.WithName(squeezenet.Name), classify.WithTopK(1))
	if err != nil {
		log.Fatal(err)
	}
	var res classify.Result
	if err := c.ClassifyFile(context.Background(), "testdata/chelsea.png", &res); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %s %.2f\n", res.Model, res.Top[0].Label, res.Top[0].Score)
	// Output: squeezenet1.0 (built-in, fp16 weights): Egyptian cat 0.40
}

// A Result's JSON is the line `edgeinfer -json` prints for an image;
// scores that are not finite are written as null.
func ExampleResult() {
	res := classify.Result{Image: "chelsea.png", Model: "squeezenet1.0.onnx", Preset: "caffe",
		Top: []classify.Class{{Index: 285, Label: "Egyptian cat", Score: 0.3970958}},
		MS:  classify.Timings{Decode: 8.012, Preprocess: 1.641, Infer: 35.2}}
	b, _ := json.Marshal(&res)
	fmt.Println(string(b))
	// Output: {"image":"chelsea.png","model":"squeezenet1.0.onnx","preset":"caffe","top":[{"index":285,"label":"Egyptian cat","score":0.397096}],"ms":{"decode":8.012,"preprocess":1.641,"infer":35.2}}
}
