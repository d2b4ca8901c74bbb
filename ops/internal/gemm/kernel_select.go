package gemm

import (
	"fmt"
	"os"
	"strings"
)

// kernelEnv names the environment variable that overrides the kernel choice
// at start-up: a family ("generic", "avx2", "avx512", "neon") or a full
// kernel name. An unknown or unsupported value leaves the default.
const kernelEnv = "EDGEINFER_GEMM_KERNEL"

func init() {
	kern = pickKernel(os.Getenv(kernelEnv))
}

// availableKernels returns every kernel this build can run on this CPU,
// fastest first; the generic one is last.
func availableKernels() []microKernel {
	return append(asmKernels(), genericKernel())
}

// pickKernel returns the available kernel whose name or family (the name up
// to its first space) is name, or the fastest one when none is.
func pickKernel(name string) microKernel {
	ks := availableKernels()
	for _, k := range ks {
		family, _, _ := strings.Cut(k.name, " ")
		if name == k.name || name == family {
			return k
		}
	}
	return ks[0]
}

// KernelName returns the name of the micro-kernel every product uses, such
// as "avx512 8x32" or "generic 2x2".
func KernelName() string { return kern.name }

// asmKernel wraps an assembly micro-kernel, which trusts its arguments, in
// the bounds checks that keep it inside its slices.
// The blocking sizes are those of blocked.
func asmKernel(name string, mr, nr int, blocked microKernel, f func(k int, a, b, c []float32, ldc int, add bool)) microKernel {
	blocked.name, blocked.mr, blocked.nr = name, mr, nr
	m := blocked
	blocked.fn = func(k int, a, b, c []float32, ldc int, add bool) {
		m.check(k, len(a), len(b), c, ldc)
		f(k, a, b, c, ldc, add)
	}
	return blocked
}

// check panics unless the aLen floats of A, the bLen of B and c hold what
// an assembly kernel call reads and writes.
func (m *microKernel) check(k, aLen, bLen int, c []float32, ldc int) {
	if k < 0 || aLen < m.mr*k || bLen < m.nr*k || ldc < m.nr || len(c) < (m.mr-1)*ldc+m.nr {
		panic(fmt.Sprintf("gemm: %s kernel given %d A, %d B and %d C floats (stride %d) for k=%d",
			m.name, aLen, bLen, len(c), ldc, k))
	}
}

// checkStrip panics unless the slices given a strip call (see
// microKernel.strip) hold what its n tiles read and write: A packed, or
// k steps lda floats apart; n packed B panels bstride floats apart, or B
// read through offs (whose reach Product.check bounds); C; and the
// epilogue's bias and residual.
func (m *microKernel) checkStrip(n, bstride, k int, a []float32, lda int, b []float32, offs []int32, c []float32, ldc int, withEp bool, e *tileEpilogue) {
	mr, nr := m.mr, m.nr
	bad := n < 1 || k < 0 || bstride < 0 || ldc < nr || len(c) < (mr-1)*ldc+n*nr
	switch {
	case lda != 0:
		bad = bad || k > 0 && (lda < mr || len(a) < (k-1)*lda+mr)
	default:
		bad = bad || len(a) < mr*k
	}
	switch {
	case offs != nil:
		bad = bad || len(offs) < k || len(b) == 0
	default:
		bad = bad || len(b) < (n-1)*bstride+nr*k
	}
	if withEp {
		bad = bad || e.bias != nil && len(e.bias) < mr || e.res != nil && (e.ldr < nr || len(e.res) < (mr-1)*e.ldr+n*nr)
	}
	if bad {
		panic(fmt.Sprintf("gemm: %s strip of %d tiles given %d A (stride %d), %d B (panels %d apart), %d offsets and %d C floats (stride %d) for k=%d",
			m.name, n, len(a), lda, len(b), bstride, len(offs), len(c), ldc, k))
	}
}

// asmStripKernel wraps the assembly kernel forms of k on strips of n
// tiles (mul with B packed, ind with B through offsets, sa with A read in
// place; see microKernel.strip) in the bounds checks of checkStrip.
// Like the wrappers above, it is small enough to be inlined where the
// kernels are chosen, so the calls through its function values become
// direct and the epilogue's pointer does not escape (a strip wrapper not
// inlined allocated at every call).
func asmStripKernel(k microKernel,
	mul func(k int, a, b, c []float32, ldc int, add bool, ep *tileEpilogue, n, bstride int),
	ind func(k int, a, b []float32, offs []int32, c []float32, ldc int, add bool, ep *tileEpilogue, n, bstride int),
	sa func(k int, a []float32, lda int, b, c []float32, ldc int, add bool, ep *tileEpilogue, n, bstride int),
) func(n, bstride, k int, a []float32, lda int, b []float32, offs []int32, c []float32, ldc int, add, withEp bool, e tileEpilogue) {
	return func(n, bstride, kk int, a []float32, lda int, b []float32, offs []int32, c []float32, ldc int, add, withEp bool, e tileEpilogue) {
		k.checkStrip(n, bstride, kk, a, lda, b, offs, c, ldc, withEp, &e)
		var ep *tileEpilogue
		if withEp {
			ep = &e
		}
		switch {
		case offs != nil:
			ind(kk, a, b, offs, c, ldc, add, ep, n, bstride)
		case lda != 0:
			sa(kk, a, lda, b, c, ldc, add, ep, n, bstride)
		default:
			mul(kk, a, b, c, ldc, add, ep, n, bstride)
		}
	}
}

// asmHalfKernel wraps the assembly half-height strip kernel of k (see
// microKernel.half) in the bounds checks of its mr/2 rows of A (k steps
// lda floats apart), its n B panels bstride floats apart and C.
func asmHalfKernel(k microKernel, f func(k int, a []float32, lda int, b, c []float32, ldc int, add bool, n, bstride int)) func(n, bstride, k int, a []float32, lda int, b, c []float32, ldc int, add bool) {
	return func(n, bstride, kk int, a []float32, lda int, b, c []float32, ldc int, add bool) {
		h, nr := k.mr/2, k.nr
		if n < 1 || kk < 0 || bstride < 0 || ldc < nr || len(c) < (h-1)*ldc+n*nr ||
			kk > 0 && (lda < h || len(a) < (kk-1)*lda+h) || len(b) < (n-1)*bstride+nr*kk {
			panic(fmt.Sprintf("gemm: %s half strip of %d tiles given %d A (stride %d), %d B (panels %d apart) and %d C floats (stride %d) for k=%d",
				k.name, n, len(a), lda, len(b), bstride, len(c), ldc, kk))
		}
		f(kk, a, lda, b, c, ldc, add, n, bstride)
	}
}

// asmHalfColsKernel wraps the assembly half-width kernel of k (see
// microKernel.halfCols) in the bounds checks of its packed A and B
// panels and its mr rows of nr/2 floats of C.
func asmHalfColsKernel(k microKernel, f func(k int, a, b, c []float32, ldc int)) func(k int, a, b, c []float32, ldc int) {
	return func(kk int, a, b, c []float32, ldc int) {
		w := k.nr / 2
		if kk < 0 || len(a) < k.mr*kk || kk > 0 && len(b) < k.nr*(kk-1)+w || ldc < w || len(c) < (k.mr-1)*ldc+w {
			panic(fmt.Sprintf("gemm: %s half-width kernel given %d A, %d B and %d C floats (stride %d) for k=%d",
				k.name, len(a), len(b), len(c), ldc, kk))
		}
		f(kk, a, b, c, ldc)
	}
}

// checkEpilogue panics unless e's slices hold what a kernel's tile
// epilogue reads.
func (m *microKernel) checkEpilogue(e *tileEpilogue) {
	if e.bias != nil && len(e.bias) < m.mr || e.res != nil && (e.ldr < m.nr || len(e.res) < (m.mr-1)*e.ldr+m.nr) {
		panic(fmt.Sprintf("gemm: tile epilogue given %d bias and %d residual floats (stride %d)", len(e.bias), len(e.res), e.ldr))
	}
}

// asmEpilogueKernel wraps the assembly kernel of k that applies a tile
// epilogue in the bounds checks of k.fn and those of the epilogue's slices.
func asmEpilogueKernel(k microKernel, f func(k int, a, b, c []float32, ldc int, add bool, ep *tileEpilogue)) func(k int, a, b, c []float32, ldc int, add bool, e tileEpilogue) {
	return func(kk int, a, b, c []float32, ldc int, add bool, e tileEpilogue) {
		k.check(kk, len(a), len(b), c, ldc)
		k.checkEpilogue(&e)
		f(kk, a, b, c, ldc, add, &e)
	}
}

// asmIndirectKernel wraps the indirect assembly kernel of k in the bounds
// checks of A, C, the offsets and the epilogue; that every offset leaves
// nr floats of B was checked once for the product (Product.check).
func asmIndirectKernel(k microKernel, f func(k int, a, b []float32, offs []int32, c []float32, ldc int, add bool, ep *tileEpilogue)) func(k int, a, b []float32, offs []int32, c []float32, ldc int, add, withEp bool, e tileEpilogue) {
	return func(kk int, a, b []float32, offs []int32, c []float32, ldc int, add, withEp bool, e tileEpilogue) {
		if len(offs) < kk || len(b) == 0 {
			panic(fmt.Sprintf("gemm: indirect kernel given %d offsets and %d B floats for k=%d", len(offs), len(b), kk))
		}
		k.check(kk, len(a), k.nr*kk, c, ldc)
		if !withEp {
			f(kk, a, b, offs, c, ldc, add, nil)
			return
		}
		k.checkEpilogue(&e)
		f(kk, a, b, offs, c, ldc, add, &e)
	}
}

// asmStridedAKernel wraps the assembly kernel of k that reads A in place
// in the bounds checks of A (k steps lda floats apart), B, C and the
// epilogue.
func asmStridedAKernel(k microKernel, f func(k int, a []float32, lda int, b, c []float32, ldc int, add bool, ep *tileEpilogue)) func(k int, a []float32, lda int, b, c []float32, ldc int, add, withEp bool, e tileEpilogue) {
	return func(kk int, a []float32, lda int, b, c []float32, ldc int, add, withEp bool, e tileEpilogue) {
		if kk > 0 && (lda < k.mr || len(a) < (kk-1)*lda+k.mr) {
			panic(fmt.Sprintf("gemm: strided-A kernel given %d A floats (stride %d) for k=%d", len(a), lda, kk))
		}
		k.check(kk, k.mr*kk, len(b), c, ldc)
		if !withEp {
			f(kk, a, lda, b, c, ldc, add, nil)
			return
		}
		k.checkEpilogue(&e)
		f(kk, a, lda, b, c, ldc, add, &e)
	}
}

// asmRowKernel wraps the assembly row kernel of k in bounds checks.
func asmRowKernel(k microKernel, f func(k int, a, b, c []float32, add bool)) func(k int, a, b, c []float32, add bool) {
	mr, nr := k.mr, k.nr
	return func(k int, a, b, c []float32, add bool) {
		if k < 0 || k > 0 && len(a) < mr*(k-1)+1 || len(b) < nr*k || len(c) < nr {
			panic(fmt.Sprintf("gemm: row kernel given %d A, %d B and %d C floats for k=%d", len(a), len(b), len(c), k))
		}
		f(k, a, b, c, add)
	}
}
