//go:build !(amd64 || arm64) || noasm

package qgemm

// lookupAsm computes no prefix of Lookup.
func lookupAsm(dst, src []byte, table *[256]byte) int { return 0 }

// max3s2BytesAsm computes no prefix of Max3S2Bytes.
func max3s2BytesAsm(dst, src []byte, signed bool) int { return 0 }
