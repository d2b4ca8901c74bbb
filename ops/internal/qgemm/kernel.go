// Package qgemm holds the int8 kernels of the quantized operators: matrix
// products of 8-bit values accumulating in int32, with the requantizing
// epilogue (offsets, a rank-one correction, the scale, rounding half to
// even, the output range and zero point) applied in registers before a
// tile is stored, and the direct depthwise convolution.
//
// A product C = A·B runs tile by tile on a micro-kernel chosen at
// start-up, and per shape (For): AMX-INT8 (TDPBSUD on 32x32 tiles), AVX-512
// VNNI (VPDPBUSD), AVX-VNNI, AVX2 (VPMADDWD on widened values), NEON with
// the dot product (SDOT, ARMv8.2) or without it (SMULL/SADALP, ARMv8.0),
// or Go. Every kernel reads the same layout of B: k runs in steps of
// four, the columns of B read in place through one byte offset per step,
// each column four consecutive bytes (int8, or uint8 for the x86 kernels,
// whose VPDPBUSD and TDPBSUD multiply unsigned by signed bytes: see
// Kernel.ColsSigned). The rows of A are packed once (PackRows) as MR rows
// of four int8 values per step, or for AMX in tiles of 16 steps (see
// amx_amd64.go). A convolution's input becomes such columns by one
// interleaving pass (Interleave4); a constant B is packed once
// (PackCols).
package qgemm

import (
	"fmt"
	"math/bits"
	"os"
	"strings"
	"unsafe"
)

// interleaveFunc is a SIMD Interleave4 of a prefix of the columns,
// returning how many it did.
type interleaveFunc = func(dst, s0, s1, s2, s3 []byte, n, stride int, flip byte) int

// Mode is what an epilogue stores.
type Mode int32

// Output modes.
const (
	// Int32 stores the corrected sums.
	Int32 Mode = iota
	// Float stores float32(sum) times the scale.
	Float
	// Byte stores the sum requantized to uint8 or int8: float32(sum) times
	// the scale, clamped to [Lo, Hi] (NaN to Lo), rounded half to even,
	// plus Zp. Lo and Hi are the output type's range minus Zp, so the
	// byte is the same for either signedness.
	Byte
)

// tileEp is the epilogue of one MR×NR tile, read by the assembly at fixed
// offsets: sum(r, c) = rowOff[r] + colOff[c] + Σ a·b + rowMul[r]·colMul[c]
// (the last term only when rowMul is not nil), then stored as mode says
// with the scale scale[r] (scaleCols 0) or scale[c] (scaleCols 1). Every
// slice holds at least a tile's rows or columns. A nonzero keep (kernels
// with compressed stores, in the modes of Kernel.compress) stores, of
// each row, only the columns of its set bits, one after the other.
type tileEp struct {
	rowOff    []int32   // 0
	colOff    []int32   // 24
	rowMul    []int32   // 48
	colMul    []int32   // 72
	scale     []float32 // 96
	scaleCols int64     // 120
	lo, hi    float32   // 128, 132
	zp        int32     // 136
	mode      Mode      // 140
	keep      uint64    // 144
	// run and stride (kernels with runs only), when run > 0: the k steps
	// come in runs of run steps (kq a multiple of it) whose offsets are
	// stride apart, so that the kernel reads one offset a run (see
	// evenRuns).
	run, stride int64 // 152, 160
	// kept is the number of keep's bits, and gather[i], for i < kept and
	// below 16, the column of its i-th (the NEON kernels' TBL index).
	kept   int64    // 168
	gather [16]byte // 176
	// pairs (kernels with pairs only) is nonzero when kq ≥ 2 and the row
	// panels of A hold no -128: two products then fit in int16.
	pairs int64 // 192
	// strides is, for the AMX kernel, each block of 16 k steps' distance
	// between steps in B, or 0 where they are not evenly spaced (see
	// blockStrides); not read by the assembly.
	strides []int32
}

// Kernel is an int8 micro-kernel and the layout it reads.
type Kernel struct {
	// Name is the kernel's family and tile, such as "avx512vnni 8x32".
	Name string
	// MR and NR are the rows and columns of a tile.
	MR, NR int
	// ColsSigned says whether B's columns are int8 (else uint8); A's rows
	// are always int8.
	ColsSigned bool
	// compress is the modes (bits 1<<Mode) in which the tile function
	// takes tileEp.keep.
	compress uint8
	// runs says whether the tile function takes tileEp.run and stride.
	runs bool
	// pairs says whether the tile function takes tileEp.pairs.
	pairs bool
	// fallback is the kernel For gives for the shapes this one does not
	// suit (suits), or nil.
	fallback *Kernel
	// suits reports whether a product runs faster on this kernel than on
	// fallback (see For).
	suits func(m, n, k, run int) bool
	// id selects the kernel's functions (tile and dwPlane, per
	// architecture): a static call keeps the tiles and rows handed to them
	// on their goroutine's stack.
	id kernelID
}

// kernelID names a kernel's functions.
type kernelID int

// The kernels.
const (
	idGeneric kernelID = iota
	idAVX512VNNI
	idAVXVNNI
	idAVX2
	idNEONDot
	idNEON
	idAMX
)

// kernelEnv names the environment variable that picks a kernel at
// start-up by family ("amx", "avx512vnni", "avxvnni", "avx2", "neondot",
// "neon", "generic") or full name; an unknown or unavailable one leaves the
// default.
const kernelEnv = "EDGEINFER_QGEMM_KERNEL"

// kern is the kernel every product uses; auto says it is the one picked
// as the fastest, autoKern, not one named by kernelEnv.
var (
	kern, auto = pick(os.Getenv(kernelEnv))
	autoKern   = func() *Kernel {
		if auto {
			return kern
		}
		return nil
	}()
)

// Kernels returns every kernel this build runs on this CPU, fastest first;
// the Go kernel is last.
func Kernels() []*Kernel { return append(asmKernels(), genericKernel) }

// pick returns the available kernel whose name or family is name, or the
// fastest one and true.
func pick(name string) (*Kernel, bool) {
	ks := Kernels()
	for _, k := range ks {
		family, _, _ := strings.Cut(k.Name, " ")
		if name == k.Name || name == family {
			return k, false
		}
	}
	return ks[0], true
}

// For returns the kernel a product of m rows, n columns and depth k (0:
// unknown) packs for and runs on, its k steps evenly spaced in B in runs
// of run steps (a convolution's channel quads under one tap; all of them
// for packed columns): the current kernel, except that where it was
// picked as the fastest (EDGEINFER_QGEMM_KERNEL names none, and Use did
// not set another) and has a fallback, the shapes it does not suit run on
// the fallback (the AMX kernel's: the AVX-512 VNNI one). A named kernel
// runs every shape. This is the one place that choice is made.
func For(m, n, k, run int) *Kernel {
	if auto && kern.fallback != nil && !kern.suits(m, n, k, run) {
		return kern.fallback
	}
	return kern
}

// Accelerated reports whether the kernel in use is a SIMD one, not the Go
// kernel. On armv7 the NEON kernel (VMULL.S8 and VPADAL.S16, two
// instructions per 8 products) takes more instructions per multiply-add
// than VMLA.F32 does, but a QDQ model fused onto it still runs in 2.4-2.9x
// fewer instructions than its float operators between quantize and
// dequantize passes (SqueezeNet 1.0 296 against 724 M, MobileNetV2 471
// against 1,367 M under qemu-arm -cpu cortex-a7).
func Accelerated() bool { return kern != genericKernel }

// Current returns the kernel in use.
func Current() *Kernel { return kern }

// Use makes k the kernel every product packs for and runs on, returning
// the previous one; tests use it to run each kernel in turn. It must not
// be called while products run or packed operands are kept.
func Use(k *Kernel) *Kernel {
	old := kern
	kern, auto = k, k == autoKern
	return old
}

// A kernel's tile function (Kernel.tile, one per architecture) computes
// n tiles of one column panel over kq steps: a holds n row panels of
// MR·4·kq bytes, step s of B is b[offs[s]:][:4·NR], row r (of n·MR) is
// stored at c[r·ldc:] (elements of the epilogue's mode), and the
// epilogue's per-row vectors hold n·MR values. Its dwPlane computes one
// channel of a depthwise convolution.

// checkTile panics unless the slices of a tile call hold what the
// assembly reads and writes; offsets were checked against b once per
// product (Product.check).
func (k *Kernel) checkTile(kq int, a, b []byte, offs []int32, c []byte, ldc int, ep *tileEp, n int) {
	es, rows, width := ep.mode.size(), n*k.MR, k.NR
	if ep.keep != 0 {
		width = bits.OnesCount64(ep.keep)
	}
	if kq < 0 || n < 1 || len(a) < rows*4*kq || len(offs) < kq || kq > 0 && len(b) == 0 ||
		ldc < width*es || len(c) < (rows-1)*ldc+width*es || ep.keep>>k.NR != 0 ||
		len(ep.rowOff) < rows || len(ep.colOff) < k.NR ||
		ep.rowMul != nil && (len(ep.rowMul) < rows || len(ep.colMul) < k.NR) ||
		ep.mode != Int32 && len(ep.scale) < k.scaleLen(ep, n) {
		panic(fmt.Sprintf("qgemm: %s given %d tiles, kq=%d, %d A bytes, %d offsets, %d C bytes (stride %d), epilogue %d/%d offsets %d/%d multipliers %d scales",
			k.Name, n, kq, len(a), len(offs), len(c), ldc, len(ep.rowOff), len(ep.colOff), len(ep.rowMul), len(ep.colMul), len(ep.scale)))
	}
}

// scaleLen is the scales n tiles read: a row's or a column's each.
func (k *Kernel) scaleLen(ep *tileEp, n int) int {
	if ep.scaleCols != 0 {
		return k.NR
	}
	return n * k.MR
}

// allModes is every mode, as Kernel.compress gives them.
const allModes = 1<<Int32 | 1<<Float | 1<<Byte

// setKeep sets ep.keep, and kept and gather from it.
func (ep *tileEp) setKeep(keep uint64) {
	ep.keep, ep.kept = keep, 0
	for b := keep; b != 0; b &= b - 1 {
		if ep.kept < int64(len(ep.gather)) {
			ep.gather[ep.kept] = byte(bits.TrailingZeros64(b))
		}
		ep.kept++
	}
}

// size is the bytes of one stored element.
func (m Mode) size() int {
	if m == Byte {
		return 1
	}
	return 4
}

// ptr is the address of b's first byte (nil for an empty slice).
func ptr(b []byte) *byte {
	if len(b) == 0 {
		return nil
	}
	return unsafe.SliceData(b)
}
