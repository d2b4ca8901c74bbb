// Package nn holds the neural-network layers: convolution (direct,
// packed-GEMM, implicit im2col, Winograd), ConvTranspose (GEMM and
// col2im), DeformConv and CausalConvWithState, Gemm and MatMul, the pools
// (max, average, Lp, their global forms, MaxUnpool), the normalizations
// (Batch, Layer, RMS, Instance, Group, Lp, mean-variance) and LRN.
// Weights are packed once, when the runtime prepares a plan. The operators
// register themselves with package ops when this package is imported.
package nn
