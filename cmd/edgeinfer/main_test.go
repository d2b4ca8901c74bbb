package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/classify"
	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
)

// sharedDir is ../shared beside the repository; the test skips when its models are absent.
func sharedDir(t *testing.T) string {
	t.Helper()
	return filepath.Dir(onnxtest.Shared(t, "models"))
}

// cli runs the command in-process and returns its exit code and output.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestClassifySqueezeNet(t *testing.T) {
	sh := sharedDir(t)
	model := filepath.Join(sh, "models/squeezenet1.0/model.onnx")
	code, out, errs := cli(t, "-json", "-k", "3", model, filepath.Join(sh, "images/chelsea.png"), filepath.Join(sh, "images/coffee.png"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 JSON lines, got %q", out)
	}
	var res [2]classify.Result
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &res[i]); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, l)
		}
		if res[i].Preset != "caffe" || len(res[i].Top) != 3 || res[i].Model != model {
			t.Errorf("line %d: %+v", i, res[i])
		}
	}
	if top := res[0].Top[0].Index; top < 281 || top > 285 {
		t.Errorf("chelsea.png: top class %d (%s), want a cat (281-285)", top, res[0].Top[0].Label)
	}
	if top := res[1].Top[0].Index; top != 967 {
		t.Errorf("coffee.png: top class %d (%s), want 967 espresso", top, res[1].Top[0].Label)
	}
	if !strings.Contains(lines[0], `"ms":{"decode":`) || !strings.Contains(lines[0], `"label":"`) {
		t.Errorf("JSON line lacks fields: %s", lines[0])
	}
}

func TestTestCommand(t *testing.T) {
	sh := sharedDir(t)
	code, out, errs := cli(t, "test", filepath.Join(sh, "onnx-node-tests/test_relu"), filepath.Join(sh, "onnx-node-tests/test_identity_sequence"))
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || lines[2] != "1 passed, 0 failed, 1 skipped" {
		t.Fatalf("exit %d, out %q, err %q", code, out, errs)
	}
	if !strings.HasPrefix(lines[0], "PASS test_relu") || !strings.HasPrefix(lines[1], "SKIP test_identity_sequence") {
		t.Errorf("lines: %q", lines)
	}
	// A tolerance no float output can meet makes the float test fail: exit 1.
	code, out, _ = cli(t, "test", "-atol", "0", "-rtol", "0", filepath.Join(sh, "onnx-node-tests/test_softmax_example"))
	if code != 1 || !strings.HasSuffix(strings.TrimSpace(out), "0 passed, 1 failed, 0 skipped") {
		t.Errorf("zero tolerance: exit %d, out %q", code, out)
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.onnx")
	if err := os.WriteFile(junk, []byte("\x0a\xff\xff\xff\xff\x0fnot a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(dir, "broken.png")
	if err := os.WriteFile(img, []byte("\x89PNG\r\n\x1a\nbroken"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"missing.onnx", "x.jpg"},
		{junk, img},
		{"inspect", junk},
		{"bench", "-runs", "1", junk},
		{"test", dir},
		{"gen", "nosuchnet", "-o", filepath.Join(dir, "x.onnx")},
		{"-k", "0", junk, img},
		{"inspect"},
		{"-nosuchflag"},
	} {
		code, out, errs := cli(t, args...)
		if code != 2 {
			t.Errorf("%q: exit %d, want 2 (out %q)", args, code, out)
		}
		if n := strings.Count(strings.TrimRight(errs, "\n"), "\n"); n != 0 || !strings.HasPrefix(errs, "edgeinfer: ") || strings.Contains(errs, "edgeinfer: edgeinfer:") {
			t.Errorf("%q: want a one-line error, got %q", args, errs)
		}
	}
}

func TestBrokenImageNamed(t *testing.T) {
	sh := sharedDir(t)
	img := filepath.Join(t.TempDir(), "broken.png")
	if err := os.WriteFile(img, []byte("\x89PNG\r\n\x1a\nbroken"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := cli(t, filepath.Join(sh, "models/squeezenet1.0/model.onnx"), img)
	if code != 2 || !strings.Contains(errs, "broken.png") {
		t.Errorf("exit %d, stderr %q: want 2 and the file named", code, errs)
	}
}

func TestGenInspectBench(t *testing.T) {
	// The arena bound: ResNet-50's plan shares memory the most (its
	// bottlenecks' wide tensors are short-lived), ResNet-18's less.
	name, maxRatio := "resnet50", 0.25
	if testing.Short() {
		name, maxRatio = "resnet18", 0.40
	}
	path := filepath.Join(t.TempDir(), name+".onnx")
	if code, _, errs := cli(t, "gen", name, "-o", path); code != 0 {
		t.Fatalf("gen: exit %d: %s", code, errs)
	}
	code, out, errs := cli(t, "inspect", "-json", path)
	if code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, errs)
	}
	var in inspection
	if err := json.Unmarshal([]byte(out), &in); err != nil {
		t.Fatal(err)
	}
	if in.ArenaBytes <= 0 || float64(in.ArenaBytes) > maxRatio*float64(in.NaiveBytes) {
		t.Errorf("arena %d bytes, naive %d: want arena <= %.0f%% of naive", in.ArenaBytes, in.NaiveBytes, 100*maxRatio)
	}
	if in.OpHistogram["Conv"] == 0 || in.Params == 0 || in.MACs == 0 || in.ScratchBytes <= 0 {
		t.Errorf("inspect: %+v", in)
	}
	t.Logf("%s: arena %d, naive %d (%.1f%%), MACs %d", name, in.ArenaBytes, in.NaiveBytes, 100*float64(in.ArenaBytes)/float64(in.NaiveBytes), in.MACs)
	code, out, errs = cli(t, "bench", "-runs", "1", "-warmup", "0", "-json", "-threads", "1", "-shape", "1x3x224x224", path)
	if code != 0 || !strings.Contains(out, `"median_ms":`) || !strings.Contains(out, `"scratch_bytes":`) {
		t.Fatalf("bench: exit %d, out %q, err %q", code, out, errs)
	}
}

func TestDemo(t *testing.T) {
	code, out, errs := cli(t, "demo", "-threads", "2")
	if code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errs)
	}
	for _, want := range []string{"SqueezeNet 1.0", "chelsea.jpg", "  1   285  Egyptian cat", "A cat: ", "edgeinfer photo.jpg"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "synthetic") {
		t.Errorf("demo mentions synthetic weights:\n%s", out)
	}
}

// The operator table in docs/operators.md is generated from the registry;
// this keeps it so.
func TestOpsTableDoc(t *testing.T) {
	b, err := os.ReadFile("../../docs/operators.md")
	if err != nil {
		t.Fatal(err)
	}
	var table []string // without the operators tests register in their own "test." domains
	for _, l := range strings.SplitAfter(opsTable(), "\n") {
		if !strings.HasPrefix(l, "| test.") {
			table = append(table, l)
		}
	}
	if !strings.Contains(string(b), strings.Join(table, "")) {
		t.Errorf("docs/operators.md's operator table is stale: regenerate it with scripts/update-ops-table")
	}
}

// TestBenchProfile checks bench -profile's table and JSON: every step
// with its operator, time and share, the convolutions with their
// algorithm, slowest first.
func TestBenchProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resnet18.onnx")
	if code, _, errs := cli(t, "gen", "-batch", "1", "resnet18", "-o", path); code != 0 {
		t.Fatalf("gen: exit %d: %s", code, errs)
	}
	code, out, errs := cli(t, "bench", "-runs", "2", "-warmup", "1", "-threads", "1", "-profile", path)
	if code != 0 || !strings.Contains(out, "\nprofile   2 runs") || !strings.Contains(out, "Conv+Relu") || !strings.Contains(out, "winograd F(4x4,3x3)") {
		t.Fatalf("bench -profile: exit %d, out %q, err %q", code, out, errs)
	}
	code, out, errs = cli(t, "bench", "-runs", "2", "-warmup", "1", "-threads", "1", "-profile", "-json", path)
	var r benchResult
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Profile == nil {
		t.Fatalf("bench -profile -json: exit %d, out %q, err %q", code, out, errs)
	}
	p := r.Profile
	if p.Runs != 2 || len(p.Steps) < 20 || p.RunMS <= 0 {
		t.Fatalf("profile %+v", p)
	}
	share := 0.0
	for i, s := range p.Steps {
		if s.Op == "" || s.MS < 0 || (i > 0 && s.MS > p.Steps[i-1].MS) {
			t.Errorf("step %d: %+v (want an op, slowest first)", i, s)
		}
		if strings.HasPrefix(s.Op, "Conv") && (s.Algorithm == "" || s.GFLOPS <= 0) {
			t.Errorf("step %d: a convolution without algorithm or rate: %+v", i, s)
		}
		share += s.Share
	}
	if share > 1.0001 || share < 0.5 {
		t.Errorf("shares add up to %.3f", share)
	}
}

// buildBinary skips the test in -short mode, else builds the edgeinfer
// binary into dir and returns its path, for tests that run it as a
// subprocess.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and runs it as a subprocess: skipped in -short mode")
	}
	bin := filepath.Join(dir, "edgeinfer")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
