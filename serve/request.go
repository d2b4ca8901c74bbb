package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// maxRank bounds the rank of a request's shapes (the runtime's default
// limit is 32).
const maxRank = 64

// inferRequest is a decoded v2 inference request.
type inferRequest struct {
	id      *string
	inputs  []*ops.Tensor     // in the model's input order
	outputs []requestedOutput // in the order to answer
}

// requestedOutput is an output to answer.
type requestedOutput struct {
	index  int  // in the model's outputs
	binary bool // as binary data after the JSON
}

// The request's JSON, as the protocol writes it.
type (
	wireRequest struct {
		ID         *string      `json:"id"`
		Parameters params       `json:"parameters"`
		Inputs     []wireInput  `json:"inputs"`
		Outputs    []wireOutput `json:"outputs"`
	}
	wireInput struct {
		Name       string          `json:"name"`
		Shape      *[]int64        `json:"shape"`
		Datatype   string          `json:"datatype"`
		Parameters params          `json:"parameters"`
		Data       json.RawMessage `json:"data"`
	}
	wireOutput struct {
		Name       string `json:"name"`
		Parameters params `json:"parameters"`
	}
)

// params is a "parameters" object.
type params map[string]any

// unsupportedParams are parameters of Triton extensions this server does
// not implement, which change what the answer holds: ignoring them would
// answer something else than the client expects.
var unsupportedParams = map[string]string{
	"classification":          "Triton's classification extension; POST the image to /v1/models/NAME/classify instead",
	"shared_memory_region":    "Triton's shared memory extension",
	"shared_memory_byte_size": "Triton's shared memory extension",
	"shared_memory_offset":    "Triton's shared memory extension",
}

// check verifies the parameters are strings, numbers or booleans, and
// none this server refuses; where names their owner in errors.
func (p params) check(where string) error {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		switch p[k].(type) {
		case string, float64, bool:
		default:
			return statusf(http.StatusBadRequest, "%s: parameter %q is %s; a parameter is a string, a number or a boolean", where, k, jsonKind(p[k]))
		}
		if why, ok := unsupportedParams[k]; ok {
			return statusf(http.StatusBadRequest, "%s: parameter %q is not supported (%s)", where, k, why)
		}
	}
	return nil
}

// flag reads a boolean parameter (false when absent).
func (p params) flag(name, where string) (bool, error) {
	v, ok := p[name]
	if !ok {
		return false, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, statusf(http.StatusBadRequest, "%s: parameter %q is %s; want true or false", where, name, jsonKind(v))
	}
	return b, nil
}

// size reads a byte-count parameter, and whether it is present.
func (p params) size(name, where string) (int, bool, error) {
	v, ok := p[name]
	if !ok {
		return 0, false, nil
	}
	f, isNum := v.(float64)
	if !isNum || f < 0 || f != float64(int64(f)) || f > float64(maxInt) {
		return 0, true, statusf(http.StatusBadRequest, "%s: parameter %q is %v; want a byte count", where, name, v)
	}
	return int(f), true, nil
}

const maxInt = int(^uint(0) >> 1)

// jsonKind names the JSON type of a value decoded into an any.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

// decodeRequest decodes the body of an inference request for m: the JSON
// object, followed by binary tensor data when jsonLen (the
// Inference-Header-Content-Length) is not negative.
func decodeRequest(body []byte, jsonLen int, m *model) (*inferRequest, error) {
	head, bin := body, []byte(nil)
	if jsonLen >= 0 {
		if jsonLen > len(body) {
			return nil, statusf(http.StatusBadRequest, "Inference-Header-Content-Length %d is over the body's %d bytes", jsonLen, len(body))
		}
		head, bin = body[:jsonLen], body[jsonLen:]
	}
	var wr wireRequest
	if err := json.Unmarshal(head, &wr); err != nil {
		return nil, jsonError(err)
	}
	if err := wr.Parameters.check("request"); err != nil {
		return nil, err
	}
	binaryOut, err := wr.Parameters.flag("binary_data_output", "request")
	if err != nil {
		return nil, err
	}
	if len(wr.Inputs) == 0 {
		return nil, statusf(http.StatusBadRequest, "request has no inputs; model %s takes %s", m.name, ioNames(m.inputs))
	}
	req := &inferRequest{id: wr.ID, inputs: make([]*ops.Tensor, len(m.inputs))}
	for i := range wr.Inputs {
		in := &wr.Inputs[i]
		k, ok := m.inIndex[in.Name]
		switch {
		case !ok:
			return nil, statusf(http.StatusBadRequest, "model %s has no input %q (its inputs: %s)", m.name, in.Name, ioNames(m.inputs))
		case req.inputs[k] != nil:
			return nil, statusf(http.StatusBadRequest, "input %q is given twice", in.Name)
		}
		if req.inputs[k], err = decodeInput(in, m.inputs[k], &bin, len(body)); err != nil {
			return nil, err
		}
	}
	for k, t := range req.inputs {
		if t == nil {
			return nil, statusf(http.StatusBadRequest, "input %q is missing (model %s takes %s)", m.inputs[k].Name, m.name, ioNames(m.inputs))
		}
	}
	if len(bin) > 0 {
		return nil, statusf(http.StatusBadRequest, "%d bytes of binary data after the JSON belong to no input (no binary_data_size claims them)", len(bin))
	}
	if len(wr.Outputs) == 0 {
		for k := range m.outputs {
			req.outputs = append(req.outputs, requestedOutput{index: k, binary: binaryOut})
		}
		return req, nil
	}
	seen := make([]bool, len(m.outputs))
	for _, o := range wr.Outputs {
		k, ok := m.outIndex[o.Name]
		switch {
		case !ok:
			return nil, statusf(http.StatusBadRequest, "model %s has no output %q (its outputs: %s)", m.name, o.Name, ioNames(m.outputs))
		case seen[k]:
			return nil, statusf(http.StatusBadRequest, "output %q is requested twice", o.Name)
		}
		seen[k] = true
		where := fmt.Sprintf("output %q", o.Name)
		if err := o.Parameters.check(where); err != nil {
			return nil, err
		}
		binary := binaryOut
		if _, ok := o.Parameters["binary_data"]; ok {
			if binary, err = o.Parameters.flag("binary_data", where); err != nil {
				return nil, err
			}
		}
		req.outputs = append(req.outputs, requestedOutput{index: k, binary: binary})
	}
	return req, nil
}

// decodeInput makes the tensor of one input: from its JSON data, or from
// the next binary_data_size bytes of bin. bodyLen bounds the shape, since
// every element takes at least a byte of the body.
func decodeInput(in *wireInput, decl runtime.IOInfo, bin *[]byte, bodyLen int) (*ops.Tensor, error) {
	where := fmt.Sprintf("input %q", in.Name)
	if err := in.Parameters.check(where); err != nil {
		return nil, err
	}
	dt, ok := parseDatatype(in.Datatype)
	switch {
	case !ok:
		return nil, statusf(http.StatusBadRequest, "%s: unknown datatype %q (want one of %s)", where, in.Datatype, datatypeList())
	case dt != decl.Type && !(dt == onnx.Float && (decl.Type == onnx.Float16 || decl.Type == onnx.BFloat16)):
		return nil, statusf(http.StatusBadRequest, "%s: datatype %s, but the model takes %s", where, in.Datatype, acceptedDatatypes(decl.Type))
	case in.Shape == nil:
		return nil, statusf(http.StatusBadRequest, "%s has no shape", where)
	}
	shape, n, err := checkShape(*in.Shape, bodyLen)
	if err != nil {
		return nil, statusf(http.StatusBadRequest, "%s: %w", where, err)
	}
	size, binary, err := in.Parameters.size("binary_data_size", where)
	if err != nil {
		return nil, err
	}
	esize := ops.ElemSize(dt)
	if binary {
		switch {
		case in.Data != nil:
			return nil, statusf(http.StatusBadRequest, "%s has both data and binary_data_size", where)
		case int64(size) != int64(n)*int64(esize):
			return nil, statusf(http.StatusBadRequest, "%s: binary_data_size is %d bytes; shape %v of %s takes %d", where, size, shape, in.Datatype, int64(n)*int64(esize))
		case size > len(*bin):
			return nil, statusf(http.StatusBadRequest, "%s: binary_data_size is %d bytes, but only %d bytes of binary data are left in the body", where, size, len(*bin))
		}
		t := ops.New(dt, shape...)
		copy(t.Data, *bin)
		*bin = (*bin)[size:]
		if dt == onnx.Bool {
			for i, b := range t.Data {
				if b > 1 {
					return nil, statusf(http.StatusBadRequest, "%s: binary BOOL element %d is byte %d; want 0 or 1", where, i, b)
				}
			}
		}
		return t, nil
	}
	if in.Data == nil {
		return nil, statusf(http.StatusBadRequest, "%s has no data (nor binary_data_size)", where)
	}
	// A JSON array of n > 0 elements takes at least 2n+1 bytes ("[]",
	// the elements and n-1 commas), so a shorter one cannot fill the
	// shape: refuse it before allocating the tensor.
	if n > 0 && n > (len(in.Data)-1)/2 {
		return nil, statusf(http.StatusBadRequest, "%s: shape %v needs %d elements; its %d bytes of data cannot hold them", where, shape, n, len(in.Data))
	}
	t := ops.New(dt, shape...)
	if err := decodeData(in.Data, t, in.Datatype); err != nil {
		return nil, statusf(http.StatusBadRequest, "%s: %w", where, err)
	}
	return t, nil
}

// checkShape converts a request shape, refusing negative dimensions and
// more elements than a body of bodyLen bytes could hold.
func checkShape(dims []int64, bodyLen int) (shape []int, n int, err error) {
	if len(dims) > maxRank {
		return nil, 0, fmt.Errorf("shape has %d dimensions, over the limit of %d", len(dims), maxRank)
	}
	shape = make([]int, len(dims))
	n = 1
	for i, d := range dims {
		if d < 0 || d > int64(bodyLen) {
			return nil, 0, fmt.Errorf("dimension %d of shape %v is %d; want 0 to %d (the body could hold no more elements)", i, dims, d, bodyLen)
		}
		shape[i] = int(d)
	}
	for _, d := range shape {
		if d != 0 && n > bodyLen/d {
			return nil, 0, fmt.Errorf("shape %v has more elements than the body's %d bytes could hold", dims, bodyLen)
		}
		n *= d
	}
	return shape, n, nil
}

// jsonError describes why the request's JSON did not decode, as a 400.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "request"
		}
		return statusf(http.StatusBadRequest, "request JSON: %s is %s; want %s", field, te.Value, kindName(te.Type))
	case errors.As(err, &se):
		return statusf(http.StatusBadRequest, "request body is not valid JSON (at byte %d): %v", se.Offset, err)
	}
	return statusf(http.StatusBadRequest, "request JSON: %v", err)
}

// kindName names what a Go type of the wire structs holds in JSON terms.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int64:
		return "an integer"
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

// ioNames lists the names of inputs or outputs.
func ioNames(ios []runtime.IOInfo) string {
	names := make([]string, len(ios))
	for i, io := range ios {
		names[i] = fmt.Sprintf("%q", io.Name)
	}
	return strings.Join(names, ", ")
}
