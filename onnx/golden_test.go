package onnx

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

// The golden file testdata/node-tests.jsonl summarises every node test
// model and tensor as decoded by protobufjs (testdata/golden.cjs), an
// implementation independent of this package. The summaries below build the
// same structure from our decoder's output.

func sumTensor(t *testing.T, x *Tensor) map[string]any {
	t.Helper()
	var data []byte
	if x.DataType == String {
		for _, s := range x.StringData {
			data = binary.LittleEndian.AppendUint32(data, uint32(len(s)))
			data = append(data, s...)
		}
	} else {
		var err error
		if data, err = x.Bytes(""); err != nil {
			t.Errorf("Bytes: %v", err)
		}
	}
	sum := sha256.Sum256(data)
	return map[string]any{"name": x.Name, "type": x.DataType, "dims": i64s(x.Dims),
		"sha": hex.EncodeToString(sum[:8])}
}

func i64s(v []int64) []string {
	out := []string{}
	for _, x := range v {
		out = append(out, strconv.FormatInt(x, 10))
	}
	return out
}

func f32hex(f float32) string { return strconv.FormatUint(uint64(math.Float32bits(f)), 16) }

func sumValueInfo(v *ValueInfo) map[string]any {
	var shape []string
	if v.Type.HasShape {
		shape = []string{}
		for _, d := range v.Type.Shape {
			switch {
			case d.Param != "":
				shape = append(shape, "p:"+d.Param)
			case d.Known:
				shape = append(shape, "v:"+strconv.FormatInt(d.Value, 10))
			default:
				shape = append(shape, "?")
			}
		}
	}
	return map[string]any{"name": v.Name, "kind": v.Type.Kind.String(), "elem": v.Type.Elem, "shape": shape}
}

func sumAttr(t *testing.T, a *Attribute) map[string]any {
	var v any
	switch a.Type {
	case AttrFloat:
		v = f32hex(a.F)
	case AttrInt:
		v = strconv.FormatInt(a.I, 10)
	case AttrString:
		v = hex.EncodeToString(a.S)
	case AttrTensor:
		v = sumTensor(t, a.T)
	case AttrGraph:
		v = sumGraph(t, a.G)
	case AttrFloats:
		l := []string{}
		for _, f := range a.Floats {
			l = append(l, f32hex(f))
		}
		v = l
	case AttrInts:
		v = i64s(a.Ints)
	case AttrStrings:
		l := []string{}
		for _, s := range a.Strings {
			l = append(l, hex.EncodeToString(s))
		}
		v = l
	case AttrTensors:
		l := []any{}
		for _, x := range a.Tensors {
			l = append(l, sumTensor(t, x))
		}
		v = l
	case AttrGraphs:
		l := []any{}
		for _, g := range a.Graphs {
			l = append(l, sumGraph(t, g))
		}
		v = l
	}
	return map[string]any{"name": a.Name, "type": a.Type, "v": v}
}

func sumGraph(t *testing.T, g *Graph) map[string]any {
	nodes, inits := []any{}, []any{}
	for _, n := range g.Nodes {
		attrs := []any{}
		for _, a := range n.Attrs {
			attrs = append(attrs, sumAttr(t, a))
		}
		nodes = append(nodes, map[string]any{"op": n.OpType, "domain": n.Domain, "name": n.Name,
			"in": append([]string{}, n.Inputs...), "out": append([]string{}, n.Outputs...), "attrs": attrs})
	}
	for _, x := range g.Initializer {
		inits = append(inits, sumTensor(t, x))
	}
	vis := func(l []*ValueInfo) []any {
		out := []any{}
		for _, v := range l {
			out = append(out, sumValueInfo(v))
		}
		return out
	}
	return map[string]any{"name": g.Name, "nodes": nodes, "inits": inits, "inputs": vis(g.Inputs),
		"outputs": vis(g.Outputs), "vi": vis(g.ValueInfo)}
}

func sumModel(t *testing.T, m *Model) map[string]any {
	opsets := []string{}
	for _, o := range m.OpsetImports {
		opsets = append(opsets, o.Domain+":"+strconv.FormatInt(o.Version, 10))
	}
	return map[string]any{"ir": strconv.FormatInt(m.IRVersion, 10), "opset": opsets, "producer": m.ProducerName,
		"pver": m.ProducerVersion, "domain": m.Domain, "mv": strconv.FormatInt(m.ModelVersion, 10),
		"graph": sumGraph(t, m.Graph)}
}

// normalize passes v through JSON so that it compares with decoded golden data.
func normalize(t *testing.T, v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestNodeTestsGolden decodes every node test model (through Open) and
// tensor file and compares names, types, shapes, attributes and the SHA-256
// of every tensor's bytes with protobufjs's reading of the same files.
func TestNodeTestsGolden(t *testing.T) {
	root := sharedDir(t, "onnx-node-tests")
	f, err := os.Open("testdata/node-tests.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	models, tensors := 0, 0
	for sc.Scan() {
		var entry struct {
			Path   string
			Model  any
			Tensor any
		}
		if err := json.Unmarshal(sc.Bytes(), &entry); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(root, filepath.FromSlash(entry.Path))
		var got, want any
		if entry.Model != nil {
			m, err := Open(p)
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			got, want = normalize(t, sumModel(t, m)), entry.Model
			if err := m.Close(); err != nil {
				t.Error(err)
			}
			models++
		} else {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			x, err := DecodeTensor(data)
			if err != nil {
				t.Errorf("%s: %v", entry.Path, err)
				continue
			}
			got, want = normalize(t, sumTensor(t, x)), entry.Tensor
			tensors++
		}
		if !reflect.DeepEqual(got, want) {
			g, _ := json.Marshal(got)
			w, _ := json.Marshal(want)
			t.Errorf("%s:\n got %s\nwant %s", entry.Path, g, w)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if models != 264 || tensors < 700 {
		t.Errorf("checked %d models and %d tensors, want 264 and >= 700", models, tensors)
	}
}
