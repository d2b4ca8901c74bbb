package gemm

// microKernel is the seam between the blocked driver and the innermost
// loop. fn multiplies a packed A micro-panel (k steps of mr values: column p
// of mr consecutive rows of op(A)) by a packed B micro-panel (k steps of nr
// values: row p of nr consecutive columns of op(B)) and writes the mr x nr
// result to the row-major tile c of stride ldc: c = A*B, or c += A*B when
// add is set. The panels are zero-padded, so fn always computes a full
// tile; the driver passes C itself for tiles inside C and a local buffer
// for edge tiles, which it then copies.
//
// The driver packs every operand for the kernel in use, so mr and nr are part
// of the seam, as are the blocking sizes tuned for it (mc x nc tiles of C
// computed kc steps of K at a time). A Go assembly kernel (AVX2, AVX-512,
// NEON) behind build tags replaces kern with its own shape from an init
// function, and a build with the noasm tag keeps the generic one from
// kernel_generic.go. Operands packed with one kernel must not be used with
// another; the driver checks this.
type microKernel struct {
	name       string
	mr, nr     int
	mc, nc, kc int
	fn         func(k int, a, b, c []float32, ldc int, add bool)
	// row, when not nil, computes only row 0 of fn's tile (a 1 x nr
	// c), for products whose tile has a single row of A.
	row func(k int, a, b, c []float32, add bool)
	// ep, when not nil, is fn applying a tile epilogue in registers
	// before the tile is stored (see tileEpilogue).
	ep func(k int, a, b, c []float32, ldc int, add bool, e tileEpilogue)
	// ind, when not nil, is fn with B read in place instead of packed
	// (see IndirectB): step p of the B panel is b[offs[p]:][:nr]. It
	// applies e as ep does when withEp is set, and a kernel with ind has
	// ep too.
	ind func(k int, a, b []float32, offs []int32, c []float32, ldc int, add, withEp bool, e tileEpilogue)
	// sa, when not nil, is fn (with the epilogue when withEp is set) with
	// A read in place instead of packed: step p of the A panel is
	// a[p*lda:][:mr]. A kernel with sa has ep too.
	sa func(k int, a []float32, lda int, b, c []float32, ldc int, add, withEp bool, e tileEpilogue)
	// strip, when not nil, computes n >= 1 full tiles side by side in
	// one call, as ep does (as ind when offs is not nil, as sa when lda
	// is not 0): tile t at c[t*nr:], its B panel bstride floats after
	// tile t-1's (nr when read in place), its residual e.res[t*nr:]. The
	// driver makes it one call per row of a tile's full kernel tiles:
	// on arm64 a call per kernel tile cost more instructions in Go than
	// in the kernel on short K (SqueezeNet's 16- to 64-channel layers).
	strip func(n, bstride, k int, a []float32, lda int, b []float32, offs []int32, c []float32, ldc int, add, withEp bool, e tileEpilogue)
	// half, when not nil, is the strip form without an epilogue for
	// half a tile's rows: n tiles of mr/2 x nr, A's steps lda floats
	// apart (mr for a packed panel, whose first half it reads), B packed
	// in panels bstride floats apart. The driver gives it the rows of a
	// product's last, half-height tiles (a narrow Winograd chunk of 4 or
	// 12 tiles), which the full kernel would compute padded to mr.
	half func(n, bstride, k int, a []float32, lda int, b, c []float32, ldc int, add bool)
	// halfCols, when not nil, is fn overwriting c with the first nr/2
	// columns of its tile alone (no add, no epilogue), for a product's
	// last columns when they are at most nr/2 (its B panel packed).
	halfCols func(k int, a, b, c []float32, ldc int)
	// gemv is the kernel's matrix-vector form, for products with one
	// row of A (see gemv.go); every kernel has one.
	gemv gemvFunc
	// rows, when not nil, is the form for a product with one row of A
	// and B's rows read in place (see rows.go).
	rows rowsFunc
}

// tileEpilogue is the part of an Epilogue a kernel's ep applies to its
// mr x nr tile, in the order Epilogue.Apply does: bias[r] added to row r
// (when bias is not nil), then res (rows ldr floats apart, when not nil),
// then the result clipped to [lo, hi]. Assembly reads its fields at fixed
// offsets: bias 0, res 24, ldr 48, lo 56, hi 60.
type tileEpilogue struct {
	bias, res []float32
	ldr       int
	lo, hi    float32
}

// maxTile bounds mr*nr for every kernel, sizing the driver's accumulator.
const maxTile = 256

// kern is the kernel every product uses.
var kern = genericKernel()
