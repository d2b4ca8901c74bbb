package nn

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
	"github.com/edgeinfer/edgeinfer/ops/internal/hgemm"
	"github.com/edgeinfer/edgeinfer/ops/internal/winograd"
)

// A 3x3 convolution with unit strides and dilations can run as the
// Winograd convolution F(4x4, 3x3): the output is cut into 4x4 tiles, each
// computed from a 6x6 input tile d as Aᵀ [Σ_c U_c ⊙ (Bᵀ d_c B)] A with the
// weights transformed once, U = G g Gᵀ. Summing over input channels is,
// for each of the 36 transformed points, one GEMM of the point's
// transformed weights (M x C) and the point's transformed inputs (C x
// tiles), so 2·36 multiply-adds per tile and channel pair replace 2·144.
// The transforms (ops/internal/winograd) work on 16 tiles or channels at
// once; the output transform's tiles are stored to Y, which then gets the
// bias, residual and activation as the im2col path applies them.
//
// With many tiles (wide), each point's product is U_p (M x C) times V_p
// (C x tiles): the input transform writes V_p straight into the GEMM's
// packed right operand, and the output transform runs across 16 tiles of
// one output channel. With few tiles (narrow), which would leave most of
// the kernel's columns empty, each product is V_pᵀ (tiles x C) times U_pᵀ
// (C x M), and the output transform runs across 16 output channels of
// one tile.
//
// A run goes through the output in chunks of tile rows (so that the
// transformed inputs and the products stay near the cache), each in three
// parallel loops: over input channels (pad, gather, transform), over the
// 36 points (GEMMs, each serial) and over output channels (transform,
// store, epilogue). Every value is computed by one task in a fixed order,
// so results do not depend on the thread count.

// F(6x6, 3x3) runs the same way with 8x8 input tiles, 6x6 output tiles
// and 64 points (64 products per 36 outputs instead of 36 per 16), where
// winogradPolicy finds it cheaper: winoKind holds what differs.

// winoKind is one Winograd algorithm F(out x out, 3x3): its tile sizes,
// weight transform G and the winograd package's transforms of it.
type winoKind struct {
	name            string // as profiles show it
	in, out, points int    // input and output tile sides, in*in
	g               [][3]float64
	f63             bool // F(6x6, 3x3): the transforms named 63
}

// wino43 is F(4x4, 3x3), wino63 F(6x6, 3x3).
var (
	wino43 = &winoKind{
		name: "winograd F(4x4,3x3)", in: winograd.In, out: winograd.Out, points: winograd.Points,
		g: winogradG[:],
	}
	wino63 = &winoKind{
		name: "winograd F(6x6,3x3)", in: winograd.In63, out: winograd.Out63, points: winograd.Points63,
		g: winogradG63[:], f63: true,
	}
)

// The winograd package's transforms of k, called directly (a function
// value would make the callers' stack buffers escape).

func (k *winoKind) gather(xp []float32, idx *[winograd.Lanes]int32, wp int, d, dst []float32, stride int) {
	if k.f63 {
		winograd.Gather63(xp, idx, wp, d, dst, stride)
	} else {
		winograd.Gather(xp, idx, wp, d, dst, stride)
	}
}

func (k *winoKind) output(m []float32, stride int, o []float32) {
	if k.f63 {
		winograd.Output63(m, stride, o)
	} else {
		winograd.Output(m, stride, o)
	}
}

func (k *winoKind) store(y []float32, offs *[winograd.Lanes]int32, ldy int, o []float32, n int, bias *[winograd.Lanes]float32, lo, hi float32) {
	if k.f63 {
		winograd.Store63(y, offs, ldy, o, n, bias, lo, hi)
	} else {
		winograd.Store(y, offs, ldy, o, n, bias, lo, hi)
	}
}

// Stack buffers of the jobs, sized for the larger algorithm.
const (
	winoMaxPoints = winograd.Points63
	winoMaxOutLen = winograd.OutLen63
	winoMaxOut    = winograd.Out63
)

// winogradWeights is a convolution's weights transformed for k by
// Prepare: for each point p, U_p (M x C) packed as a GEMM left operand
// when wide, else U_pᵀ (C x M) packed as a right operand.
type winogradWeights struct {
	k    *winoKind
	wide bool
	a    []gemm.PackedA
	b    []gemm.PackedB
	// half holds, in the fp16 mode, U_pᵀ packed in fp16 for a narrow
	// F(4x4, 3x3) instead of b (see conv_fp16.go).
	half []hgemm.PackedB
}

// winogradG is the weight transform of F(4x4, 3x3) (6x3).
var winogradG = [winograd.In][3]float64{
	{1.0 / 4, 0, 0},
	{-1.0 / 6, -1.0 / 6, -1.0 / 6},
	{-1.0 / 6, 1.0 / 6, -1.0 / 6},
	{1.0 / 24, 1.0 / 12, 1.0 / 6},
	{1.0 / 24, -1.0 / 12, 1.0 / 6},
	{0, 0, 1},
}

// winogradG63 is the weight transform of F(6x6, 3x3) (8x3).
var winogradG63 = [winograd.In63][3]float64{
	{1, 0, 0},
	{-2.0 / 9, -2.0 / 9, -2.0 / 9},
	{-2.0 / 9, 2.0 / 9, -2.0 / 9},
	{1.0 / 90, 1.0 / 45, 2.0 / 45},
	{1.0 / 90, -1.0 / 45, 2.0 / 45},
	{32.0 / 45, 16.0 / 45, 8.0 / 45},
	{32.0 / 45, -16.0 / 45, 8.0 / 45},
	{0, 0, 1},
}

// transformWeights computes G g Gᵀ of every (output, input) channel pair of
// w (M x C x 3 x 3) in float64 for kw and packs the points for a wide or a
// narrow convolution.
func transformWeights(w []float32, m, c int, kw *winoKind, wide bool) *winogradWeights {
	u := winogradU(w, m, c, kw)
	ww := &winogradWeights{k: kw, wide: wide, a: make([]gemm.PackedA, kw.points), b: make([]gemm.PackedB, kw.points)}
	for p := range kw.points {
		up := gemm.Matrix{Data: u[p*m*c:], Ld: c}
		if wide {
			ww.a[p] = gemm.PackA(nil, m, c, up)
		} else {
			ww.b[p] = gemm.PackB(nil, c, m, gemm.Matrix{Data: up.Data, Ld: c, Trans: true})
		}
	}
	return ww
}

// winogradU computes G g Gᵀ of kw for every (output, input) channel pair
// of w (M x C x 3 x 3) in float64: for each point p, U_p (M x C) from
// u[p*m*c:].
func winogradU(w []float32, m, c int, kw *winoKind) []float32 {
	n, G := kw.in, kw.g
	u := make([]float32, kw.points*m*c)
	for oc := range m {
		for ic := range c {
			g := w[(oc*c+ic)*9:][:9]
			var gg [winograd.In63][3]float64 // G g
			for i := range n {
				for j := range 3 {
					for k := range 3 {
						gg[i][j] += G[i][k] * float64(g[k*3+j])
					}
				}
			}
			for i := range n {
				for j := range n {
					var v float64
					for k := range 3 {
						v += gg[i][k] * G[j][k]
					}
					u[((i*n+j)*m+oc)*c+ic] = float32(v)
				}
			}
		}
	}
	return u
}

// winogradShape reports whether d is a 2-D 3x3 convolution with unit
// strides and dilations in one group, which F(4x4, 3x3) computes.
func winogradShape(d *convDims, group int) bool {
	g := &d.g
	return group == 1 && g.In[0] == 1 && g.Kernel == [3]int{1, 3, 3} && g.Pad[0] == 0 && g.PadEnd[0] == 0 &&
		g.Strides == [3]int{1, 1, 1} && g.Dilations == [3]int{1, 1, 1}
}

// winoChoice is how winogradPolicy runs a convolution: as Winograd or
// not (use), with which algorithm (k) and whether wide.
type winoChoice struct {
	use, wide bool
	k         *winoKind
}

// winogradPolicy decides, for a convolution of winogradShape, whether
// Prepare sets it up to run as Winograd, with which algorithm, and
// whether wide (where the kernel allows it, see winogradWideOK); tests
// replace it.
var winogradPolicy = winogradFaster

// winogradFaster says whether Winograd beats im2col for d, and how.
//
// With the AVX-512 and AVX2 transforms, and 32-bit arm's NEON ones:
// F(4x4, 3x3) only, with at least 16 input and output channels, and on at
// least 16 tiles (ResNet's 14x14 layers but not its 7x7 ones, where the
// 36 transformed weights, 4 times W's size and read from memory on every
// run, cost more than the products save); wide from 48 tiles (ResNet's
// 28x28 and 56x56 layers). With AVX2 the median of ResNet-18 at one
// thread fell by a quarter. The Go transforms cost more than the GEMM
// saves (BenchmarkWinograd).
//
// With NEON on arm64: whichever of F(4x4, 3x3), F(6x6, 3x3) and im2col
// costs the fewest instructions on a Cortex-A72 by winoNEONCost, a model
// of the counts measured under qemu-aarch64 (scripts/arm-insn): the
// products padded to the 8x8 GEMM kernel's tiles (which is what leaves
// F(6x6, 3x3) little on ResNet's 28x28 and 14x14 layers, whose 25 and 9
// tiles pad to 32 and 16), and the transforms per tile. It takes ResNet's
// 512-channel 7x7 layers too (4 tiles of F(4x4, 3x3) padded to 8: 288
// products per channel pair for 441): with narrowRows, ResNet-18 fell
// from 435 M to 372 M instructions per inference on the A72 (GOMAXPROCS=1),
// for 38 MB of transformed weights each (113 MB more in all, against 28
// MB of W).
//
// The transformed weights cost memory: ResNet-50's 14x14 layers hold 42
// MB more than their W on x86 (peak RSS 183 against 134 MiB without
// them). Left to im2col they cost 3% of ResNet-18's time there, but
// AlexNet's 13x13 layers took 322 M instead of 212 M instructions per
// inference on the A72: every product Winograd saves is 9 multiply-adds
// per byte the transformed weights add, which pays on a Pi's memory too.
// So the choice stays with the products, and the memory limit trades them
// away where they would pass it (ops.Budget, convOp.PrepareWithin).
func winogradFaster(d *convDims) winoChoice {
	if d.c < 16 || d.m < 16 {
		return winoChoice{}
	}
	switch {
	case winograd.Family() == "generic":
		return winoChoice{}
	case winograd.Family() == "neon" && neonArm64:
		// (32-bit arm has no F(6x6, 3x3) in NEON: it keeps the AVX rule.)
		best := winoChoice{}
		bestCost := winoDirectCost(d)
		for _, k := range []*winoKind{wino43, wino63} {
			wide := winogradTiles(d, k) >= 48
			if c := winoNEONCost(d, k, wide); c < bestCost {
				best, bestCost = winoChoice{true, wide, k}, c
			}
		}
		return best
	}
	tiles := winogradTiles(d, wino43)
	return winoChoice{tiles >= 16, tiles >= 48, wino43}
}

// The model of instructions on the Cortex-A72 that winogradFaster
// compares: the GEMM kernel's multiply-adds (4 a FMLA, the kernel's
// tiles of 8x8 whole, a narrow chunk's rows as narrowRows pads them) over
// the share of them in its instructions, and
// the instructions per tile and channel of the input transform (with
// padding and gathering) and of the output transform (with the store),
// as measured on ResNet-18 and SqueezeNet.
const (
	winoFMLAShare = 0.8  // of the GEMM kernel's instructions
	winoIn43      = 140  // per tile and input channel
	winoOut43     = 100  // per tile and output channel
	winoIn63      = 250  // per tile and input channel
	winoOut63     = 230  // per tile and output channel
	directShare   = 0.75 // FMLA share of an im2col convolution's instructions
)

// winoDirectCost is the model's instructions of d by im2col.
func winoDirectCost(d *convDims) float64 {
	return float64(9*d.c*alignUp(d.m, 8)*alignUp(d.p, 8)) / 4 / directShare
}

// winoNEONCost is the model's instructions of d as k, wide or narrow: the
// products of every chunk of tile rows (its tiles padded to the kernel's
// 8 columns, or to narrowRows), and the transforms of every tile, 16 at a time.
func winoNEONCost(d *convDims, k *winoKind, wide bool) float64 {
	p := winoPlanOf(d, k, wide)
	padded := 0
	for ty0 := 0; ty0 < p.th; ty0 += p.rows {
		n := min(p.rows, p.th-ty0) * p.tw
		if wide {
			padded += alignUp(n, 8)
		} else {
			padded += p.narrowRows(n)
		}
	}
	in, out := float64(winoIn43), float64(winoOut43)
	if k == wino63 {
		in, out = winoIn63, winoOut63
	}
	tiles := alignUp(p.th*p.tw, winograd.Lanes)
	return float64(k.points*d.c*alignUp(d.m, 8)*padded)/4/winoFMLAShare + in*float64(d.c*tiles) + out*float64(d.m*tiles)
}

// prepareWinograd transforms a constant W for a convolution d that
// chooseConv runs as Winograd, as winogradPolicy says.
func prepareWinograd(w []float32, d *convDims) *winogradWeights {
	ch := winogradPolicy(d)
	return transformWeights(w, d.m, d.c, ch.k, ch.wide && winogradWideOK())
}

// winogradExtraBytes is what W transformed as winogradPolicy says takes
// beyond W packed as it is: 36 (F(4x4, 3x3)) or 64 (F(6x6, 3x3)) floats
// per channel pair instead of 9.
func winogradExtraBytes(d *convDims) int64 {
	return int64(winogradPolicy(d).k.points-9) * 4 * int64(d.m) * int64(d.c)
}

// winogradWorkLen is the floats of scratch a run of d as Winograd will
// need, as winogradPolicy says, before Prepare has made the weights
// (whose form then decides: convOp.workLen).
func winogradWorkLen(d *convDims) int {
	ch := winogradPolicy(d)
	p := winoPlanOf(d, ch.k, ch.wide && winogradWideOK())
	return p.workLen()
}

// winogradTiles is the number of output tiles of k of one image.
func winogradTiles(d *convDims, k *winoKind) int {
	return ((d.g.Out[1] + k.out - 1) / k.out) * ((d.g.Out[2] + k.out - 1) / k.out)
}

// winogradWideOK reports whether the GEMM kernel's panels of columns are
// a whole number of transform lanes wide, as a wide convolution needs.
func winogradWideOK() bool { return gemm.PackedBLen(1, 1)%winograd.Lanes == 0 }

// winogradChunk bounds the floats of transformed inputs and products of
// one chunk of tile rows (tests shrink it).
var winogradChunk = 1 << 20

// winoPlan is a Winograd convolution's sizes. For each point, a chunk's
// transformed inputs are a C x n matrix (a row per input channel, a
// column per tile): packed for the kernel when wide, else row-major with
// stride vld. Its products are an M x n matrix with stride vld when wide,
// else an n x M one.
type winoPlan struct {
	d       convDims
	k       *winoKind
	wide    bool
	th, tw  int // tile rows and columns
	rows    int // tile rows per chunk
	n, vld  int // tiles per chunk, and rounded up to whole transform calls
	mrows   int // rows of a narrow chunk's products (see narrowRows)
	wp, rp  int // padded input row width, and padded rows per chunk
	vstride int // floats per point of the transformed inputs
	mstride int // floats per point of the products
	wl      int // GEMM work floats per point
}

// winoPlanOf sizes a Winograd convolution d as k, wide or narrow.
func winoPlanOf(d *convDims, k *winoKind, wide bool) winoPlan {
	p := winoPlan{d: *d, k: k, wide: wide}
	p.th = (d.g.Out[1] + k.out - 1) / k.out
	p.tw = (d.g.Out[2] + k.out - 1) / k.out
	// At least 64 tiles a chunk: fewer make short, slow products.
	p.rows = min(p.th, max((64+p.tw-1)/p.tw, winogradChunk/(k.points*(d.c+d.m)*p.tw)))
	p.n = p.rows * p.tw
	p.vld = alignUp(p.n, winograd.Lanes)
	p.wp = k.out*p.tw + 2
	p.rp = k.out*p.rows + 2
	if wide {
		p.vstride = pointStride(gemm.PackedBLen(d.c, p.n))
		p.mstride = pointStride(d.m * p.vld)
		p.wl = alignUp(gemm.SerialWorkLen(d.m, p.n, d.c, true, true), 16)
	} else {
		p.vstride = pointStride(d.c * p.vld)
		// The output transform of the last tile reads Lanes channels
		// from its first one, up to Lanes-1 past the last.
		p.mrows = p.narrowRows(p.n)
		p.mstride = pointStride(p.mrows*d.m + winograd.Lanes)
		// (The fp16 mode's products take their fp16 panels from the
		// same work: winoStep.mulHalf.)
		p.wl = alignUp(max(gemm.SerialWorkLen(p.mrows, d.m, d.c, false, true), (hgemm.MulTWorkLen(p.n, d.c)+1)/2), 16)
	}
	return p
}

// narrowRows is the rows of the product of a narrow chunk of n tiles: n
// rounded up to the GEMM kernel's rows (half of them where the kernel has
// a half-height form: ResNet's 7x7 planes then compute 4 rows of products
// where they computed 8) where the transformed inputs have
// the columns (lanes past the tiles, which the input transform fills),
// so that the kernel reads them all in place instead of packing a last,
// partial panel (ResNet's 7x7 planes have 4 tiles: packing them cost 10
// M instructions in ResNet-18 on the A72); the products of the extra
// rows are not read.
func (p *winoPlan) narrowRows(n int) int {
	if r := alignUp(n, gemm.RowGrain()); r <= p.vld {
		return r
	}
	return n
}

// pointStride is the floats between two points' operands of n floats: a
// whole number of cache lines, odd so that the 36 lines a transform reads
// or writes at once map to distinct sets of the L1 cache.
func pointStride(n int) int {
	s := alignUp(n, 16)
	if s/16%2 == 0 {
		s += 16
	}
	return s
}

// alignUp rounds n up to a multiple of a.
func alignUp(n, a int) int { return (n + a - 1) / a * a }

// workLen is the floats of scratch a run needs: the padded input rows of a
// chunk, its transformed inputs and products, and the GEMMs' work.
func (p *winoPlan) workLen() int {
	return alignUp(p.d.c*p.rp*p.wp, 16) + p.k.points*(p.vstride+p.mstride+p.wl)
}

// winoStep is a convolution running as F(4x4, 3x3), with its chunk's
// buffers and its parallel loops.
type winoStep struct {
	w        *winogradWeights
	plan     winoPlan
	xp, v, m []float32
	work     []float32
	pb       []gemm.PackedB // a wide chunk's transformed inputs, per point
	idx      [][winograd.Lanes]int32
	in       ops.Loop // over inJ
	mul      ops.Loop // over mulJ
	out      ops.Loop // over outJ
	inJ      winoInputJob
	mulJ     winoMulJob
	outJ     winoOutputJob
}

// bind makes the loops' bodies and the tile offsets of a whole chunk's
// transform calls (idx): the input job's padded rows start at its chunk's
// first tile row, so every chunk and every channel shares them.
func (s *winoStep) bind() {
	p := &s.plan
	s.pb = make([]gemm.PackedB, p.k.points)
	s.idx = make([][winograd.Lanes]int32, p.vld/winograd.Lanes)
	for t := range p.n {
		s.idx[t/winograd.Lanes][t%winograd.Lanes] = int32(p.k.out * (t/p.tw*p.wp + t%p.tw))
	}
	s.in.Bind(&s.inJ)
	s.mul.Bind(&s.mulJ)
	s.out.Bind(&s.outJ)
}

// exec computes y from x, chunk after chunk of tile rows, with scratch
// from work; ep is the fused activation.
func (s *winoStep) exec(par ops.Parallel, work, x, bias, res, y []float32, ep gemm.Epilogue) error {
	p := &s.plan
	d := &p.d
	if need := p.workLen(); len(work) < need {
		return fmt.Errorf("scratch has %d bytes, need %d", 4*len(work), 4*need)
	}
	s.xp, work = work[:d.c*p.rp*p.wp], work[alignUp(d.c*p.rp*p.wp, 16):]
	s.v, work = work[:p.k.points*p.vstride], work[p.k.points*p.vstride:]
	s.m, s.work = work[:p.k.points*p.mstride], work[p.k.points*p.mstride:]
	inLen, outLen := d.c*d.g.InSize(), d.m*d.p
	ep.LdAdd = d.p
	ep.RowBias = bias
	for b := range d.batch {
		if res != nil {
			ep.Add = res[b*outLen:][:outLen]
		}
		for ty0 := 0; ty0 < p.th; ty0 += p.rows {
			rows := min(p.rows, p.th-ty0)
			n := rows * p.tw
			if p.wide {
				for i := range s.pb {
					s.pb[i].Init(s.v[i*p.vstride:][:gemm.PackedBLen(d.c, n)], d.c, n)
				}
			}
			s.inJ = winoInputJob{s, x[b*inLen:][:inLen], ty0, rows}
			s.in.Run(par, d.c, 1)
			s.mulJ = winoMulJob{s, n}
			s.mul.Run(par, p.k.points, 1)
			tasks := d.m // output channels, or blocks of Lanes of them
			if !p.wide {
				tasks = (d.m + winograd.Lanes - 1) / winograd.Lanes
			}
			s.outJ = winoOutputJob{s, y[b*outLen:][:outLen], ep, ty0, rows}
			s.out.Run(par, tasks, 1)
		}
	}
	return nil
}

// winoInputJob pads, gathers and transforms the input tiles of one chunk
// of tile rows, one input channel after another.
type winoInputJob struct {
	s         *winoStep
	x         []float32 // one image
	ty0, rows int
}

func (j winoInputJob) Run(lo, hi int) {
	p := &j.s.plan
	g := &p.d.g
	h, w, top, left := g.In[1], g.In[2], g.Pad[1], g.Pad[2]
	k := p.k
	n, rp, wp := j.rows*p.tw, k.out*j.rows+2, p.wp
	nr := gemm.PackedBLen(1, 1) // the kernel's panel width
	var d [winoMaxPoints * winograd.Lanes]float32
	var tail [winograd.Lanes]int32
	if r := n % winograd.Lanes; r != 0 && n < p.n {
		copy(tail[:r], j.s.idx[n/winograd.Lanes][:r])
	}
	for ch := lo; ch < hi; ch++ {
		src := j.x[ch*h*w:][:h*w]
		xp := j.s.xp[ch*p.rp*wp:][:rp*wp]
		for r := range rp {
			row := xp[r*wp:][:wp]
			iy := k.out*j.ty0 + r - top
			if iy < 0 || iy >= h {
				clear(row)
				continue
			}
			// The pads are a few values: loops cost less than clear's calls.
			for i := range row[:left] {
				row[i] = 0
			}
			copy(row[left:], src[iy*w:][:w])
			for i := range row[left+w:] {
				row[left+w+i] = 0
			}
		}
		for t0 := 0; t0 < n; t0 += winograd.Lanes {
			idx := &j.s.idx[t0/winograd.Lanes]
			if n-t0 < winograd.Lanes && n < p.n {
				// A short last chunk's last call: lanes past its tiles
				// read tile 0; their results land in columns the GEMMs
				// do not read.
				idx = &tail
			}
			off := ch*p.vld + t0
			if p.wide {
				// The Lanes tiles are consecutive columns of one panel,
				// row ch of the packed operand (PackedB's layout).
				off = (t0/nr*p.d.c+ch)*nr + t0%nr
			}
			k.gather(xp, idx, wp, d[:], j.s.v[off:], p.vstride)
		}
	}
}

// winoMulJob computes the products of points [lo, hi) for n tiles, each
// on one goroutine: tiles x C transformed inputs by C x M weights.
type winoMulJob struct {
	s *winoStep
	n int
}

func (j winoMulJob) Run(lo, hi int) {
	p := &j.s.plan
	for i := lo; i < hi; i++ {
		if j.s.w.half != nil {
			j.s.mulHalf(i, j.n)
			continue
		}
		prod := gemm.Product{
			M: p.narrowRows(j.n), N: p.d.m, K: p.d.c, Alpha: 1,
			A:  gemm.Matrix{Data: j.s.v[i*p.vstride:][:p.d.c*p.vld], Ld: p.vld, Trans: true},
			PB: j.s.w.b[i],
			C:  j.s.m[i*p.mstride:][:p.mstride], LdC: p.d.m,
		}
		if p.wide {
			prod = gemm.Product{
				M: p.d.m, N: j.n, K: p.d.c, Alpha: 1,
				PA: j.s.w.a[i], PB: j.s.pb[i],
				C: j.s.m[i*p.mstride:][:p.mstride], LdC: p.vld,
			}
		}
		prod.Run(nil, j.s.work[i*p.wl:][:p.wl])
	}
}

// winoOutputJob transforms the products of one chunk of tile rows into
// output tiles, Lanes output channels at a time, stores them to y and
// applies the epilogue to the chunk's rows of those channels.
type winoOutputJob struct {
	s         *winoStep
	y         []float32 // one image
	ep        gemm.Epilogue
	ty0, rows int
}

func (j winoOutputJob) Run(lo, hi int) {
	p := &j.s.plan
	oh, ow, tw, m := p.d.g.Out[1], p.d.g.Out[2], p.tw, p.d.m
	n, plane := j.rows*tw, p.d.p
	k := p.k
	r0, r1 := k.out*j.ty0, min(oh, k.out*(j.ty0+j.rows))
	var o [winoMaxOutLen]float32
	t := winoTiles{k: k, oh: oh, ow: ow}
	// The bias and a clip alone are applied as the tiles are stored;
	// anything more by Apply afterwards.
	fused := j.ep.Add == nil && j.ep.Act == nil && j.ep.ColBias == nil
	t.lo, t.hi = float32(math.Inf(-1)), float32(math.Inf(1))
	if fused && j.ep.Clamp {
		t.lo, t.hi = j.ep.Lo, j.ep.Hi
	}
	if p.wide {
		for mo := lo; mo < hi; mo++ {
			t.setBias(j.ep.RowBias, fused, mo, 0)
			ty, tx := j.ty0, 0
			for t0 := 0; t0 < n; t0 += winograd.Lanes {
				k.output(j.s.m[mo*p.vld+t0:], p.mstride, o[:])
				k := min(winograd.Lanes, n-t0)
				for l := range k {
					t.place(l, mo*plane, ty, tx)
					if tx++; tx == tw {
						tx, ty = 0, ty+1
					}
				}
				t.store(j.y, o[:], k)
			}
			if !fused {
				j.ep.Apply(j.y, plane, mo, mo+1, r0*ow, r1*ow)
			}
		}
		return
	}
	for blk := lo; blk < hi; blk++ {
		m0 := blk * winograd.Lanes
		lanes := min(winograd.Lanes, m-m0)
		t.setBias(j.ep.RowBias, fused, m0, lanes)
		ty, tx := j.ty0, 0
		for tile := range n {
			k.output(j.s.m[tile*m+m0:], p.mstride, o[:])
			t.placePlanes(lanes, m0*plane, plane, ty, tx)
			t.store(j.y, o[:], lanes)
			if tx++; tx == tw {
				tx, ty = 0, ty+1
			}
		}
		if !fused {
			j.ep.Apply(j.y, plane, m0, m0+lanes, r0*ow, r1*ow)
		}
	}
}

// winoTiles is where a call's output tiles go in an image's output, whose
// planes are oh x ow: for each lane, the offset of its tile (negative
// when the plane's edge clips the tile: then edge[l] holds the offset
// of its first value), and the bias and clip Store applies.
type winoTiles struct {
	k      *winoKind
	oh, ow int
	offs   [winograd.Lanes]int32
	edge   [winograd.Lanes]struct{ at, rows, cols int }
	edges  bool
	bias   [winograd.Lanes]float32
	biased bool
	lo, hi float32
}

// setBias sets the lanes' bias: rb[c] for every lane of a wide call
// (lanes 0, one output channel c), rb[c+l] for lane l of a narrow one;
// none unless the bias is applied as tiles are stored (fused).
func (t *winoTiles) setBias(rb []float32, fused bool, c, lanes int) {
	t.biased = fused && rb != nil
	if !t.biased {
		return
	}
	if lanes == 0 {
		for l := range t.bias {
			t.bias[l] = rb[c]
		}
	} else {
		copy(t.bias[:lanes], rb[c:c+lanes])
	}
}

// place sets lane l's tile: tile (ty, tx) of the plane at offset base.
func (t *winoTiles) place(l, base, ty, tx int) {
	at, rows, cols := t.clip(ty, tx)
	t.placeLanes(l, l+1, base+at, 0, rows, cols)
}

// placePlanes sets lanes [0, lanes) to tile (ty, tx) of as many
// consecutive planes, the first at offset base, plane floats apart (the
// output channels of a narrow call), finding the tile's clip once.
func (t *winoTiles) placePlanes(lanes, base, plane, ty, tx int) {
	at, rows, cols := t.clip(ty, tx)
	t.placeLanes(0, lanes, base+at, plane, rows, cols)
}

// clip is tile (ty, tx)'s offset in a plane and the rows and columns of
// it inside the plane.
func (t *winoTiles) clip(ty, tx int) (at, rows, cols int) {
	out := t.k.out
	y0, x0 := out*ty, out*tx
	return y0*t.ow + x0, min(out, t.oh-y0), min(out, t.ow-x0)
}

// placeLanes sets lanes [l0, l1) to tiles at offsets at, at+step, ...,
// of which rows x cols lie inside their planes.
func (t *winoTiles) placeLanes(l0, l1, at, step, rows, cols int) {
	if out := t.k.out; rows == out && cols == out {
		for l := l0; l < l1; l++ {
			t.offs[l] = int32(at + (l-l0)*step)
		}
		return
	}
	t.edges = true
	for l := l0; l < l1; l++ {
		t.offs[l] = -1
		t.edge[l].at, t.edge[l].rows, t.edge[l].cols = at+(l-l0)*step, rows, cols
	}
}

// store writes the k tiles in o to the image's output y: whole tiles in
// place, clipped ones through a buffer.
func (t *winoTiles) store(y, o []float32, k int) {
	var bias *[winograd.Lanes]float32
	if t.biased {
		bias = &t.bias
	}
	t.k.store(y, &t.offs, t.ow, o, k, bias, t.lo, t.hi)
	if !t.edges {
		return
	}
	t.edges = false
	out := t.k.out
	size := out * out
	var buf [winograd.Lanes * winoMaxOut * winoMaxOut]float32
	var offs [winograd.Lanes]int32
	for l := range k {
		offs[l] = -1
		if t.offs[l] < 0 {
			offs[l] = int32(l * size)
		}
	}
	t.k.store(buf[:], &offs, out, o, k, bias, t.lo, t.hi)
	for l := range k {
		if e := &t.edge[l]; t.offs[l] < 0 {
			for a := range e.rows {
				// At most 6 values: a loop costs less than copy's call.
				dst := y[e.at+a*t.ow:][:e.cols]
				for b, v := range buf[l*size+a*out:][:len(dst)] {
					dst[b] = v
				}
			}
		}
	}
}
