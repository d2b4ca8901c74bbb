//go:build !noasm

package qgemm

import (
	"testing"
	"unsafe"
)

// TestDwArgsLayoutARM checks the field offsets of dwArgs that dwNEON reads
// on 32-bit arm.
func TestDwArgsLayoutARM(t *testing.T) {
	var a dwArgs
	got := []uintptr{unsafe.Offsetof(a.src), unsafe.Offsetof(a.ldi), unsafe.Offsetof(a.w), unsafe.Offsetof(a.wq4),
		unsafe.Offsetof(a.out), unsafe.Offsetof(a.ldo), unsafe.Offsetof(a.rows), unsafe.Offsetof(a.ow),
		unsafe.Offsetof(a.rowStep), unsafe.Offsetof(a.sw), unsafe.Offsetof(a.tapRow), unsafe.Offsetof(a.dw),
		unsafe.Offsetof(a.kh), unsafe.Offsetof(a.kw), unsafe.Offsetof(a.off), unsafe.Offsetof(a.scale),
		unsafe.Offsetof(a.lo), unsafe.Offsetof(a.hi), unsafe.Offsetof(a.zp), unsafe.Offsetof(a.mode), unsafe.Offsetof(a.pairs)}
	want := []uintptr{0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 68, 72, 76, 80}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("dwArgs offsets %v, tile_neon_arm.s reads %v", got, want)
		}
	}
}
