//go:build !arm64 || noasm

package hgemm

// available: only arm64 has the fp16 kernel.
const available = false

func kernel(k int, a, b []uint16, c []float32, ldc int, add bool) { kernelGo(k, a, b, c, ldc, add) }

func packPanel(k int, b []float32, offs []int32, j int, dst []uint16) {
	packPanelGo(k, b, offs, j, dst)
}
