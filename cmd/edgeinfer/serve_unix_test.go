//go:build unix && !noserve

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeSIGTERM runs the built binary serving the built-in model, sends
// it SIGTERM while a request is in progress (its body half sent), and
// checks the listener closes, the request is still answered, and the
// process exits 0.
func TestServeSIGTERM(t *testing.T) {
	dir := t.TempDir()
	bin := buildBinary(t, dir)
	cmd := exec.Command(bin, "serve", "-addr", "127.0.0.1:0", "-grace", "1m")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	logs := bufio.NewScanner(stderr)
	var addr string
	var logged bytes.Buffer
	for addr == "" && logs.Scan() {
		logged.WriteString(logs.Text() + "\n")
		if _, rest, ok := strings.Cut(logs.Text(), " addr="); ok {
			addr, _, _ = strings.Cut(rest, " ")
		}
	}
	if addr == "" {
		t.Fatalf("no address logged:\n%s", logged.String())
	}
	rest := make(chan string)
	go func() {
		var b bytes.Buffer
		for logs.Scan() {
			b.WriteString(logs.Text() + "\n")
		}
		rest <- b.String()
	}()
	base := "http://" + addr
	if res, err := http.Get(base + "/v2/health/ready"); err != nil || res.StatusCode != 200 {
		t.Fatalf("ready: %v %v", res, err)
	}

	body := []byte(`{"id": "in flight", "inputs": [{"name": "data_0", "datatype": "FP32", "shape": [1, 3, 224, 224], "data": [` +
		strings.Repeat("0,", 3*224*224-1) + "0]}]}")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /v2/models/squeezenet/infer HTTP/1.1\r\nHost: edgeinfer\r\nContent-Length: %d\r\n\r\n", len(body))
	half := len(body) / 2
	if _, err := conn.Write(body[:half]); err != nil {
		t.Fatal(err)
	}
	waitForMetric(t, base, `edgeinfer_requests_in_flight{model="squeezenet"} 1`)

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("still accepting connections 20 s after SIGTERM")
		}
	}
	if _, err := conn.Write(body[half:]); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !bytes.Contains(answer, []byte(`"id":"in flight"`)) || !bytes.Contains(answer, []byte(`"name":"softmaxout_1"`)) {
		t.Errorf("the request in flight: %d %.300s", res.StatusCode, answer)
	}
	// Standard error is read to its end (the process exiting closes it)
	// before Wait, which closes the pipe: waiting first could drop the
	// last lines, as os/exec's StderrPipe documents.
	var log string
	select {
	case log = <-rest:
	case <-time.After(30 * time.Second):
		t.Fatal("no exit 30 s after SIGTERM")
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit: %v", err)
	}
	if !strings.Contains(log, "shutting down") || !strings.Contains(log, "msg=stopped") {
		t.Errorf("log:\n%s", log)
	}
}

// waitForMetric polls GET /metrics until a line reads sample.
func waitForMetric(t *testing.T, base, sample string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		res, err := http.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if bytes.Contains(b, []byte("\n"+sample+"\n")) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the metrics:\n%s", sample, b)
		}
	}
}
