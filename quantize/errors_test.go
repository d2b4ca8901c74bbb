package quantize

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/preprocess"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// writePNG writes a w x h gradient PNG at path.
func writePNG(t *testing.T, path string, w, h int) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), 128, 255})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	good := convNet().m
	noConv := newTestModel(13, "x", 1, 3, 8, 8)
	noConv.node("Relu", []string{"x"}, []string{"r"})
	noConv.node("Softmax", []string{"r"}, []string{"y"})
	noConv.output("y")
	twoInputs := convNet()
	twoInputs.m.Graph.Inputs = append(twoInputs.m.Graph.Inputs, valueInfo("z", onnx.Float, 1))
	intInput := newTestModel(13, "x", 1, 3, 8, 8)
	intInput.m.Graph.Inputs[0].Type.Elem = onnx.Int64
	intInput.node("Cast", []string{"x"}, []string{"f"}, aInt("to", int64(onnx.Float)))
	intInput.node("Conv", []string{"f", intInput.random("w", -1, 1, 2, 3, 1, 1)}, []string{"y"})
	intInput.output("y")

	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "a.png"), 12, 10)
	if err := os.WriteFile(filepath.Join(dir, "b.png"), []byte("\x89PNG\r\n\x1a\nnot really"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("no images here"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ImageDir(empty); !errors.Is(err, ErrNoCalibration) || !strings.Contains(err.Error(), empty) {
		t.Errorf("empty folder: %v, want ErrNoCalibration naming it", err)
	}
	if _, err := ImageDir(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing folder: %v", err)
	}
	src, err := ImageDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	nan := randomInput(1, -1, 1, 1, 3, 8, 8)
	nan.F32()[5] = float32(math.NaN())
	canceled, cancel := context.WithCancel(ctx)
	cancel()

	var sample *SampleError
	var inputErr *runtime.InputError
	for _, c := range []struct {
		name  string
		ctx   context.Context
		m     *onnx.Model
		src   Source
		opt   Options
		check func(error) bool
		want  string // in the message
	}{
		{"no graph", ctx, &onnx.Model{}, randomInputs(1, 1, 3, 8, 8), Options{}, isErr(onnx.ErrInvalid), "no graph"},
		{"not a CNN", ctx, noConv.m, randomInputs(1, 1, 3, 8, 8), Options{}, isErr(ErrUnsupportedModel), "no Conv, Gemm or MatMul"},
		{"two inputs", ctx, twoInputs.m, randomInputs(1, 1, 3, 8, 8), Options{}, isErr(ErrUnsupportedModel), "2 inputs"},
		{"int64 input", ctx, intInput.m, randomInputs(1, 1, 3, 8, 8), Options{}, isErr(ErrUnsupportedModel), "int64"},
		{"empty set", ctx, good, Tensors(), Options{}, isErr(ErrNoCalibration), "empty"},
		{"image that does not decode", ctx, good, src, Options{}, func(err error) bool {
			return errors.As(err, &sample) && sample.Index == 1
		}, filepath.Join(dir, "b.png")},
		{"wrong shape", ctx, good, randomInputs(1, 1, 3, 9, 8), Options{}, func(err error) bool {
			return errors.As(err, &sample) && errors.As(err, &inputErr)
		}, "calibration sample 1"},
		{"NaN", ctx, good, Tensors(nan), Options{}, func(err error) bool { return errors.As(err, &sample) }, "non-finite"},
		{"nil tensor", ctx, good, Tensors(nil), Options{}, func(err error) bool { return errors.As(err, &sample) }, "nil"},
		{"canceled", canceled, good, randomInputs(1, 1, 3, 8, 8), Options{}, isErr(context.Canceled), "canceled"},
		{"percentile", ctx, good, randomInputs(1, 1, 3, 8, 8), Options{Percentile: 120}, isErr(nil), "percentile 120"},
		{"bins", ctx, good, randomInputs(1, 1, 3, 8, 8), Options{Bins: 4}, isErr(nil), "4 histogram bins"},
		{"method", ctx, good, randomInputs(1, 1, 3, 8, 8), Options{Method: 7}, isErr(nil), "unknown method"},
	} {
		res, err := Quantize(c.ctx, c.m, c.src, c.opt)
		if err == nil || res != nil || !c.check(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error mentioning %q", c.name, err, c.want)
		}
	}
}

// isErr checks errors.Is(err, target); a nil target accepts any error.
func isErr(target error) func(error) bool {
	return func(err error) bool { return target == nil || errors.Is(err, target) }
}

// TestImageSources calibrates from image files and synthetic images: the
// model's preprocessing gives tensors of its input shape, a model without
// a batch axis included.
func TestImageSources(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "a.png"), 40, 30)
	writePNG(t, filepath.Join(dir, "b.png"), 16, 16)
	files, err := ImageDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []Source{files, RandomImages(3, 7), Images(filepath.Join(dir, "a.png"))} {
		res := quantizeOK(t, convNet().m, src, Options{})
		if res.Report.Samples != src.Len() {
			t.Errorf("%d samples reported, want %d", res.Report.Samples, src.Len())
		}
	}
	rank3 := convNet()
	rank3.m.Graph.Inputs[0] = valueInfo("x", onnx.Float, 3, 8, 8)
	rank3.m.Graph.Nodes = append([]*onnx.Node{{OpType: "Unsqueeze", Inputs: []string{"x", rank3.ints("zero", 0)}, Outputs: []string{"x4"}}}, rank3.m.Graph.Nodes...)
	rank3.m.Graph.Nodes[1].Inputs[0] = "x4"
	quantizeOK(t, rank3.m, files, Options{})

	var opt preprocess.Options // 224x224 RGB
	a, _ := RandomImages(2, 7).Sample(1, opt)
	b, _ := RandomImages(2, 7).Sample(1, opt)
	c, _ := RandomImages(2, 8).Sample(1, opt)
	if maxDiff(a.Input, b.Input) != 0 || maxDiff(a.Input, c.Input) == 0 || a.Name != "random image 2" {
		t.Error("random images are not a function of the seed and index")
	}
}
