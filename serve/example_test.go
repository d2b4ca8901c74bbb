package serve_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/edgeinfer/edgeinfer/models/squeezenet"
	"github.com/edgeinfer/edgeinfer/runtime"
	"github.com/edgeinfer/edgeinfer/serve"
)

// builtIn loads the built-in SqueezeNet 1.0.
func builtIn() *runtime.Model {
	p, err := squeezenet.Model()
	if err != nil {
		log.Fatal(err)
	}
	m, err := runtime.LoadModel(p)
	if err != nil {
		log.Fatal(err)
	}
	return m
}

// A Server is an http.Handler: here under httptest, asked for a model's
// metadata, then for an inference with the Open Inference Protocol's JSON.
func Example() {
	m := builtIn()
	defer m.Close()
	s, err := serve.New([]serve.Model{{Name: "squeezenet", Model: m}}, serve.Options{})
	if err != nil {
		log.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()

	res, err := http.Get(ts.URL + "/v2/models/squeezenet")
	if err != nil {
		log.Fatal(err)
	}
	io.Copy(os.Stdout, res.Body)
	res.Body.Close()
	fmt.Println()

	// A grey image: 0 after Caffe's mean subtraction, everywhere.
	req := `{"id": "grey", "inputs": [{"name": "data_0", "datatype": "FP32", "shape": [1, 3, 224, 224],
		"data": [` + strings.Repeat("0,", 3*224*224-1) + `0]}]}`
	res, err = http.Post(ts.URL+"/v2/models/squeezenet/infer", "application/json", strings.NewReader(req))
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	var answer struct {
		ID      string
		Outputs []struct {
			Name  string
			Shape []int
			Data  []float32
		}
	}
	if err := json.NewDecoder(res.Body).Decode(&answer); err != nil {
		log.Fatal(err)
	}
	out := answer.Outputs[0]
	best := 0
	for i, p := range out.Data {
		if p > out.Data[best] {
			best = i
		}
	}
	fmt.Println(res.StatusCode, answer.ID, out.Name, out.Shape, "best class:", best)
	// Output:
	// {"name":"squeezenet","versions":["1"],"platform":"onnx_onnxv1","inputs":[{"name":"data_0","datatype":"FP32","shape":[1,3,224,224]}],"outputs":[{"name":"softmaxout_1","datatype":"FP32","shape":[1,1000,1,1]}]}
	// 200 grey softmaxout_1 [1 1000 1 1] best class: 111
}

// A daemon serving a model until SIGTERM or SIGINT: Serve stops accepting
// connections, lets the requests in progress finish (Options.Grace), and
// returns; the model is closed after.
func ExampleServer_Serve() {
	m, err := runtime.Load("/var/lib/edgeinfer/resnet50.onnx")
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
	s, err := serve.New([]serve.Model{{Name: "resnet50", Model: m}}, serve.Options{Sessions: 2})
	if err != nil {
		log.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:8080")
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := s.Serve(ctx, ln); err != nil {
		log.Fatal(err)
	}
}

// A Server mounted in a daemon's own mux, beside its other handlers.
func ExampleServer_ServeHTTP() {
	m := builtIn()
	defer m.Close()
	s, err := serve.New([]serve.Model{{Name: "squeezenet", Model: m}}, serve.Options{})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/v2/", s)
	mux.Handle("/v1/models/", s)
	mux.Handle("/metrics", s)
	mux.HandleFunc("/status", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") })

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v2/health/ready", bytes.NewReader(nil)))
	fmt.Println(rec.Code, rec.Body)
	// Output: 200 {"ready":true}
}
