package conformance

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

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
	"test_batchnorm_epsilon_training_mode",
	"test_batchnorm_example_training_mode",
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
const wantPassed = 244

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

func TestRealModels(t *testing.T) {
	shared := sharedDir(t)
	for _, c := range []struct {
		name string
		sets int
	}{{"squeezenet1.0", 3}, {"mnist-12", 4}} {
		t.Run(c.name, func(t *testing.T) {
			if testing.Short() && c.name == "squeezenet1.0" {
				t.Skip("skipping SqueezeNet in -short mode (slow under emulation)")
			}
			r := RunDir(filepath.Join(shared, "models", c.name), Options{RTol: 0, ATol: 1e-3})
			if r.Status != Pass || r.Sets != c.sets {
				t.Fatalf("%s (%d sets run, want %d)", r.Line(), r.Sets, c.sets)
			}
			t.Logf("%s", r.Line())
		})
	}
}
