//go:build !noasm

package dwconv

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// availableKernels returns the kernels this CPU runs, the fastest first,
// the Go one last. The AVX-512 kernel (16 lanes) needs AVX512BW for its
// 32-bit load masks; both mask their border vectors.
func availableKernels() []kernel {
	var ks []kernel
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW {
		ks = append(ks, kernel{name: "avx512", lanes: 16, masked: true, asm: true, blocked: true})
	}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		ks = append(ks, kernel{name: "avx2", lanes: 8, masked: true, asm: true})
	}
	return append(ks, goKernel)
}

// callRows runs assembly kernel k's row loops at stride 1 or 2.
func callRows(k *kernel, stride int, a *args) {
	switch {
	case k.lanes == 16 && stride == 1:
		rowsAVX512S1(a)
	case k.lanes == 16:
		rowsAVX512S2(a)
	case stride == 1:
		rowsAVX2S1(a)
	default:
		rowsAVX2S2(a)
	}
}

// callActivate runs assembly kernel k's activation loop.
func callActivate(k *kernel, row []float32, a *args) int {
	if k.lanes == 16 {
		return activateAVX512(row, a)
	}
	return activateAVX2(row, a)
}

// callBlock runs assembly kernel k's blocked form at stride 1 or 2.
func callBlock(_ *kernel, stride int, a *args) {
	if stride == 1 {
		blockAVX512S1(a)
	} else {
		blockAVX512S2(a)
	}
}

// callPack and callUnpack run assembly kernel k's transposing copies.
func callPack(_ *kernel, dst, src unsafe.Pointer, n int, idx *[16]int32) {
	packAVX512(dst, src, n, idx)
}

func callUnpack(_ *kernel, dst, src unsafe.Pointer, n, lanes int, idx *[16]int32) {
	unpackAVX512(dst, src, n, lanes, idx)
}

// blockAVX512S1 and blockAVX512S2 compute the blocked outputs a
// describes (stride 1 and 2) with AVX-512; they trust a.
//
//go:noescape
func blockAVX512S1(a *args)

//go:noescape
func blockAVX512S2(a *args)

// packAVX512 copies n values of each of 16 channels, channel i's from
// src + idx[i] floats on, into n vectors at dst, transposed 16x16 at a
// time; unpackAVX512 copies them back, the first lanes channels of n
// vectors at src (which holds n rounded up to 16) to dst + idx[i]. They
// trust their arguments.
//
//go:noescape
func packAVX512(dst, src unsafe.Pointer, n int, idx *[16]int32)

//go:noescape
func unpackAVX512(dst, src unsafe.Pointer, n, lanes int, idx *[16]int32)

// rowsAVX512S1 and rowsAVX512S2 compute the rows a describes (stride 1
// and 2) with AVX-512; they trust a.
//
//go:noescape
func rowsAVX512S1(a *args)

//go:noescape
func rowsAVX512S2(a *args)

// rowsAVX2S1 and rowsAVX2S2 compute the rows a describes (stride 1 and
// 2) with AVX2 and FMA; they trust a.
//
//go:noescape
func rowsAVX2S1(a *args)

//go:noescape
func rowsAVX2S2(a *args)

// activateAVX512 and activateAVX2 apply a's activation to the first
// len(row) rounded down to whole vectors values of row and return how
// many.
//
//go:noescape
func activateAVX512(row []float32, a *args) int

//go:noescape
func activateAVX2(row []float32, a *args) int
