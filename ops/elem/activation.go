package elem

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/wide"
	"github.com/edgeinfer/edgeinfer/ops/internal/vec"
)

// PRelu and Clip, which keep X's shape and may run in place. PRelu
// computes every numeric type with a slope unidirectionally broadcast to
// X (before opset 7 a 1-D slope applies per channel, along axis 1); Clip
// every numeric type, with the bounds as attributes before opset 11 (float
// only) and as optional scalar inputs from then on.
func init() {
	for _, v := range []int{1, 6, 7, 9, 16} {
		ops.Register("", "PRelu", v, buildPRelu)
	}
	for _, v := range []int{1, 6, 11, 12, 13} {
		ops.Register("", "Clip", v, buildClip)
	}
}

// preluOp is a built PRelu.
type preluOp struct {
	// perChannel (opset < 7) applies a 1-D slope of X's dimension 1 per channel.
	perChannel bool
}

func buildPRelu(n *onnx.Node, opset int) (ops.Op, error) {
	return &preluOp{perChannel: opset < 7}, nil
}

// slopeShape is the slope's shape as broadcast against X's.
func (p *preluOp) slopeShape(x, slope []int) []int {
	if p.perChannel && len(slope) == 1 && len(x) >= 2 && slope[0] == x[1] {
		s := make([]int, len(x)-1)
		for i := range s {
			s[i] = 1
		}
		s[0] = slope[0]
		return s
	}
	return slope
}

// Infer checks that the slope has X's type and broadcasts to X's shape.
func (p *preluOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	x, s := in[0], in[1]
	if !ops.IsNumeric(x.Type) {
		return nil, fmt.Errorf("input X has type %s, want a numeric type", ops.TypeName(x.Type))
	}
	if s.Type != x.Type {
		return nil, fmt.Errorf("input slope has type %s, want X's type %s", ops.TypeName(s.Type), ops.TypeName(x.Type))
	}
	if b, err := ops.BroadcastShape(x.Shape, p.slopeShape(x.Shape, s.Shape)); err != nil || !ops.SameShape(b, x.Shape) {
		return nil, fmt.Errorf("input slope of shape %v does not broadcast to X's shape %v", s.Shape, x.Shape)
	}
	return []ops.Value{{Type: x.Type, Shape: x.Shape}}, nil
}

// InPlace lets Y overwrite X.
func (p *preluOp) InPlace(in []ops.Value) int { return 0 }

// Run computes Y = X < 0 ? slope*X : X.
func (p *preluOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(p, ctx, in, out)
}

// Bind plans the slope's broadcast once.
func (p *preluOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x, s := in[0], in[1]
	f := ewTable[x.Type].binary(ctx.Par, binPRelu, out[0], x, s, x.Shape, p.slopeShape(x.Shape, s.Shape))
	return func() error { f(); return nil }, nil
}

// clipOp is a built Clip.
type clipOp struct {
	attrs    bool    // opset < 11: the bounds are the min and max attributes
	min, max float32 // the attribute bounds, ±Inf when absent
}

func buildClip(n *onnx.Node, opset int) (ops.Op, error) {
	c := &clipOp{attrs: opset < 11, min: float32(math.Inf(-1)), max: float32(math.Inf(1))}
	if !c.attrs {
		return c, nil
	}
	a := ops.AttrsOf(n)
	c.min, c.max = a.Float("min", c.min), a.Float("max", c.max)
	return c, a.Err()
}

// Infer checks the input and the optional scalar bounds.
func (c *clipOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if c.attrs {
		if err := ops.CheckInputs(in, 1, 1); err != nil {
			return nil, err
		}
		if !ops.IsFloat(in[0].Type) {
			return nil, fmt.Errorf("input has type %s, want float32 or float64", ops.TypeName(in[0].Type))
		}
		return []ops.Value{{Type: in[0].Type, Shape: in[0].Shape}}, nil
	}
	if err := ops.CheckInputs(in, 1, 3); err != nil {
		return nil, err
	}
	t := in[0].Type
	if !ops.IsNumeric(t) {
		return nil, fmt.Errorf("input has type %s, want a numeric type", ops.TypeName(t))
	}
	for i, name := range [...]string{1: "min", 2: "max"} {
		if name == "" || !ops.HasInput(in, i) {
			continue
		}
		if in[i].Type != t {
			return nil, fmt.Errorf("input %q has type %s, want the input's type %s", name, ops.TypeName(in[i].Type), ops.TypeName(t))
		}
		if ops.NumElems(in[i].Shape) != 1 {
			return nil, fmt.Errorf("input %q has shape %v, want a scalar", name, in[i].Shape)
		}
	}
	return []ops.Value{{Type: t, Shape: in[0].Shape}}, nil
}

// InPlace lets the output overwrite the input.
func (c *clipOp) InPlace(in []ops.Value) int { return 0 }

// Run computes min(max(x, min), max): where min > max every element becomes max.
func (c *clipOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error { return ops.RunBound(c, ctx, in, out) }

// Bind makes the clipping loop once.
func (c *clipOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	return ewTable[in[0].Type].clip(ctx.Par, c, out[0], in[0], ops.InputAt(in, 1), ops.InputAt(in, 2)), nil
}

// bindClip binds Clip's kernel for element type T; the optional bound
// tensors lo and hi are read at every call. Floats clip on their own
// loops (float32 in package vec's SIMD loop), integers on wide values
// (compared as their own type).
func bindClip[T ops.Numeric](par ops.Parallel, c *clipOp, d, x, lo, hi *ops.Tensor) func() error {
	return bindClipOf(par, c, d, x, lo, hi)
}

// bindClipOf is bindClip for x's type, whatever it is.
func bindClipOf(par ops.Parallel, c *clipOp, d, x, lo, hi *ops.Tensor) func() error {
	switch x.Type {
	case onnx.Float:
		return bindClipFloat[float32](par, c, d, x, lo, hi)
	case onnx.Double:
		return bindClipFloat[float64](par, c, d, x, lo, hi)
	}
	return wide.BindMap(par, d, x, func(w *wide.Chunk, n int, kx wide.Kind) wide.Kind {
		less := func(a, b int64) bool { return a < b }
		if kx == wide.Uint64 {
			less = func(a, b int64) bool { return uint64(a) < uint64(b) }
		}
		if lo != nil {
			l := wide.IntAt0(lo)
			for j, v := range w.I[:n] {
				if less(v, l) {
					w.I[j] = l
				}
			}
		}
		if hi != nil {
			h := wide.IntAt0(hi)
			for j, v := range w.I[:n] {
				if less(h, v) {
					w.I[j] = h
				}
			}
		}
		return kx
	})
}

// bindClipFloat is bindClip for a float type.
func bindClipFloat[T ops.Float](par ops.Parallel, c *clipOp, d, x, lo, hi *ops.Tensor) func() error {
	return ops.BindMap(par, ops.Grain, d, x, func(d, x []T) {
		l, h := ops.TypeLimits[T]()
		if c.attrs {
			l, h = T(c.min), T(c.max)
		}
		if lo != nil {
			l = ops.Elems[T](lo)[0]
		}
		if hi != nil {
			h = ops.Elems[T](hi)[0]
		}
		if d, ok := any(d).([]float32); ok {
			vec.Clip(d, any(x).([]float32), float32(l), float32(h))
			return
		}
		for i, v := range x {
			if v < l {
				v = l
			}
			if v > h {
				v = h
			}
			d[i] = v
		}
	})
}
