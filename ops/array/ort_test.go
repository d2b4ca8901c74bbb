package array

import (
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestORTGoldens runs the single-node tests of testdata/ort, whose expected
// outputs come from ONNX Runtime (scripts/ort-probe.mjs run on
// testdata/ort/spec.json): edge cases the official node tests leave out.
// Three cases where edgeinfer follows the spec rather than ONNX Runtime 1.30
// are not there: NonZero of a scalar (the spec's [0, n]; ORT gives
// numpy's [1, n]), OneHot of fractional float indices (the spec casts them
// to int64; ORT compares them as floats and finds none) and Unique of
// NaNs (numpy's grouping; ORT's ordering breaks on NaN).
func TestORTGoldens(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "ort", "*", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != 23 {
		t.Errorf("found %d golden tests, want 23", len(dirs))
	}
	for _, m := range dirs {
		if err := opstest.RunNodeTest(filepath.Dir(m)); err != nil {
			t.Errorf("%s: %v", filepath.Base(filepath.Dir(m)), err)
		}
	}
}
