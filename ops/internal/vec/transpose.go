package vec

import "fmt"

// Transpose sets dst[j*ldd+i] = src[i*lds+j] for i < rows and j < cols:
// the rows x cols matrix src (stride lds) transposed into dst (stride
// ldd). Blocks of 8x8 run in SIMD where the CPU has it.
func Transpose(dst []float32, ldd int, src []float32, lds int, rows, cols int) {
	if rows <= 0 || cols <= 0 {
		return
	}
	if lds < cols || ldd < rows || len(src) < (rows-1)*lds+cols || len(dst) < (cols-1)*ldd+rows {
		panic(fmt.Sprintf("vec: transpose of %dx%d given %d floats (stride %d) into %d (stride %d)",
			rows, cols, len(src), lds, len(dst), ldd))
	}
	i := 0
	for ; i+8 <= rows; i += 8 {
		if j := transpose8Asm(dst[i:], ldd, src[i*lds:], lds, cols); j < cols {
			transposeGo(dst[j*ldd+i:], ldd, src[i*lds+j:], lds, 8, cols-j)
		}
	}
	if i < rows {
		transposeGo(dst[i:], ldd, src[i*lds:], lds, rows-i, cols)
	}
}

// transposeGo is Transpose in Go.
func transposeGo(dst []float32, ldd int, src []float32, lds int, rows, cols int) {
	for i := range rows {
		for j, v := range src[i*lds : i*lds+cols] {
			dst[j*ldd+i] = v
		}
	}
}
