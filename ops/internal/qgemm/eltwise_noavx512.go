//go:build !amd64 || noasm

package qgemm

// setAVX512 does nothing: this build has no x86 element-wise loops.
func setAVX512(on bool) bool { return false }
