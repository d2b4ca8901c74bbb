package quant

import (
	"fmt"
	"math"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/qgemm"
)

// The com.microsoft QLinearGlobalAveragePool and QLinearAveragePool
// (version 1) average uint8/int8 tensors, NCHW or, with channels_last,
// NHWC, every scale and zero point per tensor, the result requantized:
//
//   - QLinearGlobalAveragePool averages each channel's whole image: with
//     s the sum of an image's n values minus n·x_zero_point (int32), y =
//     saturate(round_half_even(s·x_scale/(y_scale·n)) + y_zero_point), the
//     scale and its product with s rounded to float32, as ONNX Runtime
//     computes it. Its zero points are required.
//   - QLinearAveragePool (kernel_shape, strides, pads, auto_pad, ceil_mode,
//     count_include_pad; one to three spatial axes) dequantizes to float32
//     (x_scale·(x - x_zero_point)), sums each window's values inside the
//     input in row-major order, divides by their count (or by the kernel's
//     size with count_include_pad) and quantizes:
//     round_half_even(avg/y_scale + y_zero_point) saturated, each step in
//     float32 as in ONNX Runtime. Like ONNX Runtime, a window covering the
//     whole unpadded input is computed as QLinearGlobalAveragePool.
func init() {
	ops.Register("com.microsoft", "QLinearGlobalAveragePool", 1, buildQPool(true))
	ops.Register("com.microsoft", "QLinearAveragePool", 1, buildQPool(false))
}

// qpool is a built QLinearGlobalAveragePool or QLinearAveragePool.
type qpool struct {
	global       bool
	channelsLast bool
	includePad   bool
	sp           ops.WindowAttrs
}

var qpoolNames = []string{"X", "x_scale", "x_zero_point", "y_scale", "y_zero_point"}

func buildQPool(global bool) ops.Builder {
	return func(n *onnx.Node, _ int) (ops.Op, error) {
		a := ops.AttrsOf(n)
		q := &qpool{global: global, channelsLast: a.Int("channels_last", 0) != 0}
		if !global {
			q.includePad = a.Int("count_include_pad", 0) != 0
			var err error
			if q.sp, err = ops.ParseWindow(a, true); err != nil {
				return nil, err
			}
			for _, d := range q.sp.Dilations {
				if d != 1 {
					return nil, fmt.Errorf("attribute \"dilations\" is not an attribute of QLinearAveragePool")
				}
			}
		}
		if err := a.Err(); err != nil {
			return nil, err
		}
		return q, nil
	}
}

// poolDims is a pool's geometry for one input shape.
type poolDims struct {
	n, c     int
	g        ops.Window3 // the window (unset for QLinearGlobalAveragePool)
	in, out  int         // positions of an input and an output image
	asGlobal bool        // computed as a global average
	outShape []int
	// Elements between channels of X and of Y (1 for NHWC, an image for
	// NCHW) and between positions (the channels for NHWC, 1 for NCHW).
	inCStride, outCStride, posStride int
}

// dims resolves the geometry of input shape x.
func (q *qpool) dims(x []int) (poolDims, error) {
	if len(x) < 3 {
		return poolDims{}, fmt.Errorf("input \"X\" has shape %v, want rank 3 or more", x)
	}
	d := poolDims{n: x[0], c: x[1]}
	spatial := x[2:]
	if q.channelsLast {
		d.c, spatial = x[len(x)-1], x[1:len(x)-1]
	}
	if q.global {
		// Any number of spatial axes: one output position of the whole image.
		d.in, d.out, d.asGlobal = ops.NumElems(spatial), 1, true
		d.setLayout(q.channelsLast, slices.Repeat([]int{1}, len(spatial)))
		return d, nil
	}
	var err error
	if d.g, err = q.sp.Resolve3(spatial, nil); err != nil {
		return poolDims{}, err
	}
	d.in, d.out = d.g.InSize(), d.g.OutSize()
	d.asGlobal = d.g.Kernel == d.g.In && d.g.Pad == [3]int{} && d.g.PadEnd == [3]int{}
	d.setLayout(q.channelsLast, d.g.Out[ops.MaxWindowAxes-len(spatial):])
	return d, nil
}

// setLayout sets the output shape for the output's spatial shape out and
// the strides of the layout.
func (d *poolDims) setLayout(channelsLast bool, out []int) {
	d.outShape = append([]int{d.n, d.c}, out...)
	d.inCStride, d.outCStride, d.posStride = d.in, d.out, 1
	if channelsLast {
		d.outShape = append(append([]int{d.n}, out...), d.c)
		d.inCStride, d.outCStride, d.posStride = 1, 1, d.c
	}
}

// Infer checks the inputs; Y has X's type, global pools keep one position
// per spatial axis.
func (q *qpool) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := checkQOperands(in, qpoolNames, []int{0}, []int{1, 3}, []int{2, 4}); err != nil {
		return nil, err
	}
	if q.global {
		for _, i := range []int{2, 4} {
			if !ops.HasInput(in, i) {
				return nil, fmt.Errorf("input %q is required", qpoolNames[i])
			}
		}
	}
	d, err := q.dims(in[0].Shape)
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: in[0].Type, Shape: d.outShape}}, nil
}

// Run pools in[0] into out[0].
func (q *qpool) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(q, ctx, in, out)
}

// Bind resolves the geometry and makes the loop once.
func (q *qpool) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	d, err := q.dims(in[0].Shape)
	if err != nil {
		return nil, err
	}
	if in[0].Type == onnx.Int8 {
		return bindQPool[int8](ctx.Par, q, &d, in, out[0]), nil
	}
	return bindQPool[uint8](ctx.Par, q, &d, in, out[0]), nil
}

// bindQPool binds the loop over (image, channel) pairs.
func bindQPool[T quant8](par ops.Parallel, q *qpool, dp *poolDims, in []*ops.Tensor, out *ops.Tensor) func() error {
	d := *dp
	var x, y []T
	var scale float32 // global: x_scale/(y_scale·n)
	var bias int32    // global: -n·x_zero_point
	var deq [256]float32
	var ys, zy float32
	var rq requantizer
	lo, hi := quantBounds[T]()
	body := func(l, h int) {
		for i := l; i < h; i++ {
			img, ch := i/d.c, i%d.c
			src := x[img*d.c*d.in+ch*d.inCStride:]
			dst := y[img*d.c*d.out+ch*d.outCStride:]
			if d.asGlobal {
				s := bias
				if d.posStride == 1 {
					s += qgemm.SumBytes(bytesOf(src[:d.in]), lo < 0)
				} else {
					for p := range d.in {
						s += int32(src[p*d.posStride])
					}
				}
				dst[0] = T(rq.apply(s, scale))
				continue
			}
			avgPoolPlane(&d, q.includePad, src, dst, &deq, ys, zy, lo, hi)
		}
	}
	return func() error {
		x, y = ops.Elems[T](in[0]), ops.Elems[T](out)
		xs, zx := in[1].F32()[0], int32(0)
		if t := ops.InputAt(in, 2); t != nil {
			zx = int32(ops.View[T](t.Data)[0])
		}
		ys, zy = in[3].F32()[0], 0
		if t := ops.InputAt(in, 4); t != nil {
			zy = float32(ops.View[T](t.Data)[0])
		}
		if d.asGlobal {
			scale, bias, rq = xs/(ys*float32(d.in)), -zx*int32(d.in), newRequantizer[T](int32(zy))
		} else {
			for v := range deq {
				deq[v] = xs * float32(int32(T(v))-zx)
			}
		}
		par.For(d.n*d.c, max(1, ops.Grain/max(1, d.in)), body)
		return nil
	}
}

// avgPoolPlane averages every window of one channel src (positions
// posStride apart) into dst, in float32 as ONNX Runtime does: dequantized
// values (deq, indexed by the value's byte) summed in row-major order,
// divided by the count, quantized as round_half_even(avg/ys + zy).
func avgPoolPlane[T quant8](d *poolDims, includePad bool, src, dst []T, deq *[256]float32, ys, zy float32, lo, hi float64) {
	g := &d.g
	kernelSize := float32(g.Taps())
	o := 0
	for od := range g.Out[0] {
		d0, d1 := poolSpan(g, 0, od)
		for oh := range g.Out[1] {
			h0, h1 := poolSpan(g, 1, oh)
			for ow := range g.Out[2] {
				w0, w1 := poolSpan(g, 2, ow)
				var sum float32
				for id := d0; id < d1; id++ {
					for ih := h0; ih < h1; ih++ {
						row := (id*g.In[1] + ih) * g.In[2]
						for iw := w0; iw < w1; iw++ {
							sum += deq[uint8(src[(row+iw)*d.posStride])]
						}
					}
				}
				count := kernelSize
				if !includePad {
					count = float32((d1 - d0) * (h1 - h0) * (w1 - w0))
				}
				avg := sum / count
				dst[o*d.posStride] = T(quantClamp(math.RoundToEven(float64(avg/ys+zy)), lo, hi))
				o++
			}
		}
	}
}

// poolSpan is the input range [s, e) of axis a under output position o's
// window, clipped to the input.
func poolSpan(g *ops.Window3, a, o int) (s, e int) {
	s = o*g.Strides[a] - g.Pad[a]
	e = min(s+g.Kernel[a], g.In[a])
	return max(s, 0), e
}
