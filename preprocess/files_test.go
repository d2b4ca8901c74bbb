package preprocess

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestImageFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"b.PNG", "a.jpg", "c.jp2", "notes.txt", "model.onnx", "d.webp"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.png"), 0o755); err != nil { // a folder, whatever its name
		t.Fatal(err)
	}
	got, err := ImageFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, name := range []string{"a.jpg", "b.PNG", "c.jp2", "d.webp"} {
		want = append(want, filepath.Join(dir, name))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ImageFiles = %q, want %q", got, want)
	}
	if got, err := ImageFiles(filepath.Join(dir, "sub.png")); err != nil || len(got) != 0 {
		t.Errorf("empty folder: %q, %v; want none, no error", got, err)
	}
	if _, err := ImageFiles(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("missing folder: %v, want a not-exist error", err)
	}
}
