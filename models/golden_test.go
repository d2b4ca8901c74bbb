package models_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/edgeinfer/edgeinfer/models"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// TestGoldens runs each golden model (seed models.DefaultSeed) through
// edgeinfer's runtime on models.SyntheticInput(1, 3, 224, 224) and compares
// the logits with ONNX Runtime's: every element must satisfy
// |got - want| <= 1e-4 + 1e-4*|want|, and the top-5 classes must equal ONNX
// Runtime's. resnet18-bn also runs with graph optimizations off, so that both
// the BatchNormalization kernel and the Conv+BN folding pass are checked.
func TestGoldens(t *testing.T) {
	type run struct {
		name     string
		optimize bool
	}
	var runs []run
	for _, g := range goldens {
		runs = append(runs, run{g.name, true})
	}
	runs = append(runs, run{"resnet18-bn", false})
	for _, r := range runs {
		label := r.name
		if !r.optimize {
			label += "/unoptimized"
		}
		t.Run(label, func(t *testing.T) {
			if testing.Short() && r.name != "resnet18" {
				t.Skip("-short: only resnet18")
			}
			want := readGolden(t, r.name)
			p, err := models.Build(r.name, models.DefaultSeed) // fresh: the runtime may rewrite its graph
			if err != nil {
				t.Fatal(err)
			}
			m, err := runtime.LoadModel(p, runtime.WithOptimizations(r.optimize))
			if err != nil {
				t.Fatal(err)
			}
			x := ops.FromF32(models.SyntheticInput(1, 3, 224, 224), 1, 3, 224, 224)
			outs, err := m.Run(context.Background(), []*ops.Tensor{x})
			if err != nil {
				t.Fatal(err)
			}
			if len(outs) != 1 || !slices.Equal(outs[0].Shape, []int{1, 1000}) {
				t.Fatalf("outputs %v, want one float32[1 1000]", outs)
			}
			got := outs[0].F32()
			bad := 0
			for i, w := range want {
				if d := math.Abs(float64(got[i] - w)); !(d <= 1e-4+1e-4*math.Abs(float64(w))) {
					if bad++; bad <= 5 {
						t.Errorf("logit %d = %g, ONNX Runtime %g (diff %g)", i, got[i], w, d)
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of 1000 logits outside 1e-4 + 1e-4*|want|", bad)
			}
			for _, g := range goldens {
				if g.name == r.name && !slices.Equal(topK(got, 5), g.top5) {
					t.Errorf("top-5 %v, ONNX Runtime %v", topK(got, 5), g.top5)
				}
			}
		})
	}
}
