//go:build !noasm

package gemm

// gemvNEON8 is the NEON GEMV form of the 8x8 kernel (panels of 8
// columns); it trusts its arguments.
//
//go:noescape
func gemvNEON8(k, panels int, x, b *float32, ldb, pstride int, y, bias *float32, lo, hi float32)
