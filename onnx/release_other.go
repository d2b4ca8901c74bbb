//go:build !linux

package onnx

// Release would advise the operating system that the mapped pages inside
// bufs are not needed; this platform gets no such advice, so it does
// nothing and returns 0.
func (m *Model) Release(bufs ...[]byte) (int64, error) { return 0, nil }
