package array

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func init() {
	// Slice-1 takes attributes; from 10 inputs (with steps), 11 negative axes.
	for _, v := range []int{1, 10, 11, 13} {
		ops.Register("", "Slice", v, buildSlice)
	}
}

// sliceOp is a built Slice: it copies a strided window of its input.
type sliceOp struct {
	starts, ends, axes []int64 // attributes before opset 10 (axes may be nil)
	fromInputs         bool    // starts, ends, axes, steps are inputs 1..4 (opset 10)
	negOK              bool    // negative axes (opset 11)
}

func buildSlice(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &sliceOp{fromInputs: opset >= 10, negOK: opset >= 11}
	if !op.fromInputs {
		op.starts, op.ends, op.axes = a.Ints("starts"), a.Ints("ends"), a.Ints("axes")
		if a.Err() == nil && (op.starts == nil || op.ends == nil) {
			return nil, fmt.Errorf("attributes \"starts\" and \"ends\" are required")
		}
	}
	return op, a.Err()
}

// sliceWindow is a resolved slice: per input axis, the first element taken,
// the step and the count taken.
type sliceWindow struct {
	start, step, count []int
}

// window resolves the slice for an input shape from starts, ends and the
// optional axes and steps (nil when omitted), clamping as the spec says:
// negative starts and ends count from the end of the dim, then starts are
// clamped to [0, dim] ([0, dim-1] for negative steps) and ends to [0, dim]
// ([-1, dim-1] for negative steps).
func (op *sliceOp) window(shape []int, starts, ends, axes, steps []int64) (*sliceWindow, error) {
	n := len(starts)
	if len(ends) != n {
		return nil, fmt.Errorf("starts has %d entries, ends %d", n, len(ends))
	}
	if axes == nil {
		axes = make([]int64, n)
		for i := range axes {
			axes[i] = int64(i)
		}
	}
	if len(axes) != n {
		return nil, fmt.Errorf("starts has %d entries, axes %d", n, len(axes))
	}
	if steps != nil && len(steps) != n {
		return nil, fmt.Errorf("starts has %d entries, steps %d", n, len(steps))
	}
	ax, err := ops.AxesIn(axes, len(shape), op.negOK)
	if err != nil {
		return nil, fmt.Errorf("axes: %w", err)
	}
	w := &sliceWindow{start: make([]int, len(shape)), step: make([]int, len(shape)), count: append([]int(nil), shape...)}
	for i := range w.step {
		w.step[i] = 1
	}
	for i, a := range ax {
		step := int64(1)
		if steps != nil {
			step = steps[i]
		}
		if step == 0 {
			return nil, fmt.Errorf("steps has a 0 for axis %d", a)
		}
		dim := int64(shape[a])
		lo, hi := int64(0), dim // clamp range of start and end for positive steps
		if step < 0 {
			lo, hi = -1, dim-1
		}
		s, e := starts[i], ends[i]
		if s < 0 {
			s += dim
		}
		if e < 0 {
			e += dim
		}
		s = min(max(s, max(lo, 0)), hi)
		e = min(max(e, lo), hi)
		count := int64(0)
		if step > 0 && e > s {
			count = (e - s + step - 1) / step
		} else if step < 0 && s > e {
			count = (s - e - step - 1) / -step
		}
		w.start[a], w.step[a], w.count[a] = int(s), int(step), int(count)
	}
	return w, nil
}

// inputs reads starts, ends, axes and steps from the attributes or, from
// opset 10, from the constant inputs 1..4 (nil where omitted).
func (op *sliceOp) inputs(in []ops.Value) (starts, ends, axes, steps []int64, err error) {
	if !op.fromInputs {
		return op.starts, op.ends, op.axes, nil, nil
	}
	names := [...]string{"starts", "ends", "axes", "steps"}
	var got [4][]int64
	for i, name := range names {
		if !ops.HasInput(in, i+1) {
			continue
		}
		if got[i], err = ops.ConstInts(in[i+1], name); err != nil {
			return nil, nil, nil, nil, err
		}
	}
	return got[0], got[1], got[2], got[3], nil
}

// Infer resolves the window, which must be constant, and gives its shape.
func (op *sliceOp) Infer(in []ops.Value) ([]ops.Value, error) {
	lo, hi := 1, 1
	if op.fromInputs {
		lo, hi = 3, 5
	}
	if err := ops.CheckInputs(in, lo, hi); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "data"); err != nil {
		return nil, err
	}
	w, err := op.resolve(in)
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: in[0].Type, Shape: w.count}}, nil
}

func (op *sliceOp) resolve(in []ops.Value) (*sliceWindow, error) {
	starts, ends, axes, steps, err := op.inputs(in)
	if err != nil {
		return nil, err
	}
	return op.window(in[0].Shape, starts, ends, axes, steps)
}

// Run copies the window through a strided view of the input.
func (op *sliceOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the strided copy at the first call: the window's inputs are
// the same at every run of a plan (its output shape depends on them), but
// in a plan run without optimizations they may be computed by earlier steps.
func (op *sliceOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	var copyWindow func() error
	return func() error {
		if copyWindow == nil {
			w, err := op.resolve(ops.ConstValues(in))
			if err != nil {
				return err
			}
			x := in[0]
			st := ops.Strides(x.Shape)
			off := 0
			for i := range st {
				off += w.start[i] * st[i]
				st[i] *= w.step[i]
			}
			copyWindow = newMovePlan(w.count, st, off).bind(ctx.Par, out[0], x, ops.ElemSize(x.Type))
		}
		return copyWindow()
	}, nil
}
