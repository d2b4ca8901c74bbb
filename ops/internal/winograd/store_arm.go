//go:build !noasm

package winograd

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// storeAsm is Store in NEON when the CPU has it, in Go on ARMv6.
func storeAsm(y []float32, offs *[Lanes]int32, ldy int, o []float32, n int, bias *[Lanes]float32, lo, hi float32) {
	if !cpu.ARM.HasNEON {
		storeGo(y, offs, ldy, o, n, bias, lo, hi)
		return
	}
	storeNEON(unsafe.SliceData(y), &offs[0], ldy, &o[0], n, &bias[0], lo, hi)
}

// storeNEON is Store in NEON; it trusts its arguments.
//
//go:noescape
func storeNEON(y *float32, offs *int32, ldy int, o *float32, n int, bias *float32, lo, hi float32)
