//go:build !noasm

package gemm

import (
	"testing"
	"unsafe"

	"golang.org/x/sys/cpu"
)

// TestTileEpilogueLayoutARM checks the field offsets of tileEpilogue that
// mulNEON6x8 reads on 32-bit arm.
func TestTileEpilogueLayoutARM(t *testing.T) {
	var e tileEpilogue
	got := [5]uintptr{unsafe.Offsetof(e.bias), unsafe.Offsetof(e.res), unsafe.Offsetof(e.ldr), unsafe.Offsetof(e.lo), unsafe.Offsetof(e.hi)}
	if want := [5]uintptr{0, 12, 24, 28, 32}; got != want {
		t.Fatalf("tileEpilogue offsets %v, kernel_arm.s reads %v", got, want)
	}
}

// TestNEONChosenARM checks that the NEON kernel is the default exactly
// when the CPU has NEON (qemu -cpu cortex-a7 has it, -cpu arm1176 not).
func TestNEONChosenARM(t *testing.T) {
	want := "generic 2x2"
	if cpu.ARM.HasNEON {
		want = "neon 6x8"
	}
	if got := pickKernel(""); got.name != want {
		t.Fatalf("kernel %s on a CPU with NEON=%v, want %s", got.name, cpu.ARM.HasNEON, want)
	}
	t.Logf("NEON=%v VFPv4=%v: kernel %s", cpu.ARM.HasNEON, cpu.ARM.HasVFPv4, KernelName())
}
