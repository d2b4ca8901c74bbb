package nn

import (
	"fmt"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
	"github.com/edgeinfer/edgeinfer/ops/internal/vec"
)

func init() {
	for _, v := range []int{1, 11, 22} {
		ops.Register("", "Conv", v, buildConv)
	}
}

// convOp is Conv over 1 to 3 spatial axes, float32 only. Each group is one
// GEMM: the group's weights (M/group x C/group*taps) times the im2col matrix
// of its input channels (C/group*taps x output positions), computed in tiles
// of output positions to bound the im2col buffer. A 1x1 unit-stride
// unpadded window multiplies the input directly (read in place where the
// kernel can, see gemm.IndirectB), a strided one its gathered positions;
// a depthwise convolution (one input and one output channel per group)
// runs a direct loop. A 2-D window with unit strides (or at least 2 taps
// per stride phase) reads its im2col rows as contiguous runs of a padded
// copy of the input split by stride phase, in place or packed, and
// computes the product at the padded width (see convDims.padded). With a
// constant W and few output positions the product is computed transposed
// instead (see transposedFaster). The bias, a fused residual and a fused
// activation are applied as each tile of the output is stored (for padded
// and transposed products, as each output channel is copied out). A 3x3
// window with unit strides and dilations and a constant W may instead run
// as the Winograd convolution F(4x4, 3x3) (winograd.go), where measured
// faster.
type convOp struct {
	sp       ops.WindowAttrs
	group    int
	act      gemm.Epilogue // fused activation (Clamp or Act), zero for none
	fusedAct bool
	fusedAdd bool // the last input is added to the output before act
	// packed holds each group's weights packed by Prepare when W is
	// constant (nil otherwise, for depthwise convolutions, or when wino
	// is set).
	packed []gemm.PackedA
	// packedT holds each group's weights transposed (Wᵀ, K x M/group)
	// and packed as a right operand by Prepare instead, for a window with
	// few output positions (see transposedFaster).
	packedT []gemm.PackedB
	// wino holds W transformed by Prepare for a convolution run as
	// F(4x4, 3x3) (see winograd.go), nil otherwise.
	wino *winogradWeights
}

func buildConv(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	sp, err := ops.ParseWindow(a, false)
	if err != nil {
		return nil, err
	}
	group := a.Int("group", 1)
	if err := a.Err(); err != nil {
		return nil, err
	}
	if group < 1 {
		return nil, fmt.Errorf("attribute \"group\" is %d, must be positive", group)
	}
	return &convOp{sp: sp, group: int(group)}, nil
}

// convDims is a convolution's sizes for given input and weight shapes.
type convDims struct {
	g           ops.Window3
	batch, c, m int // batch, input and output channels
	cg, mg      int // input and output channels per group
	k           int // GEMM depth: cg * taps
	p           int // output positions per channel
	tile        int // output positions per im2col tile
	depthwise   bool
	direct      bool // the input is the GEMM's right operand (1x1 window)
	// padded is a 2-D window computed over a zero-padded copy of the input
	// split by stride phase: each channel becomes sh*sw planes of hp x wp,
	// plane (a, b) holding padded rows a, a+sh, ... and columns b, b+sw, ...
	// The product is computed at the plane width: output position (oh, ow)
	// is column oh*wp+ow of the product, which has pq columns, the last
	// wp-Out[2] of each row being discarded. Every im2col row is then one
	// contiguous run of one plane. It serves unit strides, and larger ones
	// when the window has at least 2 taps per phase (3x3 stride 2, a
	// network's 7x7 stride-2 stem): the copy is then small next to the
	// im2col matrix, whose rows it turns from strided gathers into long
	// copies (ResNet-50's 3x3 stride-2 layers: 1.75 -> 1.40 ms each).
	padded     bool
	hp, wp, pq int
	// indirect is a padded window whose product reads B in place from the
	// padded input, through the offsets of the window's taps (an implicit
	// im2col, where the kernel has one: gemm.Indirect), in one tile.
	indirect bool
}

// workLen is the floats of scratch Run needs: the im2col tile, packed for
// the GEMM, and the GEMM's own work.
func (d *convDims) workLen(packedW, transposed bool) int {
	if transposed {
		n := align16(d.p*d.mg) + gemm.WorkLen(d.p, d.mg, d.k, !d.pointwise(), true)
		switch {
		case !d.pointwise():
			n += align16(gemm.PackedALen(d.p, d.k)) + align16(d.paddedLen()) + align16(d.p) + align16(d.k)
		case !d.direct:
			n += align16(d.cg * d.p)
		}
		return n
	}
	if d.inPlace() {
		n := align16(d.k) + gemm.IndirectWorkLen(d.mg, d.p, d.k, packedW)
		if !d.direct {
			n += align16(d.cg * d.p)
		}
		return n
	}
	if d.direct {
		return gemm.WorkLen(d.mg, d.p, d.k, packedW, false)
	}
	if d.indirect {
		return gemm.IndirectWorkLen(d.mg, d.pq, d.k, packedW) + align16(d.k) + align16(d.paddedLen()) + d.mg*d.pq
	}
	n := gemm.PackedBLen(d.k, d.tile) + gemm.WorkLen(d.mg, d.tile, d.k, packedW, true)
	if d.padded {
		n += align16(d.k) + align16(d.paddedLen()) + d.mg*d.pq
	}
	return n
}

// align16 rounds n floats up to whole 64-byte lines.
func align16(n int) int { return (n + 15) &^ 15 }

// inPlace reports whether a pointwise convolution's product reads its B in
// place (the kernel reading an indirect B): X itself, or, for a strided
// window, the input positions it reads gathered once (gatherStrided),
// rather than a packed im2col.
func (d *convDims) inPlace() bool { return d.pointwise() && gemm.Indirect() }

// pointwise reports whether the window is one tap with no padding: each
// output position reads one input position (every one when direct).
func (d *convDims) pointwise() bool {
	g := &d.g
	return g.Taps() == 1 && g.Pad == [3]int{} && g.PadEnd == [3]int{}
}

// transposedFaster reports whether a convolution's product is better
// computed transposed, Yᵀ (P x M) = im2col(X)ᵀ Wᵀ, then transposed into
// Y: the kernel tile's wide side then spans output channels rather than
// output positions, whose count (ResNet's 7x7 and 14x14 layers: 49 and
// 196) leaves much of the last column panel empty. It does when that
// computes at most 15/16 of the padded products the direct way computes
// (at the padded width on the padded path). A window of more than one tap
// must be on the padded path (im2col(X)ᵀ is gathered from the padded
// input, see tapOffsets), with im2col(X)ᵀ within im2colBudget. One
// output position (a 1x1 map: squeeze-excite, a classifier head) makes the
// transposed product a matrix-vector one, which computes no padded rows.
func transposedFaster(d *convDims) bool {
	mr, nr := gemm.PackedALen(1, 1), gemm.PackedBLen(1, 1)
	padded := func(rows, cols int) int {
		return (rows + mr - 1) / mr * mr * ((cols + nr - 1) / nr * nr)
	}
	cols := d.p
	if d.padded {
		cols = d.pq
	}
	transposed := padded(d.p, d.mg)
	if d.p == 1 {
		transposed = (d.mg + nr - 1) / nr * nr
	}
	return !d.depthwise && (d.pointwise() || d.padded && d.p*d.k <= im2colBudget) &&
		16*transposed <= 15*padded(d.mg, cols)
}

// paddedLen is the floats of a group's padded input: the last row of the
// last channel is followed by the zeros its discarded columns read.
func (d *convDims) paddedLen() int {
	return d.cg*d.phasePlanes()*d.hp*d.wp + (d.g.Kernel[2]-1)*d.g.Dilations[2]
}

// phasePlanes is the number of stride phases of a padded input channel.
func (d *convDims) phasePlanes() int { return d.g.Strides[1] * d.g.Strides[2] }

// im2colBudget bounds the floats of one im2col tile.
const im2colBudget = 1 << 18

// convDimsOf checks x ([N, C, spatial...]) against w ([M, C/group,
// kernel...]) for group groups and resolves the window.
func convDimsOf(sp *ops.WindowAttrs, group int, x, w []int) (convDims, error) {
	var d convDims
	if len(x) < 3 {
		return d, fmt.Errorf("input \"X\" has shape %v, want [N, C, spatial...]", x)
	}
	if len(w) != len(x) {
		return d, fmt.Errorf("input \"W\" has shape %v, want rank %d like X %v", w, len(x), x)
	}
	if w[0]%group != 0 {
		return d, fmt.Errorf("input \"W\" has %d output channels, not a multiple of group %d", w[0], group)
	}
	if w[1]*group != x[1] {
		return d, fmt.Errorf("input \"W\" has %d input channels per group, want X's %d channels / group %d", w[1], x[1], group)
	}
	g, err := sp.Resolve3(x[2:], w[2:])
	if err != nil {
		return d, err
	}
	d = convDims{g: g, batch: x[0], c: x[1], m: w[0], cg: w[1], mg: w[0] / group}
	d.k = d.cg * g.Taps()
	d.p = g.OutSize()
	d.depthwise = d.cg == 1 && d.mg == 1
	d.direct = g.Unit()
	sh, sw := g.Strides[1], g.Strides[2]
	d.padded = !d.direct && !d.depthwise && g.In[0] == 1 && g.Kernel[0] == 1 && g.Pad[0] == 0 && g.PadEnd[0] == 0 &&
		(sh == 1 && sw == 1 || g.Taps() >= 2*sh*sw)
	cols := d.p
	if d.padded {
		d.hp = (g.In[1] + g.Pad[1] + g.PadEnd[1] + sh - 1) / sh
		d.wp = (g.In[2] + g.Pad[2] + g.PadEnd[2] + sw - 1) / sw
		d.pq = g.Out[1] * d.wp
		cols = d.pq
	}
	d.tile = cols
	d.indirect = d.padded && gemm.Indirect()
	if !d.direct && !d.indirect && d.k*cols > im2colBudget {
		d.tile = min(cols, max(64, im2colBudget/max(d.k, 1)/64*64))
	}
	return d, nil
}

// arity checks the number of inputs and returns how many are the node's
// own (X, W and maybe B), the rest being the fused residual.
func (c *convOp) arity(n int) (int, error) {
	base := n
	if c.fusedAdd {
		base--
	}
	if base < 2 || base > 3 {
		return 0, fmt.Errorf("got %d inputs, want 2 or 3 (X, W, optional B)", base)
	}
	return base, nil
}

// Infer checks X, W, B (and the fused residual) and gives Y's shape.
func (c *convOp) Infer(in []ops.Value) ([]ops.Value, error) {
	base, err := c.arity(len(in))
	if err != nil {
		return nil, err
	}
	if err := ops.CheckInputs(in[:base], 2, 3); err != nil {
		return nil, err
	}
	for i, name := range []string{"X", "W", "B"}[:base] {
		if ops.HasInput(in, i) {
			if err := ops.CheckFloat(in[i], name, false); err != nil {
				return nil, err
			}
		}
	}
	d, err := convDimsOf(&c.sp, c.group, in[0].Shape, in[1].Shape)
	if err != nil {
		return nil, err
	}
	if ops.HasInput(in[:base], 2) && !ops.SameShape(in[2].Shape, []int{d.m}) {
		return nil, fmt.Errorf("input \"B\" has shape %v, want [%d]", in[2].Shape, d.m)
	}
	shape := append([]int{d.batch, d.m}, in[0].Shape[2:]...)
	copy(shape[2:], d.g.Out[ops.MaxWindowAxes-len(in[0].Shape[2:]):])
	if c.fusedAdd {
		r := in[base]
		if r.Type != onnx.Float || !ops.SameShape(r.Shape, shape) {
			return nil, fmt.Errorf("fused residual input has %s%v, want float32%v", ops.TypeName(r.Type), r.Shape, shape)
		}
	}
	return []ops.Value{{Type: onnx.Float, Shape: shape}}, nil
}

// Prepare packs a constant W for the GEMM, once per group (transposed
// when transposedFaster says so for X's shape), or transforms
// it for a convolution that runs as F(4x4, 3x3) (see winograd.go).
func (c *convOp) Prepare(in []ops.Value) error {
	if len(in) < 2 || in[1].Const == nil || in[1].Type != onnx.Float || len(in[1].Shape) < 3 {
		return nil
	}
	ws := in[1].Shape
	mg, k := ws[0]/c.group, ops.NumElems(ws[1:])
	if ws[0]%c.group != 0 || ws[1] == 1 && mg == 1 {
		return nil // invalid (Infer reports it) or depthwise (the direct loop reads W as it is)
	}
	if c.prepareWinograd(in) {
		return nil
	}
	w := in[1].Const.F32()
	if in[0].Shape != nil {
		if d, err := convDimsOf(&c.sp, c.group, in[0].Shape, ws); err == nil && transposedFaster(&d) {
			c.packedT = make([]gemm.PackedB, c.group)
			for g := range c.packedT {
				c.packedT[g] = gemm.PackB(nil, k, mg, gemm.Matrix{Data: w[g*mg*k:], Ld: k, Trans: true})
			}
			return nil
		}
	}
	c.packed = make([]gemm.PackedA, c.group)
	for g := range c.packed {
		c.packed[g] = gemm.PackA(nil, mg, k, gemm.Matrix{Data: w[g*mg*k:], Ld: k})
	}
	return nil
}

// Released reports W as not read by Run once Prepare has packed or
// transformed it.
func (c *convOp) Released() []int {
	if c.packed != nil || c.packedT != nil || c.wino != nil {
		return []int{1}
	}
	return nil
}

// Workspace is the im2col tile plus the GEMM's packing space.
func (c *convOp) Workspace(in []ops.Value) int {
	if len(in) < 2 {
		return 0
	}
	d, err := convDimsOf(&c.sp, c.group, in[0].Shape, in[1].Shape)
	if err != nil || d.depthwise {
		return 0
	}
	if c.wino != nil && winogradShape(&d, c.group) {
		p := winoPlanOf(&d, c.wino.wide)
		return 4 * p.workLen()
	}
	return 4 * d.workLen(in[1].Const != nil, c.packedT != nil)
}

// FuseActivation returns a copy applying a as the output is stored.
func (c *convOp) FuseActivation(a ops.Activation) ops.Op {
	if c.fusedAct {
		return nil
	}
	f := *c
	f.act, f.fusedAct = actEpilogue(a), true
	return &f
}

// FuseAdd returns a copy adding one more input to the output before the
// activation.
func (c *convOp) FuseAdd() ops.Op {
	if c.fusedAdd || c.fusedAct {
		return nil
	}
	f := *c
	f.fusedAdd = true
	return &f
}

// Run computes Y.
func (c *convOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	s, err := c.step(in)
	if err != nil {
		return err
	}
	return s.exec(ctx.Par, ctx.Scratch, in, out)
}

// Bind plans the convolution once for these tensors, with its GEMM runner
// and parallel loop bodies made once, so that a run allocates nothing.
func (c *convOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	s, err := c.step(in)
	if err != nil {
		return nil, err
	}
	b := &s
	b.runner = new(gemm.Runner)
	b.im2col.Bind()
	b.depthwise.Bind()
	b.output.Bind()
	b.pad.Bind()
	b.gather.Bind()
	b.transpose.Bind()
	if b.wino != nil {
		b.wino.bind()
	}
	return func() error { return b.exec(ctx.Par, ctx.Scratch, in, out) }, nil
}

// convStep is one convolution over given input shapes. Run uses it unbound
// (runner and loop bodies nil: a serial run allocates nothing but a
// Winograd convolution's step, a parallel one also its closures); Bind
// keeps a bound one.
type convStep struct {
	c         *convOp
	d         convDims
	base      int // the node's own inputs (X, W and maybe B)
	runner    *gemm.Runner
	im2col    ops.BoundRange[im2colJob]
	depthwise ops.BoundRange[depthwiseJob]
	output    ops.BoundRange[paddedOutJob]
	pad       ops.BoundRange[padJob]
	gather    ops.BoundRange[gatherJob]
	transpose ops.BoundRange[transposeOutJob]
	wino      *winoStep // set when the convolution runs as F(4x4, 3x3)
}

// step checks the inputs and resolves the convolution's sizes.
func (c *convOp) step(in []*ops.Tensor) (convStep, error) {
	base, err := c.arity(len(in))
	if err != nil {
		return convStep{}, err
	}
	d, err := convDimsOf(&c.sp, c.group, in[0].Shape, in[1].Shape)
	if err != nil {
		return convStep{}, err
	}
	s := convStep{c: c, d: d, base: base}
	if c.wino != nil && winogradShape(&d, c.group) {
		s.wino = &winoStep{w: c.wino, plan: winoPlanOf(&d, c.wino.wide)}
	}
	return s, nil
}

// exec computes Y from the tensors' current data.
func (s *convStep) exec(par ops.Parallel, scratch []byte, in, out []*ops.Tensor) error {
	c, d, base := s.c, &s.d, s.base
	x, w, y := in[0].F32(), in[1].F32(), out[0].F32()
	var bias, res []float32
	if base == 3 && in[2] != nil {
		bias = in[2].F32()
	}
	if c.fusedAdd {
		res = in[base].F32()
	}
	if d.depthwise {
		s.depthwise.Run(par, d.batch*d.c, 1, depthwiseJob{*d, x, w, bias, res, y, c.act})
		return nil
	}
	work := ops.View[float32](scratch)
	if s.wino != nil {
		return s.wino.exec(par, work, x, bias, res, y, c.act)
	}
	packed, transposed := c.packed != nil, c.packedT != nil
	if need := d.workLen(packed, transposed); len(work) < need {
		return fmt.Errorf("scratch has %d bytes, need %d", len(scratch), 4*need)
	}
	if transposed {
		s.execTransposed(par, work, x, bias, res, y)
		return nil
	}
	if d.padded {
		return s.execPadded(par, work, x, w, bias, res, y)
	}
	inPlane, p := d.g.InSize(), d.p
	// X's rows (or those of its gathered positions, xs), read in place as
	// B (see gemm.IndirectB).
	var rows []int32
	var xs []float32
	if d.inPlace() && !d.direct {
		xs, work = work[:d.cg*p], work[align16(d.cg*p):]
	}
	if d.inPlace() {
		rows, work = int32s(work[:d.k]), work[align16(d.k):]
		for r := range rows {
			rows[r] = int32(r * p)
		}
	}
	for n := range d.batch {
		for g := range c.group {
			xg := x[(n*d.c+g*d.cg)*inPlane:][:d.cg*inPlane]
			if xs != nil {
				d.gatherStrided(xs, xg)
				xg = xs
			}
			yOff := (n*d.m + g*d.mg) * p
			prod := gemm.Product{M: d.mg, K: d.k, Alpha: 1, LdC: p, Ep: c.act}
			prod.Ep.LdAdd = p
			if packed {
				prod.PA = c.packed[g]
			} else {
				prod.A = gemm.Matrix{Data: w[g*d.mg*d.k:], Ld: d.k}
			}
			if bias != nil {
				prod.Ep.RowBias = bias[g*d.mg:]
			}
			for q0 := 0; q0 < p; q0 += d.tile {
				nq := min(d.tile, p-q0)
				prod.N, prod.C = nq, y[yOff+q0:]
				if res != nil {
					prod.Ep.Add = res[yOff+q0:]
				}
				gw := work
				switch {
				case rows != nil:
					prod.IB = gemm.IndirectB{Data: xg[q0:], Offs: rows}
				case d.direct:
					prod.B = gemm.Matrix{Data: xg[q0:], Ld: p}
				default:
					var pb gemm.PackedB
					pb.Init(work[:gemm.PackedBLen(d.k, nq)], d.k, nq)
					s.im2col.Run(par, d.k, max(1, 4096/nq), im2colJob{g: d.g, x: xg, pb: pb, q0: q0})
					prod.PB = pb
					gw = work[gemm.PackedBLen(d.k, d.tile):]
				}
				runProduct(par, s.runner, &prod, gw)
			}
		}
	}
	return nil
}

// execTransposed computes a convolution whose W Prepare packed
// transposed: for each group, Yᵀ = im2col(X)ᵀ Wᵀ into work, then
// transposed into Y, which gets the bias, residual and activation. A
// pointwise window multiplies Xᵀ (its strided positions gathered first
// unless direct); a larger one gathers im2col(X)ᵀ, packed, from the
// padded input.
func (s *convStep) execTransposed(par ops.Parallel, work, x, bias, res, y []float32) {
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
	for n := range d.batch {
		for g := range c.group {
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
				s.gather.Run(par, pa.Panels(), 1, gatherJob{pa, xp, rows, cols})
				prod.PA = pa
			}
			runProduct(par, s.runner, &prod, gw)
			yg := y[yOff : yOff+mg*p]
			ep := c.act
			if bias != nil {
				ep.RowBias = bias[g*mg:]
			}
			if res != nil {
				ep.Add, ep.LdAdd = res[yOff:], p
			}
			s.transpose.Run(par, (mg+transposeBlock-1)/transposeBlock, 1, transposeOutJob{yg, yt, p, mg, ep})
		}
	}
}

// positionOffsets and tapOffsets set where a padded-path convolution
// reads im2col(X) in its padded input (see convDims.padded): element
// (r, q) is at taps[r] + q at the padded width, or at taps[r] +
// positions[q] for output position q; as im2colJob reads them.
func (d *convDims) positionOffsets(positions []int32) {
	for q := range positions {
		positions[q] = int32(q/d.g.Out[2]*d.wp + q%d.g.Out[2])
	}
}

// tapOffsets sets taps[r], the offset of tap r (input channel, kernel
// position) in the padded input.
func (d *convDims) tapOffsets(taps []int32) {
	g := &d.g
	n, kw := g.Taps(), g.Kernel[2]
	sh, sw, plane := g.Strides[1], g.Strides[2], d.phasePlanes()*d.hp*d.wp
	for r := range taps {
		ch, t := r/n, r%n
		y, x := t/kw*g.Dilations[1], t%kw*g.Dilations[2]
		taps[r] = int32(ch*plane + ((y%sh*sw+x%sw)*d.hp+y/sh)*d.wp + x/sw)
	}
}

// int32s views a float32 scratch slice as int32s.
func int32s(f []float32) []int32 {
	return unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(f))), len(f))
}

// gatherStrided copies the input positions a strided pointwise window
// reads, for each of x's channels, to dst (channels x output positions).
func (d *convDims) gatherStrided(dst, x []float32) {
	g := &d.g
	at := 0
	for ch := range len(x) / g.InSize() {
		for od := range g.Out[0] {
			for oh := range g.Out[1] {
				row := x[ch*g.InSize()+(od*g.Strides[0]*g.In[1]+oh*g.Strides[1])*g.In[2]:]
				vec.Gather(dst[at:at+g.Out[2]], row, g.Strides[2])
				at += g.Out[2]
			}
		}
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

// execPadded computes a 2-D convolution on the padded path group by
// group: the group's input is copied with its padding, split by stride
// phase, the product is computed at the padded width into a buffer, and
// its valid columns are copied to Y, which then gets the bias, residual
// and activation. Its B, im2col of the padded input, has rows that are
// contiguous runs of it: read in place through the taps' offsets when
// the kernel can (indirect), else packed a tile of columns at a time.
func (s *convStep) execPadded(par ops.Parallel, work, x, w, bias, res, y []float32) error {
	c, d := s.c, &s.d
	var gw, rest []float32
	if d.indirect {
		gw = work[:gemm.IndirectWorkLen(d.mg, d.pq, d.k, c.packed != nil)]
		rest = work[len(gw):]
	} else {
		gw = work[gemm.PackedBLen(d.k, d.tile):]
		rest = gw[gemm.WorkLen(d.mg, d.tile, d.k, c.packed != nil, true):]
	}
	taps, rest := int32s(rest[:d.k]), rest[align16(d.k):]
	xp, tmp := rest[:d.paddedLen()], rest[align16(d.paddedLen()):][:d.mg*d.pq]
	d.tapOffsets(taps)
	inPlane, p := d.g.InSize(), d.p
	for n := range d.batch {
		for g := range c.group {
			s.padInput(par, xp, x[(n*d.c+g*d.cg)*inPlane:][:d.cg*inPlane])
			prod := gemm.Product{M: d.mg, K: d.k, Alpha: 1, LdC: d.pq}
			if c.packed != nil {
				prod.PA = c.packed[g]
			} else {
				prod.A = gemm.Matrix{Data: w[g*d.mg*d.k:], Ld: d.k}
			}
			if d.indirect {
				prod.N, prod.C, prod.IB = d.pq, tmp, gemm.IndirectB{Data: xp, Offs: taps}
				runProduct(par, s.runner, &prod, gw)
			}
			for q0 := 0; q0 < d.pq && !d.indirect; q0 += d.tile {
				nq := min(d.tile, d.pq-q0)
				prod.N, prod.C = nq, tmp[q0:]
				var pb gemm.PackedB
				pb.Init(work[:gemm.PackedBLen(d.k, nq)], d.k, nq)
				s.im2col.Run(par, d.k, max(1, 4096/nq), im2colJob{g: d.g, x: xp, pb: pb, q0: q0, taps: taps})
				prod.PB = pb
				runProduct(par, s.runner, &prod, gw)
			}
			yOff := (n*d.m + g*d.mg) * p
			job := paddedOutJob{d: *d, tmp: tmp, y: y[yOff : yOff+d.mg*p], ep: c.act}
			job.ep.LdAdd = p
			if bias != nil {
				job.ep.RowBias = bias[g*d.mg:]
			}
			if res != nil {
				job.ep.Add = res[yOff:]
			}
			s.output.Run(par, d.mg, max(1, 8192/p), job)
		}
	}
	return nil
}

// paddedOutJob copies the valid columns of output channels computed at the
// padded width (tmp) to a group's output y and applies the epilogue to
// each channel while it is in cache.
type paddedOutJob struct {
	d      convDims
	tmp, y []float32
	ep     gemm.Epilogue
}

func (j paddedOutJob) Run(lo, hi int) {
	d, p, ow := &j.d, j.d.p, j.d.g.Out[2]
	for m := lo; m < hi; m++ {
		for oh := range d.g.Out[1] {
			copy(j.y[m*p+oh*ow:][:ow], j.tmp[m*d.pq+oh*d.wp:][:ow])
		}
		j.ep.Apply(j.y, p, m, m+1, 0, p)
	}
}

// padInput copies a group's channels x (In[1] x In[2] each) into xp with
// the window's padding as zeros, split by stride phase (see
// convDims.padded), and zeros the tail that the last row's discarded
// columns read.
func (s *convStep) padInput(par ops.Parallel, xp, x []float32) {
	d := &s.d
	s.pad.Run(par, d.cg, max(1, 16384/max(1, d.g.InSize())), padJob{*d, xp, x})
	clear(xp[d.cg*d.phasePlanes()*d.hp*d.wp:])
}

// padJob copies channels of a group's input into its padded copy (see
// convStep.padInput).
type padJob struct {
	d     convDims
	xp, x []float32
}

func (j padJob) Run(lo, hi int) {
	d, xp, x := &j.d, j.xp, j.x
	g := &d.g
	h, w, top, left := g.In[1], g.In[2], g.Pad[1], g.Pad[2]
	sh, sw, ph := g.Strides[1], g.Strides[2], d.hp*d.wp
	for ch := lo; ch < hi; ch++ {
		src := x[ch*h*w:][:h*w]
		for a := range sh {
			for b := range sw {
				dst := xp[((ch*sh+a)*sw+b)*ph:][:ph]
				lo, hi := ops.ValidRun(b-left, sw, w, d.wp)
				for r := range d.hp {
					row := dst[r*d.wp:][:d.wp]
					iy := r*sh + a - top
					if iy < 0 || iy >= h {
						clear(row)
						continue
					}
					in := src[iy*w:][:w]
					clear(row[:lo])
					if sw == 1 {
						copy(row[lo:hi], in[lo+b-left:])
					} else if hi > lo {
						vec.Gather(row[lo:hi], in[lo*sw+b-left:], sw)
					}
					clear(row[hi:])
				}
			}
		}
	}
}

// im2colJob fills the rows of an im2col tile, packed for the GEMM: one row
// per input channel and kernel tap, one column per output position from q0.
// With taps set, x is a padded input (see convDims.padded) and row r is
// the contiguous run of it from taps[r]+q0.
type im2colJob struct {
	g    ops.Window3
	x    []float32
	pb   gemm.PackedB
	q0   int
	taps []int32
}

// Its range is over rows of the tile.
func (j im2colJob) Run(lo, hi int) {
	_, nq := j.pb.Dims()
	if j.taps != nil {
		for r := lo; r < hi; r++ {
			off := int(j.taps[r]) + j.q0
			j.pb.SetRow(r, 0, j.x[off:off+nq], 1, nq)
		}
		return
	}
	for r := lo; r < hi; r++ {
		im2colRow(&j.g, j.x, r, j.q0, nq, &j.pb)
	}
}

// im2colRow writes row r of the im2col matrix for nq output positions
// starting at q0 into pb: for each position the input value its window
// reads at tap r, 0 in padding.
func im2colRow(g *ops.Window3, x []float32, r, q0, nq int, pb *gemm.PackedB) {
	taps := g.Taps()
	ch, t := r/taps, r%taps
	kw, kh, kd := t%g.Kernel[2], t/g.Kernel[2]%g.Kernel[1], t/(g.Kernel[2]*g.Kernel[1])
	plane := x[ch*g.InSize() : (ch+1)*g.InSize()]
	ow0, oh0 := g.Out[2], g.Out[1]
	// Input offsets of output position 0 for this tap, per axis.
	d0 := kd*g.Dilations[0] - g.Pad[0]
	h0 := kh*g.Dilations[1] - g.Pad[1]
	w0 := kw*g.Dilations[2] - g.Pad[2]
	sw := g.Strides[2]
	ow, oh, od := q0%ow0, q0/ow0%oh0, q0/(ow0*oh0)
	for i := 0; i < nq; {
		run := min(ow0-ow, nq-i)
		id, ih, iw := od*g.Strides[0]+d0, oh*g.Strides[1]+h0, ow*sw+w0
		seg := i
		i, ow = i+run, 0
		if oh++; oh == oh0 {
			oh, od = 0, od+1
		}
		if id < 0 || id >= g.In[0] || ih < 0 || ih >= g.In[1] {
			pb.ClearRow(r, seg, run)
			continue
		}
		src := plane[(id*g.In[1]+ih)*g.In[2]:][:g.In[2]]
		lo, hi := ops.ValidRun(iw, sw, g.In[2], run)
		pb.ClearRow(r, seg, lo)
		if hi > lo {
			pb.SetRow(r, seg+lo, src[iw+lo*sw:], sw, hi-lo)
		}
		pb.ClearRow(r, seg+hi, run-hi)
	}
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

// Algorithm names the path Run takes for inputs of these shapes, for
// profiles (ops.AlgorithmNamer).
func (c *convOp) Algorithm(in []ops.Value) string {
	if len(in) < 2 {
		return ""
	}
	d, err := convDimsOf(&c.sp, c.group, in[0].Shape, in[1].Shape)
	if err != nil {
		return ""
	}
	k := d.g.Kernel
	window := fmt.Sprintf("%dx%d", k[1], k[2])
	switch {
	case d.depthwise:
		return "depthwise " + window
	case c.wino != nil && winogradShape(&d, c.group):
		return "winograd F(4x4,3x3)"
	case c.packedT != nil && d.pointwise():
		return "transposed 1x1"
	case c.packedT != nil:
		return "transposed " + window
	case d.padded && d.indirect:
		return "implicit im2col " + window
	case d.padded:
		return "padded im2col " + window
	case d.inPlace() && d.direct:
		return "1x1 in place"
	case d.inPlace():
		return "strided 1x1 gathered"
	case d.direct:
		return "1x1 packed"
	}
	return "im2col " + window
}
