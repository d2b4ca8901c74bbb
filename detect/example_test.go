package detect_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"log"

	"github.com/edgeinfer/edgeinfer/detect"
)

// Find the objects in a photo: the family is recognised from the model's
// outputs, the boxes come back in the photo's pixels, best first. (With
// YOLOX-Nano from ../shared/models/wild and coffee.png this prints
// "yolox: cup 0.90 at 162,15-422,293" and "yolox: dining table 0.73 ...";
// TestYOLOXNano checks it.)
func Example() {
	d, err := detect.Load("yolox_nano.onnx")
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	var res detect.Result
	if err := d.DetectFile(context.Background(), "coffee.png", &res); err != nil {
		log.Fatal(err)
	}
	for _, b := range res.Boxes {
		fmt.Printf("%s: %s %.2f at %.0f,%.0f-%.0f,%.0f\n", d.Family(), b.Label, b.Score, b.X1, b.Y1, b.X2, b.Y2)
	}
}

// Draw the boxes on an image: each box's outline and a label tab.
func ExampleAnnotate() {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	detect.Annotate(img, []detect.Box{{X1: 8, Y1: 20, X2: 56, Y2: 44, Score: 0.9, Class: 0, Label: "face"}})
	fmt.Println(img.RGBAAt(8, 30) != color.RGBA{}, img.RGBAAt(30, 30) == color.RGBA{})
	// Output: true true
}
