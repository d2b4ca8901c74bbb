//go:build !noasm

package qgemm

import (
	"testing"
	"unsafe"
)

// TestTileEpLayoutARM checks the field offsets of tileEp that tileNEON4x4
// reads on 32-bit arm.
func TestTileEpLayoutARM(t *testing.T) {
	var e tileEp
	got := []uintptr{unsafe.Offsetof(e.rowOff), unsafe.Offsetof(e.colOff), unsafe.Offsetof(e.rowMul),
		unsafe.Offsetof(e.colMul), unsafe.Offsetof(e.scale), unsafe.Offsetof(e.scaleCols), unsafe.Offsetof(e.lo),
		unsafe.Offsetof(e.hi), unsafe.Offsetof(e.zp), unsafe.Offsetof(e.mode), unsafe.Offsetof(e.pairs)}
	want := []uintptr{0, 12, 24, 36, 48, 60, 68, 72, 76, 80, 132}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("tileEp offsets %v, tile_neon_arm.s reads %v", got, want)
		}
	}
}
