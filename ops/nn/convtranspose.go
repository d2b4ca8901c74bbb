package nn

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
)

// ConvTranspose (1, 11, 22) over 1 to 3 spatial axes, float32: the
// gradient of Conv with respect to its input. Input position i of a
// spatial axis and kernel tap k add x*w to output position
// i*stride + k*dilation - pad_begin. The "full" output, before padding is
// cut, has stride*(in-1) + (kernel-1)*dilation + 1 positions, extended by
// output_padding at the end. Padding comes from pads, from auto_pad
// (SAME_UPPER or SAME_LOWER: the output is in*stride long) or from
// output_shape (total padding is what makes the output that long; it may
// be negative, which widens the output with positions only the bias
// reaches). The total is split with the larger half at the end for
// SAME_UPPER and at the beginning otherwise from opset 11 on; opset 1
// states the opposite rule, at the beginning for SAME_UPPER only.
func init() {
	for _, v := range []int{1, 11, 22} {
		ops.Register("", "ConvTranspose", v, buildConvTranspose)
	}
}

// convTOp is ConvTranspose, computed per group as one GEMM, col =
// Wᵀ (M/group*taps x C/group) times X (C/group x input positions), in
// tiles of input positions, each followed by col2im: every output channel
// (in parallel) adds its taps' rows of col at their output positions.
// A constant W is packed once by Prepare.
type convTOp struct {
	sp          ops.WindowAttrs
	group       int
	outPadding  []int // output_padding (nil: zeros)
	outShape    []int // output_shape's spatial entries (nil: absent)
	upperAtBack bool  // SAME_UPPER or output_shape put the larger half of odd padding at the end (see init)
	packed      []gemm.PackedA
}

func buildConvTranspose(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	sp, err := ops.ParseWindow(a, false)
	if err != nil {
		return nil, err
	}
	c := &convTOp{sp: sp}
	group := a.Int("group", 1)
	outPad := a.Ints("output_padding")
	outShape := a.Ints("output_shape")
	if err := a.Err(); err != nil {
		return nil, err
	}
	if group < 1 {
		return nil, fmt.Errorf("attribute \"group\" is %d, must be positive", group)
	}
	if c.group, err = ops.ToDim(group, "attribute \"group\""); err != nil {
		return nil, err
	}
	if c.outPadding, err = nonNegInts("output_padding", outPad); err != nil {
		return nil, err
	}
	if c.outShape, err = ops.PositiveInts("output_shape", outShape); err != nil {
		return nil, err
	}
	// Opset 1: larger half at the beginning for SAME_UPPER only; later:
	// at the end for SAME_UPPER only.
	c.upperAtBack = (sp.AutoPad == "SAME_UPPER") == (opset >= 11)
	return c, nil
}

// nonNegInts converts an INTS attribute whose entries must be >= 0.
func nonNegInts(name string, v []int64) ([]int, error) {
	if v == nil {
		return nil, nil
	}
	out := make([]int, len(v))
	for i, x := range v {
		if x < 0 {
			return nil, fmt.Errorf("attribute %q: entry %d is %d, must not be negative", name, i, x)
		}
		d, err := ops.ToDim(x, fmt.Sprintf("attribute %q entry %d", name, i))
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// convTDims is a ConvTranspose resolved for its input shapes, spatial
// axes as three with leading 1s.
type convTDims struct {
	batch, c, m, cg, mg int
	in, k, out          [3]int
	strides, dilations  [3]int
	pad                 [3]int // padding cut at the beginning (negative: output widened there)
	nd                  int    // spatial axes
	p, taps, outSize    int    // input positions, kernel taps and output positions of a plane
	tile                int    // input positions per GEMM
}

// colBudget bounds the floats of the col buffer of one tile.
const colBudget = 1 << 20

// floorDiv is a/b rounded toward -Inf (b > 0).
func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// dims checks X's and W's shapes and resolves the geometry.
func (c *convTOp) dims(x, w []int) (convTDims, error) {
	var d convTDims
	if len(x) < 3 {
		return d, fmt.Errorf("input \"X\" has shape %v, want [N, C, spatial...]", x)
	}
	if len(w) != len(x) {
		return d, fmt.Errorf("input \"W\" has shape %v, want rank %d like X %v", w, len(x), x)
	}
	d.nd = len(x) - 2
	if d.nd > ops.MaxWindowAxes {
		return d, fmt.Errorf("%d spatial axes: %w (at most %d)", d.nd, ops.ErrUnsupported, ops.MaxWindowAxes)
	}
	d.batch, d.c, d.mg = x[0], x[1], w[1]
	if w[0] != d.c {
		return d, fmt.Errorf("input \"W\" has shape %v: %d input channels, X %v has %d", w, w[0], x, d.c)
	}
	if d.c%c.group != 0 {
		return d, fmt.Errorf("attribute \"group\" %d does not divide X's %d channels", c.group, d.c)
	}
	d.cg, d.m = d.c/c.group, d.mg*c.group
	kernel := w[2:]
	if c.sp.Kernel != nil && !ops.SameShape(c.sp.Kernel, kernel) {
		return d, fmt.Errorf("attribute \"kernel_shape\" %v does not match W's spatial shape %v", c.sp.Kernel, kernel)
	}
	for _, a := range [...]struct {
		name string
		v    []int
		want int
	}{{"strides", c.sp.Strides, d.nd}, {"dilations", c.sp.Dilations, d.nd}, {"pads", c.sp.Pads, 2 * d.nd},
		{"output_padding", c.outPadding, d.nd}} {
		if a.v != nil && len(a.v) != a.want {
			return d, fmt.Errorf("attribute %q has %d entries, want %d for %d spatial axes", a.name, len(a.v), a.want, d.nd)
		}
	}
	outShape := c.outShape
	if len(outShape) == d.nd+2 { // some exporters give the whole shape
		outShape = outShape[2:]
	}
	if outShape != nil && len(outShape) != d.nd {
		return d, fmt.Errorf("attribute \"output_shape\" has %d entries, want %d for %d spatial axes", len(outShape), d.nd, d.nd)
	}
	off := ops.MaxWindowAxes - d.nd
	for i := range ops.MaxWindowAxes {
		d.in[i], d.k[i], d.out[i], d.strides[i], d.dilations[i] = 1, 1, 1, 1, 1
		j := i - off
		if j < 0 {
			continue
		}
		d.in[i], d.k[i] = x[2+j], kernel[j]
		if d.in[i] <= 0 {
			return d, fmt.Errorf("input \"X\" has shape %v: spatial axis %d is empty", x, j)
		}
		if d.k[i] <= 0 {
			return d, fmt.Errorf("input \"W\" has shape %v: kernel axis %d is empty", w, j)
		}
		outPad := 0
		if c.sp.Strides != nil {
			d.strides[i] = c.sp.Strides[j]
		}
		if c.sp.Dilations != nil {
			d.dilations[i] = c.sp.Dilations[j]
		}
		if c.outPadding != nil {
			outPad = c.outPadding[j]
			if outPad >= max(d.strides[i], d.dilations[i]) {
				return d, fmt.Errorf("attribute \"output_padding\" entry %d is %d, must be less than the stride %d or the dilation %d", j, outPad, d.strides[i], d.dilations[i])
			}
		}
		// full is the output length before any padding is cut.
		full := d.strides[i]*(d.in[i]-1) + outPad + (d.k[i]-1)*d.dilations[i] + 1
		switch {
		case outShape != nil || c.sp.AutoPad == "SAME_UPPER" || c.sp.AutoPad == "SAME_LOWER":
			d.out[i] = d.in[i] * d.strides[i]
			if outShape != nil {
				d.out[i] = outShape[j]
			}
			total := full - d.out[i]
			half := floorDiv(total, 2)
			d.pad[i] = total - half
			if c.upperAtBack {
				d.pad[i] = half
			}
		case c.sp.AutoPad == "NOTSET" && c.sp.Pads != nil:
			d.pad[i] = c.sp.Pads[j]
			d.out[i] = full - c.sp.Pads[j] - c.sp.Pads[d.nd+j]
		default: // VALID or no pads
			d.out[i] = full
		}
		if d.out[i] <= 0 {
			return d, fmt.Errorf("spatial axis %d: output size %d is not positive (input %d, kernel %d, stride %d, dilation %d, pads %v)",
				j, d.out[i], d.in[i], d.k[i], d.strides[i], d.dilations[i], c.sp.Pads)
		}
	}
	d.p = d.in[0] * d.in[1] * d.in[2]
	d.taps = d.k[0] * d.k[1] * d.k[2]
	d.outSize = d.out[0] * d.out[1] * d.out[2]
	d.tile = min(d.p, max(64, colBudget/max(1, d.mg*d.taps)))
	return d, nil
}

// workLen is the floats of workspace one run needs: the col buffer and
// the GEMM's packing space.
func (d *convTDims) workLen(packedW bool) int {
	rows := d.mg * d.taps
	return align16(rows*d.tile) + gemm.WorkLen(rows, d.tile, d.cg, packedW, false)
}

// Infer checks X, W and B and gives Y's shape.
func (c *convTOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 3); err != nil {
		return nil, err
	}
	for i, name := range []string{"X", "W", "B"}[:len(in)] {
		if ops.HasInput(in, i) {
			if err := ops.CheckFloat(in[i], name, false); err != nil {
				return nil, err
			}
		}
	}
	d, err := c.dims(in[0].Shape, in[1].Shape)
	if err != nil {
		return nil, err
	}
	if ops.HasInput(in, 2) && !ops.SameShape(in[2].Shape, []int{d.m}) {
		return nil, fmt.Errorf("input \"B\" has shape %v, want [%d]", in[2].Shape, d.m)
	}
	shape := append([]int{d.batch, d.m}, d.out[ops.MaxWindowAxes-d.nd:]...)
	return []ops.Value{{Type: onnx.Float, Shape: shape}}, nil
}

// Prepare packs a constant W, each group's Wᵀ as the GEMM's left operand.
func (c *convTOp) Prepare(in []ops.Value) error {
	if len(in) < 2 || in[1].Const == nil || in[1].Type != onnx.Float || in[0].Type != onnx.Float {
		return nil
	}
	d, err := c.dims(in[0].Shape, in[1].Shape)
	if err != nil {
		return nil // Infer reports it
	}
	w := in[1].Const.F32()
	rows := d.mg * d.taps
	c.packed = make([]gemm.PackedA, c.group)
	for g := range c.packed {
		c.packed[g] = gemm.PackA(nil, rows, d.cg, gemm.Matrix{Data: w[g*d.cg*rows:], Ld: rows, Trans: true})
	}
	return nil
}

// Released reports W as not read by Run once Prepare has packed it.
func (c *convTOp) Released() []int {
	if c.packed != nil {
		return []int{1}
	}
	return nil
}

// Workspace is the col buffer and the GEMM's packing space.
func (c *convTOp) Workspace(in []ops.Value) int {
	if len(in) < 2 {
		return 0
	}
	d, err := c.dims(in[0].Shape, in[1].Shape)
	if err != nil {
		return 0
	}
	return 4 * d.workLen(c.packed != nil)
}

// Run computes Y.
func (c *convTOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(c, ctx, in, out)
}

// Bind resolves the geometry once and makes the GEMM runner and the loop
// bodies, so that a run allocates nothing.
func (c *convTOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	d, err := c.dims(in[0].Shape, in[1].Shape)
	if err != nil {
		return nil, err
	}
	work := ops.View[float32](ctx.Scratch)
	if need := d.workLen(c.packed != nil); len(work) < need {
		return nil, fmt.Errorf("scratch has %d bytes, need %d", len(ctx.Scratch), 4*need)
	}
	rows := d.mg * d.taps
	col, gw := work[:rows*d.tile], work[align16(rows*d.tile):]
	runner := new(gemm.Runner)
	var init, scatter ops.Loop
	initJ, scatterJ := new(biasFillJob), new(col2imJob)
	init.Bind(initJ)
	scatter.Bind(scatterJ)
	par := ctx.Par
	return func() error {
		x, y := in[0].F32(), out[0].F32()
		var w, bias []float32
		if c.packed == nil {
			w = in[1].F32()
		}
		if len(in) > 2 && in[2] != nil {
			bias = in[2].F32()
		}
		*initJ = biasFillJob{y, bias, d.outSize}
		init.Run(par, d.batch*d.m, max(1, ops.Grain/max(d.outSize, 1)))
		for b := range d.batch {
			for g := range c.group {
				xg := x[(b*d.c+g*d.cg)*d.p:]
				yg := y[(b*d.m+g*d.mg)*d.outSize:]
				for p0 := 0; p0 < d.p; p0 += d.tile {
					np := min(d.tile, d.p-p0)
					prod := gemm.Product{M: rows, N: np, K: d.cg, Alpha: 1, B: gemm.Matrix{Data: xg[p0:], Ld: d.p}, C: col[:rows*np], LdC: np}
					if c.packed != nil {
						prod.PA = c.packed[g]
					} else {
						prod.A = gemm.Matrix{Data: w[g*d.cg*rows:], Ld: rows, Trans: true}
					}
					runner.Run(par, &prod, gw)
					*scatterJ = col2imJob{&d, col, yg, p0, np}
					scatter.Run(par, d.mg, 1)
				}
			}
		}
		return nil
	}, nil
}

// biasFillJob sets (batch, channel) planes of y to their channel's bias
// (zero without one).
type biasFillJob struct {
	y, bias []float32
	plane   int
}

func (j biasFillJob) Run(lo, hi int) {
	for r := lo; r < hi; r++ {
		dst := j.y[r*j.plane:][:j.plane]
		if j.bias == nil {
			clear(dst)
			continue
		}
		ops.Fill(dst, j.bias[r%len(j.bias)])
	}
}

// col2imJob adds output channels [lo, hi) of one group's tile of col (the
// channel's taps' rows, np input positions from p0 each) into y's planes.
type col2imJob struct {
	d      *convTDims
	col, y []float32
	p0, np int
}

func (j col2imJob) Run(lo, hi int) {
	d := j.d
	in1, in2 := d.in[1], d.in[2]
	for m := lo; m < hi; m++ {
		dst := j.y[m*d.outSize:][:d.outSize]
		for t := range d.taps {
			kd, kh, kw := t/(d.k[1]*d.k[2]), t/d.k[2]%d.k[1], t%d.k[2]
			row := j.col[(m*d.taps+t)*j.np:][:j.np]
			// Input positions iw in [w0, w1) reach output column
			// iw*stride + shift inside the output.
			shift := kw*d.dilations[2] - d.pad[2]
			w0, w1 := ops.ValidRun(shift, d.strides[2], d.out[2], in2)
			for q := 0; q < j.np; {
				p := j.p0 + q
				iw0, ih, id := p%in2, p/in2%in1, p/(in1*in2)
				n := min(in2-iw0, j.np-q) // the rest of this input row in the tile
				od := id*d.strides[0] + kd*d.dilations[0] - d.pad[0]
				oh := ih*d.strides[1] + kh*d.dilations[1] - d.pad[1]
				if od >= 0 && od < d.out[0] && oh >= 0 && oh < d.out[1] {
					// Input column iw is row[q-iw0+iw], output column dst[base+iw*stride].
					base := (od*d.out[1]+oh)*d.out[2] + shift
					a, b := max(w0, iw0), min(w1, iw0+n)
					if a < b {
						src := row[q-iw0+a : q-iw0+b]
						if s := d.strides[2]; s == 1 {
							addTo(dst[base+a:base+b], src)
						} else {
							out := dst[base+a*s:]
							for i, v := range src {
								out[i*s] += v
							}
						}
					}
				}
				q += n
			}
		}
	}
}

// addTo sets dst[i] += src[i].
func addTo(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}
