package onnx

import (
	"fmt"
	"math"
	"os"

	"google.golang.org/protobuf/encoding/protowire"
)

// maxMessage is protobuf's 2 GiB limit on a serialized message.
const maxMessage = math.MaxInt32

// Marshal serializes m as a ModelProto, with every field Decode reads, so
// Decode(Marshal(m)) gives back m. Like ONNX's own (protobuf C++) writer it
// emits fields in number order and packs the repeated scalars onnx.proto
// declares packed (the tensors' typed data); default values are omitted. It fails on nil elements in lists and when the result would exceed
// protobuf's 2 GiB limit (store large initializers as external data then).
func Marshal(m *Model) ([]byte, error) {
	e := &encoder{}
	b := e.model(nil, m)
	if e.err != nil {
		return nil, e.err
	}
	if len(b) > maxMessage {
		return nil, fmt.Errorf("onnx: model is %d bytes, over protobuf's 2 GiB limit: store large initializers as external data", len(b))
	}
	return b, nil
}

// WriteFile writes Marshal(m) to path.
func WriteFile(path string, m *Model) error {
	b, err := Marshal(m)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// MarshalTensor serializes t as a TensorProto (the format of the backend
// tests' input_0.pb files).
func MarshalTensor(t *Tensor) []byte {
	e := &encoder{}
	return e.tensor(nil, t)
}

// encoder appends wire-format messages; err records the first problem.
type encoder struct{ err error }

func (e *encoder) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("onnx: marshal: "+format, args...)
	}
}

// message appends field num holding the message that body appends. The
// body is written in place and then moved right to make room for its length.
func message(b []byte, num protowire.Number, body func([]byte) []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	start := len(b)
	b = body(b)
	n := len(b) - start
	size := protowire.SizeVarint(uint64(n))
	b = append(b, make([]byte, size)...)
	copy(b[start+size:], b[start:start+n])
	protowire.AppendVarint(b[start:start], uint64(n))
	return b
}

func appendInt(b []byte, num protowire.Number, v int64) []byte {
	if v == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(v))
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	return appendStrings(b, num, s)
}

// appendStrings appends one field per element, empty ones included.
func appendStrings[S ~string | ~[]byte](b []byte, num protowire.Number, list ...S) []byte {
	for _, s := range list {
		b = protowire.AppendTag(b, num, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

func appendEntries(b []byte, num protowire.Number, list []StringEntry) []byte {
	for _, kv := range list {
		b = message(b, num, func(b []byte) []byte {
			return appendString(appendString(b, 1, kv.Key), 2, kv.Value)
		})
	}
	return b
}

// repeatedVarints appends one varint field per element: onnx.proto does not
// declare dims, ints and floats packed, so the reference serializers write
// them this way (readers accept both encodings).
func repeatedVarints(b []byte, num protowire.Number, vals []int64) []byte {
	for _, v := range vals {
		b = protowire.AppendTag(b, num, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(v))
	}
	return b
}

// packedVarints appends a packed repeated varint field (nothing when empty).
func packedVarints[T int32 | int64 | uint64](b []byte, num protowire.Number, vals []T) []byte {
	if len(vals) == 0 {
		return b
	}
	n := 0
	for _, v := range vals {
		n += protowire.SizeVarint(uint64(v))
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(n))
	for _, v := range vals {
		b = protowire.AppendVarint(b, uint64(v))
	}
	return b
}

func packedFloats(b []byte, num protowire.Number, vals []float32) []byte {
	if len(vals) == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(4*len(vals)))
	for _, v := range vals {
		b = protowire.AppendFixed32(b, math.Float32bits(v))
	}
	return b
}

func packedDoubles(b []byte, num protowire.Number, vals []float64) []byte {
	if len(vals) == 0 {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(8*len(vals)))
	for _, v := range vals {
		b = protowire.AppendFixed64(b, math.Float64bits(v))
	}
	return b
}

func (e *encoder) model(b []byte, m *Model) []byte {
	if m == nil {
		e.fail("nil model")
		return b
	}
	b = appendInt(b, 1, m.IRVersion)
	b = appendString(b, 2, m.ProducerName)
	b = appendString(b, 3, m.ProducerVersion)
	b = appendString(b, 4, m.Domain)
	b = appendInt(b, 5, m.ModelVersion)
	b = appendString(b, 6, m.DocString)
	if m.Graph != nil {
		b = message(b, 7, func(b []byte) []byte { return e.graph(b, m.Graph, "graph") })
	}
	for _, o := range m.OpsetImports {
		b = message(b, 8, func(b []byte) []byte {
			// The domain is written even when empty, as ONNX's helpers do.
			return appendInt(appendStrings(b, 1, o.Domain), 2, o.Version)
		})
	}
	return appendEntries(b, 14, m.Metadata)
}

// appendList appends one message field per element of items, failing on nil
// elements; where names the list in errors.
func appendList[T any](e *encoder, b []byte, num protowire.Number, items []*T, where string, body func([]byte, *T, string) []byte) []byte {
	for i, it := range items {
		at := fmt.Sprintf("%s[%d]", where, i)
		if it == nil {
			e.fail("%s is nil", at)
			continue
		}
		b = message(b, num, func(b []byte) []byte { return body(b, it, at) })
	}
	return b
}

func (e *encoder) graph(b []byte, g *Graph, at string) []byte {
	b = appendList(e, b, 1, g.Nodes, at+".node", e.node)
	b = appendString(b, 2, g.Name)
	b = appendList(e, b, 5, g.Initializer, at+".initializer", e.tensorAt)
	b = appendString(b, 10, g.DocString)
	b = appendList(e, b, 11, g.Inputs, at+".input", valueInfo)
	b = appendList(e, b, 12, g.Outputs, at+".output", valueInfo)
	return appendList(e, b, 13, g.ValueInfo, at+".value_info", valueInfo)
}

func (e *encoder) node(b []byte, n *Node, at string) []byte {
	b = appendStrings(b, 1, n.Inputs...)
	b = appendStrings(b, 2, n.Outputs...)
	b = appendString(b, 3, n.Name)
	b = appendString(b, 4, n.OpType)
	b = appendList(e, b, 5, n.Attrs, at+".attribute", e.attribute)
	b = appendString(b, 6, n.DocString)
	return appendString(b, 7, n.Domain)
}

func (e *encoder) attribute(b []byte, a *Attribute, at string) []byte {
	at += fmt.Sprintf(" %q", a.Name)
	b = appendString(b, 1, a.Name)
	if math.Float32bits(a.F) != 0 || a.Type == AttrFloat {
		b = protowire.AppendTag(b, 2, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.F))
	}
	if a.I != 0 || a.Type == AttrInt {
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(a.I))
	}
	if a.S != nil || a.Type == AttrString {
		b = appendStrings(b, 4, a.S)
	}
	if a.T != nil {
		b = message(b, 5, func(b []byte) []byte { return e.tensor(b, a.T) })
	}
	if a.G != nil {
		b = message(b, 6, func(b []byte) []byte { return e.graph(b, a.G, at+".g") })
	}
	for _, f := range a.Floats {
		b = protowire.AppendTag(b, 7, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(f))
	}
	b = repeatedVarints(b, 8, a.Ints)
	b = appendStrings(b, 9, a.Strings...)
	b = appendList(e, b, 10, a.Tensors, at+".tensors", e.tensorAt)
	b = appendList(e, b, 11, a.Graphs, at+".graphs", e.graph)
	b = append(b, a.Raw...)
	b = appendInt(b, 20, int64(a.Type))
	return appendString(b, 21, a.RefAttrName)
}

func (e *encoder) tensorAt(b []byte, t *Tensor, _ string) []byte { return e.tensor(b, t) }

func (e *encoder) tensor(b []byte, t *Tensor) []byte {
	if t == nil {
		return b
	}
	b = repeatedVarints(b, 1, t.Dims)
	b = appendInt(b, 2, int64(t.DataType))
	b = packedFloats(b, 4, t.FloatData)
	b = packedVarints(b, 5, t.Int32Data)
	b = appendStrings(b, 6, t.StringData...)
	b = packedVarints(b, 7, t.Int64Data)
	b = appendString(b, 8, t.Name)
	if t.RawData != nil {
		b = appendStrings(b, 9, t.RawData)
	}
	b = packedDoubles(b, 10, t.DoubleData)
	b = packedVarints(b, 11, t.Uint64Data)
	b = appendString(b, 12, t.DocString)
	if len(t.External) > 0 {
		b = appendEntries(b, 13, t.External)
		b = appendInt(b, 14, locationExternal)
	}
	return b
}

func valueInfo(b []byte, vi *ValueInfo, _ string) []byte {
	b = appendString(b, 1, vi.Name)
	if k := vi.Type.Kind; k > KindUnknown && int(k) < len(typeFieldOf) {
		b = message(b, 2, func(b []byte) []byte {
			return message(b, typeFieldOf[k], func(b []byte) []byte {
				if k != KindTensor && k != KindSparseTensor {
					return append(b, vi.Type.Inner...)
				}
				return appendTensorType(b, &vi.Type)
			})
		})
	}
	return appendString(b, 3, vi.DocString)
}

// typeFieldOf is the TypeProto field number of each kind.
var typeFieldOf = [...]protowire.Number{KindTensor: 1, KindSequence: 4, KindMap: 5, KindOptional: 9, KindSparseTensor: 8}

// appendTensorType appends the body of a TypeProto.Tensor (or SparseTensor).
func appendTensorType(b []byte, ti *TypeInfo) []byte {
	b = appendInt(b, 1, int64(ti.Elem))
	if !ti.HasShape {
		return b
	}
	return message(b, 2, func(b []byte) []byte {
		for _, d := range ti.Shape {
			b = message(b, 1, func(b []byte) []byte {
				switch {
				case d.Param != "":
					return appendString(b, 2, d.Param)
				case d.Known:
					b = protowire.AppendTag(b, 1, protowire.VarintType)
					return protowire.AppendVarint(b, uint64(d.Value))
				}
				return b
			})
		}
		return b
	})
}
