package models_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/edgeinfer/edgeinfer/models"
	"github.com/edgeinfer/edgeinfer/onnx"
)

var allNames = []string{
	"alexnet", "vgg16", "resnet18", "resnet18-bn", "resnet34", "resnet34-bn", "resnet50", "resnet50-bn",
	"mobilenetv2", "mobilenetv2-bn", "mobilenetv3-small", "mobilenetv3-small-bn", "mobilenetv3-large", "mobilenetv3-large-bn",
	"shufflenetv2", "shufflenetv2-bn", "efficientnet-b0", "efficientnet-b0-bn", "squeezenet1.1",
	"densenet121", "densenet121-bn", "googlenet", "googlenet-bn", "yolov8n", "yolov8n-bn",
}

// original reports whether name is one of the first networks (opset 13).
func original(name string) bool {
	return name == "alexnet" || name == "vgg16" || strings.HasPrefix(name, "resnet")
}

var (
	cacheMu sync.Mutex
	cache   = map[string]*onnx.Model{}
)

// built returns models.Build(name, models.DefaultSeed), built once per test
// binary; callers must not modify it.
func built(t testing.TB, name string) *onnx.Model {
	t.Helper()
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if m, ok := cache[name]; ok {
		return m
	}
	m, err := models.Build(name, models.DefaultSeed)
	if err != nil {
		t.Fatalf("Build(%q): %v", name, err)
	}
	cache[name] = m
	return m
}

// floats decodes a float initializer's little-endian RawData.
func floats(t *testing.T, x *onnx.Tensor) []float32 {
	t.Helper()
	if x.DataType != onnx.Float || len(x.RawData)%4 != 0 {
		t.Fatalf("initializer %s: type %v with %d raw bytes, want float raw data", x.Name, x.DataType, len(x.RawData))
	}
	v := make([]float32, len(x.RawData)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(x.RawData[4*i:]))
	}
	return v
}

func toInt64(v []int) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

func numel(dims []int64) int64 {
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	return n
}

func TestNamesAndPresets(t *testing.T) {
	if got := models.Names(); !slices.Equal(got, allNames) {
		t.Fatalf("Names() = %v, want %v", got, allNames)
	}
	for _, n := range allNames {
		want := "torchvision"
		if strings.HasPrefix(n, "yolo") {
			want = "unit"
		}
		if p := models.PresetFor(n); p != want {
			t.Errorf("PresetFor(%q) = %q, want %s", n, p, want)
		}
	}
	if p := models.PresetFor("vgg19"); p != "" {
		t.Errorf("PresetFor(vgg19) = %q, want empty", p)
	}
	if _, err := models.Build("vgg19", 1); err == nil || !strings.Contains(err.Error(), "resnet50-bn") {
		t.Errorf("Build(vgg19): error %v, want an unknown-name error listing the known names", err)
	}
}

// TestParamCounts checks the learnable parameters against the reference
// implementations' sum(p.numel() for p in model.parameters()) (torchvision's,
// ultralytics' for YOLOv8n). Explicit-BN variants carry the same parameters
// (BN running statistics are buffers, not parameters, and are excluded).
// Folding turns each BN's gamma and beta (2C values) into a conv bias (C
// values), so a folded model has the reference count minus its folded BN
// channels: 4,800 for ResNet-18 (64 + 2*128 + 2*256+128 + 2*512+256 +
// 2*1024+512), 8,512 for ResNet-34 and 26,560 for ResNet-50; YOLOv8n's,
// 3,151,904, is what ultralytics reports for the fused model.
func TestParamCounts(t *testing.T) {
	reference := map[string]int64{
		"alexnet":           61_100_840,
		"vgg16":             138_357_544,
		"resnet18":          11_689_512,
		"resnet34":          21_797_672,
		"resnet50":          25_557_032,
		"mobilenetv2":       3_504_872,
		"mobilenetv3-small": 2_542_856,
		"mobilenetv3-large": 5_483_032,
		"shufflenetv2":      2_278_604,
		"efficientnet-b0":   5_288_548,
		"squeezenet1.1":     1_235_496,
		"densenet121":       7_978_856,
		"googlenet":         6_624_904,
		"yolov8n":           3_157_200,
	}
	// The folded BN channels the comment above derives.
	folded := map[string]int64{"resnet18": 4_800, "resnet34": 8_512, "resnet50": 26_560, "yolov8n": 3_157_200 - 3_151_904}
	for base, want := range folded {
		if _, got := paramCount(built(t, base+"-bn")); got != want {
			t.Errorf("%s-bn: %d channels of batch norm after a Conv, want %d", base, got, want)
		}
	}
	for _, name := range allNames {
		base, explicit := strings.CutSuffix(name, "-bn")
		want := reference[base]
		if !explicit && slices.Contains(allNames, base+"-bn") {
			_, f := paramCount(built(t, base+"-bn"))
			want -= f
		}
		if got, _ := paramCount(built(t, name)); got != want {
			t.Errorf("%s: %d parameters, want %d", name, got, want)
		}
	}
}

// paramCount returns the number of parameter values in m (initializers,
// less the BN running statistics) and the channels of the batch norms a
// Conv feeds.
func paramCount(m *onnx.Model) (params, convBNChannels int64) {
	stats, convOut, dims := map[string]bool{}, map[string]bool{}, map[string][]int64{}
	for _, x := range m.Graph.Initializer {
		dims[x.Name] = x.Dims
	}
	for _, n := range m.Graph.Nodes {
		switch n.OpType {
		case "Conv":
			convOut[n.Outputs[0]] = true
		case "BatchNormalization":
			stats[n.Inputs[3]], stats[n.Inputs[4]] = true, true
			if convOut[n.Inputs[0]] {
				convBNChannels += numel(dims[n.Inputs[1]])
			}
		}
	}
	for _, x := range m.Graph.Initializer {
		if !stats[x.Name] {
			params += numel(x.Dims)
		}
	}
	return params, convBNChannels
}

func TestModelHeader(t *testing.T) {
	for _, name := range allNames {
		m := built(t, name)
		opset := int64(17)
		if original(name) {
			opset = 13
		}
		if m.IRVersion != 8 || !reflect.DeepEqual(m.OpsetImports, []onnx.OpsetID{{Domain: "", Version: opset}}) {
			t.Errorf("%s: ir_version %d, opsets %v; want 8 and default-domain opset %d", name, m.IRVersion, m.OpsetImports, opset)
		}
		if !strings.Contains(strings.ToLower(m.ProducerName), "pytorch") {
			t.Errorf("%s: producer %q does not name pytorch (the torchvision preset hint)", name, m.ProducerName)
		}
		meta := map[string]string{}
		for _, e := range m.Metadata {
			meta[e.Key] = e.Value
		}
		if meta["edgeinfer.weights"] != "synthetic" || meta["edgeinfer.model"] != name || meta["edgeinfer.seed"] != "1" {
			t.Errorf("%s: metadata %v lacks the synthetic-weights, model or seed entry", name, meta)
		}
		in, out, _ := models.Shapes(name)
		dims := func(shape []int) []onnx.Dim {
			d := []onnx.Dim{{Param: "N", Known: true}}
			for _, v := range shape[1:] {
				d = append(d, onnx.Dim{Value: int64(v), Known: true})
			}
			return d
		}
		g := m.Graph
		if len(g.Inputs) != 1 || g.Inputs[0].Name != "input" || g.Inputs[0].Type.Elem != onnx.Float ||
			!slices.Equal(g.Inputs[0].Type.Shape, dims(in)) {
			t.Errorf("%s: inputs %+v, want input float%v with a symbolic batch", name, g.Inputs, in)
		}
		if len(g.Outputs) != 1 || g.Outputs[0].Name != "output" || g.Outputs[0].Type.Elem != onnx.Float ||
			!slices.Equal(g.Outputs[0].Type.Shape, dims(out)) {
			t.Errorf("%s: outputs %+v, want output float%v with a symbolic batch", name, g.Outputs, out)
		}
	}
}

func TestGraphStructure(t *testing.T) {
	resnet := func(conv, relu, add int) map[string]int {
		return map[string]int{"Conv": conv, "Relu": relu, "Add": add,
			"MaxPool": 1, "GlobalAveragePool": 1, "Flatten": 1, "Gemm": 1}
	}
	// The op histograms of the folded (or only) variants; an explicit-BN
	// variant adds one BatchNormalization per Conv its count names.
	wantOps := map[string]map[string]int{
		"alexnet":  {"Conv": 5, "Relu": 7, "MaxPool": 3, "AveragePool": 1, "Flatten": 1, "Gemm": 3},
		"vgg16":    {"Conv": 13, "Relu": 15, "MaxPool": 5, "AveragePool": 1, "Flatten": 1, "Gemm": 3},
		"resnet18": resnet(20, 17, 8),
		"resnet34": resnet(36, 33, 16),
		"resnet50": resnet(53, 49, 16),
		// 17 blocks: 16 expansions, 17 depthwise, 17 projections, and the
		// stem and the last conv; ReLU6 is Clip with two Constant bounds.
		"mobilenetv2": {"Conv": 52, "Clip": 35, "Constant": 70, "Add": 10, "GlobalAveragePool": 1, "Flatten": 1, "Gemm": 1},
		// Squeeze-excites: GlobalAveragePool, 2 Conv, Relu, HardSigmoid, Mul.
		"mobilenetv3-small": {"Conv": 52, "HardSwish": 19, "Relu": 14, "HardSigmoid": 9, "Mul": 9, "Add": 6,
			"GlobalAveragePool": 10, "Flatten": 1, "Gemm": 2},
		"mobilenetv3-large": {"Conv": 62, "HardSwish": 21, "Relu": 19, "HardSigmoid": 8, "Mul": 8, "Add": 10,
			"GlobalAveragePool": 9, "Flatten": 1, "Gemm": 2},
		// 16 units: 13 channel splits, 16 shuffles of two Shape-derived
		// Reshapes around a Transpose.
		"shufflenetv2": {"Conv": 56, "Relu": 37, "MaxPool": 1, "Split": 13, "Concat": 48, "Shape": 32, "Gather": 32,
			"Unsqueeze": 32, "Constant": 189, "Reshape": 32, "Transpose": 16, "ReduceMean": 1, "Gemm": 1},
		// SiLU is Sigmoid and Mul: 49 after a norm, 16 in squeeze-excites,
		// whose scaling is 16 more Sigmoid and Mul.
		"efficientnet-b0": {"Conv": 81, "Sigmoid": 65, "Mul": 65, "Add": 9, "GlobalAveragePool": 17, "Flatten": 1, "Gemm": 1},
		"squeezenet1.1":   {"Conv": 26, "Relu": 26, "Concat": 8, "MaxPool": 3, "GlobalAveragePool": 1, "Flatten": 1},
		// 58 dense layers, each concatenating its block's outputs and
		// normalizing them; 3 transitions and the last norm.
		"densenet121": {"Conv": 120, "BatchNormalization": 62, "Relu": 121, "Concat": 62, "MaxPool": 1, "AveragePool": 3,
			"GlobalAveragePool": 1, "Flatten": 1, "Gemm": 1},
		"googlenet": {"Conv": 57, "Relu": 57, "MaxPool": 13, "Concat": 9, "GlobalAveragePool": 1, "Flatten": 1, "Gemm": 1},
		"yolov8n": {"Conv": 64, "Sigmoid": 58, "Mul": 58, "Add": 8, "Split": 9, "Concat": 24, "MaxPool": 3, "Resize": 2,
			"Shape": 5, "Gather": 5, "Unsqueeze": 5, "Constant": 41, "Reshape": 5, "Transpose": 1, "Softmax": 1,
			"Slice": 2, "Sub": 2, "Div": 1},
	}
	convBNs := map[string]int{"resnet18": 20, "resnet34": 36, "resnet50": 53, "mobilenetv2": 52, "mobilenetv3-small": 34,
		"mobilenetv3-large": 46, "shufflenetv2": 56, "efficientnet-b0": 49, "densenet121": 59, "googlenet": 57, "yolov8n": 57}
	for _, name := range allNames {
		base, explicit := strings.CutSuffix(name, "-bn")
		want := maps.Clone(wantOps[base])
		if explicit {
			want["BatchNormalization"] += convBNs[base]
		}
		m := built(t, name)
		ops := map[string]int{}
		used := map[string]bool{}
		nodeNames := map[string]bool{}
		for _, n := range m.Graph.Nodes {
			ops[n.OpType]++
			for _, x := range n.Inputs {
				used[x] = true
			}
			if nodeNames[n.Name] {
				t.Errorf("%s: node name %q repeated", name, n.Name)
			}
			nodeNames[n.Name] = true
		}
		for op, c := range want {
			if ops[op] != c {
				t.Errorf("%s: %d %s nodes, want %d", name, ops[op], op, c)
			}
			delete(ops, op)
		}
		for op, c := range ops {
			if c > 0 {
				t.Errorf("%s: %d unexpected %s nodes", name, c, op)
			}
		}
		for _, x := range m.Graph.Initializer {
			if !used[x.Name] {
				t.Errorf("%s: initializer %s is never used", name, x.Name)
			}
		}
		in, out, _ := models.Shapes(name)
		shapes, err := inferShapes(m, toInt64(in))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := shapes["output"]; !slices.Equal(got, toInt64(out)) {
			t.Errorf("%s: output shape %v, want %v", name, got, out)
		}
	}
}

func TestDeterministic(t *testing.T) {
	marshal := func(name string, seed uint64) []byte {
		m, err := models.Build(name, seed)
		if err != nil {
			t.Fatal(err)
		}
		b, err := onnx.Marshal(m)
		if err != nil {
			t.Fatalf("Marshal(%s): %v", name, err)
		}
		return b
	}
	for _, name := range []string{"alexnet", "resnet18-bn", "resnet50", "shufflenetv2", "yolov8n"} {
		a, b := marshal(name, 7), marshal(name, 7)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two builds with seed 7 serialize differently", name)
		}
		if bytes.Equal(a, marshal(name, 8)) {
			t.Errorf("%s: seeds 7 and 8 give the same model", name)
		}
	}
}

// TestWeightFingerprints pins the weights of every model at DefaultSeed (a
// SHA-256 over initializer names, dims and raw bytes). The committed golden
// outputs were computed from exactly these weights, so a change here means
// the goldens must be regenerated; a mismatch on one platform only means
// the generator is not bit-reproducible there.
func TestWeightFingerprints(t *testing.T) {
	want := map[string]string{
		"alexnet":              "e7dcdcaafb68c08be3a28ecaa083a31c20a95bb149ebd2e8abe1366bb6077f3c",
		"resnet18":             "37180e8516766814be3f39cb7f73ecc0f255c4191f15d6c4da27b97d71519af5",
		"resnet18-bn":          "9a4ccd62b9804656d170d2530a9231527e426a8e59f8e6c85fb0dbd18c429dc3",
		"resnet34":             "e9674f679c2cbb67198372382ffc829afd7ae7fc48823e1b84d93ffe2ca0d320",
		"vgg16":                "e9882b87bedd037b8df591167f6d835593a838268c7b8b2b05e22a368640c829",
		"resnet34-bn":          "b2299b257a5ebec5805f5f4f96844ee4711be3907f793a3383e1c1ec17be006c",
		"resnet50":             "2d1183cfa4780df42ba8bbfe43b04ddd1f47a75e562c46c531178faf4dc1cfd9",
		"resnet50-bn":          "3b9c59de35f8f0663ce315b7a5148c4747da052c549565d998c0a2c614eff4a8",
		"mobilenetv2":          "03e91c2d44998e77ae004fb0490d3210ddc340314c6f4d61c03e8a026ca1e6ae",
		"mobilenetv2-bn":       "9af7fc4cdb0011e9a57ef1287154f8688ae6901dfd014f9a2165c1c7480830d5",
		"mobilenetv3-small":    "8de0184a4352dceafb8c00ce039372317e8ad719b3f94d334861ab407a8e0ecd",
		"mobilenetv3-small-bn": "58d07f044a701e965f7a7c5b2b8c0afeef60427038eae6d38106cb76bc1eeb29",
		"mobilenetv3-large":    "404b6f67ab0a523e68e0495d25e27bcab3e91d47b27e345359424a3b37dab1d5",
		"mobilenetv3-large-bn": "cd576fe25e9930c4aa9b6d59d67a0a8d7a4b9fb76c372b6bb170216222eb240c",
		"shufflenetv2":         "e89ac2f70c314ca29771f69cfdce6049833e04a6335b92cb0085b31caf9db94a",
		"shufflenetv2-bn":      "67a451929153df502940d2a71fedb6b4b0d7e663f0c75d8a952e3af5084fd39c",
		"efficientnet-b0":      "1c68622c47ba526bf8aa496e9fc827808fabb1a609d435c3ded05f90d848ccf6",
		"efficientnet-b0-bn":   "d1f89e9b2019e76e97b86e61d7b7b8b979f42b657eca231cb4bafdbb6b6b04a6",
		"squeezenet1.1":        "07c43a6fdca538277151b29d400b263dd453090f77e5924eeef289d79bd75c18",
		"densenet121":          "c0df96a8d2b7746f8612bcbea86e236f7b2557905f41890a94b421c55c4df3ef",
		"densenet121-bn":       "8c9468ded8ea8efd8f75f9a2d5191d85bf47264b2cafeaea8cde0adbd1210b63",
		"googlenet":            "94fb1b7f357b59c6f7c927d2226b75a24a5de57601fe54e2ab11b0431c56a4bd",
		"googlenet-bn":         "a9b36b8eb0123b86bb9730020523a23faca717f44f6187e918e9dd407c934a0e",
		"yolov8n":              "88bd3e69a8045a73efc7ec37769f35ccb9a98592be77b759cf68e319e032b1ec",
		"yolov8n-bn":           "b46558c25167a7910858d2a13c81ce6ddb72c13ed9b66058c7a7711e1084480f",
	}
	for _, name := range allNames {
		h := sha256.New()
		for _, x := range built(t, name).Graph.Initializer {
			fmt.Fprintf(h, "%s%v", x.Name, x.Dims)
			h.Write(x.RawData)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != want[name] {
			t.Errorf("%s: weight fingerprint %s, want %s", name, got, want[name])
		}
	}
}

// TestFoldedBN checks that each folded model is its explicit-BN twin with
// every BatchNormalization that follows a Conv absorbed into it:
// W' = W*s, b' = beta - mean*s, with s = gamma/sqrt(var+eps) per channel.
// Convs without a norm after them keep their weights and bias, and norms
// without a Conv before them (DenseNet's) stay BatchNormalization nodes.
func TestFoldedBN(t *testing.T) {
	for _, name := range allNames {
		arch, ok := strings.CutSuffix(name, "-bn")
		if !ok {
			continue
		}
		folded, explicit := built(t, arch), built(t, name)
		inits := map[string][]float32{}
		for _, x := range explicit.Graph.Initializer {
			inits[x.Name] = floats(t, x)
		}
		foldedInits := map[string][]float32{}
		for _, x := range folded.Graph.Initializer {
			foldedInits[x.Name] = floats(t, x)
		}
		// The BN node consuming each Conv output, keyed by the conv weight.
		bnOf := map[string]*onnx.Node{}
		convOf := map[string]string{}
		standalone := 0
		for _, n := range explicit.Graph.Nodes {
			switch n.OpType {
			case "Conv":
				convOf[n.Outputs[0]] = n.Inputs[1]
			case "BatchNormalization":
				if w, ok := convOf[n.Inputs[0]]; ok {
					bnOf[w] = n
				} else {
					standalone++
				}
			}
		}
		checked, kept := 0, 0
		for _, n := range folded.Graph.Nodes {
			if n.OpType == "BatchNormalization" {
				kept++
			}
			if n.OpType != "Conv" {
				continue
			}
			wf, w := foldedInits[n.Inputs[1]], inits[n.Inputs[1]]
			bn := bnOf[n.Inputs[1]]
			if bn == nil {
				if !slices.Equal(wf, w) || len(n.Inputs) == 3 && !slices.Equal(foldedInits[n.Inputs[2]], inits[n.Inputs[2]]) {
					t.Fatalf("%s: conv %s has no BN twin but differs from the -bn model's", arch, n.Name)
				}
				continue
			}
			if len(n.Inputs) != 3 {
				t.Fatalf("%s: folded conv %s has no bias", arch, n.Name)
			}
			bf := foldedInits[n.Inputs[2]]
			eps := float64(bn.Attrs[0].F)
			if bn.Attrs[0].Name != "epsilon" {
				t.Fatalf("%s: %s has no epsilon first", arch, bn.Name)
			}
			gamma, beta, mean, variance := inits[bn.Inputs[1]], inits[bn.Inputs[2]], inits[bn.Inputs[3]], inits[bn.Inputs[4]]
			per := len(w) / len(gamma)
			for c := range gamma {
				s := float64(gamma[c]) / math.Sqrt(float64(variance[c])+eps)
				if d := math.Abs(float64(bf[c]) - (float64(beta[c]) - float64(mean[c])*s)); d > 1e-7 {
					t.Fatalf("%s: %s bias[%d] = %g, off by %g from beta - mean*s", arch, n.Name, c, bf[c], d)
				}
				for i := c * per; i < (c+1)*per; i++ {
					if want := float64(w[i]) * s; math.Abs(float64(wf[i])-want) > 1e-6*math.Abs(want) {
						t.Fatalf("%s: %s weight[%d] = %g, want W*s = %g", arch, n.Name, i, wf[i], want)
					}
				}
			}
			checked++
		}
		if checked != len(bnOf) || kept != standalone {
			t.Errorf("%s: %d folded convs and %d batch norms kept; the -bn model has %d norms after a conv and %d others",
				arch, checked, kept, len(bnOf), standalone)
		}
	}
}

// TestSyntheticInput compares with the input that the reference kit's
// mktest.mjs generated in JavaScript for the goldens
// (Float32Array.from(..., i => Math.sin(i*0.001)*1.5)): same SHA-256 over
// the 1x3x224x224 little-endian floats, and spot values.
func TestSyntheticInput(t *testing.T) {
	x := models.SyntheticInput(1, 3, 224, 224)
	if len(x) != 150528 {
		t.Fatalf("len = %d, want 150528", len(x))
	}
	for i, bits := range map[int]uint32{0: 0, 1: 0x3ac49ba4, 1571: 0x3fc00000, 100000: 0xbf4271c5, 150527: 0xbecc70d0} {
		if got := math.Float32bits(x[i]); got != bits {
			t.Errorf("x[%d] = %g (%#x), want %g (%#x)", i, x[i], got, math.Float32frombits(bits), bits)
		}
	}
	raw := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	if got := sha256.Sum256(raw); hex.EncodeToString(got[:]) != "a323789abb2a2b724d86587f2c1eaf5c19d7d4b9c623a7bf5a9df13df614ada8" {
		t.Errorf("input SHA-256 %x differs from mktest.mjs's input", got)
	}
	if got := len(models.SyntheticInput(2, 5)); got != 10 {
		t.Errorf("SyntheticInput(2, 5): %d values, want 10", got)
	}
}

func BenchmarkBuildResNet50(b *testing.B) {
	for b.Loop() {
		if _, err := models.Build("resnet50", models.DefaultSeed); err != nil {
			b.Fatal(err)
		}
	}
}
