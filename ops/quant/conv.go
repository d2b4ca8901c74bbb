package quant

import (
	"fmt"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/qgemm"
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
// Both run on the int8 kernels of ops/internal/qgemm, the weights packed
// once by Prepare when constant. A depthwise convolution (one input and
// one output channel per group, at most two spatial axes) runs the direct
// kernel on a padded copy of each input plane (conv_depthwise.go); any
// other is one integer product per group of its weights by its input
// read in place from an interleaved, padded copy (conv_gemm.go).
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
	// packed holds the weights when Prepare found them constant.
	packed *convWeights
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
	g          ops.Window3
	n, c, m    int   // batch, input and output channels
	cg, mg     int   // input and output channels per group
	taps, k, p int   // kernel taps, depth cg·taps, output positions
	plane      int   // positions of an input channel
	depthwise  bool  // computed by the direct depthwise kernel
	out        []int // output shape
}

// kernel is the int8 kernel of d's products (see qgemm.For): M output
// channels per group, N output positions, depth K, in runs of a tap's
// channel quads.
func (d *qconvDims) kernel() *qgemm.Kernel { return qgemm.For(d.mg, d.p, d.k, (d.cg+3)/4) }

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
	d.depthwise = d.cg == 1 && d.mg == 1 && g.Out[0] == 1 && g.In[0] == 1 && g.Kernel[0] == 1 && g.Pad[0] == 0
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

// convWeights are a convolution's weights packed for a kernel: each
// group's rows (conv_gemm.go) or, depthwise, each channel's taps, with the
// sum of each output channel's packed values.
type convWeights struct {
	k    *qgemm.Kernel
	data []byte
	sums []int32
}

// Prepare packs constant weights once.
func (c *qconv) Prepare(in []ops.Value) error {
	if len(in) <= c.in.w || in[c.in.w].Const == nil {
		return nil
	}
	if _, err := c.Infer(in); err != nil {
		return nil // Infer reports it
	}
	d, err := c.dims(in[c.in.x].Shape, in[c.in.w].Shape)
	if err != nil {
		return nil
	}
	k := d.kernel()
	var sp qspace
	l := newConvLayout(&d, c.group, k)
	pw := &convWeights{k: k}
	sp.buf = ops.AlignedBytes(l.weightSpace(&sp))
	pw.data, pw.sums = l.weightRegions(&sp)
	l.packWeights(pw, in[c.in.w].Const, 0, l.weightItems())
	c.packed = pw
	return nil
}

// Released reports w as not read by Run once Prepare has packed it.
func (c *qconv) Released() []int {
	if c.packed != nil {
		return []int{c.in.w}
	}
	return nil
}

// prepacked returns the packed weights when they suit kernel k.
func (c *qconv) prepacked(k *qgemm.Kernel) *convWeights {
	if c.packed != nil && c.packed.k == k {
		return c.packed
	}
	return nil
}

// Workspace is Run's scratch: the weights packed per run when they were
// not prepacked, and the layout's input copy.
func (c *qconv) Workspace(in []ops.Value) int {
	if len(in) <= c.in.w {
		return 0
	}
	d, err := c.dims(in[c.in.x].Shape, in[c.in.w].Shape)
	if err != nil {
		return 0
	}
	k := d.kernel()
	var sp qspace
	l := newConvLayout(&d, c.group, k)
	l.space(&sp, c.prepacked(k) == nil)
	return sp.n
}

// Run convolves x with w into y.
func (c *qconv) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(c, ctx, in, out)
}

// Algorithm names the path Run takes, for profiles.
func (c *qconv) Algorithm(in []ops.Value) string {
	d, err := c.dims(in[c.in.x].Shape, in[c.in.w].Shape)
	if err != nil {
		return ""
	}
	k := d.kernel()
	family, _, _ := strings.Cut(k.Name, " ")
	if d.depthwise {
		return fmt.Sprintf("%s depthwise %dx%d", family, d.g.Kernel[1], d.g.Kernel[2])
	}
	return fmt.Sprintf("%s gemm", k.Name)
}

// Bind resolves the geometry, lays out the scratch and makes the loops.
func (c *qconv) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	d, err := c.dims(in[c.in.x].Shape, in[c.in.w].Shape)
	if err != nil {
		return nil, err
	}
	k := d.kernel()
	l := newConvLayout(&d, c.group, k)
	w := c.prepacked(k)
	var count qspace
	l.space(&count, w == nil)
	if len(ctx.Scratch) < count.n {
		return nil, fmt.Errorf("scratch has %d bytes, want %d", len(ctx.Scratch), count.n)
	}
	r := &convRun{l: l, c: c, par: ctx.Par, in: in, out: out[0], x: in[c.in.x], w: in[c.in.w],
		xzp: ops.InputAt(in, c.in.xzp), wzp: ops.InputAt(in, c.in.wzp)}
	sp := qspace{buf: ctx.Scratch}
	if r.packW = w == nil; r.packW {
		w = &convWeights{k: k}
		w.data, w.sums = l.weightRegions(&sp)
	}
	r.wts = w
	r.xq = l.space(&sp, false)
	rows := l.rows()
	r.ep = qgemm.Epilogue{RowOff: make([]int32, rows), Mode: qgemm.Int32}
	r.wzp2 = make([]int32, rows)
	if !c.integer {
		r.ep.Scale, r.ep.Mode = make([]float32, rows), qgemm.Byte
		r.ep.Lo, r.ep.Hi = outRange(in[7])
	}
	if err := r.bind(); err != nil {
		return nil, err
	}
	return r.run, nil
}

// outRange is the range of an output of y_zero_point's type.
func outRange(yzp *ops.Tensor) (lo, hi float32) {
	if yzp.Type == onnx.Int8 {
		return -128, 127
	}
	return 0, 255
}

// convRun is a bound convolution: its tensors, scratch, epilogue and the
// path's loops, made once by Bind.
type convRun struct {
	l              *convLayout
	c              *qconv
	par            ops.Parallel
	in             []*ops.Tensor
	out            *ops.Tensor
	x, w, xzp, wzp *ops.Tensor
	packW          bool // pack w into wts at every run (not constant)
	wts            *convWeights
	xq             []byte // the layout's copy of the input
	ep             qgemm.Epilogue
	wzp2           []int32 // w's zero point per packed row, in the rows' signedness
	lo, hi         float32 // the output range (QLinearConv)
	zx             int32   // x's zero point in the columns' signedness
	zxIn           int32   // x's zero point
	packBody       func(lo, hi int)
	img            int // the image being computed
	gemm           *convGemm
	dw             *convDepthwise
}

// bind makes the path's loops.
func (r *convRun) bind() error {
	r.lo, r.hi = r.ep.Lo, r.ep.Hi
	r.packBody = func(lo, hi int) { r.l.packWeights(r.wts, r.w, lo, hi) }
	if r.l.d.depthwise {
		return r.bindDepthwise()
	}
	return r.bindGemm()
}

// run computes the convolution, image by image.
func (r *convRun) run() error {
	l := r.l
	if r.packW {
		r.par.For(l.weightItems(), max(1, qGrain/max(1, l.d.k*8)), r.packBody)
	}
	r.epilogue()
	outBytes := l.d.m * l.d.p * ops.ElemSize(r.out.Type)
	for r.img = range l.d.n {
		y := r.out.Data[r.img*outBytes : (r.img+1)*outBytes]
		if r.dw != nil {
			r.dw.run(y)
		} else {
			r.gemm.run(y)
		}
	}
	return nil
}

// epilogue computes the run's per-row offsets and scales from the zero
// points, bias and scales, which may change between runs: with zx and
// zw[c] moved to the packed signedness, row c's sums are offset by
// bias[c] - zx·Σw[c] + K·zx·zw[c], and by -zw[c]·Σx per column
// (wzp2).
func (r *convRun) epilogue() {
	l, k := r.l, r.wts.k
	r.zxIn = 0
	if r.xzp != nil {
		r.zxIn = q8At(r.xzp.Data, r.xzp.Type == onnx.Int8, 0)
	}
	r.zx = r.zxIn + k.Shift(r.x.Type == onnx.Int8, true)
	wShift := k.Shift(r.w.Type == onnx.Int8, false)
	var bias []int32
	if b := ops.InputAt(r.in, 8); b != nil && !r.c.integer {
		bias = b.I32()
	}
	depth := int32(l.d.k)
	if l.d.depthwise {
		depth = int32(l.d.taps)
	}
	anyZW := false
	for ch := range l.d.m {
		row := l.row(ch)
		zw := wShift
		if r.wzp != nil {
			zw += q8At(r.wzp.Data, r.wzp.Type == onnx.Int8, ch*qStep(r.wzp))
		}
		off := -r.zx*r.wts.sums[row] + depth*r.zx*zw
		if bias != nil {
			off += bias[ch]
		}
		r.ep.RowOff[row], r.wzp2[row] = off, -zw
		anyZW = anyZW || zw != 0
		if r.ep.Scale != nil {
			xs, ws, ys := r.in[1].F32()[0], r.in[4].F32(), r.in[6].F32()[0]
			r.ep.Scale[row] = xs * ws[ch*qStep(r.in[4])] / ys
		}
	}
	r.ep.RowMul = nil
	if anyZW {
		r.ep.RowMul = r.wzp2
	}
	if r.ep.Mode == qgemm.Byte {
		zy := q8At(r.in[7].Data, r.in[7].Type == onnx.Int8, 0)
		r.ep.Zp, r.ep.Lo, r.ep.Hi = zy, r.lo-float32(zy), r.hi-float32(zy)
	}
}
