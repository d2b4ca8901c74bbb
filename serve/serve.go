// Package serve answers inference requests over HTTP, for daemons that
// mount its http.Handler and for `edgeinfer serve`: the KServe / Triton
// Open Inference Protocol v2 over HTTP/JSON (with the binary tensor data
// extension), an image classification endpoint and Prometheus metrics.
//
//	m, err := runtime.Load("resnet50.onnx")
//	if err != nil { ... }
//	defer m.Close()
//	s, err := serve.New([]serve.Model{{Name: "resnet50", Model: m}}, serve.Options{})
//	if err != nil { ... }
//	err = s.Serve(ctx, listener) // or mount s (an http.Handler) in your own server
//
// # Endpoints
//
// NAME is a model's name. Every model has the one version "1", so
// /versions/1 may follow NAME in the model paths; another version is 404.
//
//	GET  /v2/health/live            {"live":true}
//	GET  /v2/health/ready           {"ready":true}; 503 with false while draining or when a model cannot answer
//	GET  /v2                        {"name":"edgeinfer","version":…,"extensions":["binary_tensor_data"]}
//	GET  /v2/models/NAME            inputs and outputs: name, datatype, shape (-1 for a symbolic dimension)
//	GET  /v2/models/NAME/ready      {"name":NAME,"ready":true}; 503 with false when it cannot answer
//	POST /v2/models/NAME/infer      inference: tensors in, tensors out
//	POST /v1/models/NAME/classify   an image as the body; ?k=5 (1 to MaxTopK) classes
//	POST /v1/models/NAME/detect     an image as the body; ?conf=&iou=&max_det=&agnostic= optional
//	GET  /metrics                   Prometheus text exposition format
//
// # Inference (v2)
//
// A request gives every model input, by name, with its datatype (BOOL,
// UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, BF16,
// FP32, FP64: the model's type, or FP32 for an FP16 or BF16 input), its
// shape and its data: a JSON array of the elements in row-major order,
// either flat or nested as the shape says (numbers, or true and false for
// BOOL; an integer may be written 3.0 or 3e0). An optional "outputs" list
// selects and orders the outputs returned (default: all, in the model's
// order), and an "id" is echoed. The response holds model_name,
// model_version ("1"), the id when one was given, and the outputs with
// name, datatype, shape and flat data. JSON cannot hold NaN or infinities:
// such output elements are null.
//
// Parameters ("parameters" objects of string, number or boolean values,
// allowed on the request, on each input and on each requested output) are
// server-defined by the protocol. These are honoured: the binary tensor
// data extension's binary_data_size (on an input: its data are that many
// raw little-endian bytes after the JSON, which is Inference-Header-Content-Length
// bytes long), binary_data (on an output) and binary_data_output (on the
// request): the outputs asked for in binary follow the JSON response in
// the same way, as Triton's and KServe's clients expect. Triton's
// classification and shared-memory parameters are refused (400), since
// ignoring them would give answers of another form; other parameters are
// ignored.
//
// # Classification
//
// POST /v1/models/NAME/classify takes an image file (JPEG, PNG, GIF, BMP,
// TIFF, WebP, JPEG 2000, PNM: whatever package preprocess decodes) as the
// body and answers the JSON object `edgeinfer -json` prints (see
// classify.Result), with the k best classes; an optional name query
// parameter is echoed as its "image". A model whose inputs and outputs are
// not an image classifier's answers 400 here, and serves v2 requests as
// any other.
//
// # Detection
//
// POST /v1/models/NAME/detect takes an image file in the same way and
// answers the JSON object `edgeinfer detect -json` prints (see
// detect.Result): the boxes, in the photo's pixels, with labels, scores and
// landmarks where the family has them. The optional query parameters conf,
// iou, max_det and agnostic override the detector's thresholds for the
// request, and name is echoed as the result's "image". The model's family
// (YOLO, SSD, RetinaFace, ...) is recognised from its outputs when it is
// loaded, as by package detect; a model that is not a detector answers 400
// here.
//
// # Errors, concurrency and limits
//
// Errors are {"error":"…"} with the status: 400 for a bad request
// (malformed JSON, a wrong datatype, shape or element count, an image that
// does not decode, the runtime's runtime.InputError), 404 for an unknown
// path, model or version, 405 for a wrong method (Allow lists the right
// one), 408 when the body does not arrive within Options.Timeout, 413 for
// a body over Options.MaxBodyBytes (refused from its Content-Length before
// it is read, or as soon as the reading passes the limit), 500 for a
// fault of the server or the model (a panic in a handler is recovered into
// one, and logged), 503 when no session frees up within Options.Timeout,
// while draining, or when the model's file changed on disk (then the model
// reports not ready); a 503 carries Retry-After.
//
// Each model has Options.Sessions sessions. A request takes one before its
// body is read and keeps it until its answer is encoded, which bounds the
// memory of the requests in flight (Sessions x (body + tensors) per model);
// the others wait for one, up to Options.Timeout. Inference runs with the
// request's context, so it stops when the client goes away (net/http
// notices that once the body is read: a client leaving while it waits is
// answered, without a run, when its turn comes). A model answering both v2
// and classify requests keeps the run memory (arena and scratch, see
// runtime.PlanInfo) of up to 2 x Sessions runs: its sessions and the
// classifier's.
//
// # Metrics
//
// GET /metrics gives, per model (model="" for the server's own endpoints),
// endpoint and status code: edgeinfer_requests_total and
// edgeinfer_request_errors_total (status 400 and above); per model and
// endpoint (infer, classify) the latency histogram
// edgeinfer_request_duration_seconds; per model the gauges
// edgeinfer_requests_in_flight and edgeinfer_requests_waiting (for a
// session). Label values are bounded: requests for unknown models or paths
// count under model="" and endpoint="unknown".
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	goruntime "runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edgeinfer/edgeinfer/classify"
	"github.com/edgeinfer/edgeinfer/detect"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// Defaults of the zero Options fields.
const (
	DefaultMaxBodyBytes = 32 << 20
	DefaultTimeout      = 10 * time.Second
	DefaultGrace        = 20 * time.Second
)

// MaxTopK bounds the k of a classify request.
const MaxTopK = 100

// maxSessions bounds Options.Sessions: each session running holds a run's
// memory, so more than this is a mistake.
const maxSessions = 1024

// Options configure a Server. Zero fields take their defaults.
type Options struct {
	// MaxBodyBytes bounds a request body (default DefaultMaxBodyBytes,
	// 32 MiB): a larger one is answered 413.
	MaxBodyBytes int64
	// Sessions is how many requests each model runs at once (default the
	// number of CPUs).
	Sessions int
	// Timeout bounds how long a request waits for a session before a 503
	// (default DefaultTimeout), and, once it has one, how long its body
	// may take to arrive (then 408).
	Timeout time.Duration
	// Grace bounds how long Serve waits for the requests in progress when
	// its context ends (default DefaultGrace); the ones still running then
	// are cancelled.
	Grace time.Duration
	// DecodeThreads is the number of threads an image decoder of the
	// classify endpoint may use (default the number of CPUs). A model's own
	// threads are set when it is loaded (runtime.WithThreads).
	DecodeThreads int
	// Version is the server version GET /v2 reports (default the module
	// version recorded in the binary).
	Version string
	// Logger receives the errors of 500 answers, recovered panics and, from
	// Serve, the start and end of a shutdown (default slog.Default()).
	Logger *slog.Logger
}

// Model is a model to serve under a name.
type Model struct {
	// Name is the model's name in URLs and metrics: non-empty, without
	// "/", unique in a Server.
	Name string
	// Model stays the caller's: the Server neither closes it nor uses it
	// after Serve returns, and it must stay open while the Server handles
	// requests.
	Model *runtime.Model
}

// Server is an http.Handler serving models. Its methods are safe for
// concurrent use.
type Server struct {
	opt      Options
	log      *slog.Logger
	models   map[string]*model
	names    []string // in the order given
	metrics  *metrics
	draining chan struct{} // closed by Drain
	drain    sync.Once
	active   sync.WaitGroup // handlers running, for Serve to wait for after cutting them off
}

// model is one served model and its sessions.
type model struct {
	name     string
	m        *runtime.Model
	inputs   []runtime.IOInfo
	outputs  []runtime.IOInfo
	inIndex  map[string]int
	outIndex map[string]int
	sessions chan *runtime.Session // the free ones
	// classifier runs classify requests, or is nil and notClassifier
	// says why.
	classifier    *classify.Classifier
	notClassifier error
	// detector runs detect requests, or is nil and notDetector says why.
	detector    *detect.Detector
	notDetector error
	// broken is the error that made the model unable to answer (its file
	// changed on disk, or it was closed), or nil.
	broken atomic.Pointer[error]
	stats  *modelStats
}

// New makes a Server of models. Each model gets its sessions, and, when its
// inputs and outputs are an image classifier's, a classify.Classifier.
func New(models []Model, opt Options) (*Server, error) {
	if opt.MaxBodyBytes == 0 {
		opt.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opt.Sessions == 0 {
		opt.Sessions = goruntime.NumCPU()
	}
	if opt.Timeout == 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.Grace == 0 {
		opt.Grace = DefaultGrace
	}
	if opt.DecodeThreads == 0 {
		opt.DecodeThreads = goruntime.NumCPU()
	}
	if opt.Version == "" {
		opt.Version = moduleVersion()
	}
	switch {
	case opt.MaxBodyBytes < 0:
		return nil, fmt.Errorf("serve: MaxBodyBytes %d is negative", opt.MaxBodyBytes)
	case opt.Sessions < 0 || opt.Sessions > maxSessions:
		return nil, fmt.Errorf("serve: Sessions %d: want 1 to %d", opt.Sessions, maxSessions)
	case opt.Timeout < 0 || opt.Grace < 0:
		return nil, fmt.Errorf("serve: Timeout %v and Grace %v must not be negative", opt.Timeout, opt.Grace)
	case opt.DecodeThreads < 0:
		return nil, fmt.Errorf("serve: DecodeThreads %d is negative", opt.DecodeThreads)
	case len(models) == 0:
		return nil, errors.New("serve: no models to serve")
	}
	s := &Server{opt: opt, log: opt.Logger, models: map[string]*model{}, draining: make(chan struct{})}
	if s.log == nil {
		s.log = slog.Default()
	}
	for _, mm := range models {
		switch {
		case mm.Name == "" || strings.Contains(mm.Name, "/"):
			return nil, fmt.Errorf("serve: model name %q: want a non-empty name without /", mm.Name)
		case s.models[mm.Name] != nil:
			return nil, fmt.Errorf("serve: two models named %q", mm.Name)
		case mm.Model == nil:
			return nil, fmt.Errorf("serve: model %q is nil", mm.Name)
		}
		m := &model{name: mm.Name, m: mm.Model, inputs: mm.Model.Inputs(), outputs: mm.Model.Outputs(),
			inIndex: map[string]int{}, outIndex: map[string]int{},
			sessions: make(chan *runtime.Session, opt.Sessions)}
		for i, in := range m.inputs {
			m.inIndex[in.Name] = i
		}
		for i, out := range m.outputs {
			m.outIndex[out.Name] = i
		}
		for range opt.Sessions {
			m.sessions <- mm.Model.NewSession()
		}
		m.classifier, m.notClassifier = classify.New(mm.Model, classify.WithName(mm.Name),
			classify.WithTopK(MaxTopK), classify.WithThreads(opt.DecodeThreads))
		if m.notClassifier != nil { // a model is one or the other
			m.detector, m.notDetector = detect.New(mm.Model, detect.WithName(mm.Name))
		} else {
			m.notDetector = fmt.Errorf("it is an image classifier: %w", detect.ErrNotDetector)
		}
		s.models[mm.Name] = m
		s.names = append(s.names, mm.Name)
	}
	s.metrics = newMetrics(s.names)
	for _, m := range s.models {
		m.stats = s.metrics.models[m.name]
	}
	return s, nil
}

// moduleVersion is the main module's version recorded in the binary.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "unknown"
}

// Drain makes the server refuse new work: from now on requests for a
// model, and those waiting for a session, are answered 503, and readiness
// reports false, so that load balancers send requests elsewhere. Requests
// already running finish. Drain does not close the models. Serve calls it
// when its context ends; a daemon mounting the Server in its own
// http.Server calls it before http.Server.Shutdown.
func (s *Server) Drain() { s.drain.Do(func() { close(s.draining) }) }

func (s *Server) isDraining() bool {
	select {
	case <-s.draining:
		return true
	default:
		return false
	}
}

// Serve answers requests arriving on ln until ctx ends, then stops
// gracefully: it stops accepting connections, drains (see Drain), lets the
// requests in progress finish for up to Options.Grace, cancels those still
// running then, and returns once every handler has returned. It returns
// nil after such a stop, or the error that stopped the listener. The
// models stay open: close them after Serve returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.opt.Timeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down: finishing the requests in progress", "grace", s.opt.Grace)
	s.Drain()
	sctx, cancel := context.WithTimeout(context.Background(), s.opt.Grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		s.log.Warn("grace period over: cancelling the requests still running", "grace", s.opt.Grace)
		srv.Close() // closes the connections, which cancels the requests' contexts
		s.active.Wait()
	}
	<-done // http.ErrServerClosed
	s.log.Info("stopped")
	return nil
}

// endpoint identifies what a request asks for, for routing and metrics.
type endpoint uint8

const (
	epUnknown endpoint = iota
	epLive
	epReady
	epServer
	epModel
	epModelReady
	epInfer
	epClassify
	epDetect
	epMetrics
	numEndpoints
)

var endpointNames = [numEndpoints]string{"unknown", "live", "ready", "server_metadata",
	"model_metadata", "model_ready", "infer", "classify", "detect", "metrics"}

// route finds the endpoint and model of r, or the 404 or 405 error.
func (s *Server) route(r *http.Request) (endpoint, *model, error) {
	path := r.URL.Path
	ep, name, version, method := epUnknown, "", "", http.MethodGet
	switch {
	case path == "/v2":
		ep = epServer
	case path == "/v2/health/live":
		ep = epLive
	case path == "/v2/health/ready":
		ep = epReady
	case path == "/metrics":
		ep = epMetrics
	case strings.HasPrefix(path, "/v1/models/"):
		rest := strings.TrimPrefix(path, "/v1/models/")
		if n, ok := strings.CutSuffix(rest, "/classify"); ok && n != "" && !strings.Contains(n, "/") {
			ep, name, method = epClassify, n, http.MethodPost
		} else if n, ok := strings.CutSuffix(rest, "/detect"); ok && n != "" && !strings.Contains(n, "/") {
			ep, name, method = epDetect, n, http.MethodPost
		}
	case strings.HasPrefix(path, "/v2/models/"):
		parts := strings.Split(strings.TrimPrefix(path, "/v2/models/"), "/")
		name, parts = parts[0], parts[1:]
		if len(parts) >= 2 && parts[0] == "versions" {
			version, parts = parts[1], parts[2:]
		}
		switch {
		case name == "":
		case len(parts) == 0:
			ep = epModel
		case len(parts) == 1 && parts[0] == "ready":
			ep = epModelReady
		case len(parts) == 1 && parts[0] == "infer":
			ep, method = epInfer, http.MethodPost
		}
	}
	if ep == epUnknown {
		return ep, nil, statusf(http.StatusNotFound, "no such endpoint: %s %s (see the package serve documentation for the paths)", r.Method, path)
	}
	var m *model
	if name != "" {
		if m = s.models[name]; m == nil {
			return epUnknown, nil, statusf(http.StatusNotFound, "model %q not found (serving %s)", name, strings.Join(s.names, ", "))
		}
		if version != "" && version != "1" {
			return epUnknown, nil, statusf(http.StatusNotFound, "model %q has no version %q (its one version is \"1\")", name, version)
		}
	}
	if r.Method != method && !(method == http.MethodGet && r.Method == http.MethodHead) {
		return ep, m, &statusError{code: http.StatusMethodNotAllowed, allow: method,
			err: fmt.Errorf("%s %s: method not allowed; use %s", r.Method, path, method)}
	}
	return ep, m, nil
}

// ServeHTTP answers one request. A panic is recovered into a 500 answer
// (when nothing was written yet) and logged with its stack.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.active.Add(1)
	defer s.active.Done()
	start := time.Now()
	rw := &recorder{ResponseWriter: w}
	body := &bodyReader{ReadCloser: r.Body}
	r.Body = body
	ep, m, err := s.route(r)
	if m != nil {
		m.stats.inFlight.Add(1)
		defer m.stats.inFlight.Add(-1)
	}
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.Error("panic serving a request", "method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
			if rw.status == 0 {
				s.answerError(rw, r, body, statusf(http.StatusInternalServerError, "internal error: %v", p))
			}
		}
		s.metrics.count(m, ep, rw.code(), time.Since(start))
	}()
	if err == nil {
		err = s.handle(rw, r, ep, m)
	}
	if err != nil {
		s.answerError(rw, r, body, err)
	}
}

// answerError answers err. A request refused before its body was read
// has the rest of a body of an acceptable size read and dropped, for at
// most a second, first: a client still sending it would otherwise find the
// connection reset under its write and never see the answer. When the body
// is still not read to its end, the connection closes after the answer,
// and what net/http reads of the rest before closing must arrive within a
// second too: otherwise it would wait, with no deadline, for a body the
// client may never send.
func (s *Server) answerError(w http.ResponseWriter, r *http.Request, body *bodyReader, err error) {
	if r.ContentLength != 0 && !body.done {
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(time.Second))
		if r.ContentLength > 0 && r.ContentLength <= s.opt.MaxBodyBytes {
			io.Copy(io.Discard, body) // an error leaves body.done false
		}
		if body.done {
			rc.SetReadDeadline(time.Time{}) // the connection may serve another request
		} else {
			w.Header().Set("Connection", "close")
		}
	}
	s.writeError(w, err)
}

// bodyReader notes whether a request body was read to its end.
type bodyReader struct {
	io.ReadCloser
	done bool
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.done = true
	}
	return n, err
}

// handle runs the endpoint's handler. A handler returns an error when it
// has written nothing yet.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, ep endpoint, m *model) error {
	switch ep {
	case epLive:
		writeJSON(w, http.StatusOK, map[string]bool{"live": true})
	case epReady:
		ready := !s.isDraining()
		for _, m := range s.models {
			ready = ready && m.broken.Load() == nil
		}
		writeJSON(w, readyStatus(ready), map[string]bool{"ready": ready})
	case epServer:
		writeJSON(w, http.StatusOK, serverMetadata{Name: "edgeinfer", Version: s.opt.Version, Extensions: []string{"binary_tensor_data"}})
	case epModel:
		writeJSON(w, http.StatusOK, m.metadata())
	case epModelReady:
		ready := !s.isDraining() && m.broken.Load() == nil
		writeJSON(w, readyStatus(ready), modelReady{Name: m.name, Ready: ready})
	case epMetrics:
		s.metrics.write(w)
	case epInfer:
		return s.infer(w, r, m)
	case epClassify:
		return s.classify(w, r, m)
	case epDetect:
		return s.detect(w, r, m)
	}
	return nil
}

func readyStatus(ready bool) int {
	if ready {
		return http.StatusOK
	}
	return http.StatusServiceUnavailable
}

// recorder remembers the status written through it.
type recorder struct {
	http.ResponseWriter
	status int
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's deadlines.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// code is the status written, 200 when nothing was.
func (w *recorder) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
