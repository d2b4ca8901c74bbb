package quant

import "github.com/edgeinfer/edgeinfer/ops/internal/qgemm"

// FastKernels reports whether this CPU runs the integer products
// (QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger, QGemm) on SIMD
// kernels (AVX-512 VNNI, AVX-VNNI, AVX2, NEON), rather than on the
// portable Go kernel, which is several times slower than the float
// kernels. A runtime rewriting a QDQ model into these operators only gains
// where it reports true.
func FastKernels() bool { return qgemm.Accelerated() }
