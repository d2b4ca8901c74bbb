package quant

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// QLinearConv and QLinearMatMul compute on uint8/int8 tensors: the
// products of zero-point-corrected inputs and weights accumulate in int32
// (wrapping, as the spec allows), plus QLinearConv's int32 bias, and each
// sum s is stored as saturate(round_half_even(s * x_scale*w_scale/y_scale) +
// y_zero_point). Scales and zero points are per tensor, except the weight's
// (QLinearConv's w, QLinearMatMul's b), which may be per output channel.
// Float16 scales arrive widened to float32. QLinearMatMul-21 only adds
// float16/bfloat16 scales and float8 types, so version 10 serves it.
func init() {
	ops.Register("", "QLinearConv", 10, buildQLinearConv)
	ops.Register("", "QLinearMatMul", 10, buildQLinearMatMul)
}

// quant8 is the element type of QLinearConv's and QLinearMatMul's tensors.
type quant8 interface{ uint8 | int8 }

var (
	qlinearConvNames   = []string{"x", "x_scale", "x_zero_point", "w", "w_scale", "w_zero_point", "y_scale", "y_zero_point", "B"}
	qlinearMatMulNames = []string{"a", "a_scale", "a_zero_point", "b", "b_scale", "b_zero_point", "y_scale", "y_zero_point"}
)

// checkQLinear checks the eight inputs QLinearConv and QLinearMatMul share
// (x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale,
// y_zero_point): uint8/int8 tensors with zero points of their type, float32
// scales, and scales and zero points that are scalars or one-element vectors
// except the weight's, which may instead hold perChannel elements (shape
// [perChannel] or [1, ..., 1, perChannel]).
func checkQLinear(in []ops.Value, names []string, perChannel int) error {
	for _, i := range []int{0, 3, 7} {
		switch t := in[i].Type; {
		case t == onnx.Uint8 || t == onnx.Int8:
		case t >= onnx.Float8E4M3FN && t <= onnx.Float8E5M2FNUZ:
			return fmt.Errorf("input %q: %w type %v", names[i], ops.ErrUnsupported, t)
		default:
			return fmt.Errorf("input %q has type %s, want uint8 or int8", names[i], ops.TypeName(t))
		}
	}
	for _, i := range []int{2, 5} {
		if in[i].Type != in[i-2].Type {
			return fmt.Errorf("input %q has type %s, want %s like input %q", names[i], ops.TypeName(in[i].Type), ops.TypeName(in[i-2].Type), names[i-2])
		}
	}
	for _, i := range []int{1, 4, 6} {
		if in[i].Type != onnx.Float {
			return fmt.Errorf("input %q has type %s, want float32", names[i], ops.TypeName(in[i].Type))
		}
	}
	for i := 1; i < 8; i++ {
		if i == 3 {
			continue
		}
		s := in[i].Shape
		if isScalarLike(s) {
			continue
		}
		if (i == 4 || i == 5) && ops.NumElems(s) == perChannel && len(s) > 0 && s[len(s)-1] == perChannel {
			continue
		}
		if i == 4 || i == 5 {
			return fmt.Errorf("input %q has shape %v, want a scalar or %d elements (one per output channel)", names[i], s, perChannel)
		}
		return fmt.Errorf("input %q has shape %v, want a scalar", names[i], s)
	}
	return nil
}

// qStep is 0 for a per-tensor scale or zero point, 1 for a per-channel one.
func qStep(t *ops.Tensor) int {
	if t.Len() == 1 {
		return 0
	}
	return 1
}

// qlinearConv is a built QLinearConv.
type qlinearConv struct {
	sp    ops.WindowAttrs
	group int
}

func buildQLinearConv(n *onnx.Node, _ int) (ops.Op, error) {
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
		return nil, fmt.Errorf("attribute \"ceil_mode\" is not an attribute of QLinearConv")
	}
	if group < 1 {
		return nil, fmt.Errorf("attribute \"group\" is %d, must be positive", group)
	}
	return &qlinearConv{sp: sp, group: int(group)}, nil
}

// geom checks x's and w's shapes against each other and resolves the window.
func (c *qlinearConv) geom(x, w []int) (ops.Window, error) {
	if len(x) < 3 {
		return ops.Window{}, fmt.Errorf("input \"x\" has shape %v, want [N, C, spatial...]", x)
	}
	if len(w) != len(x) {
		return ops.Window{}, fmt.Errorf("input \"w\" has shape %v, want rank %d like x %v", w, len(x), x)
	}
	if w[0]%c.group != 0 {
		return ops.Window{}, fmt.Errorf("input \"w\" has %d output channels, not a multiple of group %d", w[0], c.group)
	}
	if w[1]*c.group != x[1] {
		return ops.Window{}, fmt.Errorf("input \"w\" has %d input channels per group, want x's %d channels / group %d", w[1], x[1], c.group)
	}
	return c.sp.Resolve(x[2:], w[2:])
}

// Infer checks the inputs; y is [N, M, out...] of y_zero_point's type.
func (c *qlinearConv) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 8, 9); err != nil {
		return nil, err
	}
	x, w := in[0].Shape, in[3].Shape
	g, err := c.geom(x, w)
	if err != nil {
		return nil, err
	}
	if err := checkQLinear(in, qlinearConvNames, w[0]); err != nil {
		return nil, err
	}
	if ops.HasInput(in, 8) {
		if b := in[8]; b.Type != onnx.Int32 || len(b.Shape) != 1 || b.Shape[0] != w[0] {
			return nil, fmt.Errorf("input \"B\" is %s%v, want int32[%d]", ops.TypeName(b.Type), b.Shape, w[0])
		}
	}
	return []ops.Value{{Type: in[7].Type, Shape: append([]int{x[0], w[0]}, g.Out...)}}, nil
}

// Workspace is the im2col buffer of one image, none for a 1x1 window that
// reads the input in place.
func (c *qlinearConv) Workspace(in []ops.Value) int {
	g, err := c.geom(in[0].Shape, in[3].Shape)
	if err != nil || g.Unit() {
		return 0
	}
	return in[0].Shape[1] * g.KernelSize() * g.Size()
}

// Run convolves in[0] with in[3] into out[0].
func (c *qlinearConv) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(c, ctx, in, out)
}

// Bind resolves the geometry and makes the loops once.
func (c *qlinearConv) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	g, err := c.geom(in[0].Shape, in[3].Shape)
	if err != nil {
		return nil, err
	}
	return qlinearKernelFor(in[0].Type, in[3].Type, out[0].Type).conv(ctx, c.group, &g, in, out), nil
}

// qlinearMatMul is a built QLinearMatMul.
type qlinearMatMul struct{}

func buildQLinearMatMul(*onnx.Node, int) (ops.Op, error) { return qlinearMatMul{}, nil }

// Infer checks the inputs; y has numpy matmul's shape and y_zero_point's type.
func (qlinearMatMul) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 8, 8); err != nil {
		return nil, err
	}
	d, err := ops.MatMulShape(in[0].Shape, in[3].Shape)
	if err != nil {
		return nil, err
	}
	if err := checkQLinear(in, qlinearMatMulNames, d.N); err != nil {
		return nil, err
	}
	return []ops.Value{{Type: in[7].Type, Shape: d.Out}}, nil
}

// Run multiplies in[0] by in[3] into out[0].
func (q qlinearMatMul) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(q, ctx, in, out)
}

// Bind resolves the geometry and makes the loop once.
func (qlinearMatMul) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	d, err := ops.MatMulShape(in[0].Shape, in[3].Shape)
	if err != nil {
		return nil, err
	}
	return qlinearKernelFor(in[0].Type, in[3].Type, out[0].Type).matmul(ctx, &d, in, out), nil
}

// qlinearKernel binds QLinearConv and QLinearMatMul for one combination of
// input, weight and output types: the returned functions read the tensors'
// data at every call.
type qlinearKernel interface {
	conv(ctx *ops.Ctx, group int, g *ops.Window, in, out []*ops.Tensor) func() error
	matmul(ctx *ops.Ctx, d *ops.MatMulDims, in, out []*ops.Tensor) func() error
}

// qkern is the qlinearKernel for inputs X, weights W and outputs Y.
type qkern[X, W, Y quant8] struct{}

// qlinearKernelFor picks the kernel for the types Infer accepted.
func qlinearKernelFor(x, w, y ops.DType) qlinearKernel {
	const u, i = onnx.Uint8, onnx.Int8
	switch [3]ops.DType{x, w, y} {
	case [3]ops.DType{u, u, u}:
		return qkern[uint8, uint8, uint8]{}
	case [3]ops.DType{u, u, i}:
		return qkern[uint8, uint8, int8]{}
	case [3]ops.DType{u, i, u}:
		return qkern[uint8, int8, uint8]{}
	case [3]ops.DType{u, i, i}:
		return qkern[uint8, int8, int8]{}
	case [3]ops.DType{i, u, u}:
		return qkern[int8, uint8, uint8]{}
	case [3]ops.DType{i, u, i}:
		return qkern[int8, uint8, int8]{}
	case [3]ops.DType{i, i, u}:
		return qkern[int8, int8, uint8]{}
	}
	return qkern[int8, int8, int8]{}
}

// qGrain is the number of multiply-adds worth a goroutine.
const qGrain = 1 << 15

// conv is QLinearConv as one product per group: the weights (M x Cg*K) times
// the input's windows (Cg*K x P), read in place for a 1x1 window and
// otherwise laid out by qim2col in ctx.Scratch.
func (qkern[X, W, Y]) conv(ctx *ops.Ctx, group int, g *ops.Window, in, out []*ops.Tensor) func() error {
	n, c, m := in[0].Shape[0], in[0].Shape[1], in[3].Shape[0]
	cg, mg := c/group, m/group
	k, p, plane := g.KernelSize(), g.Size(), g.InSize()
	r := cg * k // rows of one group's windows
	unit := g.Unit()
	var col []X
	var im2col func(planes []X, pad X)
	if !unit {
		col = ops.View[X](ctx.Scratch)[:c*k*p]
		im2col = bindQim2col(ctx.Par, *g, c, col)
	}
	grain := max(1, qGrain/max(1, r*p))
	var gm qgemm[W, X, Y]
	var src []X
	var wv []W
	var yb []Y
	body := func(lo, hi int) {
		for lo < hi {
			gi := lo / mg
			end := min(hi, (gi+1)*mg)
			gm.rows(wv, src[gi*r*p:(gi+1)*r*p], yb, lo, end)
			lo = end
		}
	}
	return func() error {
		x, y := ops.View[X](in[0].Data), ops.View[Y](out[0].Data)
		wv = ops.View[W](in[3].Data)
		xzp := ops.View[X](in[2].Data)[:1]
		gm = qgemm[W, X, Y]{
			K: r, N: p,
			za: ops.View[W](in[5].Data), zaStep: qStep(in[5]), zb: xzp,
			sa: in[4].F32(), saStep: qStep(in[4]), sb: in[1].F32(),
			ys: in[6].F32()[0], yzp: ops.View[Y](in[7].Data)[0],
		}
		if len(in) > 8 && in[8] != nil {
			gm.bias = in[8].I32()
		}
		for b := range n {
			src = x[b*c*plane : (b+1)*c*plane]
			if !unit {
				im2col(src, xzp[0])
				src = col
			}
			yb = y[b*m*p : (b+1)*m*p]
			ctx.Par.For(m, grain, body)
		}
		return nil
	}
}

// matmul is QLinearMatMul: one product per output batch, split by rows.
func (qkern[X, W, Y]) matmul(ctx *ops.Ctx, d *ops.MatMulDims, in, out []*ops.Tensor) func() error {
	dd := *d
	mk, kn, mn := dd.M*dd.K, dd.K*dd.N, dd.M*dd.N
	var gm qgemm[X, W, Y]
	var a []X
	var b []W
	var y []Y
	body := func(lo, hi int) {
		for lo < hi {
			bi, m := lo/dd.M, lo%dd.M
			end := min(hi-lo, dd.M-m) + m
			ao, bo := dd.Offsets(bi)
			gm.rows(a[ao:ao+mk], b[bo:bo+kn], y[bi*mn:(bi+1)*mn], m, end)
			lo += end - m
		}
	}
	return func() error {
		a, b, y = ops.View[X](in[0].Data), ops.View[W](in[3].Data), ops.View[Y](out[0].Data)
		gm = qgemm[X, W, Y]{
			K: dd.K, N: dd.N,
			za: ops.View[X](in[2].Data), zb: ops.View[W](in[5].Data), zbStep: qStep(in[5]),
			sa: in[1].F32(), sb: in[4].F32(), sbStep: qStep(in[4]),
			ys: in[6].F32()[0], yzp: ops.View[Y](in[7].Data)[0],
		}
		ctx.Par.For(ops.NumElems(dd.Batch)*dd.M, max(1, qGrain/max(1, kn)), body)
		return nil
	}
}

// qgemmTile is the number of output columns accumulated at once, on the stack.
const qgemmTile = 64

// qgemm is a quantized matrix product of A (rows of K) and B (K rows of N):
// y[m][n] = saturate(round(s * sa[m]*sb[n]/ys) + yzp) with
// s = bias[m] + sum_k (A[m][k] - za[m]) * (B[k][n] - zb[n]) in int32.
// Each of za, zb, sa and sb is indexed by row or column times its step: a
// step of 0 makes it per tensor.
type qgemm[A, B, Y quant8] struct {
	K, N           int
	za             []A
	zb             []B
	sa, sb         []float32
	zaStep, zbStep int
	saStep, sbStep int
	ys             float32
	yzp            Y
	bias           []int32 // one per row of A, or nil
}

// rows computes output rows [m0, m1) of y from a and b. The sum over
// B[k][n] - zb[n] is taken as sum(d*B) - zb[n]*sum(d), d = A[m][k] - za[m],
// which is exact in wrapping int32 arithmetic.
func (g *qgemm[A, B, Y]) rows(a []A, b []B, y []Y, m0, m1 int) {
	lo, hi := quantBounds[Y]()
	yzp := float64(g.yzp)
	k, n := g.K, g.N
	var buf [qgemmTile]int32
	for m := m0; m < m1; m++ {
		arow := a[m*k : (m+1)*k]
		za := int32(g.za[m*g.zaStep])
		sa := g.sa[m*g.saStep]
		var bias int32
		if g.bias != nil {
			bias = g.bias[m]
		}
		for n0 := 0; n0 < n; n0 += qgemmTile {
			acc := buf[:min(qgemmTile, n-n0)]
			clear(acc)
			var dsum int32
			for kk, av := range arow {
				d := int32(av) - za
				if d == 0 {
					continue
				}
				dsum += d
				for j, bv := range b[kk*n+n0 : kk*n+n0+len(acc)] {
					acc[j] += d * int32(bv)
				}
			}
			yrow := y[m*n+n0 : m*n+n0+len(acc)]
			for j, s := range acc {
				col := n0 + j
				s += bias - int32(g.zb[col*g.zbStep])*dsum
				mult := sa * g.sb[col*g.sbStep] / g.ys
				yrow[j] = Y(quantClamp(math.RoundToEven(float64(s)*float64(mult))+yzp, lo, hi))
			}
		}
	}
}

// bindQim2col binds the layout of the sliding windows of channels planes
// (g.InSize() elements each) in col as rows (channel, tap) of g.Size()
// output positions: row c*K+t holds, for every output position, the input
// element under tap t of the window, or pad (the zero point: a real 0)
// where the tap falls in the padding.
func bindQim2col[T quant8](par ops.Parallel, g ops.Window, channels int, col []T) func(planes []T, pad T) {
	nd := len(g.In)
	last := nd - 1
	k, p, plane := g.KernelSize(), g.Size(), g.InSize()
	width := g.Out[last]
	inStrides := ops.Strides(g.In)
	var planes []T
	var pad T
	body := func(lo, hi int) {
		var buf [4]int
		tap := buf[:0]
		if nd > len(buf) {
			tap = make([]int, 0, nd)
		}
		tap = tap[:nd]
		for r := lo; r < hi; r++ {
			c, t := r/k, r%k
			for i := last; i >= 0; i-- {
				tap[i] = t % g.Kernel[i]
				t /= g.Kernel[i]
			}
			src := planes[c*plane : (c+1)*plane]
			off := tap[last]*g.Dilations[last] - g.PadBegin[last]
			stride, size := g.Strides[last], g.In[last]
			dst := col[r*p : (r+1)*p]
			for q := range p / width {
				row := dst[q*width : (q+1)*width]
				// Offset of the line of output positions q in the outer axes.
				base, inside := 0, true
				for i, rem := last-1, q; i >= 0 && inside; i-- {
					pos := (rem%g.Out[i])*g.Strides[i] - g.PadBegin[i] + tap[i]*g.Dilations[i]
					rem /= g.Out[i]
					inside = pos >= 0 && pos < g.In[i]
					base += pos * inStrides[i]
				}
				for o := range row {
					if pos := o*stride + off; inside && pos >= 0 && pos < size {
						row[o] = src[base+pos]
					} else {
						row[o] = pad
					}
				}
			}
		}
	}
	return func(x []T, zp T) {
		planes, pad = x, zp
		par.For(channels*k, max(1, qGrain/max(1, p)), body)
	}
}
