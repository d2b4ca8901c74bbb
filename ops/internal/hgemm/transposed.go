package hgemm

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
)

// The transposed form serves products whose left operand changes on
// every run and whose right one is constant: the Winograd convolution's
// per-point products Vᵀ U_pᵀ, tiles by input channels times input by
// output channels (a narrow F(4x4, 3x3), whose transformed inputs are
// rows of tiles). The right operand is packed once in fp16 (PackBT), the
// left one converted to fp16 panels as the product reads it (MulT).

// PackedB is a right operand (K x N) in fp16, cut into panels of NR
// columns: panel j holds K steps of NR values, zero past column N.
type PackedB struct {
	k, n int
	data []uint16
}

// PackBT packs B (k x n) given transposed: bt is n x k, rows ldb floats
// apart (a Winograd point's weights U_p, output by input channels).
func PackBT(k, n int, bt []float32, ldb int) PackedB {
	if n > 0 && k > 0 && (ldb < k || len(bt) < (n-1)*ldb+k) {
		panic(fmt.Sprintf("hgemm: Bᵀ is %d floats with stride %d, too small for %dx%d", len(bt), ldb, n, k))
	}
	pb := PackedB{k: k, n: n, data: make([]uint16, ceilDiv(n, NR)*NR*k)}
	for j := range n {
		panel := pb.data[j/NR*NR*k:]
		for p, v := range bt[j*ldb : j*ldb+k] {
			panel[p*NR+j%NR] = onnx.F32ToF16(v)
		}
	}
	return pb
}

// Valid reports whether pb holds an operand.
func (pb *PackedB) Valid() bool { return pb.data != nil }

// Dims returns B's rows and columns.
func (pb *PackedB) Dims() (k, n int) { return pb.k, pb.n }

// Bytes is the memory the packed operand holds.
func (pb *PackedB) Bytes() int { return 2 * len(pb.data) }

// MulTWorkLen is the number of halves of work MulT needs for an m-row
// product over k steps: A's fp16 panels.
func MulTWorkLen(m, k int) int { return ceilDiv(m, MR) * MR * k }

// MulT computes C = A * B serially, C being m x n (b's n) with rows ldc
// floats apart, for A (m x k, b's k) given transposed in float32: element
// (i, p) is a[p*lda+i]. Whole panels of MR rows are read, so lda must be
// at least m rounded up to MR (the rows past m read are computed but not
// stored); A's fp16 panels go to work (MulTWorkLen halves).
func MulT(m int, a []float32, lda int, b *PackedB, c []float32, ldc int, work []uint16) {
	k, n := b.Dims()
	if m == 0 || n == 0 {
		return
	}
	mp := ceilDiv(m, MR) * MR
	if lda < mp || k > 0 && len(a) < (k-1)*lda+mp || ldc < n || len(c) < (m-1)*ldc+n || len(work) < MulTWorkLen(m, k) {
		panic(fmt.Sprintf("hgemm: MulT given %d A floats (stride %d), %d C floats (stride %d), %d work halves for %dx%dx%d",
			len(a), lda, len(c), ldc, len(work), m, n, k))
	}
	for i := 0; i < mp; i += MR {
		packPanelA(k, a[i:], lda, work[i*k:][:MR*k])
	}
	var acc [MR * NR]float32
	mulBlock(k, work, b.data, 0, m, 0, n, c, ldc, &noEpilogue, &acc)
}

// noEpilogue is the empty epilogue of MulT.
var noEpilogue gemm.Epilogue

// packPanelAGo converts MR values of each of k steps of a (lda floats
// apart) to fp16, a panel of A.
func packPanelAGo(k int, a []float32, lda int, dst []uint16) {
	for p := range k {
		for r, v := range a[p*lda:][:MR] {
			dst[p*MR+r] = onnx.F32ToF16(v)
		}
	}
}
