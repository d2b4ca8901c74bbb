//go:build !noasm

package gemm

import (
	"testing"

	"golang.org/x/sys/cpu"
)

// fmaLoopAVX512 runs n iterations of 24 independent ZMM FMAs (768 flops).
func fmaLoopAVX512(n int)

// fmaLoopAVX2 runs n iterations of 12 independent YMM FMAs (192 flops).
func fmaLoopAVX2(n int)

// BenchmarkFMAPeak measures one core's clock-bound FMA throughput, the
// ceiling for the kernels' GFLOP/s.
func BenchmarkFMAPeak(b *testing.B) {
	if cpu.X86.HasAVX512F {
		b.Run("avx512", func(b *testing.B) { benchPeak(b, 768, fmaLoopAVX512) })
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		b.Run("avx2", func(b *testing.B) { benchPeak(b, 192, fmaLoopAVX2) })
	}
}
