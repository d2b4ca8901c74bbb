package quantize

import (
	"context"
	"testing"

	"github.com/edgeinfer/edgeinfer/classify"
	"github.com/edgeinfer/edgeinfer/models/squeezenet"
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
	"github.com/edgeinfer/edgeinfer/preprocess"
)

// TestSqueezeNet quantizes the real SqueezeNet 1.0 (the zoo's file and
// the built-in float16 copy) calibrated on the photos in ../shared/images,
// writes and reads back the model, and classifies the photos with it: the
// top class must be the float model's on every photo (the issue's
// criterion), for MinMax and Percentile; Entropy's figures are logged.
func TestSqueezeNet(t *testing.T) {
	images := onnxtest.Shared(t, "images")
	paths, err := preprocess.ImageFiles(images)
	if err != nil || len(paths) < 3 {
		t.Fatalf("photos: %v %v", paths, err)
	}
	zoo, err := onnx.Open(onnxtest.Shared(t, "models", "squeezenet1.0", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	defer zoo.Close()
	builtIn, err := squeezenet.Model()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		m      *onnx.Model
		opt    Options
		strict bool
	}{
		{"zoo minmax", zoo, Options{}, true},
		{"zoo percentile per-channel", zoo, Options{Method: Percentile, PerChannel: true}, true},
		{"zoo entropy", zoo, Options{Method: Entropy}, false},
		{"built-in minmax per-channel", builtIn, Options{PerChannel: true}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if testing.Short() && c.name != "zoo minmax" {
				t.Skip("-short: one configuration")
			}
			res, err := Quantize(context.Background(), c.m, Images(paths...), c.opt)
			if err != nil {
				t.Fatal(err)
			}
			checkStandard(t, res.Model)
			rep := res.Report
			t.Logf("top-1 %d/%d, output SQNR %s dB, worst layer %s %s dB", rep.Top1.Agree, rep.Top1.Total,
				rep.Outputs[0].SQNR, rep.Layers[0].Node, rep.Layers[0].Alone)
			b, err := onnx.Marshal(res.Model)
			if err != nil {
				t.Fatal(err)
			}
			back, err := onnx.Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			agree := 0
			for _, p := range paths {
				f, q := top1(t, c.m, p), top1(t, back, p)
				if f == q {
					agree++
				} else if c.strict {
					t.Errorf("%s: the quantized model's top class is %d, the float model's %d", p, q, f)
				}
			}
			if rep.Top1 == nil || rep.Top1.Agree != agree || rep.Top1.Total != len(paths) {
				t.Errorf("report's top-1 %+v, classification agrees on %d of %d", rep.Top1, agree, len(paths))
			}
		})
	}
}

// top1 classifies the photo at path with m.
func top1(t *testing.T, m *onnx.Model, path string) int {
	t.Helper()
	c, err := classify.LoadModel(m, classify.WithTopK(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var res classify.Result
	if err := c.ClassifyFile(context.Background(), path, &res); err != nil {
		t.Fatal(err)
	}
	return res.Top[0].Index
}

// checkStandard checks that q uses ONNX standard operators only, at opset
// 13, with float32, int8, uint8 and int32 initializers, none listed as a
// graph input: what ONNX Runtime loads.
func checkStandard(t *testing.T, q *onnx.Model) {
	t.Helper()
	if len(q.OpsetImports) != 1 || q.OpsetImports[0].Version != qdqOpset {
		t.Errorf("opsets %v", q.OpsetImports)
	}
	for _, n := range q.Graph.Nodes {
		if !defaultDomain(n) {
			t.Errorf("node %s of domain %s", n.Name, n.Domain)
		}
	}
	inits := map[string]bool{}
	for _, p := range q.Graph.Initializer {
		inits[p.Name] = true
		switch p.DataType {
		case onnx.Float, onnx.Int8, onnx.Uint8, onnx.Int32, onnx.Int64:
		default:
			t.Errorf("initializer %s is %s", p.Name, p.DataType)
		}
	}
	for _, vi := range q.Graph.Inputs {
		if inits[vi.Name] {
			t.Errorf("initializer %s listed as a graph input", vi.Name)
		}
	}
}
