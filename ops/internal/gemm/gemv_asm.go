//go:build !noasm && (amd64 || arm64 || arm)

package gemm

import "unsafe"

// asmGemv wraps an assembly GEMV kernel for panels nr columns wide, which
// trusts its arguments, in the bounds checks that keep it inside its
// slices.
func asmGemv(nr int, f func(k, panels int, x, b *float32, ldb, pstride int, y, bias *float32, lo, hi float32)) gemvFunc {
	return func(k, panels int, x, b []float32, ldb, pstride int, y, bias []float32, lo, hi float32) {
		checkGemv(nr, k, panels, x, b, ldb, pstride, y, bias)
		if panels == 0 {
			return
		}
		var bp *float32
		if bias != nil {
			bp = unsafe.SliceData(bias)
		}
		f(k, panels, unsafe.SliceData(x), unsafe.SliceData(b), ldb, pstride, unsafe.SliceData(y), bp, lo, hi)
	}
}
