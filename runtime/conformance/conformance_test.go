package conformance

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
)

// sharedDir is ../shared beside the repository; the test skips when the node tests are absent.
func sharedDir(t *testing.T) string {
	t.Helper()
	return filepath.Dir(onnxtest.Shared(t, "onnx-node-tests"))
}

// wantSkipped are the node tests that need what edgeinfer does not compute:
// float8/int4/int2/float4 types, sequences and optionals, training outputs.
var wantSkipped = []string{
	"test_dequantizelinear_e4m3fn",
	"test_dequantizelinear_e4m3fn_float16",
	"test_dequantizelinear_e4m3fn_zero_point",
	"test_dequantizelinear_e5m2",
	"test_dequantizelinear_float4e2m1",
	"test_dequantizelinear_int2",
	"test_dequantizelinear_int4",
	"test_dequantizelinear_uint2",
	"test_dequantizelinear_uint4",
	"test_identity_opt",
	"test_identity_sequence",
	"test_quantizelinear_e4m3fn",
	"test_quantizelinear_e5m2",
	"test_quantizelinear_float4e2m1",
	"test_quantizelinear_int2",
	"test_quantizelinear_int4",
	"test_quantizelinear_uint2",
	"test_quantizelinear_uint4",
}

// wantPassed is the exact number of node tests that pass: a regression, or a
// newly passing test, changes it.
const wantPassed = 246

func TestNodeConformance(t *testing.T) {
	shared := sharedDir(t)
	dirs, err := Find([]string{filepath.Join(shared, "onnx-node-tests")})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != 264 {
		t.Fatalf("found %d node tests, want 264", len(dirs))
	}
	var skipped []string
	passed := 0
	for _, d := range dirs {
		r := RunDir(d, DefaultOptions)
		switch r.Status {
		case Pass:
			passed++
		case Skip:
			skipped = append(skipped, r.Name)
			t.Logf("%s", r.Line())
		case Fail:
			t.Errorf("%s", r.Line())
		}
	}
	sort.Strings(skipped)
	if got, want := strings.Join(skipped, " "), strings.Join(wantSkipped, " "); got != want {
		t.Errorf("skipped tests:\n got  %s\n want %s", got, want)
	}
	if passed != wantPassed {
		t.Errorf("%d node tests passed, want exactly %d", passed, wantPassed)
	}
	t.Logf("%d passed, %d skipped of %d", passed, len(skipped), len(dirs))
}

// TestRealModels runs real models from the model zoo and from public
// repositories (../shared/models/wild: detectors, depthwise convolutions,
// int8 in QOperator form, a Paddle export with symbolic dims) against
// their official or ONNX Runtime outputs, at the tolerances their README
// gives.
func TestRealModels(t *testing.T) {
	shared := sharedDir(t)
	wild := Options{RTol: 1e-3, ATol: 1e-4}
	for _, c := range []struct {
		name string
		sets int
		opt  Options
		slow bool // skipped with -short (slow under emulation)
	}{
		{"squeezenet1.0", 3, Options{RTol: 0, ATol: 1e-3}, true},
		{"mnist-12", 4, Options{RTol: 0, ATol: 1e-3}, false},
		{"wild/blazeface-pt", 1, wild, false},
		{"wild/mobilenetv2-12-int8", 1, Options{RTol: 1e-2, ATol: 5e-2}, false},
		{"wild/ppocr-cls", 1, wild, false},
		{"wild/ultraface-rfb-320", 1, wild, false},
		{"wild/yolox-nano", 1, wild, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if testing.Short() && c.slow {
				t.Skipf("skipping %s in -short mode (slow under emulation)", c.name)
			}
			r := RunDir(filepath.Join(shared, "models", c.name), c.opt)
			if r.Status != Pass || r.Sets != c.sets {
				t.Fatalf("%s (%d sets run, want %d)", r.Line(), r.Sets, c.sets)
			}
			t.Logf("%s", r.Line())
		})
	}
}

// writeTest writes m as a test folder's model.onnx and returns the folder.
func writeTest(t *testing.T, m *onnx.Model) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "test_case")
	if err := os.MkdirAll(filepath.Join(dir, "test_data_set_0"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := onnx.WriteFile(filepath.Join(dir, "model.onnx"), m); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A model of a domain edgeinfer does not compute is skipped, naming the
// domain; one of an unknown domain, or also broken otherwise, fails, on
// one line.
func TestDomainSkips(t *testing.T) {
	model := func(domain string, extra ...*onnx.Node) *onnx.Model {
		vi := func(name string) *onnx.ValueInfo {
			return &onnx.ValueInfo{Name: name, Type: onnx.TypeInfo{Kind: onnx.KindTensor, Elem: onnx.Float, HasShape: true, Shape: []onnx.Dim{{Value: 3, Known: true}}}}
		}
		return &onnx.Model{
			IRVersion: 8, OpsetImports: []onnx.OpsetID{{Domain: domain, Version: 1}},
			Graph: &onnx.Graph{
				Nodes:   append([]*onnx.Node{{Name: "bin", OpType: "Binarizer", Domain: domain, Inputs: []string{"x"}, Outputs: []string{"y"}}}, extra...),
				Inputs:  []*onnx.ValueInfo{vi("x")},
				Outputs: []*onnx.ValueInfo{vi("y")},
			},
		}
	}
	ghost := &onnx.Node{Name: "dangling", OpType: "Binarizer", Domain: "ai.onnx.ml", Inputs: []string{"ghost"}, Outputs: []string{"z"}}
	for _, c := range []struct {
		m    *onnx.Model
		want string
	}{
		{model("ai.onnx.ml"), `SKIP test_case: unsupported domain ai.onnx.ml (operators Binarizer at node "bin")`},
		{model("com.example"), `FAIL test_case: unsupported operators: Binarizer (domain "com.example", opset 1) at node "bin"`},
		{model("ai.onnx.ml", ghost), `FAIL test_case: invalid model: Binarizer "dangling": input "ghost" is not a graph input, an initializer or any node's output; unsupported domain ai.onnx.ml (operators Binarizer at nodes "bin", "dangling")`},
	} {
		if got := RunDir(writeTest(t, c.m), DefaultOptions).Line(); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
	}
}

// wantPassedAll is the exact number of the 1,765 official node tests that
// pass: every test that is not skipped for a reason listed in
// testdata/skipped.tsv.
const wantPassedAll = 1535

// TestAllNodeTests runs every official ONNX node test (ONNX 1.22.0, in
// ../shared/onnx-node-tests-all). None may fail, and the skipped ones must
// be exactly those of testdata/skipped.tsv, each for its listed reason: an
// unsupported type (string, sequence, optional, the 8-, 4- and 2-bit types)
// or an unsupported domain (ai.onnx.ml, ai.onnx.preview.training).
func TestAllNodeTests(t *testing.T) {
	shared := sharedDir(t)
	dirs, err := Find([]string{filepath.Join(shared, "onnx-node-tests-all")})
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != 1765 {
		t.Fatalf("found %d node tests, want 1765", len(dirs))
	}
	want := readSkipList(t)
	passed, skipped := 0, map[string]bool{}
	for _, d := range dirs {
		r := RunDir(d, DefaultOptions)
		switch r.Status {
		case Pass:
			passed++
		case Skip:
			skipped[r.Name] = true
			key, listed := want[r.Name]
			if !listed {
				t.Errorf("%s: skipped but not in testdata/skipped.tsv", r.Line())
			} else if !skipReasonMatches(key, r.Reason) {
				t.Errorf("%s: skipped, but testdata/skipped.tsv gives the reason %q", r.Line(), key)
			}
		case Fail:
			t.Errorf("%s", r.Line())
		}
	}
	for name := range want {
		if !skipped[name] {
			t.Errorf("%s: listed in testdata/skipped.tsv but not skipped", name)
		}
	}
	if passed != wantPassedAll {
		t.Errorf("%d node tests passed, want exactly %d", passed, wantPassedAll)
	}
	t.Logf("%d passed, %d skipped of %d", passed, len(skipped), len(dirs))
}

// readSkipList reads testdata/skipped.tsv: a test name and its reason
// ("type STRING", "type sequence", "domain ai.onnx.ml"...) per line.
func readSkipList(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "skipped.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	list := map[string]string{}
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		name, key, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("testdata/skipped.tsv line %d: want a name, a tab and a reason", i+1)
		}
		list[name] = key
	}
	return list
}

// skipReasonMatches reports whether a skip's reason says what key does.
func skipReasonMatches(key, reason string) bool {
	kind, what, _ := strings.Cut(key, " ")
	switch {
	case kind == "domain":
		return strings.Contains(reason, "unsupported domain "+what)
	case what == "sequence":
		return strings.Contains(reason, "is a sequence")
	case what == "optional":
		return strings.Contains(reason, "is an optional")
	}
	return strings.Contains(reason, "element type "+what)
}
