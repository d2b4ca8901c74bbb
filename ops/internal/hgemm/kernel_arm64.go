//go:build !noasm

package hgemm

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// available: the CPU has fp16 scalar and vector arithmetic (FEAT_FP16:
// ARMv8.2 and later, a Cortex-A76 but not a Cortex-A72).
var available = cpu.ARM64.HasFPHP && cpu.ARM64.HasASIMDHP

// kernel is the assembly kernel where the CPU has fp16 arithmetic, the Go
// one elsewhere (tests only: the mode is never chosen there).
func kernel(k, n int, a, b []uint16, bstride int, c []float32, ldc int, mode int, ep *tileEpilogue) {
	if !available {
		kernelGo(k, n, a, b, bstride, c, ldc, mode, ep)
		return
	}
	checkKernel(k, n, a, b, bstride, c, ldc, mode, ep)
	if n == 0 {
		return
	}
	var he halfEpilogue
	if mode&modeEp != 0 {
		he = halfEpilogue{bias: &ep.bias[0], ldr: ep.ldr, lo: ep.lo, hi: ep.hi}
		if mode&modeRes != 0 {
			he.res = &ep.res[0]
		}
	}
	mulH16x8N(k, n, unsafe.SliceData(a), unsafe.SliceData(b), 2*bstride, &c[0], ldc, mode, &he)
}

// halfEpilogue is a tileEpilogue as the assembly reads it: bias at 0, res
// at 8, ldr at 16, lo at 24, hi at 28.
type halfEpilogue struct {
	bias, res *float32
	ldr       int
	lo, hi    float32
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

// mulH16x8N is the 16x8 fp16 kernel over n panels of B (see
// kernel_arm64.s); it trusts its arguments.
//
//go:noescape
func mulH16x8N(k, n int, a, b *uint16, bstride int, c *float32, ldc int, mode int, ep *halfEpilogue)

// packH8 converts 8 floats at b[offs[p]] to fp16 into dst[8p:] for each
// of k > 0 steps; it trusts its arguments.
//
//go:noescape
func packH8(k int, b *float32, offs *int32, dst *uint16)

// packPanelA is packPanelAGo, in assembly where the CPU has fp16.
func packPanelA(k int, a []float32, lda int, dst []uint16) {
	if !available || k == 0 {
		packPanelAGo(k, a, lda, dst)
		return
	}
	if len(a) < (k-1)*lda+MR || len(dst) < MR*k {
		panic("hgemm: packPanelA given too small an A or panel")
	}
	packH16(k, &a[0], lda, &dst[0])
}

// packH16 converts the 16 floats at a + 4*lda*p to fp16 into dst[16p:]
// for each of k > 0 steps; it trusts its arguments.
//
//go:noescape
func packH16(k int, a *float32, lda int, dst *uint16)

// gemvKernel is gemvGo, in assembly where the CPU has fp16 (k a multiple
// of 8).
func gemvKernel(k int, w, x []uint16, dst []float32, add bool) {
	if !available || k%8 != 0 || k == 0 {
		gemvGo(k, w, x, dst, add)
		return
	}
	if len(w) < NR*k || len(x) < k || len(dst) < NR {
		panic("hgemm: gemvKernel given too little W, x or y")
	}
	gemvH8(k, &w[0], &x[0], &dst[0], add)
}

// gemvH8 is the fp16 GEMV panel (see kernel_arm64.s); it trusts its
// arguments.
//
//go:noescape
func gemvH8(k int, w, x *uint16, y *float32, add bool)
