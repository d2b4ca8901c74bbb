package onnx

import (
	"errors"
	"fmt"
	"os"
)

// Files change under a running program: a deploy script copies a new model
// over the old one, or truncates it. The bytes of a memory-mapped file are
// the file's, so such a change would silently change a model's weights or,
// for a truncation, make reading them fault. A mapped file therefore stays
// open while mapped, and Changed compares it with what it was when mapped.
// A file replaced by renaming another over its name is not a change: the
// mapping keeps the old file's contents.

// ErrChanged is wrapped by Changed's error: a file a model maps was written
// or truncated since it was opened.
var ErrChanged = errors.New("file changed on disk since the model was loaded")

// mappedFile is a mapped file, kept open to notice changes.
type mappedFile struct {
	name    string
	data    []byte
	release func() error
	f       *os.File // nil when the file was read into memory instead
	at      stamp
}

// mapWatched maps f (of size bytes, named name in messages), taking it
// over: it stays open for as long as it is mapped.
func mapWatched(f *os.File, size int64, name string) (*mappedFile, error) {
	data, release, mapped, err := mapFile(f, size)
	if err != nil {
		f.Close()
		return nil, err
	}
	mf := &mappedFile{name: name, data: data, release: release}
	if !mapped { // a copy in memory: nothing to watch
		f.Close()
		return mf, nil
	}
	if mf.at, err = stampOf(f); err != nil {
		f.Close()
		release()
		return nil, err
	}
	mf.f = f
	return mf, nil
}

// changed reports whether the file was written or truncated since it was mapped.
func (mf *mappedFile) changed() error {
	if mf.f == nil {
		return nil
	}
	now, err := stampOf(mf.f)
	if err != nil {
		return fmt.Errorf("%s: %w (%v)", mf.name, ErrChanged, err)
	}
	if now != mf.at {
		return fmt.Errorf("%s: %w", mf.name, ErrChanged)
	}
	return nil
}

func (mf *mappedFile) close() error {
	err := mf.release()
	if mf.f != nil {
		err = errors.Join(err, mf.f.Close())
	}
	return err
}

// Changed returns an error wrapping ErrChanged, naming the file, when a
// file the model maps (its own, or an external data file) has been written
// to or truncated since it was mapped; nil otherwise, and for models not
// opened with Open. It costs one fstat per mapped file.
func (m *Model) Changed() error {
	if m == nil || m.files == nil {
		return nil
	}
	return m.files.changed()
}
