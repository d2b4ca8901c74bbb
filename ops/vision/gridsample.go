package vision

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/wide"
)

// GridSample samples X (N, C, D1..Dr) at the positions of grid (N,
// O1..Or, r), normalized to [-1, 1] and listed innermost axis first, into
// Y (N, C, O1..Or):
//
//   - align_corners 1 puts -1 and 1 at the centres of the corner inputs,
//     0 at their outer edges.
//   - mode nearest takes the input nearest the position (halves to the
//     even index) for any element type; linear (bilinear before opset 20)
//     and cubic (bicubic; Keys' kernel with a = -0.75) weigh 2 or 4
//     inputs per axis, in the input's floating-point type, or float64 for
//     integers, whose results are truncated toward zero and saturated.
//   - padding_mode zeros reads 0 outside the input; border clamps the
//     position, and each input read, to the input; reflection mirrors
//     them at the borders (the corner centres with align_corners, their
//     edges without) until they fall inside. In cubic mode border clamps
//     only the inputs read, not the position, as PyTorch and ONNX Runtime
//     do (the ONNX reference clamps the position too).
//   - Opset 16 takes 4-D inputs only; 20 and later any number of spatial
//     axes. Both spellings of the modes are accepted at every version. A
//     NaN position samples 0.
func init() {
	for _, v := range []int{16, 20, 22} {
		ops.Register("", "GridSample", v, buildGridSample)
	}
}

// padMode is a GridSample padding_mode.
type padMode int

const (
	padZeros padMode = iota
	padBorder
	padReflection
)

// gridSampleOp is a built GridSample.
type gridSampleOp struct {
	mode  interp
	pad   padMode
	align bool
	nd    bool // more than 2 spatial axes allowed (opset 20)
}

func buildGridSample(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	def := "linear"
	if opset < 20 {
		def = "bilinear"
	}
	op := &gridSampleOp{nd: opset >= 20}
	var err error
	modes := map[string]interp{"nearest": interpNearest, "linear": interpLinear, "bilinear": interpLinear, "cubic": interpCubic, "bicubic": interpCubic}
	if op.mode, err = choice(a, "mode", def, modes); err != nil {
		return nil, err
	}
	pads := map[string]padMode{"zeros": padZeros, "border": padBorder, "reflection": padReflection}
	if op.pad, err = choice(a, "padding_mode", "zeros", pads); err != nil {
		return nil, err
	}
	if op.align, err = flag(a, "align_corners", false); err != nil {
		return nil, err
	}
	return op, a.Err()
}

// Infer checks X and grid and gives Y's shape.
func (op *gridSampleOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	x, g := in[0], in[1]
	if err := ops.CheckElemType(x, "X"); err != nil {
		return nil, err
	}
	if op.mode != interpNearest && x.Type == onnx.Bool {
		return nil, fmt.Errorf("input \"X\" is bool, which only mode \"nearest\" samples")
	}
	if err := checkFloatInput(g, "grid"); err != nil {
		return nil, err
	}
	r := len(x.Shape) - 2
	switch {
	case r < 1 || !op.nd && r != 2:
		want := "[N, C, H, W]"
		if op.nd {
			want = "[N, C, D1, ...]"
		}
		return nil, fmt.Errorf("input \"X\" has shape %v, want %s", x.Shape, want)
	case len(g.Shape) != r+2 || g.Shape[0] != x.Shape[0] || g.Shape[r+1] != r:
		return nil, fmt.Errorf("input \"grid\" has shape %v, want [%d, ...%d output sizes..., %d] for X %v", g.Shape, x.Shape[0], r, r, x.Shape)
	}
	shape := append([]int{x.Shape[0], x.Shape[1]}, g.Shape[1:r+1]...)
	if op.pad != padZeros && ops.NumElems(shape) > 0 && ops.NumElems(x.Shape[2:]) == 0 {
		return nil, fmt.Errorf("input \"X\" has shape %v: padding_mode border and reflection cannot sample an empty input", x.Shape)
	}
	return []ops.Value{{Type: x.Type, Shape: shape}}, nil
}

// Run computes Y.
func (op *gridSampleOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the sampling for these shapes, with a tap buffer per task,
// and binds the loop over (image, output position) units to the tensors.
func (op *gridSampleOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x, y := in[0], out[0]
	r := len(x.Shape) - 2
	e := &gridExec{
		op: op, r: r, c: x.Shape[1], in: x.Shape[2:], stride: ops.Strides(x.Shape[2:]),
		plane: ops.NumElems(x.Shape[2:]), pos: ops.NumElems(y.Shape[2:]), f32: in[1].Type == onnx.Float,
	}
	e.units = x.Shape[0] * e.pos
	e.t = [...]int{interpNearest: 1, interpLinear: 2, interpCubic: 4}[op.mode]
	k := 1
	for range r {
		if k *= e.t; k > maxGridTaps {
			return nil, fmt.Errorf("input \"X\" has %d spatial axes: %s mode would read %d^%d inputs per position: %w", r, [...]string{"nearest", "linear", "cubic"}[op.mode], e.t, r, ops.ErrUnsupported)
		}
	}
	e.tasks = max(1, min(e.units, 2*ctx.Par.Threads()))
	e.bufs = make([]gridBuf, e.tasks)
	for i := range e.bufs {
		e.bufs[i] = gridBuf{
			g: make([]float64, r), idx: make([]int, e.t), w: make([]float64, e.t),
			offs: make([]int, k), ws: make([]float64, k), ws32: make([]float32, k),
		}
	}
	if e.plane == 0 { // every position reads zeros padding
		return func() error { clear(y.Data); return nil }, nil
	}
	par := ctx.Par
	if op.mode == interpNearest {
		switch ops.ElemSize(x.Type) {
		case 1:
			return bindGrid(e, par, in, out, copyTaps[uint8]), nil
		case 2:
			return bindGrid(e, par, in, out, copyTaps[uint16]), nil
		case 4:
			return bindGrid(e, par, in, out, copyTaps[uint32]), nil
		}
		return bindGrid(e, par, in, out, copyTaps[uint64]), nil
	}
	switch x.Type {
	case onnx.Float:
		return bindGrid(e, par, in, out, weighTaps[float32]), nil
	case onnx.Double:
		return bindGrid(e, par, in, out, weighTaps[float64]), nil
	}
	// Integers weigh a float64 copy, then the sums truncate toward zero and
	// saturate into Y.
	x64, y64 := ops.New(onnx.Double, x.Shape...), ops.New(onnx.Double, y.Shape...)
	run := bindGrid(e, par, []*ops.Tensor{x64, in[1]}, []*ops.Tensor{y64}, weighTaps[float64])
	return func() error {
		wide.Convert(x64, x)
		if err := run(); err != nil {
			return err
		}
		v := y64.F64()
		for i, s := range v {
			v[i] = math.Trunc(s)
		}
		saturateInto(y, v)
		return nil
	}, nil
}

// maxGridTaps bounds the inputs one position reads (t^r for r spatial
// axes).
const maxGridTaps = 1 << 16

// gridExec is a GridSample planned for its shapes. Each unit, an (image,
// output position) pair, finds the k = t^r inputs it reads in a plane and
// their weights once, then applies them to every channel. Units are split
// into tasks, each with its buffers.
type gridExec struct {
	op     *gridSampleOp
	r, c   int
	in     []int // X's spatial dims
	stride []int // their strides within a plane
	plane  int
	pos    int // output positions per image
	units  int
	t      int  // taps per axis
	f32    bool // the grid is float32: positions are denormalized in float32
	tasks  int
	bufs   []gridBuf
}

// gridBuf is one task's scratch: the unit's position, one axis's taps,
// and the combined taps.
type gridBuf struct {
	g    []float64
	idx  []int
	w    []float64
	offs []int
	ws   []float64
	ws32 []float32
}

// gridApply computes the outputs of unit (n, p) in every channel from the
// taps in b.
type gridApply[T any] func(e *gridExec, b *gridBuf, x, y []T, n, p int)

// gridJob runs units of tasks [lo, hi).
type gridJob[T any] struct {
	e     *gridExec
	apply gridApply[T]
	x, y  []T
	g32   []float32
	g64   []float64
}

// bindGrid binds the loop with apply to the tensors.
func bindGrid[T any](e *gridExec, par ops.Parallel, in, out []*ops.Tensor, apply gridApply[T]) func() error {
	j := new(gridJob[T])
	return ops.BindLoop(par, e.tasks, 1, j, func() {
		*j = gridJob[T]{e: e, apply: apply, x: ops.View[T](in[0].Data), y: ops.View[T](out[0].Data)}
		if e.f32 {
			j.g32 = in[1].F32()
		} else {
			j.g64 = in[1].F64()
		}
	})
}

func (j gridJob[T]) Run(lo, hi int) {
	e := j.e
	for task := lo; task < hi; task++ {
		b := &e.bufs[task]
		for u := task * e.units / e.tasks; u < (task+1)*e.units/e.tasks; u++ {
			for i := range b.g {
				if j.g32 != nil {
					b.g[i] = float64(j.g32[u*e.r+i])
				} else {
					b.g[i] = j.g64[u*e.r+i]
				}
			}
			e.taps(b)
			j.apply(e, b, j.x, j.y, u/e.pos, u%e.pos)
		}
	}
}

// copyTaps copies the nearest input (the single tap), or 0 where it lies
// in the zeros padding.
func copyTaps[E uint8 | uint16 | uint32 | uint64](e *gridExec, b *gridBuf, x, y []E, n, p int) {
	off, inside := b.offs[0], b.ws[0] != 0
	for c := range e.c {
		nc := n*e.c + c
		var v E
		if inside {
			v = x[nc*e.plane+off]
		}
		y[nc*e.pos+p] = v
	}
}

// weighTaps sums the taps' inputs, weighted in F, into y.
func weighTaps[F ops.Float](e *gridExec, b *gridBuf, x, y []F, n, p int) {
	var ws []F
	if w32, ok := any(b.ws32).([]F); ok {
		ws = w32
	} else {
		ws = any(b.ws).([]F)
	}
	for c := range e.c {
		nc := n*e.c + c
		src := x[nc*e.plane:][:e.plane]
		var acc F
		for i, off := range b.offs {
			acc += ws[i] * src[off]
		}
		y[nc*e.pos+p] = acc
	}
}

// taps sets b.offs and b.ws to the inputs of the position in b.g and
// their weights, padding resolved: a tap in the zeros padding, or of a
// NaN position, has weight 0 (and offset 0).
func (e *gridExec) taps(b *gridBuf) {
	op := e.op
	b.offs[0], b.ws[0] = 0, 1
	n := 1
	for d := range e.r {
		size := e.in[d]
		x := e.denorm(b.g[e.r-1-d], size)
		lo, hi := -0.5, float64(size)-0.5
		if op.align {
			lo, hi = 0, float64(size-1)
		}
		if op.mode == interpNearest {
			x = math.RoundToEven(x)
		}
		if x < lo || x > hi {
			switch {
			case op.pad == padReflection:
				x = reflect(x, lo, hi)
			case op.pad == padBorder && op.mode != interpCubic:
				x = max(0, min(x, float64(size-1)))
			default: // far outside, every tap reads the same: keep the indices small
				x = max(-8, min(x, float64(size)+8))
			}
		}
		idx, w := b.idx, b.w
		switch {
		case x != x:
			for i := range idx {
				idx[i], w[i] = 0, 0
			}
		case op.mode == interpNearest:
			idx[0], w[0] = int(x), 1
		default:
			f := math.Floor(x)
			t := x - f
			first := int(f) - e.t/2 + 1
			for i := range idx {
				idx[i] = first + i
				if e.t == 2 {
					w[i] = linearWeight(float64(idx[i]) - x)
				} else {
					w[i] = cubicWeight(-0.75, float64(i-1)-t)
				}
			}
		}
		for i, at := range idx {
			if at >= 0 && at < size {
				continue
			}
			switch op.pad {
			case padZeros:
				idx[i], w[i] = 0, 0
			case padBorder:
				idx[i] = max(0, min(at, size-1))
			default:
				v := reflect(float64(at), lo, hi)
				idx[i] = 0
				if v == v {
					idx[i] = max(0, min(int(v), size-1))
				}
			}
		}
		// Combine with the taps of the axes before, from the back so that
		// nothing is overwritten before it is read.
		for j := n - 1; j >= 0; j-- {
			off, wt := b.offs[j], b.ws[j]
			for i := e.t - 1; i >= 0; i-- {
				b.offs[j*e.t+i] = off + idx[i]*e.stride[d]
				b.ws[j*e.t+i] = wt * w[i]
			}
		}
		n *= e.t
	}
	for i, v := range b.ws {
		b.ws32[i] = float32(v)
	}
}

// denorm maps normalized coordinate g to a position on an axis of size
// inputs, in float32 for a float32 grid (as the ONNX reference and ONNX
// Runtime compute it, which decides the ties of nearest mode).
func (e *gridExec) denorm(g float64, size int) float64 {
	if e.f32 {
		g1 := float32(float32(g) + 1)
		if e.op.align {
			return float64(float32(g1/2) * float32(size-1))
		}
		return float64(float32(float32(g1*float32(size))-1) / 2)
	}
	if e.op.align {
		return (g + 1) / 2 * float64(size-1)
	}
	return ((g+1)*float64(size) - 1) / 2
}

// reflect mirrors x at lo and hi until it lies between them (NaN when x
// is infinite).
func reflect(x, lo, hi float64) float64 {
	span := hi - lo
	if span <= 0 {
		return lo
	}
	if x >= lo && x <= hi {
		return x
	}
	near, far, dx := lo, hi, lo-x // the border x is beyond, and the other
	if x > hi {
		near, far, dx = hi, lo, x-hi
	}
	n := math.Floor(dx / span)
	r := dx - n*span
	if math.Mod(n, 2) != 0 {
		return far - math.Copysign(r, far-near)
	}
	return near + math.Copysign(r, far-near)
}
