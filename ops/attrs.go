package ops

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// Attrs reads a node's attributes with type checking. Each getter returns the
// default when the attribute is absent and records an error when it is present
// with the wrong type; Err reports the first such error.
type Attrs struct {
	n   *onnx.Node
	err error
}

// AttrsOf wraps n's attributes.
func AttrsOf(n *onnx.Node) *Attrs { return &Attrs{n: n} }

// Err is the first type error met, naming the attribute.
func (a *Attrs) Err() error { return a.err }

func (a *Attrs) get(name string, want onnx.AttrType) *onnx.Attribute {
	for _, at := range a.n.Attrs {
		if at.Name != name {
			continue
		}
		if at.Type != want {
			if a.err == nil {
				a.err = fmt.Errorf("attribute %q has type %s, want %s", name, AttrTypeName(at.Type), AttrTypeName(want))
			}
			return nil
		}
		return at
	}
	return nil
}

// Has reports whether the attribute is present.
func (a *Attrs) Has(name string) bool {
	for _, at := range a.n.Attrs {
		if at.Name == name {
			return true
		}
	}
	return false
}

// Int returns an INT attribute.
func (a *Attrs) Int(name string, def int64) int64 {
	if at := a.get(name, onnx.AttrInt); at != nil {
		return at.I
	}
	return def
}

// Float returns a FLOAT attribute.
func (a *Attrs) Float(name string, def float32) float32 {
	if at := a.get(name, onnx.AttrFloat); at != nil {
		return at.F
	}
	return def
}

// String returns a STRING attribute.
func (a *Attrs) String(name, def string) string {
	if at := a.get(name, onnx.AttrString); at != nil {
		return string(at.S)
	}
	return def
}

// Ints returns an INTS attribute (nil when absent).
func (a *Attrs) Ints(name string) []int64 {
	if at := a.get(name, onnx.AttrInts); at != nil {
		return at.Ints
	}
	return nil
}

// Floats returns a FLOATS attribute (nil when absent).
func (a *Attrs) Floats(name string) []float32 {
	if at := a.get(name, onnx.AttrFloats); at != nil {
		return at.Floats
	}
	return nil
}

// Tensor returns a TENSOR attribute (nil when absent).
func (a *Attrs) Tensor(name string) *onnx.Tensor {
	if at := a.get(name, onnx.AttrTensor); at != nil {
		return at.T
	}
	return nil
}

// Graph returns a GRAPH attribute (nil when absent).
func (a *Attrs) Graph(name string) *onnx.Graph {
	if at := a.get(name, onnx.AttrGraph); at != nil {
		return at.G
	}
	return nil
}

// AttrTypeName names an attribute type in messages.
func AttrTypeName(t onnx.AttrType) string {
	names := [...]string{"UNDEFINED", "FLOAT", "INT", "STRING", "TENSOR", "GRAPH", "FLOATS", "INTS", "STRINGS", "TENSORS", "GRAPHS", "SPARSE_TENSOR", "SPARSE_TENSORS", "TYPE_PROTO", "TYPE_PROTOS"}
	if int(t) >= 0 && int(t) < len(names) {
		return names[t]
	}
	return fmt.Sprintf("type%d", int(t))
}
