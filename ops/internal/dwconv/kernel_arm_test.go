//go:build !noasm

package dwconv

import (
	"testing"
	"unsafe"
)

// TestArgsLayoutARM checks the field offsets of args that neon_arm.s reads
// on 32-bit arm.
func TestArgsLayoutARM(t *testing.T) {
	var a args
	got := []uintptr{unsafe.Offsetof(a.y), unsafe.Offsetof(a.x), unsafe.Offsetof(a.res), unsafe.Offsetof(a.w),
		unsafe.Offsetof(a.xoff), unsafe.Offsetof(a.rows), unsafe.Offsetof(a.ldy), unsafe.Offsetof(a.ldx),
		unsafe.Offsetof(a.kh), unsafe.Offsetof(a.ldk), unsafe.Offsetof(a.kw), unsafe.Offsetof(a.dil), unsafe.Offsetof(a.n),
		unsafe.Offsetof(a.act), unsafe.Offsetof(a.bias), unsafe.Offsetof(a.lo), unsafe.Offsetof(a.hi),
		unsafe.Offsetof(a.alpha), unsafe.Offsetof(a.beta), unsafe.Offsetof(a.consts)}
	want := []uintptr{0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 64, 68, 72, 76, 80, 84, 88}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("args offsets %v, neon_arm.s reads %v", got, want)
		}
	}
}
