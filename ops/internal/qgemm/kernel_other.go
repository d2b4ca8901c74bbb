//go:build noasm || !(amd64 || arm64)

package qgemm

// asmKernels returns no kernels: this build has no assembly.
func asmKernels() []*Kernel { return nil }

// interleaveAsm returns nil: Interleave4 runs in Go.
func interleaveAsm() func(dst, s0, s1, s2, s3 []byte, flip byte) int { return nil }

// tile runs the Go tile kernel (see Kernel).
func (k *Kernel) tile(kq int, a, b []byte, offs []int32, c []byte, ldc int, ep *tileEp, n int) {
	tilesGo(kq, a, b, offs, c, ldc, ep, n)
}

// dwPlane runs the Go depthwise plane.
func (k *Kernel) dwPlane(p *dwPlane) { dwGo(p) }
