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

	"github.com/edgeinfer/edgeinfer/models"
	"github.com/edgeinfer/edgeinfer/onnx"
)

// golden is a model with a committed ONNX Runtime output and, for a
// classifier, ONNX Runtime's top-5 classes, best first.
type golden struct {
	name string
	top5 []int
}

// goldens are the models whose ONNX Runtime outputs on
// models.SyntheticInput of their input shape are committed in
// testdata/golden (see testdata/golden/README.md).
var goldens = []golden{
	{"alexnet", []int{42, 774, 928, 996, 137}},
	{"vgg16", []int{439, 42, 130, 779, 623}},
	{"resnet18", []int{777, 436, 250, 668, 197}},
	{"resnet18-bn", []int{777, 436, 250, 668, 197}},
	{"resnet50", []int{462, 925, 271, 970, 570}},
	{"mobilenetv2", []int{297, 726, 473, 648, 943}},
	{"mobilenetv3-small", []int{641, 502, 75, 814, 386}},
	{"mobilenetv3-large", []int{602, 827, 101, 203, 806}},
	{"shufflenetv2", []int{131, 858, 884, 547, 5}},
	{"efficientnet-b0", []int{891, 242, 506, 888, 270}},
	{"squeezenet1.1", []int{361, 796, 841, 193, 609}},
	{"densenet121", []int{333, 738, 372, 794, 177}},
	{"googlenet", []int{162, 762, 934, 974, 815}},
	{"yolov8n", nil},
}

// An output of at most maxWhole elements is committed whole
// (<name>.output_0.pb, the TensorProto ONNX Runtime wrote). A larger one
// (yolov8n's 705,600) is committed as every sampleStride-th element in
// row-major order (<name>.sampled_0.pb, float [K]) and the float64 sum of
// each channel, the output's dim 1, over all its elements
// (<name>.chansum_0.pb, double [C]): the samples pin values everywhere, the
// sums catch a wrong result in the elements between them.
const (
	maxWhole     = 4096
	sampleStride = 97
)

// goldenOut is a committed output: every stride-th element of ONNX Runtime's
// output (stride 1: all of them) and, for a sampled one, its channel sums.
type goldenOut struct {
	values []float32
	stride int
	sums   []float64
}

var (
	writeModels = flag.String("write-golden-models", "",
		"write the golden models (seed models.DefaultSeed) as DIR/<name>.onnx, to regenerate testdata/golden with the reference kit")
	goldenFrom = flag.String("golden-from", "",
		"write testdata/golden from the reference kit's test folders DIR/t_<name> (see testdata/golden/README.md)")
)

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

// TestWriteGoldens is the last step of regenerating the goldens: it reads
// ONNX Runtime's outputs from the folders mktest.mjs wrote and commits them
// whole or sampled. It only runs when -golden-from is given.
func TestWriteGoldens(t *testing.T) {
	if *goldenFrom == "" {
		t.Skip("pass -golden-from DIR to write testdata/golden from the reference kit's outputs")
	}
	for _, g := range goldens {
		src := filepath.Join(*goldenFrom, "t_"+g.name, "test_data_set_0", "output_0.pb")
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		_, shape, _ := models.Shapes(g.name)
		v := decodeFloats(t, src, data, shape)
		dst := filepath.Join("testdata", "golden", g.name)
		if len(v) <= maxWhole {
			err = os.WriteFile(dst+".output_0.pb", data, 0o644)
		} else {
			var samples []float32
			for i := 0; i < len(v); i += sampleStride {
				samples = append(samples, v[i])
			}
			if err = os.WriteFile(dst+".sampled_0.pb", floatProto(samples), 0o644); err == nil {
				sums, _ := channelSums(v, shape)
				err = os.WriteFile(dst+".chansum_0.pb", doubleProto(sums), 0o644)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// channelSums returns the float64 sum of each channel (dim 1) of the
// row-major tensor v of the given shape, and the sum of its absolute values.
func channelSums(v []float32, shape []int) (sums, abs []float64) {
	c := shape[1]
	inner := len(v) / shape[0] / c
	sums, abs = make([]float64, c), make([]float64, c)
	for i, x := range v {
		sums[i/inner%c] += float64(x)
		abs[i/inner%c] += math.Abs(float64(x))
	}
	return sums, abs
}

// goldenSumOK reports whether a channel's sum got agrees with ONNX Runtime's
// want to within 1e-5 of the channel's absolute sum abs, plus 0.01. The
// per-element rounding differences are about 3e-7 relative, so even summed
// with one sign they stay far inside it; one of yolov8n's 8400 boxes off by
// 25 pixels, or one class probability off by 0.05, does not.
func goldenSumOK(got, want, abs float64) bool {
	return math.Abs(got-want) <= 1e-5*abs+0.01
}

func floatProto(v []float32) []byte {
	raw := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(x))
	}
	return onnx.MarshalTensor(&onnx.Tensor{Name: models.OutputName, DataType: onnx.Float, Dims: []int64{int64(len(v))}, RawData: raw})
}

func doubleProto(v []float64) []byte {
	raw := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(raw[8*i:], math.Float64bits(x))
	}
	return onnx.MarshalTensor(&onnx.Tensor{Name: models.OutputName, DataType: onnx.Double, Dims: []int64{int64(len(v))}, RawData: raw})
}

// decodeFloats decodes a float TensorProto named like the model output,
// with the given dims.
func decodeFloats(t *testing.T, file string, data []byte, dims []int) []float32 {
	t.Helper()
	raw := decodeRaw(t, file, data, onnx.Float, dims)
	v := make([]float32, len(raw)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return v
}

// decodeRaw returns the raw little-endian bytes of a TensorProto, checking
// its name, type and dims.
func decodeRaw(t *testing.T, file string, data []byte, typ onnx.DataType, dims []int) []byte {
	t.Helper()
	x, err := onnx.DecodeTensor(data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	raw, err := x.Bytes("")
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	want := make([]int64, len(dims))
	n := onnx.ElemSize(typ)
	for i, d := range dims {
		want[i], n = int64(d), n*d
	}
	if x.Name != models.OutputName || x.DataType != typ || !slices.Equal(x.Dims, want) || len(raw) != n {
		t.Fatalf("%s: tensor %q type %v dims %v with %d bytes, want %s %v %v", file, x.Name, x.DataType, x.Dims, len(raw), models.OutputName, typ, want)
	}
	return raw
}

// readGolden returns the committed output of the named golden model.
func readGolden(t *testing.T, name string) goldenOut {
	t.Helper()
	_, shape, ok := models.Shapes(name)
	if !ok {
		t.Fatalf("golden %s: unknown model", name)
	}
	base := filepath.Join("testdata", "golden", name)
	read := func(file string) []byte {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n <= maxWhole {
		return goldenOut{values: decodeFloats(t, base+".output_0.pb", read(base+".output_0.pb"), shape), stride: 1}
	}
	k := (n + sampleStride - 1) / sampleStride
	out := goldenOut{values: decodeFloats(t, base+".sampled_0.pb", read(base+".sampled_0.pb"), []int{k}), stride: sampleStride}
	raw := decodeRaw(t, base+".chansum_0.pb", read(base+".chansum_0.pb"), onnx.Double, shape[1:2])
	out.sums = make([]float64, shape[1])
	for i := range out.sums {
		out.sums[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
	}
	return out
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
// nor vanish), finite sampled outputs and channel sums, and agreement of the
// folded and explicit-BN ResNet-18 as computed by ONNX Runtime (which
// validates the folding end to end).
func TestGoldenFiles(t *testing.T) {
	out := map[string][]float32{}
	for _, g := range goldens {
		gold := readGolden(t, g.name)
		v := gold.values
		out[g.name] = v
		if g.top5 != nil {
			if got := topK(v, 5); !slices.Equal(got, g.top5) {
				t.Errorf("%s: golden top-5 %v, ONNX Runtime reported %v", g.name, got, g.top5)
			}
		}
		var ss float64
		for _, x := range v {
			ss += float64(x) * float64(x)
		}
		if rms := math.Sqrt(ss / float64(len(v))); !(rms > 0.2 && rms < 100) {
			t.Errorf("%s: output RMS %g, want within (0.2, 100)", g.name, rms)
		}
		for c, s := range gold.sums {
			if math.IsNaN(s) || math.IsInf(s, 0) {
				t.Errorf("%s: channel %d sums to %g", g.name, c, s)
			}
		}
	}
	for i, a := range out["resnet18"] {
		if b := out["resnet18-bn"][i]; math.Abs(float64(a-b)) > 1e-4+1e-4*math.Abs(float64(b)) {
			t.Errorf("logit %d: resnet18 %g, resnet18-bn %g", i, a, b)
		}
	}
}
