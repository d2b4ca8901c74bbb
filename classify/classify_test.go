package classify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/edgeinfer/edgeinfer/models/squeezenet"
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/runtime"
)

var ctx = context.Background()

// tiny describes a small test classifier: Conv, Relu, GlobalAveragePool,
// Flatten, Gemm to `classes` logits, then the tail given.
type tiny struct {
	classes int
	softmax bool    // end with Softmax (probabilities)
	half    bool    // end with a Cast to float16
	scale   float32 // multiply the logits by this (NaN: NaN scores)
	outDims []int64 // declared output dims (nil: [1, classes]; empty: undeclared)
	reshape []int64 // reshape the output to this
	input   []int64 // declared input dims (nil: 1x3x16x16)
}

func (c tiny) model() *onnx.Model {
	rng := rand.New(rand.NewPCG(3, 4))
	tensor := func(name string, dims ...int) *onnx.Tensor {
		t := ops.New(onnx.Float, dims...)
		for i := range t.F32() {
			t.F32()[i] = rng.Float32() - 0.5
		}
		return ops.ToProto(t, name, onnx.Float)
	}
	node := func(op string, in []string, out string, attrs ...*onnx.Attribute) *onnx.Node {
		return &onnx.Node{Name: "/" + op + out, OpType: op, Inputs: in, Outputs: []string{out}, Attrs: attrs}
	}
	vinfo := func(name string, elem onnx.DataType, dims []int64) *onnx.ValueInfo {
		ti := onnx.TypeInfo{Kind: onnx.KindTensor, Elem: elem}
		if dims != nil {
			ti.HasShape, ti.Shape = true, []onnx.Dim{}
			for _, d := range dims {
				if d < 0 {
					ti.Shape = append(ti.Shape, onnx.Dim{Param: "n"})
				} else {
					ti.Shape = append(ti.Shape, onnx.Dim{Value: d, Known: true})
				}
			}
		}
		return &onnx.ValueInfo{Name: name, Type: ti}
	}
	g := &onnx.Graph{
		Name: "tiny",
		Initializer: []*onnx.Tensor{tensor("w", 4, 3, 3, 3), tensor("b", 4),
			tensor("fw", c.classes, 4), tensor("fb", c.classes)},
		Nodes: []*onnx.Node{
			node("Conv", []string{"data", "w", "b"}, "c", &onnx.Attribute{Name: "pads", Type: onnx.AttrInts, Ints: []int64{1, 1, 1, 1}}),
			node("Relu", []string{"c"}, "r"),
			node("GlobalAveragePool", []string{"r"}, "g"),
			node("Flatten", []string{"g"}, "f"),
			node("Gemm", []string{"f", "fw", "fb"}, "out", &onnx.Attribute{Name: "transB", Type: onnx.AttrInt, I: 1}),
		},
	}
	last := "out"
	add := func(n *onnx.Node) {
		n.Inputs[0] = last
		g.Nodes = append(g.Nodes, n)
		last = n.Outputs[0]
	}
	if c.scale != 0 {
		g.Initializer = append(g.Initializer, ops.ToProto(ops.FromF32([]float32{c.scale}, 1), "scale", onnx.Float))
		add(node("Mul", []string{"", "scale"}, "scaled"))
	}
	if c.softmax {
		add(node("Softmax", []string{""}, "prob"))
	}
	if c.reshape != nil {
		g.Initializer = append(g.Initializer, ops.ToProto(ops.FromI64(c.reshape, len(c.reshape)), "shape", onnx.Int64))
		add(node("Reshape", []string{"", "shape"}, "reshaped"))
	}
	elem := onnx.Float
	if c.half {
		add(node("Cast", []string{""}, "half", &onnx.Attribute{Name: "to", Type: onnx.AttrInt, I: int64(onnx.Float16)}))
		elem = onnx.Float16
	}
	in := c.input
	if in == nil {
		in = []int64{1, 3, 16, 16}
	}
	out := c.outDims
	switch {
	case out == nil:
		out = []int64{1, int64(c.classes)}
	case len(out) == 0:
		out = nil
	}
	g.Inputs = []*onnx.ValueInfo{vinfo("data", onnx.Float, in)}
	g.Outputs = []*onnx.ValueInfo{vinfo(last, elem, out)}
	return &onnx.Model{IRVersion: 8, OpsetImports: []onnx.OpsetID{{Version: 13}}, ProducerName: "pytorch", Graph: g}
}

// load makes a Classifier of the tiny model (the model closes with the test).
func (c tiny) load(t *testing.T, opts ...Option) (*Classifier, error) {
	t.Helper()
	m, err := runtime.LoadModel(c.model(), runtime.WithThreads(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return New(m, opts...)
}

// builtIn returns a Classifier of the embedded SqueezeNet.
func builtIn(t testing.TB, opts ...Option) *Classifier {
	t.Helper()
	p, err := squeezenet.Model()
	if err != nil {
		t.Fatal(err)
	}
	m, err := runtime.LoadModel(p, runtime.WithThreads(2))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	c, err := New(m, append([]Option{WithName(squeezenet.Name)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// chelsea decodes the sample photo as Go's PNG decoder gives it.
func chelsea(t testing.TB) image.Image {
	t.Helper()
	f, err := os.Open("testdata/chelsea.png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func isCat(i int) bool { return i >= 281 && i <= 285 }

func TestBuiltInNamesACat(t *testing.T) {
	c := builtIn(t)
	if c.Classes() != 1000 || c.Preprocess().Preset.Name != "caffe" || c.Preprocess().Width != 224 {
		t.Fatalf("classes %d, preprocessing %+v: want 1000 and caffe 224x224", c.Classes(), c.Preprocess())
	}
	var fromFile, fromImage, fromReader Result
	if err := c.ClassifyFile(ctx, "testdata/chelsea.png", &fromFile); err != nil {
		t.Fatal(err)
	}
	if err := c.Classify(ctx, chelsea(t), &fromImage); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile("testdata/chelsea.png")
	if err := c.ClassifyReader(ctx, bytes.NewReader(b), "stdin", &fromReader); err != nil {
		t.Fatal(err)
	}
	for _, r := range []Result{fromFile, fromImage, fromReader} {
		if len(r.Top) != DefaultK || !isCat(r.Top[0].Index) || r.Preset != "caffe" || r.Model != squeezenet.Name {
			t.Errorf("%+v: want the top class a cat (281-285)", r)
		}
	}
	if fromFile.Image != "testdata/chelsea.png" || fromReader.Image != "stdin" || fromImage.Image != "" {
		t.Errorf("image names %q, %q, %q", fromFile.Image, fromReader.Image, fromImage.Image)
	}
	// The same pixels, however they arrive, give the same scores.
	if !slices.Equal(fromFile.Top, fromImage.Top) || !slices.Equal(fromFile.Top, fromReader.Top) {
		t.Errorf("file %v, image %v, reader %v", fromFile.Top, fromImage.Top, fromReader.Top)
	}
	sum := 0.0
	for _, cl := range fromFile.Top {
		sum += cl.Score
	}
	if sum <= 0.5 || sum > 1+1e-9 || fromFile.Top[0].Label != c.Labels()[fromFile.Top[0].Index] {
		t.Errorf("top-5 %v: scores sum to %g", fromFile.Top, sum)
	}
	t.Logf("chelsea.png: %v in %+v", fromFile.Top, fromFile.MS)
}

// TestSameTop5AsOriginal: the embedded fp16-weight copy and the zoo's
// fp32 file give the same top-5, scores included, on the three photos.
func TestSameTop5AsOriginal(t *testing.T) {
	zoo := onnxtest.Shared(t, "models", "squeezenet1.0", "model.onnx")
	orig, err := Load(zoo, WithThreads(2))
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()
	half := builtIn(t)
	want := map[string]func(int) bool{"chelsea.png": isCat, "coffee.png": func(i int) bool { return i == 967 }, "astronaut.png": nil}
	for name, ok := range want {
		path := onnxtest.Shared(t, "images", name)
		var a, b Result
		if err := orig.ClassifyFile(ctx, path, &a); err != nil {
			t.Fatal(err)
		}
		if err := half.ClassifyFile(ctx, path, &b); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a.Top, b.Top) {
			t.Errorf("%s: fp32 %v, fp16 weights %v", name, a.Top, b.Top)
		}
		if ok != nil && !ok(b.Top[0].Index) {
			t.Errorf("%s: top class %v", name, b.Top[0])
		}
		t.Logf("%s: %v", name, b.Top)
	}
}

// TestClassifyAllocs: once warm, Classify allocates nothing, for the image
// types of Go's decoders and cameras.
func TestClassifyAllocs(t *testing.T) {
	c := builtIn(t)
	src := chelsea(t)
	rgba := image.NewRGBA(src.Bounds())
	draw.Draw(rgba, rgba.Bounds(), src, src.Bounds().Min, draw.Src)
	ycc := image.NewYCbCr(src.Bounds(), image.YCbCrSubsampleRatio420)
	for _, img := range []image.Image{src, rgba, ycc} {
		var res Result
		for range 2 {
			if err := c.Classify(ctx, img, &res); err != nil {
				t.Fatal(err)
			}
		}
		n := testing.AllocsPerRun(5, func() {
			if err := c.Classify(ctx, img, &res); err != nil {
				t.Fatal(err)
			}
		})
		if n != 0 {
			t.Errorf("%T: %v allocations per Classify, want 0", img, n)
		}
	}
}

// TestConcurrent: goroutines sharing a Classifier get the serial results.
func TestConcurrent(t *testing.T) {
	c := builtIn(t, WithTopK(3))
	src := chelsea(t)
	imgs := []image.Image{src}
	for _, r := range []image.Rectangle{image.Rect(0, 0, 200, 200), image.Rect(100, 50, 451, 300), image.Rect(10, 10, 300, 150)} {
		imgs = append(imgs, src.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(r))
	}
	want := make([][]Class, len(imgs))
	for i, img := range imgs {
		var res Result
		if err := c.Classify(ctx, img, &res); err != nil {
			t.Fatal(err)
		}
		want[i] = res.Top
	}
	var wg sync.WaitGroup
	for g := range 6 {
		wg.Go(func() {
			var res Result
			for i := range 8 {
				k := (g + i) % len(imgs)
				if err := c.Classify(ctx, imgs[k], &res); err != nil {
					t.Error(err)
					return
				}
				if !slices.Equal(res.Top, want[k]) {
					t.Errorf("goroutine %d, image %d: %v, want %v", g, k, res.Top, want[k])
				}
			}
		})
	}
	wg.Wait()
}

func TestNotAClassifier(t *testing.T) {
	for _, c := range []struct {
		name  string
		model tiny
	}{
		{"feature map", tiny{classes: 4, reshape: []int64{1, 2, 2, 1}, outDims: []int64{1, 2, 2, 1}}},
		{"one class", tiny{classes: 1}},
		{"image input of rank 2", tiny{classes: 4, input: []int64{16, 16}}},
	} {
		_, err := c.model.load(t)
		if !errors.Is(err, ErrNotClassifier) {
			t.Errorf("%s: %v, want ErrNotClassifier", c.name, err)
		}
	}
	// An undeclared output shape is checked when it is known.
	cl, err := tiny{classes: 4, reshape: []int64{1, 2, 2, 1}, outDims: []int64{}}.load(t)
	if err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := cl.Classify(ctx, chelsea(t), &res); !errors.Is(err, ErrNotClassifier) || !strings.Contains(err.Error(), "[1 2 2 1]") {
		t.Errorf("feature map output: %v, want ErrNotClassifier naming the shape", err)
	}
	// [1, C, 1, 1] (Caffe's) and a symbolic batch are scores.
	for _, m := range []tiny{
		{classes: 7, reshape: []int64{1, 7, 1, 1}, outDims: []int64{1, 7, 1, 1}},
		{classes: 7, outDims: []int64{-1, 7}},
		{classes: 7, reshape: []int64{7}, outDims: []int64{7}},
	} {
		cl, err := m.load(t)
		if err != nil {
			t.Fatalf("%v: %v", m.outDims, err)
		}
		if err := cl.Classify(ctx, chelsea(t), &res); err != nil || cl.Classes() != 7 || len(res.Top) != 5 || res.Top[0].Label != fmt.Sprintf("class %d", res.Top[0].Index) {
			t.Errorf("%v: classes %d, %+v, %v", m.outDims, cl.Classes(), res, err)
		}
	}
}

func TestLabels(t *testing.T) {
	three := []string{"a", "b", "c"}
	_, err := tiny{classes: 10}.load(t, WithLabels(three))
	if !errors.Is(err, ErrLabels) || !strings.Contains(err.Error(), "3 labels given, model tiny has 10 classes") {
		t.Errorf("3 labels for 10 classes: %v", err)
	}
	file := filepath.Join(t.TempDir(), "labels.txt")
	os.WriteFile(file, []byte("a\nb\nc\n"), 0o644)
	if _, err := (tiny{classes: 10}).load(t, WithLabelsFile(file)); !errors.Is(err, ErrLabels) || !strings.Contains(err.Error(), "labels.txt has 3 labels, model tiny has 10 classes") {
		t.Errorf("labels file of 3 for 10 classes: %v", err)
	}
	if _, err := (tiny{classes: 3}).load(t, WithLabelsFile(filepath.Join(t.TempDir(), "none.txt"))); err == nil || !strings.Contains(err.Error(), "none.txt") {
		t.Errorf("missing labels file: %v", err)
	}
	c, err := tiny{classes: 3}.load(t, WithLabelsFile(file))
	if err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := c.Classify(ctx, chelsea(t), &res); err != nil || len(res.Top) != 3 {
		t.Fatalf("%+v, %v", res, err)
	}
	for _, cl := range res.Top {
		if cl.Label != three[cl.Index] {
			t.Errorf("%+v: want label %q", cl, three[cl.Index])
		}
	}
	// With the class count unknown until the first run, the mismatch is found then.
	c, err = tiny{classes: 10, outDims: []int64{}}.load(t, WithLabels(three))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Classify(ctx, chelsea(t), &res); !errors.Is(err, ErrLabels) {
		t.Errorf("undeclared output, 3 labels for 10 classes: %v", err)
	}
}

// TestScores: softmax only where needed, float16 outputs, k clamped to
// the class count, ties in index order.
func TestScores(t *testing.T) {
	img := chelsea(t)
	run := func(m tiny, opts ...Option) Result {
		t.Helper()
		c, err := m.load(t, opts...)
		if err != nil {
			t.Fatal(err)
		}
		var res Result
		if err := c.Classify(ctx, img, &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	logits := run(tiny{classes: 6}, WithTopK(6))
	probs := run(tiny{classes: 6, softmax: true}, WithTopK(6))
	half := run(tiny{classes: 6, half: true}, WithTopK(100))
	if len(half.Top) != 6 {
		t.Fatalf("k 100 for 6 classes: %d rows", len(half.Top))
	}
	sum := 0.0
	for i := range logits.Top {
		a, b, h := logits.Top[i], probs.Top[i], half.Top[i]
		sum += a.Score
		if a.Index != b.Index || math.Abs(a.Score-b.Score) > 1e-6 || a.Index != h.Index || math.Abs(a.Score-h.Score) > 1e-3 {
			t.Errorf("rank %d: logits %+v, softmax %+v, float16 %+v", i, a, b, h)
		}
		if i > 0 && a.Score > logits.Top[i-1].Score {
			t.Errorf("not sorted: %v", logits.Top)
		}
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("softmax of the logits sums to %g", sum)
	}
	// Equal scores rank by index.
	p := []float64{0.1, 0.3, 0.3, math.NaN(), 0.3}
	top := topK(nil, p, 4, []string{"a", "b", "c", "d", "e"})
	if got := []int{top[0].Index, top[1].Index, top[2].Index, top[3].Index}; !slices.Equal(got, []int{1, 2, 4, 0}) {
		t.Errorf("ties and NaN: order %v, want [1 2 4 0]", got)
	}
}

// TestNaNScores: NaN scores are an error wrapping ErrNotFinite, and the
// Result still fills and marshals to valid JSON with null scores.
func TestNaNScores(t *testing.T) {
	c, err := tiny{classes: 4, scale: float32(math.NaN())}.load(t, WithName("nan"))
	if err != nil {
		t.Fatal(err)
	}
	var res Result
	err = c.Classify(ctx, chelsea(t), &res)
	if !errors.Is(err, ErrNotFinite) {
		t.Fatalf("%v, want ErrNotFinite", err)
	}
	b, err := json.Marshal(&res)
	if err != nil || !json.Valid(b) || !strings.Contains(string(b), `"score":null`) {
		t.Fatalf("JSON %s, %v", b, err)
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil || len(back.Top) != 4 || !math.IsNaN(back.Top[0].Score) {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}

// TestImageErrors: whatever is wrong with the image (not an image, a
// truncated file, a missing file, a failing reader, an empty image) the
// error wraps ErrImage, keeps the decoder's message and its cause; a
// model failure (a closed model) does not wrap ErrImage.
func TestImageErrors(t *testing.T) {
	c, err := tiny{classes: 3}.load(t)
	if err != nil {
		t.Fatal(err)
	}
	photo, err := os.ReadFile(filepath.Join("testdata", "chelsea.png"))
	if err != nil {
		t.Fatal(err)
	}
	readErr := errors.New("connection reset")
	var res Result
	for _, tc := range []struct {
		name  string
		call  func() error
		cause error  // wrapped besides ErrImage (nil: not checked)
		text  string // in the message
	}{
		{"not an image", func() error {
			return c.ClassifyReader(ctx, strings.NewReader("hello"), "hello.txt", &res)
		}, nil, "hello.txt: unknown image format"},
		{"truncated", func() error {
			return c.ClassifyReader(ctx, bytes.NewReader(photo[:len(photo)/2]), "half.png", &res)
		}, nil, "half.png: truncated png"},
		{"reader fails", func() error {
			return c.ClassifyReader(ctx, io.MultiReader(bytes.NewReader(photo[:100]), iotest.ErrReader(readErr)), "net.png", &res)
		}, readErr, "connection reset"},
		{"missing file", func() error {
			return c.ClassifyFile(ctx, filepath.Join(t.TempDir(), "nope.png"), &res)
		}, fs.ErrNotExist, "nope.png"},
		{"empty image", func() error {
			return c.Classify(ctx, image.NewRGBA(image.Rect(0, 0, 0, 5)), &res)
		}, nil, "empty image"},
	} {
		err := tc.call()
		if !errors.Is(err, ErrImage) || !strings.Contains(err.Error(), tc.text) || (tc.cause != nil && !errors.Is(err, tc.cause)) {
			t.Errorf("%s: %v (want ErrImage, %q in the message, wrapping %v)", tc.name, err, tc.text, tc.cause)
		}
	}
	c.Close()
	m, err := runtime.LoadModel(tiny{classes: 3}.model())
	if err != nil {
		t.Fatal(err)
	}
	c2, err := New(m)
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	if err := c2.ClassifyReader(ctx, bytes.NewReader(photo), "ok.png", &res); !errors.Is(err, runtime.ErrClosed) || errors.Is(err, ErrImage) {
		t.Errorf("closed model: %v, want ErrClosed and not ErrImage", err)
	}
}

// TestResultJSON: the Result's JSON is the object `edgeinfer -json` prints.
func TestResultJSON(t *testing.T) {
	r := Result{Image: "a.jpg", Model: "m.onnx", Preset: "caffe",
		Top: []Class{{Index: 281, Label: "tabby, tabby cat", Score: 0.7512345678}, {Index: 3, Label: "x", Score: 1e-9}},
		MS:  Timings{Decode: 1.5, Preprocess: 2, Infer: 30.25}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"image":"a.jpg","model":"m.onnx","preset":"caffe","top":[{"index":281,"label":"tabby, tabby cat","score":0.751235},{"index":3,"label":"x","score":0}],"ms":{"decode":1.5,"preprocess":2,"infer":30.25}}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

func TestOptions(t *testing.T) {
	if _, err := (tiny{classes: 3}).load(t, WithTopK(0)); err == nil {
		t.Error("k 0 accepted")
	}
	c, err := tiny{classes: 3}.load(t, WithPreset(mustPreset(t, "caffe")))
	if err != nil || c.Preprocess().Preset.Name != "caffe" || c.Preprocess().Width != 16 {
		t.Errorf("preset override: %+v, %v", c.Preprocess(), err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.onnx")); err == nil || !strings.Contains(err.Error(), "missing.onnx") {
		t.Errorf("missing model: %v", err)
	}
	// A closed model's classifier fails with runtime.ErrClosed.
	m, err := runtime.LoadModel(tiny{classes: 3}.model())
	if err != nil {
		t.Fatal(err)
	}
	c, err = New(m)
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	var res Result
	if err := c.Classify(ctx, chelsea(t), &res); !errors.Is(err, runtime.ErrClosed) {
		t.Errorf("after Close: %v, want ErrClosed", err)
	}
}

// TestConcurrentSmallModel hammers one Classifier of a fast model from
// many goroutines: a call must never read scores another call's run has
// overwritten (each call in flight runs its own Session).
func TestConcurrentSmallModel(t *testing.T) {
	c, err := tiny{classes: 50, outDims: []int64{1, 50}}.load(t, WithTopK(50))
	if err != nil {
		t.Fatal(err)
	}
	var imgs []image.Image
	for i := range 4 {
		img := image.NewNRGBA(image.Rect(0, 0, 16+i, 16))
		for j := range img.Pix {
			img.Pix[j] = uint8(j*(i+3) + i*40)
		}
		imgs = append(imgs, img)
	}
	want := make([][]Class, len(imgs))
	for i, img := range imgs {
		var res Result
		if err := c.Classify(ctx, img, &res); err != nil {
			t.Fatal(err)
		}
		want[i] = res.Top
	}
	testHookAfterRun = func() { time.Sleep(200 * time.Microsecond) }
	defer func() { testHookAfterRun = nil }()
	n := 200
	if testing.Short() {
		n = 50
	}
	var wg sync.WaitGroup
	var bad atomic.Int64
	for g := range 8 {
		wg.Go(func() {
			var res Result
			for i := range n {
				k := (g + i) % len(imgs)
				if err := c.Classify(ctx, imgs[k], &res); err != nil {
					t.Error(err)
					return
				}
				if !slices.Equal(res.Top, want[k]) {
					bad.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if bad.Load() > 0 {
		t.Errorf("%d of %d concurrent results differ from the serial ones", bad.Load(), 8*n)
	}
}
