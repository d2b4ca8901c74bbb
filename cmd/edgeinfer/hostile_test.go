package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// The hostile-input suite: models and images built in Go to be truncated,
// corrupted, oversized, cyclic, escaping their folder or crashing a kernel.
// Every command (inspect, bench -runs 1, classification) must either run or
// exit with code 2 and a one-line error, without a panic reaching the
// process. Run with -long for many more truncations and bit flips.

var long = flag.Bool("long", false, "hostile-input suite: every truncation offset and 10x the bit flips")

// panicDomain holds a test operator whose kernel always panics, to check
// fault containment through the command line.
const panicDomain = "test.edgeinfer.cmd"

func init() {
	ops.Register(panicDomain, "Panic", 1, func(*onnx.Node, int) (ops.Op, error) { return panicOp{}, nil })
}

type panicOp struct{}

func (panicOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if len(in) != 1 {
		return nil, errors.New("want one input")
	}
	return []ops.Value{{Type: in[0].Type, Shape: in[0].Shape}}, nil
}

func (panicOp) Run(*ops.Ctx, []*ops.Tensor, []*ops.Tensor) error { panic("kernel bug") }

// tensorProto is a Float initializer with seeded values.
func tensorProto(name string, rng *rand.Rand, dims ...int) *onnx.Tensor {
	t := ops.New(onnx.Float, dims...)
	for i := range t.F32() {
		t.F32()[i] = rng.Float32() - 0.5
	}
	return ops.ToProto(t, name, onnx.Float)
}

func ints(name string, v ...int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInts, Ints: v}
}

func vinfo(name string, dims ...int64) *onnx.ValueInfo {
	ti := onnx.TypeInfo{Kind: onnx.KindTensor, Elem: onnx.Float, HasShape: true, Shape: []onnx.Dim{}}
	for _, d := range dims {
		ti.Shape = append(ti.Shape, onnx.Dim{Value: d, Known: true})
	}
	return &onnx.ValueInfo{Name: name, Type: ti}
}

// tinyClassifier is a 10-class image classifier on 1x3x16x16 inputs:
// Conv, BatchNormalization, Relu, MaxPool, GlobalAveragePool, Flatten, Gemm,
// Softmax. Its file is about 2 KB.
func tinyClassifier() *onnx.Model {
	rng := rand.New(rand.NewPCG(1, 2))
	node := func(op string, in []string, out string, attrs ...*onnx.Attribute) *onnx.Node {
		return &onnx.Node{Name: "/" + op, OpType: op, Inputs: in, Outputs: []string{out}, Attrs: attrs}
	}
	return &onnx.Model{
		IRVersion: 8, OpsetImports: []onnx.OpsetID{{Version: 13}}, ProducerName: "pytorch",
		Graph: &onnx.Graph{
			Name: "tiny",
			Initializer: []*onnx.Tensor{
				tensorProto("w", rng, 4, 3, 3, 3), tensorProto("b", rng, 4),
				tensorProto("s", rng, 4), tensorProto("o", rng, 4), tensorProto("m", rng, 4),
				ops.ToProto(ops.FromF32([]float32{1, 2, 3, 4}, 4), "v", onnx.Float),
				tensorProto("fw", rng, 10, 4), tensorProto("fb", rng, 10),
			},
			Nodes: []*onnx.Node{
				node("Conv", []string{"data", "w", "b"}, "c", ints("pads", 1, 1, 1, 1)),
				node("BatchNormalization", []string{"c", "s", "o", "m", "v"}, "n"),
				node("Relu", []string{"n"}, "r"),
				node("MaxPool", []string{"r"}, "p", ints("kernel_shape", 2, 2), ints("strides", 2, 2)),
				node("GlobalAveragePool", []string{"p"}, "g"),
				node("Flatten", []string{"g"}, "f"),
				node("Gemm", []string{"f", "fw", "fb"}, "l", &onnx.Attribute{Name: "transB", Type: onnx.AttrInt, I: 1}),
				node("Softmax", []string{"l"}, "prob"),
			},
			Inputs:  []*onnx.ValueInfo{vinfo("data", 1, 3, 16, 16)},
			Outputs: []*onnx.ValueInfo{vinfo("prob", 1, 10)},
		},
	}
}

// hostileCase is a model folder: the model file, optional side files and
// symbolic links, and a fragment every error must contain ("" accepts any
// clean outcome; in TestHostileModels it marks a model that must run).
type hostileCase struct {
	name     string
	model    []byte
	files    map[string][]byte // relative to the model's folder ("../x" lands beside it)
	symlinks map[string]string // link name -> target
	want     string
}

// marshal encodes m, failing the test on error.
func marshal(t testing.TB, m *onnx.Model) []byte {
	t.Helper()
	b, err := onnx.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// variant returns tinyClassifier changed by f, encoded.
func variant(t testing.TB, f func(m *onnx.Model)) []byte {
	m := tinyClassifier()
	f(m)
	return marshal(t, m)
}

// protoBytes appends a length-delimited field to b (for files the writer
// would refuse to produce).
func protoBytes(b []byte, num int, v []byte) []byte {
	b = append(b, byte(num<<3|2))
	n := len(v)
	for n >= 0x80 {
		b = append(b, byte(n)|0x80)
		n >>= 7
	}
	return append(append(b, byte(n)), v...)
}

// nestedGraphs is a model whose graph holds a node whose graph attribute
// holds a node... depth levels deep.
func nestedGraphs(depth int) []byte {
	g := []byte{}
	for range depth {
		attr := protoBytes(protoBytes(nil, 1, []byte("body")), 6, g) // name, g
		node := protoBytes(protoBytes(nil, 4, []byte("If")), 5, attr)
		g = protoBytes(nil, 1, node)
	}
	opset := protoBytes(nil, 8, []byte{0x10, 13})
	return protoBytes(opset, 7, g)
}

// hostileModels lists one case per kind of hostile model.
func hostileModels(t testing.TB) []hostileCase {
	withInit := func(tt *onnx.Tensor) func(m *onnx.Model) {
		return func(m *onnx.Model) { m.Graph.Initializer[0] = tt }
	}
	external := func(kv ...string) func(m *onnx.Model) {
		w := &onnx.Tensor{Name: "w", DataType: onnx.Float, Dims: []int64{4, 3, 3, 3}}
		for i := 0; i < len(kv); i += 2 {
			w.External = append(w.External, onnx.StringEntry{Key: kv[i], Value: kv[i+1]})
		}
		return withInit(w)
	}
	weights := tinyClassifier().Graph.Initializer[0].RawData
	emptyNodes := bytes.Repeat([]byte{0x0a, 0x00}, 1<<20)
	return []hostileCase{
		{name: "valid"},
		{name: "empty file", model: []byte{}, want: "model has no graph"},
		{name: "not protobuf", model: []byte("<html>404 not found</html>"), want: "onnx: "},
		{name: "million empty nodes", model: protoBytes(protoBytes(nil, 8, []byte{0x10, 13}), 7, emptyNodes),
			want: "graph has 1048576 nodes, over the limit of 100000"},
		{name: "4 million empty nodes", model: protoBytes(protoBytes(nil, 8, []byte{0x10, 13}), 7, bytes.Repeat(emptyNodes, 4)),
			want: "(the decoding limit)"},
		{name: "graphs nested 100 deep", model: nestedGraphs(100), want: "nested more than 64 levels deep"},
		{name: "huge declared input", model: variant(t, func(m *onnx.Model) { m.Graph.Inputs[0] = vinfo("data", 1, 3, 1<<20, 1<<20) }),
			want: `graph input "data": declared shape: float32[1 3 1048576 1048576] needs more than`},
		{name: "initializer dims without data", model: variant(t, withInit(&onnx.Tensor{Name: "w", DataType: onnx.Float, Dims: []int64{1 << 20, 1 << 20}})),
			want: `initializer "w": float32[1048576 1048576] needs more than`},
		{name: "initializer dims overflow", model: variant(t, withInit(&onnx.Tensor{Name: "w", DataType: onnx.Float, Dims: []int64{1 << 62, 1 << 62, 0}})),
			want: "element count of dims [4611686018427387904 4611686018427387904 0] overflows int64"},
		{name: "initializer short data", model: variant(t, withInit(&onnx.Tensor{Name: "w", DataType: onnx.Float, Dims: []int64{4, 3, 3, 3}, RawData: make([]byte, 7)})),
			want: `onnx: tensor "w": 7 data bytes, want 432`},
		{name: "ConstantOfShape 1e12 elements", model: variant(t, func(m *onnx.Model) {
			m.Graph.Initializer = append(m.Graph.Initializer, ops.ToProto(ops.FromI64([]int64{1e6, 1e6}, 2), "huge", onnx.Int64))
			m.Graph.Nodes = append(m.Graph.Nodes, &onnx.Node{Name: "cos", OpType: "ConstantOfShape", Inputs: []string{"huge"}, Outputs: []string{"big"}})
			m.Graph.Outputs = append(m.Graph.Outputs, vinfo("big"))
		}), want: `ConstantOfShape "cos": output "big": float32[1000000 1000000] needs more than`},
		{name: "Reshape to huge dims", model: variant(t, func(m *onnx.Model) {
			m.Graph.Initializer = append(m.Graph.Initializer, ops.ToProto(ops.FromI64([]int64{1 << 40, 1 << 40}, 2), "shape", onnx.Int64))
			m.Graph.Nodes[7].Outputs[0] = "sm"
			m.Graph.Nodes = append(m.Graph.Nodes, &onnx.Node{Name: "rs", OpType: "Reshape", Inputs: []string{"sm", "shape"}, Outputs: []string{"prob"}})
		}), want: `Reshape "rs"`},
		{name: "cycle", model: variant(t, func(m *onnx.Model) { m.Graph.Nodes[0].Inputs[0] = "prob" }),
			want: "graph has a cycle"},
		{name: "dangling input", model: variant(t, func(m *onnx.Model) { m.Graph.Nodes[2].Inputs[0] = "ghost" }),
			want: `Relu "/Relu": input "ghost" is not a graph input, an initializer or any node's output`},
		{name: "duplicate output", model: variant(t, func(m *onnx.Model) { m.Graph.Nodes[3].Outputs[0] = "r" }),
			want: `value "r" is defined twice`},
		{name: "unknown operator", model: variant(t, func(m *onnx.Model) { m.Graph.Nodes[2].OpType = "Frobnicate" }),
			want: `Frobnicate (opset 13) at node "/Relu"`},
		{name: "opset 0", model: variant(t, func(m *onnx.Model) { m.OpsetImports[0].Version = 0 }),
			want: "versions start at 1"},
		{name: "future opset", model: variant(t, func(m *onnx.Model) { m.OpsetImports[0].Version = 999 }),
			want: "newer than the newest edgeinfer knows"},
		{name: "wrong attribute type", model: variant(t, func(m *onnx.Model) { m.Graph.Nodes[3].Attrs[0].Type = onnx.AttrFloats }),
			want: `MaxPool "/MaxPool": attribute "kernel_shape" has type FLOATS, want INTS`},
		{name: "zero strides", model: variant(t, func(m *onnx.Model) { m.Graph.Nodes[3].Attrs[1].Ints = []int64{0, 2} }),
			want: `attribute "strides": entry 0 is 0, must be positive`},
		{name: "absurd pads", model: variant(t, func(m *onnx.Model) { m.Graph.Nodes[0].Attrs[0].Ints = []int64{1 << 40, 1 << 40, 1 << 40, 1 << 40} }),
			want: `Conv "/Conv"`},
		{name: "absurd kernel", model: variant(t, func(m *onnx.Model) { m.Graph.Nodes[3].Attrs[0].Ints = []int64{1 << 40, 1 << 40} }),
			want: `MaxPool "/MaxPool"`},
		{name: "panicking kernel", model: variant(t, func(m *onnx.Model) {
			m.OpsetImports = append(m.OpsetImports, onnx.OpsetID{Domain: panicDomain, Version: 1})
			m.Graph.Nodes[2] = &onnx.Node{Name: "boom", OpType: "Panic", Domain: panicDomain, Inputs: []string{"n"}, Outputs: []string{"r"}}
		}), want: `Panic "boom": panic: kernel bug`},
		{name: "external data inside", model: variant(t, external("location", "w.bin")), files: map[string][]byte{"w.bin": weights}},
		{name: "external data ..", model: variant(t, external("location", "../w.bin")), files: map[string][]byte{"../w.bin": weights},
			want: `has a ".." component`},
		{name: "external data absolute", model: variant(t, external("location", "/etc/passwd")), want: "is absolute"},
		{name: "external data symlink out", model: variant(t, external("location", "w.bin")),
			files: map[string][]byte{"../secret.bin": weights}, symlinks: map[string]string{"w.bin": "../secret.bin"}, want: "external data"},
		{name: "external data offset past the end", model: variant(t, external("location", "w.bin", "offset", "1000")),
			files: map[string][]byte{"w.bin": weights}, want: "offset 1000 is beyond the end"},
		{name: "external data length past the end", model: variant(t, external("location", "w.bin", "length", "100000")),
			files: map[string][]byte{"w.bin": weights}, want: "offset 0 + length 100000 is beyond the end"},
		{name: "external data missing", model: variant(t, external("location", "nope.bin")), want: "external data"},
	}
}

// cliOutcome runs one command in-process and checks the outcome: exit 0,
// or exit 2 with a one-line error; never an internal error (a panic that
// reached run) nor a recovered kernel panic unless allowPanic.
func cliOutcome(t *testing.T, label string, allowPanic bool, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	code, stdout, stderr = cli(t, args...)
	switch {
	case code == 0:
	case code != 2:
		t.Errorf("%s: %q: exit %d, want 0 or 2 (stderr %q)", label, args, code, stderr)
	case strings.Count(strings.TrimRight(stderr, "\n"), "\n") != 0 || !strings.HasPrefix(stderr, "edgeinfer: "):
		t.Errorf("%s: %q: want a one-line error, got %q", label, args, stderr)
	}
	if strings.Contains(stderr, "internal error") || !allowPanic && strings.Contains(stderr+stdout, "panic: ") {
		t.Errorf("%s: %q: a panic: %q", label, args, stderr+stdout)
	}
	return code, stdout, stderr
}

// runHostile writes c into a folder of dir and runs inspect, bench and
// classification on it. want must appear in every failing command's
// message (inspect's plan error included).
func runHostile(t *testing.T, dir string, c hostileCase, img string) (codes [3]int) {
	t.Helper()
	folder := filepath.Join(dir, "m")
	if err := os.MkdirAll(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	model := filepath.Join(folder, "model.onnx")
	write := func(path string, b []byte) {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(model, c.model)
	for name, b := range c.files {
		write(filepath.Join(folder, name), b)
	}
	for name, target := range c.symlinks {
		if err := os.Symlink(target, filepath.Join(folder, name)); err != nil {
			t.Fatal(err)
		}
	}
	panics := strings.Contains(c.want, "panic")
	for i, args := range [][]string{
		{"inspect", model},
		{"bench", "-runs", "1", "-warmup", "0", "-threads", "1", model},
		{"-threads", "1", model, img},
	} {
		code, out, errs := cliOutcome(t, c.name, panics, args...)
		codes[i] = code
		failed, msg := code != 0, errs
		if i == 0 && code == 0 {
			// inspect describes models it cannot run: unsupported operators
			// are listed, and load or plan errors reported in its output.
			failed, msg = strings.Contains(out, "plan        error: "), out
		}
		if c.want != "" && failed && !strings.Contains(msg, c.want) {
			t.Errorf("%s: %s: message %q does not contain %q", c.name, args[0], msg, c.want)
		}
	}
	return codes
}

// goodImage writes a 20x20 PNG for classification.
func goodImage(t testing.TB, dir string) string {
	img := image.NewNRGBA(image.Rect(0, 0, 20, 20))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "good.png")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestHostileModels(t *testing.T) {
	dir := t.TempDir()
	img := goodImage(t, dir)
	valid := marshal(t, tinyClassifier())
	for i, c := range hostileModels(t) {
		if c.model == nil {
			c.model = valid
		}
		start := time.Now()
		codes := runHostile(t, filepath.Join(dir, fmt.Sprint(i)), c, img)
		if c.want == "" && codes != [3]int{} {
			t.Errorf("%s: exit codes %v, want the model to run", c.name, codes)
		}
		t.Logf("%-36s exit %v in %v", c.name, codes, time.Since(start).Round(time.Millisecond))
	}
}

// TestTruncatedAndCorruptModels cuts the valid classifier at many offsets
// and flips random bits in it; every command must run or fail cleanly.
func TestTruncatedAndCorruptModels(t *testing.T) {
	dir := t.TempDir()
	img := goodImage(t, dir)
	valid := marshal(t, tinyClassifier())
	step, flips := max(1, len(valid)/150), 150
	if *long {
		step, flips = 1, 1500
	}
	var cases, ran int
	count := func(codes [3]int) {
		cases++
		if codes[2] == 0 {
			ran++
		}
	}
	for n := 0; n < len(valid); n += step {
		count(runHostile(t, filepath.Join(dir, "t"), hostileCase{name: fmt.Sprintf("truncated at %d", n), model: valid[:n]}, img))
	}
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range flips {
		b := bytes.Clone(valid)
		for range 1 + rng.IntN(3) {
			b[rng.IntN(len(b))] ^= 1 << rng.IntN(8)
		}
		count(runHostile(t, filepath.Join(dir, "f"), hostileCase{name: fmt.Sprintf("bit flips %d", i), model: b}, img))
	}
	t.Logf("%d damaged models of %d bytes (3 commands each): %d still classify", cases, len(valid), ran)
}

// hostileImageFiles are damaged and oversized image files by name.
func hostileImageFiles(t testing.TB) map[string][]byte {
	img := image.NewNRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 13)
	}
	var p, j bytes.Buffer
	if err := png.Encode(&p, img); err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(&j, img, nil); err != nil {
		t.Fatal(err)
	}
	huge := image.NewGray(image.Rect(0, 0, 1, 1))
	huge.SetGray(0, 0, color.Gray{1})
	var h bytes.Buffer
	if err := png.Encode(&h, huge); err != nil {
		t.Fatal(err)
	}
	// Rewrite the 1x1 header to claim 40000x40000 (CRC included).
	hb := h.Bytes()
	copy(hb[16:24], []byte{0, 0, 0x9c, 0x40, 0, 0, 0x9c, 0x40})
	fixCRC(hb[12:33])
	files := map[string][]byte{
		"empty.png":    nil,
		"garbage.jpg":  []byte("definitely not an image"),
		"huge.png":     hb,
		"half.png":     p.Bytes()[:p.Len()/2],
		"header.png":   p.Bytes()[:33],
		"half.jpg":     j.Bytes()[:j.Len()/2],
		"nosos.jpg":    j.Bytes()[:200],
		"flipped.png":  flip(p.Bytes(), 100),
		"flipped.jpg":  flip(j.Bytes(), 300),
		"zeros.jpg":    append([]byte{0xFF, 0xD8}, make([]byte, 1000)...),
		"bad-ifd.tiff": append([]byte("II*\x00\xff\xff\xff\x7f"), make([]byte, 64)...),
	}
	return files
}

func flip(b []byte, at int) []byte {
	c := bytes.Clone(b)
	c[at] ^= 0x5a
	return c
}

// fixCRC recomputes the CRC of a PNG chunk (type, data, CRC).
func fixCRC(chunk []byte) {
	crc := ^uint32(0)
	for _, b := range chunk[:len(chunk)-4] {
		crc ^= uint32(b)
		for range 8 {
			crc = crc>>1 ^ 0xedb88320&-(crc&1)
		}
	}
	crc = ^crc
	n := len(chunk)
	chunk[n-4], chunk[n-3], chunk[n-2], chunk[n-1] = byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc)
}

func TestHostileImagesClassify(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "tiny.onnx")
	if err := os.WriteFile(model, marshal(t, tinyClassifier()), 0o644); err != nil {
		t.Fatal(err)
	}
	files := hostileImageFiles(t)
	for name, b := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errs := cliOutcome(t, name, false, "-threads", "1", model, path)
		if strings.HasPrefix(name, "flipped") && code == 0 {
			continue // a flipped bit in the compressed data may still decode
		}
		if code != 2 || !strings.Contains(errs, name) {
			t.Errorf("%s: exit %d, stderr %q: want 2 and the file named", name, code, errs)
		}
		if name == "huge.png" && !strings.Contains(errs, "40000x40000 (1600000000 pixels), over the limit") {
			t.Errorf("huge.png: %q, want the pixel limit", errs)
		}
	}
	// A folder means its images: each bad one is reported and the exit code is 1.
	code, out, errs := cli(t, model, dir)
	failed := len(files) - strings.Count(out, "(preset ") // a flipped file may decode
	if code != 1 || failed < len(files)-2 || !strings.HasSuffix(errs, fmt.Sprintf("edgeinfer: %d of %d images failed\n", failed, len(files))) {
		t.Errorf("folder of bad images: exit %d, %q", code, errs)
	}
	for name := range files {
		if !strings.Contains(errs, name) && !strings.HasPrefix(name, "flipped") {
			t.Errorf("folder of bad images: %s not named in %q", name, errs)
		}
	}
	// A folder without images is bad input.
	empty := t.TempDir()
	if code, _, errs := cliOutcome(t, "empty folder", false, model, empty); code != 2 || !strings.Contains(errs, empty) {
		t.Errorf("folder without images: exit %d, %q", code, errs)
	}
}
