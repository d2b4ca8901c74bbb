package nn

import (
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
	"github.com/edgeinfer/edgeinfer/ops/internal/vec"
)

// A convolution with few output positions (ResNet's 7x7 and 14x14
// layers) computes its product transposed, Yᵀ = im2col(X)ᵀ Wᵀ, with Wᵀ
// packed by Prepare: the kernel tile's wide side then spans output
// channels rather than output positions. A pointwise window multiplies
// Xᵀ read in place (its strided positions gathered first); a larger one
// gathers im2col(X)ᵀ, packed, from the padded input (see
// convDims.padded). Yᵀ is then transposed into Y in SIMD, a block of
// channels at a time, each block getting the epilogue while in L1.

// transposedFaster reports whether a convolution's product is better
// computed transposed, Yᵀ (P x M) = im2col(X)ᵀ Wᵀ, then transposed into
// Y: the kernel tile's wide side then spans output channels rather than
// output positions, whose count (ResNet's 7x7 and 14x14 layers: 49 and
// 196) leaves much of the last column panel empty. It does when the
// padded products the transposed way computes, with the transpose back
// counted as transposeCost steps of K, are fewer than those of the direct
// way (at the padded width on the padded path). The transpose matters
// where K is short: MobileNetV2's 14x14 expansions (K = 64 and 96, 384
// and 576 outputs) took 0.105-0.112 and 0.210-0.216 ms transposed, 0.090-
// 0.095 and 0.191-0.193 ms direct, while its projections (K = 384 and
// 576) and DenseNet's 1x1 layers (K = 256-1024) stay faster transposed.
// A window of more than one tap must be on the padded path (im2col(X)ᵀ
// is gathered from the padded input, see tapOffsets), with im2col(X)ᵀ
// within im2colBudget. One output position (a 1x1 map: squeeze-excite, a
// classifier head) makes the transposed product a matrix-vector one,
// which computes no padded rows.
func transposedFaster(d *convDims) bool {
	mr, nr := gemm.PackedALen(1, 1), gemm.PackedBLen(1, 1)
	padded := func(rows, cols int) int {
		return (rows + mr - 1) / mr * mr * ((cols + nr - 1) / nr * nr)
	}
	cols := d.p
	if d.padded {
		cols = d.pq
	}
	transposed := padded(d.p, d.mg)*d.k + transposeCost*d.p*d.mg
	if d.p == 1 { // a matrix-vector product: no padded rows, Yᵀ is Y
		transposed = (d.mg + nr - 1) / nr * nr * d.k
	}
	return !d.depthwise && (d.pointwise() || d.padded && d.p*d.k <= im2colBudget) &&
		transposed < padded(d.mg, cols)*d.k
}

// transposeCost is what transposing an element of Yᵀ into Y costs, in
// steps of K of the product's kernel, as MobileNetV2's 14x14 layers
// measure it on AVX-512 (see transposedFaster).
const transposeCost = 20

// transposedWorkLen is the floats of scratch a transposed product needs:
// Yᵀ, the GEMM's work, and either the gathered strided positions or the
// packed im2col(X)ᵀ with the padded input and offsets it is gathered by.
func (d *convDims) transposedWorkLen() int {
	n := align16(d.p*d.mg) + gemm.WorkLen(d.p, d.mg, d.k, !d.pointwise(), true)
	switch {
	case !d.pointwise():
		n += align16(gemm.PackedALen(d.p, d.k)) + align16(d.paddedLen()) + align16(d.p) + align16(d.k)
	case !d.direct:
		n += align16(d.cg * d.p)
	}
	return n
}

// execTransposed computes a convolution whose W Prepare packed
// transposed: for each group, Yᵀ = im2col(X)ᵀ Wᵀ into work, then
// transposed into Y, which gets the bias, residual and activation. A
// pointwise window multiplies Xᵀ (its strided positions gathered first
// unless direct); a larger one gathers im2col(X)ᵀ, packed, from the
// padded input.
func (s *convStep) execTransposed(gc groupCtx, x, bias, res, y []float32, lo, hi int) {
	par, work := gc.par, gc.work
	c, d := s.c, &s.d
	p, mg := d.p, d.mg
	yt, gw := work[:p*mg], work[align16(p*mg):]
	var xs, xp []float32
	var pa gemm.PackedA
	var rows, cols []int32
	switch {
	case !d.pointwise():
		n := gemm.PackedALen(p, d.k)
		pa.Init(gw[:n], p, d.k)
		gw = gw[align16(n):]
		xp, gw = gw[:d.paddedLen()], gw[align16(d.paddedLen()):]
		rows, gw = int32s(gw[:p]), gw[align16(p):]
		cols, gw = int32s(gw[:d.k]), gw[align16(d.k):]
		d.positionOffsets(rows)
		d.tapOffsets(cols)
	case !d.direct:
		xs, gw = gw[:d.cg*p], gw[align16(d.cg*p):]
	}
	inPlane := d.g.InSize()
	for q := lo; q < hi; q++ {
		n, g := q/c.group, q%c.group
		xg := x[(n*d.c+g*d.cg)*inPlane:][:d.cg*inPlane]
		if xs != nil {
			d.gatherStrided(xs, xg)
			xg = xs
		}
		yOff := (n*d.m + g*d.mg) * p
		prod := gemm.Product{M: p, N: mg, K: d.k, Alpha: 1, A: gemm.Matrix{Data: xg, Ld: p, Trans: true},
			PB: c.packedT[g], C: yt, LdC: mg}
		if pa.Valid() {
			s.padInput(par, xp, xg)
			runLoop(par, &s.gather, &s.gatherJ, gatherJob{pa, xp, rows, cols}, pa.Panels(), 1)
			prod.PA = pa
		}
		gc.product(&prod, gw)
		job := transposeOutJob{y[yOff : yOff+mg*p], yt, p, mg, s.epilogue(g, bias, res, yOff, p)}
		runLoop(par, &s.transpose, &s.transposeJ, job, (mg+transposeBlock-1)/transposeBlock, 1)
	}
}

// positionOffsets sets where output position q's window starts in the
// padded input (see convDims.padded), at the padded width: element
// (r, q) of im2col(X) is at taps[r] + positions[q] (see tapOffsets).
func (d *convDims) positionOffsets(positions []int32) {
	for q := range positions {
		positions[q] = int32(q/d.g.Out[2]*d.wp + q%d.g.Out[2])
	}
}

// transposeBlock is how many rows of Y execTransposed finishes at once.
const transposeBlock = 16

// transposeOutJob transposes blocks of transposeBlock channels of a
// transposed product yt (p x mg) into the group's output y, each block
// getting the epilogue as soon as it is transposed, while it is in L1.
type transposeOutJob struct {
	y, yt []float32
	p, mg int
	ep    gemm.Epilogue
}

func (j transposeOutJob) Run(lo, hi int) {
	for b := lo; b < hi; b++ {
		c0, c1 := b*transposeBlock, min((b+1)*transposeBlock, j.mg)
		vec.Transpose(j.y[c0*j.p:], j.p, j.yt[c0:], j.mg, j.p, c1-c0)
		j.ep.Apply(j.y, j.p, c0, c1, 0, j.p)
	}
}

// gatherJob gathers panels of a packed im2col(X)ᵀ (see gemm.PackedA.Gather).
type gatherJob struct {
	pa         gemm.PackedA
	src        []float32
	rows, cols []int32
}

func (j gatherJob) Run(lo, hi int) { j.pa.Gather(j.src, j.rows, j.cols, lo, hi) }
