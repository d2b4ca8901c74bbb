package onnx

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedDir locates the project's ../shared data folder (beside the
// directory holding go.mod) and skips the test when it is absent.
func sharedDir(t testing.TB, sub ...string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("go.mod not found above the test's folder; cannot locate ../shared")
		}
		dir = parent
	}
	p := filepath.Join(append([]string{dir, "..", "shared"}, sub...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data %s is absent (the project's ../shared folder): %v", p, err)
	}
	return p
}

// readShared reads a file under ../shared, skipping when absent.
func readShared(t testing.TB, sub ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(sharedDir(t, sub...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
