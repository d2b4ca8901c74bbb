package signal

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// DFT (opset 17, 20) transforms its input along one axis. The input's last
// dim holds a real value (size 1) or a complex one (size 2: real and
// imaginary parts), the output's a complex one, except for the inverse
// one-sided transform. The axis is an attribute in 17 (default 1) and an
// optional scalar input in 20 (default -2); it may not be the last dim.
// dft_length (an optional scalar input) zero-pads or truncates the signal
// along the axis; by default it is the axis' size. The forward transform
// is y[k] = sum x[j] exp(-2πi jk/n), the inverse x[j] = 1/n sum y[k]
// exp(2πi jk/n). onesided forward keeps bins 0 to n/2 (what a real
// signal's conjugate symmetry leaves unique; a complex input is simply
// truncated there, as the spec's reference does); onesided inverse (the
// IRFFT) reads bins 0 to n/2 of a conjugate-symmetric spectrum, by default
// of length n = 2*(size-1), and gives the n real samples. float32 and
// float64, computed in float64 by fftPlan.
func init() {
	for _, v := range []int{17, 20} {
		ops.Register("", "DFT", v, buildDFT)
	}
}

// dftOp is a built DFT.
type dftOp struct {
	axisInput         bool  // the axis is input 2 (opset 20)
	axis              int64 // the attribute before 20
	inverse, onesided bool
}

func buildDFT(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &dftOp{axisInput: opset >= 20, axis: a.Int("axis", 1),
		inverse: a.Int("inverse", 0) != 0, onesided: a.Int("onesided", 0) != 0}
	if op.axisInput {
		op.axis = -2
	}
	return op, a.Err()
}

// dftGeom is a resolved DFT: the input viewed as [outer, size, inner, cin]
// and the output as [outer, outSize, inner, cout].
type dftGeom struct {
	outer, size, inner, cin int
	n                       int // the transform's length
	outSize, cout           int
}

// resolve reads the axis and length.
func (op *dftOp) resolve(in []ops.Value) (dftGeom, []int, error) {
	x := in[0]
	r := len(x.Shape)
	if r < 2 || (x.Shape[r-1] != 1 && x.Shape[r-1] != 2) {
		return dftGeom{}, nil, fmt.Errorf("input \"input\" has shape %v, want [..., 1] (real) or [..., 2] (complex)", x.Shape)
	}
	axis := op.axis
	if op.axisInput && ops.HasInput(in, 2) {
		v, err := scalarInt(in[2], "axis")
		if err != nil {
			return dftGeom{}, nil, err
		}
		axis = v
	}
	if axis < -int64(r) || axis > int64(r)-2 || axis == -1 {
		return dftGeom{}, nil, fmt.Errorf("axis %d is out of range for rank %d: want [%d, -2] or [0, %d]", axis, r, -r, r-2)
	}
	ax := int(axis)
	if ax < 0 {
		ax += r
	}
	g := dftGeom{outer: ops.NumElems(x.Shape[:ax]), size: x.Shape[ax], inner: ops.NumElems(x.Shape[ax+1 : r-1]), cin: x.Shape[r-1]}
	g.n = g.size
	if op.inverse && op.onesided {
		g.n = 2 * (g.size - 1)
	}
	if ops.HasInput(in, 1) {
		v, err := scalarInt(in[1], "dft_length")
		if err != nil {
			return dftGeom{}, nil, err
		}
		if g.n, err = ops.ToDim(v, "dft_length"); err != nil {
			return dftGeom{}, nil, err
		}
	}
	if g.n < 1 {
		return dftGeom{}, nil, fmt.Errorf("the transform's length is %d, want at least 1", g.n)
	}
	g.outSize, g.cout = g.n, 2
	switch {
	case op.onesided && op.inverse:
		g.cout = 1
	case op.onesided:
		g.outSize = g.n/2 + 1
	}
	shape := append([]int(nil), x.Shape...)
	shape[ax], shape[r-1] = g.outSize, g.cout
	return g, shape, nil
}

// scalarInt reads a constant int32 or int64 scalar (or one-element) input.
func scalarInt(v ops.Value, name string) (int64, error) {
	vals, err := ops.ConstInts(v, name)
	if err != nil {
		return 0, err
	}
	if len(vals) != 1 {
		return 0, fmt.Errorf("input %q has %d values, want one", name, len(vals))
	}
	return vals[0], nil
}

// Infer gives the transformed shape.
func (op *dftOp) Infer(in []ops.Value) ([]ops.Value, error) {
	hi := 2
	if op.axisInput {
		hi = 3
	}
	if err := ops.CheckInputs(in, 1, hi); err != nil {
		return nil, err
	}
	if err := checkFloat(in[0], "input"); err != nil {
		return nil, err
	}
	_, shape, err := op.resolve(in)
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: in[0].Type, Shape: shape}}, nil
}

// checkFloat requires input v named name to be float32 or float64.
func checkFloat(v ops.Value, name string) error {
	if ops.IsFloat(v.Type) {
		return nil
	}
	if err := ops.CheckElemType(v, name); err != nil {
		return err
	}
	return fmt.Errorf("input %q has type %s, want float32 or float64", name, ops.TypeName(v.Type))
}

// Run transforms.
func (op *dftOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the transform at the first call (the length and axis may
// come from earlier steps in a plan run without optimizations) and splits
// the lines into one task per thread, each with its own buffers.
func (op *dftOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	var run func()
	return func() error {
		if run == nil {
			g, _, err := op.resolve(ops.ConstValues(in))
			if err != nil {
				return err
			}
			if in[0].Type == onnx.Float {
				run = bindDFT[float32](ctx.Par, op, g, in[0], out[0])
			} else {
				run = bindDFT[float64](ctx.Par, op, g, in[0], out[0])
			}
		}
		run()
		return nil
	}, nil
}

func bindDFT[T ops.Float](par ops.Parallel, op *dftOp, g dftGeom, x, y *ops.Tensor) func() {
	plan := newFFTPlan(g.n, op.inverse)
	var bufs []lineBuf
	var xs, ys []T
	lines := g.outer * g.inner
	tasks, loop := ops.BindTasks(par, lines, 8*g.n, func(t, lo, hi int) {
		b := bufs[t]
		for line := lo; line < hi; line++ {
			o, i := line/g.inner, line%g.inner
			src := xs[(o*g.size*g.inner+i)*g.cin:]
			if op.inverse && op.onesided {
				loadHalfSpectrum(b, src, g.size, g.inner*g.cin, g.cin)
			} else {
				load(b, src, g.size, g.inner*g.cin, g.cin, nil)
			}
			plan.transform(b.a, b.work)
			store(b, ys[(o*g.outSize*g.inner+i)*g.cout:], g.outSize, g.inner*g.cout, g.cout, op.inverse)
		}
	})
	bufs = make([]lineBuf, tasks)
	for i := range bufs {
		bufs[i] = lineBuf{a: make([]complex128, g.n), work: make([]complex128, plan.workLen())}
	}
	return func() {
		xs, ys = ops.Elems[T](x), ops.Elems[T](y)
		loop()
	}
}

// lineBuf is one task's transform buffer and the plan's work space.
type lineBuf struct {
	a, work []complex128
}

// load fills b with the first len(a) of the size complex (c = 2)
// or real (c = 1) values src[0], src[stride]..., times the window if any,
// and zeros past them.
func load[T ops.Float](b lineBuf, src []T, size, stride, c int, window []float64) {
	n := min(size, len(b.a))
	for j := range n {
		re, im := float64(src[j*stride]), 0.0
		if c == 2 {
			im = float64(src[j*stride+1])
		}
		if window != nil {
			re, im = re*window[j], im*window[j]
		}
		b.a[j] = complex(re, im)
	}
	clear(b.a[n:])
}

// loadHalfSpectrum fills b with the conjugate-symmetric spectrum
// of which src holds bins 0, 1... (size of them, zero-padded or cut to
// len(a)/2+1).
func loadHalfSpectrum[T ops.Float](b lineBuf, src []T, size, stride, c int) {
	n := len(b.a)
	load(b, src, min(size, n/2+1), stride, c, nil)
	for k := 1; k < n-k; k++ {
		v := b.a[k]
		b.a[n-k] = complex(real(v), -imag(v))
	}
}

// store writes the first count values of b's transform to dst[0],
// dst[stride]...: complex (c = 2) or their real parts (c = 1), divided by
// the length for an inverse transform.
func store[T ops.Float](b lineBuf, dst []T, count, stride, c int, inverse bool) {
	scale := 1.0
	if inverse {
		scale = 1 / float64(len(b.a))
	}
	for k, v := range b.a[:count] {
		dst[k*stride] = T(real(v) * scale)
		if c == 2 {
			dst[k*stride+1] = T(imag(v) * scale)
		}
	}
}
