package models_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/edgeinfer/edgeinfer/models"
	"github.com/edgeinfer/edgeinfer/onnx"
)

var allNames = []string{"alexnet", "resnet18", "resnet18-bn", "resnet34", "resnet34-bn", "resnet50", "resnet50-bn"}

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
		if p := models.PresetFor(n); p != "torchvision" {
			t.Errorf("PresetFor(%q) = %q, want torchvision", n, p)
		}
	}
	if p := models.PresetFor("vgg16"); p != "" {
		t.Errorf("PresetFor(vgg16) = %q, want empty", p)
	}
	if _, err := models.Build("vgg16", 1); err == nil || !strings.Contains(err.Error(), "resnet50-bn") {
		t.Errorf("Build(vgg16): error %v, want an unknown-name error listing the known names", err)
	}
}

// TestParamCounts checks the learnable parameters against torchvision's
// sum(p.numel() for p in model.parameters()). Explicit-BN variants carry the
// same parameters (BN running statistics are buffers, not parameters, and
// are excluded). Folding turns each BN's gamma and beta (2C values) into a
// conv bias (C values), so a folded model has torchvision's count minus its
// number of BN channels: 4,800 for ResNet-18 (64 + 2*128 + 2*256+128 +
// 2*512+256 + 2*1024+512), 8,512 for ResNet-34 and 26,560 for ResNet-50.
func TestParamCounts(t *testing.T) {
	want := map[string]int64{
		"alexnet":     61_100_840,
		"resnet18-bn": 11_689_512,
		"resnet34-bn": 21_797_672,
		"resnet50-bn": 25_557_032,
		"resnet18":    11_689_512 - 4_800,
		"resnet34":    21_797_672 - 8_512,
		"resnet50":    25_557_032 - 26_560,
	}
	for _, name := range allNames {
		m := built(t, name)
		stats := map[string]bool{}
		for _, n := range m.Graph.Nodes {
			if n.OpType == "BatchNormalization" {
				stats[n.Inputs[3]], stats[n.Inputs[4]] = true, true
			}
		}
		var got int64
		for _, x := range m.Graph.Initializer {
			if !stats[x.Name] {
				got += numel(x.Dims)
			}
		}
		if got != want[name] {
			t.Errorf("%s: %d parameters, want %d", name, got, want[name])
		}
	}
}

func TestModelHeader(t *testing.T) {
	for _, name := range allNames {
		m := built(t, name)
		if m.IRVersion != 8 || !reflect.DeepEqual(m.OpsetImports, []onnx.OpsetID{{Domain: "", Version: 13}}) {
			t.Errorf("%s: ir_version %d, opsets %v; want 8 and default-domain opset 13", name, m.IRVersion, m.OpsetImports)
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
		n := onnx.Dim{Param: "N", Known: true}
		c := func(v int64) onnx.Dim { return onnx.Dim{Value: v, Known: true} }
		g := m.Graph
		if len(g.Inputs) != 1 || g.Inputs[0].Name != "input" || g.Inputs[0].Type.Elem != onnx.Float ||
			!slices.Equal(g.Inputs[0].Type.Shape, []onnx.Dim{n, c(3), c(224), c(224)}) {
			t.Errorf("%s: inputs %+v, want input float[N,3,224,224]", name, g.Inputs)
		}
		if len(g.Outputs) != 1 || g.Outputs[0].Name != "output" || g.Outputs[0].Type.Elem != onnx.Float ||
			!slices.Equal(g.Outputs[0].Type.Shape, []onnx.Dim{n, c(1000)}) {
			t.Errorf("%s: outputs %+v, want output float[N,1000]", name, g.Outputs)
		}
	}
}

// attrInts returns the named ints attribute (nil if absent).
func attrInts(n *onnx.Node, name string) []int64 {
	for _, a := range n.Attrs {
		if a.Name == name {
			return a.Ints
		}
	}
	return nil
}

// window applies a kernel/stride/pad window to an NCHW shape, giving cout channels.
func window(n *onnx.Node, in []int64, cout int64) ([]int64, error) {
	k, s, p := attrInts(n, "kernel_shape"), attrInts(n, "strides"), attrInts(n, "pads")
	if len(k) != 2 || len(s) != 2 || len(p) != 4 {
		return nil, fmt.Errorf("kernel_shape %v, strides %v, pads %v: want 2, 2 and 4 values", k, s, p)
	}
	out := []int64{in[0], cout, 0, 0}
	for i := range 2 {
		out[2+i] = (in[2+i]+p[i]+p[2+i]-k[i])/s[i] + 1
	}
	return out, nil
}

// inferShapes walks the graph in node order with batch 1, checking that
// every input is defined before use and that operand shapes agree, and
// returns every value's shape. It is an independent reading of the ONNX
// shape rules for the handful of ops the builders emit.
func inferShapes(m *onnx.Model) (map[string][]int64, error) {
	shapes := map[string][]int64{"input": {1, 3, 224, 224}}
	for _, x := range m.Graph.Initializer {
		shapes[x.Name] = x.Dims
	}
	for _, n := range m.Graph.Nodes {
		in := make([][]int64, len(n.Inputs))
		for i, name := range n.Inputs {
			s, ok := shapes[name]
			if !ok {
				return nil, fmt.Errorf("node %s: input %q used before it is defined", n.Name, name)
			}
			in[i] = s
		}
		var out []int64
		var err error
		switch x := in[0]; n.OpType {
		case "Conv":
			w := in[1]
			if len(x) != 4 || x[1] != w[1] || !slices.Equal(attrInts(n, "kernel_shape"), w[2:]) {
				return nil, fmt.Errorf("node %s: input %v does not fit weight %v", n.Name, x, w)
			}
			if len(in) == 3 && !slices.Equal(in[2], w[:1]) {
				return nil, fmt.Errorf("node %s: bias %v for %d output channels", n.Name, in[2], w[0])
			}
			out, err = window(n, x, w[0])
		case "MaxPool", "AveragePool":
			out, err = window(n, x, x[1])
		case "Relu":
			out = x
		case "BatchNormalization":
			for _, p := range in[1:] {
				if !slices.Equal(p, x[1:2]) {
					return nil, fmt.Errorf("node %s: parameter %v for %d channels", n.Name, p, x[1])
				}
			}
			out = x
		case "Add":
			if !slices.Equal(x, in[1]) {
				return nil, fmt.Errorf("node %s: adds %v and %v", n.Name, x, in[1])
			}
			out = x
		case "GlobalAveragePool":
			out = []int64{x[0], x[1], 1, 1}
		case "Flatten":
			out = []int64{x[0], numel(x[1:])}
		case "Gemm":
			w := in[1]
			if len(x) != 2 || x[1] != w[1] || !slices.Equal(in[2], w[:1]) {
				return nil, fmt.Errorf("node %s: x %v, W %v, b %v do not fit transB=1", n.Name, x, w, in[2])
			}
			out = []int64{x[0], w[0]}
		default:
			return nil, fmt.Errorf("node %s: unexpected op %s", n.Name, n.OpType)
		}
		if err != nil {
			return nil, fmt.Errorf("node %s: %w", n.Name, err)
		}
		if _, dup := shapes[n.Outputs[0]]; dup {
			return nil, fmt.Errorf("node %s: output %q defined twice", n.Name, n.Outputs[0])
		}
		shapes[n.Outputs[0]] = out
	}
	return shapes, nil
}

func TestGraphStructure(t *testing.T) {
	resnet := func(conv, relu, add, bn int) map[string]int {
		return map[string]int{"Conv": conv, "BatchNormalization": bn, "Relu": relu, "Add": add,
			"MaxPool": 1, "GlobalAveragePool": 1, "Flatten": 1, "Gemm": 1}
	}
	wantOps := map[string]map[string]int{
		"alexnet":     {"Conv": 5, "Relu": 7, "MaxPool": 3, "AveragePool": 1, "Flatten": 1, "Gemm": 3},
		"resnet18":    resnet(20, 17, 8, 0),
		"resnet18-bn": resnet(20, 17, 8, 20),
		"resnet34":    resnet(36, 33, 16, 0),
		"resnet34-bn": resnet(36, 33, 16, 36),
		"resnet50":    resnet(53, 49, 16, 0),
		"resnet50-bn": resnet(53, 49, 16, 53),
	}
	for _, name := range allNames {
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
		for op, c := range wantOps[name] {
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
		shapes, err := inferShapes(m)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := shapes["output"]; !slices.Equal(got, []int64{1, 1000}) {
			t.Errorf("%s: output shape %v, want [1 1000]", name, got)
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
	for _, name := range []string{"alexnet", "resnet18-bn", "resnet50"} {
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
		"alexnet":     "e7dcdcaafb68c08be3a28ecaa083a31c20a95bb149ebd2e8abe1366bb6077f3c",
		"resnet18":    "37180e8516766814be3f39cb7f73ecc0f255c4191f15d6c4da27b97d71519af5",
		"resnet18-bn": "9a4ccd62b9804656d170d2530a9231527e426a8e59f8e6c85fb0dbd18c429dc3",
		"resnet34":    "e9674f679c2cbb67198372382ffc829afd7ae7fc48823e1b84d93ffe2ca0d320",
		"resnet34-bn": "b2299b257a5ebec5805f5f4f96844ee4711be3907f793a3383e1c1ec17be006c",
		"resnet50":    "2d1183cfa4780df42ba8bbfe43b04ddd1f47a75e562c46c531178faf4dc1cfd9",
		"resnet50-bn": "3b9c59de35f8f0663ce315b7a5148c4747da052c549565d998c0a2c614eff4a8",
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
// every BatchNormalization absorbed into the preceding Conv:
// W' = W*s, b' = beta - mean*s, with s = gamma/sqrt(var+eps) per channel.
func TestFoldedBN(t *testing.T) {
	for _, arch := range []string{"resnet18", "resnet50"} {
		folded, explicit := built(t, arch), built(t, arch+"-bn")
		inits := map[string][]float32{}
		for _, x := range explicit.Graph.Initializer {
			inits[x.Name] = floats(t, x)
		}
		// The BN node consuming each Conv output, keyed by the conv weight.
		bnOf := map[string]*onnx.Node{}
		convOf := map[string]string{}
		for _, n := range explicit.Graph.Nodes {
			switch n.OpType {
			case "Conv":
				convOf[n.Outputs[0]] = n.Inputs[1]
			case "BatchNormalization":
				bnOf[convOf[n.Inputs[0]]] = n
			}
		}
		checked := 0
		for _, n := range folded.Graph.Nodes {
			if n.OpType != "Conv" {
				continue
			}
			bn := bnOf[n.Inputs[1]]
			if bn == nil || len(n.Inputs) != 3 {
				t.Fatalf("%s: conv %s has no BN twin or no bias", arch, n.Name)
			}
			var wf, bf []float32
			for _, x := range folded.Graph.Initializer {
				switch x.Name {
				case n.Inputs[1]:
					wf = floats(t, x)
				case n.Inputs[2]:
					bf = floats(t, x)
				}
			}
			w := inits[n.Inputs[1]]
			gamma, beta, mean, variance := inits[bn.Inputs[1]], inits[bn.Inputs[2]], inits[bn.Inputs[3]], inits[bn.Inputs[4]]
			per := len(w) / len(gamma)
			for c := range gamma {
				s := float64(gamma[c]) / math.Sqrt(float64(variance[c])+1e-5)
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
		if checked != len(bnOf) {
			t.Errorf("%s: checked %d folded convs, the -bn model has %d batch norms", arch, checked, len(bnOf))
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
