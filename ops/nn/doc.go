// Package nn holds the neural-network layers: convolution (direct,
// packed-GEMM, implicit im2col, Winograd), Gemm and MatMul, the pools,
// BatchNormalization and LRN. Weights are packed once, when the runtime
// prepares a plan. The operators register themselves with package ops when
// this package is imported.
package nn
