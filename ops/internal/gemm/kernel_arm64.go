//go:build !noasm

package gemm

// asmKernels returns the NEON kernel, which every arm64 CPU runs: an 8x8
// tile in 16 of the 32 vector registers, multiplied by FMLA by element so
// A needs no broadcasts (A's and B's values of four steps in four
// four-register loads per 64 FMLAs). It applies a tile epilogue in
// registers too (ep), has forms that read B (ind) or a transposed A (sa)
// in place, and computes a strip of tiles in one call in each form
// (strip).
func asmKernels() []microKernel {
	k := asmKernel("neon 8x8", 8, 8, microKernel{mc: 32, nc: 256, kc: 256},
		func(k int, a, b, c []float32, ldc int, add bool) { mulNEON8x8(k, a, b, c, ldc, add, nil, 1, 0) })
	k.ep = asmEpilogueKernel(k, mulNEON8x8Tile)
	k.ind = asmIndirectKernel(k, mulIndNEON8x8Tile)
	k.sa = asmStridedAKernel(k, mulSANEON8x8Tile)
	k.strip = asmStripKernel(k, mulNEON8x8, mulIndNEON8x8, mulSANEON8x8)
	k.half = asmHalfKernel(k, mulSANEON4x8)
	k.halfCols = asmHalfColsKernel(k, mulNEON8x4)
	k.gemv = asmGemv(8, gemvNEON8)
	k.rows = asmRows(4, rowsNEON)
	return []microKernel{k}
}

// rowsNEON is the rows form (see rows.go) for k a multiple of 4; it
// trusts its arguments.
//
//go:noescape
func rowsNEON(k, n int, x, b *float32, ldb int, y *float32)

// mulNEON8x8 is the NEON 8x8 kernel, applying ep when it is not nil, on a
// strip of n tiles whose B panels are bstride floats apart; it trusts its
// slice lengths.
//
//go:noescape
func mulNEON8x8(k int, a, b, c []float32, ldc int, add bool, ep *tileEpilogue, n, bstride int)

// mulIndNEON8x8 is mulNEON8x8 with B read in place through offsets; it
// trusts its slice lengths and offsets.
//
//go:noescape
func mulIndNEON8x8(k int, a, b []float32, offs []int32, c []float32, ldc int, add bool, ep *tileEpilogue, n, bstride int)

// mulSANEON8x8 is mulNEON8x8 with A read in place at stride lda; it
// trusts its slice lengths.
//
//go:noescape
func mulSANEON8x8(k int, a []float32, lda int, b, c []float32, ldc int, add bool, ep *tileEpilogue, n, bstride int)

// mulSANEON4x8 is the half-height form of mulSANEON8x8 (4 rows, no
// epilogue; see microKernel.half); it trusts its slice lengths.
//
//go:noescape
func mulSANEON4x8(k int, a []float32, lda int, b, c []float32, ldc int, add bool, n, bstride int)

// mulNEON8x4 is the half-width form of mulNEON8x8 (4 columns, no add, no
// epilogue; see microKernel.halfCols); it trusts its slice lengths.
//
//go:noescape
func mulNEON8x4(k int, a, b, c []float32, ldc int)

// The kernels on one tile, for the forms of microKernel that take one.

func mulNEON8x8Tile(k int, a, b, c []float32, ldc int, add bool, ep *tileEpilogue) {
	mulNEON8x8(k, a, b, c, ldc, add, ep, 1, 0)
}

func mulIndNEON8x8Tile(k int, a, b []float32, offs []int32, c []float32, ldc int, add bool, ep *tileEpilogue) {
	mulIndNEON8x8(k, a, b, offs, c, ldc, add, ep, 1, 0)
}

func mulSANEON8x8Tile(k int, a []float32, lda int, b, c []float32, ldc int, add bool, ep *tileEpilogue) {
	mulSANEON8x8(k, a, lda, b, c, ldc, add, ep, 1, 0)
}
