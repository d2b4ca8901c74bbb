package onnx

import (
	"os"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx/onnxtest"
)

// sharedDir is ../shared/sub... beside the repository; the test skips when it is absent.
func sharedDir(t testing.TB, sub ...string) string {
	t.Helper()
	return onnxtest.Shared(t, sub...)
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
