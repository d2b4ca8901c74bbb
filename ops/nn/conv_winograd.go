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

// winogradWeights is a convolution's weights transformed for F(4x4, 3x3)
// by Prepare: for each point p, U_p (M x C) packed as a GEMM left operand
// when wide, else U_pᵀ (C x M) packed as a right operand.
type winogradWeights struct {
	wide bool
	a    [winograd.Points]gemm.PackedA
	b    [winograd.Points]gemm.PackedB
	// half holds, in the fp16 mode, U_pᵀ packed in fp16 for a narrow
	// convolution instead of b (see conv_fp16.go).
	half [winograd.Points]hgemm.PackedB
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

// transformWeights computes G g Gᵀ of every (output, input) channel pair of
// w (M x C x 3 x 3) in float64 and packs the points for a wide or a
// narrow convolution.
func transformWeights(w []float32, m, c int, wide bool) *winogradWeights {
	u := winogradU(w, m, c)
	ww := &winogradWeights{wide: wide}
	for p := range winograd.Points {
		up := gemm.Matrix{Data: u[p*m*c:], Ld: c}
		if wide {
			ww.a[p] = gemm.PackA(nil, m, c, up)
		} else {
			ww.b[p] = gemm.PackB(nil, c, m, gemm.Matrix{Data: up.Data, Ld: c, Trans: true})
		}
	}
	return ww
}

// winogradU computes G g Gᵀ of every (output, input) channel pair of w
// (M x C x 3 x 3) in float64: for each point p, U_p (M x C) from
// u[p*m*c:].
func winogradU(w []float32, m, c int) []float32 {
	u := make([]float32, winograd.Points*m*c)
	for oc := range m {
		for ic := range c {
			g := w[(oc*c+ic)*9:][:9]
			var gg [winograd.In][3]float64 // G g
			for i := range winograd.In {
				for j := range 3 {
					for k := range 3 {
						gg[i][j] += winogradG[i][k] * float64(g[k*3+j])
					}
				}
			}
			for i := range winograd.In {
				for j := range winograd.In {
					var v float64
					for k := range 3 {
						v += gg[i][k] * winogradG[j][k]
					}
					u[((i*winograd.In+j)*m+oc)*c+ic] = float32(v)
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

// winogradPolicy decides, for a convolution of winogradShape, whether
// Prepare sets it up to run as F(4x4, 3x3), and whether wide (where the
// kernel allows it, see winogradWideOK); tests replace it.
var winogradPolicy = winogradFaster

// winogradFaster says whether F(4x4, 3x3) beats im2col for d, and which
// way: only with SIMD transforms (AVX-512, AVX2+FMA, NEON; the Go ones
// cost more than the GEMM saves, as BenchmarkWinograd shows), with at
// least 16 input and output channels, and on at least 16 tiles (ResNet's
// 14x14 layers but not its 7x7 ones, where the 36 transformed weights, 4
// times W's size and read from memory on every run, cost more than the
// products save); wide from 48 tiles (ResNet's 28x28 and 56x56 layers).
// Measured for the non-AVX-512 families on ResNet-18 at one thread: with
// AVX2 the median fell by a quarter on this machine; under qemu-aarch64
// -cpu cortex-a72 (the Pi 4), instructions per inference fell from 747 M
// to 452 M (ncnn's, with its own Winograd: 242 M).
//
// The transformed weights cost memory: ResNet-50's 14x14 layers hold 42
// MB more than their W (peak RSS 183 against 134 MiB without them). Left
// to im2col they cost 3% of ResNet-18's time here, but AlexNet's 13x13
// layers took 322 M instead of 212 M instructions per inference on the
// A72: every product F(4x4, 3x3) saves is 9 multiply-adds per byte the
// transformed weights add, which pays on a Pi's memory too. So the choice
// stays with the products, and a memory budget (not yet made) is what
// should trade them away.
func winogradFaster(d *convDims) (use, wide bool) {
	tiles := winogradTiles(d)
	return winograd.Family() != "generic" && d.c >= 16 && d.m >= 16 && tiles >= 16, tiles >= 48
}

// prepareWinograd transforms a constant W for a convolution d that
// chooseConv runs as F(4x4, 3x3), wide or narrow as winogradPolicy says.
func prepareWinograd(w []float32, d *convDims) *winogradWeights {
	_, wide := winogradPolicy(d)
	return transformWeights(w, d.m, d.c, wide && winogradWideOK())
}

// winogradExtraBytes is what W transformed for F(4x4, 3x3) takes beyond
// W packed as it is: 36 floats per channel pair instead of 9.
func winogradExtraBytes(d *convDims) int64 {
	return int64(winograd.Points-9) * 4 * int64(d.m) * int64(d.c)
}

// winogradWorkLen is the floats of scratch a run of d as F(4x4, 3x3)
// will need, wide or narrow as winogradPolicy says, before Prepare has
// made the weights (whose form then decides: convOp.workLen).
func winogradWorkLen(d *convDims) int {
	_, wide := winogradPolicy(d)
	p := winoPlanOf(d, wide && winogradWideOK())
	return p.workLen()
}

// winogradTiles is the number of output tiles of one image.
func winogradTiles(d *convDims) int {
	return ((d.g.Out[1] + winograd.Out - 1) / winograd.Out) * ((d.g.Out[2] + winograd.Out - 1) / winograd.Out)
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
	wide    bool
	th, tw  int // tile rows and columns
	rows    int // tile rows per chunk
	n, vld  int // tiles per chunk, and rounded up to whole transform calls
	wp, rp  int // padded input row width, and padded rows per chunk
	vstride int // floats per point of the transformed inputs
	mstride int // floats per point of the products
	wl      int // GEMM work floats per point
}

// winoPlanOf sizes a Winograd convolution d, wide or narrow.
func winoPlanOf(d *convDims, wide bool) winoPlan {
	p := winoPlan{d: *d, wide: wide}
	p.th = (d.g.Out[1] + winograd.Out - 1) / winograd.Out
	p.tw = (d.g.Out[2] + winograd.Out - 1) / winograd.Out
	// At least 64 tiles a chunk: fewer make short, slow products.
	p.rows = min(p.th, max((64+p.tw-1)/p.tw, winogradChunk/(winograd.Points*(d.c+d.m)*p.tw)))
	p.n = p.rows * p.tw
	p.vld = alignUp(p.n, winograd.Lanes)
	p.wp = winograd.Out*p.tw + 2
	p.rp = winograd.Out*p.rows + 2
	if wide {
		p.vstride = pointStride(gemm.PackedBLen(d.c, p.n))
		p.mstride = pointStride(d.m * p.vld)
		p.wl = alignUp(gemm.SerialWorkLen(d.m, p.n, d.c, true, true), 16)
	} else {
		p.vstride = pointStride(d.c * p.vld)
		// The output transform of the last tile reads Lanes channels
		// from its first one, up to Lanes-1 past the last.
		p.mstride = pointStride(p.n*d.m + winograd.Lanes)
		p.wl = alignUp(gemm.SerialWorkLen(p.n, d.m, d.c, false, true), 16)
	}
	return p
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
	return alignUp(p.d.c*p.rp*p.wp, 16) + winograd.Points*(p.vstride+p.mstride+p.wl)
}

// winoStep is a convolution running as F(4x4, 3x3), with its chunk's
// buffers and its parallel loops.
type winoStep struct {
	w        *winogradWeights
	plan     winoPlan
	xp, v, m []float32
	work     []float32
	pb       [winograd.Points]gemm.PackedB // a wide chunk's transformed inputs
	in       ops.Loop                      // over inJ
	mul      ops.Loop                      // over mulJ
	out      ops.Loop                      // over outJ
	inJ      winoInputJob
	mulJ     winoMulJob
	outJ     winoOutputJob
}

// bind makes the loops' bodies.
func (s *winoStep) bind() {
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
	s.v, work = work[:winograd.Points*p.vstride], work[winograd.Points*p.vstride:]
	s.m, s.work = work[:winograd.Points*p.mstride], work[winograd.Points*p.mstride:]
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
			s.mul.Run(par, winograd.Points, 1)
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
	n, rp, wp, tw := j.rows*p.tw, winograd.Out*j.rows+2, p.wp, p.tw
	nr := gemm.PackedBLen(1, 1) // the kernel's panel width
	var d [winograd.Points * winograd.Lanes]float32
	for ch := lo; ch < hi; ch++ {
		src := j.x[ch*h*w:][:h*w]
		xp := j.s.xp[ch*p.rp*wp:][:rp*wp]
		for r := range rp {
			row := xp[r*wp:][:wp]
			iy := winograd.Out*j.ty0 + r - top
			if iy < 0 || iy >= h {
				clear(row)
				continue
			}
			clear(row[:left])
			copy(row[left:], src[iy*w:][:w])
			clear(row[left+w:])
		}
		ty, tx := 0, 0
		for t0 := 0; t0 < n; t0 += winograd.Lanes {
			// Lanes past the chunk's tiles read tile 0; their results
			// land in columns the GEMMs do not read.
			var idx [winograd.Lanes]int32
			for l := range min(winograd.Lanes, n-t0) {
				idx[l] = int32(winograd.Out * (ty*wp + tx))
				if tx++; tx == tw {
					tx, ty = 0, ty+1
				}
			}
			off := ch*p.vld + t0
			if p.wide {
				// The Lanes tiles are consecutive columns of one panel,
				// row ch of the packed operand (PackedB's layout).
				off = (t0/nr*p.d.c+ch)*nr + t0%nr
			}
			winograd.Gather(xp, &idx, wp, d[:], j.s.v[off:], p.vstride)
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
		if j.s.w.half[i].Valid() {
			j.s.mulHalf(i, j.n)
			continue
		}
		prod := gemm.Product{
			M: j.n, N: p.d.m, K: p.d.c, Alpha: 1,
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
	r0, r1 := winograd.Out*j.ty0, min(oh, winograd.Out*(j.ty0+j.rows))
	var o [winograd.OutLen]float32
	t := winoTiles{oh: oh, ow: ow}
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
				winograd.Output(j.s.m[mo*p.vld+t0:], p.mstride, o[:])
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
			winograd.Output(j.s.m[tile*m+m0:], p.mstride, o[:])
			for l := range lanes {
				t.place(l, (m0+l)*plane, ty, tx)
			}
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
	y0, x0 := winograd.Out*ty, winograd.Out*tx
	at := base + y0*t.ow + x0
	if y0+winograd.Out <= t.oh && x0+winograd.Out <= t.ow {
		t.offs[l] = int32(at)
		return
	}
	t.offs[l], t.edges = -1, true
	t.edge[l].at, t.edge[l].rows, t.edge[l].cols = at, min(winograd.Out, t.oh-y0), min(winograd.Out, t.ow-x0)
}

// store writes the k tiles in o to the image's output y: whole tiles in
// place, clipped ones through a buffer.
func (t *winoTiles) store(y, o []float32, k int) {
	var bias *[winograd.Lanes]float32
	if t.biased {
		bias = &t.bias
	}
	winograd.Store(y, &t.offs, t.ow, o, k, bias, t.lo, t.hi)
	if !t.edges {
		return
	}
	t.edges = false
	const size = winograd.Out * winograd.Out
	var buf [winograd.Lanes * size]float32
	var offs [winograd.Lanes]int32
	for l := range k {
		offs[l] = -1
		if t.offs[l] < 0 {
			offs[l] = int32(l * size)
		}
	}
	winograd.Store(buf[:], &offs, winograd.Out, o, k, bias, t.lo, t.hi)
	for l := range k {
		if e := &t.edge[l]; t.offs[l] < 0 {
			for a := range e.rows {
				copy(y[e.at+a*t.ow:][:e.cols], buf[l*size+a*winograd.Out:])
			}
		}
	}
}
