//go:build !noasm

package gemm

// gemvAVX512x32 is the AVX-512F GEMV form of the 8x32 kernel (panels of
// 32 columns); it trusts its arguments.
//
//go:noescape
func gemvAVX512x32(k, panels int, x, b *float32, ldb, pstride int, y, bias *float32, lo, hi float32)

// gemvAVX2x16 is the AVX2+FMA GEMV form of the 4x16 kernel (panels of 16
// columns); it trusts its arguments.
//
//go:noescape
func gemvAVX2x16(k, panels int, x, b *float32, ldb, pstride int, y, bias *float32, lo, hi float32)
