//go:build linux

package onnx

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// vmRSS is the process's resident set size in bytes, from /proc/self/status.
func vmRSS(t *testing.T) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) == 3 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Skip("no VmRSS in /proc/self/status")
	return 0
}

func TestReleaseDropsMappedPages(t *testing.T) {
	const size = 16 << 20
	raw := make([]byte, size)
	for i := range raw {
		raw[i] = byte(i*7 + i>>12)
	}
	m := &Model{IRVersion: 8, OpsetImports: []OpsetID{{Version: 13}}, Graph: &Graph{
		Name:        "g",
		Initializer: []*Tensor{{Name: "w", DataType: Float, Dims: []int64{size / 4}, RawData: raw}},
	}}
	path := filepath.Join(t.TempDir(), "m.onnx")
	if err := WriteFile(path, m); err != nil {
		t.Fatal(err)
	}
	// An in-memory model has no mapping: nothing is released.
	if n, err := m.Release(raw); n != 0 || err != nil {
		t.Errorf("in-memory model released %d bytes (err %v), want 0", n, err)
	}
	p, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	w := p.Graph.Initializer[0].RawData
	if !bytes.Equal(w, raw) { // also faults every page in
		t.Fatal("mapped initializer differs from what was written")
	}
	before := vmRSS(t)
	n, err := p.Release(w, nil)
	if err != nil {
		t.Fatal(err)
	}
	after := vmRSS(t)
	page := int64(os.Getpagesize())
	if n < size-2*page || n > size {
		t.Errorf("released %d bytes of a %d-byte initializer, want all its whole pages", n, size)
	}
	if before-after < size/2 {
		t.Errorf("resident memory went from %d to %d bytes, want it %d bytes lower", before, after, size)
	}
	if !bytes.Equal(w, raw) {
		t.Error("initializer changed after Release")
	}
	// Heap memory is never released (its contents would be lost).
	heap := bytes.Clone(raw)
	if n, err := p.Release(heap); n != 0 || err != nil || !bytes.Equal(heap, raw) {
		t.Errorf("heap buffer: released %d bytes (err %v), want 0 and contents kept", n, err)
	}
}
