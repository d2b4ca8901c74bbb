//go:build !noasm

package winograd

import "unsafe"

// storeAsm is Store in NEON.
func storeAsm(y []float32, offs *[Lanes]int32, ldy int, o []float32, n int, bias *[Lanes]float32, lo, hi float32) {
	storeNEON(unsafe.SliceData(y), &offs[0], ldy, &o[0], n, &bias[0], lo, hi)
}

// storeNEON is Store in NEON; it trusts its arguments.
//
//go:noescape
func storeNEON(y *float32, offs *int32, ldy int, o *float32, n int, bias *float32, lo, hi float32)
