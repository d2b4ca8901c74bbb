//go:build !arm64 || noasm

package hgemm

// available: only arm64 has the fp16 kernel.
const available = false

func kernel(k, n int, a, b []uint16, bstride int, c []float32, ldc int, mode int, ep *tileEpilogue) {
	checkKernel(k, n, a, b, bstride, c, ldc, mode, ep)
	kernelGo(k, n, a, b, bstride, c, ldc, mode, ep)
}

func packPanel(k int, b []float32, offs []int32, j int, dst []uint16) {
	packPanelGo(k, b, offs, j, dst)
}

func packPanelA(k int, a []float32, lda int, dst []uint16) { packPanelAGo(k, a, lda, dst) }

func gemvKernel(k int, w, x []uint16, dst []float32, add bool) { gemvGo(k, w, x, dst, add) }
