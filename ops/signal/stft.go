package signal

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// STFT (opset 17) is the short-time Fourier transform of signal [batch,
// length, 1 or 2] (real or complex): frames of frame_length samples
// starting every frame_step samples, each multiplied by the optional
// window and transformed forward, giving [batch, frames, bins, 2] with
// frames = (length - frame_length) / frame_step + 1. The frame length is
// the frame_length input or else the window's length (they must agree when
// both are given). onesided (the default) keeps bins 0 to n/2 (a complex
// signal is truncated there, as for DFT). float32 and float64, computed in
// float64 by fftPlan.
func init() {
	ops.Register("", "STFT", 17, buildSTFT)
}

// stftOp is a built STFT.
type stftOp struct{ onesided bool }

func buildSTFT(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	return &stftOp{onesided: a.Int("onesided", 1) != 0}, a.Err()
}

// stftGeom is a resolved STFT.
type stftGeom struct {
	batch, length, c int // the signal
	step, n          int // frame step and length
	frames, bins     int
	window           bool
}

// resolve reads the frame step and length.
func (op *stftOp) resolve(in []ops.Value) (stftGeom, error) {
	x := in[0]
	if len(x.Shape) != 3 || (x.Shape[2] != 1 && x.Shape[2] != 2) {
		return stftGeom{}, fmt.Errorf("input \"signal\" has shape %v, want [batch, length, 1 or 2]", x.Shape)
	}
	g := stftGeom{batch: x.Shape[0], length: x.Shape[1], c: x.Shape[2], n: -1, window: ops.HasInput(in, 2)}
	step, err := scalarInt(in[1], "frame_step")
	if err != nil {
		return stftGeom{}, err
	}
	if step < 1 || step > ops.MaxDim {
		return stftGeom{}, fmt.Errorf("input \"frame_step\" is %d, want a positive size", step)
	}
	g.step = int(step)
	if g.window {
		w := in[2]
		if w.Type != x.Type || len(w.Shape) != 1 {
			return stftGeom{}, fmt.Errorf("input \"window\" is %s%v, want a %s vector", ops.TypeName(w.Type), w.Shape, ops.TypeName(x.Type))
		}
		g.n = w.Shape[0]
	}
	if ops.HasInput(in, 3) {
		v, err := scalarInt(in[3], "frame_length")
		if err != nil {
			return stftGeom{}, err
		}
		if g.window && v != int64(g.n) {
			return stftGeom{}, fmt.Errorf("input \"frame_length\" is %d but the window has %d values", v, g.n)
		}
		if g.n, err = ops.ToDim(v, "frame_length"); err != nil {
			return stftGeom{}, err
		}
	}
	switch {
	case g.n == -1:
		return stftGeom{}, fmt.Errorf("neither \"window\" nor \"frame_length\" is given: the frame length is unknown")
	case g.n < 1 || g.n > g.length:
		return stftGeom{}, fmt.Errorf("the frame length is %d, want 1 to the signal's length %d", g.n, g.length)
	}
	g.frames = (g.length-g.n)/g.step + 1
	g.bins = g.n
	if op.onesided {
		g.bins = g.n/2 + 1
	}
	return g, nil
}

// Infer gives [batch, frames, bins, 2].
func (op *stftOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 4); err != nil {
		return nil, err
	}
	if err := checkFloat(in[0], "signal"); err != nil {
		return nil, err
	}
	g, err := op.resolve(in)
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: in[0].Type, Shape: []int{g.batch, g.frames, g.bins, 2}}}, nil
}

// Run transforms every frame.
func (op *stftOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans at the first call (the sizes may come from earlier steps in a
// plan run without optimizations), one task per thread with its own buffers.
func (op *stftOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	var run func()
	return func() error {
		if run == nil {
			g, err := op.resolve(ops.ConstValues(in))
			if err != nil {
				return err
			}
			if in[0].Type == onnx.Float {
				run = bindSTFT[float32](ctx.Par, g, in, out[0])
			} else {
				run = bindSTFT[float64](ctx.Par, g, in, out[0])
			}
		}
		run()
		return nil
	}, nil
}

func bindSTFT[T ops.Float](par ops.Parallel, g stftGeom, in []*ops.Tensor, y *ops.Tensor) func() {
	plan := newFFTPlan(g.n, false)
	var bufs []lineBuf
	var window []float64
	var xs, ys []T
	tasks, loop := ops.BindTasks(par, g.batch*g.frames, 8*g.n, func(t, lo, hi int) {
		b := bufs[t]
		for f := lo; f < hi; f++ {
			bi, fi := f/g.frames, f%g.frames
			load(b, xs[(bi*g.length+fi*g.step)*g.c:], g.n, g.c, g.c, window)
			plan.transform(b.a, b.work)
			store(b, ys[f*g.bins*2:], g.bins, 2, 2, false)
		}
	})
	bufs = make([]lineBuf, tasks)
	for i := range bufs {
		bufs[i] = lineBuf{a: make([]complex128, g.n), work: make([]complex128, plan.workLen())}
	}
	if g.window {
		window = make([]float64, g.n)
	}
	return func() {
		xs, ys = ops.Elems[T](in[0]), ops.Elems[T](y)
		if window != nil {
			for i, v := range ops.Elems[T](in[2]) {
				window[i] = float64(v)
			}
		}
		loop()
	}
}
