//go:build noasm || !arm64

package vec

// max3x3s2RowsAsm leaves Max3x3S2Rows to a call of Max3x3S2 per row: this
// build has no assembly for it.
func max3x3s2RowsAsm(dst []float32, ldd int, src []float32, w, n, rows int) bool { return false }
