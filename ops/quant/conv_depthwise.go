package quant

import (
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/qgemm"
)

// convDepthwise is a bound depthwise convolution: the direct kernel reads
// each image's planes in place, channels split among the workers.
type convDepthwise struct {
	r    *convRun
	dw   qgemm.Depthwise
	body func(lo, hi int)
}

// bindDepthwise makes the depthwise loop.
func (r *convRun) bindDepthwise() error {
	d := &r.l.d
	g := &d.g
	c := &convDepthwise{r: r}
	c.dw = qgemm.Depthwise{C: d.m, H: g.In[1], W: g.In[2], PadT: g.Pad[1], PadL: g.Pad[2], Signed: r.x.Type == onnx.Int8,
		KH: g.Kernel[1], KW: g.Kernel[2], SH: g.Strides[1], SW: g.Strides[2], DH: g.Dilations[1], DW: g.Dilations[2],
		OH: g.Out[1], OW: g.Out[2], Wt: r.wts.data, Ep: r.ep}
	if d.n > 0 {
		c.dw.Src, c.dw.Out = r.x.Data[:d.c*d.plane], r.out.Data[:d.m*d.p*ops.ElemSize(r.out.Type)]
		if err := c.dw.Check(); err != nil {
			return err
		}
	}
	c.body = c.dw.Run
	r.dw = c
	return nil
}

// run computes image r.img into y.
func (c *convDepthwise) run(y []byte) {
	r := c.r
	d := &r.l.d
	c.dw.Out, c.dw.Ep, c.dw.Zx = y, r.ep, r.zxIn
	c.dw.Src = r.x.Data[r.img*d.c*d.plane : (r.img+1)*d.c*d.plane]
	r.par.For(d.m, max(1, qGrain/max(1, d.p*d.taps)), c.body)
}
