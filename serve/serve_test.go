package serve

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawRequest sends a request's head and the first part of its body on a
// connection of its own, leaving the rest unsent.
func rawRequest(t *testing.T, base, path string, contentLength int, part string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: test\r\nContent-Length: %d\r\n\r\n%s", path, contentLength, part)
	return conn
}

// readReply reads the answer to a rawRequest.
func readReply(t *testing.T, conn net.Conn) reply {
	t.Helper()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
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

// hold sets testHookRead to block every request that takes a session
// (and has read its body) until release is called; held receives a value
// as each one blocks.
func hold(t *testing.T) (held chan struct{}, release func()) {
	held, gate := make(chan struct{}, 100), make(chan struct{})
	testHookRead = func(context.Context) {
		held <- struct{}{}
		<-gate
	}
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(func() { release(); testHookRead = nil })
	return held, release
}

// TestStatusCodes provokes each error status: 404, 405, 408, 413, 503.
func TestStatusCodes(t *testing.T) {
	_, base := start(t, Options{Sessions: 1, Timeout: 300 * time.Millisecond, MaxBodyBytes: 4000},
		Model{Name: "types", Model: typesModel(t)})
	infer := base + "/v2/models/types/infer"
	for _, tc := range []struct {
		method, path string
		code         int
		allow, want  string
	}{
		{"GET", "/nope", 404, "", "no such endpoint: GET /nope"},
		{"GET", "/v2/models/", 404, "", "no such endpoint"},
		{"GET", "/v2/models/types/explain", 404, "", "no such endpoint"},
		{"POST", "/v2/models/other/infer", 404, "", `model "other" not found (serving types)`},
		{"POST", "/v2/models/types/versions/3/infer", 404, "", `model "types" has no version "3"`},
		{"POST", "/v1/models/other/classify", 404, "", `model "other" not found`},
		{"GET", "/v2/models/types/infer", 405, "POST", "GET /v2/models/types/infer: method not allowed; use POST"},
		{"POST", "/v2/health/live", 405, "GET", "method not allowed; use GET"},
		{"DELETE", "/metrics", 405, "GET", "method not allowed; use GET"},
		{"GET", "/v1/models/types/classify", 405, "POST", "use POST"},
	} {
		r := do(t, tc.method, base+tc.path, nil, nil)
		if r.code != tc.code || r.header.Get("Allow") != tc.allow || !strings.Contains(r.errorText(), tc.want) ||
			r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s %s: %d (Allow %q) %s, want %d (Allow %q) with %q", tc.method, tc.path, r.code, r.header.Get("Allow"), r.body, tc.code, tc.allow, tc.want)
		}
	}
	if r := do(t, http.MethodHead, base+"/v2/health/live", nil, nil); r.code != 200 {
		t.Errorf("HEAD /v2/health/live: %d", r.code)
	}

	// 413 from the Content-Length, before any of the body is read: only
	// the head is sent.
	conn := rawRequest(t, base, "/v2/models/types/infer", 5000, "")
	if r := readReply(t, conn); r.code != http.StatusRequestEntityTooLarge || !strings.Contains(r.errorText(), "request body of 5000 bytes is over the limit of 4000 bytes") {
		t.Errorf("Content-Length over the limit: %d %s", r.code, r.body)
	}
	// 413 while reading a body of unknown length (chunked).
	req, _ := http.NewRequest(http.MethodPost, infer, io.MultiReader(strings.NewReader(`{"inputs":[`), strings.NewReader(strings.Repeat(" ", 5000))))
	req.ContentLength = -1
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "request body is over the limit of 4000 bytes") {
		t.Errorf("chunked body over the limit: %d %s", res.StatusCode, b)
	}
	// 408: the body stops arriving.
	conn = rawRequest(t, base, "/v2/models/types/infer", 100, `{"inputs": [`)
	if r := readReply(t, conn); r.code != http.StatusRequestTimeout || !strings.Contains(r.errorText(), "did not arrive within 300ms") {
		t.Errorf("stalled body: %d %s", r.code, r.body)
	}

	// 503: the one session is held; a second request waits 300 ms, then
	// is refused with Retry-After. Once the session is free again,
	// requests succeed.
	held, release := hold(t)
	first := make(chan reply, 1)
	go func() { first <- postJSON(t, infer, typesRequest()) }()
	<-held
	r := postJSON(t, infer, typesRequest())
	if r.code != http.StatusServiceUnavailable || r.header.Get("Retry-After") != "1" ||
		!strings.Contains(r.errorText(), "model types is busy: its 1 sessions stayed taken for 300ms; retry later") {
		t.Errorf("busy: %d (Retry-After %q) %s", r.code, r.header.Get("Retry-After"), r.body)
	}
	release()
	if r := <-first; r.code != http.StatusOK {
		t.Errorf("the request holding the session: %d %s", r.code, r.body)
	}
	if r := postJSON(t, infer, typesRequest()); r.code != http.StatusOK {
		t.Errorf("after the busy spell: %d %s", r.code, r.body)
	}
}

// TestWaitersServedInTurn: with one session, requests arriving together
// wait their turn (within Timeout) and all succeed.
func TestWaitersServedInTurn(t *testing.T) {
	s, base := start(t, Options{Sessions: 1, Timeout: time.Minute}, Model{Name: "types", Model: typesModel(t)})
	held, release := hold(t)
	const n = 8
	replies := make(chan reply, n)
	for range n {
		go func() { replies <- postJSON(t, base+"/v2/models/types/infer", typesRequest()) }()
	}
	<-held
	waitFor(t, "7 requests waiting", func() bool { return s.models["types"].stats.waiting.Load() == n-1 })
	if v := metric(t, base, `edgeinfer_requests_waiting{model="types"}`); v != n-1 {
		t.Errorf("waiting gauge %v, want %d", v, n-1)
	}
	if v := metric(t, base, `edgeinfer_requests_in_flight{model="types"}`); v != n {
		t.Errorf("in-flight gauge %v, want %d", v, n)
	}
	release()
	for range n {
		if r := <-replies; r.code != http.StatusOK {
			t.Errorf("%d %s", r.code, r.body)
		}
	}
	if v := metric(t, base, `edgeinfer_requests_in_flight{model="types"}`); v != 0 {
		t.Errorf("in-flight gauge %v after the answers", v)
	}
}

// TestPanicIs500: a panic in a handler is answered 500 and logged, the
// session it held is given back, and the server goes on answering.
func TestPanicIs500(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))
	_, base := start(t, Options{Sessions: 1, Logger: logger}, Model{Name: "types", Model: typesModel(t)})
	testHookRead = func(context.Context) { panic("bug in a handler") }
	r := postJSON(t, base+"/v2/models/types/infer", typesRequest())
	testHookRead = nil
	if r.code != http.StatusInternalServerError || r.errorText() != "internal error: bug in a handler" {
		t.Errorf("panic: %d %s", r.code, r.body)
	}
	if r := postJSON(t, base+"/v2/models/types/infer", typesRequest()); r.code != http.StatusOK {
		t.Errorf("after the panic: %d %s", r.code, r.body)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "panic serving a request") || !strings.Contains(logs.String(), "bug in a handler") || !strings.Contains(logs.String(), "goroutine") {
		t.Errorf("log: %s", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (w lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(b)
}

// TestClientGone: when the client goes away, the inference is not run:
// the run gets the request's context, cancelled, and the request counts as
// 499. A client that leaves while waiting for the session is answered
// the same way when its turn comes, without a run.
func TestClientGone(t *testing.T) {
	s, base := start(t, Options{Sessions: 1, Timeout: time.Minute}, Model{Name: "types", Model: typesModel(t)})
	body, _ := json.Marshal(typesRequest())
	holding := make(chan struct{}, 2)
	testHookRead = func(ctx context.Context) {
		holding <- struct{}{}
		<-ctx.Done() // the client goes while the request holds the session
	}
	defer func() { testHookRead = nil }()
	send := func() context.CancelFunc {
		c, cancel := context.WithCancel(ctx)
		req, _ := http.NewRequestWithContext(c, http.MethodPost, base+"/v2/models/types/infer", bytes.NewReader(body))
		go http.DefaultClient.Do(req)
		return cancel
	}
	cancel1 := send()
	<-holding
	cancel2 := send()
	waitFor(t, "a request waiting", func() bool { return s.models["types"].stats.waiting.Load() == 1 })
	cancel2()
	cancel1()
	waitFor(t, "two requests counted as 499", func() bool {
		return metric(t, base, `edgeinfer_requests_total{model="types",endpoint="infer",code="499"}`) == 2
	})
	if n := metric(t, base, `edgeinfer_request_duration_seconds_count{model="types",endpoint="infer"}`); n != 2 {
		t.Errorf("latency histogram count %v, want 2", n)
	}
	testHookRead = nil
	if r := postJSON(t, base+"/v2/models/types/infer", typesRequest()); r.code != http.StatusOK {
		t.Errorf("after the clients left: %d %s", r.code, r.body)
	}
}

// TestNew: options and models New refuses.
func TestNew(t *testing.T) {
	m := typesModel(t)
	for _, tc := range []struct {
		models []Model
		opt    Options
		want   string
	}{
		{nil, Options{}, "no models to serve"},
		{[]Model{{Name: "a", Model: m}, {Name: "a", Model: m}}, Options{}, `two models named "a"`},
		{[]Model{{Name: "", Model: m}}, Options{}, `model name ""`},
		{[]Model{{Name: "a/b", Model: m}}, Options{}, `model name "a/b": want a non-empty name without /`},
		{[]Model{{Name: "a"}}, Options{}, `model "a" is nil`},
		{[]Model{{Name: "a", Model: m}}, Options{Sessions: -1}, "Sessions -1: want 1 to 1024"},
		{[]Model{{Name: "a", Model: m}}, Options{Sessions: 5000}, "Sessions 5000: want 1 to 1024"},
		{[]Model{{Name: "a", Model: m}}, Options{MaxBodyBytes: -1}, "MaxBodyBytes -1 is negative"},
		{[]Model{{Name: "a", Model: m}}, Options{Timeout: -time.Second}, "must not be negative"},
	} {
		if _, err := New(tc.models, tc.opt); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("New(%v, %+v): %v, want %q", tc.models, tc.opt, err, tc.want)
		}
	}
}

// TestServeStopsGracefully: when Serve's context ends, a request in
// progress (its body still arriving) finishes and is answered, new
// connections are refused, and Serve returns nil.
func TestServeStopsGracefully(t *testing.T) {
	s, err := New([]Model{{Name: "types", Model: typesModel(t)}}, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	c, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- s.Serve(c, ln) }()
	body, _ := json.Marshal(typesRequest())
	conn := rawRequest(t, base, "/v2/models/types/infer", len(body), string(body[:10]))
	waitFor(t, "the request to start", func() bool { return s.models["types"].stats.inFlight.Load() == 1 })
	cancel()
	waitFor(t, "the listener to close", func() bool {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	if _, err := conn.Write(body[10:]); err != nil {
		t.Fatal(err)
	}
	if r := readReply(t, conn); r.code != http.StatusOK {
		t.Errorf("the request in progress: %d %s", r.code, r.body)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
}

// TestServeCutsOffAfterGrace: a request still running when the grace
// period ends is cancelled, and Serve returns.
func TestServeCutsOffAfterGrace(t *testing.T) {
	s, err := New([]Model{{Name: "types", Model: typesModel(t)}}, Options{Logger: quiet, Grace: 100 * time.Millisecond})
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
	testHookRead = func(ctx context.Context) { <-ctx.Done() } // runs until cancelled
	defer func() { testHookRead = nil }()
	body, _ := json.Marshal(typesRequest())
	go http.Post("http://"+ln.Addr().String()+"/v2/models/types/infer", "application/json", bytes.NewReader(body))
	waitFor(t, "the request to start", func() bool { return s.models["types"].stats.inFlight.Load() == 1 })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after the grace period")
	}
	if n := s.models["types"].stats.inFlight.Load(); n != 0 {
		t.Errorf("%d requests still in flight after Serve returned", n)
	}
}
