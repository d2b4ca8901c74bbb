//go:build noasm || !(amd64 || arm64 || arm)

package qgemm

// maxTileBytes bounds a tile of every kernel (MR·NR·4): the Go kernel's
// 4x4.
const maxTileBytes = 64

// asmKernels returns no kernels: this build has no assembly.
func asmKernels() []*Kernel { return nil }

// interleaveAsm returns nil: Interleave4 runs in Go.
func interleaveAsm() interleaveFunc { return nil }

// interleavers returns no SIMD Interleave4.
func interleavers() []interleaveFunc { return nil }

// interleaveRowsAsm returns nil: Interleave4Rows runs row by row.
func interleaveRowsAsm() interleaveRowsFunc { return nil }

// tile runs the Go tile kernel (see Kernel).
func (k *Kernel) tile(kq int, a, b []byte, offs []int32, c []byte, ldc int, ep *tileEp, n int) {
	tilesGo(kq, a, b, offs, c, ldc, ep, n)
}

// row reports that k has no row function.
func (k *Kernel) row(kq int, a []byte, astride int, b []byte, offs []int32, c []byte, ep *tileEp) bool {
	return false
}

// dwBuf is no scratch: this build's depthwise planes need none.
type dwBuf struct{}

// dwPlane runs the Go depthwise plane.
func (k *Kernel) dwPlane(p *dwPlane) { dwGo(p) }

// quantizeAsm computes no prefix of Quantize.
func quantizeAsm(dst []byte, src []float32, scale float32, zp int32, lo, hi float32) int { return 0 }

// mulScaledAsm computes no prefix of MulScaled.
func mulScaledAsm(dst, a, b []byte, za, zb int32, r, c, lo, hi float32, signed bool) int {
	return 0
}

// addScaledAsm computes no prefix of AddScaled.
func addScaledAsm(dst, a, b []byte, ra, rb, c, lo, hi float32, signed bool) int { return 0 }

// max3s2BytesAsm computes no prefix of Max3S2Bytes.
func max3s2BytesAsm(dst, src []byte, signed bool) int { return 0 }

// maxBytesAsm computes no prefix of MaxBytes.
func maxBytesAsm(dst, src []byte, signed bool) int { return 0 }
