package nn

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/dwconv"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
	"github.com/edgeinfer/edgeinfer/ops/internal/hgemm"
)

func init() {
	for _, v := range []int{1, 11, 22} {
		ops.Register("", "Conv", v, buildConv)
	}
}

// convOp is Conv over 1 to 3 spatial axes, float32 only. It runs one of
// several algorithms, chosen from the shapes in one place (chooseConv,
// conv_choose.go), each in a file of its own:
//
//   - pointwise (conv_pointwise.go): a 1x1 unpadded window, X itself (or
//     its gathered strided positions) being the GEMM's right operand;
//   - im2col (conv_im2col.go): the GEMM of each group's weights and the
//     im2col matrix of its input, implicit (read in place from a padded
//     copy of the input) where the kernel can, else packed in tiles;
//   - transposed (conv_transposed.go): Yᵀ = im2col(X)ᵀ Wᵀ, for few
//     output positions;
//   - Winograd F(4x4, 3x3) or F(6x6, 3x3) (conv_winograd.go);
//   - depthwise (conv_depthwise.go): one input channel per group, the
//     SIMD kernels of ops/internal/dwconv.
//
// The bias, a fused residual and a fused activation are applied as the
// output is stored, in the kernels' registers where they can.
type convOp struct {
	sp       ops.WindowAttrs
	group    int
	act      gemm.Epilogue   // fused activation (Clamp or Act), zero for none
	dwEp     dwconv.Epilogue // the fused activation for the depthwise kernels
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
	// Winograd (see conv_winograd.go), nil otherwise.
	wino *winogradWeights
	// dw holds W packed by Prepare for the depthwise kernels, nil
	// otherwise.
	dw *dwconv.Weights
	// fp16 is set by SetPrecision for the fp16 mode, and half holds each
	// group's weights packed in fp16 by Prepare then (conv_fp16.go).
	fp16 bool
	half []hgemm.PackedA
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

// Prepare transforms a constant W once into the form the algorithm
// chooseConv picks for X's shape reads: packed per group for the GEMM,
// transposed (see transposedFaster), Winograd-transformed, or packed
// per channel for the depthwise kernels.
func (c *convOp) Prepare(in []ops.Value) error { return c.PrepareWithin(in, nil) }

// PrepareWithin is Prepare taking the bytes the Winograd form adds to W's
// from b: where b refuses them, the convolution runs as though F(4x4,
// 3x3) did not apply (im2col, on W packed as it is).
func (c *convOp) PrepareWithin(in []ops.Value, b *ops.Budget) error {
	if len(in) < 2 || in[1].Const == nil || in[1].Type != onnx.Float || len(in[1].Shape) < 3 {
		return nil
	}
	if in[0].Shape == nil {
		return nil // X's shape unknown: W is read as it is
	}
	d, err := convDimsOf(&c.sp, c.group, in[0].Shape, in[1].Shape)
	if err != nil {
		return nil // Infer reports it
	}
	mg, k := d.mg, d.k
	w := in[1].Const.F32()
	if c.fp16 && c.prepareHalf(w, &d) {
		return nil
	}
	algo := chooseConv(&d, c.group, formUndecided)
	if algo == algoWinograd && !b.Take(winogradExtraBytes(&d), 4*int64(winogradWorkLen(&d))) {
		algo = chooseConv(&d, c.group, formLean)
	}
	switch algo {
	case algoDepthwise:
		c.prepareDepthwise(w, &d)
	case algoWinograd:
		c.wino = prepareWinograd(w, &d)
	case algoTransposed:
		c.packedT = make([]gemm.PackedB, c.group)
		for g := range c.packedT {
			c.packedT[g] = gemm.PackB(nil, k, mg, gemm.Matrix{Data: w[g*mg*k:], Ld: k, Trans: true})
		}
	default:
		c.packed = make([]gemm.PackedA, c.group)
		for g := range c.packed {
			c.packed[g] = gemm.PackA(nil, mg, k, gemm.Matrix{Data: w[g*mg*k:], Ld: k})
		}
	}
	return nil
}

// form is what Prepare made of W.
func (c *convOp) form() weightForm {
	switch {
	case c.half != nil:
		return formHalf
	case c.wino != nil:
		return formWinograd
	case c.packedT != nil:
		return formTransposed
	case c.packed != nil:
		return formPacked
	case c.dw != nil:
		return formDepthwise
	}
	return formRaw
}

// Released reports W as not read by Run once Prepare has packed or
// transformed it.
func (c *convOp) Released() []int {
	if c.form() != formRaw {
		return []int{1}
	}
	return nil
}

// Workspace is the scratch the chosen algorithm needs: its im2col tile,
// padded input or transformed tiles, plus the GEMM's packing space.
func (c *convOp) Workspace(in []ops.Value) int {
	if len(in) < 2 {
		return 0
	}
	d, err := convDimsOf(&c.sp, c.group, in[0].Shape, in[1].Shape)
	if err != nil {
		return 0
	}
	return 4 * c.workLen(&d, chooseConv(&d, c.group, c.form()))
}

// workLen is the floats of scratch algorithm algo needs for d.
func (c *convOp) workLen(d *convDims, algo convAlgo) int {
	packedW := c.packed != nil
	switch algo {
	case algoDepthwise:
		return c.depthwiseWorkLen(d)
	case algoHalf:
		return d.halfWorkLen()
	case algoWinograd:
		p := winoPlanOf(d, c.wino.k, c.wino.wide)
		return p.workLen()
	case algoTransposed:
		return d.transposedWorkLen()
	case algoPointwise:
		return d.pointwiseWorkLen(packedW)
	case algoPadded:
		return d.paddedWorkLen(packedW)
	}
	return d.im2colWorkLen(packedW)
}

// FuseActivation returns a copy applying a as the output is stored.
func (c *convOp) FuseActivation(a ops.Activation) ops.Op {
	if c.fusedAct {
		return nil
	}
	f := *c
	f.act, f.dwEp, f.fusedAct = actEpilogue(a), dwEpilogue(a), true
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
func (c *convOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error { return ops.RunBound(c, ctx, in, out) }

// Bind plans the convolution once for these tensors, with its GEMM runner
// and parallel loop bodies made once, so that a run allocates nothing.
func (c *convOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	s, err := c.step(in)
	if err != nil {
		return nil, err
	}
	b := &s
	b.runner = new(gemm.Runner)
	b.im2col.Bind(&b.im2colJ)
	b.depthwise.Bind(&b.depthwiseJ)
	b.dwBlocks.Bind(&b.dwBlocksJ)
	b.output.Bind(&b.outputJ)
	b.pad.Bind(&b.padJ)
	b.gather.Bind(&b.gatherJ)
	b.transpose.Bind(&b.transposeJ)
	if b.wino != nil {
		b.wino.bind()
	}
	if b.bindGroups(ctx.Par) {
		return func() error { return b.execSpread(ctx.Par, ctx.Scratch, in, out) }, nil
	}
	return func() error { return b.exec(ctx.Par, ctx.Scratch, in, out) }, nil
}

// convStep is one convolution over given input shapes, with its GEMM
// runner and its loop bodies bound.
type convStep struct {
	c          *convOp
	d          convDims
	algo       convAlgo
	base       int // the node's own inputs (X, W and maybe B)
	runner     *gemm.Runner
	im2col     ops.Loop
	im2colJ    im2colJob
	depthwise  ops.Loop
	depthwiseJ depthwiseJob
	dwBlocks   ops.Loop
	dwBlocksJ  depthwiseBlockJob
	output     ops.Loop
	outputJ    paddedOutJob
	pad        ops.Loop
	padJ       padJob
	gather     ops.Loop
	gatherJ    gatherJob
	transpose  ops.Loop
	transposeJ transposeOutJob
	wino       *winoStep     // set when the convolution runs as Winograd
	dwPlan     dwconv.Plan   // a planar depthwise convolution's
	half       *hgemm.Runner // the fp16 path's, made by its first run
	// tasks, when above 1, is the number of tasks a bound step spreads
	// its (image, group) pairs over, each using taskWork[t] as scratch
	// (task 0 the run's); see conv_grouped.go.
	tasks    int
	taskWork [][]float32
	groups   ops.Loop
	groupsJ  groupsJob
}

// step checks the inputs and resolves the convolution's sizes and
// algorithm.
func (c *convOp) step(in []*ops.Tensor) (convStep, error) {
	base, err := c.arity(len(in))
	if err != nil {
		return convStep{}, err
	}
	d, err := convDimsOf(&c.sp, c.group, in[0].Shape, in[1].Shape)
	if err != nil {
		return convStep{}, err
	}
	s := convStep{c: c, d: d, algo: chooseConv(&d, c.group, c.form()), base: base}
	switch {
	case s.algo == algoWinograd:
		s.wino = &winoStep{w: c.wino, plan: winoPlanOf(&d, c.wino.k, c.wino.wide)}
	case s.algo == algoDepthwise && d.planar():
		if s.dwPlan, err = dwconv.NewPlan(d.dwShape()); err != nil {
			return convStep{}, err
		}
	}
	return s, nil
}

// exec computes Y from the tensors' current data with the step's
// algorithm.
func (s *convStep) exec(par ops.Parallel, scratch []byte, in, out []*ops.Tensor) error {
	o, err := s.operands(scratch, in, out)
	if err != nil {
		return err
	}
	switch s.algo {
	case algoDepthwise:
		s.execDepthwise(par, o.work, o.x, o.w, o.bias, o.res, o.y)
	case algoWinograd:
		return s.wino.exec(par, o.work, o.x, o.bias, o.res, o.y, s.c.act)
	case algoHalf:
		return s.execHalf(par, o.work, o.x, o.bias, o.res, o.y)
	default:
		s.execGroups(groupCtx{par, s.runner, o.work}, o.x, o.w, o.bias, o.res, o.y, 0, s.d.pairs(s.c.group))
	}
	return nil
}

// convOperands are a run's tensors' data and its scratch.
type convOperands struct {
	x, w, bias, res, y, work []float32
}

// operands gives the data of the step's tensors (bias and res nil when
// absent) and its scratch, checking its size.
func (s *convStep) operands(scratch []byte, in, out []*ops.Tensor) (convOperands, error) {
	o := convOperands{x: in[0].F32(), w: in[1].F32(), y: out[0].F32(), work: ops.View[float32](scratch)}
	if s.base == 3 && in[2] != nil {
		o.bias = in[2].F32()
	}
	if s.c.fusedAdd {
		o.res = in[s.base].F32()
	}
	if need := s.c.workLen(&s.d, s.algo); len(o.work) < need {
		return o, fmt.Errorf("scratch has %d bytes, need %d", len(scratch), 4*need)
	}
	return o, nil
}

// groupProduct is the GEMM of group g's weights (packed by Prepare, else
// read from w), M x K, into C rows ldc floats apart; its B, N, C and
// epilogue are the caller's.
func (s *convStep) groupProduct(g int, w []float32, ldc int) gemm.Product {
	c, d := s.c, &s.d
	prod := gemm.Product{M: d.mg, K: d.k, Alpha: 1, LdC: ldc}
	if c.packed != nil {
		prod.PA = c.packed[g]
	} else {
		prod.A = gemm.Matrix{Data: w[g*d.mg*d.k:], Ld: d.k}
	}
	return prod
}

// epilogue is the fused epilogue of group g's output channels, whose
// residual starts at offset yOff of res with rows ld floats apart.
func (s *convStep) epilogue(g int, bias, res []float32, yOff, ld int) gemm.Epilogue {
	ep := s.c.act
	ep.LdAdd = ld
	if bias != nil {
		ep.RowBias = bias[g*s.d.mg:]
	}
	if res != nil {
		ep.Add = res[yOff:]
	}
	return ep
}
