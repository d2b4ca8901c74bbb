package onnx

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"
)

// The expected facts about the real models were read with protobufjs (the
// onnx-proto npm package of the reference kit), independently of this code.

func TestSqueezeNet(t *testing.T) {
	path := sharedDir(t, "models", "squeezenet1.0", "model.onnx")
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Dir != filepath.Dir(path) {
		t.Errorf("Dir = %q, want %q", m.Dir, filepath.Dir(path))
	}
	if m.IRVersion != 3 || m.ProducerName != "onnx-caffe2" || len(m.DocString) != 93 {
		t.Errorf("ir %d producer %q doc %q", m.IRVersion, m.ProducerName, m.DocString)
	}
	if v, ok := m.Opset(""); !ok || v != 7 {
		t.Errorf("Opset(\"\") = %d, %v; want 7", v, ok)
	}
	if v, ok := m.Opset("ai.onnx"); !ok || v != 7 {
		t.Errorf("Opset(\"ai.onnx\") = %d, %v; want 7", v, ok)
	}
	if _, ok := m.Opset("ai.onnx.ml"); ok {
		t.Error("Opset(ai.onnx.ml) found")
	}
	g := m.Graph
	if g.Name != "squeezenet_old" || len(g.Nodes) != 66 || len(g.Initializer) != 52 || len(g.Inputs) != 53 ||
		len(g.Outputs) != 1 || len(g.ValueInfo) != 65 {
		t.Fatalf("graph %q: %d nodes, %d initializers, %d inputs, %d outputs, %d value_info",
			g.Name, len(g.Nodes), len(g.Initializer), len(g.Inputs), len(g.Outputs), len(g.ValueInfo))
	}
	ops := map[string]int{}
	for _, n := range g.Nodes {
		ops[n.OpType]++
	}
	wantOps := map[string]int{"Conv": 26, "Relu": 26, "MaxPool": 3, "Concat": 8, "Dropout": 1, "GlobalAveragePool": 1, "Softmax": 1}
	if !reflect.DeepEqual(ops, wantOps) {
		t.Errorf("op counts %v, want %v", ops, wantOps)
	}
	conv := g.Nodes[0]
	if conv.OpType != "Conv" || !reflect.DeepEqual(conv.Inputs, []string{"data_0", "conv1_w_0", "conv1_b_0"}) ||
		!reflect.DeepEqual(conv.Outputs, []string{"conv1_1"}) || len(conv.Attrs) != 3 {
		t.Fatalf("first node %+v", conv)
	}
	for i, want := range []struct {
		name string
		ints []int64
	}{{"strides", []int64{2, 2}}, {"pads", []int64{0, 0, 0, 0}}, {"kernel_shape", []int64{3, 3}}} {
		a := conv.Attrs[i]
		if a.Name != want.name || a.Type != AttrInts || !reflect.DeepEqual(a.Ints, want.ints) {
			t.Errorf("attribute %d = %+v, want %s %v", i, a, want.name, want.ints)
		}
	}
	in := g.Inputs[52]
	wantShape := []Dim{{Value: 1, Known: true}, {Value: 3, Known: true}, {Value: 224, Known: true}, {Value: 224, Known: true}}
	if in.Name != "data_0" || in.Type.Kind != KindTensor || in.Type.Elem != Float || !reflect.DeepEqual(in.Type.Shape, wantShape) {
		t.Errorf("input 52 = %+v", in)
	}
	out := g.Outputs[0]
	if out.Name != "softmaxout_1" || len(out.Type.Shape) != 4 || out.Type.Shape[1].Value != 1000 {
		t.Errorf("output = %+v", out)
	}
	w := g.Initializer[3]
	if w.Name != "conv1_w_0" || w.DataType != Float || !reflect.DeepEqual(w.Dims, []int64{64, 3, 3, 3}) {
		t.Fatalf("initializer 3 = %s %s %v", w.Name, w.DataType, w.Dims)
	}
	b, err := w.Bytes(m.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 64*27*4 || le32(b, 0) != 0.25732421875 || le32(b, len(b)/4-1) != 0.1895751953125 {
		t.Errorf("conv1_w_0: %d bytes, first %v last %v", len(b), le32(b, 0), le32(b, len(b)/4-1))
	}
	if b, _ := g.Initializer[0].Bytes(""); g.Initializer[0].Name != "conv10_b_0" || len(b) != 4000 || le32(b, 0) != 0.036041259765625 {
		t.Errorf("initializer 0 %q: %d bytes", g.Initializer[0].Name, len(b))
	}
}

func le32(b []byte, i int) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])) }

func TestMNIST(t *testing.T) {
	m, err := Open(sharedDir(t, "models", "mnist-12", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.IRVersion != 7 || m.ProducerName != "CNTK" || m.ProducerVersion != "2.5.1" || m.Domain != "ai.cntk" || m.ModelVersion != 1 {
		t.Errorf("model header %+v", m)
	}
	if v, _ := m.Opset("ai.onnx"); v != 12 {
		t.Errorf("opset %d, want 12", v)
	}
	g := m.Graph
	if g.Name != "CNTKGraph" || len(g.Nodes) != 12 || len(g.Initializer) != 8 || len(g.ValueInfo) != 11 {
		t.Fatalf("graph %q: %d nodes, %d initializers, %d value_info", g.Name, len(g.Nodes), len(g.Initializer), len(g.ValueInfo))
	}
	var names []string
	for _, n := range g.Nodes {
		names = append(names, n.OpType+":"+n.Name)
	}
	want := "Conv:Convolution28 Add:Plus30 Relu:ReLU32 MaxPool:Pooling66 Conv:Convolution110 Add:Plus112 Relu:ReLU114 " +
		"MaxPool:Pooling160 Reshape:Times212_reshape0 Reshape:Times212_reshape1 MatMul:Times212 Add:Plus214"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("nodes %s\nwant  %s", got, want)
	}
	attrs := g.Nodes[0].Attrs
	if len(attrs) != 5 || attrs[2].Name != "auto_pad" || attrs[2].Type != AttrString || string(attrs[2].S) != "SAME_UPPER" ||
		attrs[3].Name != "group" || attrs[3].Type != AttrInt || attrs[3].I != 1 {
		t.Errorf("Conv attributes %+v %+v", attrs[2], attrs[3])
	}
	// MNIST stores its weights in float_data and its shapes in int64_data.
	p := g.Initializer[0]
	if p.Name != "Parameter193" || len(p.FloatData) != 2560 || p.RawData != nil {
		t.Fatalf("initializer 0: %s, %d floats", p.Name, len(p.FloatData))
	}
	b, err := p.Bytes("")
	if err != nil {
		t.Fatal(err)
	}
	if le32(b, 0) != float32(0.09163288027048111) || le32(b, 2559) != float32(0.122023805975914) {
		t.Errorf("Parameter193 bytes start %v end %v", le32(b, 0), le32(b, 2559))
	}
	s := g.Initializer[5]
	b, err = s.Bytes("")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "Pooling160_Output_0_reshape0_shape" || s.DataType != Int64 || len(b) != 16 ||
		binary.LittleEndian.Uint64(b) != 1 || binary.LittleEndian.Uint64(b[8:]) != 256 {
		t.Errorf("initializer 5 %s %s bytes %v", s.Name, s.DataType, b)
	}
}

func TestRawDataAliasesInput(t *testing.T) {
	data := readShared(t, "models", "squeezenet1.0", "model.onnx")
	m, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	lo := uintptr(unsafe.Pointer(&data[0]))
	hi := lo + uintptr(len(data))
	for _, x := range m.Graph.Initializer {
		p := uintptr(unsafe.Pointer(unsafe.SliceData(x.RawData)))
		if p < lo || p+uintptr(len(x.RawData)) > hi {
			t.Fatalf("%s: raw_data at %#x is outside the input [%#x, %#x)", x.Name, p, lo, hi)
		}
		if cap(x.RawData) != len(x.RawData) {
			t.Errorf("%s: cap %d > len %d lets appends overwrite the input", x.Name, cap(x.RawData), len(x.RawData))
		}
		b, err := x.Bytes("")
		if err != nil || unsafe.SliceData(b) != unsafe.SliceData(x.RawData) {
			t.Errorf("%s: Bytes does not return RawData itself (%v)", x.Name, err)
		}
	}
}

// wire builds protobuf messages by hand for the tests.
type wire []byte

func (w wire) varint(num protowire.Number, v uint64) wire {
	return protowire.AppendVarint(protowire.AppendTag(w, num, protowire.VarintType), v)
}

func (w wire) bytes(num protowire.Number, v []byte) wire {
	return protowire.AppendBytes(protowire.AppendTag(w, num, protowire.BytesType), v)
}

func (w wire) fixed32(num protowire.Number, v uint32) wire {
	return protowire.AppendFixed32(protowire.AppendTag(w, num, protowire.Fixed32Type), v)
}

func (w wire) fixed64(num protowire.Number, v uint64) wire {
	return protowire.AppendFixed64(protowire.AppendTag(w, num, protowire.Fixed64Type), v)
}

func TestTypedFieldsPackedAndUnpacked(t *testing.T) {
	var packedI32, packedI64, packedU64, packedF, packedD []byte
	unpacked := wire(nil)
	i32 := []int32{-1, 0, 300, math.MinInt32}
	i64 := []int64{-5, 1 << 40, math.MaxInt64}
	u64 := []uint64{0, math.MaxUint64, 7}
	f32 := []float32{1.5, float32(math.Inf(-1)), -0}
	f64 := []float64{math.Pi, -2}
	for _, v := range i32 {
		packedI32 = protowire.AppendVarint(packedI32, uint64(v))
		unpacked = unpacked.varint(5, uint64(v))
	}
	for _, v := range i64 {
		packedI64 = protowire.AppendVarint(packedI64, uint64(v))
		unpacked = unpacked.varint(7, uint64(v))
	}
	for _, v := range u64 {
		packedU64 = protowire.AppendVarint(packedU64, v)
		unpacked = unpacked.varint(11, v)
	}
	for _, v := range f32 {
		packedF = protowire.AppendFixed32(packedF, math.Float32bits(v))
		unpacked = unpacked.fixed32(4, math.Float32bits(v))
	}
	for _, v := range f64 {
		packedD = protowire.AppendFixed64(packedD, math.Float64bits(v))
		unpacked = unpacked.fixed64(10, math.Float64bits(v))
	}
	unpacked = unpacked.varint(1, 2).varint(1, 3)
	packed := wire(nil).bytes(1, []byte{2, 3}).bytes(5, packedI32).bytes(7, packedI64).bytes(11, packedU64).
		bytes(4, packedF).bytes(10, packedD)
	// A repeated field may also come in several packed runs, or mixed.
	split := wire(nil).bytes(1, []byte{2}).varint(1, 3).bytes(5, packedI32[:10]).bytes(5, packedI32[10:]).
		bytes(7, packedI64).bytes(11, packedU64).bytes(4, packedF[:4]).fixed32(4, math.Float32bits(f32[1])).
		bytes(4, packedF[8:]).bytes(10, packedD)
	want := &Tensor{Dims: []int64{2, 3}, Int32Data: i32, Int64Data: i64, Uint64Data: u64, FloatData: f32, DoubleData: f64}
	for name, data := range map[string]wire{"packed": packed, "unpacked": unpacked, "split": split} {
		got, err := DecodeTensor(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v\nwant %+v", name, got, want)
		}
	}
}

func TestAttributeKinds(t *testing.T) {
	tensor := wire(nil).varint(2, uint64(Float)).bytes(8, []byte("t"))
	graph := wire(nil).bytes(2, []byte("body"))
	cases := []struct {
		name string
		msg  wire
		want Attribute
	}{
		{"float typed", wire(nil).fixed32(2, math.Float32bits(0.5)).varint(20, 1), Attribute{Type: AttrFloat, F: 0.5}},
		{"float old IR", wire(nil).fixed32(2, math.Float32bits(0.5)), Attribute{Type: AttrFloat, F: 0.5}},
		{"int old IR", wire(nil).varint(3, uint64(1<<64-3)), Attribute{Type: AttrInt, I: -3}},
		{"string old IR", wire(nil).bytes(4, []byte("NOTSET")), Attribute{Type: AttrString, S: []byte("NOTSET")}},
		{"tensor old IR", wire(nil).bytes(5, tensor), Attribute{Type: AttrTensor, T: &Tensor{Name: "t", DataType: Float}}},
		{"graph old IR", wire(nil).bytes(6, graph), Attribute{Type: AttrGraph, G: &Graph{Name: "body"}}},
		{"floats unpacked", wire(nil).fixed32(7, math.Float32bits(1)).fixed32(7, math.Float32bits(2)), Attribute{Type: AttrFloats, Floats: []float32{1, 2}}},
		{"floats packed", wire(nil).bytes(7, protowire.AppendFixed32(protowire.AppendFixed32(nil, math.Float32bits(1)), math.Float32bits(2))).varint(20, 6), Attribute{Type: AttrFloats, Floats: []float32{1, 2}}},
		{"ints unpacked", wire(nil).varint(8, 1).varint(8, uint64(1<<64-1)).varint(20, 7), Attribute{Type: AttrInts, Ints: []int64{1, -1}}},
		{"ints packed", wire(nil).bytes(8, []byte{1, 0x80, 0x01}), Attribute{Type: AttrInts, Ints: []int64{1, 128}}},
		{"strings", wire(nil).bytes(9, []byte("a")).bytes(9, nil), Attribute{Type: AttrStrings, Strings: [][]byte{[]byte("a"), {}}}},
		{"tensors", wire(nil).bytes(10, tensor).bytes(10, nil), Attribute{Type: AttrTensors, Tensors: []*Tensor{{Name: "t", DataType: Float}, {}}}},
		{"graphs", wire(nil).bytes(11, graph), Attribute{Type: AttrGraphs, Graphs: []*Graph{{Name: "body"}}}},
		{"sparse opaque", wire(nil).bytes(22, []byte{1, 2}).varint(20, 11), Attribute{Type: AttrSparseTensor, Raw: wire(nil).bytes(22, []byte{1, 2})}},
		{"type protos opaque", wire(nil).bytes(15, []byte{9}).bytes(15, nil), Attribute{Type: AttrTypeProtos, Raw: wire(nil).bytes(15, []byte{9}).bytes(15, nil)}},
		{"ref", wire(nil).varint(20, 2).bytes(21, []byte("alpha")), Attribute{Type: AttrInt, RefAttrName: "alpha"}},
		{"unknown fields skipped", wire(nil).bytes(13, []byte("doc")).varint(99, 1).fixed64(98, 5).varint(3, 4), Attribute{Type: AttrInt, I: 4}},
	}
	for _, c := range cases {
		node := wire(nil).bytes(4, []byte("Op")).bytes(5, append(wire(nil).bytes(1, []byte("a")), c.msg...))
		model := wire(nil).bytes(7, wire(nil).bytes(1, node))
		m, err := Decode(model)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		c.want.Name = "a"
		if got := m.Graph.Nodes[0].Attrs[0]; !reflect.DeepEqual(*got, c.want) {
			t.Errorf("%s: got %+v\nwant %+v", c.name, *got, c.want)
		}
	}
}

func TestValueInfoKinds(t *testing.T) {
	dim := func(w wire) []byte { return wire(nil).bytes(1, w) }
	shape := append(append(dim(wire(nil).varint(1, 3)), dim(wire(nil).bytes(2, []byte("N")))...), dim(nil)...)
	tensorType := wire(nil).varint(1, uint64(Float16)).bytes(2, shape)
	cases := []struct {
		typ  wire
		want TypeInfo
	}{
		{wire(nil).bytes(1, tensorType), TypeInfo{Kind: KindTensor, Elem: Float16, HasShape: true,
			Shape: []Dim{{Value: 3, Known: true}, {Param: "N", Known: true}, {}}}},
		{wire(nil).bytes(1, wire(nil).varint(1, 1)), TypeInfo{Kind: KindTensor, Elem: Float}},
		{wire(nil).bytes(1, wire(nil).varint(1, 1).bytes(2, nil)), TypeInfo{Kind: KindTensor, Elem: Float, HasShape: true, Shape: []Dim{}}},
		{wire(nil).bytes(4, wire(nil).bytes(1, wire(nil).bytes(1, tensorType))), TypeInfo{Kind: KindSequence,
			Inner: wire(nil).bytes(1, wire(nil).bytes(1, tensorType))}},
		{wire(nil).bytes(5, wire(nil).varint(1, 8)), TypeInfo{Kind: KindMap, Inner: wire(nil).varint(1, 8)}},
		{wire(nil).bytes(9, nil), TypeInfo{Kind: KindOptional}},
		{wire(nil).bytes(8, tensorType), TypeInfo{Kind: KindSparseTensor, Elem: Float16, HasShape: true,
			Shape: []Dim{{Value: 3, Known: true}, {Param: "N", Known: true}, {}}}},
		{wire(nil).bytes(7, wire(nil).bytes(1, []byte("custom"))), TypeInfo{}},
	}
	for i, c := range cases {
		vi := wire(nil).bytes(1, []byte("x")).bytes(2, c.typ).bytes(3, []byte("doc"))
		m, err := Decode(wire(nil).bytes(7, wire(nil).bytes(11, vi)))
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		want := ValueInfo{Name: "x", Type: c.want, DocString: "doc"}
		if got := *m.Graph.Inputs[0]; !reflect.DeepEqual(got, want) {
			t.Errorf("case %d: got %+v\nwant %+v", i, got, want)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	attr := wire(nil).bytes(1, []byte("pads")).varint(20, 7)
	attr = append(attr, protowire.AppendTag(nil, 8, protowire.BytesType)...)
	attr = append(attr, 3, 0x80, 0x80, 0x80) // a packed run whose last varint never ends
	node := wire(nil).bytes(5, attr)
	graph := wire(nil)
	for range 12 {
		graph = graph.bytes(1, nil)
	}
	deep := wire(nil).bytes(2, []byte("g"))
	for range 70 {
		deep = wire(nil).bytes(1, wire(nil).bytes(5, wire(nil).bytes(6, deep)))
	}
	cases := []struct {
		data wire
		want string
	}{
		{wire(nil).bytes(7, graph.bytes(1, node)), `onnx: graph.node[12].attribute "pads".ints: truncated packed varint`},
		{wire(nil).varint(1, 300)[:2], `onnx: ir_version: truncated varint`},
		{wire(nil).bytes(7, wire(nil).bytes(5, wire(nil).bytes(8, []byte("w")).bytes(9, []byte("abcd"))[:8])), `onnx: graph.initializer[0] "w".raw_data: truncated length-delimited field`},
		{wire(nil).bytes(7, wire(nil).bytes(15, nil)), `onnx: graph.sparse_initializer: sparse initializers unsupported`},
		{wire(nil).bytes(7, wire(nil).bytes(5, wire(nil).bytes(3, nil))), `onnx: graph.initializer[0].segment: segmented tensors unsupported`},
		{wire(nil).fixed32(1, 5), `onnx: ir_version: wire type fixed32, want varint`},
		{wire(nil).bytes(7, wire(nil).bytes(5, wire(nil).varint(14, 1))), `onnx: graph.initializer[0]: data_location is EXTERNAL but external_data is empty`},
		{wire{0x80}, `onnx: truncated tag`},
		{wire{0}, `onnx: tag: invalid field number`},
		{wire(nil).varint(1, 0)[:1], `onnx: ir_version: truncated varint`},
		{append(wire{8}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01), `onnx: ir_version: varint: variable length integer overflow`},
		{wire(nil).bytes(7, deep), `nested more than 64 levels deep`},
	}
	for _, c := range cases {
		_, err := Decode(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Decode(% x):\n got error %v\nwant %q", c.data, err, c.want)
		}
	}
	if _, err := DecodeTensor(wire(nil).bytes(1, []byte{0x80})); err == nil || err.Error() != "onnx: tensor.dims: truncated packed varint" {
		t.Errorf("DecodeTensor: %v", err)
	}
}

func TestOpenErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "missing.onnx")); err == nil || !strings.Contains(err.Error(), "missing.onnx") {
		t.Errorf("missing file: %v", err)
	}
	bad := filepath.Join(dir, "bad.onnx")
	writeFile(t, bad, []byte{0x3a, 0x05, 0x0a})
	if _, err := Open(bad); err == nil || !strings.HasPrefix(err.Error(), "onnx: "+bad+": graph: truncated") {
		t.Errorf("bad file: %v", err)
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory: %v", err)
	}
	empty := filepath.Join(dir, "empty.onnx")
	writeFile(t, empty, nil)
	m, err := Open(empty)
	if err != nil || m.Graph != nil || m.Close() != nil || m.Close() != nil {
		t.Errorf("empty file: %+v, %v", m, err)
	}
}

// TestCorruptInputNeverPanics decodes every prefix of a small model, 200
// prefixes of SqueezeNet and many bit-flipped copies: each must either fail
// or succeed, never panic, and every prefix that cuts a message must fail.
func TestCorruptInputNeverPanics(t *testing.T) {
	small := readShared(t, "onnx-node-tests", "test_conv_with_strides_padding", "model.onnx")
	for n := range len(small) {
		if _, err := Decode(small[:n]); err == nil && n > 0 && !prefixMayParse(small, n) {
			t.Errorf("prefix of %d/%d bytes decoded without error", n, len(small))
		}
	}
	big := readShared(t, "models", "squeezenet1.0", "model.onnx")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		n := rng.IntN(len(big))
		if _, err := Decode(big[:n]); err == nil && !prefixMayParse(big, n) {
			t.Errorf("squeezenet prefix of %d bytes decoded without error", n)
		}
	}
	buf := make([]byte, len(small))
	for range 20000 {
		copy(buf, small)
		for range 1 + rng.IntN(3) {
			buf[rng.IntN(len(buf))] ^= 1 << rng.IntN(8)
		}
		if m, err := Decode(buf); err == nil {
			if _, err := Marshal(m); err != nil {
				t.Errorf("re-marshal of a decoded corrupt model: %v", err)
			}
		}
	}
}

// prefixMayParse reports whether data[:n] ends on a top-level field boundary,
// where a prefix is itself a valid (shorter) message.
func prefixMayParse(data []byte, n int) bool {
	for off := 0; off < n; {
		_, _, l := protowire.ConsumeField(data[off:])
		if l < 0 {
			return false
		}
		off += l
		if off == n {
			return true
		}
	}
	return n == 0
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(wire(nil).bytes(7, wire(nil).bytes(1, wire(nil).bytes(4, []byte("Relu"))))))
	f.Add([]byte{0x3a, 0x05, 0x0a})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			return
		}
		b, err := Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := Decode(b)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		// Compared as bytes: DeepEqual would see NaN attributes as changed.
		if b2, err := Marshal(m2); err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("round trip changed the model (%v)", err)
		}
	})
}

func BenchmarkDecodeSqueezeNet(b *testing.B) {
	data := readShared(b, "models", "squeezenet1.0", "model.onnx")
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalSqueezeNet(b *testing.B) {
	m, err := Decode(readShared(b, "models", "squeezenet1.0", "model.onnx"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Marshal(m); err != nil {
			b.Fatal(err)
		}
	}
}
