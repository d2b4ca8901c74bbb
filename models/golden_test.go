package models_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/models"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// slowGoldens are the golden runs -short skips.
var slowGoldens = []string{"alexnet", "vgg16", "resnet50", "yolov8n"}

// TestGoldens runs each golden model (seed models.DefaultSeed) through
// edgeinfer's runtime on models.SyntheticInput of its input shape and
// compares the output with ONNX Runtime's: every committed element must
// satisfy |got - want| <= 1e-4 + 1e-4*|want|, a classifier's top-5 classes
// must equal ONNX Runtime's, and a sampled output's channel sums must agree
// (goldenSumOK). The explicit-BN variant of every golden network with batch
// norms also runs with graph optimizations off, against its own golden
// (resnet18-bn) or the folded model's: that checks the BatchNormalization
// kernel and the unfused activations, and the Conv+BN folding pass by
// difference.
func TestGoldens(t *testing.T) {
	type run struct {
		name, golden string
		optimize     bool
	}
	var runs []run
	for _, g := range goldens {
		runs = append(runs, run{g.name, g.name, true})
		if bn := g.name + "-bn"; slices.Contains(models.Names(), bn) {
			want := g.name
			if slices.ContainsFunc(goldens, func(h golden) bool { return h.name == bn }) {
				want = bn
			}
			runs = append(runs, run{bn, want, false})
		}
	}
	for _, r := range runs {
		label := r.name
		if !r.optimize {
			label += "/unoptimized"
		}
		t.Run(label, func(t *testing.T) {
			if testing.Short() && slices.Contains(slowGoldens, strings.TrimSuffix(r.name, "-bn")) {
				t.Skip("-short: skips the slowest models")
			}
			want := readGolden(t, r.golden)
			p, err := models.Build(r.name, models.DefaultSeed) // fresh: the runtime may rewrite its graph
			if err != nil {
				t.Fatal(err)
			}
			m, err := runtime.LoadModel(p, runtime.WithOptimizations(r.optimize))
			if err != nil {
				t.Fatal(err)
			}
			in, shape, _ := models.Shapes(r.name)
			outs, err := m.Run(context.Background(), []*ops.Tensor{ops.FromF32(models.SyntheticInput(in...), in...)})
			if err != nil {
				t.Fatal(err)
			}
			if len(outs) != 1 || !slices.Equal(outs[0].Shape, shape) {
				t.Fatalf("outputs %v, want one float32%v", outs, shape)
			}
			got := outs[0].F32()
			bad := 0
			for k, w := range want.values {
				i := k * want.stride
				if d := math.Abs(float64(got[i] - w)); !(d <= 1e-4+1e-4*math.Abs(float64(w))) {
					if bad++; bad <= 5 {
						t.Errorf("element %d = %g, ONNX Runtime %g (diff %g)", i, got[i], w, d)
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d compared elements outside 1e-4 + 1e-4*|want|", bad, len(want.values))
			}
			sums, abs := channelSums(got, shape)
			for c, s := range want.sums {
				if !goldenSumOK(sums[c], s, abs[c]) {
					t.Errorf("channel %d sums to %.9g, ONNX Runtime %.9g", c, sums[c], s)
				}
			}
			for _, g := range goldens {
				if g.name == r.golden && g.top5 != nil && !slices.Equal(topK(got, 5), g.top5) {
					t.Errorf("top-5 %v, ONNX Runtime %v", topK(got, 5), g.top5)
				}
			}
		})
	}
}
