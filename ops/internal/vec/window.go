package vec

import "fmt"

// Max3S2 sets dst[i] = max(src[2i], src[2i+1], src[2i+2]) for every i of
// dst, with Go's max semantics (NaN in, NaN out): a max pool's 3-wide,
// stride-2 window along a row. src must hold 2*len(dst)+1 values.
func Max3S2(dst, src []float32) { Max3x3S2(dst, src, src, src) }

// Max3x3S2 sets dst[i] to the largest of r[2i], r[2i+1] and r[2i+2] over
// the three rows r0, r1, r2, with Go's max semantics (NaN in, NaN out):
// a max pool's 3x3, stride-2 window (ResNet's, SqueezeNet's and
// GoogLeNet's pools) in one pass over its three input rows. Each row
// must hold 2*len(dst)+1 values.
func Max3x3S2(dst, r0, r1, r2 []float32) {
	if len(dst) == 0 {
		return
	}
	n := 2*len(dst) + 1
	r0, r1, r2 = r0[:n], r1[:n], r2[:n]
	i, block := max3x3s2Asm(dst, r0, r1, r2)
	if i < len(dst) && i >= block {
		// The last outputs as one more block, overlapping the one before.
		j := len(dst) - block
		max3x3s2Asm(dst[j:], r0[2*j:], r1[2*j:], r2[2*j:])
		i = len(dst)
	}
	max3x3s2Go(dst[i:], r0[2*i:], r1[2*i:], r2[2*i:])
}

// Max3x3S2Rows computes Max3x3S2 for rows rows of n outputs: row r,
// dst[r*ldd:][:n], from the three rows src[2r*w:], src[(2r+1)*w:] and
// src[(2r+2)*w:] (each holding 2n+1 values): a max pool's windows inside
// a plane of rows w floats apart in one call (SqueezeNet's pooled rows
// hold 13 to 55 values, where a call a row cost more than its SIMD loop).
func Max3x3S2Rows(dst []float32, ldd int, src []float32, w, n, rows int) {
	if rows <= 0 || n <= 0 {
		return
	}
	if ldd < n || w < 0 || len(dst) < (rows-1)*ldd+n || len(src) < 2*rows*w+2*n+1 {
		panic(fmt.Sprintf("vec: Max3x3S2Rows of %d rows of %d (stride %d) in %d floats, from rows %d apart in %d",
			rows, n, ldd, len(dst), w, len(src)))
	}
	if max3x3s2RowsAsm(dst, ldd, src, w, n, rows) {
		return
	}
	for r := range rows {
		Max3x3S2(dst[r*ldd:][:n], src[2*r*w:], src[(2*r+1)*w:], src[(2*r+2)*w:])
	}
}

// Max3x3S1 sets dst[i] to the largest of r[i], r[i+1] and r[i+2] over
// the three rows r0, r1, r2, with Go's max semantics (NaN in, NaN out):
// a max pool's 3x3, stride-1 window (Inception's pooling branches) in
// one pass over its three input rows. Each row must hold len(dst)+2
// values.
func Max3x3S1(dst, r0, r1, r2 []float32) {
	if len(dst) == 0 {
		return
	}
	n := len(dst) + 2
	r0, r1, r2 = r0[:n], r1[:n], r2[:n]
	i, block := max3x3s1Asm(dst, r0, r1, r2)
	if i < len(dst) && i >= block {
		// The last outputs as one more block, overlapping the one before.
		j := len(dst) - block
		max3x3s1Asm(dst[j:], r0[j:], r1[j:], r2[j:])
		i = len(dst)
	}
	max3x3s1Go(dst[i:], r0[i:], r1[i:], r2[i:])
}

// max3x3s1Go is Max3x3S1's loop in Go; it returns len(dst).
func max3x3s1Go(dst, r0, r1, r2 []float32) int {
	for i := range dst {
		dst[i] = max(r0[i], r0[i+1], r0[i+2], r1[i], r1[i+1], r1[i+2], r2[i], r2[i+1], r2[i+2])
	}
	return len(dst)
}

// max3x3s2Go is Max3x3S2's loop in Go; it returns len(dst).
func max3x3s2Go(dst, r0, r1, r2 []float32) int {
	for i := range dst {
		dst[i] = max(r0[2*i], r0[2*i+1], r0[2*i+2], r1[2*i], r1[2*i+1], r1[2*i+2], r2[2*i], r2[2*i+1], r2[2*i+2])
	}
	return len(dst)
}
