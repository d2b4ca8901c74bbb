package serve

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// imageRequest is a v2 request body for SqueezeNet's 1x3x224x224 input:
// JSON data, or binary data after a JSON header of headLen bytes.
func imageRequest(b *testing.B, bin bool) (body []byte, headLen int) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 3*224*224)
	for i := range x {
		x[i] = rng.Float32()*255 - 128
	}
	in := map[string]any{"name": "data_0", "shape": []int{1, 3, 224, 224}, "datatype": "FP32"}
	if !bin {
		in["data"] = x
		body, _ := json.Marshal(map[string]any{"inputs": []any{in}})
		return body, -1
	}
	in["parameters"] = map[string]any{"binary_data_size": 4 * len(x)}
	head, _ := json.Marshal(map[string]any{"inputs": []any{in}})
	body = append([]byte(nil), head...)
	for _, v := range x {
		body = binary.LittleEndian.AppendUint32(body, math.Float32bits(v))
	}
	return body, len(head)
}

// BenchmarkDecodeRequest: the cost of reading an image-sized input tensor
// from a request body, in JSON (about 1.6 MB of text) and in binary.
func BenchmarkDecodeRequest(b *testing.B) {
	s, err := New([]Model{{Name: "squeezenet", Model: loadSqueezeNet(b)}}, Options{Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	m := s.models["squeezenet"]
	for _, bin := range []bool{false, true} {
		name := "json"
		if bin {
			name = "binary"
		}
		b.Run(name, func(b *testing.B) {
			body, headLen := imageRequest(b, bin)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decodeRequest(body, headLen, m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEncodeResponse: the cost of writing SqueezeNet's 1000 scores as
// JSON.
func BenchmarkEncodeResponse(b *testing.B) {
	m := &model{name: "squeezenet", outputs: loadSqueezeNet(b).Outputs()}
	rng := rand.New(rand.NewPCG(3, 4))
	out := ops.New(onnx.Float, 1, 1000, 1, 1)
	for i := range out.F32() {
		out.F32()[i] = rng.Float32() / 1000
	}
	id := "benchmark"
	req := &inferRequest{id: &id, outputs: []requestedOutput{{index: 0}}}
	b.ReportAllocs()
	var n int
	for b.Loop() {
		body, _ := encodeResponse(m, req, []*ops.Tensor{out})
		n = len(body)
	}
	b.ReportMetric(float64(n), "bytes/answer")
}
