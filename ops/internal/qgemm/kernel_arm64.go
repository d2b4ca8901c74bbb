//go:build !noasm

package qgemm

// asmKernels returns the assembly kernels this CPU runs, fastest first.
func asmKernels() []*Kernel { return nil }

// interleaveAsm returns the SIMD Interleave4 of this CPU.
func interleaveAsm() func(dst, s0, s1, s2, s3 []byte, flip byte) int { return nil }

// tile runs k's tile function (see Kernel).
func (k *Kernel) tile(kq int, a, b []byte, offs []int32, c []byte, ldc int, ep *tileEp, n int) {
	tilesGo(kq, a, b, offs, c, ldc, ep, n)
}

// dwPlane runs k's depthwise plane.
func (k *Kernel) dwPlane(p *dwPlane) { dwGo(p) }
