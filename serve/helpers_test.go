package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/edgeinfer/edgeinfer/models/squeezenet"
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/runtime"
)

var ctx = context.Background()

// quiet is the logger of the tests' servers.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// squeezeNet is the built-in SqueezeNet 1.0, loaded once for the tests.
var squeezeNet = sync.OnceValues(func() (*runtime.Model, error) {
	p, err := squeezenet.Model()
	if err != nil {
		return nil, err
	}
	return runtime.LoadModel(p)
})

func loadSqueezeNet(t testing.TB) *runtime.Model {
	t.Helper()
	m, err := squeezeNet()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// numericTypes are the element types of typesModel's Abs inputs, with their
// protocol names.
var numericTypes = []struct {
	dt   onnx.DataType
	name string
}{
	{onnx.Uint8, "UINT8"}, {onnx.Uint16, "UINT16"}, {onnx.Uint32, "UINT32"}, {onnx.Uint64, "UINT64"},
	{onnx.Int8, "INT8"}, {onnx.Int16, "INT16"}, {onnx.Int32, "INT32"}, {onnx.Int64, "INT64"},
	{onnx.Float16, "FP16"}, {onnx.BFloat16, "BF16"}, {onnx.Float, "FP32"}, {onnx.Double, "FP64"},
}

// typesModel has, for each numeric type, an input in_TYPE of shape [N, 2]
// (N symbolic) and the output abs_TYPE, its Abs; and a BOOL input in_BOOL
// of shape [3] with the output not_BOOL, its Not.
func typesModel(t testing.TB) *runtime.Model {
	t.Helper()
	vi := func(name string, dt onnx.DataType, dims ...onnx.Dim) *onnx.ValueInfo {
		return &onnx.ValueInfo{Name: name, Type: onnx.TypeInfo{Kind: onnx.KindTensor, Elem: dt, HasShape: true, Shape: dims}}
	}
	n, two, three := onnx.Dim{Param: "N", Known: true}, onnx.Dim{Value: 2, Known: true}, onnx.Dim{Value: 3, Known: true}
	g := &onnx.Graph{Name: "types"}
	for _, nt := range numericTypes {
		in, out := "in_"+nt.name, "abs_"+nt.name
		g.Inputs = append(g.Inputs, vi(in, nt.dt, n, two))
		g.Outputs = append(g.Outputs, vi(out, nt.dt, n, two))
		g.Nodes = append(g.Nodes, &onnx.Node{Name: out, OpType: "Abs", Inputs: []string{in}, Outputs: []string{out}})
	}
	g.Inputs = append(g.Inputs, vi("in_BOOL", onnx.Bool, three))
	g.Outputs = append(g.Outputs, vi("not_BOOL", onnx.Bool, three))
	g.Nodes = append(g.Nodes, &onnx.Node{Name: "not", OpType: "Not", Inputs: []string{"in_BOOL"}, Outputs: []string{"not_BOOL"}})
	m, err := runtime.LoadModel(&onnx.Model{IRVersion: 8, OpsetImports: []onnx.OpsetID{{Version: 13}}, Graph: g})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// start serves models with opt on a loopback port until the test ends,
// and returns the server and its base URL.
func start(t *testing.T, opt Options, models ...Model) (*Server, string) {
	t.Helper()
	if opt.Logger == nil {
		opt.Logger = quiet
	}
	s, err := New(models, opt)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Serve(c, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s, "http://" + ln.Addr().String()
}

// reply is an answer read whole.
type reply struct {
	code   int
	header http.Header
	body   []byte
}

// do sends a request and reads the answer.
func do(t testing.TB, method, url string, header http.Header, body []byte) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{res.StatusCode, res.Header, b}
}

func get(t testing.TB, url string) reply { return do(t, http.MethodGet, url, nil, nil) }

func postJSON(t testing.TB, url string, v any) reply {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, http.MethodPost, url, http.Header{"Content-Type": {"application/json"}}, b)
}

// errorText is the "error" of a JSON error answer, or the whole body when
// it is not one.
func (r reply) errorText() string {
	var e struct{ Error string }
	if json.Unmarshal(r.body, &e) != nil || e.Error == "" {
		return string(r.body)
	}
	return e.Error
}

// metric reads the value of one sample of GET /metrics, or -1 when it is
// absent; sample is the metric name with its labels, as written.
func metric(t testing.TB, base, sample string) float64 {
	t.Helper()
	r := get(t, base+"/metrics")
	for _, line := range strings.Split(string(r.body), "\n") {
		if rest, ok := strings.CutPrefix(line, sample+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", line, err)
			}
			return v
		}
	}
	return -1
}

// waitFor polls cond until it holds, failing the test after 10 seconds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
