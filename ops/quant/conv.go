package quant

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// QLinearConv and ConvInteger convolve uint8/int8 tensors over one to three
// spatial axes: the products of zero-point-corrected inputs and weights
// accumulate in int32 (wrapping, as the spec allows). ConvInteger outputs
// the sums; its zero points are optional (0), x's per tensor and w's per
// tensor or per output channel. QLinearConv adds its optional int32 bias B
// and stores each sum s as saturate(round_half_even(s·(x_scale·w_scale)/
// y_scale) + y_zero_point), computed as ONNX Runtime does (the scale ratio
// and its product with s rounded to float32); its scales and zero points
// are per tensor except the weight's, which may be per output channel.
// Padding reads the input's zero point (a real 0).
//
// Each group is one integer product (igemm.go) of its weights (M/group ×
// C/group·taps), packed once by Prepare when constant, by the im2col
// matrix of its input channels, packed straight from the input (or the
// input itself for a 1x1 unit-stride unpadded window) in blocks of output
// positions that bound the scratch (convBlockBytes). A depthwise
// convolution (one input and one output channel per group) runs a direct
// loop instead.
func init() {
	ops.Register("", "QLinearConv", 10, buildQConv(false))
	ops.Register("", "ConvInteger", 10, buildQConv(true))
}

// convInputs are the input positions of a convolution's tensors.
type convInputs struct{ x, xzp, w, wzp int }

var (
	qlinearConvInputs = convInputs{x: 0, xzp: 2, w: 3, wzp: 5}
	convIntegerInputs = convInputs{x: 0, w: 1, xzp: 2, wzp: 3}
	qlinearConvNames  = []string{"x", "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point", "y_scale", "y_zero_point", "B"}
	convIntegerNames  = []string{"x", "w", "x_zero_point", "w_zero_point"}
)

// qconv is a built QLinearConv or ConvInteger.
type qconv struct {
	sp      ops.WindowAttrs
	group   int
	integer bool // ConvInteger
	in      convInputs
	// wPacked holds the weights minus their zero points when Prepare found
	// both constant: each group's GEMM panels (with their rows' sums in
	// wSum) or, for a depthwise convolution, [channel][tap].
	wPacked []int16
	wSum    []int32
}

func buildQConv(integer bool) ops.Builder {
	return func(n *onnx.Node, _ int) (ops.Op, error) {
		a := ops.AttrsOf(n)
		sp, err := ops.ParseWindow(a, false)
		if err != nil {
			return nil, err
		}
		group := a.Int("group", 1)
		if err := a.Err(); err != nil {
			return nil, err
		}
		if sp.CeilMode {
			return nil, fmt.Errorf("attribute \"ceil_mode\" is not an attribute of %s", n.OpType)
		}
		if group < 1 {
			return nil, fmt.Errorf("attribute \"group\" is %d, must be positive", group)
		}
		c := &qconv{sp: sp, group: int(group), integer: integer, in: qlinearConvInputs}
		if integer {
			c.in = convIntegerInputs
		}
		return c, nil
	}
}

// names are the op's input names, for messages.
func (c *qconv) names() []string {
	if c.integer {
		return convIntegerNames
	}
	return qlinearConvNames
}

// qconvDims is a convolution's sizes for given input and weight shapes.
type qconvDims struct {
	g               ops.Window3
	n, c, m         int // batch, input and output channels
	cg, mg          int // input and output channels per group
	taps, k, p      int // kernel taps, GEMM depth cg·taps, output positions
	plane           int // positions of an input channel
	unit, depthwise bool
	blockPanels     int   // column panels (of output positions) packed at once
	out             []int // output shape
}

// convBlockBytes bounds the im2col matrices of a block of output positions
// (every group's), packed at once. Tests lower it to run many blocks.
var convBlockBytes = 4 << 20

// dims checks x's and w's shapes against each other and resolves the window.
func (c *qconv) dims(x, w []int) (qconvDims, error) {
	names := c.names()
	if len(x) < 3 {
		return qconvDims{}, fmt.Errorf("input %q has shape %v, want [N, C, spatial...]", names[c.in.x], x)
	}
	if len(w) != len(x) {
		return qconvDims{}, fmt.Errorf("input %q has shape %v, want rank %d like %q %v", names[c.in.w], w, len(x), names[c.in.x], x)
	}
	if w[0]%c.group != 0 {
		return qconvDims{}, fmt.Errorf("input %q has %d output channels, not a multiple of group %d", names[c.in.w], w[0], c.group)
	}
	if w[1]*c.group != x[1] {
		return qconvDims{}, fmt.Errorf("input %q has %d input channels per group, want %q's %d channels / group %d", names[c.in.w], w[1], names[c.in.x], x[1], c.group)
	}
	g, err := c.sp.Resolve3(x[2:], w[2:])
	if err != nil {
		return qconvDims{}, err
	}
	d := qconvDims{g: g, n: x[0], c: x[1], m: w[0], cg: w[1], mg: w[0] / c.group, taps: g.Taps(), p: g.OutSize(), plane: g.InSize()}
	d.k = d.cg * d.taps
	d.unit = g.Unit()
	d.depthwise = d.cg == 1 && d.mg == 1
	d.blockPanels = min(colPanels(d.p), max(1, convBlockBytes/max(1, c.group*d.k*igNR*4)))
	d.out = append([]int{x[0], w[0]}, g.Out[ops.MaxWindowAxes-(len(x)-2):]...)
	return d, nil
}

// Infer checks the inputs; y is [N, M, out...], int32 for ConvInteger and
// of y_zero_point's type for QLinearConv.
func (c *qconv) Infer(in []ops.Value) ([]ops.Value, error) {
	lo, hi := 8, 9
	if c.integer {
		lo, hi = 2, 4
	}
	if err := ops.CheckInputs(in, lo, hi); err != nil {
		return nil, err
	}
	names := c.names()
	x, w := in[c.in.x], in[c.in.w]
	for _, i := range []int{c.in.x, c.in.w} {
		if err := checkQ8(in[i], names[i]); err != nil {
			return nil, err
		}
	}
	d, err := c.dims(x.Shape, w.Shape)
	if err != nil {
		return nil, err
	}
	if c.integer {
		if ops.HasInput(in, c.in.xzp) {
			if err := checkZeroPoint(in[c.in.xzp], names[c.in.xzp], x.Type, names[c.in.x], 0); err != nil {
				return nil, err
			}
		}
		if ops.HasInput(in, c.in.wzp) {
			if err := checkZeroPoint(in[c.in.wzp], names[c.in.wzp], w.Type, names[c.in.w], d.m); err != nil {
				return nil, err
			}
		}
		return []ops.Value{{Type: onnx.Int32, Shape: d.out}}, nil
	}
	if err := checkQLinear(in, names, 0, d.m); err != nil {
		return nil, err
	}
	if ops.HasInput(in, 8) {
		if b := in[8]; b.Type != onnx.Int32 || len(b.Shape) != 1 || b.Shape[0] != d.m {
			return nil, fmt.Errorf("input \"B\" is %s%v, want int32[%d]", ops.TypeName(b.Type), b.Shape, d.m)
		}
	}
	return []ops.Value{{Type: in[7].Type, Shape: d.out}}, nil
}

// checkQLinear checks the eight inputs QLinearConv and QLinearMatMul share
// (x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale,
// y_zero_point): uint8/int8 tensors with zero points of their type,
// float32 scales, and scales and zero points of the granularity
// checkPerShape's per describes: perX for x's, perW for w's, y's per
// tensor.
func checkQLinear(in []ops.Value, names []string, perX, perW int) error {
	for _, i := range []int{0, 3, 7} {
		if err := checkQ8(in[i], names[i]); err != nil {
			return err
		}
	}
	for _, err := range []error{
		checkScale(in[1], names[1], perX),
		checkZeroPoint(in[2], names[2], in[0].Type, names[0], perX),
		checkScale(in[4], names[4], perW),
		checkZeroPoint(in[5], names[5], in[3].Type, names[3], perW),
		checkScale(in[6], names[6], 0),
		checkPerShape(in[7].Shape, names[7], 0),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// Prepare packs constant weights (and weight zero point) once.
func (c *qconv) Prepare(in []ops.Value) error {
	if len(in) <= c.in.w || in[c.in.w].Const == nil || (ops.HasInput(in, c.in.wzp) && in[c.in.wzp].Const == nil) {
		return nil
	}
	if _, err := c.Infer(in); err != nil {
		return nil // Infer reports it
	}
	d, err := c.dims(in[c.in.x].Shape, in[c.in.w].Shape)
	if err != nil {
		return nil
	}
	var wzp *ops.Tensor
	if ops.HasInput(in, c.in.wzp) {
		wzp = in[c.in.wzp].Const
	}
	sp := qspace{buf: ops.AlignedBytes(c.weightSpace(&d, &qspace{}))}
	wp, ws := c.weightRegions(&d, &sp)
	packWeights(wp, ws, &d, c.group, in[c.in.w].Const, wzp, 0, c.weightItems(&d))
	c.wPacked, c.wSum = wp, ws
	return nil
}

// Released reports w as not read by Run once Prepare has packed it.
func (c *qconv) Released() []int {
	if c.wPacked != nil {
		return []int{c.in.w}
	}
	return nil
}

// weightSpace is the bytes of the packed weights.
func (c *qconv) weightSpace(d *qconvDims, sp *qspace) int {
	c.weightRegions(d, sp)
	return sp.n
}

// weightRegions takes the packed weights' space from sp: each group's
// panels and row sums or, depthwise, [channel][tap] (no sums).
func (c *qconv) weightRegions(d *qconvDims, sp *qspace) ([]int16, []int32) {
	if d.depthwise {
		return sp.int16s(d.m * d.taps), nil
	}
	return sp.int16s(c.group * packedALen(d.mg, d.k)), sp.int32s(c.group * rowSumLen(d.mg))
}

// weightItems is the number of units packWeights splits its work in:
// channels (depthwise) or row panels of every group.
func (c *qconv) weightItems(d *qconvDims) int {
	if d.depthwise {
		return d.m
	}
	return c.group * rowPanels(d.mg)
}

// packWeights packs items [lo, hi) (see weightItems) of w minus its zero
// point into wp and ws.
func packWeights(wp []int16, ws []int32, d *qconvDims, group int, w, wzp *ops.Tensor, lo, hi int) {
	wm := qmat{data: w.Data, signed: w.Type == onnx.Int8, rs: d.k, cs: 1, zp: zpData(wzp), zpStep: zpStep(wzp)}
	if d.depthwise {
		for ch := lo; ch < hi; ch++ {
			zp := int32(0)
			if wm.zp != nil {
				zp = q8At(wm.zp, wm.signed, ch*wm.zpStep)
			}
			for t := range d.taps {
				wp[ch*d.taps+t] = int16(q8At(wm.data, wm.signed, ch*d.taps+t) - zp)
			}
		}
		return
	}
	alen, slen, rp := packedALen(d.mg, d.k), rowSumLen(d.mg), rowPanels(d.mg)
	for i := lo; i < hi; i++ {
		gi, p := i/rp, i%rp
		g := wm
		g.data = wm.data[gi*d.mg*d.k:]
		if g.zp != nil {
			g.zp = g.zp[gi*d.mg*g.zpStep:]
		}
		g.packA(wp[gi*alen:(gi+1)*alen], ws[gi*slen:(gi+1)*slen], d.mg, d.k, p, p+1)
	}
}

// qGrain is the number of multiply-adds (or element operations) worth a goroutine.
const qGrain = 1 << 15

// space counts (or takes) Run's scratch in sp: without prepacked weights,
// the packed weights, then the packed im2col matrices of a block of
// output positions.
func (c *qconv) space(d *qconvDims, sp *qspace) (wp []int16, ws []int32, b []int32) {
	if c.wPacked == nil {
		wp, ws = c.weightRegions(d, sp)
	}
	if !d.depthwise {
		b = sp.int32s(c.group * d.blockPanels * igNR * d.k)
	}
	return wp, ws, b
}

// Workspace is Run's scratch (see space).
func (c *qconv) Workspace(in []ops.Value) int {
	if len(in) <= c.in.w {
		return 0
	}
	d, err := c.dims(in[c.in.x].Shape, in[c.in.w].Shape)
	if err != nil {
		return 0
	}
	var sp qspace
	c.space(&d, &sp)
	return sp.n
}

// Run convolves x with w into y.
func (c *qconv) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(c, ctx, in, out)
}

// Bind resolves the geometry, lays out the scratch and makes the loops.
func (c *qconv) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	d, err := c.dims(in[c.in.x].Shape, in[c.in.w].Shape)
	if err != nil {
		return nil, err
	}
	var count qspace
	c.space(&d, &count)
	if len(ctx.Scratch) < count.n {
		return nil, fmt.Errorf("scratch has %d bytes, want %d", len(ctx.Scratch), count.n)
	}
	r := &convRun{d: d, group: c.group, par: ctx.Par, in: in, out: out[0],
		x: in[c.in.x], w: in[c.in.w], xzp: ops.InputAt(in, c.in.xzp), wzp: ops.InputAt(in, c.in.wzp)}
	sp := qspace{buf: ctx.Scratch}
	r.wp, r.ws, r.b = c.space(&d, &sp)
	if r.packW = c.wPacked == nil; !r.packW {
		r.wp, r.ws = c.wPacked, c.wSum
	}
	var p qparams
	var yzp *ops.Tensor
	if !c.integer {
		r.scale = make([]float32, d.m)
		p = qparams{scale: r.scale, scaleRow: 1}
		if b := ops.InputAt(in, 8); b != nil {
			p.bias, p.biasRow = b.I32(), 1
		}
		yzp = in[7]
	}
	r.store = newStore(out[0].Type, d.p, p, yzp)
	r.bind()
	return r.run, nil
}

// convRun is a bound convolution: its tensors, scratch regions, products
// and loop bodies, all made once by Bind.
type convRun struct {
	d              qconvDims
	group          int
	par            ops.Parallel
	in             []*ops.Tensor
	out            *ops.Tensor
	x, w, xzp, wzp *ops.Tensor
	packW          bool    // pack w into wp and ws at every run (not constant)
	wp             []int16 // packed weights
	ws             []int32
	b              []int32   // the packed im2col matrices of a block, group after group
	cb, nb         int       // the block's first column panel and its panels
	scale          []float32 // QLinearConv's scale ratio per output channel
	store          *qstore
	gemms          []igemm // one per group
	xv             []byte  // the current image's input
	zx             int32
	packWBody      func(lo, hi int)
	packBody       func(lo, hi int)
	tileBody       func(lo, hi int)
	dwBody         func(lo, hi int)
}

// bind makes the products and loop bodies.
func (r *convRun) bind() {
	d := &r.d
	r.packWBody = func(lo, hi int) { packWeights(r.wp, r.ws, d, r.group, r.w, r.wzp, lo, hi) }
	if d.depthwise {
		if r.x.Type == onnx.Int8 {
			r.dwBody = func(lo, hi int) { depthwisePlanes(r, ops.View[int8](r.xv), lo, hi) }
		} else {
			r.dwBody = func(lo, hi int) { depthwisePlanes(r, r.xv, lo, hi) }
		}
		return
	}
	alen, slen, blen := packedALen(d.mg, d.k), rowSumLen(d.mg), d.blockPanels*igNR*d.k
	r.gemms = make([]igemm, r.group)
	for gi := range r.gemms {
		r.gemms[gi] = igemm{m: d.mg, k: d.k, row0: gi * d.mg,
			a: r.wp[gi*alen : (gi+1)*alen], rowSum: r.ws[gi*slen : (gi+1)*slen],
			b: pairs(r.b[gi*blen : (gi+1)*blen]), out: r.store}
	}
	signed := r.x.Type == onnx.Int8
	// packBody packs panels [lo, hi) of the block, numbered group by group.
	r.packBody = func(lo, hi int) {
		for lo < hi {
			gi := lo / r.nb
			end := min(hi, (gi+1)*r.nb)
			q0, q1 := lo-gi*r.nb, end-gi*r.nb
			dst, x := r.b[gi*blen:(gi+1)*blen], r.xv[gi*d.cg*d.plane:(gi+1)*d.cg*d.plane]
			pos0 := r.cb * igNR
			switch {
			case d.unit:
				m := qmat{data: x[pos0:], signed: signed, rs: d.plane, cs: 1, zp: zpData(r.xzp)}
				m.packB(dst, d.k, d.p-pos0, q0, q1)
			case signed:
				im2colPanels(dst, ops.View[int8](x), r.zx, &d.g, d.cg, pos0, d.p, q0, q1)
			default:
				im2colPanels(dst, x, r.zx, &d.g, d.cg, pos0, d.p, q0, q1)
			}
			lo = end
		}
	}
	// tileBody computes tiles [lo, hi) of the block, numbered group by group.
	r.tileBody = func(lo, hi int) {
		tpg := r.gemms[0].tiles()
		for lo < hi {
			gi := lo / tpg
			end := min(hi, (gi+1)*tpg)
			r.gemms[gi].runTiles(lo-gi*tpg, end-gi*tpg)
			lo = end
		}
	}
}

// run computes the convolution, image by image.
func (r *convRun) run() error {
	d := &r.d
	if r.scale != nil {
		xs, ws, ys := r.in[1].F32()[0], r.in[4].F32(), r.in[6].F32()[0]
		step := qStep(r.in[4])
		for ch := range r.scale {
			r.scale[ch] = xs * ws[ch*step] / ys
		}
	}
	if r.packW {
		n := r.d.m
		if !d.depthwise {
			n = r.group * rowPanels(d.mg)
		}
		r.par.For(n, max(1, qGrain/max(1, d.k*igMR)), r.packWBody)
	}
	r.zx = 0
	if r.xzp != nil {
		r.zx = q8At(r.xzp.Data, r.xzp.Type == onnx.Int8, 0)
	}
	outBytes := d.m * d.p * ops.ElemSize(r.out.Type)
	for img := range d.n {
		r.xv = r.x.Data[img*d.c*d.plane : (img+1)*d.c*d.plane]
		r.store.reset(r.out.Data[img*outBytes : (img+1)*outBytes])
		if d.depthwise {
			r.par.For(d.m, max(1, qGrain/max(1, d.p*d.taps)), r.dwBody)
			continue
		}
		for cb := 0; cb < colPanels(d.p); cb += d.blockPanels {
			r.cb, r.nb = cb, min(d.blockPanels, colPanels(d.p)-cb)
			for gi := range r.gemms {
				g := &r.gemms[gi]
				g.col0, g.n = cb*igNR, min(r.nb*igNR, d.p-cb*igNR)
			}
			r.par.For(r.group*r.nb, max(1, qGrain/max(1, igNR*d.k)), r.packBody)
			r.par.For(r.group*r.gemms[0].tiles(), max(1, qGrain/max(1, igMR*igNR*d.k)), r.tileBody)
		}
	}
	return nil
}

// im2colPanels packs the column panels [q0, q1) of the im2col matrix of
// one group's channels x (cg planes) from output position pos0 on (of p):
// row (channel, tap), column output position holds the input under that
// tap of the position's window minus the zero point zx, or 0 in the
// padding, plus igBias (see packB).
func im2colPanels[T quant8](dst []int32, x []T, zx int32, g *ops.Window3, cg, pos0, p, q0, q1 int) {
	k, inSize := cg*g.Taps(), g.InSize()
	for q := q0; q < q1; q++ {
		panel := dst[q*igNR*k : (q+1)*igNR*k]
		for c := range igNR {
			pos := pos0 + q*igNR + c
			if pos >= p {
				for r := range k {
					panel[r*igNR+c] = 0
				}
				continue
			}
			ow, oh, od := pos%g.Out[2], pos/g.Out[2]%g.Out[1], pos/(g.Out[2]*g.Out[1])
			s0, s1, s2 := od*g.Strides[0]-g.Pad[0], oh*g.Strides[1]-g.Pad[1], ow*g.Strides[2]-g.Pad[2]
			r := c
			for ch := range cg {
				plane := x[ch*inSize : (ch+1)*inSize]
				for kd := range g.Kernel[0] {
					id := s0 + kd*g.Dilations[0]
					for kh := range g.Kernel[1] {
						ih := s1 + kh*g.Dilations[1]
						inside := uint(id) < uint(g.In[0]) && uint(ih) < uint(g.In[1])
						base := (id*g.In[1] + ih) * g.In[2]
						for kw := range g.Kernel[2] {
							iw := s2 + kw*g.Dilations[2]
							v := int32(igBias)
							if inside && uint(iw) < uint(g.In[2]) {
								v += int32(plane[base+iw]) - zx
							}
							panel[r] = v
							r += igNR
						}
					}
				}
			}
		}
	}
}

// dwSeg is the number of output positions of a row a depthwise
// convolution accumulates at once, on the stack.
const dwSeg = 256

// depthwisePlanes computes the output channels [lo, hi) of the current
// image of a depthwise convolution directly: each output row, in segments
// of dwSeg positions, accumulates every row of taps inside the input.
func depthwisePlanes[T quant8](r *convRun, x []T, lo, hi int) {
	g := &r.d.g
	taps, kw := r.d.taps, g.Kernel[2]
	var acc [dwSeg]int32
	for ch := lo; ch < hi; ch++ {
		plane, wk := x[ch*r.d.plane:(ch+1)*r.d.plane], r.wp[ch*taps:(ch+1)*taps]
		for od := range g.Out[0] {
			sd, d0, d1 := g.At(0, od)
			for oh := range g.Out[1] {
				sh, h0, h1 := g.At(1, oh)
				rowOff := (od*g.Out[1] + oh) * g.Out[2]
				for s0 := 0; s0 < g.Out[2]; s0 += dwSeg {
					s1 := min(s0+dwSeg, g.Out[2])
					seg := acc[:s1-s0]
					clear(seg)
					for kd := d0; kd < d1; kd++ {
						id := sd + kd*g.Dilations[0]
						for kh := h0; kh < h1; kh++ {
							in := plane[(id*g.In[1]+sh+kh*g.Dilations[1])*g.In[2]:][:g.In[2]]
							dwRow(seg, in, wk[(kd*g.Kernel[1]+kh)*kw:][:kw], r.zx, g, s0)
						}
					}
					r.store.put(ch, rowOff+s0, seg)
				}
			}
		}
	}
}

// dwRow adds to seg (output positions s0...) one row of taps w applied to
// the input row in, minus the zero point zx, skipping taps in the padding.
// A row of three taps is applied in one pass where all three are inside.
func dwRow[T quant8](seg []int32, in []T, w []int16, zx int32, g *ops.Window3, s0 int) {
	sw, dw, pad, s1 := g.Strides[2], g.Dilations[2], g.Pad[2], s0+len(seg)
	f0, f1 := s0, s0 // the positions done in one pass
	if len(w) == 3 {
		a, _ := ops.ValidRun(-pad, sw, g.In[2], g.Out[2])
		_, b := ops.ValidRun(2*dw-pad, sw, g.In[2], g.Out[2])
		if a, b = max(a, s0), min(b, s1); a < b {
			f0, f1 = a, b
			w0, w1, w2 := int32(w[0]), int32(w[1]), int32(w[2])
			c := zx * (w0 + w1 + w2)
			dst, p := seg[f0-s0:f1-s0], f0*sw-pad
			for j := range dst {
				dst[j] += w0*int32(in[p]) + w1*int32(in[p+dw]) + w2*int32(in[p+2*dw]) - c
				p += sw
			}
		}
	}
	for k, wv := range w {
		iw := k*dw - pad
		a, b := ops.ValidRun(iw, sw, g.In[2], g.Out[2])
		a, b = max(a, s0), min(b, s1)
		for _, r := range [2][2]int{{a, min(b, f0)}, {max(a, f1), b}} {
			if r[0] < r[1] {
				dwTap(seg[r[0]-s0:r[1]-s0], in[iw+r[0]*sw:], int32(wv), zx, sw)
			}
		}
	}
}

// dwTap adds w·(x - zx) to dst for x = in[0], in[sw], in[2·sw]...
func dwTap[T quant8](dst []int32, in []T, w, zx int32, sw int) {
	if sw == 1 {
		for j, v := range in[:len(dst)] {
			dst[j] += w * (int32(v) - zx)
		}
		return
	}
	for j := range dst {
		dst[j] += w * (int32(in[j*sw]) - zx)
	}
}
