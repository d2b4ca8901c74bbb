package nn

import (
	"runtime"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/dwconv"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
)

// A depthwise convolution has one input channel per group: output channel
// oc reads input channel oc/multiplier alone (the multiplier being M/C,
// usually 1). It is computed plane by plane, the planes spread over
// threads. A 1-D or 2-D window runs on the kernels of ops/internal/dwconv
// (AVX-512, AVX2, NEON), which apply the bias, the residual and the
// activation in registers, with W packed by Prepare; a 3-D one on a
// direct loop applying each kernel tap to a whole output row, then the
// GEMM's epilogue.

// planar reports whether a depthwise convolution's window is 1-D or 2-D,
// which the dwconv kernels compute.
func (d *convDims) planar() bool {
	g := &d.g
	return g.In[0] == 1 && g.Kernel[0] == 1 && g.Pad[0] == 0 && g.PadEnd[0] == 0
}

// dwShape is the dwconv shape of a planar depthwise convolution.
func (d *convDims) dwShape() dwconv.Shape {
	g := &d.g
	return dwconv.Shape{
		InH: g.In[1], InW: g.In[2], OutH: g.Out[1], OutW: g.Out[2],
		KH: g.Kernel[1], KW: g.Kernel[2], StrideH: g.Strides[1], StrideW: g.Strides[2],
		DilH: g.Dilations[1], DilW: g.Dilations[2], PadTop: g.Pad[1], PadLeft: g.Pad[2],
	}
}

// blocked reports whether a depthwise convolution runs in the dwconv
// kernels' channel-blocked form (see dwconv.Plan.Block): a planar window
// the kernel would rather compute so, one input channel per output
// channel, and W packed by Prepare; plan is the window's.
func (c *convOp) blocked(d *convDims, plan *dwconv.Plan) bool {
	return d.planar() && d.mg == 1 && c.dw != nil && plan.Blocked()
}

// blocks is the number of blocks of channels a blocked depthwise
// convolution computes: lanes channels of an image each.
func (d *convDims) blocks(lanes int) int { return d.batch * ((d.m + lanes - 1) / lanes) }

// depthwiseWorkLen is the floats of scratch a depthwise convolution
// needs: for the blocked form, the transposed input of a block per task,
// as many tasks as blocks up to GOMAXPROCS (the threads a run may have).
func (c *convOp) depthwiseWorkLen(d *convDims) int {
	if !d.planar() {
		return 0
	}
	plan, err := dwconv.NewPlan(d.dwShape())
	if err != nil || !c.blocked(d, &plan) {
		return 0
	}
	return plan.BlockScratch() * min(d.blocks(plan.Lanes()), runtime.GOMAXPROCS(0))
}

// prepareDepthwise packs a constant W of a planar depthwise convolution
// for the dwconv kernels.
func (c *convOp) prepareDepthwise(w []float32, d *convDims) {
	if d.planar() {
		p := dwconv.PackWeights(w, d.m, d.g.Taps())
		c.dw = &p
	}
}

// execDepthwise computes a depthwise convolution, planes (or blocks of
// channels, each task with its part of work) spread over threads.
func (s *convStep) execDepthwise(par ops.Parallel, work, x, w, bias, res, y []float32) {
	d := &s.d
	if s.c.blocked(d, &s.dwPlan) {
		nb, per := d.blocks(s.dwPlan.Lanes()), s.dwPlan.BlockScratch()
		tasks := min(par.Threads(), nb, len(work)/per)
		job := depthwiseBlockJob{d: d, plan: &s.dwPlan, x: x, bias: bias, res: res, y: y, ep: &s.c.dwEp, w: s.c.dw, work: work, tasks: tasks}
		runLoop(par, &s.dwBlocks, &s.dwBlocksJ, job, tasks, 1)
		return
	}
	job := depthwiseJob{d: *d, plan: s.dwPlan, x: x, w: w, bias: bias, res: res, y: y, act: s.c.act, ep: s.c.dwEp, packed: s.c.dw}
	runLoop(par, &s.depthwise, &s.depthwiseJ, job, d.batch*d.m, 1)
}

// depthwiseJob computes the (batch, output channel) planes of its range.
type depthwiseJob struct {
	d                  convDims
	plan               dwconv.Plan // for a planar window
	x, w, bias, res, y []float32
	act                gemm.Epilogue   // the activation, for a 3-D window
	ep                 dwconv.Epilogue // the activation, for a planar one
	packed             *dwconv.Weights // W packed by Prepare, or nil
}

func (j depthwiseJob) Run(lo, hi int) {
	d := &j.d
	inPlane, p, taps := d.g.InSize(), d.p, d.g.Taps()
	for pl := lo; pl < hi; pl++ {
		n, oc := pl/d.m, pl%d.m
		src, dst := j.x[(n*d.c+oc/d.mg)*inPlane:][:inPlane], j.y[pl*p:][:p]
		var wk []float32
		if j.packed != nil {
			wk = j.packed.Channel(oc)
		} else {
			wk = j.w[oc*taps:][:taps]
		}
		var res []float32
		if j.res != nil {
			res = j.res[pl*p:][:p]
		}
		if d.planar() {
			var b float32
			if j.bias != nil {
				b = j.bias[oc]
			}
			j.plan.Plane(dst, src, wk, b, res, &j.ep)
			continue
		}
		depthwise3D(&d.g, dst, src, wk)
		e := j.act
		e.LdAdd = p
		if j.bias != nil {
			e.RowBias = j.bias[oc : oc+1]
		}
		e.Add = res
		e.Apply(dst, p, 0, 1, 0, p)
	}
}

// depthwiseBlockJob computes the blocks of channels of tasks [lo, hi)
// of a blocked depthwise convolution, task t using part t of work.
type depthwiseBlockJob struct {
	d                     *convDims
	plan                  *dwconv.Plan
	x, bias, res, y, work []float32
	ep                    *dwconv.Epilogue
	w                     *dwconv.Weights
	tasks                 int
}

func (j depthwiseBlockJob) Run(lo, hi int) {
	d, lanes, per := j.d, j.plan.Lanes(), j.plan.BlockScratch()
	perImage := (d.m + lanes - 1) / lanes
	nb, in, out := d.blocks(lanes), d.g.InSize(), d.p
	for t := lo; t < hi; t++ {
		scratch := j.work[t*per:][:per]
		for b := t * nb / j.tasks; b < (t+1)*nb/j.tasks; b++ {
			n, c0 := b/perImage, b%perImage*lanes
			ch := min(lanes, d.m-c0)
			first := n*d.m + c0 // plane index of the block's first channel
			var res []float32
			if j.res != nil {
				res = j.res[first*out:][:ch*out]
			}
			j.plan.Block(j.y[first*out:][:ch*out], j.x[first*in:][:ch*in], j.w, c0, ch, j.bias, res, scratch, j.ep)
		}
	}
}

// depthwise3D computes plane dst from plane src and kernel wk, one
// output row at a time, each kernel tap added to the whole row.
func depthwise3D(g *ops.Window3, dst, src, wk []float32) {
	clear(dst)
	sw := g.Strides[2]
	for od := range g.Out[0] {
		for oh := range g.Out[1] {
			row := dst[(od*g.Out[1]+oh)*g.Out[2]:][:g.Out[2]]
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
	}
}
