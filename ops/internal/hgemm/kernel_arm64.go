//go:build !noasm

package hgemm

import "golang.org/x/sys/cpu"

// available: the CPU has fp16 scalar and vector arithmetic (FEAT_FP16:
// ARMv8.2 and later, a Cortex-A76 but not a Cortex-A72).
var available = cpu.ARM64.HasFPHP && cpu.ARM64.HasASIMDHP

// kernel is the assembly kernel where the CPU has fp16 arithmetic, the Go
// one elsewhere (tests only: the mode is never chosen there).
func kernel(k int, a, b []uint16, c []float32, ldc int, add bool) {
	if !available {
		kernelGo(k, a, b, c, ldc, add)
		return
	}
	if k < 0 || len(a) < MR*k || len(b) < NR*k || ldc < NR || len(c) < (MR-1)*ldc+NR {
		panic("hgemm: kernel given too little A, B or C")
	}
	mulH16x8(k, &a[0], &b[0], &c[0], ldc, add)
}

// packPanel is packPanelGo, in assembly where the CPU has fp16 (the
// conversion, FCVTN, is ARMv8.0, but the panels only serve the kernel).
func packPanel(k int, b []float32, offs []int32, j int, dst []uint16) {
	if !available || k == 0 {
		packPanelGo(k, b, offs, j, dst)
		return
	}
	if len(offs) < k || len(dst) < NR*k {
		panic("hgemm: packPanel given too few offsets or too small a panel")
	}
	// Product.check has checked that every offset leaves N floats of B.
	packH8(k, &b[j], &offs[0], &dst[0])
}

// mulH16x8 is the 16x8 fp16 kernel (see kernel_arm64.s); it trusts its
// arguments. k may be 0 (C gets zeros, or is left as it is when add is
// set).
//
//go:noescape
func mulH16x8(k int, a, b *uint16, c *float32, ldc int, add bool)

// packH8 converts 8 floats at b[offs[p]] to fp16 into dst[8p:] for each
// of k > 0 steps; it trusts its arguments.
//
//go:noescape
func packH8(k int, b *float32, offs *int32, dst *uint16)
