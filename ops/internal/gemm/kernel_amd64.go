//go:build !noasm

package gemm

import "golang.org/x/sys/cpu"

// asmKernels returns the assembly kernels this CPU and OS support, fastest
// first. The AVX-512 kernel keeps an 8x32 tile in 16 ZMM accumulators (the
// driver's seam caps mr*nr at maxTile and needs mr | mc, nr | nc), with K
// blocks of 512 (+6-10% over 256 on ResNet shapes; a 12x32 tile was slower
// on them, their channel counts not being multiples of 12); the AVX2
// kernel keeps a 4x16 tile in 8 YMM accumulators, as many as two FMA pipes
// of latency 4 need, leaving 8 registers for B and the A broadcasts.
func asmKernels() []microKernel {
	var ks []microKernel
	if cpu.X86.HasAVX512F {
		k := asmKernel("avx512 8x32", 8, 32, microKernel{mc: 128, nc: 256, kc: 512},
			func(k int, a, b, c []float32, ldc int, add bool) { mulAVX512x8x32(k, a, b, c, ldc, add, nil, 1, 0) })
		k.row = asmRowKernel(k, rowAVX512x32)
		k.ep = asmEpilogueKernel(k, mulAVX512x8x32Tile)
		k.ind = asmIndirectKernel(k, mulIndAVX512x8x32Tile)
		k.sa = asmStridedAKernel(k, mulSAAVX512x8x32Tile)
		k.strip = asmStripKernel(k, mulAVX512x8x32, mulIndAVX512x8x32, mulSAAVX512x8x32)
		k.gemv = asmGemv(32, gemvAVX512x32)
		k.rows = asmRows(16, rowsAVX512)
		ks = append(ks, k)
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		k := asmKernel("avx2 4x16", 4, 16, microKernel{mc: 32, nc: 256, kc: 256}, mulAVX2x4x16)
		k.gemv = asmGemv(16, gemvAVX2x16)
		k.rows = asmRows(8, rowsAVX2)
		ks = append(ks, k)
	}
	return ks
}

// rowsAVX512 and rowsAVX2 are the rows forms (see rows.go) for k a
// multiple of 16 and 8; they trust their arguments.
//
//go:noescape
func rowsAVX512(k, n int, x, b *float32, ldb int, y *float32)

//go:noescape
func rowsAVX2(k, n int, x, b *float32, ldb int, y *float32)

// mulAVX512x8x32 is the AVX-512F 8x32 kernel, applying ep when it is not
// nil, on a strip of n tiles whose B panels are bstride floats apart; it
// trusts its slice lengths. The strips (microKernel.strip) save the Go
// around each tile: MobileNetV2's short-K layers spent 8% of its time
// there.
//
//go:noescape
func mulAVX512x8x32(k int, a, b, c []float32, ldc int, add bool, ep *tileEpilogue, n, bstride int)

// rowAVX512x32 is the AVX-512F 1x32 row kernel of the 8x32 one; it trusts its slice lengths.
//
//go:noescape
func rowAVX512x32(k int, a, b, c []float32, add bool)

// mulAVX2x4x16 is the AVX2+FMA 4x16 kernel; it trusts its slice lengths.
//
//go:noescape
func mulAVX2x4x16(k int, a, b, c []float32, ldc int, add bool)

// mulIndAVX512x8x32 is mulAVX512x8x32 with B read in place; it trusts its
// slice lengths and offsets.
//
//go:noescape
func mulIndAVX512x8x32(k int, a, b []float32, offs []int32, c []float32, ldc int, add bool, ep *tileEpilogue, n, bstride int)

// mulSAAVX512x8x32 is mulAVX512x8x32 with A read in place at stride lda;
// it trusts its slice lengths.
//
//go:noescape
func mulSAAVX512x8x32(k int, a []float32, lda int, b, c []float32, ldc int, add bool, ep *tileEpilogue, n, bstride int)

// The AVX-512 kernels on one tile, for the forms of microKernel that take
// one.

func mulAVX512x8x32Tile(k int, a, b, c []float32, ldc int, add bool, ep *tileEpilogue) {
	mulAVX512x8x32(k, a, b, c, ldc, add, ep, 1, 0)
}

func mulIndAVX512x8x32Tile(k int, a, b []float32, offs []int32, c []float32, ldc int, add bool, ep *tileEpilogue) {
	mulIndAVX512x8x32(k, a, b, offs, c, ldc, add, ep, 1, 0)
}

func mulSAAVX512x8x32Tile(k int, a []float32, lda int, b, c []float32, ldc int, add bool, ep *tileEpilogue) {
	mulSAAVX512x8x32(k, a, lda, b, c, ldc, add, ep, 1, 0)
}
