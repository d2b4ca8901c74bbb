package onnx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unsafe"

	"google.golang.org/protobuf/encoding/protowire"
)

// maxDepth bounds the nesting of graphs (in attributes), so that a crafted
// file cannot exhaust the stack.
const maxDepth = 64

// DefaultMaxDecodeBytes is the default bound on the memory Decode, Open and
// DecodeTensor allocate for what they decode: nodes, attributes, value
// infos, tensor headers, names and other strings, and the typed data fields
// (float_data, int64_data...). raw_data is not copied and does not count.
// A few bytes of a file can describe a large structure (an empty node takes
// two bytes), so the bound is checked as the file is read, before each
// allocation: a crafted file fails with an error instead of exhausting
// memory. Real models stay far below it unless they keep hundreds of
// megabytes of weights in typed fields rather than raw_data.
const DefaultMaxDecodeBytes = 256 << 20

// Decode parses a serialized ModelProto. Every tensor's RawData is a
// sub-slice of data (not copied), so data must stay unchanged while the model
// is in use; names and other strings are copied. Unknown fields are skipped.
// Sparse initializers, segmented tensors, graphs nested deeper than 64
// levels and structures needing more than DefaultMaxDecodeBytes are reported
// as errors. Call Close when the model has external data, to release the
// mappings of its data files.
func Decode(data []byte) (*Model, error) { return DecodeLimited(data, 0) }

// DecodeLimited is Decode with maxBytes in place of DefaultMaxDecodeBytes:
// 0 means the default, a negative value no limit.
func DecodeLimited(data []byte, maxBytes int64) (*Model, error) {
	d := newDecoder(maxBytes)
	m := &Model{}
	if err := d.model(data, m); err != nil {
		return nil, err
	}
	if d.ext != nil {
		m.files = d.ext
		m.closer = d.ext.close
	}
	return m, nil
}

// DecodeTensor parses a serialized TensorProto, such as the input_0.pb files
// of the ONNX backend tests. RawData aliases data.
func DecodeTensor(data []byte) (*Tensor, error) {
	d := newDecoder(0)
	t := &Tensor{}
	if err := d.tensor(data, t); err != nil {
		return nil, within(err, "tensor")
	}
	// A standalone tensor has no model to release the mappings, so its
	// external data (if any) is read on demand rather than mapped.
	t.ext = nil
	return t, nil
}

// ErrInvalid is wrapped by the errors of Decode, DecodeLimited, Open and
// DecodeTensor for data that is not a valid serialized message (malformed
// or truncated protobuf, fields of the wrong kind, out-of-range values).
var ErrInvalid = errors.New("invalid model")

// decodeError locates a decoding failure: the path of messages and fields
// leading to it, innermost first, and what went wrong.
type decodeError struct {
	file string
	path []string
	msg  string
}

// Unwrap gives ErrInvalid.
func (e *decodeError) Unwrap() error { return ErrInvalid }

func (e *decodeError) Error() string {
	var sb strings.Builder
	sb.WriteString("onnx: ")
	if e.file != "" {
		sb.WriteString(e.file)
		sb.WriteString(": ")
	}
	for i := len(e.path) - 1; i >= 0; i-- {
		seg := e.path[i]
		if i < len(e.path)-1 && seg[0] != '[' && seg[0] != ' ' {
			sb.WriteByte('.')
		}
		sb.WriteString(seg)
	}
	if len(e.path) > 0 {
		sb.WriteString(": ")
	}
	sb.WriteString(e.msg)
	return sb.String()
}

// within records that err happened inside seg: a field name, an index "[3]"
// or a name ` "pads"` (segments starting with '[' or ' ' join without a dot).
func within(err error, seg string) error {
	var de *decodeError
	if errors.As(err, &de) {
		de.path = append(de.path, seg)
		return de
	}
	return &decodeError{path: []string{seg}, msg: err.Error()}
}

func errorf(format string, args ...any) error {
	return &decodeError{msg: fmt.Sprintf(format, args...)}
}

// wireError turns a negative protowire length into an error about what.
func wireError(n int, what string) error {
	err := protowire.ParseError(n)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errorf("truncated %s", what)
	}
	// protowire's messages start with "proto:" and a space or a U+00A0.
	msg := strings.TrimLeft(strings.TrimPrefix(err.Error(), "proto:"), " \u00a0")
	return errorf("%s: %s", what, msg)
}

// reader walks the fields of one message.
type reader struct {
	b   []byte // the bytes not yet consumed
	num protowire.Number
	typ protowire.Type
	d   *decoder // charged for what the fields allocate
}

// next consumes the next field's tag; it reports false at the end of the message.
func (r *reader) next() (bool, error) {
	if len(r.b) == 0 {
		return false, nil
	}
	num, typ, n := protowire.ConsumeTag(r.b)
	if n < 0 {
		return false, wireError(n, "tag")
	}
	r.num, r.typ, r.b = num, typ, r.b[n:]
	return true, nil
}

func (r *reader) want(typ protowire.Type) error {
	if r.typ != typ {
		return errorf("wire type %s, want %s", wireTypeName(r.typ), wireTypeName(typ))
	}
	return nil
}

func wireTypeName(t protowire.Type) string {
	switch t {
	case protowire.VarintType:
		return "varint"
	case protowire.Fixed32Type:
		return "fixed32"
	case protowire.Fixed64Type:
		return "fixed64"
	case protowire.BytesType:
		return "length-delimited"
	case protowire.StartGroupType:
		return "start-group"
	case protowire.EndGroupType:
		return "end-group"
	}
	return fmt.Sprintf("%d", int(t))
}

func (r *reader) varint() (uint64, error) {
	if err := r.want(protowire.VarintType); err != nil {
		return 0, err
	}
	v, n := protowire.ConsumeVarint(r.b)
	if n < 0 {
		return 0, wireError(n, "varint")
	}
	r.b = r.b[n:]
	return v, nil
}

// bytes returns a length-delimited field's payload as a sub-slice of the
// input, capped so that appending to it cannot overwrite what follows.
func (r *reader) bytes() ([]byte, error) {
	if err := r.want(protowire.BytesType); err != nil {
		return nil, err
	}
	v, n := protowire.ConsumeBytes(r.b)
	if n < 0 {
		return nil, wireError(n, "length-delimited field")
	}
	r.b = r.b[n:]
	return v[:len(v):len(v)], nil
}

func (r *reader) skip() error {
	n := protowire.ConsumeFieldValue(r.num, r.typ, r.b)
	if n < 0 {
		return wireError(n, "field")
	}
	r.b = r.b[n:]
	return nil
}

func (r *reader) int64(dst *int64) error {
	v, err := r.varint()
	*dst = int64(v)
	return err
}

func (r *reader) int32(dst *int32) error {
	v, err := r.varint()
	*dst = int32(v)
	return err
}

func (r *reader) float32(dst *float32) error {
	if err := r.want(protowire.Fixed32Type); err != nil {
		return err
	}
	v, n := protowire.ConsumeFixed32(r.b)
	if n < 0 {
		return wireError(n, "fixed32")
	}
	r.b = r.b[n:]
	*dst = math.Float32frombits(v)
	return nil
}

// string copies a length-delimited field into *dst.
func (r *reader) string(dst *string) error {
	v, err := r.bytes()
	if err == nil {
		err = r.d.charge(int64(len(v)))
	}
	if err == nil {
		*dst = string(v)
	}
	return err
}

// clone copies a length-delimited field (non-nil even when empty).
func (r *reader) clone() ([]byte, error) {
	v, err := r.bytes()
	if err == nil {
		err = r.d.charge(int64(len(v)))
	}
	if err != nil {
		return nil, err
	}
	return bytes.Clone(v), nil
}

// message decodes a length-delimited field with decode; seg names the
// element in errors and is only called on failure.
func (r *reader) message(seg func() string, decode func([]byte) error) error {
	v, err := r.bytes()
	if err == nil {
		err = decode(v)
	}
	if err != nil && seg != nil {
		err = within(err, seg())
	}
	return err
}

func index(i int) func() string { return func() string { return fmt.Sprintf("[%d]", i) } }

// appendRepeated appends the elements of a repeated scalar field, accepting
// both the packed encoding and one element per field. unit is the element's
// wire type; conv maps the wire value to T.
func appendRepeated[T any](r *reader, dst []T, unit protowire.Type, conv func(uint64) T) ([]T, error) {
	var elem T
	size := int64(unsafe.Sizeof(elem))
	if r.typ != protowire.BytesType {
		if err := r.want(unit); err != nil {
			return dst, err
		}
		v, n := consumeScalar(unit, r.b)
		if n < 0 {
			return dst, wireError(n, wireTypeName(unit))
		}
		if err := r.d.charge(size); err != nil {
			return dst, err
		}
		r.b = r.b[n:]
		return append(dst, conv(v)), nil
	}
	b, err := r.bytes()
	if err != nil || len(b) == 0 {
		return dst, err
	}
	count := 0
	switch unit {
	case protowire.Fixed32Type:
		count = len(b) / 4
	case protowire.Fixed64Type:
		count = len(b) / 8
	default:
		for _, c := range b {
			if c < 0x80 {
				count++
			}
		}
	}
	if err := r.d.charge(int64(count) * size); err != nil {
		return dst, err
	}
	if len(dst)+count > cap(dst) {
		dst = append(make([]T, 0, len(dst)+count), dst...)
	}
	for len(b) > 0 {
		v, n := consumeScalar(unit, b)
		if n < 0 {
			return dst, wireError(n, "packed "+wireTypeName(unit))
		}
		b = b[n:]
		dst = append(dst, conv(v))
	}
	return dst, nil
}

func consumeScalar(unit protowire.Type, b []byte) (uint64, int) {
	switch unit {
	case protowire.Fixed32Type:
		v, n := protowire.ConsumeFixed32(b)
		return uint64(v), n
	case protowire.Fixed64Type:
		return protowire.ConsumeFixed64(b)
	}
	return protowire.ConsumeVarint(b)
}

func toInt64(v uint64) int64     { return int64(v) }
func toInt32(v uint64) int32     { return int32(v) }
func toUint64(v uint64) uint64   { return v }
func toFloat32(v uint64) float32 { return math.Float32frombits(uint32(v)) }
func toFloat64(v uint64) float64 { return math.Float64frombits(v) }

// decoder holds the state of one Decode call.
type decoder struct {
	depth int       // current nesting of graphs
	ext   *extFiles // created when the first external tensor is met
	left  int64     // bytes the decoded structure may still allocate
	limit int64     // the bound left started from, for messages
}

// newDecoder returns a decoder bounded by maxBytes (0: the default, < 0: none).
func newDecoder(maxBytes int64) *decoder {
	switch {
	case maxBytes == 0:
		maxBytes = DefaultMaxDecodeBytes
	case maxBytes < 0:
		maxBytes = math.MaxInt64
	}
	return &decoder{left: maxBytes, limit: maxBytes}
}

// charge accounts for n bytes about to be allocated, failing when they
// would exceed the decoder's bound.
func (d *decoder) charge(n int64) error {
	if n > d.left {
		return errorf("the decoded model would need more than %d bytes of memory (the decoding limit)", d.limit)
	}
	d.left -= n
	return nil
}

// Sizes charged for the structures the decoder allocates, each with the
// pointer or slice entry that holds it.
var (
	nodeSize   = int64(unsafe.Sizeof(Node{})) + 8
	attrSize   = int64(unsafe.Sizeof(Attribute{})) + 8
	tensorSize = int64(unsafe.Sizeof(Tensor{})) + 8
	graphSize  = int64(unsafe.Sizeof(Graph{})) + 8
	infoSize   = int64(unsafe.Sizeof(ValueInfo{})) + 8
	dimSize    = int64(unsafe.Sizeof(Dim{}))
	opsetSize  = int64(unsafe.Sizeof(OpsetID{}))
	entrySize  = int64(unsafe.Sizeof(StringEntry{}))
	sliceSize  = int64(unsafe.Sizeof([]byte{}))
	stringSize = int64(unsafe.Sizeof(""))
)

// fields runs field on each field of message b; errors are placed inside
// the field's name from names (indexed by field number).
func (d *decoder) fields(b []byte, names []string, field func(r *reader) error) error {
	r := &reader{b: b, d: d}
	for {
		ok, err := r.next()
		if err != nil || !ok {
			return err
		}
		if err := field(r); err != nil {
			name := fmt.Sprintf("field %d", r.num)
			if int(r.num) < len(names) && names[r.num] != "" {
				name = names[r.num]
			}
			return within(err, name)
		}
	}
}

// Field names of each message, indexed by field number (onnx.proto).
var (
	modelFields = [...]string{1: "ir_version", 2: "producer_name", 3: "producer_version", 4: "domain",
		5: "model_version", 6: "doc_string", 7: "graph", 8: "opset_import", 14: "metadata_props"}
	opsetFields = [...]string{1: "domain", 2: "version"}
	entryFields = [...]string{1: "key", 2: "value"}
	graphFields = [...]string{1: "node", 2: "name", 5: "initializer", 10: "doc_string", 11: "input",
		12: "output", 13: "value_info", 15: "sparse_initializer"}
	nodeFields = [...]string{1: "input", 2: "output", 3: "name", 4: "op_type", 5: "attribute",
		6: "doc_string", 7: "domain"}
	attrFields = [...]string{1: "name", 2: "f", 3: "i", 4: "s", 5: "t", 6: "g", 7: "floats", 8: "ints",
		9: "strings", 10: "tensors", 11: "graphs", 14: "tp", 15: "type_protos", 20: "type",
		21: "ref_attr_name", 22: "sparse_tensor", 23: "sparse_tensors"}
	tensorFields = [...]string{1: "dims", 2: "data_type", 3: "segment", 4: "float_data", 5: "int32_data",
		6: "string_data", 7: "int64_data", 8: "name", 9: "raw_data", 10: "double_data", 11: "uint64_data",
		12: "doc_string", 13: "external_data", 14: "data_location"}
	valueInfoFields = [...]string{1: "name", 2: "type", 3: "doc_string"}
	typeFields      = [...]string{1: "tensor_type", 4: "sequence_type", 5: "map_type", 8: "sparse_tensor_type",
		9: "optional_type"}
	tensorTypeFields = [...]string{1: "elem_type", 2: "shape"}
	shapeFields      = [...]string{1: "dim"}
	dimFields        = [...]string{1: "dim_value", 2: "dim_param"}
)

func (d *decoder) model(b []byte, m *Model) error {
	return d.fields(b, modelFields[:], func(r *reader) error {
		switch r.num {
		case 1:
			return r.int64(&m.IRVersion)
		case 2:
			return r.string(&m.ProducerName)
		case 3:
			return r.string(&m.ProducerVersion)
		case 4:
			return r.string(&m.Domain)
		case 5:
			return r.int64(&m.ModelVersion)
		case 6:
			return r.string(&m.DocString)
		case 7:
			if m.Graph == nil {
				if err := d.charge(graphSize); err != nil {
					return err
				}
				m.Graph = &Graph{}
			}
			return r.message(nil, func(v []byte) error { return d.graph(v, m.Graph) })
		case 8:
			if err := d.charge(opsetSize); err != nil {
				return err
			}
			m.OpsetImports = append(m.OpsetImports, OpsetID{})
			o := &m.OpsetImports[len(m.OpsetImports)-1]
			return r.message(index(len(m.OpsetImports)-1), func(v []byte) error { return d.opset(v, o) })
		case 14:
			return d.readEntry(r, &m.Metadata)
		}
		return r.skip()
	})
}

func (d *decoder) opset(b []byte, o *OpsetID) error {
	return d.fields(b, opsetFields[:], func(r *reader) error {
		switch r.num {
		case 1:
			return r.string(&o.Domain)
		case 2:
			return r.int64(&o.Version)
		}
		return r.skip()
	})
}

// readEntry decodes a StringStringEntryProto field into *list.
func (d *decoder) readEntry(r *reader, list *[]StringEntry) error {
	if err := d.charge(entrySize); err != nil {
		return err
	}
	*list = append(*list, StringEntry{})
	e := &(*list)[len(*list)-1]
	return r.message(index(len(*list)-1), func(b []byte) error {
		return d.fields(b, entryFields[:], func(r *reader) error {
			switch r.num {
			case 1:
				return r.string(&e.Key)
			case 2:
				return r.string(&e.Value)
			}
			return r.skip()
		})
	})
}

// nested runs f one level deeper, failing beyond maxDepth.
func (d *decoder) nested(f func() error) error {
	if d.depth >= maxDepth {
		return errorf("nested more than %d levels deep", maxDepth)
	}
	d.depth++
	err := f()
	d.depth--
	return err
}

func (d *decoder) graph(b []byte, g *Graph) error {
	return d.nested(func() error {
		return d.fields(b, graphFields[:], func(r *reader) error {
			switch r.num {
			case 1:
				if err := d.charge(nodeSize); err != nil {
					return err
				}
				n := &Node{}
				g.Nodes = append(g.Nodes, n)
				return r.message(index(len(g.Nodes)-1), func(v []byte) error { return d.node(v, n) })
			case 2:
				return r.string(&g.Name)
			case 5:
				return d.readTensor(r, &g.Initializer)
			case 10:
				return r.string(&g.DocString)
			case 11:
				return d.readValueInfo(r, &g.Inputs)
			case 12:
				return d.readValueInfo(r, &g.Outputs)
			case 13:
				return d.readValueInfo(r, &g.ValueInfo)
			case 15:
				return errorf("sparse initializers unsupported")
			}
			return r.skip()
		})
	})
}

// readTensor decodes a TensorProto field into *list; errors name the
// tensor's index and, when known, its name.
func (d *decoder) readTensor(r *reader, list *[]*Tensor) error {
	if err := d.charge(tensorSize); err != nil {
		return err
	}
	t := &Tensor{}
	*list = append(*list, t)
	i := len(*list) - 1
	return r.message(func() string {
		if t.Name != "" {
			return fmt.Sprintf("[%d] %q", i, t.Name)
		}
		return fmt.Sprintf("[%d]", i)
	}, func(v []byte) error { return d.tensor(v, t) })
}

func (d *decoder) node(b []byte, n *Node) error {
	return d.fields(b, nodeFields[:], func(r *reader) error {
		switch r.num {
		case 1:
			return readString(r, &n.Inputs)
		case 2:
			return readString(r, &n.Outputs)
		case 3:
			return r.string(&n.Name)
		case 4:
			return r.string(&n.OpType)
		case 5:
			if err := d.charge(attrSize); err != nil {
				return err
			}
			a := &Attribute{}
			n.Attrs = append(n.Attrs, a)
			i := len(n.Attrs) - 1
			return r.message(func() string {
				if a.Name != "" {
					return fmt.Sprintf(" %q", a.Name)
				}
				return fmt.Sprintf("[%d]", i)
			}, func(v []byte) error { return d.attribute(v, a) })
		case 6:
			return r.string(&n.DocString)
		case 7:
			return r.string(&n.Domain)
		}
		return r.skip()
	})
}

// readString appends a string field to *list.
func readString(r *reader, list *[]string) error {
	if err := r.d.charge(stringSize); err != nil {
		return err
	}
	var s string
	err := r.string(&s)
	*list = append(*list, s)
	return err
}

// readBytes appends a copy of a bytes field (non-nil even when empty).
func readBytes(r *reader, list *[][]byte) error {
	if err := r.d.charge(sliceSize); err != nil {
		return err
	}
	v, err := r.clone()
	*list = append(*list, v)
	return err
}

func (d *decoder) attribute(b []byte, a *Attribute) error {
	var typ int32
	seen := AttrUndefined // the kind of the last value field met, for files without type
	err := d.fields(b, attrFields[:], func(r *reader) error {
		var err error
		switch r.num {
		case 1:
			return r.string(&a.Name)
		case 2:
			seen = AttrFloat
			return r.float32(&a.F)
		case 3:
			seen = AttrInt
			return r.int64(&a.I)
		case 4:
			seen = AttrString
			a.S, err = r.clone()
		case 5:
			seen = AttrTensor
			if a.T == nil {
				if err := d.charge(tensorSize); err != nil {
					return err
				}
				a.T = &Tensor{}
			}
			return r.message(nil, func(v []byte) error { return d.tensor(v, a.T) })
		case 6:
			seen = AttrGraph
			if a.G == nil {
				if err := d.charge(graphSize); err != nil {
					return err
				}
				a.G = &Graph{}
			}
			return r.message(nil, func(v []byte) error { return d.graph(v, a.G) })
		case 7:
			seen = AttrFloats
			a.Floats, err = appendRepeated(r, a.Floats, protowire.Fixed32Type, toFloat32)
		case 8:
			seen = AttrInts
			a.Ints, err = appendRepeated(r, a.Ints, protowire.VarintType, toInt64)
		case 9:
			seen = AttrStrings
			return readBytes(r, &a.Strings)
		case 10:
			seen = AttrTensors
			return d.readTensor(r, &a.Tensors)
		case 11:
			seen = AttrGraphs
			if err := d.charge(graphSize); err != nil {
				return err
			}
			g := &Graph{}
			a.Graphs = append(a.Graphs, g)
			return r.message(index(len(a.Graphs)-1), func(v []byte) error { return d.graph(v, g) })
		case 14, 15, 22, 23:
			seen = opaqueAttrKinds[r.num]
			start := r.b
			if err = r.skip(); err == nil {
				// Keep the whole field, tag included, for the writer.
				tag := protowire.AppendTag(nil, r.num, r.typ)
				field := start[:len(start)-len(r.b)]
				if err = d.charge(int64(len(tag) + len(field))); err == nil {
					a.Raw = append(append(a.Raw, tag...), field...)
				}
			}
		case 20:
			return r.int32(&typ)
		case 21:
			return r.string(&a.RefAttrName)
		default:
			return r.skip()
		}
		return err
	})
	a.Type = AttrType(typ)
	if a.Type == AttrUndefined {
		a.Type = seen
	}
	return err
}

const locationExternal = 1 // TensorProto.DataLocation EXTERNAL

func (d *decoder) tensor(b []byte, t *Tensor) error {
	var location int32
	err := d.fields(b, tensorFields[:], func(r *reader) error {
		var err error
		switch r.num {
		case 1:
			t.Dims, err = appendRepeated(r, t.Dims, protowire.VarintType, toInt64)
		case 2:
			var dt int32
			err = r.int32(&dt)
			t.DataType = DataType(dt)
		case 3:
			return errorf("segmented tensors unsupported")
		case 4:
			t.FloatData, err = appendRepeated(r, t.FloatData, protowire.Fixed32Type, toFloat32)
		case 5:
			t.Int32Data, err = appendRepeated(r, t.Int32Data, protowire.VarintType, toInt32)
		case 6:
			return readBytes(r, &t.StringData)
		case 7:
			t.Int64Data, err = appendRepeated(r, t.Int64Data, protowire.VarintType, toInt64)
		case 8:
			return r.string(&t.Name)
		case 9:
			t.RawData, err = r.bytes()
		case 10:
			t.DoubleData, err = appendRepeated(r, t.DoubleData, protowire.Fixed64Type, toFloat64)
		case 11:
			t.Uint64Data, err = appendRepeated(r, t.Uint64Data, protowire.VarintType, toUint64)
		case 12:
			return r.string(&t.DocString)
		case 13:
			return d.readEntry(r, &t.External)
		case 14:
			return r.int32(&location)
		default:
			return r.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	switch location {
	case 0:
		// external_data only counts when data_location says EXTERNAL.
		t.External = nil
	case locationExternal:
		if len(t.External) == 0 {
			return errorf("data_location is EXTERNAL but external_data is empty")
		}
		if d.ext == nil {
			d.ext = &extFiles{}
		}
		t.ext = d.ext
	default:
		return errorf("data_location %d unknown", location)
	}
	return nil
}

func (d *decoder) readValueInfo(r *reader, list *[]*ValueInfo) error {
	if err := d.charge(infoSize); err != nil {
		return err
	}
	vi := &ValueInfo{}
	*list = append(*list, vi)
	i := len(*list) - 1
	return r.message(func() string {
		if vi.Name != "" {
			return fmt.Sprintf("[%d] %q", i, vi.Name)
		}
		return fmt.Sprintf("[%d]", i)
	}, func(b []byte) error {
		return d.fields(b, valueInfoFields[:], func(r *reader) error {
			switch r.num {
			case 1:
				return r.string(&vi.Name)
			case 2:
				return r.message(nil, func(v []byte) error { return d.typeProto(v, &vi.Type) })
			case 3:
				return r.string(&vi.DocString)
			}
			return r.skip()
		})
	})
}

// typeProto decodes a TypeProto. Tensor and sparse tensor types keep their
// element type and shape; sequence, map and optional types their kind and
// their encoded contents.
func (d *decoder) typeProto(b []byte, ti *TypeInfo) error {
	return d.fields(b, typeFields[:], func(r *reader) error {
		switch r.num {
		case 1, 4, 5, 8, 9:
			ti.Kind = typeKinds[r.num]
			if ti.Kind == KindTensor || ti.Kind == KindSparseTensor {
				return r.message(nil, func(v []byte) error { return d.tensorType(v, ti) })
			}
			v, err := r.clone()
			ti.Inner = nil
			if len(v) > 0 {
				ti.Inner = v
			}
			return err
		}
		return r.skip()
	})
}

// Kinds recorded for the fields of TypeProto and the opaque fields of
// AttributeProto, indexed by field number.
var (
	typeKinds       = [...]TypeKind{1: KindTensor, 4: KindSequence, 5: KindMap, 8: KindSparseTensor, 9: KindOptional}
	opaqueAttrKinds = [...]AttrType{14: AttrTypeProto, 15: AttrTypeProtos, 22: AttrSparseTensor, 23: AttrSparseTensors}
)

func (d *decoder) tensorType(b []byte, ti *TypeInfo) error {
	return d.fields(b, tensorTypeFields[:], func(r *reader) error {
		switch r.num {
		case 1:
			var et int32
			err := r.int32(&et)
			ti.Elem = DataType(et)
			return err
		case 2:
			ti.HasShape = true
			if ti.Shape == nil {
				ti.Shape = []Dim{}
			}
			return r.message(nil, func(v []byte) error { return d.shape(v, ti) })
		}
		return r.skip()
	})
}

func (d *decoder) shape(b []byte, ti *TypeInfo) error {
	return d.fields(b, shapeFields[:], func(r *reader) error {
		if r.num != 1 {
			return r.skip()
		}
		if err := d.charge(dimSize); err != nil {
			return err
		}
		ti.Shape = append(ti.Shape, Dim{})
		dim := &ti.Shape[len(ti.Shape)-1]
		return r.message(index(len(ti.Shape)-1), func(v []byte) error {
			return d.fields(v, dimFields[:], func(r *reader) error {
				switch r.num {
				case 1:
					*dim = Dim{Known: true}
					return r.int64(&dim.Value)
				case 2:
					*dim = Dim{}
					err := r.string(&dim.Param)
					dim.Known = dim.Param != ""
					return err
				}
				return r.skip()
			})
		})
	})
}
