package serve

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/detect"
	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// TestDetect: POST /v1/models/NAME/detect answers what the detect package
// finds in the same photo, takes its thresholds from the query, and
// answers 400 for a bad image, bad thresholds or a model that is not a
// detector.
func TestDetect(t *testing.T) {
	path := onnxtest.Shared(t, "models", "wild", "ultraface-rfb-320", "model.onnx")
	photo, err := os.ReadFile(onnxtest.Shared(t, "images", "astronaut.png"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := runtime.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	d, err := detect.New(m)
	if err != nil {
		t.Fatal(err)
	}
	want, err := d.HandleRequest(ctx, photo, map[string][]string{"name": {"astronaut.png"}, "conf": {"0.3"}})
	if err != nil || len(want.Boxes) == 0 {
		t.Fatalf("detect package: %+v, %v; want a face", want, err)
	}
	_, base := start(t, Options{Sessions: 2}, Model{Name: "face", Model: m}, Model{Name: "squeezenet", Model: loadSqueezeNet(t)})

	r := do(t, http.MethodPost, base+"/v1/models/face/detect?name=astronaut.png&conf=0.3", nil, photo)
	var got detect.Result
	if r.code != http.StatusOK || json.Unmarshal(r.body, &got) != nil {
		t.Fatalf("detect: %d %s", r.code, r.body)
	}
	want.Model, want.MS = "face", got.MS // the name it is served under; times differ
	wantJSON, _ := json.Marshal(want)
	gotJSON, _ := json.Marshal(&got)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("detect endpoint:\n%s\nwant what package detect finds:\n%s", gotJSON, wantJSON)
	}

	for _, c := range []struct {
		url  string
		body []byte
		code int
		msg  string
	}{
		{"/v1/models/face/detect?conf=2", photo, http.StatusBadRequest, "conf"},
		{"/v1/models/face/detect?max_det=x", photo, http.StatusBadRequest, "max_det"},
		{"/v1/models/face/detect", []byte("GIF89a broken"), http.StatusBadRequest, "the request body"},
		{"/v1/models/squeezenet/detect", photo, http.StatusBadRequest, "cannot detect"},
		{"/v1/models/face/classify", photo, http.StatusBadRequest, "cannot classify"},
		{"/v1/models/nope/detect", photo, http.StatusNotFound, "nope"},
	} {
		r := do(t, http.MethodPost, base+c.url, nil, c.body)
		if r.code != c.code || !strings.Contains(string(r.body), c.msg) {
			t.Errorf("POST %s: %d %s; want %d naming %q", c.url, r.code, r.body, c.code, c.msg)
		}
	}
	if r := do(t, http.MethodGet, base+"/v1/models/face/detect", nil, nil); r.code != http.StatusMethodNotAllowed {
		t.Errorf("GET detect: %d, want 405", r.code)
	}
	metrics := string(get(t, base+"/metrics").body)
	for _, line := range []string{
		`edgeinfer_requests_total{model="face",endpoint="detect",code="200"} 1`,
		`edgeinfer_request_duration_seconds_count{model="face",endpoint="detect"} 5`,
	} {
		if !strings.Contains(metrics, line) {
			t.Errorf("metrics lack %s:\n%s", line, metrics)
		}
	}
}
