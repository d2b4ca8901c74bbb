package detect

import (
	"context"
	"testing"

	"github.com/edgeinfer/edgeinfer/ops"
)

// BenchmarkPostprocess measures decoding, suppression and mapping back of
// one image's outputs (a YOLOv8-shaped head at 320x256 on a test image),
// without the model run: the part this package adds to inference.
func BenchmarkPostprocess(b *testing.B) {
	d, err := LoadModel(yoloModel(320, 256, 80, false), WithThreads(1), WithThresholds(Thresholds{Conf: 0.05}))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	w, err := d.get()
	if err != nil {
		b.Fatal(err)
	}
	img := testImage()
	data, shape, err := w.conv.Image(img)
	if err != nil {
		b.Fatal(err)
	}
	outs, err := d.Model().Run(context.Background(), []*ops.Tensor{ops.FromF32(data, shape...)})
	if err != nil {
		b.Fatal(err)
	}
	pl, err := d.opt.Place(300, 200)
	if err != nil {
		b.Fatal(err)
	}
	var res Result
	b.ReportAllocs()
	for b.Loop() {
		if err := d.decodeOutputs(w, outs, pl.Width, pl.Height); err != nil {
			b.Fatal(err)
		}
		w.cs.suppress(float32(d.th.IoU), d.th.MaxDet, false)
		res.Boxes = res.Boxes[:0]
		d.fill(&res, &w.cs, pl, 300, 200)
	}
	b.ReportMetric(float64(len(w.cs.c)), "candidates")
	b.ReportMetric(float64(len(res.Boxes)), "boxes")
}

// BenchmarkDetectImage measures a whole detection (preprocessing, the
// model, postprocessing) with the same head.
func BenchmarkDetectImage(b *testing.B) {
	d, err := LoadModel(yoloModel(320, 256, 80, false), WithThreads(1))
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	img := testImage()
	var res Result
	b.ReportAllocs()
	for b.Loop() {
		if err := d.DetectImage(context.Background(), img, &res); err != nil {
			b.Fatal(err)
		}
	}
}
