//go:build !noasm

package winograd

import "unsafe"

// storeAsm is Store in SSE, which every amd64 CPU has: the tiles are only
// moved, biased and clipped, four values at a time.
func storeAsm(y []float32, offs *[Lanes]int32, ldy int, o []float32, n int, bias *[Lanes]float32, lo, hi float32) {
	storeSSE(unsafe.SliceData(y), &offs[0], ldy, &o[0], n, &bias[0], lo, hi)
}

// storeSSE is Store in SSE; it trusts its arguments.
//
//go:noescape
func storeSSE(y *float32, offs *int32, ldy int, o *float32, n int, bias *float32, lo, hi float32)
