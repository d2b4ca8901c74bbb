//go:build !amd64 || noasm

package qgemm

// max3s2BytesAsm computes no prefix of Max3S2Bytes.
func max3s2BytesAsm(dst, src []byte, signed bool) int { return 0 }

// setAVX512 does nothing: this build has no x86 element-wise loops.
func setAVX512(on bool) bool { return false }
