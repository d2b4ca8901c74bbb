// Package onnxtest locates the data the project's tests share: the
// ../shared folder beside the repository (ONNX node tests, real models,
// photos, the reference kit). Tests that need it skip, saying why, when it
// is absent.
package onnxtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Root is the repository root: the nearest folder at or above the working
// directory holding go.mod, or "" when there is none.
func Root() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// SharedPath is ../shared/sub... beside the repository root, and whether it exists.
func SharedPath(sub ...string) (string, bool) {
	root := Root()
	if root == "" {
		return "", false
	}
	p := filepath.Join(append([]string{root, "..", "shared"}, sub...)...)
	_, err := os.Stat(p)
	return p, err == nil
}

// Shared is SharedPath, skipping the test when the path is absent.
func Shared(t testing.TB, sub ...string) string {
	t.Helper()
	p, ok := SharedPath(sub...)
	if !ok {
		t.Skipf("skipping: shared test data %q is absent (it lives in ../shared beside the repository)", filepath.Join(append([]string{"shared"}, sub...)...))
	}
	return p
}
