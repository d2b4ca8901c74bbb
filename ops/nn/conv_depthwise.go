package nn

import (
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
)

// A depthwise convolution (one input and one output channel per group)
// is computed directly, one (batch, channel) plane per task and one
// output row at a time, each kernel tap applied to a whole row.

// execDepthwise computes a depthwise convolution, planes spread over
// threads.
func (s *convStep) execDepthwise(par ops.Parallel, x, w, bias, res, y []float32) {
	d := &s.d
	s.depthwise.Run(par, d.batch*d.c, 1, depthwiseJob{*d, x, w, bias, res, y, s.c.act})
}

// depthwiseJob computes a convolution with one input and one output
// channel per group directly, one (batch, channel) plane per task and one
// output row at a time.
type depthwiseJob struct {
	d                  convDims
	x, w, bias, res, y []float32
	act                gemm.Epilogue
}

func (j depthwiseJob) Run(lo, hi int) {
	g := &j.d.g
	inPlane, p, taps := g.InSize(), j.d.p, g.Taps()
	for pl := lo; pl < hi; pl++ {
		ch := pl % j.d.c
		src, dst, wk := j.x[pl*inPlane:][:inPlane], j.y[pl*p:][:p], j.w[ch*taps:][:taps]
		clear(dst)
		for od := range g.Out[0] {
			for oh := range g.Out[1] {
				row := dst[(od*g.Out[1]+oh)*g.Out[2]:][:g.Out[2]]
				depthwiseRow(g, src, wk, od, oh, row)
			}
		}
		e := j.act
		e.LdAdd = p
		if j.bias != nil {
			e.RowBias = j.bias[ch : ch+1]
		}
		if j.res != nil {
			e.Add = j.res[pl*p:][:p]
		}
		e.Apply(dst, p, 0, 1, 0, p)
	}
}

// depthwiseRow accumulates into row (output row od, oh) every kernel tap
// applied to plane src.
func depthwiseRow(g *ops.Window3, src, wk []float32, od, oh int, row []float32) {
	sw := g.Strides[2]
	ops.RowTaps(g, src, od, oh, func(t int, in []float32, iw, lo, hi int) {
		wv := wk[t]
		if sw == 1 {
			for j, v := range in[iw+lo : iw+hi] {
				row[lo+j] += wv * v
			}
			return
		}
		for j := lo; j < hi; j++ {
			row[j] += wv * in[iw+j*sw]
		}
	})
}
