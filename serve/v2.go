package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// The metadata and readiness answers of the protocol.
type (
	serverMetadata struct {
		Name       string   `json:"name"`
		Version    string   `json:"version"`
		Extensions []string `json:"extensions"`
	}
	modelMetadata struct {
		Name     string           `json:"name"`
		Versions []string         `json:"versions"`
		Platform string           `json:"platform"`
		Inputs   []tensorMetadata `json:"inputs"`
		Outputs  []tensorMetadata `json:"outputs"`
	}
	tensorMetadata struct {
		Name     string `json:"name"`
		Datatype string `json:"datatype"`
		// Shape has -1 for a symbolic or unknown dimension; it is null
		// when the model declares no shape (any rank).
		Shape []int64 `json:"shape"`
	}
	modelReady struct {
		Name  string `json:"name"`
		Ready bool   `json:"ready"`
	}
)

// headerLength is the binary tensor data extension's header: the length of
// the JSON object that begins a body followed by binary tensor data.
const headerLength = "Inference-Header-Content-Length"

// metadata describes m's inputs and outputs.
func (m *model) metadata() modelMetadata {
	describe := func(ios []runtime.IOInfo) []tensorMetadata {
		out := make([]tensorMetadata, len(ios))
		for i, io := range ios {
			out[i] = tensorMetadata{Name: io.Name, Datatype: datatypeName(io.Type), Shape: io.Dims}
		}
		return out
	}
	return modelMetadata{Name: m.name, Versions: []string{"1"}, Platform: "onnx_onnxv1",
		Inputs: describe(m.inputs), Outputs: describe(m.outputs)}
}

// infer answers POST /v2/models/NAME/infer.
func (s *Server) infer(w http.ResponseWriter, r *http.Request, m *model) error {
	jsonLen := -1
	if h := r.Header.Get(headerLength); h != "" {
		n, err := strconv.Atoi(strings.TrimSpace(h))
		if err != nil || n < 0 {
			return statusf(http.StatusBadRequest, "%s %q is not a byte count", headerLength, h)
		}
		jsonLen = n
	}
	var answer []byte
	binLen := -1
	err := s.withSession(w, r, m, func(sess *runtime.Session, body []byte) (err error) {
		answer, binLen, err = runInfer(r.Context(), m, sess, body, jsonLen)
		return err
	})
	if err != nil {
		return err
	}
	contentType := "application/json"
	if binLen >= 0 {
		contentType = "application/octet-stream"
		w.Header().Set(headerLength, strconv.Itoa(len(answer)-binLen))
	}
	writeBody(w, http.StatusOK, contentType, answer)
	return nil
}

// runInfer decodes a request body and runs it on sess, and encodes the
// answer while the outputs, which live in the session, are valid. binLen
// is the length of the binary data at the end of the answer, or -1 when
// it is JSON only.
func runInfer(ctx context.Context, m *model, sess *runtime.Session, body []byte, jsonLen int) (answer []byte, binLen int, err error) {
	req, err := decodeRequest(body, jsonLen, m)
	if err != nil {
		return nil, 0, err
	}
	outs, err := sess.Run(ctx, req.inputs)
	if err != nil {
		m.ran(err)
		return nil, 0, fmt.Errorf("model %s: %w", m.name, err)
	}
	answer, binLen = encodeResponse(m, req, outs)
	return answer, binLen, nil
}

// encodeResponse writes the inference answer: the JSON object, then the
// outputs asked for in binary, whose total length binLen is (-1 when none
// is).
func encodeResponse(m *model, req *inferRequest, outs []*ops.Tensor) (b []byte, binLen int) {
	size, binLen := 256, -1
	for _, o := range req.outputs {
		if t := outs[o.index]; o.binary {
			size += 64 + len(t.Data)
		} else {
			size += 64 + 12*t.Len() // a guess: append grows it when short
		}
	}
	b = make([]byte, 0, size)
	b = append(b, `{"model_name":`...)
	b = appendString(b, m.name)
	b = append(b, `,"model_version":"1"`...)
	if req.id != nil {
		b = append(b, `,"id":`...)
		b = appendString(b, *req.id)
	}
	b = append(b, `,"outputs":[`...)
	for i, o := range req.outputs {
		t := outs[o.index]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = appendString(b, m.outputs[o.index].Name)
		b = append(b, `,"datatype":`...)
		b = appendString(b, datatypeName(t.Type))
		b = append(b, `,"shape":[`...)
		for j, d := range t.Shape {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(d), 10)
		}
		b = append(b, ']')
		if o.binary {
			b = append(b, `,"parameters":{"binary_data_size":`...)
			b = strconv.AppendInt(b, int64(len(t.Data)), 10)
			b = append(b, '}')
			binLen = max(binLen, 0) + len(t.Data)
		} else {
			b = append(b, `,"data":`...)
			b = appendData(b, t)
		}
		b = append(b, '}')
	}
	b = append(b, "]}"...)
	for _, o := range req.outputs {
		if o.binary {
			b = append(b, outs[o.index].Data...)
		}
	}
	return b, binLen
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}
