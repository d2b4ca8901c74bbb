package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/ops"
)

// TestBenchPrecision checks -precision: bench reports the precision the
// session runs (fp16 only where the CPU has fp16 arithmetic, saying so
// when fp16 was asked for and fp32 runs), and an unknown value is a usage
// error.
func TestBenchPrecision(t *testing.T) {
	model := filepath.Join(sharedDir(t), "models/squeezenet1.0/model.onnx")
	want := "fp32"
	if ops.FP16Arithmetic() {
		want = "fp16"
	}
	code, out, errs := cli(t, "bench", "-runs", "1", "-warmup", "0", "-threads", "1", "-precision", "fp16", "-json", model)
	var r benchResult
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Precision != want {
		t.Fatalf("bench -precision fp16 -json: exit %d, precision %q (want %q), out %q, err %q", code, r.Precision, want, out, errs)
	}
	code, out, errs = cli(t, "bench", "-runs", "1", "-warmup", "0", "-threads", "1", "-precision", "fp16", model)
	line := "precision fp16\n"
	if want == "fp32" {
		line = "precision fp32 (fp16 asked for: this CPU has no fp16 arithmetic)\n"
	}
	if code != 0 || !strings.Contains(out, line) {
		t.Fatalf("bench -precision fp16: exit %d, want %q in out %q (err %q)", code, line, out, errs)
	}
	if code, _, errs := cli(t, "bench", "-precision", "fp8", model); code == 0 || !strings.Contains(errs, "fp8") {
		t.Errorf("bench -precision fp8: exit %d, err %q", code, errs)
	}
}
