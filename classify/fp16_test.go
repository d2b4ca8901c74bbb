package classify_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/classify"
	"github.com/edgeinfer/edgeinfer/models"
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/preprocess"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// TestFP16Accuracy classifies the photos of ../shared/images with each
// model in float32 and in the fp16 mode and checks that the top-1 class
// is the same, logging the largest and the mean difference of the
// outputs (logits). It needs a CPU with fp16 arithmetic: on arm64 run
// it under qemu-aarch64 -cpu cortex-a76 (slow there: fp16 arithmetic is
// emulated). EDGEINFER_FP16_MODELS lists the models (default
// "squeezenet", the zoo's SqueezeNet from ../shared/models, else the
// built-in one; others are edgeinfer gen's, such as resnet18 resnet50).
func TestFP16Accuracy(t *testing.T) {
	if !ops.FP16Arithmetic() {
		t.Skip("this CPU has no fp16 arithmetic")
	}
	photos, _ := filepath.Glob("../../shared/images/*.png")
	if len(photos) == 0 {
		t.Skip("no photos in ../../shared/images")
	}
	names := strings.Fields(os.Getenv("EDGEINFER_FP16_MODELS"))
	if len(names) == 0 {
		names = []string{"squeezenet"}
	}
	for _, name := range names {
		p, err := fp16TestModel(name)
		if err != nil {
			t.Fatal(err)
		}
		c32, err := classify.LoadModel(p, classify.WithThreads(2))
		if err != nil {
			t.Fatal(err)
		}
		c16, err := classify.LoadModel(p, classify.WithThreads(2), classify.WithRuntimeOptions(runtime.WithPrecision(runtime.FP16)))
		if err != nil {
			t.Fatal(err)
		}
		if got := c16.Model().Precision(); got != runtime.FP16 {
			t.Fatalf("%s: precision %v with fp16 asked for on a CPU with fp16 arithmetic", name, got)
		}
		conv, err := preprocess.NewConverter(c32.Preprocess())
		if err != nil {
			t.Fatal(err)
		}
		var maxErr, sumErr, maxLogit float64
		count := 0
		for _, photo := range photos {
			px, err := preprocess.Decode(photo, c32.Preprocess())
			if err != nil {
				t.Fatal(err)
			}
			data, shape, err := conv.Pixels(px)
			if err != nil {
				t.Fatal(err)
			}
			in := ops.FromF32(slices.Clone(data), shape...)
			y32, y16 := fp16TestRun(t, c32.Model(), in), fp16TestRun(t, c16.Model(), in)
			top32, top16 := argmax(y32), argmax(y16)
			if top32 != top16 {
				t.Errorf("%s %s: top-1 class %d in fp16, %d in fp32", name, filepath.Base(photo), top16, top32)
			}
			for i, v := range y32 {
				e := math.Abs(float64(y16[i]) - float64(v))
				maxErr, sumErr = max(maxErr, e), sumErr+e
				maxLogit = max(maxLogit, math.Abs(float64(v)))
			}
			count += len(y32)
			t.Logf("%s %s: top-1 %d (fp32) %d (fp16)", name, filepath.Base(photo), top32, top16)
		}
		t.Logf("%s: fp16 against fp32 over %d photos: max |error| %.4g, mean %.4g (largest |output| %.4g)",
			name, len(photos), maxErr, sumErr/float64(count), maxLogit)
		c32.Close()
		c16.Close()
	}
}

// fp16TestModel is the named model for TestFP16Accuracy.
func fp16TestModel(name string) (*onnx.Model, error) {
	if name == "squeezenet" {
		path := "../../shared/models/squeezenet1.0/model.onnx"
		if _, err := os.Stat(path); err == nil {
			return onnx.Open(path)
		}
		return onnx.Open(modelFile)
	}
	return models.Build(name, 1)
}

// fp16TestRun runs m on in and returns its first output.
func fp16TestRun(t *testing.T, m *runtime.Model, in *ops.Tensor) []float32 {
	t.Helper()
	out, err := m.NewSession().Run(context.Background(), []*ops.Tensor{in})
	if err != nil {
		t.Fatal(err)
	}
	return out[0].F32()
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
