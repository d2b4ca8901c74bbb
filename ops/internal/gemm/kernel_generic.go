package gemm

import "runtime"

// genericKernel picks the pure-Go kernel suited to the target. On amd64 the
// compiler has 15 usable scalar float registers, no fused multiply-add at
// the default GOAMD64 level, and schedules every product of a loop body
// before the loop-carried additions, so only a 2x2 tile (k unrolled by 4)
// runs without spills. arm64 has 32 float registers and fuses x*y+z, so a
// 4x4 tile keeps enough independent accumulators to hide the FMA latency.
func genericKernel() microKernel {
	if runtime.GOARCH == "arm64" {
		return kernel4x4
	}
	return kernel2x2
}

var (
	kernel2x2 = microKernel{name: "generic 2x2", mr: 2, nr: 2, mc: 32, nc: 256, kc: 256, fn: mul2x2, gemv: gemvGo(2), rows: rowsGo}
	kernel4x4 = microKernel{name: "generic 4x4", mr: 4, nr: 4, mc: 32, nc: 256, kc: 256, fn: mul4x4, gemv: gemvGo(4), rows: rowsGo}
)

// mul2x2 is the 2x2 micro-kernel.
func mul2x2(k int, a, b, c []float32, ldc int, add bool) {
	c0, c1 := c[0:2:2], c[ldc:ldc+2:ldc+2]
	var c00, c01, c10, c11 float32
	if add {
		c00, c01, c10, c11 = c0[0], c0[1], c1[0], c1[1]
	}
	var a0, a1, b0, b1 float32
	a = a[:2*k]
	b = b[:2*k]
	for len(a) >= 8 && len(b) >= 8 {
		a0, a1, b0, b1 = a[0], a[1], b[0], b[1]
		c00 += a0 * b0
		c01 += a0 * b1
		c10 += a1 * b0
		c11 += a1 * b1
		a0, a1, b0, b1 = a[2], a[3], b[2], b[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c10 += a1 * b0
		c11 += a1 * b1
		a0, a1, b0, b1 = a[4], a[5], b[4], b[5]
		c00 += a0 * b0
		c01 += a0 * b1
		c10 += a1 * b0
		c11 += a1 * b1
		a0, a1, b0, b1 = a[6], a[7], b[6], b[7]
		c00 += a0 * b0
		c01 += a0 * b1
		c10 += a1 * b0
		c11 += a1 * b1
		a = a[8:]
		b = b[8:]
	}
	for len(a) >= 2 && len(b) >= 2 {
		a0, a1, b0, b1 = a[0], a[1], b[0], b[1]
		c00 += a0 * b0
		c01 += a0 * b1
		c10 += a1 * b0
		c11 += a1 * b1
		a = a[2:]
		b = b[2:]
	}
	c0[0], c0[1], c1[0], c1[1] = c00, c01, c10, c11
}

// mul4x4 is the 4x4 micro-kernel.
func mul4x4(k int, a, b, c []float32, ldc int, add bool) {
	r0, r1, r2, r3 := c[0:4:4], c[ldc:ldc+4:ldc+4], c[2*ldc:2*ldc+4:2*ldc+4], c[3*ldc:3*ldc+4:3*ldc+4]
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	if add {
		c00, c01, c02, c03 = r0[0], r0[1], r0[2], r0[3]
		c10, c11, c12, c13 = r1[0], r1[1], r1[2], r1[3]
		c20, c21, c22, c23 = r2[0], r2[1], r2[2], r2[3]
		c30, c31, c32, c33 = r3[0], r3[1], r3[2], r3[3]
	}
	a = a[:4*k]
	b = b[:4*k]
	for len(a) >= 4 && len(b) >= 4 {
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		a = a[4:]
		b = b[4:]
	}
	r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
	r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
	r2[0], r2[1], r2[2], r2[3] = c20, c21, c22, c23
	r3[0], r3[1], r3[2], r3[3] = c30, c31, c32, c33
}
