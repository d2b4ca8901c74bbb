package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/classify"
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// cliIn runs the command in-process with stdin and returns its exit code and output.
func cliIn(t *testing.T, stdin []byte, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runIO(args, bytes.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// jsonLines decodes each line of out as a JSON object.
func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var recs []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not a JSON line: %q: %v", l, err)
		}
		recs = append(recs, m)
	}
	return recs
}

func keys(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	slices.Sort(k)
	return k
}

// tinyModelFile writes the hostile suite's 10-class classifier, changed by f.
func tinyModelFile(t *testing.T, f func(*onnx.Model)) string {
	m := tinyClassifier()
	if f != nil {
		f(m)
	}
	path := filepath.Join(t.TempDir(), "tiny.onnx")
	if err := os.WriteFile(path, marshal(t, m), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// nanScores makes the classifier's scores NaN (logits times NaN, no softmax).
func nanScores(m *onnx.Model) {
	g := m.Graph
	g.Initializer = append(g.Initializer, ops.ToProto(ops.FromF32([]float32{float32(math.NaN())}, 1), "nan", onnx.Float))
	last := g.Nodes[len(g.Nodes)-1]
	last.OpType, last.Name, last.Inputs = "Mul", "/nan", []string{"l", "nan"}
}

const sample = "sample/chelsea.jpg"

// TestBuiltInModel: without a MODEL.onnx the built-in SqueezeNet runs; "-"
// reads the image from standard input.
func TestBuiltInModel(t *testing.T) {
	photo, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errs := cliIn(t, photo, "-json", "-k", "3", sample, "-")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", out)
	}
	var res [2]classify.Result
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &res[i]); err != nil {
			t.Fatal(err)
		}
		if r := res[i]; len(r.Top) != 3 || r.Top[0].Index != 285 || r.Preset != "caffe" || !strings.Contains(r.Model, "built-in") {
			t.Errorf("line %d: %+v", i, r)
		}
	}
	if res[0].Image != sample || res[1].Image != "-" || !reflect.DeepEqual(res[0].Top, res[1].Top) {
		t.Errorf("file and stdin differ: %+v / %+v", res[0], res[1])
	}
	// Twice "-" is refused: standard input holds one image.
	if code, _, errs := cliIn(t, photo, "-", "-"); code != 2 || !strings.Contains(errs, "standard input") {
		t.Errorf("- twice: exit %d, %q", code, errs)
	}
	// Bad bytes on standard input name "-".
	if code, _, errs := cliIn(t, []byte("junk"), "-"); code != 2 || !strings.HasPrefix(errs, "edgeinfer: preprocess: -: ") {
		t.Errorf("junk on stdin: exit %d, %q", code, errs)
	}
}

// TestFolderAndBatch: a folder means its images, sorted; a bad image in a
// batch is reported (an error record with -json) and the rest still run;
// the exit code is then 1.
func TestFolderAndBatch(t *testing.T) {
	model := tinyModelFile(t, nil)
	photo, _ := os.ReadFile(sample)
	dir := t.TempDir()
	for name, b := range map[string][]byte{"b.JPG": photo, "a.jpg": photo, "c.jpg": []byte("not a jpeg"), "notes.txt": []byte("x")} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "sub", "d.jpg"), photo, 0o644)

	code, out, errs := cli(t, "-json", "-threads", "1", model, dir, sample)
	if code != 1 || errs != "edgeinfer: 1 of 4 images failed\n" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	recs := jsonLines(t, out)
	var images []string
	for _, r := range recs {
		images = append(images, r["image"].(string))
	}
	want := []string{filepath.Join(dir, "a.jpg"), filepath.Join(dir, "b.JPG"), filepath.Join(dir, "c.jpg"), sample}
	if !slices.Equal(images, want) {
		t.Errorf("images %q, want %q", images, want)
	}
	if k := keys(recs[2]); !slices.Equal(k, []string{"error", "image"}) || !strings.Contains(recs[2]["error"].(string), "c.jpg: unknown image format") {
		t.Errorf("error record %v", recs[2])
	}
	if k := keys(recs[0]); !slices.Equal(k, []string{"image", "model", "ms", "preset", "top"}) {
		t.Errorf("result keys %v", k)
	}
	// Without -json: the tables, and a line on stderr per bad image.
	code, out, errs = cli(t, "-threads", "1", model, dir)
	if code != 1 || strings.Count(out, "(preset torchvision;") != 2 ||
		!strings.HasPrefix(errs, "edgeinfer: preprocess: "+filepath.Join(dir, "c.jpg")+": unknown image format (want ") ||
		!strings.HasSuffix(errs, ")\nedgeinfer: 1 of 3 images failed\n") || strings.Count(errs, "\n") != 2 {
		t.Errorf("exit %d, out %q, stderr %q", code, out, errs)
	}
}

// TestNaNScoresJSON: NaN scores print as valid JSON with null scores and
// an error; the exit code says it failed.
func TestNaNScoresJSON(t *testing.T) {
	model := tinyModelFile(t, nanScores)
	code, out, errs := cli(t, "-json", "-k", "2", model, sample)
	if code != 2 || !strings.Contains(errs, "scores are not finite") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	recs := jsonLines(t, out)
	if len(recs) != 1 || !strings.Contains(out, `"score":null`) || recs[0]["error"] == nil {
		t.Errorf("JSON %q", out)
	}
	code, out, errs = cli(t, "-json", model, sample, sample)
	if code != 1 || len(jsonLines(t, out)) != 2 || errs != "edgeinfer: 2 of 2 images failed\n" {
		t.Errorf("two images: exit %d, out %q, stderr %q", code, out, errs)
	}
	code, out, _ = cli(t, model, sample)
	if code != 2 || !strings.Contains(out, "NaN") {
		t.Errorf("table: exit %d, out %q", code, out)
	}
}

func TestLabelsMismatch(t *testing.T) {
	model := tinyModelFile(t, nil)
	labels := filepath.Join(t.TempDir(), "three.txt")
	os.WriteFile(labels, []byte("cat\ndog\nbird\n"), 0o644)
	code, _, errs := cli(t, "-labels", labels, model, sample)
	if code != 2 || !strings.Contains(errs, "three.txt has 3 labels") || !strings.Contains(errs, "has 10 classes") || strings.Count(errs, "\n") != 1 {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	// The same for the built-in model's 1000 classes.
	if code, _, errs := cli(t, "-labels", labels, sample); code != 2 || !strings.Contains(errs, "has 1000 classes") {
		t.Errorf("built-in: exit %d, stderr %q", code, errs)
	}
}

func TestKClamped(t *testing.T) {
	model := tinyModelFile(t, nil)
	code, out, errs := cli(t, "-k", "25", model, sample, sample)
	if code != 0 || errs != "edgeinfer: -k 25 is more than the model's 10 classes: showing 10\n" {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
	if n := strings.Count(out, "\n"); n != 2*(1+10) {
		t.Errorf("%d lines, want 2 tables of 10 rows:\n%s", n, out)
	}
}

// TestHelp: every command's -h lists its own flags with their defaults on
// stdout and exits 0.
func TestHelp(t *testing.T) {
	for name, flags := range map[string][]string{
		"":        {"-k int", "(default 5)", "-labels string", "-preset string", `(default "auto")`, "-json", "-threads int"},
		"demo":    {"-threads int"},
		"inspect": {"-json", "-shape value"},
		"test":    {"-rtol float", "-atol float", "-v"},
		"bench":   {"-runs int", "(default 20)", "-warmup int", "(default 3)", "-shape value"},
		"gen":     {"-o string", "-seed uint", "(default 1)", "-batch int"},
		"quantize": {"-calib string", "-calib-random N", "-method string", `(default "minmax")`, "-per-channel", "-exclude string",
			"-percentile float", "(default 99.999)", "-bins int", "(default 2048)", "-o string", "-json", "-worst int"},
		"ops":     nil,
		"version": nil,
	} {
		args := []string{"-h"}
		if name != "" {
			args = []string{name, "-h"}
		}
		code, out, errs := cli(t, args...)
		if code != 0 || errs != "" || !strings.HasPrefix(out, "usage: edgeinfer "+name) {
			t.Errorf("%q: exit %d, stderr %q, out %q", args, code, errs, out)
		}
		for _, f := range flags {
			if !strings.Contains(out, f) {
				t.Errorf("%q: help lacks %q:\n%s", args, f, out)
			}
		}
		if name != "" && name != "quantize" && strings.Contains(out, "-preset") {
			t.Errorf("%q: help shows the classification flags:\n%s", args, out)
		}
	}
	code, out, _ := cli(t, "help")
	if code != 0 || !strings.Contains(out, "edgeinfer version") || !strings.Contains(out, "edgeinfer inspect") {
		t.Errorf("help: exit %d, %q", code, out)
	}
	if code, out, _ := cli(t, "help", "bench"); code != 0 || !strings.HasPrefix(out, "usage: edgeinfer bench") {
		t.Errorf("help bench: exit %d, %q", code, out)
	}
}

// TestOnePrefix: errors, whichever command and flag they come from, carry
// one "edgeinfer: " prefix.
func TestOnePrefix(t *testing.T) {
	for _, args := range [][]string{
		{"-nosuchflag"}, {"inspect", "-x"}, {"bench", "-runs", "x"}, {"-preset", "nope", sample},
		{"version", "extra"}, {"ops", "extra"}, {"demo", "extra"}, {"nosuch.onnx", sample}, {},
	} {
		code, _, errs := cli(t, args...)
		if code != 2 || !strings.HasPrefix(errs, "edgeinfer: ") || strings.Count(errs, "edgeinfer:") != 1 && !strings.Contains(errs, "usage:") {
			t.Errorf("%q: exit %d, stderr %q", args, code, errs)
		}
		if strings.Contains(errs, "edgeinfer: edgeinfer") {
			t.Errorf("%q: doubled prefix: %q", args, errs)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, errs := cli(t, "version")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, %q", code, errs)
	}
	for _, want := range []string{"edgeinfer ", "go        go1.", "platform  ", "sgemm     "} {
		if !strings.Contains(out, want) {
			t.Errorf("version lacks %q:\n%s", want, out)
		}
	}
	k := ops.GEMMKernel()
	if fam, _, _ := strings.Cut(k, " "); !slices.Contains([]string{"avx512", "avx2", "neon", "generic"}, fam) || !strings.Contains(out, "sgemm     "+k+"\n") {
		t.Errorf("kernel %q, version says:\n%s", k, out)
	}
}
