package elem

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/fmath"
)

// Activations: Relu, LeakyRelu, PRelu, Clip, Sigmoid, HardSigmoid,
// HardSwish and Tanh. All keep the input's shape and may run in place.
// Relu and Clip compute every numeric type; PRelu every numeric type with a
// slope unidirectionally broadcast to X; the others float32 and float64.
// Sigmoid and Tanh are evaluated without overflow or cancellation for any
// input: float32 uses Cephes-style expf and tanhf (relative error below
// 2.5e-7), float64 the math package.
func init() {
	ops.Register("", "Relu", 1, buildActivation(ewRelu))
	ops.Register("", "LeakyRelu", 1, buildActivation(ewLeakyRelu))
	ops.Register("", "Sigmoid", 1, buildActivation(ewSigmoid))
	ops.Register("", "HardSigmoid", 1, buildActivation(ewHardSigmoid))
	ops.Register("", "HardSwish", 14, buildActivation(ewHardSwish))
	ops.Register("", "Tanh", 1, buildActivation(ewTanh))
	// PRelu-1/6 applied a 1-D slope per channel (axis 1); from 7 the slope broadcasts numpy-style.
	ops.Register("", "PRelu", 1, buildPRelu)
	ops.Register("", "PRelu", 7, buildPRelu)
	// Clip-1/6 take the bounds as attributes, from 11 as optional inputs.
	ops.Register("", "Clip", 1, buildClip)
	ops.Register("", "Clip", 11, buildClip)
}

// ewActKind names a one-input activation.
type ewActKind int

// One-input activations.
const (
	ewRelu        ewActKind = iota // max(x, 0)
	ewLeakyRelu                    // x < 0 ? alpha*x : x
	ewSigmoid                      // 1 / (1 + exp(-x))
	ewHardSigmoid                  // max(0, min(1, alpha*x + beta))
	ewHardSwish                    // x * max(0, min(1, x/6 + 1/2))
	ewTanh                         // tanh(x)
)

// ewActivation is a built one-input activation.
type ewActivation struct {
	kind        ewActKind
	alpha, beta float32
}

// buildActivation returns the builder of kind's op.
func buildActivation(kind ewActKind) ops.Builder {
	return func(n *onnx.Node, opset int) (ops.Op, error) {
		a := ops.AttrsOf(n)
		u := &ewActivation{kind: kind}
		switch kind {
		case ewLeakyRelu:
			u.alpha = a.Float("alpha", 0.01)
		case ewHardSigmoid:
			u.alpha, u.beta = a.Float("alpha", 0.2), a.Float("beta", 0.5)
		}
		return u, a.Err()
	}
}

// Infer checks X's type; Y has X's type and shape.
func (u *ewActivation) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	t := in[0].Type
	if u.kind == ewRelu {
		if !ops.IsNumeric(t) {
			return nil, fmt.Errorf("input X has type %s, want a numeric type", ops.TypeName(t))
		}
	} else if !ops.IsFloat(t) {
		return nil, fmt.Errorf("input X has type %s, want float32 or float64", ops.TypeName(t))
	}
	return []ops.Value{{Type: t, Shape: in[0].Shape}}, nil
}

// InPlace lets Y overwrite X.
func (u *ewActivation) InPlace(in []ops.Value) int { return 0 }

// Run applies the activation.
func (u *ewActivation) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(u, ctx, in, out)
}

// Bind makes the loop applying the activation once.
func (u *ewActivation) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x, y := in[0], out[0]
	switch {
	case u.kind == ewRelu:
		return ewTable[x.Type].relu(ctx.Par, y, x), nil
	case x.Type == onnx.Float:
		return bindFloatActivation[float32](ctx.Par, u, y, x), nil
	}
	return bindFloatActivation[float64](ctx.Par, u, y, x), nil
}

// bindRelu binds d = max(x, 0) (see bindMap).
func bindRelu[T ops.Numeric](par ops.Parallel, d, x *ops.Tensor) func() error {
	return ops.BindMap(par, ops.Grain, d, x, func(d, x []T) {
		for i, v := range x {
			if v < 0 {
				v = 0
			}
			d[i] = v
		}
	})
}

// bindFloatActivation binds u's function (not Relu) from x into d (see bindMap).
func bindFloatActivation[T fmath.Float](par ops.Parallel, u *ewActivation, d, x *ops.Tensor) func() error {
	grain := ops.Grain
	if u.kind == ewSigmoid || u.kind == ewTanh {
		grain /= 8
	}
	return ops.BindMap(par, grain, d, x, func(d, x []T) {
		switch u.kind {
		case ewLeakyRelu:
			a := T(u.alpha)
			for i, v := range x {
				if v < 0 {
					v *= a
				}
				d[i] = v
			}
		case ewHardSigmoid:
			a, b := T(u.alpha), T(u.beta)
			for i, v := range x {
				d[i] = ewClamp01(a*v + b)
			}
		case ewHardSwish:
			for i, v := range x {
				d[i] = v * ewClamp01(v*(1.0/6)+0.5)
			}
		case ewSigmoid:
			fmath.ByBlock(d, x, fmath.SigmoidBlock)
		case ewTanh:
			fmath.ByBlock(d, x, fmath.TanhBlock)
		}
	})
}

// ewClamp01 limits v to [0, 1], keeping NaN.
func ewClamp01[T fmath.Float](v T) T {
	if v < 0 {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
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

// bindClip binds Clip's kernel for element type T (see bindMap); the
// optional bound tensors lo and hi are read at every call.
func bindClip[T ops.Numeric](par ops.Parallel, c *clipOp, d, x, lo, hi *ops.Tensor) func() error {
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
