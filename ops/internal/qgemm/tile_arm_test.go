//go:build !noasm

package qgemm

import (
	"bytes"
	"testing"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// TestTileEpLayoutARM checks the field offsets of tileEp that tileNEON4x4
// reads on 32-bit arm.
func TestTileEpLayoutARM(t *testing.T) {
	var e tileEp
	got := []uintptr{unsafe.Offsetof(e.rowOff), unsafe.Offsetof(e.colOff), unsafe.Offsetof(e.rowMul),
		unsafe.Offsetof(e.colMul), unsafe.Offsetof(e.scale), unsafe.Offsetof(e.scaleCols), unsafe.Offsetof(e.lo),
		unsafe.Offsetof(e.hi), unsafe.Offsetof(e.zp), unsafe.Offsetof(e.mode), unsafe.Offsetof(e.run),
		unsafe.Offsetof(e.stride), unsafe.Offsetof(e.pairs)}
	want := []uintptr{0, 12, 24, 36, 48, 60, 68, 72, 76, 80, 92, 100, 132}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("tileEp offsets %v, tile_neon_arm.s reads %v", got, want)
		}
	}
}

// TestNoMin128ARM checks the NEON scan for -128 against bytes.IndexByte:
// lengths around its 16-byte steps, one 0x80 at every position (and
// none), the bytes around it -127 and 127, inside guard bands of 0x80
// that it must not read.
func TestNoMin128ARM(t *testing.T) {
	for n := range 70 {
		for at := -1; at < n; at++ {
			full := bytes.Repeat([]byte{0x80}, n+32)
			b := full[16 : 16+n]
			for i := range b {
				b[i] = [...]byte{0x81, 0x7f, 0, 0xff}[i%4]
			}
			if at >= 0 {
				b[at] = 0x80
			}
			got := noMin128Asm(b)
			want := n &^ 15
			if !cpu.ARM.HasNEON {
				want = 0
			} else if at >= 0 && at < want {
				want = -1
			}
			if got != want {
				t.Fatalf("%d bytes, 0x80 at %d: %d, want %d", n, at, got, want)
			}
		}
	}
}
