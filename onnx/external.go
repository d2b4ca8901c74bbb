package onnx

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// extFiles holds the mapped files of one model: its own file, when it was
// opened with Open, and its external data files, mapped on first use.
type extFiles struct {
	mu     sync.Mutex
	closed bool
	main   *mappedFile
	files  map[string]*mappedFile // external data, by folder and location
}

// close releases every mapping; later lookups fail.
func (c *extFiles) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	var errs []error
	if c.main != nil {
		errs = append(errs, c.main.close())
	}
	for _, f := range c.files {
		errs = append(errs, f.close())
	}
	c.files = nil
	return errors.Join(errs...)
}

// changed reports the first mapped file whose contents may differ from
// when it was mapped.
func (c *extFiles) changed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.main != nil {
		if err := c.main.changed(); err != nil {
			return err
		}
	}
	for _, f := range c.files {
		if err := f.changed(); err != nil {
			return err
		}
	}
	return nil
}

// file returns the contents of location inside dir, mapping it on first use.
func (c *extFiles) file(dir, location string) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("model is closed")
	}
	key := dir + "\x00" + location
	if f, ok := c.files[key]; ok {
		return f.data, nil
	}
	f, size, err := openExternal(dir, location)
	if err != nil {
		return nil, err
	}
	mf, err := mapWatched(f, size, location)
	if err != nil {
		return nil, err
	}
	if c.files == nil {
		c.files = map[string]*mappedFile{}
	}
	c.files[key] = mf
	return mf.data, nil
}

// extRef is a parsed external_data list.
type extRef struct {
	location       string
	offset, length int64 // length < 0: up to the end of the file
}

func (t *Tensor) extRef() (extRef, error) {
	ref := extRef{length: -1}
	for _, e := range t.External {
		var err error
		switch e.Key {
		case "location":
			ref.location = e.Value
		case "offset":
			ref.offset, err = parseSize(e.Value)
		case "length":
			ref.length, err = parseSize(e.Value)
		}
		// checksum, basepath and unknown keys are not needed.
		if err != nil {
			return ref, fmt.Errorf("external_data %s: %w", e.Key, err)
		}
	}
	if err := checkLocation(ref.location); err != nil {
		return ref, err
	}
	return ref, nil
}

func parseSize(s string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a non-negative integer", s)
	}
	return v, nil
}

// checkLocation refuses locations that could leave the model's folder:
// empty, absolute, or with a ".." component.
func checkLocation(loc string) error {
	switch {
	case loc == "":
		return errors.New("external_data has no location")
	case strings.ContainsRune(loc, 0):
		return fmt.Errorf("external data location %q contains a NUL byte", loc)
	case path.IsAbs(loc) || filepath.IsAbs(loc) || strings.HasPrefix(loc, `\`) || filepath.VolumeName(loc) != "":
		return fmt.Errorf("external data location %q is absolute; it must be relative to the model's folder", loc)
	}
	for _, c := range strings.FieldsFunc(loc, func(r rune) bool { return r == '/' || r == '\\' }) {
		if c == ".." {
			return fmt.Errorf("external data location %q has a \"..\" component", loc)
		}
	}
	if !filepath.IsLocal(filepath.FromSlash(loc)) {
		return fmt.Errorf("external data location %q is not a local path", loc)
	}
	return nil
}

// openExternal opens location inside dir; symbolic links may not lead out of dir.
func openExternal(dir, location string) (*os.File, int64, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, 0, fmt.Errorf("external data folder: %w", err)
	}
	defer root.Close()
	f, err := root.Open(filepath.FromSlash(location))
	if err != nil {
		return nil, 0, fmt.Errorf("external data: %w", err)
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("external data %q is not a regular file", location)
	}
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// span checks the referenced bytes lie inside a file of size bytes and
// returns their length.
func (ref extRef) span(size int64) (int64, error) {
	if ref.offset > size {
		return 0, fmt.Errorf("external data offset %d is beyond the end of %q (%d bytes)", ref.offset, ref.location, size)
	}
	if ref.length < 0 {
		return size - ref.offset, nil
	}
	if ref.length > size-ref.offset {
		return 0, fmt.Errorf("external data offset %d + length %d is beyond the end of %q (%d bytes)", ref.offset, ref.length, ref.location, size)
	}
	return ref.length, nil
}

// external returns the tensor's external bytes: a window of the mapped file
// for tensors of a model, a fresh copy for standalone tensors.
func (t *Tensor) external(dir string) ([]byte, error) {
	if dir == "" {
		dir = "."
	}
	b, err := t.readExternal(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t.label(), err)
	}
	return b, nil
}

func (t *Tensor) readExternal(dir string) ([]byte, error) {
	ref, err := t.extRef()
	if err != nil {
		return nil, err
	}
	if t.ext != nil {
		data, err := t.ext.file(dir, ref.location)
		if err != nil {
			return nil, err
		}
		n, err := ref.span(int64(len(data)))
		if err != nil {
			return nil, err
		}
		return data[ref.offset : ref.offset+n : ref.offset+n], nil
	}
	f, size, err := openExternal(dir, ref.location)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	n, err := ref.span(size)
	if err != nil {
		return nil, err
	}
	want, err := t.byteLen()
	if err != nil {
		return nil, err
	}
	if n != int64(want) {
		return nil, fmt.Errorf("external data has %d bytes, want %d for %s%v", n, want, t.DataType, t.Dims)
	}
	b := make([]byte, n)
	if _, err := f.ReadAt(b, ref.offset); err != nil {
		return nil, err
	}
	return b, nil
}
