package text

import (
	"path/filepath"
	"testing"

	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestORTGoldens runs the TfIdfVectorizer tests of testdata/ort, whose
// expected outputs come from ONNX Runtime (scripts/ort-probe.mjs run on
// testdata/ort/spec.json): skips with 2- and 3-grams, IDF and TFIDF
// weights, 1-grams counted once.
func TestORTGoldens(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "ort", "*", "model.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != 3 {
		t.Errorf("found %d golden tests, want 3", len(dirs))
	}
	for _, m := range dirs {
		if err := opstest.RunNodeTest(filepath.Dir(m)); err != nil {
			t.Errorf("%s: %v", filepath.Base(filepath.Dir(m)), err)
		}
	}
}
