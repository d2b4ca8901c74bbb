package serve

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// FuzzDecodeRequest feeds inference request bodies (with and without a
// binary part) to the decoder of typesModel's requests: it must refuse
// them with a 400 or give tensors that match what the request declared and
// what the body can hold, which the model then runs without a panic.
func FuzzDecodeRequest(f *testing.F) {
	s, err := New([]Model{{Name: "types", Model: typesModel(f)}}, Options{Logger: quiet})
	if err != nil {
		f.Fatal(err)
	}
	m := s.models["types"]
	valid, _ := json.Marshal(typesRequest())
	f.Add(valid, -1)
	f.Add([]byte(`{"inputs":[{"name":"in_BOOL","datatype":"BOOL","shape":[3],"data":[[true],false,1]}]}`), -1)
	f.Add([]byte(`{"id":"x","parameters":{"binary_data_output":true},"outputs":[{"name":"not_BOOL"}],"inputs":[]}`), -1)
	req := typesRequest()
	in := req["inputs"].([]any)[7].(map[string]any)
	delete(in, "data")
	in["parameters"] = map[string]any{"binary_data_size": 32}
	head, _ := json.Marshal(req)
	body := append([]byte(nil), head...)
	for _, v := range []int64{-1, 2, -3, 4} {
		body = binary.LittleEndian.AppendUint64(body, uint64(v))
	}
	f.Add(body, len(head))
	f.Add([]byte(`{"inputs":[{"name":"in_FP32","datatype":"FP32","shape":[1e9,0],"data":[]}]}`), -1)
	f.Fuzz(func(t *testing.T, body []byte, jsonLen int) {
		req, err := decodeRequest(body, jsonLen, m)
		if err != nil {
			if code := statusOf(err); code != http.StatusBadRequest {
				t.Fatalf("status %d for %v", code, err)
			}
			return
		}
		if len(req.inputs) != len(m.inputs) {
			t.Fatalf("%d inputs", len(req.inputs))
		}
		for i, in := range req.inputs {
			decl := m.inputs[i].Type
			if in.Type != decl && !(in.Type == onnx.Float && decl == onnx.Float16) && !(in.Type == onnx.Float && decl == onnx.BFloat16) {
				t.Fatalf("input %d: type %v for %v", i, in.Type, decl)
			}
			n := ops.NumElems(in.Shape)
			if len(in.Data) != n*ops.ElemSize(in.Type) || n > len(body) {
				t.Fatalf("input %d: %d bytes for shape %v from a body of %d", i, len(in.Data), in.Shape, len(body))
			}
		}
		seen := map[int]bool{}
		for _, o := range req.outputs {
			if o.index < 0 || o.index >= len(m.outputs) || seen[o.index] {
				t.Fatalf("outputs %+v", req.outputs)
			}
			seen[o.index] = true
		}
		if _, err := m.m.Run(ctx, req.inputs); errors.Is(err, runtime.ErrPanic) {
			t.Fatalf("run: %v", err)
		}
	})
}

// FuzzDecodeData feeds arbitrary bytes, not only valid JSON, to the data
// scanner for tensors of every type and small shapes: it must fill the
// tensor or refuse, never panic.
func FuzzDecodeData(f *testing.F) {
	f.Add([]byte("[[1,2],[3,4]]"), uint8(10), uint8(2), uint8(2))
	f.Add([]byte("[true, false ,true]"), uint8(12), uint8(3), uint8(1))
	f.Add([]byte("[1e3,-0,3.5E-2,18446744073709551615]"), uint8(3), uint8(4), uint8(1))
	f.Add([]byte(`[[1,"a"],[{},null]] x`), uint8(7), uint8(2), uint8(2))
	f.Fuzz(func(t *testing.T, raw []byte, typ, d0, d1 uint8) {
		dt := datatypes[int(typ)%(len(datatypes)-1)] // every type but BYTES
		shape := []int{int(d0 % 8), int(d1 % 8)}
		tensor := ops.New(dt.dt, shape...)
		if err := decodeData(raw, tensor, dt.name); err == nil && !json.Valid(raw) {
			t.Fatalf("%q accepted as %s%v", raw, dt.name, shape)
		}
	})
}
