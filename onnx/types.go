// Package onnx reads and writes ONNX ModelProto files.
//
// The reader is built on google.golang.org/protobuf/encoding/protowire and is
// zero-copy: a model opened with Open is memory-mapped, and every tensor's
// raw_data is a sub-slice of the mapping (copied only when its alignment does
// not suit its element type). The types here mirror onnx.proto field by field
// for the parts an inference runtime needs; the writer (Marshal) emits the same
// wire format, so models built in Go round-trip through any ONNX tool.
package onnx

// DataType is TensorProto.DataType.
type DataType int32

// TensorProto.DataType values (onnx.proto).
const (
	Undefined  DataType = 0
	Float      DataType = 1
	Uint8      DataType = 2
	Int8       DataType = 3
	Uint16     DataType = 4
	Int16      DataType = 5
	Int32      DataType = 6
	Int64      DataType = 7
	String     DataType = 8
	Bool       DataType = 9
	Float16    DataType = 10
	Double     DataType = 11
	Uint32     DataType = 12
	Uint64     DataType = 13
	Complex64  DataType = 14
	Complex128 DataType = 15
	BFloat16   DataType = 16
	// Float8 and narrower types (17..26) are recognised but not computed.
	Float8E4M3FN   DataType = 17
	Float8E4M3FNUZ DataType = 18
	Float8E5M2     DataType = 19
	Float8E5M2FNUZ DataType = 20
	Uint4          DataType = 21
	Int4           DataType = 22
	Float4E2M1     DataType = 23
	Float8E8M0     DataType = 24
	Uint2          DataType = 25
	Int2           DataType = 26
)

// AttrType is AttributeProto.AttributeType.
type AttrType int32

// AttributeProto.AttributeType values.
const (
	AttrUndefined     AttrType = 0
	AttrFloat         AttrType = 1
	AttrInt           AttrType = 2
	AttrString        AttrType = 3
	AttrTensor        AttrType = 4
	AttrGraph         AttrType = 5
	AttrFloats        AttrType = 6
	AttrInts          AttrType = 7
	AttrStrings       AttrType = 8
	AttrTensors       AttrType = 9
	AttrGraphs        AttrType = 10
	AttrSparseTensor  AttrType = 11
	AttrSparseTensors AttrType = 12
	AttrTypeProto     AttrType = 13
	AttrTypeProtos    AttrType = 14
)

// Model is ModelProto.
type Model struct {
	IRVersion       int64
	OpsetImports    []OpsetID
	ProducerName    string
	ProducerVersion string
	Domain          string
	ModelVersion    int64
	DocString       string
	Graph           *Graph
	Metadata        []StringEntry

	// Dir is the folder the model was read from; external data resolves inside it.
	Dir string
	// closer releases the memory mapping (nil for in-memory models).
	closer func() error
	// files are the model's mapped files (nil for in-memory models
	// without external data).
	files *extFiles
}

// OpsetID is OperatorSetIdProto.
type OpsetID struct {
	Domain  string // "" or "ai.onnx" is the default domain
	Version int64
}

// StringEntry is StringStringEntryProto.
type StringEntry struct{ Key, Value string }

// Graph is GraphProto.
type Graph struct {
	Name        string
	Nodes       []*Node
	Initializer []*Tensor
	Inputs      []*ValueInfo
	Outputs     []*ValueInfo
	ValueInfo   []*ValueInfo
	DocString   string
}

// Node is NodeProto.
type Node struct {
	Name      string
	OpType    string
	Domain    string
	Inputs    []string // "" marks an omitted optional input
	Outputs   []string
	Attrs     []*Attribute
	DocString string
}

// Attribute is AttributeProto. Only the field matching Type is meaningful.
type Attribute struct {
	Name    string
	Type    AttrType
	F       float32
	I       int64
	S       []byte
	T       *Tensor
	G       *Graph
	Floats  []float32
	Ints    []int64
	Strings [][]byte
	Tensors []*Tensor
	Graphs  []*Graph
	// RefAttrName is set for attributes of function bodies that refer to a caller's attribute.
	RefAttrName string
	// Raw keeps the fields of kinds kept opaque (sparse_tensor, sparse_tensors,
	// tp, type_protos) in wire format, tags included; the writer emits it verbatim.
	Raw []byte
}

// Tensor is TensorProto. Exactly one of the data fields is normally set.
// RawData aliases the model file's memory when the model was opened with Open.
type Tensor struct {
	Name       string
	DataType   DataType
	Dims       []int64
	RawData    []byte
	FloatData  []float32
	Int32Data  []int32 // also int8/uint8/int16/uint16/bool/float16/bfloat16 (one element per value)
	Int64Data  []int64
	DoubleData []float64
	Uint64Data []uint64 // also uint32
	StringData [][]byte
	// External data (data_location == EXTERNAL): key/value pairs such as location, offset, length.
	External  []StringEntry
	DocString string

	// ext caches the mappings of external data files; shared by the tensors of
	// one decoded model and released by Model.Close (nil for standalone tensors).
	ext *extFiles
}

// ValueInfo is ValueInfoProto restricted to tensor types.
type ValueInfo struct {
	Name      string
	Type      TypeInfo
	DocString string
}

// TypeInfo is TypeProto. Kind says which variant the proto held; only tensors
// are computed, other kinds are reported by name.
type TypeInfo struct {
	Kind     TypeKind
	Elem     DataType // tensor element type
	Shape    []Dim    // nil when the shape is unknown (absent), empty for a scalar
	HasShape bool
	// Inner is the encoded body of a sequence, map or optional type, kept
	// opaque so that the writer reproduces it.
	Inner []byte
}

// TypeKind is which member of TypeProto's oneof was set.
type TypeKind int

// TypeProto variants.
const (
	KindUnknown TypeKind = iota
	KindTensor
	KindSequence
	KindMap
	KindOptional
	KindSparseTensor
)

// Dim is one TensorShapeProto.Dimension: a value (>= 0) or a symbolic parameter.
type Dim struct {
	Value int64  // valid when Param == "" and Known
	Param string // symbolic name, e.g. "batch"
	Known bool   // false when neither dim_value nor dim_param was given
}
