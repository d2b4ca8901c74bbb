package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
	"github.com/edgeinfer/edgeinfer/quantize"
)

// TestQuantizeSqueezeNet: the built-in SqueezeNet quantized with the
// shared photos as calibration names each photo as the float model does.
func TestQuantizeSqueezeNet(t *testing.T) {
	images := onnxtest.Shared(t, "images")
	out := filepath.Join(t.TempDir(), "squeezenet-int8.onnx")
	code, stdout, errs := cli(t, "quantize", "-calib", images, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"wrote " + out, "QDQ model of the built-in SqueezeNet 1.0", "quantized 26 Conv",
		"top-1 agreement with float: 3 of 3 (100.0%)", "worst layers", "38 layers in all"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if _, table, _ := strings.Cut(stdout, "  node "); strings.Count(table, "Conv+Relu") != 10 {
		t.Errorf("want the 10 worst layers, Conv+Relu ones on SqueezeNet:\n%s", stdout)
	}
	// Not a terminal: one plain line per pass.
	if lines := strings.Split(strings.TrimSpace(errs), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[0], "pass 1/2 ranges     3 samples in ") ||
		!strings.HasPrefix(lines[1], "pass 2/2 evaluation 3 samples in ") {
		t.Errorf("progress on a pipe: %q", errs)
	}
	_, float, _ := cli(t, "-json", "-k", "1", images)
	_, quant, _ := cli(t, "-json", "-k", "1", out, images)
	f, q := jsonLines(t, float), jsonLines(t, quant)
	for i := range f {
		fi, qi := f[i]["top"].([]any)[0].(map[string]any)["index"], q[i]["top"].([]any)[0].(map[string]any)["index"]
		if fi != qi {
			t.Errorf("%s: quantized top class %v, float %v", f[i]["image"], qi, fi)
		}
	}
}

func TestQuantizeCommand(t *testing.T) {
	dir := t.TempDir()
	model := tinyModelFile(t, nil)
	out := filepath.Join(dir, "tiny-int8.onnx")
	code, stdout, errs := cli(t, "quantize", "-calib-random", "3", "-method", "entropy", "-per-channel", "-json", "-threads", "1", model, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("-json: %v: %q", err, stdout)
	}
	for _, k := range []string{"model", "output", "model_bytes", "output_bytes", "method", "per_channel", "quantized", "top1", "outputs", "layers"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("-json lacks %q: %v", k, keys(rep))
		}
	}
	if rep["method"] != "entropy" || rep["per_channel"] != true || rep["samples"] != 3.0 {
		t.Errorf("-json header: %v", rep)
	}
	if !strings.Contains(errs, "pass 3/3 evaluation 3 samples in ") {
		t.Errorf("progress: %q", errs)
	}
	code, stdout, _ = cli(t, "inspect", out)
	if code != 0 || !strings.Contains(stdout, "QuantizeLinear") || !strings.Contains(stdout, "ai.onnx 13") {
		t.Errorf("inspect of the quantized model: exit %d\n%s", code, stdout)
	}
	if code, _, errs := cli(t, "-threads", "1", out, goodImage(t, dir)); code != 0 {
		t.Errorf("classifying with the quantized model: exit %d, %s", code, errs)
	}
	// -o may name the model read: it is replaced whole, after reading.
	code, _, errs = cli(t, "quantize", "-calib-random", "2", "-exclude", "/Gemm", model, "-o", model)
	if code != 0 {
		t.Fatalf("overwriting the model: exit %d, %s", code, errs)
	}
	m, err := onnx.Open(model)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if v, _ := m.Opset(""); v != 13 || !strings.Contains(fmt.Sprint(opsOf(m)), "DequantizeLinear") {
		t.Errorf("model overwritten with %v", opsOf(m))
	}
}

func opsOf(m *onnx.Model) []string {
	var s []string
	for _, n := range m.Graph.Nodes {
		s = append(s, n.OpType)
	}
	return s
}

func TestQuantizeBadInput(t *testing.T) {
	dir := t.TempDir()
	model := tinyModelFile(t, nil)
	out := filepath.Join(dir, "out.onnx")
	empty := t.TempDir()
	broken := t.TempDir()
	goodImage(t, broken)
	if err := os.WriteFile(filepath.Join(broken, "zz.jpg"), []byte("not a JPEG"), 0o644); err != nil {
		t.Fatal(err)
	}
	notCNN := tinyModelFile(t, func(m *onnx.Model) {
		g := m.Graph
		g.Nodes = []*onnx.Node{{Name: "/Relu", OpType: "Relu", Inputs: []string{"data"}, Outputs: []string{"prob"}}}
		g.Initializer = nil
		g.Outputs[0] = vinfo("prob", 1, 3, 16, 16)
	})
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"quantize", "-calib-random", "1", model}, "usage: edgeinfer quantize"},
		{[]string{"quantize", model, "-o", out}, "give calibration images with -calib DIR, or -calib-random N"},
		{[]string{"quantize", "-calib", empty, "-calib-random", "2", model, "-o", out}, "-calib DIR, or -calib-random N"},
		{[]string{"quantize", "-calib", empty, model, "-o", out}, "has no images"},
		{[]string{"quantize", "-calib", filepath.Join(dir, "nope"), model, "-o", out}, "no such file"},
		{[]string{"quantize", "-calib", broken, model, "-o", out}, filepath.Join(broken, "zz.jpg")},
		{[]string{"quantize", "-calib-random", "-2", model, "-o", out}, "at least 1"},
		{[]string{"quantize", "-calib-random", "1", "-method", "kl", model, "-o", out}, `unknown method "kl"`},
		{[]string{"quantize", "-calib-random", "1", "-preset", "bgr", model, "-o", out}, `unknown preset "bgr"`},
		{[]string{"quantize", "-calib-random", "1", "-percentile", "0.5e3", model, "-o", out}, "percentile 500"},
		{[]string{"quantize", "-calib-random", "1", "-exclude", "/Conv, nosuch", model, "-o", out}, `no node "nosuch"`},
		{[]string{"quantize", "-calib-random", "1", notCNN, "-o", out}, "no Conv, Gemm or MatMul"},
		{[]string{"quantize", "-calib-random", "1", filepath.Join(dir, "missing.onnx"), "-o", out}, "missing.onnx"},
		{[]string{"quantize", "-calib-random", "1", model, "-o", filepath.Join(dir, "no", "such", "dir.onnx")}, "no such file"},
	} {
		code, errs := quantizeOutcome(t, strings.Join(c.args, " "), false, c.args...)
		if code != 2 || !strings.Contains(errs, c.want) {
			t.Errorf("%q: exit %d, stderr %q, want 2 and %q", c.args, code, errs, c.want)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed quantize left %s behind", out)
	}
}

// TestQuantizeHostile runs quantize over the hostile models and damaged
// copies of a valid one: each runs or fails with a one-line error, never
// a panic.
func TestQuantizeHostile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.onnx")
	valid := marshal(t, tinyClassifier())
	var models []hostileCase
	for _, c := range hostileModels(t) {
		if c.model != nil && len(c.files) == 0 && len(c.symlinks) == 0 {
			models = append(models, c)
		}
	}
	for n := 0; n < len(valid); n += max(1, len(valid)/40) {
		models = append(models, hostileCase{name: fmt.Sprintf("truncated at %d", n), model: valid[:n]})
	}
	for i := range 40 {
		b := bytes.Clone(valid)
		b[(i*7919)%len(b)] ^= 1 << (i % 8)
		models = append(models, hostileCase{name: fmt.Sprintf("bit flip %d", i), model: b})
	}
	ran := 0
	for _, c := range models {
		path := filepath.Join(dir, "model.onnx")
		if err := os.WriteFile(path, c.model, 0o644); err != nil {
			t.Fatal(err)
		}
		code, _ := quantizeOutcome(t, c.name, strings.Contains(c.want, "panic"), "quantize", "-calib-random", "1", "-threads", "1", path, "-o", out)
		if code == 0 {
			ran++
		}
	}
	t.Logf("%d hostile or damaged models: %d quantized, the others refused cleanly", len(models), ran)
}

// quantizeOutcome runs a quantize command, checking that it ends with exit
// 0, or exit 2 and a last stderr line "edgeinfer: ..." after the progress
// lines, without a panic (unless allowPanic: a test operator's recovered
// panic). It returns the exit code and that last line.
func quantizeOutcome(t *testing.T, label string, allowPanic bool, args ...string) (int, string) {
	t.Helper()
	code, stdout, stderr := cli(t, args...)
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, "pass ") {
			t.Errorf("%s: stderr line %q is neither progress nor the error", label, l)
		}
	}
	switch {
	case code == 0:
	case code != 2:
		t.Errorf("%s: exit %d, want 0 or 2 (stderr %q)", label, code, stderr)
	case !strings.HasPrefix(last, "edgeinfer: "):
		t.Errorf("%s: want a one-line error, got %q", label, stderr)
	}
	if strings.Contains(stderr, "internal error") || !allowPanic && strings.Contains(stderr+stdout, "panic: ") {
		t.Errorf("%s: a panic: %q", label, stderr+stdout)
	}
	return code, last
}

// TestProgressBar: on a terminal the bar is redrawn in place and ends its
// line when the pass does.
func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	bar := &progressBar{w: &b, tty: true}
	for done := range 3 {
		bar.update(quantize.Progress{Pass: "ranges", Index: 1, Passes: 2, Done: done, Total: 2})
	}
	out := b.String()
	if strings.Count(out, "\r") != 3 || !strings.Contains(out, "\rpass 1/2 ranges     ["+strings.Repeat("=", 15)+strings.Repeat(" ", 15)+"] 1/2") ||
		!strings.Contains(out, "["+strings.Repeat("=", 30)+"] 2/2 ") || !strings.HasSuffix(out, " s\n") {
		t.Errorf("bar: %q", out)
	}
}
