package qgemm

import (
	"encoding/binary"
	"fmt"
)

// The byte moves that lay a convolution's input out for the kernels:
// Interleave4 makes columns of four channels, CopyFlip copies a row into
// the kernels' signedness, Fill4 repeats a four-byte pattern (padding).

// interleave4 is the SIMD Interleave4 of this CPU, nil for Go's, and
// interleaveRows its Interleave4Rows, nil for row-by-row calls.
var (
	interleave4    = interleaveAsm()
	interleaveRows = interleaveRowsAsm()
)

// interleaveRowsFunc is a SIMD Interleave4Rows of the first rows,
// returning how many it did.
type interleaveRowsFunc = func(dst, s0, s1, s2, s3 []byte, n, stride int, flip byte, rows, lds, ldd int) int

// Interleave4 stores s0[i·stride], s1[i·stride], s2[i·stride] and
// s3[i·stride], each XOR flip, at dst[4i:4i+4] for every i < n: four rows
// become one row of four-byte columns.
func Interleave4(dst, s0, s1, s2, s3 []byte, n, stride int, flip byte) {
	if n <= 0 {
		return
	}
	last := (n-1)*stride + 1
	if stride < 1 || len(dst) < 4*n || len(s0) < last || len(s1) < last || len(s2) < last || len(s3) < last {
		panic(fmt.Sprintf("qgemm: Interleave4 of %d bytes at stride %d into %d, rows of %d, %d, %d, %d", n, stride, len(dst), len(s0), len(s1), len(s2), len(s3)))
	}
	done := 0
	if interleave4 != nil {
		done = interleave4(dst[:4*n], s0[:last], s1[:last], s2[:last], s3[:last], n, stride, flip)
	}
	if done == n {
		return
	}
	o := done * stride
	interleaveGo(dst[4*done:], s0[o:], s1[o:], s2[o:], s3[o:], n-done, stride, flip)
}

// Interleave4Rows is Interleave4 of rows rows of n columns, row r read
// from s0[r·lds:], s1[r·lds:], s2[r·lds:] and s3[r·lds:] and stored at
// dst[r·ldd:]: a convolution's padded input rows (ldd leaving room for
// the padding between them), in one call where the Go around one call a
// row (ResNet's rows of 7-56 columns) cost more than the NEON loop.
func Interleave4Rows(dst, s0, s1, s2, s3 []byte, n, stride int, flip byte, rows, lds, ldd int) {
	if n <= 0 || rows <= 0 {
		return
	}
	last := (rows-1)*lds + (n-1)*stride + 1
	if stride < 1 || lds < 0 || ldd < 4*n || len(dst) < (rows-1)*ldd+4*n ||
		len(s0) < last || len(s1) < last || len(s2) < last || len(s3) < last {
		panic(fmt.Sprintf("qgemm: Interleave4Rows of %d rows of %d bytes at stride %d (%d, %d apart) into %d, rows of %d, %d, %d, %d",
			rows, n, stride, lds, ldd, len(dst), len(s0), len(s1), len(s2), len(s3)))
	}
	done := 0
	if interleaveRows != nil {
		done = interleaveRows(dst, s0, s1, s2, s3, n, stride, flip, rows, lds, ldd)
	}
	for r := done; r < rows; r++ {
		o := r * lds
		Interleave4(dst[r*ldd:], s0[o:], s1[o:], s2[o:], s3[o:], n, stride, flip)
	}
}

// interleaveGo is Interleave4 in Go.
func interleaveGo(dst, s0, s1, s2, s3 []byte, n, stride int, flip byte) {
	f := uint32(flip) * 0x01010101
	for i := range n {
		j := i * stride
		q := uint32(s0[j]) | uint32(s1[j])<<8 | uint32(s2[j])<<16 | uint32(s3[j])<<24
		binary.LittleEndian.PutUint32(dst[4*i:], q^f)
	}
}

// CopyFlip copies src into dst, each byte XOR flip.
func CopyFlip(dst, src []byte, flip byte) {
	if flip == 0 {
		copy(dst, src)
		return
	}
	dst = dst[:len(src)]
	f := uint64(flip) * 0x0101010101010101
	i := copyFlipAsm(dst, src, flip)
	for ; i+8 <= len(src); i += 8 {
		binary.LittleEndian.PutUint64(dst[i:], binary.LittleEndian.Uint64(src[i:])^f)
	}
	for ; i < len(src); i++ {
		dst[i] = src[i] ^ flip
	}
}

// Fill4 fills dst (a multiple of four bytes) with the little-endian
// pattern q.
func Fill4(dst []byte, q uint32) {
	if len(dst) == 0 {
		return
	}
	binary.LittleEndian.PutUint32(dst, q)
	for n := 4; n < len(dst); n *= 2 {
		copy(dst[n:], dst[:n])
	}
}
