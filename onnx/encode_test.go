package onnx

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// roundTrip checks Decode(Marshal(m)) equals m and that marshalling is
// stable; it returns the encoding.
func roundTrip(t *testing.T, name string, m *Model) []byte {
	t.Helper()
	b, err := Marshal(m)
	if err != nil {
		t.Fatalf("%s: Marshal: %v", name, err)
	}
	m2, err := Decode(b)
	if err != nil {
		t.Fatalf("%s: Decode(Marshal): %v", name, err)
	}
	if !reflect.DeepEqual(unlinkExternal(m), unlinkExternal(m2)) {
		t.Errorf("%s: Decode(Marshal(m)) differs from m", name)
	}
	if b2, _ := Marshal(m2); !bytes.Equal(b, b2) {
		t.Errorf("%s: Marshal is not stable", name)
	}
	return b
}

// TestRoundTripNodeTests round-trips every node test model and tensor file.
// The files were written by the C++/Python protobuf library, which emits
// fields in number order with packed repeated scalars, as Marshal does: so
// Marshal must also reproduce them byte for byte.
func TestRoundTripNodeTests(t *testing.T) {
	root := sharedDir(t, "onnx-node-tests")
	dirs, err := filepath.Glob(filepath.Join(root, "test_*"))
	if err != nil || len(dirs) != 264 {
		t.Fatalf("%d node tests (%v), want 264", len(dirs), err)
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		data, err := os.ReadFile(filepath.Join(dir, "model.onnx"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if b := roundTrip(t, name, m); !bytes.Equal(b, data) {
			t.Errorf("%s: Marshal gives %d bytes, differing from the original %d", name, len(b), len(data))
		}
		if name == "test_identity_opt" || name == "test_identity_sequence" {
			continue // their .pb files are not TensorProtos
		}
		pbs, _ := filepath.Glob(filepath.Join(dir, "test_data_set_0", "*.pb"))
		for _, pb := range pbs {
			data, err := os.ReadFile(pb)
			if err != nil {
				t.Fatal(err)
			}
			x, err := DecodeTensor(data)
			if err != nil {
				t.Fatalf("%s: %v", pb, err)
			}
			if b := MarshalTensor(x); !bytes.Equal(b, data) {
				t.Errorf("%s: MarshalTensor differs from the file", pb)
			}
		}
	}
}

func TestRoundTripSqueezeNet(t *testing.T) {
	data := readShared(t, "models", "squeezenet1.0", "model.onnx")
	m, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, "squeezenet", m)
}

// fullModel sets every field the reader reads.
func fullModel() *Model {
	shape := []Dim{{Value: 1, Known: true}, {Param: "batch", Known: true}, {}, {Value: 0, Known: true}}
	w := &Tensor{Name: "w", DataType: Float, Dims: []int64{2}, RawData: []byte{0, 0, 128, 63, 0, 0, 0, 64}, DocString: "weights"}
	body := &Graph{Name: "body", Nodes: []*Node{{OpType: "Identity", Inputs: []string{"x"}, Outputs: []string{"y"}}}}
	return &Model{
		IRVersion: 10, OpsetImports: []OpsetID{{Domain: "", Version: 21}, {Domain: "com.example", Version: 1}},
		ProducerName: "edgeinfer", ProducerVersion: "0.1", Domain: "org.test", ModelVersion: 3, DocString: "doc",
		Metadata: []StringEntry{{"author", "me"}, {"", ""}},
		Graph: &Graph{
			Name: "main", DocString: "graph doc",
			Nodes: []*Node{{
				Name: "n0", OpType: "Custom", Domain: "com.example", DocString: "node doc",
				Inputs: []string{"x", "", "w"}, Outputs: []string{"y", ""},
				Attrs: []*Attribute{
					{Name: "f", Type: AttrFloat, F: 0},
					{Name: "i", Type: AttrInt, I: -1},
					{Name: "s", Type: AttrString, S: []byte{}},
					{Name: "t", Type: AttrTensor, T: &Tensor{DataType: Int64, Int64Data: []int64{-1, 1 << 62}}},
					{Name: "g", Type: AttrGraph, G: body},
					{Name: "floats", Type: AttrFloats, Floats: []float32{1.5, -2}},
					{Name: "ints", Type: AttrInts, Ints: []int64{-3, 0, 1 << 40}},
					{Name: "strings", Type: AttrStrings, Strings: [][]byte{[]byte("a"), {}}},
					{Name: "tensors", Type: AttrTensors, Tensors: []*Tensor{w, {DataType: String, StringData: [][]byte{[]byte("s"), {}}}}},
					{Name: "graphs", Type: AttrGraphs, Graphs: []*Graph{body, {}}},
					{Name: "sparse", Type: AttrSparseTensor, Raw: wire(nil).bytes(22, []byte{10, 0})},
					{Name: "ref", Type: AttrFloat, RefAttrName: "alpha"},
				},
			}},
			Initializer: []*Tensor{
				w,
				{Name: "typed", DataType: Float16, Dims: []int64{3}, Int32Data: []int32{0x3c00, 0, 0x7c00},
					FloatData: []float32{1}, DoubleData: []float64{2}, Uint64Data: []uint64{1 << 63}},
				{Name: "ext", DataType: Float, Dims: []int64{4}, External: []StringEntry{{"location", "w.bin"}, {"offset", "0"}}},
				{Name: "empty", DataType: Float, Dims: []int64{0}, RawData: []byte{}},
			},
			Inputs: []*ValueInfo{
				{Name: "x", Type: TypeInfo{Kind: KindTensor, Elem: Float, Shape: shape, HasShape: true}, DocString: "input"},
				{Name: "scalar", Type: TypeInfo{Kind: KindTensor, Elem: Int64, Shape: []Dim{}, HasShape: true}},
				{Name: "unranked", Type: TypeInfo{Kind: KindTensor, Elem: Bool}},
			},
			Outputs: []*ValueInfo{{Name: "y", Type: TypeInfo{Kind: KindSparseTensor, Elem: Float, Shape: shape, HasShape: true}}},
			ValueInfo: []*ValueInfo{
				{Name: "seq", Type: TypeInfo{Kind: KindSequence}},
				{Name: "map", Type: TypeInfo{Kind: KindMap}},
				{Name: "opt", Type: TypeInfo{Kind: KindOptional}},
				{Name: "untyped"},
			},
		},
	}
}

// unlinkExternal detaches m and its external tensors from the decoded
// model's cache of external files, which differs between two decodings of
// the same bytes (and holds no mapping in these tests).
func unlinkExternal(m *Model) *Model {
	m.closer, m.files = nil, nil
	var graph func(g *Graph)
	tensors := func(l []*Tensor) {
		for _, x := range l {
			x.ext = nil
		}
	}
	graph = func(g *Graph) {
		tensors(g.Initializer)
		for _, n := range g.Nodes {
			for _, a := range n.Attrs {
				if a.T != nil {
					tensors([]*Tensor{a.T})
				}
				if a.G != nil {
					graph(a.G)
				}
				tensors(a.Tensors)
				for _, g := range a.Graphs {
					graph(g)
				}
			}
		}
	}
	if m.Graph != nil {
		graph(m.Graph)
	}
	return m
}

func TestRoundTripAllFields(t *testing.T) {
	m := fullModel()
	roundTrip(t, "full model", m)
	m2, err := Decode(roundTrip(t, "full model", fullModel()))
	if err != nil {
		t.Fatal(err)
	}
	if m2.Graph.Initializer[2].ext == nil {
		t.Error("external tensor not linked to the model")
	}
	path := filepath.Join(t.TempDir(), "m.onnx")
	if err := WriteFile(path, m); err != nil {
		t.Fatal(err)
	}
	m3, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m3.Close()
	if !reflect.DeepEqual(m3.Graph.Nodes, m.Graph.Nodes) || !reflect.DeepEqual(m3.Graph.Inputs, m.Graph.Inputs) {
		t.Error("WriteFile + Open changed the graph")
	}
}

func TestMarshalRejectsNilElements(t *testing.T) {
	m := fullModel()
	m.Graph.Nodes[0].Attrs[4].G.Nodes = append(m.Graph.Nodes[0].Attrs[4].G.Nodes, nil)
	if _, err := Marshal(m); err == nil || err.Error() != `onnx: marshal: graph.node[0].attribute[4] "g".g.node[1] is nil` {
		t.Errorf("nil node: %v", err)
	}
	if _, err := Marshal(&Model{Graph: &Graph{Initializer: []*Tensor{nil}}}); err == nil || !strings.Contains(err.Error(), "graph.initializer[0] is nil") {
		t.Errorf("nil initializer: %v", err)
	}
	if _, err := Marshal(nil); err == nil {
		t.Error("nil model accepted")
	}
}
