package onnx

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
)

// Open reads the ONNX model at path. The file is memory-mapped read-only
// where the platform allows (read into memory otherwise), and the tensors'
// RawData point into the mapping: call Close when the model and every
// tensor view of its data are no longer used. Dir is set to the file's
// folder, where external data is looked up. Errors name the file. Decoding
// is bounded by DefaultMaxDecodeBytes.
func Open(path string) (*Model, error) { return OpenLimited(path, 0) }

// OpenLimited is Open with maxBytes in place of DefaultMaxDecodeBytes: 0
// means the default, a negative value no limit.
func OpenLimited(path string, maxBytes int64) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("onnx: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("onnx: %w", err)
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("onnx: %s: not a regular file", path)
	}
	mf, err := mapWatched(f, st.Size(), path)
	if err != nil {
		return nil, fmt.Errorf("onnx: %s: %w", path, err)
	}
	m, err := DecodeLimited(mf.data, maxBytes)
	if err != nil {
		var de *decodeError
		if errors.As(err, &de) {
			de.file = path
		}
		return nil, errors.Join(err, mf.close())
	}
	m.Dir = filepath.Dir(path)
	if m.files == nil {
		m.files = &extFiles{}
		m.closer = m.files.close
	}
	m.files.main = mf
	return m, nil
}

// Close releases the memory mappings of the model file (when it was opened
// with Open) and of its external data files. RawData slices and external
// tensors' Bytes must not be used afterwards. Close is idempotent and a no-op
// for models built in memory.
func (m *Model) Close() error {
	if m == nil || m.closer == nil {
		return nil
	}
	c := m.closer
	m.closer = nil
	return c()
}

// Opset is the version the model imports for an operator set domain; ""
// and "ai.onnx" both name the default domain.
func (m *Model) Opset(domain string) (int64, bool) {
	for _, o := range m.OpsetImports {
		if canonicalDomain(o.Domain) == canonicalDomain(domain) {
			return o.Version, true
		}
	}
	return 0, false
}

func canonicalDomain(d string) string {
	if d == "ai.onnx" {
		return ""
	}
	return d
}

// readFile reads the first size bytes of f into memory.
func readFile(f *os.File, size int64) ([]byte, func() error, error) {
	if size < 0 || size > math.MaxInt {
		return nil, nil, fmt.Errorf("file size %d does not fit in memory", size)
	}
	data := make([]byte, size)
	if _, err := f.ReadAt(data, 0); err != nil {
		return nil, nil, err
	}
	return data, func() error { return nil }, nil
}
