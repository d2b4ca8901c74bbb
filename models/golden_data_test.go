package models_test

import (
	"cmp"
	"encoding/binary"
	"flag"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// goldens are the models whose ONNX Runtime outputs on
// models.SyntheticInput(1, 3, 224, 224) are committed as
// testdata/golden/<name>.output_0.pb (see testdata/golden/README.md), with
// the top-5 classes ONNX Runtime reported, best first.
var goldens = []struct {
	name string
	top5 []int
}{
	{"alexnet", []int{42, 774, 928, 996, 137}},
	{"resnet18", []int{777, 436, 250, 668, 197}},
	{"resnet18-bn", []int{777, 436, 250, 668, 197}},
	{"resnet50", []int{462, 925, 271, 970, 570}},
}

var writeModels = flag.String("write-golden-models", "",
	"write the golden models (seed models.DefaultSeed) as DIR/<name>.onnx, to regenerate testdata/golden with the reference kit")

// TestWriteGoldenModels is the first step of regenerating the goldens; it
// only runs when -write-golden-models is given.
func TestWriteGoldenModels(t *testing.T) {
	if *writeModels == "" {
		t.Skip("pass -write-golden-models DIR to write the golden models")
	}
	for _, g := range goldens {
		if err := onnx.WriteFile(filepath.Join(*writeModels, g.name+".onnx"), built(t, g.name)); err != nil {
			t.Fatal(err)
		}
	}
}

// readGolden returns the 1000 logits of testdata/golden/<name>.output_0.pb.
func readGolden(t *testing.T, name string) []float32 {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "golden", name+".output_0.pb"))
	if err != nil {
		t.Fatal(err)
	}
	x, err := onnx.DecodeTensor(data)
	if err != nil {
		t.Fatalf("golden %s: %v", name, err)
	}
	raw, err := x.Bytes("")
	if err != nil {
		t.Fatalf("golden %s: %v", name, err)
	}
	if x.Name != "output" || x.DataType != onnx.Float || !slices.Equal(x.Dims, []int64{1, 1000}) || len(raw) != 4000 {
		t.Fatalf("golden %s: tensor %q type %v dims %v with %d bytes, want output float[1 1000]", name, x.Name, x.DataType, x.Dims, len(raw))
	}
	v := make([]float32, 1000)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return v
}

// topK returns the indices of the k largest values, largest first.
func topK(v []float32, k int) []int {
	idx := make([]int, len(v))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(v[b], v[a]) })
	return idx[:k]
}

// TestGoldenFiles checks the committed goldens themselves: the recorded ONNX
// Runtime top-5, logits of order one (the synthetic weights neither blow up
// nor vanish), and agreement of the folded and explicit-BN ResNet-18 as
// computed by ONNX Runtime (which validates the folding end to end).
func TestGoldenFiles(t *testing.T) {
	out := map[string][]float32{}
	for _, g := range goldens {
		v := readGolden(t, g.name)
		out[g.name] = v
		if got := topK(v, 5); !slices.Equal(got, g.top5) {
			t.Errorf("%s: golden top-5 %v, ONNX Runtime reported %v", g.name, got, g.top5)
		}
		var ss float64
		for _, x := range v {
			ss += float64(x) * float64(x)
		}
		if rms := math.Sqrt(ss / float64(len(v))); !(rms > 0.5 && rms < 10) {
			t.Errorf("%s: logits RMS %g, want within (0.5, 10)", g.name, rms)
		}
	}
	for i, a := range out["resnet18"] {
		if b := out["resnet18-bn"][i]; math.Abs(float64(a-b)) > 1e-4+1e-4*math.Abs(float64(b)) {
			t.Errorf("logit %d: resnet18 %g, resnet18-bn %g", i, a, b)
		}
	}
}
