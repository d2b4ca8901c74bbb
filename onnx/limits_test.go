package onnx

import (
	"bytes"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// amplifiers are graph bodies in which every two or three bytes of the file
// make the decoder allocate a structure of a hundred bytes or more.
var amplifiers = []struct {
	name string
	unit wire // one repetition, inside GraphProto
}{
	{"empty nodes", wire(nil).bytes(1, nil)},
	{"empty initializers", wire(nil).bytes(5, nil)},
	{"empty value infos", wire(nil).bytes(13, nil)},
	{"empty attributes", wire(nil).bytes(1, wire(nil).bytes(5, nil))},
	{"node inputs", wire(nil).bytes(1, bytes.Repeat(wire(nil).bytes(1, nil), 100))},
	{"shape dims", wire(nil).bytes(11, wire(nil).bytes(2, wire(nil).bytes(1, wire(nil).bytes(2, bytes.Repeat(wire(nil).bytes(1, nil), 100)))))},
	{"packed ints", wire(nil).bytes(1, wire(nil).bytes(5, wire(nil).bytes(8, bytes.Repeat([]byte{1}, 1000))))},
}

// hostileModel repeats unit inside a model's graph until the file has about size bytes.
func hostileModel(unit wire, size int) []byte {
	body := bytes.Repeat(unit, max(size/len(unit), 1))
	return wire(nil).bytes(8, wire(nil).varint(2, 13)).bytes(7, body)
}

func TestDecodeBudget(t *testing.T) {
	for _, a := range amplifiers {
		data := hostileModel(a.unit, 64<<10)
		// A small budget is exceeded, with an error that says so and where.
		_, err := DecodeLimited(data, 100_000)
		if err == nil || !strings.Contains(err.Error(), "more than 100000 bytes of memory (the decoding limit)") ||
			!strings.HasPrefix(err.Error(), "onnx: graph.") {
			t.Errorf("%s: DecodeLimited(100000) = %v, want the limit error located in the graph", a.name, err)
		}
		// Without a limit the same file decodes.
		if _, err := DecodeLimited(data, -1); err != nil {
			t.Errorf("%s: DecodeLimited(-1): %v", a.name, err)
		}
	}
}

// TestDecodeBudgetBoundsMemory decodes files of a few megabytes built to
// amplify (each would need more than a gigabyte decoded) and checks the
// default limit stops each before it allocates much more than the limit.
func TestDecodeBudgetBoundsMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates up to the decoding limit: skipped in -short mode")
	}
	for _, a := range amplifiers[:2] {
		data := hostileModel(a.unit, 12<<20)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := Decode(data)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "decoding limit") {
			t.Fatalf("%s: %d-byte file: err = %v, want the decoding limit", a.name, len(data), err)
		}
		// Appending doubles slices, so up to twice the structures' bytes are allocated.
		if got := after.TotalAlloc - before.TotalAlloc; got > 3*DefaultMaxDecodeBytes {
			t.Errorf("%s: decoding allocated %d bytes, want at most %d", a.name, got, 3*DefaultMaxDecodeBytes)
		}
	}
}

func TestOpenLimited(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.onnx")
	writeFile(t, path, hostileModel(amplifiers[0].unit, 4<<10))
	if _, err := OpenLimited(path, 1000); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "decoding limit") {
		t.Errorf("OpenLimited(1000) = %v, want the limit error naming the file", err)
	}
	m, err := OpenLimited(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if len(m.Graph.Nodes) != 2048 {
		t.Errorf("%d nodes, want 2048", len(m.Graph.Nodes))
	}
}

// TestTypedDataCharged checks that the typed data fields, which are copied,
// count against the limit while raw_data, which is not, does not.
func TestTypedDataCharged(t *testing.T) {
	floats := make([]byte, 40_000)
	tensor := func(field protowire.Number) wire {
		return wire(nil).bytes(5, wire(nil).varint(1, 10_000).varint(2, 1).bytes(field, floats))
	}
	typed := wire(nil).bytes(7, tensor(4))
	raw := wire(nil).bytes(7, tensor(9))
	if _, err := DecodeLimited(typed, 30_000); err == nil {
		t.Error("40000 bytes of float_data decoded within a 30000-byte limit")
	}
	if _, err := DecodeLimited(raw, 30_000); err != nil {
		t.Errorf("40000 bytes of raw_data (not copied): %v", err)
	}
}
