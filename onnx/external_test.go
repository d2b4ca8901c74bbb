package onnx

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func ext(kv ...string) []StringEntry {
	var out []StringEntry
	for i := 0; i < len(kv); i += 2 {
		out = append(out, StringEntry{kv[i], kv[i+1]})
	}
	return out
}

// TestExternalData writes a model whose weights live in a separate file,
// opens it and reads the weights back.
func TestExternalData(t *testing.T) {
	dir := t.TempDir()
	weights := make([]byte, 4096+8)
	binary.LittleEndian.PutUint32(weights[0:], 0x3f800000) // 1.0
	binary.LittleEndian.PutUint32(weights[4:], 0xc0000000) // -2.0
	binary.LittleEndian.PutUint64(weights[4096:], 1<<40)
	writeFile(t, filepath.Join(dir, "data", "weights.bin"), weights)
	m := &Model{IRVersion: 10, OpsetImports: []OpsetID{{"", 21}}, Graph: &Graph{
		Initializer: []*Tensor{
			{Name: "a", DataType: Float, Dims: []int64{2}, External: ext("location", "data/weights.bin", "offset", "0", "length", "8")},
			{Name: "b", DataType: Int64, Dims: []int64{1}, External: ext("location", "data/weights.bin", "offset", "4096", "checksum", "x")},
		},
		Nodes: []*Node{{OpType: "Constant", Outputs: []string{"c"}, Attrs: []*Attribute{{Name: "value", Type: AttrTensor,
			T: &Tensor{Name: "c", DataType: Float, Dims: []int64{1}, External: ext("location", "data/weights.bin", "offset", "4")}}}}},
	}}
	path := filepath.Join(dir, "model.onnx")
	if err := WriteFile(path, m); err != nil {
		t.Fatal(err)
	}
	got, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := got.Graph.Initializer[0].Bytes(got.Dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := got.Graph.Initializer[1].Bytes(got.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if le32(a, 0) != 1 || le32(a, 1) != -2 || binary.LittleEndian.Uint64(b) != 1<<40 {
		t.Errorf("a = % x, b = % x", a, b)
	}
	// The file is mapped once: both tensors are windows of the same memory.
	if d := uintptr(unsafe.Pointer(&b[0])) - uintptr(unsafe.Pointer(&a[0])); d != 4096 {
		t.Errorf("b starts %d bytes after a, want 4096 (one shared mapping)", d)
	}
	// Length defaults to the rest of the file, which must then match the dims.
	if _, err := got.Graph.Nodes[0].Attrs[0].T.Bytes(got.Dir); err == nil || !strings.Contains(err.Error(), "4100 data bytes, want 4") {
		t.Errorf("attribute tensor with the rest of the file: %v", err)
	}
	if err := got.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := got.Graph.Initializer[0].Bytes(got.Dir); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("Bytes after Close: %v", err)
	}
	// A standalone tensor reads (copies) its bytes instead.
	x, err := DecodeTensor(MarshalTensor(m.Graph.Initializer[1]))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := x.Bytes(dir); err != nil || binary.LittleEndian.Uint64(b) != 1<<40 {
		t.Errorf("standalone tensor: % x, %v", b, err)
	}
}

// TestExternalDataRefused checks that locations leaving the model's folder
// and byte ranges beyond the file are refused, for tensors read through a
// model (mapped) and standalone (copied).
func TestExternalDataRefused(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	writeFile(t, filepath.Join(dir, "w.bin"), make([]byte, 16))
	writeFile(t, filepath.Join(outside, "secret.bin"), make([]byte, 16))
	cases := []struct {
		name string
		ext  []StringEntry
		err  string
	}{
		{"parent", ext("location", "../x"), `".." component`},
		{"inner parent", ext("location", "sub/../../w.bin"), `".." component`},
		{"windows parent", ext("location", `..\w.bin`), `".." component`},
		{"absolute", ext("location", "/etc/passwd"), "is absolute"},
		{"no location", ext("offset", "0"), "no location"},
		{"offset beyond EOF", ext("location", "w.bin", "offset", "17"), "offset 17 is beyond the end"},
		{"length beyond EOF", ext("location", "w.bin", "offset", "12", "length", "8"), "offset 12 + length 8 is beyond the end"},
		{"huge length", ext("location", "w.bin", "length", "9223372036854775807"), "is beyond the end"},
		{"negative offset", ext("location", "w.bin", "offset", "-1"), "offset: \"-1\" is not a non-negative integer"},
		{"bad length", ext("location", "w.bin", "length", "8k"), "is not a non-negative integer"},
		{"missing file", ext("location", "nope.bin"), "nope.bin"},
		{"wrong size", ext("location", "w.bin", "length", "4"), "want 8"},
		{"directory", ext("location", "."), "not a regular file"},
	}
	if runtime.GOOS != "windows" {
		if err := os.Symlink(filepath.Join(outside, "secret.bin"), filepath.Join(dir, "evil.bin")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(outside, filepath.Join(dir, "evildir")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("w.bin", filepath.Join(dir, "good.bin")); err != nil {
			t.Fatal(err)
		}
		cases = append(cases,
			struct {
				name string
				ext  []StringEntry
				err  string
			}{"symlink outside", ext("location", "evil.bin"), "evil.bin"},
			struct {
				name string
				ext  []StringEntry
				err  string
			}{"symlinked folder outside", ext("location", "evildir/secret.bin"), "secret.bin"})
	}
	for _, c := range cases {
		x := &Tensor{Name: "w", DataType: Float, Dims: []int64{2}, External: c.ext}
		m := &Model{Graph: &Graph{Initializer: []*Tensor{x}}}
		b, err := Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		decoded, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		for how, x := range map[string]*Tensor{"standalone": x, "in a model": decoded.Graph.Initializer[0]} {
			_, err := x.Bytes(dir)
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), `tensor "w"`) {
				t.Errorf("%s (%s): error %v, want %q naming the tensor", c.name, how, err, c.err)
			}
		}
		decoded.Close()
	}
	if runtime.GOOS != "windows" {
		// A symbolic link that stays inside the folder is fine.
		x := &Tensor{Name: "w", DataType: Float, Dims: []int64{2}, External: ext("location", "good.bin", "length", "8")}
		if _, err := x.Bytes(dir); err != nil {
			t.Errorf("symlink inside the folder: %v", err)
		}
	}
}
