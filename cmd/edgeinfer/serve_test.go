//go:build !noserve

package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestServeStartErrors: a model that does not load is exit 2 naming the
// file, as are two models with one name and bad flags; an address that
// cannot be listened on is exit 1.
func TestServeStartErrors(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.onnx")
	if err := os.WriteFile(corrupt, []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	tiny := tinyModelFile(t, nil)
	other := filepath.Join(dir, "tiny.onnx")
	if err := os.WriteFile(other, marshal(t, tinyClassifier()), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.onnx")
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"serve", missing}, 2, []string{"edgeinfer: serve: ", missing}},
		{[]string{"serve", tiny, corrupt}, 2, []string{"edgeinfer: serve: ", corrupt}},
		{[]string{"serve", tiny, other}, 2, []string{tiny, other, `would both be served as "tiny"`}},
		{[]string{"serve", dir}, 2, []string{"edgeinfer: serve: ", corrupt}}, // the folder's models: corrupt.onnx, tiny.onnx
		{[]string{"serve", empty}, 2, []string{"edgeinfer: serve: folder " + empty + " holds no .onnx file"}},
		{[]string{"serve", "-sessions", "0", tiny}, 2, []string{"must be positive"}},
		{[]string{"serve", "-max-body", "12XB", tiny}, 2, []string{`"12XB" is not a size`}},
		{[]string{"serve", "-addr", "127.0.0.1:99999", tiny}, 1, []string{"edgeinfer: serve: listen tcp"}},
	} {
		code, _, stderr := cliIn(t, nil, tc.args...)
		for _, w := range tc.want {
			if code != tc.code || !strings.Contains(stderr, w) {
				t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tc.args, code, stderr, tc.code, w)
			}
		}
	}
}

func TestByteSize(t *testing.T) {
	for s, want := range map[string]int64{"1000": 1000, "32MiB": 32 << 20, "1GiB": 1 << 30, "3KiB": 3072, "0": 0} {
		var b byteSize
		if err := b.Set(s); err != nil || int64(b) != want {
			t.Errorf("%q: %d, %v; want %d", s, b, err, want)
		}
	}
	for _, s := range []string{"", "MiB", "-1", "1.5MiB", "32MB", "99999999999GiB"} {
		var b byteSize
		if err := b.Set(s); err == nil {
			t.Errorf("%q accepted as %d", s, b)
		}
	}
	for b, want := range map[byteSize]string{32 << 20: "32MiB", 1 << 30: "1GiB", 1000: "1000", 2048: "2KiB"} {
		if got := b.String(); got != want {
			t.Errorf("%d: %q, want %q", b, got, want)
		}
	}
}

// TestModelFiles: a folder argument means its .onnx files, sorted, not
// recursive; files are taken as given; NAME=PATH names a file, or the one
// .onnx file of a folder.
func TestModelFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.onnx", "A.ONNX", "notes.txt", "sub/c.onnx", "x=y.onnx"} {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sub := filepath.Join(dir, "sub")
	for _, tc := range []struct {
		args []string
		want []modelFile
	}{
		{[]string{"m.onnx", "model.ONNX", "net.bin"}, []modelFile{{"m", "m.onnx"}, {"model", "model.ONNX"}, {"net.bin", "net.bin"}}},
		{[]string{dir}, []modelFile{{"A", filepath.Join(dir, "A.ONNX")}, {"b", filepath.Join(dir, "b.onnx")}, {"x=y", filepath.Join(dir, "x=y.onnx")}}},
		{[]string{"resnet=/mnt/models/model.onnx", "mobile=" + sub}, []modelFile{{"resnet", "/mnt/models/model.onnx"}, {"mobile", filepath.Join(sub, "c.onnx")}}},
		{[]string{filepath.Join(dir, "x=y.onnx")}, []modelFile{{"x=y", filepath.Join(dir, "x=y.onnx")}}},
	} {
		if got, err := modelFiles(tc.args); err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%v: %v, %v; want %v", tc.args, got, err, tc.want)
		}
	}
	if _, err := modelFiles([]string{"all=" + dir}); err == nil || !strings.Contains(err.Error(), "holds 3 .onnx files; name one of them") {
		t.Errorf("NAME=DIR of 3 models: %v", err)
	}
}
