package dwconv

import (
	"math"
	"unsafe"
)

// kernel is an implementation of the row loops.
type kernel struct {
	name  string
	lanes int // outputs per vector
	// masked kernels compute whole rows, their border vectors with masked
	// loads and stores; the others the interior, at least lanes outputs
	// per row.
	masked bool
	// asm is set for the assembly kernels, which callRows and
	// callActivate run (direct calls, so that their args stay on the
	// stack).
	asm bool
	// blocked kernels also compute lanes channels at once (see
	// blocked.go), through callBlock and callPack.
	blocked bool
}

// goKernel is the kernel of builds without assembly: Go does all.
var goKernel = kernel{name: "go", lanes: 1}

// kern is the kernel every plan uses.
var kern = &availableKernels()[0]

// args is one call of an assembly row kernel: rows output rows, the first
// at y (and res), each ldy bytes after the previous and reading the input
// ldx bytes further on. Output j of a row (of an interior kernel's n; of
// a masked kernel's vectors: a first one with the masks at first, when
// not nil, n plain ones, and ntail ones with the masks at tails, 128
// bytes apart) is the bias plus, over kh kernel rows (ldk bytes apart in x and kw
// weights apart at w) and kw taps (dil bytes apart), weight times the
// input at x + xoff + the row's offset + j*stride floats; then the
// residual is added (when res is not nil) and act applied. Assembly reads
// the fields at the offsets given.
type args struct {
	y, x, res, w unsafe.Pointer // 0, 8, 16, 24
	xoff         int            // 32: bytes from x to the first tap, negative in the padding
	rows         int            // 40
	ldy, ldx     int            // 48, 56
	kh, ldk      int            // 64, 72
	kw, dil      int            // 80, 88
	n            int            // 96
	first, tails unsafe.Pointer // 104, 112: a masked kernel's border masks (see Plan.masks)
	full         unsafe.Pointer // 120: all-ones masks
	act          Act            // 128
	bias         float32        // 132
	lo, hi       float32        // 136, 140
	alpha, beta  float32        // 144, 148
	consts       unsafe.Pointer // 152: &consts
	ntail        int            // 160
	// The blocked kernels read y, x (the transposed input), res, w (the
	// block's packed weights), rows and n (output rows and columns),
	// ldx (bytes between the inputs of output rows), kh, ldk, kw and
	// dil (bytes between taps), the epilogue, and:
	idx  unsafe.Pointer // 168: &[16]int32, each lane's plane offset in y and res, in floats
	bvec unsafe.Pointer // 176: &[16]float32, each lane's bias
	mask int            // 184: the lanes computed, a bit each
}

// run calls the kernel for the rows of c.
func (k *kernel) run(c *call, p *Plan) {
	a := args{
		y: unsafe.Pointer(&c.y[c.yo]), x: unsafe.Pointer(unsafe.SliceData(c.x)), w: unsafe.Pointer(unsafe.SliceData(c.w)),
		xoff: 4 * c.xo, rows: c.rows, ldy: 4 * c.ldy, ldx: 4 * c.ldx, kh: c.kh, ldk: 4 * c.ldk, kw: c.kw, dil: 4 * c.dil,
		n: c.n, full: unsafe.Pointer(&p.masks[3]), bias: c.bias,
	}
	a.setEpilogue(c.e)
	if c.res != nil {
		a.res = unsafe.Pointer(&c.res[c.yo])
	}
	if k.masked {
		a.n = p.plain
		if p.first {
			a.first = unsafe.Pointer(&p.masks[0])
		}
		a.tails, a.ntail = unsafe.Pointer(&p.masks[1]), p.tails
	}
	callRows(k, p.s.StrideW, &a)
}

// setEpilogue sets a's activation from e.
func (a *args) setEpilogue(e *Epilogue) {
	a.act, a.lo, a.hi, a.alpha, a.beta = e.Act, e.Lo, e.Hi, e.Alpha, e.Beta
	a.consts = unsafe.Pointer(&consts)
}

// consts are the assembly's constants, each repeated across a 64-byte
// line: the exponential's (after Cephes' expf: exp(r) for |r| <= ln2/2 by
// a degree-7 polynomial, times 2^n), the bit of each lane (for AVX2 to
// expand bit masks into vector masks) and the indices of even values (for
// AVX-512 to deinterleave a stride-2 load).
var consts = func() (c [constCount][16]uint32) {
	f := func(i int, v float32) {
		for l := range c[i] {
			c[i][l] = math.Float32bits(v)
		}
	}
	f(cOne, 1)
	f(cLog2e, math.Log2E)
	f(cLn2Hi, 0.693359375)
	f(cLn2Lo, -2.12194440e-4)
	for i, p := range [...]float32{1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1} {
		f(cP0+i, p)
	}
	f(cExpHi, 88.72283905206835) // ln of the largest float32: n <= 128, and 2^128 is +Inf
	f(cExpLo, -87)
	for l := range 16 {
		c[cBitsLo][l] = 1 << (l % 8)
		c[cBitsHi][l] = 1 << (8 + l%8)
		c[cEvens][l] = uint32(2 * l)
	}
	return c
}()

// Indices into consts; the assembly reads them at index*64.
const (
	cOne   = iota // 1.0
	cLog2e        // log2(e)
	cLn2Hi        // ln 2 = cLn2Hi + cLn2Lo, cLn2Hi*n exact
	cLn2Lo
	cP0 // the polynomial's coefficients, highest degree first
	cP1
	cP2
	cP3
	cP4
	cP5
	cExpHi  // exp's argument is clamped to [cExpLo, cExpHi]: 2^n stays a normal float32
	cExpLo  //
	cBitsLo // 1 << lane, lanes 0-7 (repeated)
	cBitsHi // 1 << (8 + lane)
	cEvens  // 0, 2, 4, ..., 30
	constCount
)
