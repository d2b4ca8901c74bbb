//go:build !noasm

package gemm

import "testing"

// fmaLoopNEON runs n iterations of 24 independent 4-lane FMLAs (192 flops).
func fmaLoopNEON(n int)

// BenchmarkFMAPeak measures one core's clock-bound FMA throughput, the
// ceiling for the kernels' GFLOP/s.
func BenchmarkFMAPeak(b *testing.B) {
	b.Run("neon", func(b *testing.B) { benchPeak(b, 192, fmaLoopNEON) })
}
