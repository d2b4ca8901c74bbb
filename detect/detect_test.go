package detect

import (
	"context"
	"errors"
	"image"
	"image/color"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/preprocess"
)

var photos = []string{"astronaut.png", "chelsea.png", "coffee.png"}

// refRun decodes a photo with the detector's preprocessing and runs the
// model itself, for a reference decoding: the outputs as float32 slices,
// the input tensor's size and the photo's.
func refRun(t *testing.T, d *Detector, path string) (outs [][]float32, shapes [][]int, inW, inH, w, h int) {
	t.Helper()
	opt := d.Preprocess()
	px, err := preprocess.Decode(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	data, shape, err := px.Tensor(opt)
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Model().Run(context.Background(), []*ops.Tensor{ops.FromF32(data, shape...)})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		outs = append(outs, r.F32())
		shapes = append(shapes, r.Shape)
	}
	return outs, shapes, shape[3], shape[2], px.Width, px.Height
}

// detectPhotos runs DetectFile on each shared photo and compares with the
// reference ref computes from the model's outputs.
func detectPhotos(t *testing.T, d *Detector, ref func(outs [][]float32, shapes [][]int, inW, inH, w, h int) []refBox) (total int) {
	t.Helper()
	for _, name := range photos {
		path := onnxtest.Shared(t, "images", name)
		var res Result
		if err := d.DetectFile(context.Background(), path, &res); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		compareBoxes(t, d.Family().String()+" "+name, res.Boxes, ref(refRun(t, d, path)))
		total += len(res.Boxes)
	}
	return total
}

func loadShared(t *testing.T, model string, opts ...Option) *Detector {
	t.Helper()
	d, err := Load(onnxtest.Shared(t, "models", "wild", model, "model.onnx"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func loadBuilt(t *testing.T, m *onnx.Model, opts ...Option) *Detector {
	t.Helper()
	d, err := LoadModel(m, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func wantFamily(t *testing.T, d *Detector, f Family) {
	t.Helper()
	if d.Family() != f {
		t.Fatalf("recognised as %s, want %s", d.Family(), f)
	}
}

func TestYOLOXNano(t *testing.T) {
	d := loadShared(t, "yolox-nano")
	wantFamily(t, d, YOLOX)
	th := d.Thresholds()
	detectPhotos(t, d, func(o [][]float32, s [][]int, inW, inH, w, h int) []refBox {
		bs := refNMS(refYOLOX(o[0], s[0][2], inW, inH, th.Conf), th.IoU, th.MaxDet, false)
		return refLetterbox(bs, inW, inH, w, h, true)
	})
	var res Result
	if err := d.DetectFile(context.Background(), onnxtest.Shared(t, "images", "coffee.png"), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Boxes) == 0 || res.Boxes[0].Label != "cup" || res.Boxes[0].Score < 0.5 {
		t.Errorf("coffee.png: best box %+v, want a cup", res.Boxes)
	}
}

func TestUltraFace(t *testing.T) {
	d := loadShared(t, "ultraface-rfb-320")
	wantFamily(t, d, SSD)
	th := d.Thresholds()
	n := detectPhotos(t, d, func(o [][]float32, s [][]int, inW, inH, w, h int) []refBox {
		bs := refNMS(refUltraFace(o[0], o[1], s[0][1], inW, inH, nil, th.Conf), th.IoU, th.MaxDet, false)
		return refStretch(bs, inW, inH, w, h)
	})
	if n == 0 {
		t.Error("no face found in the astronaut's photo")
	}
}

func TestBlazeFace(t *testing.T) {
	d := loadShared(t, "blazeface-pt")
	wantFamily(t, d, BlazeFace)
	th := d.Thresholds()
	n := detectPhotos(t, d, func(o [][]float32, s [][]int, inW, inH, w, h int) []refBox {
		bs := refBlazeFace(o[0], o[1], th.Conf, th.IoU)
		return refLetterbox(bs, inW, inH, w, h, false)
	})
	if n == 0 {
		t.Error("no face found in the astronaut's photo")
	}
}

func TestYOLOv8Head(t *testing.T) {
	d := loadBuilt(t, yoloModel(320, 256, 80, false))
	wantFamily(t, d, YOLOv8)
	th := d.Thresholds()
	n := detectPhotos(t, d, func(o [][]float32, s [][]int, inW, inH, w, h int) []refBox {
		bs := refNMS(refYOLOv8(o[0], s[0][1], s[0][2], th.Conf), th.IoU, th.MaxDet, false)
		return refLetterbox(bs, inW, inH, w, h, false)
	})
	if n == 0 {
		t.Error("no boxes at all: the test shows nothing")
	}
}

func TestYOLOv5Head(t *testing.T) {
	d := loadBuilt(t, yoloModel(320, 256, 80, true))
	wantFamily(t, d, YOLOv5)
	th := d.Thresholds()
	n := detectPhotos(t, d, func(o [][]float32, s [][]int, inW, inH, w, h int) []refBox {
		bs := refNMS(refYOLOv5(o[0], s[0][1], s[0][2], th.Conf), th.IoU, th.MaxDet, false)
		return refLetterbox(bs, inW, inH, w, h, false)
	})
	if n == 0 {
		t.Error("no boxes at all: the test shows nothing")
	}
}

func TestNanoDetHead(t *testing.T) {
	d := loadBuilt(t, nanoDetModel(320, 320, 80))
	wantFamily(t, d, NanoDet)
	th := d.Thresholds()
	n := detectPhotos(t, d, func(o [][]float32, s [][]int, inW, inH, w, h int) []refBox {
		bs := refNMS(refNanoDet(o[0], s[0][1], s[0][2], 80, inW, inH, th.Conf), th.IoU, th.MaxDet, false)
		return refStretch(bs, inW, inH, w, h)
	})
	if n == 0 {
		t.Error("no boxes at all: the test shows nothing")
	}
}

func TestSSDRawHead(t *testing.T) {
	d := loadBuilt(t, ssdModel(320, 240))
	wantFamily(t, d, SSD)
	th := d.Thresholds()
	n := detectPhotos(t, d, func(o [][]float32, s [][]int, inW, inH, w, h int) []refBox {
		priors := refPriors(inW, inH, []int{8, 16, 32, 64}, [][]float64{{10, 16, 24}, {32, 48}, {64, 96}, {128, 192, 256}}, true)
		bs := refNMS(refUltraFace(o[0], o[1], s[0][1], inW, inH, priors, th.Conf), th.IoU, th.MaxDet, false)
		return refStretch(bs, inW, inH, w, h)
	})
	if n == 0 {
		t.Error("no boxes at all: the test shows nothing")
	}
}

func TestRetinaFaceHead(t *testing.T) {
	d := loadBuilt(t, retinaFaceModel(320, 256))
	wantFamily(t, d, RetinaFace)
	th := d.Thresholds()
	n := detectPhotos(t, d, func(o [][]float32, s [][]int, inW, inH, w, h int) []refBox {
		bs := refNMS(refRetinaFace(o[0], o[1], o[2], inW, inH, th.Conf), th.IoU, th.MaxDet, true)
		return refLetterbox(bs, inW, inH, w, h, true)
	})
	if n == 0 {
		t.Error("no boxes at all: the test shows nothing")
	}
}

// TestSCRFDHead also covers a symbolic input size: images are
// letterboxed into at most 640x640, rounded up to a multiple of 32.
func TestSCRFDHead(t *testing.T) {
	d := loadBuilt(t, scrfdModel(0, 0))
	wantFamily(t, d, SCRFD)
	if o := d.Preprocess(); o.Align != 32 || o.Width != DefaultSize {
		t.Fatalf("symbolic input: preprocessing %+v, want a 640 bound aligned to 32", o)
	}
	th := d.Thresholds()
	n := detectPhotos(t, d, func(o [][]float32, s [][]int, inW, inH, w, h int) []refBox {
		if inW%32 != 0 || inH%32 != 0 || max(inW, inH) != DefaultSize {
			t.Errorf("input %dx%d for a %dx%d photo: want 640 on the long side, multiples of 32", inW, inH, w, h)
		}
		bs := refNMS(refSCRFD(o[0:3], o[3:6], o[6:9], inW, inH, th.Conf), th.IoU, th.MaxDet, true)
		return refLetterbox(bs, inW, inH, w, h, true)
	})
	if n == 0 {
		t.Error("no boxes at all: the test shows nothing")
	}
}

func TestYuNetHead(t *testing.T) {
	d := loadBuilt(t, yuNetModel(320, 320))
	wantFamily(t, d, YuNet)
	th := d.Thresholds()
	n := detectPhotos(t, d, func(o [][]float32, s [][]int, inW, inH, w, h int) []refBox {
		bs := refNMS(refYuNet(o[0:3], o[3:6], o[6:9], o[9:12], inW, inH, th.Conf), th.IoU, th.MaxDet, true)
		return refLetterbox(bs, inW, inH, w, h, true)
	})
	if n == 0 {
		t.Error("no boxes at all: the test shows nothing")
	}
}

// TestNMSInside checks the three forms of detections a model that
// suppresses inside gives: boxes pass through (threshold, count), mapped
// back from the letterbox.
func TestNMSInside(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 640, 320)) // letterboxed into 320x320: scale 0.5, 80 rows of bars above
	rows6 := []float32{
		10, 90, 110, 190, 0.9, 2,
		20, 100, 60, 140, 0.1, 0, // below the threshold
		50, 120, 300, 230, 0.6, 15,
	}
	want := []Box{{X1: 20, Y1: 20, X2: 220, Y2: 220, Score: 0.9, Class: 2, Label: "car"},
		{X1: 100, Y1: 80, X2: 600, Y2: 300, Score: 0.6, Class: 15, Label: "cat"}}
	rows7 := []float32{
		0, 10, 90, 110, 190, 2, 0.9,
		1, 10, 90, 110, 190, 3, 0.95, // another batch's
		0, 50, 120, 300, 230, 15, 0.6,
	}
	cases := []struct {
		name  string
		model *onnx.Model
	}{
		{"[1, K, 6]", constModel(320, 320, map[string][]float32{"output0": rows6}, map[string][]int64{"output0": {1, 3, 6}}, []string{"output0"})},
		{"[K, 7]", constModel(320, 320, map[string][]float32{"output": rows7}, map[string][]int64{"output": {3, 7}}, []string{"output"})},
		{"four outputs", constModel(320, 320, map[string][]float32{
			"num_dets":    {2},
			"det_boxes":   {10, 90, 110, 190, 50, 120, 300, 230, 0, 0, 0, 0},
			"det_scores":  {0.9, 0.6, 0},
			"det_classes": {2, 15, 0},
		}, map[string][]int64{"num_dets": {1, 1}, "det_boxes": {1, 3, 4}, "det_scores": {1, 3}, "det_classes": {1, 3}},
			[]string{"num_dets", "det_boxes", "det_scores", "det_classes"})},
	}
	for _, c := range cases {
		d := loadBuilt(t, c.model)
		wantFamily(t, d, NMS)
		got, err := d.Detect(context.Background(), img)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %+v, want %+v", c.name, got, want)
		}
		for i := range want {
			g, w := got[i], want[i]
			if g.Class != w.Class || g.Label != w.Label || abs(g.Score-w.Score) > 1e-6 ||
				abs(g.X1-w.X1) > 1e-3 || abs(g.Y1-w.Y1) > 1e-3 || abs(g.X2-w.X2) > 1e-3 || abs(g.Y2-w.Y2) > 1e-3 {
				t.Errorf("%s: box %d = %+v, want %+v", c.name, i, g, w)
			}
		}
	}
}

func abs(v float64) float64 { return max(v, -v) }

// TestRecognition covers the recognition rules on output shapes alone.
func TestRecognition(t *testing.T) {
	o := func(name string, shape ...int) output { return output{name, shape} }
	cases := []struct {
		outs []output
		w, h int
		want Family
	}{
		{[]output{o("output0", 1, 84, 8400)}, 640, 640, YOLOv8},
		{[]output{o("output0", 1, 56, 8400)}, 640, 640, YOLOv8},
		{[]output{o("output0", 1, 25200, 85)}, 640, 640, YOLOv5},
		{[]output{o("output", 1, 8400, 85)}, 640, 640, YOLOv5},  // one per cell, decoded (no graph: not raw)
		{[]output{o("output0", 1, 25200, 6)}, 640, 640, YOLOv5}, // one class, not NMS output
		{[]output{o("output0", 1, 300, 6)}, 640, 640, NMS},
		{[]output{o("output", 100, 7)}, 640, 640, NMS},
		{[]output{o("scores", 1, 4420, 2), o("boxes", 1, 4420, 4)}, 320, 240, SSD},
		{[]output{o("loc", 1, 16800, 4), o("conf", 1, 16800, 2), o("landms", 1, 16800, 10)}, 640, 640, RetinaFace},
		{[]output{o("preds", 1, 896, 16), o("conf", 1, 896, 1)}, 128, 128, BlazeFace},
		{[]output{o("preds", 1, 896, 16), o("conf", 1, 896, 1)}, 256, 256, BlazeFace},
		{[]output{o("448", 12800, 1), o("471", 3200, 1), o("494", 800, 1), o("451", 12800, 4), o("474", 3200, 4), o("497", 800, 4),
			o("454", 12800, 10), o("477", 3200, 10), o("500", 800, 10)}, 640, 640, SCRFD},
		{[]output{o("s8", 12800, 1), o("s16", 3200, 1), o("s32", 800, 1), o("b8", 12800, 4), o("b16", 3200, 4), o("b32", 800, 4)}, 640, 640, SCRFD},
		{[]output{o("cls_8", 1, 6400, 1), o("cls_16", 1, 1600, 1), o("cls_32", 1, 400, 1), o("obj_8", 1, 6400, 1), o("obj_16", 1, 1600, 1),
			o("obj_32", 1, 400, 1), o("bbox_8", 1, 6400, 4), o("bbox_16", 1, 1600, 4), o("bbox_32", 1, 400, 4),
			o("kps_8", 1, 6400, 10), o("kps_16", 1, 1600, 10), o("kps_32", 1, 400, 10)}, 640, 640, YuNet},
		{[]output{o("num_dets", 1, 1), o("det_boxes", 1, 100, 4), o("det_scores", 1, 100), o("det_classes", 1, 100)}, 640, 640, NMS},
	}
	for _, c := range cases {
		hd, err := recognise(c.outs, nil, c.w, c.h, Auto)
		if err != nil {
			t.Errorf("%s: %v", describe(c.outs), err)
			continue
		}
		if hd.family != c.want {
			t.Errorf("%s: %s, want %s", describe(c.outs), hd.family, c.want)
		}
	}
	for _, bad := range [][]output{
		{o("probs", 1, 1000)},
		{o("a", 1, 3, 80, 80)},
		{o("scores", 1, 100, 2), o("boxes", 1, 100, 4)}, // raw boxes on no prior set... but not raw without a graph: decoded SSD
	}[:2] {
		if hd, err := recognise(bad, nil, 640, 640, Auto); !errors.Is(err, ErrNotDetector) {
			t.Errorf("%s: %v, %v; want ErrNotDetector", describe(bad), hd, err)
		}
	}
	if _, err := recognise([]output{o("output0", 1, 84, 8400)}, nil, 640, 640, YuNet); !errors.Is(err, ErrNotDetector) ||
		!strings.Contains(err.Error(), "yunet") {
		t.Errorf("a YOLOv8 output read as YuNet: %v", err)
	}
}

func TestParseFamily(t *testing.T) {
	for _, name := range FamilyNames() {
		if f, err := ParseFamily(strings.ToUpper(name)); err != nil || f.String() != name {
			t.Errorf("ParseFamily(%q) = %v, %v", name, f, err)
		}
	}
	for alias, want := range map[string]Family{"yolov7": YOLOv5, "yolo11": YOLOv8, "yolov10": NMS, "ultraface": SSD} {
		if f, err := ParseFamily(alias); err != nil || f != want {
			t.Errorf("ParseFamily(%q) = %v, %v; want %v", alias, f, err, want)
		}
	}
	if _, err := ParseFamily("detr"); err == nil {
		t.Error("ParseFamily(detr): no error")
	}
}

func TestParseNames(t *testing.T) {
	if got := parseNames(`{0: 'person', 2: "it's", 1: 'a, b'}`); !slices.Equal(got, []string{"person", "a, b", "it's"}) {
		t.Errorf("parseNames = %q", got)
	}
	for _, bad := range []string{"", "[1, 2]", "{0: 'a', 0: 'b'}", "{0: 'a', 5: 'b'}", "{x: 'a'}", "{0: 'a'"} {
		if got := parseNames(bad); got != nil {
			t.Errorf("parseNames(%q) = %q, want nil", bad, got)
		}
	}
}

func TestSuppress(t *testing.T) {
	var cs candidates
	cs.reset(0, 0)
	cs.add(0, 0, 10, 10, 0.9, 0)
	cs.add(1, 1, 11, 11, 0.8, 0)  // IoU 0.68 with the first: suppressed
	cs.add(1, 1, 11, 11, 0.7, 1)  // other class: kept unless agnostic
	cs.add(20, 0, 30, 10, 0.6, 0) // apart: kept
	cs.suppress(0.5, 300, false)
	if !slices.Equal(cs.order, []int32{0, 2, 3}) {
		t.Errorf("per class: kept %v, want [0 2 3]", cs.order)
	}
	cs.order = cs.order[:0]
	cs.suppress(0.5, 300, true)
	if !slices.Equal(cs.order, []int32{0, 3}) {
		t.Errorf("agnostic: kept %v, want [0 3]", cs.order)
	}
	cs.order = cs.order[:0]
	cs.suppress(0.5, 1, false)
	if !slices.Equal(cs.order, []int32{0}) {
		t.Errorf("max 1: kept %v, want [0]", cs.order)
	}
	// blending: the two overlapping boxes average, weighted by score
	cs.reset(0, 1)
	cs.add(0, 0, 10, 10, 0.75, 0)
	cs.point(5, 5)
	cs.add(2, 0, 12, 10, 0.25, 0)
	cs.point(9, 5)
	cs.add(0, 0, 0, 0, 0.5, 0) // empty: overlaps nothing, stays
	cs.point(0, 0)
	cs.blend(0.3, 300)
	if len(cs.order) != 2 {
		t.Fatalf("blend kept %v, want 2 boxes", cs.order)
	}
	b := cs.c[cs.order[0]]
	if b.x1 != 0.5 || b.x2 != 10.5 || b.score != 0.5 || cs.lms[b.lm] != 6 {
		t.Errorf("blended box %+v landmark %v, want x 0.5..10.5, score 0.5, landmark x 6", b, cs.lms[b.lm])
	}
}

// TestSteadyStateAllocs: DetectImage allocates nothing once warm, however
// many boxes it finds.
func TestSteadyStateAllocs(t *testing.T) {
	d := loadBuilt(t, yoloModel(320, 256, 80, false), WithThreads(1))
	img := testImage()
	var res Result
	ctx := context.Background()
	if err := d.DetectImage(ctx, img, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Boxes) == 0 {
		t.Fatal("no boxes: the test would show nothing")
	}
	if n := testing.AllocsPerRun(5, func() {
		if err := d.DetectImage(ctx, img, &res); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("DetectImage: %v allocations per call once warm, want 0", n)
	}
}

func testImage() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 300, 200))
	for y := range 200 {
		for x := range 300 {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), uint8(x * y / 97), 255})
		}
	}
	return img
}

// TestConcurrent: goroutines sharing a detector get the same boxes as one
// alone.
func TestConcurrent(t *testing.T) {
	d := loadBuilt(t, yoloModel(320, 256, 80, false), WithThreads(2))
	img := testImage()
	want, err := d.Detect(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			var res Result
			for range 5 {
				if err := d.DetectImage(context.Background(), img, &res); err != nil {
					t.Error(err)
					return
				}
				if !slices.EqualFunc(res.Boxes, want, func(a, b Box) bool { return a.X1 == b.X1 && a.Score == b.Score && a.Class == b.Class }) {
					t.Error("boxes differ between goroutines")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	d := loadBuilt(t, yoloModel(320, 256, 80, false))
	var res Result
	err := d.DetectReader(ctx, strings.NewReader("not an image"), "junk.png", &res)
	if !errors.Is(err, ErrImage) || !strings.Contains(err.Error(), "junk.png") {
		t.Errorf("junk image: %v, want ErrImage naming it", err)
	}
	if err := d.DetectFile(ctx, "/no/such/photo.jpg", &res); !errors.Is(err, ErrImage) {
		t.Errorf("missing file: %v, want ErrImage", err)
	}
	if _, err := d.Detect(ctx, image.NewRGBA(image.Rect(0, 0, 0, 5))); !errors.Is(err, ErrImage) {
		t.Errorf("empty image: %v, want ErrImage", err)
	}
	if _, err := LoadModel(yoloModel(320, 256, 80, false), WithLabels([]string{"a", "b"})); !errors.Is(err, ErrLabels) {
		t.Errorf("2 labels for 80 classes: %v, want ErrLabels", err)
	}
	if _, err := LoadModel(yoloModel(320, 256, 80, false), WithFamily(SCRFD)); !errors.Is(err, ErrNotDetector) {
		t.Errorf("a YOLOv8 head read as SCRFD: %v, want ErrNotDetector", err)
	}
	for _, th := range []Thresholds{{Conf: 1.5}, {IoU: -1}, {MaxDet: -3}} {
		if _, err := d.With(th); err == nil {
			t.Errorf("thresholds %+v: no error", th)
		}
	}
	if _, err := LoadModel(yoloModel(320, 256, 80, false), WithChannelOrder("gbr")); err == nil {
		t.Error("channel order gbr: no error")
	}
	cls := newHeadBuilder(64, 64, 1, 1)
	cls.output(cls.node("Flatten", []string{cls.conv(32, 10, 1, 0)}), "probs")
	if _, err := LoadModel(cls.model()); !errors.Is(err, ErrNotDetector) {
		t.Errorf("a classifier: %v, want ErrNotDetector", err)
	}
}

func TestHandleRequest(t *testing.T) {
	d := loadShared(t, "ultraface-rfb-320")
	body, err := os.ReadFile(onnxtest.Shared(t, "images", "astronaut.png"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := d.HandleRequest(ctx, body, url.Values{"name": {"a.png"}})
	if err != nil || res.Image != "a.png" || len(res.Boxes) != 1 || res.Boxes[0].Label != "face" {
		t.Fatalf("HandleRequest: %+v, %v; want one face in a.png", res, err)
	}
	many, err := d.HandleRequest(ctx, body, url.Values{"conf": {"0.01"}, "iou": {"0.9"}, "max_det": {"3"}})
	if err != nil || len(many.Boxes) != 3 || many.Image != "" {
		t.Errorf("conf 0.01, max_det 3: %+v, %v; want 3 boxes", many, err)
	}
	for _, q := range []url.Values{{"conf": {"x"}}, {"conf": {"2"}}, {"iou": {"0"}}, {"max_det": {"0"}}, {"agnostic": {"maybe"}}} {
		if _, err := d.HandleRequest(ctx, body, q); !errors.Is(err, ErrRequest) {
			t.Errorf("%v: %v, want ErrRequest", q, err)
		}
	}
	if _, err := d.HandleRequest(ctx, []byte("GIF89a broken"), nil); !errors.Is(err, ErrImage) || !strings.Contains(err.Error(), "the request body") {
		t.Errorf("broken body: %v, want ErrImage naming the request body", err)
	}
}
