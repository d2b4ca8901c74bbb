package nn

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
	"github.com/edgeinfer/edgeinfer/ops/internal/hgemm"
)

func init() {
	for _, v := range []int{1, 6, 7, 9, 11, 13} {
		ops.Register("", "Gemm", v, buildGemm)
	}
	for _, v := range []int{1, 9, 13} {
		ops.Register("", "MatMul", v, buildMatMul)
	}
}

// gemmOp is Gemm: Y = alpha*op(A)*op(B) + beta*C with C broadcast to
// [M, N]. A constant A or B is packed once by Prepare; a C that is a row or
// column vector is added as a bias when the product's tiles are stored. C
// is optional from opset 11; before opset 7 it is broadcast only with the
// broadcast attribute set, and must otherwise be [M, N].
type gemmOp struct {
	alpha, beta    float32
	transA, transB bool
	needC          bool          // opset < 11: C is required
	exactC         bool          // opset < 7 without broadcast: C is [M, N]
	act            gemm.Epilogue // fused activation (Clamp or Act)
	fusedAct       bool
	pa             gemm.PackedA // A or B packed by Prepare when constant
	pb             gemm.PackedB
	prepared       bool // Prepare ran: pa and pb are what runs read
	// fp16 is set by SetPrecision for the fp16 mode, and hw holds B
	// packed in fp16 for the GEMV then (gemm_fp16.go).
	fp16 bool
	hw   hgemm.PackedB
}

func buildGemm(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	g := &gemmOp{
		alpha:  a.Float("alpha", 1),
		beta:   a.Float("beta", 1),
		transA: a.Int("transA", 0) != 0,
		transB: a.Int("transB", 0) != 0,
		needC:  opset < 11,
	}
	if opset < 7 {
		g.exactC = a.Int("broadcast", 0) == 0
	}
	return g, a.Err()
}

// dims checks A's and B's shapes and returns M, N and K.
func (g *gemmOp) dims(a, b []int) (m, n, k int, err error) {
	if len(a) != 2 || len(b) != 2 {
		return 0, 0, 0, fmt.Errorf("inputs \"A\" %v and \"B\" %v must both be 2-D", a, b)
	}
	m, k = a[0], a[1]
	if g.transA {
		m, k = k, m
	}
	kb, n := b[0], b[1]
	if g.transB {
		kb, n = n, kb
	}
	if kb != k {
		return 0, 0, 0, fmt.Errorf("op(A) %v has %d columns but op(B) %v has %d rows (transA=%v, transB=%v)", a, k, b, kb, g.transA, g.transB)
	}
	return m, n, k, nil
}

// Infer checks A, B and C and gives Y's shape [M, N].
func (g *gemmOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 3); err != nil {
		return nil, err
	}
	if g.needC && !ops.HasInput(in, 2) {
		return nil, fmt.Errorf("input \"C\" is required before opset 11")
	}
	t, err := checkOperands(in, []string{"A", "B", "C"}[:len(in)])
	if err != nil {
		return nil, err
	}
	m, n, _, err := g.dims(in[0].Shape, in[1].Shape)
	if err != nil {
		return nil, err
	}
	if ops.HasInput(in, 2) {
		c := in[2].Shape
		if len(c) > 2 {
			return nil, fmt.Errorf("input \"C\" has shape %v, want rank at most 2", c)
		}
		bs, err := ops.BroadcastShape(c, []int{m, n})
		if err != nil || !ops.SameShape(bs, []int{m, n}) {
			return nil, fmt.Errorf("input \"C\" of shape %v does not broadcast to [%d %d]", c, m, n)
		}
		if g.exactC && !ops.SameShape(c, []int{m, n}) {
			return nil, fmt.Errorf("input \"C\" has shape %v, want [%d %d] (attribute \"broadcast\" is 0)", c, m, n)
		}
	}
	return []ops.Value{{Type: t, Shape: []int{m, n}}}, nil
}

// Prepare packs a constant A or B.
func (g *gemmOp) Prepare(in []ops.Value) error {
	if len(in) < 2 || in[0].Type != onnx.Float || in[1].Type != onnx.Float {
		return nil
	}
	m, n, k, err := g.dims(in[0].Shape, in[1].Shape)
	if err != nil {
		return err
	}
	g.prepared = true
	if g.prepareHalf(in, m, n, k) {
		return nil
	}
	if c := in[0].Const; c != nil {
		g.pa = gemm.PackA(nil, m, k, gemm.Matrix{Data: c.F32(), Ld: in[0].Shape[1], Trans: g.transA})
	}
	if c := in[1].Const; c != nil && g.packB(m) {
		g.pb = gemm.PackB(nil, k, n, gemm.Matrix{Data: c.F32(), Ld: in[1].Shape[1], Trans: g.transB})
	}
	return nil
}

// packB reports whether Prepare packs a constant B for a product of m
// rows: not for one row with B transposed ([N, K], a fully connected
// layer's weights at batch 1) where the kernel computes it from B's rows
// in place (gemm.Rows), so that the weights are held once, as the model
// has them.
func (g *gemmOp) packB(m int) bool { return !(m == 1 && g.transB && gemm.Rows()) }

// Released lists A and B when Prepare packed them: Run reads the packed
// copies only.
func (g *gemmOp) Released() []int {
	var r []int
	if g.pa.Valid() {
		r = append(r, 0)
	}
	if g.pb.Valid() || g.hw.Valid() {
		r = append(r, 1)
	}
	return r
}

// Workspace is the GEMM's packing space (none for the typed kernels): for
// the operands Prepare packed or, before it runs, will pack. (A plan for
// another M than Prepare saw may find B unpacked where packB(M) would
// pack it: runs then pack it in the workspace.)
func (g *gemmOp) Workspace(in []ops.Value) int {
	m, n, k, err := g.dims(in[0].Shape, in[1].Shape)
	if err != nil || in[0].Type != onnx.Float {
		return 0
	}
	if g.hw.Valid() {
		return g.halfWorkspace(k)
	}
	pa, pb := g.pa.Valid(), g.pb.Valid()
	if !g.prepared {
		pa, pb = in[0].Const != nil, in[1].Const != nil && g.packB(m)
	}
	return 4 * gemm.WorkLen(m, n, k, pa, pb)
}

// FuseActivation returns a copy applying a as Y is stored.
func (g *gemmOp) FuseActivation(a ops.Activation) ops.Op {
	if g.fusedAct {
		return nil
	}
	f := *g
	f.act, f.fusedAct = actEpilogue(a), true
	return &f
}

// Run computes Y.
func (g *gemmOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	if g.halfOK(in) {
		return g.execHalf(ctx.Par, ctx.Scratch, in, out, nil)
	}
	return g.exec(ctx.Par, ctx.Scratch, in, out, nil)
}

// Bind returns Run bound to a GEMM runner made once, so that a run
// allocates nothing.
func (g *gemmOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	if _, _, _, err := g.dims(in[0].Shape, in[1].Shape); err != nil {
		return nil, err
	}
	if g.halfOK(in) {
		r := new(hgemm.GemvRunner)
		return func() error { return g.execHalf(ctx.Par, ctx.Scratch, in, out, r) }, nil
	}
	r := new(gemm.Runner)
	return func() error { return g.exec(ctx.Par, ctx.Scratch, in, out, r) }, nil
}

// exec computes Y from the tensors' current data, through r unless nil.
func (g *gemmOp) exec(par ops.Parallel, scratch []byte, in, out []*ops.Tensor, r *gemm.Runner) error {
	m, n, k, err := g.dims(in[0].Shape, in[1].Shape)
	if err != nil {
		return err
	}
	if t := out[0].Type; t != onnx.Float {
		typedKernels[t].gemm(par, g, in, out, m, n, k)
		return nil
	}
	y := out[0].F32()
	p := gemm.Product{
		M: m, N: n, K: k, Alpha: g.alpha,
		A: gemm.Matrix{Data: in[0].F32(), Ld: in[0].Shape[1], Trans: g.transA}, PA: g.pa,
		B: gemm.Matrix{Data: in[1].F32(), Ld: in[1].Shape[1], Trans: g.transB}, PB: g.pb,
		C: y, LdC: n, Ep: g.act,
	}
	if c := in[2:]; len(c) > 0 && c[0] != nil && g.beta != 0 {
		g.addC(&p, c[0])
	}
	work := ops.View[float32](scratch)
	if need := p.WorkLen(); len(work) < need {
		return fmt.Errorf("scratch has %d bytes, need %d", len(scratch), 4*need)
	}
	runProduct(par, r, &p, work)
	return nil
}

// runProduct runs p on par, through r unless nil.
func runProduct(par ops.Parallel, r *gemm.Runner, p *gemm.Product, work []float32) {
	if r != nil {
		r.Run(par, p, work)
	} else {
		p.Run(par, work)
	}
}

// addC arranges for beta*C to be added: a row or column vector with beta 1
// becomes a bias of the epilogue; anything else is broadcast into Y first
// and scaled by the product's beta.
func (g *gemmOp) addC(p *gemm.Product, c *ops.Tensor) {
	cv := c.F32()[:c.Len()]
	rows, cols := 1, 1
	switch len(c.Shape) {
	case 1:
		cols = c.Shape[0]
	case 2:
		rows, cols = c.Shape[0], c.Shape[1]
	}
	switch {
	case g.beta == 1 && rows == 1 && cols == p.N:
		p.Ep.ColBias = cv
		return
	case g.beta == 1 && cols == 1 && rows == p.M:
		p.Ep.RowBias = cv
		return
	}
	for i := range p.M {
		dst := p.C[i*p.N : (i+1)*p.N]
		src := cv[i%rows*cols:][:cols]
		if cols == 1 {
			for j := range dst {
				dst[j] = src[0]
			}
		} else {
			copy(dst, src)
		}
	}
	p.Beta = g.beta
}

// matMulOp is MatMul with numpy semantics: batch dimensions broadcast, a
// 1-D A is a row and a 1-D B a column. A constant B is packed once; when B
// has no batch of its own the batch of A is folded into one tall product.
type matMulOp struct {
	pb []gemm.PackedB // B's matrices packed by Prepare when B is constant
}

func buildMatMul(n *onnx.Node, opset int) (ops.Op, error) { return &matMulOp{}, nil }

// Infer checks A and B and gives the product's shape.
func (mm *matMulOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	t, err := checkOperands(in, []string{"A", "B"})
	if err != nil {
		return nil, err
	}
	d, err := ops.MatMulShape(in[0].Shape, in[1].Shape)
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: t, Shape: d.Out}}, nil
}

// matMulFold reports whether A's batch can be folded into its rows: B is one
// matrix for every batch and A holds every batch's matrix.
func matMulFold(d *ops.MatMulDims) bool {
	return ops.NumElems(d.BBatch) == 1 && ops.NumElems(d.ABatch) == ops.NumElems(d.Batch)
}

// Prepare packs a constant B, one packed matrix per batch of B.
func (mm *matMulOp) Prepare(in []ops.Value) error {
	if len(in) != 2 || in[1].Const == nil || in[1].Type != onnx.Float {
		return nil
	}
	d, err := ops.MatMulShape(in[0].Shape, in[1].Shape)
	if err != nil {
		return err
	}
	b := in[1].Const.F32()
	mm.pb = make([]gemm.PackedB, ops.NumElems(d.BBatch))
	for i := range mm.pb {
		mm.pb[i] = gemm.PackB(nil, d.K, d.N, gemm.Matrix{Data: b[i*d.K*d.N:], Ld: d.N})
	}
	return nil
}

// Released lists B when Prepare packed it: Run reads the packed copy only.
func (mm *matMulOp) Released() []int {
	if mm.pb == nil {
		return nil
	}
	return []int{1}
}

// Workspace is the GEMM's packing space for one product.
func (mm *matMulOp) Workspace(in []ops.Value) int {
	d, err := ops.MatMulShape(in[0].Shape, in[1].Shape)
	if err != nil || in[0].Type != onnx.Float {
		return 0
	}
	m := d.M
	if matMulFold(&d) {
		m *= ops.NumElems(d.Batch)
	}
	return 4 * gemm.WorkLen(m, d.N, d.K, false, in[1].Const != nil)
}

// Run computes the product, one GEMM per output batch (or one for all).
func (mm *matMulOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	d, err := ops.MatMulShape(in[0].Shape, in[1].Shape)
	if err != nil {
		return err
	}
	return mm.exec(ctx.Par, ctx.Scratch, in, out, &d, nil)
}

// Bind returns Run bound to a GEMM runner made once, so that a run
// allocates nothing.
func (mm *matMulOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	d, err := ops.MatMulShape(in[0].Shape, in[1].Shape)
	if err != nil {
		return nil, err
	}
	r := new(gemm.Runner)
	return func() error { return mm.exec(ctx.Par, ctx.Scratch, in, out, &d, r) }, nil
}

// exec computes the product of sizes d from the tensors' current data,
// through r unless nil.
func (mm *matMulOp) exec(par ops.Parallel, scratch []byte, in, out []*ops.Tensor, d *ops.MatMulDims, r *gemm.Runner) error {
	if t := out[0].Type; t != onnx.Float {
		typedKernels[t].matMul(par, in, out, d)
		return nil
	}
	a, b, y := in[0].F32(), in[1].F32(), out[0].F32()
	batches, m := ops.NumElems(d.Batch), d.M
	if matMulFold(d) {
		batches, m = 1, m*ops.NumElems(d.Batch)
	}
	work := ops.View[float32](scratch)
	p := gemm.Product{M: m, N: d.N, K: d.K, Alpha: 1, LdC: d.N}
	if need := gemm.WorkLen(m, d.N, d.K, false, mm.pb != nil); len(work) < need {
		return fmt.Errorf("scratch has %d bytes, need %d", len(scratch), 4*need)
	}
	for t := range batches {
		ao, bo := d.Offsets(t)
		p.A = gemm.Matrix{Data: a[ao:], Ld: d.K}
		if mm.pb != nil {
			p.PB = mm.pb[bo/max(1, d.K*d.N)]
		} else {
			p.B = gemm.Matrix{Data: b[bo:], Ld: d.N}
		}
		p.C = y[t*m*d.N:]
		runProduct(par, r, &p, work)
	}
	return nil
}
