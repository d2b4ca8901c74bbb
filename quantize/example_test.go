package quantize_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/edgeinfer/edgeinfer/models/squeezenet"
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/quantize"
)

// Quantize the built-in SqueezeNet 1.0 and write it. Real photos of what
// the model will see calibrate best (quantize.ImageDir); synthetic images
// keep this example self-contained.
func Example() {
	m, err := squeezenet.Model()
	if err != nil {
		log.Fatal(err)
	}
	res, err := quantize.Quantize(context.Background(), m, quantize.RandomImages(2, 1),
		quantize.Options{Method: quantize.Percentile, PerChannel: true})
	if err != nil {
		log.Fatal(err)
	}
	out := filepath.Join(os.TempDir(), "squeezenet-int8.onnx")
	if err := onnx.WriteFile(out, res.Model); err != nil {
		log.Fatal(err)
	}
	defer os.Remove(out)
	rep := res.Report
	fmt.Printf("%d Conv and %d Concat quantized, %d Relu fused\n", rep.Quantized["Conv"], rep.Quantized["Concat"], rep.Fused)
	fmt.Printf("top-1 compared on %d images; %d layers reported\n", rep.Top1.Total, len(rep.Layers))
	// Output:
	// 26 Conv and 8 Concat quantized, 26 Relu fused
	// top-1 compared on 2 images; 38 layers reported
}

// The Entropy method's threshold on a histogram of absolute values, here
// for 2 quantization levels: clipping at 3 keeps the distribution's shape
// best.
func ExampleEntropyThreshold() {
	h := &quantize.Histogram{Lo: 0, Hi: 4, Counts: []int64{6, 2, 1, 1}}
	fmt.Println(quantize.EntropyThreshold(h, 2))
	// Output: 3
}

// The Percentile method's range: keeping 90% of 100 values drops at most
// 5 at each end.
func ExamplePercentileRange() {
	h := &quantize.Histogram{Lo: 0, Hi: 10, Counts: []int64{5, 10, 20, 30, 20, 10, 3, 1, 0, 1}, Min: 0.1, Max: 9.5}
	fmt.Println(quantize.PercentileRange(h, 90))
	// Output: 1 6
}
