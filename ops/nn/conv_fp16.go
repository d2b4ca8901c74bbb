package nn

import (
	"fmt"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/hgemm"
)

// The fp16 mode (ops.FP16, asked for with runtime.WithPrecision where the
// CPU has fp16 arithmetic) runs a convolution's product on hgemm: the
// weights packed once in fp16 (half the memory of float32's), the input
// read through offsets as the float32 paths read it in place (X's rows
// for a 1x1 window, its gathered positions for a strided one, the taps of
// a padded copy for any other 2-D window: an implicit im2col) and
// converted to fp16 as hgemm packs it. The bias, residual and activation
// are applied to the float32 output as on the float32 paths. Depthwise
// convolutions, and windows of other shapes (3-D ones), stay float32;
// Winograd's F(4x4, 3x3) does too, its 3x3 windows running here instead
// (fp16's 8 lanes do more for them than Winograd's fewer multiplies in
// float32).

// Identifiers of the fp16 path, beside those of conv_choose.go.
const (
	// algoHalf is the fp16 product (conv_fp16.go).
	algoHalf convAlgo = 100
	// formHalf is each group's weights packed in fp16 for hgemm.
	formHalf weightForm = 100
)

// SetPrecision makes Prepare pack W for the fp16 path when p is FP16
// (ops.PrecisionSetter). The runtime asks for it only where the CPU has
// fp16 arithmetic.
func (c *convOp) SetPrecision(p ops.Precision) { c.fp16 = p == ops.FP16 }

// halfShape reports whether the fp16 path computes convolutions of sizes
// d: the pointwise and padded forms.
func halfShape(d *convDims) bool {
	return !d.depthwise && (d.padded || d.pointwise())
}

// prepareHalf packs W (constant) in fp16 when the fp16 path computes d,
// and reports whether it did: transformed for F(4x4, 3x3) where the
// float32 path would run it so (its products then run on hgemm too,
// narrow: see winoStep.mulHalf), else one operand per group.
func (c *convOp) prepareHalf(w []float32, d *convDims) bool {
	if !halfShape(d) {
		return false
	}
	if winogradShape(d, c.group) && winogradUse(*d) {
		u := winogradU(w, d.m, d.c, wino43)
		c.wino = &winogradWeights{k: wino43, half: make([]hgemm.PackedB, wino43.points)}
		for p := range c.wino.half {
			c.wino.half[p] = hgemm.PackBT(d.c, d.m, u[p*d.m*d.c:], d.c)
		}
		return true
	}
	c.half = make([]hgemm.PackedA, c.group)
	for g := range c.half {
		c.half[g] = hgemm.PackA(d.mg, d.k, w[g*d.mg*d.k:], d.k)
	}
	return true
}

// halfWorkLen is the floats of scratch the fp16 path needs: B's row
// offsets, and the gathered positions of a strided 1x1 window or the
// padded input and the product at the padded width.
func (d *convDims) halfWorkLen() int {
	n := align16(d.k)
	switch {
	case d.padded:
		n += align16(d.paddedLen()) + d.mg*d.pq
	case !d.direct:
		n += d.cg * d.p
	}
	return n
}

// execHalf computes Y group by group with hgemm.
func (s *convStep) execHalf(par ops.Parallel, work, x, bias, res, y []float32) error {
	c, d := s.c, &s.d
	if !halfShape(d) {
		return fmt.Errorf("fp16 weights for a %dx%dx%d window the fp16 path does not compute", d.g.Kernel[0], d.g.Kernel[1], d.g.Kernel[2])
	}
	if s.half == nil {
		s.half = new(hgemm.Runner)
	}
	inPlane, p := d.g.InSize(), d.p
	offs, work := int32s(work[:d.k]), work[align16(d.k):]
	var xs, xp, tmp []float32
	switch {
	case d.padded:
		d.tapOffsets(offs)
		xp, tmp = work[:d.paddedLen()], work[align16(d.paddedLen()):][:d.mg*d.pq]
	default:
		for r := range offs {
			offs[r] = int32(r * p)
		}
		if !d.direct {
			xs = work[:d.cg*p]
		}
	}
	for q := range d.pairs(c.group) {
		n, g := q/c.group, q%c.group
		xg := x[(n*d.c+g*d.cg)*inPlane:][:d.cg*inPlane]
		yOff := (n*d.m + g*d.mg) * p
		prod := hgemm.Product{A: c.half[g], Offs: offs}
		if xp != nil {
			s.padInput(par, xp, xg)
			prod.N, prod.B, prod.C, prod.LdC = d.pq, xp, tmp, d.pq
			s.half.Run(par, &prod)
			job := paddedOutJob{d: d, tmp: tmp, ld: d.pq, y: y[yOff : yOff+d.mg*p], ep: s.epilogue(g, bias, res, yOff, p), r1: d.g.Out[1]}
			runLoop(par, &s.output, &s.outputJ, job, d.mg, max(1, 8192/p))
			continue
		}
		if xs != nil {
			d.gatherStrided(xs, xg)
			xg = xs
		}
		prod.N, prod.B, prod.C, prod.LdC = p, xg, y[yOff:], p
		prod.Ep = s.epilogue(g, bias, res, yOff, p)
		s.half.Run(par, &prod)
	}
	return nil
}

// halfName names the fp16 path's form for d, whose window is window.
func halfName(d *convDims, window string) string {
	switch {
	case d.padded:
		return "implicit im2col " + window
	case d.direct:
		return "1x1 in place"
	}
	return "strided 1x1 gathered"
}

// halfPrefix is "fp16 " when the convolution runs in the fp16 mode.
func (c *convOp) halfPrefix() string {
	if c.half != nil || c.wino != nil && c.wino.half != nil {
		return "fp16 "
	}
	return ""
}

// mulHalf computes point i's product of a narrow F(4x4, 3x3) in the fp16
// mode for n tiles, with hgemm's transposed form: Vᵀ (tiles x C, read from
// the transformed inputs' rows and converted to fp16 as its panels are
// packed, into the point's GEMM work) times U_pᵀ (packed by Prepare).
func (s *winoStep) mulHalf(i, n int) {
	p := &s.plan
	work := s.work[i*p.wl:][:p.wl]
	h := unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(work))), 2*len(work))
	hgemm.MulT(n, s.v[i*p.vstride:][:p.vstride], p.vld, &s.w.half[i], s.m[i*p.mstride:][:p.mstride], p.d.m, h)
}
