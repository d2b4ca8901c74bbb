package serve

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// inferReply is an inference answer's JSON, its elements kept as written
// (json.Number, bool or nil).
type inferReply struct {
	ModelName    string  `json:"model_name"`
	ModelVersion string  `json:"model_version"`
	ID           *string `json:"id"`
	Outputs      []struct {
		Name       string
		Datatype   string
		Shape      []int
		Parameters map[string]any
		Data       []any
	}
}

func parseInfer(t testing.TB, r reply) inferReply {
	t.Helper()
	if r.code != http.StatusOK {
		t.Fatalf("status %d: %s", r.code, r.errorText())
	}
	body := r.body
	if h := r.header.Get(headerLength); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil || n > len(body) {
			t.Fatalf("%s %q for %d bytes", headerLength, h, len(body))
		}
		body = body[:n]
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var ir inferReply
	if err := dec.Decode(&ir); err != nil {
		t.Fatalf("answer %.200s: %v", body, err)
	}
	return ir
}

// float32s reads JSON numbers as float32 (exactly: strconv parses to the
// nearest float32).
func float32s(t testing.TB, data []any) []float32 {
	t.Helper()
	out := make([]float32, len(data))
	for i, v := range data {
		n, ok := v.(json.Number)
		if !ok {
			t.Fatalf("element %d is %v, not a number", i, v)
		}
		f, err := strconv.ParseFloat(string(n), 32)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = float32(f)
	}
	return out
}

// nest reshapes flat data into nested arrays of shape dims.
func nest(flat []float32, dims ...int) any {
	if len(dims) == 1 {
		return flat
	}
	step := len(flat) / dims[0]
	out := make([]any, dims[0])
	for i := range out {
		out[i] = nest(flat[i*step:(i+1)*step], dims[1:]...)
	}
	return out
}

// TestInferSqueezeNetBitForBit: v2 inference on the built-in SqueezeNet,
// with the input flat, nested and in binary, and the output in JSON and in
// binary, gives Model.Run's output bit for bit.
func TestInferSqueezeNetBitForBit(t *testing.T) {
	m := loadSqueezeNet(t)
	_, base := start(t, Options{Sessions: 2}, Model{Name: "squeezenet", Model: m})
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, 3*224*224)
	for i := range x {
		x[i] = rng.Float32()*255 - 128
	}
	outs, err := m.Run(ctx, []*ops.Tensor{ops.FromF32(x, 1, 3, 224, 224)})
	if err != nil {
		t.Fatal(err)
	}
	want := outs[0].F32()
	url := base + "/v2/models/squeezenet/infer"
	check := func(how string, ir inferReply, got []float32) {
		t.Helper()
		if ir.ModelName != "squeezenet" || ir.ModelVersion != "1" || len(ir.Outputs) != 1 {
			t.Fatalf("%s: answer %+v", how, ir)
		}
		o := ir.Outputs[0]
		if o.Name != "softmaxout_1" || o.Datatype != "FP32" || !slices.Equal(o.Shape, []int{1, 1000, 1, 1}) {
			t.Errorf("%s: output %s %s %v", how, o.Name, o.Datatype, o.Shape)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d elements, want %d", how, len(got), len(want))
		}
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%s: element %d is %v, Model.Run gives %v", how, i, got[i], want[i])
			}
		}
	}
	for _, tc := range []struct {
		how  string
		data any
	}{{"flat", x}, {"nested", nest(x, 1, 3, 224, 224)}} {
		ir := parseInfer(t, postJSON(t, url, map[string]any{"id": "req-" + tc.how,
			"inputs": []any{map[string]any{"name": "data_0", "shape": []int{1, 3, 224, 224}, "datatype": "FP32", "data": tc.data}}}))
		if ir.ID == nil || *ir.ID != "req-"+tc.how {
			t.Errorf("%s: id %v not echoed", tc.how, ir.ID)
		}
		check(tc.how, ir, float32s(t, ir.Outputs[0].Data))
	}

	// Binary in and out: the JSON header, then the raw little-endian floats.
	head, err := json.Marshal(map[string]any{
		"inputs":     []any{map[string]any{"name": "data_0", "shape": []int{1, 3, 224, 224}, "datatype": "FP32", "parameters": map[string]any{"binary_data_size": 4 * len(x)}}},
		"parameters": map[string]any{"binary_data_output": true}})
	if err != nil {
		t.Fatal(err)
	}
	body := binary.LittleEndian.AppendUint32(nil, 0)[:0]
	body = append(body, head...)
	for _, v := range x {
		body = binary.LittleEndian.AppendUint32(body, math.Float32bits(v))
	}
	r := do(t, http.MethodPost, url, http.Header{headerLength: {strconv.Itoa(len(head))}, "Content-Type": {"application/octet-stream"}}, body)
	ir := parseInfer(t, r)
	if ct := r.header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("binary answer's Content-Type %q", ct)
	}
	n, _ := strconv.Atoi(r.header.Get(headerLength))
	if ir.Outputs[0].Data != nil || fmt.Sprint(ir.Outputs[0].Parameters["binary_data_size"]) != "4000" || len(r.body)-n != 4000 {
		t.Fatalf("binary answer: header %d of %d bytes, output %+v", n, len(r.body), ir.Outputs[0])
	}
	got := make([]float32, 1000)
	for i := range got {
		got[i] = math.Float32frombits(binary.LittleEndian.Uint32(r.body[n+4*i:]))
	}
	check("binary", ir, got)
}

// typesRequest is an inference request for typesModel giving every input
// its data in JSON (nested for every other type), with N = 2.
func typesRequest() map[string]any {
	inputs := []any{}
	for i, c := range typeCases {
		data := json.RawMessage(c.in)
		if i%2 == 1 {
			e := strings.Split(strings.Trim(c.in, "[]"), ",")
			data = json.RawMessage(fmt.Sprintf("[[%s,%s],\n [%s,%s]]", e[0], e[1], e[2], e[3]))
		}
		inputs = append(inputs, map[string]any{"name": "in_" + c.name, "datatype": c.name, "shape": []int{2, 2}, "data": data})
	}
	inputs = append(inputs, map[string]any{"name": "in_BOOL", "datatype": "BOOL", "shape": []int{3}, "data": json.RawMessage("[true,false,true]")})
	return map[string]any{"inputs": inputs}
}

// typeCases are each numeric type's input data (flat, 2x2) and the JSON of
// its Abs, exactly as the answer must write it: extreme values, integers
// written as floats, FP16 and BF16 rounding.
var typeCases = []struct{ name, in, out string }{
	{"UINT8", "[0,255,7,1]", "[0,255,7,1]"},
	{"UINT16", "[0,65535,7,1]", "[0,65535,7,1]"},
	{"UINT32", "[0,4294967295,7.0,1e1]", "[0,4294967295,7,10]"},
	{"UINT64", "[0,18446744073709551615,-0,1]", "[0,18446744073709551615,0,1]"},
	{"INT8", "[-128,127,-5,0]", "[-128,127,5,0]"},
	{"INT16", "[-32768,32767,-5,3]", "[-32768,32767,5,3]"},
	{"INT32", "[-2147483648,2147483647,-5.0,-1E2]", "[-2147483648,2147483647,5,100]"},
	{"INT64", "[-9223372036854775807,9223372036854775807,-5,3]", "[9223372036854775807,9223372036854775807,5,3]"},
	{"FP16", "[-65504,0.5,-0.1,6e-8]", "[65504,0.5,0.099975586,5.9604645e-08]"},
	{"BF16", "[-1.5,3e38,-0.1,1]", "[1.5,3.0040553e+38,0.100097656,1]"},
	{"FP32", "[-3.4028235e38,1e-45,-0.1,3]", "[3.4028235e+38,1e-45,0.1,3]"},
	{"FP64", "[-1.7976931348623157e308,5e-324,-0.1,3]", "[1.7976931348623157e+308,5e-324,0.1,3]"},
}

// TestInferTypes: every datatype goes through in JSON, flat and nested,
// and comes back written exactly; FP32 data feed an FP16 input; some
// inputs and outputs go in binary; "outputs" selects and orders.
func TestInferTypes(t *testing.T) {
	_, base := start(t, Options{}, Model{Name: "types", Model: typesModel(t)})
	url := base + "/v2/models/types/infer"
	r := postJSON(t, url, typesRequest())
	if r.code != http.StatusOK {
		t.Fatalf("status %d: %s", r.code, r.errorText())
	}
	var raw struct {
		Outputs []struct {
			Name, Datatype string
			Shape          []int
			Data           json.RawMessage
		}
	}
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw.Outputs) != len(typeCases)+1 {
		t.Fatalf("%d outputs", len(raw.Outputs))
	}
	for i, c := range typeCases {
		o := raw.Outputs[i]
		if o.Name != "abs_"+c.name || o.Datatype != c.name || !slices.Equal(o.Shape, []int{2, 2}) || string(o.Data) != c.out {
			t.Errorf("%s: output %s %s %v %s, want data %s", c.name, o.Name, o.Datatype, o.Shape, o.Data, c.out)
		}
	}
	if o := raw.Outputs[len(typeCases)]; o.Name != "not_BOOL" || o.Datatype != "BOOL" || string(o.Data) != "[false,true,false]" {
		t.Errorf("BOOL: output %s %s %s", o.Name, o.Datatype, o.Data)
	}

	// FP32 data for the FP16 input; INT64 and BOOL in binary; outputs
	// selected and reordered, two of them in binary.
	req := typesRequest()
	inputs := req["inputs"].([]any)
	fp16 := inputs[8].(map[string]any)
	fp16["datatype"], fp16["data"] = "FP32", json.RawMessage("[1,-2,3,-4.5]")
	i64 := inputs[7].(map[string]any)
	delete(i64, "data")
	i64["parameters"] = map[string]any{"binary_data_size": 32}
	boolIn := inputs[len(inputs)-1].(map[string]any)
	delete(boolIn, "data")
	boolIn["parameters"] = map[string]any{"binary_data_size": 3}
	req["outputs"] = []any{
		map[string]any{"name": "not_BOOL", "parameters": map[string]any{"binary_data": true}},
		map[string]any{"name": "abs_FP16"},
		map[string]any{"name": "abs_INT64", "parameters": map[string]any{"binary_data": true, "unknown_parameter": "ignored"}},
	}
	head, _ := json.Marshal(req)
	body := append([]byte(nil), head...)
	for _, v := range []int64{-5, math.MinInt64 + 1, 7, -1} {
		body = binary.LittleEndian.AppendUint64(body, uint64(v))
	}
	body = append(body, 0, 1, 1)
	r = do(t, http.MethodPost, url, http.Header{headerLength: {strconv.Itoa(len(head))}}, body)
	ir := parseInfer(t, r)
	n, _ := strconv.Atoi(r.header.Get(headerLength))
	var names []string
	for _, o := range ir.Outputs {
		names = append(names, o.Name)
	}
	if !slices.Equal(names, []string{"not_BOOL", "abs_FP16", "abs_INT64"}) {
		t.Fatalf("outputs %v", names)
	}
	if o := ir.Outputs[1]; o.Datatype != "FP16" || fmt.Sprint(o.Data) != "[1 2 3 4.5]" {
		t.Errorf("FP32 data into the FP16 input: %s %v", o.Datatype, o.Data)
	}
	bin := r.body[n:]
	want := []byte{1, 0, 0}
	for _, v := range []int64{5, math.MaxInt64, 7, 1} {
		want = binary.LittleEndian.AppendUint64(want, uint64(v))
	}
	if !bytes.Equal(bin, want) {
		t.Errorf("binary outputs % x, want % x", bin, want)
	}
}

// TestMetadata: server and model metadata, readiness and versions.
func TestMetadata(t *testing.T) {
	s, base := start(t, Options{Version: "v9.9.9"}, Model{Name: "types", Model: typesModel(t)})
	for _, tc := range []struct {
		path string
		code int
		want string
	}{
		{"/v2/health/live", 200, `{"live":true}`},
		{"/v2/health/ready", 200, `{"ready":true}`},
		{"/v2", 200, `{"name":"edgeinfer","version":"v9.9.9","extensions":["binary_tensor_data"]}`},
		{"/v2/models/types/ready", 200, `{"name":"types","ready":true}`},
		{"/v2/models/types/versions/1/ready", 200, `{"name":"types","ready":true}`},
		{"/v2/models/types/versions/2/ready", 404, `{"error":"model \"types\" has no version \"2\" (its one version is \"1\")"}`},
		{"/v2/models/nope/ready", 404, `{"error":"model \"nope\" not found (serving types)"}`},
	} {
		if r := get(t, base+tc.path); r.code != tc.code || string(r.body) != tc.want || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("GET %s: %d %s (%s), want %d %s", tc.path, r.code, r.body, r.header.Get("Content-Type"), tc.code, tc.want)
		}
	}
	for _, path := range []string{"/v2/models/types", "/v2/models/types/versions/1"} {
		r := get(t, base+path)
		var md modelMetadata
		if err := json.Unmarshal(r.body, &md); err != nil || r.code != 200 {
			t.Fatalf("GET %s: %d %s", path, r.code, r.body)
		}
		if md.Name != "types" || md.Platform != "onnx_onnxv1" || !slices.Equal(md.Versions, []string{"1"}) ||
			len(md.Inputs) != 13 || len(md.Outputs) != 13 {
			t.Fatalf("GET %s: %s", path, r.body)
		}
		if in := md.Inputs[8]; in.Name != "in_FP16" || in.Datatype != "FP16" || !slices.Equal(in.Shape, []int64{-1, 2}) {
			t.Errorf("input 8: %+v", in)
		}
		if out := md.Outputs[12]; out.Name != "not_BOOL" || out.Datatype != "BOOL" || !slices.Equal(out.Shape, []int64{3}) {
			t.Errorf("output 12: %+v", out)
		}
	}
	// Draining: not ready, and model requests refused with 503.
	s.Drain()
	for _, path := range []string{"/v2/health/ready", "/v2/models/types/ready"} {
		if r := get(t, base+path); r.code != http.StatusServiceUnavailable || !strings.Contains(string(r.body), `"ready":false`) {
			t.Errorf("draining: GET %s: %d %s", path, r.code, r.body)
		}
	}
	if r := postJSON(t, base+"/v2/models/types/infer", typesRequest()); r.code != http.StatusServiceUnavailable ||
		r.header.Get("Retry-After") == "" || !strings.Contains(r.errorText(), "shutting down") {
		t.Errorf("draining: infer: %d %s (Retry-After %q)", r.code, r.body, r.header.Get("Retry-After"))
	}
	if r := get(t, base+"/v2/health/live"); r.code != 200 {
		t.Errorf("draining: live: %d", r.code)
	}
}

// TestInferBadRequests: each kind of bad request is a 400 whose error says
// what is wrong.
func TestInferBadRequests(t *testing.T) {
	_, base := start(t, Options{}, Model{Name: "types", Model: typesModel(t)})
	url := base + "/v2/models/types/infer"
	input := func(req map[string]any, name string) map[string]any {
		for _, in := range req["inputs"].([]any) {
			if m := in.(map[string]any); m["name"] == name {
				return m
			}
		}
		panic(name)
	}
	setData := func(name, data string) func(map[string]any) {
		return func(r map[string]any) { input(r, name)["data"] = json.RawMessage(data) }
	}
	for _, tc := range []struct {
		name   string
		edit   func(map[string]any)
		body   string // instead of the edited request
		header http.Header
		want   string
	}{
		{name: "not JSON", body: `{"inputs": [`, want: "not valid JSON"},
		{name: "wrong JSON type", body: `{"inputs": {"name": "x"}}`, want: "request JSON: inputs is object; want an array"},
		{name: "shape of strings", edit: func(r map[string]any) { input(r, "in_FP32")["shape"] = []string{"2", "2"} }, want: "inputs.shape is string; want an integer"},
		{name: "no inputs", body: `{"id": "1"}`, want: `request has no inputs; model types takes "in_UINT8"`},
		{name: "unknown input", edit: func(r map[string]any) { input(r, "in_FP32")["name"] = "x" }, want: `model types has no input "x"`},
		{name: "missing input", edit: func(r map[string]any) { r["inputs"] = r["inputs"].([]any)[1:] }, want: `input "in_UINT8" is missing`},
		{name: "input twice", edit: func(r map[string]any) { r["inputs"] = append(r["inputs"].([]any), input(r, "in_INT8")) }, want: `input "in_INT8" is given twice`},
		{name: "unknown datatype", edit: func(r map[string]any) { input(r, "in_FP32")["datatype"] = "FLOAT" }, want: `input "in_FP32": unknown datatype "FLOAT" (want one of BOOL, UINT8`},
		{name: "wrong datatype", edit: func(r map[string]any) { input(r, "in_INT64")["datatype"] = "INT32" }, want: `input "in_INT64": datatype INT32, but the model takes INT64`},
		{name: "no shape", edit: func(r map[string]any) { delete(input(r, "in_FP32"), "shape") }, want: `input "in_FP32" has no shape`},
		{name: "negative dimension", edit: func(r map[string]any) { input(r, "in_FP32")["shape"] = []int{-1, 2} }, want: "dimension 0 of shape [-1 2] is -1"},
		{name: "huge shape", edit: func(r map[string]any) { input(r, "in_FP32")["shape"] = []int{1 << 20, 1 << 20} }, want: "dimension 0 of shape [1048576 1048576] is 1048576; want 0 to"},
		{name: "no data", edit: func(r map[string]any) { delete(input(r, "in_FP32"), "data") }, want: `input "in_FP32" has no data`},
		{name: "too few elements", edit: setData("in_FP32", "[1,2,3]"), want: "shape [2 2] needs 4 elements; its 7 bytes of data cannot hold them"},
		{name: "fewer elements", edit: setData("in_FP32", "[1.5,2.5,3.5]"), want: "data: 3 elements, but shape [2 2] has 4"},
		{name: "more elements", edit: setData("in_FP32", "[1,2,3,4,5]"), want: "data: more than 4 elements"},
		{name: "nested wrongly", edit: setData("in_FP32", "[[1,2,3],[4]]"), want: "an array at depth 1 holds more than 2 elements, but dimension 1 of shape [2 2] is 2"},
		{name: "nested too short", edit: setData("in_FP32", "[[1,2],[4.5]]"), want: "an array at depth 1 holds 1 elements, but dimension 1 of shape [2 2] is 2"},
		{name: "nested, then flat", edit: setData("in_FP32", "[[1,2],3,4]"), want: "element 2: want an array nested as shape [2 2] (or flat data), got \"3,4]\""},
		{name: "flat, then nested", edit: setData("in_FP32", "[1,[2],3,4]"), want: "element 1: an array; FP32 data are numbers"},
		{name: "data not an array", edit: setData("in_FP32", `{"a": [1, 2, 3, 4]}`), want: `data: want an array, got "{`},
		{name: "string element", edit: setData("in_FP32", `[1,"2",3,4]`), want: "element 1: a string; FP32 data are numbers"},
		{name: "null element", edit: setData("in_FP32", `[1,2,null,4]`), want: `element 2: "null" is not a number`},
		{name: "bool for a number", edit: setData("in_INT32", `[1,2,true,4]`), want: `element 2: "true" is not a number`},
		{name: "number for a bool", edit: setData("in_BOOL", `[1,0,1]`), want: `element 0: "1" is not true or false`},
		{name: "fraction for an integer", edit: setData("in_INT16", `[1,2.5,3,4]`), want: `element 1: "2.5" is not an integer`},
		{name: "INT8 out of range", edit: setData("in_INT8", `[1,2,128,4]`), want: `element 2: "128" is out of range for INT8`},
		{name: "UINT8 negative", edit: setData("in_UINT8", `[1,-1,3,4]`), want: `element 1: "-1" is out of range for UINT8`},
		{name: "UINT64 too big", edit: setData("in_UINT64", `[1,18446744073709551616,3,4]`), want: `"18446744073709551616" is out of range for UINT64`},
		{name: "INT64 as a huge float", edit: setData("in_INT64", `[1,1e19,3,4]`), want: `element 1: "1e19" is out of range for INT64`},
		{name: "FP32 out of range", edit: setData("in_FP32", `[1,1e39,3,4]`), want: `element 1: "1e39" is out of range for FP32`},
		{name: "FP16 out of range", edit: setData("in_FP16", `[1,65520,3,4]`), want: `element 1: "65520" is out of range for FP16`},
		{name: "binary size wrong", edit: func(r map[string]any) {
			in := input(r, "in_FP32")
			delete(in, "data")
			in["parameters"] = map[string]any{"binary_data_size": 12}
		}, want: `input "in_FP32": binary_data_size is 12 bytes; shape [2 2] of FP32 takes 16`},
		{name: "binary data missing", edit: func(r map[string]any) {
			in := input(r, "in_FP32")
			delete(in, "data")
			in["parameters"] = map[string]any{"binary_data_size": 16}
		}, want: "binary_data_size is 16 bytes, but only 0 bytes of binary data are left"},
		{name: "binary and data", edit: func(r map[string]any) {
			input(r, "in_FP32")["parameters"] = map[string]any{"binary_data_size": 16}
		}, want: `input "in_FP32" has both data and binary_data_size`},
		{name: "bad header length", body: `{}`, header: http.Header{headerLength: {"many"}}, want: `Inference-Header-Content-Length "many" is not a byte count`},
		{name: "header length past the body", body: `{}`, header: http.Header{headerLength: {"99"}}, want: "Inference-Header-Content-Length 99 is over the body's 2 bytes"},
		{name: "parameter object", edit: func(r map[string]any) { r["parameters"] = map[string]any{"x": map[string]any{}} }, want: `request: parameter "x" is an object; a parameter is a string, a number or a boolean`},
		{name: "classification", edit: func(r map[string]any) {
			r["outputs"] = []any{map[string]any{"name": "abs_FP32", "parameters": map[string]any{"classification": 3}}}
		}, want: `output "abs_FP32": parameter "classification" is not supported (Triton's classification extension`},
		{name: "binary_data not a bool", edit: func(r map[string]any) {
			r["outputs"] = []any{map[string]any{"name": "abs_FP32", "parameters": map[string]any{"binary_data": "yes"}}}
		}, want: `output "abs_FP32": parameter "binary_data" is a string; want true or false`},
		{name: "unknown output", edit: func(r map[string]any) { r["outputs"] = []any{map[string]any{"name": "y"}} }, want: `model types has no output "y" (its outputs: "abs_UINT8"`},
		{name: "output twice", edit: func(r map[string]any) {
			r["outputs"] = []any{map[string]any{"name": "not_BOOL"}, map[string]any{"name": "not_BOOL"}}
		}, want: `output "not_BOOL" is requested twice`},
		{name: "wrong rank (the runtime's InputError)", edit: func(r map[string]any) {
			in := input(r, "in_FP32")
			in["shape"], in["data"] = []int{4}, json.RawMessage("[1,2,3,4]")
		}, want: "in_FP32"},
		{name: "fixed dimension differs (the runtime's InputError)", edit: func(r map[string]any) {
			in := input(r, "in_BOOL")
			in["shape"], in["data"] = []int{2}, json.RawMessage("[true,false]")
		}, want: "in_BOOL"},
	} {
		body := []byte(tc.body)
		if tc.body == "" {
			req := typesRequest()
			tc.edit(req)
			var err error
			if body, err = json.Marshal(req); err != nil {
				t.Fatal(err)
			}
		}
		r := do(t, http.MethodPost, url, tc.header, body)
		if r.code != http.StatusBadRequest || !strings.Contains(r.errorText(), tc.want) {
			t.Errorf("%s: %d %s\nwant 400 with %q", tc.name, r.code, r.body, tc.want)
		}
	}
}

// TestDatatypes: the protocol names round-trip, and every type the
// runtime computes has one.
func TestDatatypes(t *testing.T) {
	for dt := onnx.DataType(0); dt < 30; dt++ {
		name := datatypeName(dt)
		back, ok := parseDatatype(name)
		if ops.Supported(dt) && (!ok || back != dt) {
			t.Errorf("%s: name %q reads back as %v, %v", ops.TypeName(dt), name, back, ok)
		}
	}
}
