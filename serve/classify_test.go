package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/classify"
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// meanModel is a 3-class "classifier" of 8x8 RGB images: the mean of each
// channel, times scale (NaN: NaN scores).
func meanModel(t testing.TB, scale float32) *runtime.Model {
	t.Helper()
	vi := func(name string, dims ...int64) *onnx.ValueInfo {
		ti := onnx.TypeInfo{Kind: onnx.KindTensor, Elem: onnx.Float, HasShape: true, Shape: []onnx.Dim{}}
		for _, d := range dims {
			ti.Shape = append(ti.Shape, onnx.Dim{Value: d, Known: true})
		}
		return &onnx.ValueInfo{Name: name, Type: ti}
	}
	g := &onnx.Graph{Name: "mean",
		Inputs:      []*onnx.ValueInfo{vi("image", 1, 3, 8, 8)},
		Outputs:     []*onnx.ValueInfo{vi("scores", 1, 3)},
		Initializer: []*onnx.Tensor{ops.ToProto(ops.FromF32([]float32{scale}), "scale", onnx.Float)},
		Nodes: []*onnx.Node{
			{Name: "mean", OpType: "ReduceMean", Inputs: []string{"image"}, Outputs: []string{"m"},
				Attrs: []*onnx.Attribute{{Name: "axes", Type: onnx.AttrInts, Ints: []int64{2, 3}}, {Name: "keepdims", Type: onnx.AttrInt, I: 0}}},
			{Name: "scale", OpType: "Mul", Inputs: []string{"m", "scale"}, Outputs: []string{"scores"}},
		}}
	m, err := runtime.LoadModel(&onnx.Model{IRVersion: 8, OpsetImports: []onnx.OpsetID{{Version: 13}}, Graph: g})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// pngOf encodes a w x h image of one colour.
func pngOf(t testing.TB, w, h int, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestClassifyConcurrent: 64 clients at once send chelsea.png and
// coffee.png to the built-in SqueezeNet; every answer is the one the
// classify package gives for the photo (a cat, an espresso), and the
// metrics count them.
func TestClassifyConcurrent(t *testing.T) {
	photos := map[string][]byte{}
	for _, name := range []string{"chelsea.png", "coffee.png"} {
		b, err := os.ReadFile(onnxtest.Shared(t, "images", name))
		if err != nil {
			t.Fatal(err)
		}
		photos[name] = b
	}
	m := loadSqueezeNet(t)
	c, err := classify.New(m, classify.WithName("squeezenet"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for name, b := range photos {
		var res classify.Result
		if err := c.ClassifyReader(ctx, bytes.NewReader(b), name, &res); err != nil {
			t.Fatal(err)
		}
		top, _ := json.Marshal(res.Top)
		want[name] = string(top)
	}
	if top1 := want["chelsea.png"]; !strings.Contains(top1[:40], "cat") {
		t.Fatalf("chelsea.png: %s", top1)
	}
	const sessions, clients = 4, 64
	// No request should give up waiting, however slow the machine (qemu).
	s, base := start(t, Options{Sessions: sessions, Timeout: time.Hour}, Model{Name: "squeezenet", Model: m})
	names := []string{"chelsea.png", "coffee.png"}
	var wg sync.WaitGroup
	var maxWaiting int64
	stop := make(chan struct{})
	go func() { // the deepest queue seen
		for {
			select {
			case <-stop:
				return
			default:
				maxWaiting = max(maxWaiting, s.models["squeezenet"].stats.waiting.Load())
				time.Sleep(time.Millisecond)
			}
		}
	}()
	t0 := time.Now()
	errs := make(chan error, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := names[i%2]
			res, err := http.Post(base+"/v1/models/squeezenet/classify?name="+name, "image/png", bytes.NewReader(photos[name]))
			if err != nil {
				errs <- err
				return
			}
			defer res.Body.Close()
			var got struct {
				Image, Model, Preset string
				Top                  json.RawMessage
				MS                   map[string]float64
			}
			if err := json.NewDecoder(res.Body).Decode(&got); err != nil || res.StatusCode != 200 {
				errs <- fmt.Errorf("client %d: status %d, %v", i, res.StatusCode, err)
				return
			}
			if got.Image != name || got.Model != "squeezenet" || got.Preset != "caffe" || string(got.Top) != want[name] || got.MS["infer"] <= 0 {
				errs <- fmt.Errorf("client %d (%s): %+v\nwant top %s", i, name, got, want[name])
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(t0)
	close(stop)
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d concurrent classify requests, %d sessions: all answered in %v (%.1f per second), at most %d waiting for a session at once",
		clients, sessions, elapsed.Round(time.Millisecond), clients/elapsed.Seconds(), maxWaiting)
	for sample, v := range map[string]float64{
		`edgeinfer_requests_total{model="squeezenet",endpoint="classify",code="200"}`:                 clients,
		`edgeinfer_request_duration_seconds_count{model="squeezenet",endpoint="classify"}`:            clients,
		`edgeinfer_request_duration_seconds_bucket{model="squeezenet",endpoint="classify",le="+Inf"}`: clients,
		`edgeinfer_request_duration_seconds_count{model="squeezenet",endpoint="infer"}`:               0,
		`edgeinfer_requests_in_flight{model="squeezenet"}`:                                            0,
		`edgeinfer_requests_waiting{model="squeezenet"}`:                                              0,
	} {
		if got := metric(t, base, sample); got != v {
			t.Errorf("%s = %v, want %v", sample, got, v)
		}
	}
}

// TestClassifyAnswers: k, the name echoed, and the errors of the
// classify endpoint: a bad image, a bad k, a model that is no classifier,
// NaN scores.
func TestClassifyAnswers(t *testing.T) {
	_, base := start(t, Options{MaxBodyBytes: 10000},
		Model{Name: "mean", Model: meanModel(t, 1)}, Model{Name: "nan", Model: meanModel(t, float32(math.NaN()))},
		Model{Name: "types", Model: typesModel(t)})
	red := pngOf(t, 16, 16, color.RGBA{200, 10, 10, 255})
	post := func(path string, body []byte) reply {
		return do(t, http.MethodPost, base+path, http.Header{"Content-Type": {"image/png"}}, body)
	}
	r := post("/v1/models/mean/classify?k=2&name=red.png", red)
	var res classify.Result
	if err := json.Unmarshal(r.body, &res); err != nil || r.code != 200 {
		t.Fatalf("%d %s", r.code, r.body)
	}
	if res.Image != "red.png" || res.Model != "mean" || len(res.Top) != 2 || res.Top[0].Index != 0 || res.Top[0].Label != "class 0" {
		t.Errorf("k=2: %s", r.body)
	}
	if r := post("/v1/models/mean/classify?k=100", red); r.code != 200 || strings.Count(string(r.body), `"index"`) != 3 {
		t.Errorf("k=100 on 3 classes: %d %s", r.code, r.body)
	}
	if r := post("/v1/models/mean/classify", red); r.code != 200 || !strings.Contains(string(r.body), `"image":""`) {
		t.Errorf("no name: %d %s", r.code, r.body)
	}
	for _, tc := range []struct {
		path string
		body []byte
		code int
		want string
	}{
		{"/v1/models/mean/classify", []byte("hello"), 400, "preprocess: the request body: unknown image format"},
		{"/v1/models/mean/classify?name=cut.png", red[:len(red)/2], 400, "preprocess: cut.png: truncated png file"},
		{"/v1/models/mean/classify", nil, 400, "the request body"},
		{"/v1/models/mean/classify?k=0", red, 400, `k="0": want a number of classes from 1 to 100`},
		{"/v1/models/mean/classify?k=101", red, 400, `k="101": want a number of classes from 1 to 100`},
		{"/v1/models/mean/classify?k=five", red, 400, `k="five"`},
		{"/v1/models/mean/classify", make([]byte, 10001), 413, "request body of 10001 bytes is over the limit of 10000 bytes"},
		{"/v1/models/types/classify", red, 400, "model types cannot classify images: types: model has 13 inputs; an image classifier has one: not an image classifier"},
		{"/v1/models/nan/classify", red, 500, "nan: the request body: scores are not finite (NaN or infinite)"},
	} {
		r := post(tc.path, tc.body)
		if r.code != tc.code || !strings.Contains(r.errorText(), tc.want) {
			t.Errorf("POST %s: %d %s, want %d with %q", tc.path, r.code, r.body, tc.code, tc.want)
		}
	}
	// NaN scores answer the result, with null scores, and the error: the
	// record `edgeinfer -json` prints.
	r = post("/v1/models/nan/classify", red)
	if !strings.Contains(string(r.body), `"score":null`) || !strings.Contains(string(r.body), `"model":"nan"`) {
		t.Errorf("NaN scores: %s", r.body)
	}
}
