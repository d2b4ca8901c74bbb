package elem

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/fmath"
	"github.com/edgeinfer/edgeinfer/ops/internal/vec"
)

// The one-input operators whose Y has X's type and shape, each at every
// version of the spec (later versions only add types), and may run in
// place:
//   - every numeric type: Relu, Abs, Sign, Erf, Shrink (y = x+bias below
//     -lambd, x-bias above lambd, else 0); signed and float: Neg;
//     integers: BitwiseNot; bool: Not;
//   - floats: Exp, Log, Sqrt, Reciprocal, Floor, Ceil, Round (half to
//     even), the trigonometric and hyperbolic functions and their
//     inverses, and the activations LeakyRelu, Sigmoid, HardSigmoid,
//     HardSwish, Tanh, Elu, Selu, Celu, Softplus, Softsign, Gelu
//     (approximate "none" or "tanh"), Mish, ThresholdedRelu and Swish;
//   - the experimental activations of the first opsets, registered at
//     opset 1 as ONNX Runtime does: Affine (alpha*x + beta), ScaledTanh
//     (alpha*tanh(beta*x)), ParametricSoftplus (alpha*ln(1 + exp(beta*x))),
//     both of whose attributes ONNX Runtime requires, Scale (scale*x), and
//     ThresholdedRelu before it became standard at opset 10.
//
// Integers go through float64 for Erf and Shrink. float32 evaluates Exp,
// Log, Sigmoid, Tanh, Erf, Gelu, Softplus, Mish, Swish and the Elu family
// block-wise with package fmath's kernels (within a few ulp, without
// overflow or cancellation), the rarer functions and float64 with the math
// package.
func init() {
	for i := range unarySpecs {
		u := &unarySpecs[i]
		for _, v := range u.versions {
			ops.Register("", u.name, v, buildUnary(u))
		}
	}
}

// unKind names a one-input function.
type unKind int

// One-input functions.
const (
	unRelu unKind = iota
	unLeakyRelu
	unSigmoid
	unHardSigmoid
	unHardSwish
	unTanh
	unAbs
	unNeg
	unExp
	unLog
	unSqrt
	unReciprocal
	unFloor
	unCeil
	unRound
	unSign
	unErf
	unSin
	unCos
	unTan
	unAsin
	unAcos
	unAtan
	unSinh
	unCosh
	unAsinh
	unAcosh
	unAtanh
	unElu
	unSelu
	unCelu
	unSoftplus
	unSoftsign
	unGelu
	unGeluTanh // Gelu with approximate = "tanh"
	unMish
	unThresholdedRelu
	unShrink
	unSwish
	unNot
	unBitwiseNot
	unAffine
	unScaledTanh
	unParametricSoftplus
	unScale
)

// unarySpec describes one operator.
type unarySpec struct {
	name     string
	kind     unKind
	types    typeSet
	versions []int
}

var unarySpecs = []unarySpec{
	{"Relu", unRelu, tNumeric, []int{1, 6, 13, 14}},
	{"LeakyRelu", unLeakyRelu, tFloat, []int{1, 6, 16}},
	{"Sigmoid", unSigmoid, tFloat, []int{1, 6, 13}},
	{"HardSigmoid", unHardSigmoid, tFloat, []int{1, 6, 22}},
	{"HardSwish", unHardSwish, tFloat, []int{14, 22}},
	{"Tanh", unTanh, tFloat, []int{1, 6, 13}},
	{"Abs", unAbs, tNumeric, []int{1, 6, 13}},
	{"Neg", unNeg, tFloat | tSigned, []int{1, 6, 13}},
	{"Exp", unExp, tFloat, []int{1, 6, 13}},
	{"Log", unLog, tFloat, []int{1, 6, 13}},
	{"Sqrt", unSqrt, tFloat, []int{1, 6, 13}},
	{"Reciprocal", unReciprocal, tFloat, []int{1, 6, 13}},
	{"Floor", unFloor, tFloat, []int{1, 6, 13}},
	{"Ceil", unCeil, tFloat, []int{1, 6, 13}},
	{"Round", unRound, tFloat, []int{11, 22}},
	{"Sign", unSign, tNumeric, []int{9, 13}},
	{"Erf", unErf, tNumeric, []int{9, 13}},
	{"Sin", unSin, tFloat, []int{7, 22}},
	{"Cos", unCos, tFloat, []int{7, 22}},
	{"Tan", unTan, tFloat, []int{7, 22}},
	{"Asin", unAsin, tFloat, []int{7, 22}},
	{"Acos", unAcos, tFloat, []int{7, 22}},
	{"Atan", unAtan, tFloat, []int{7, 22}},
	{"Sinh", unSinh, tFloat, []int{9, 22}},
	{"Cosh", unCosh, tFloat, []int{9, 22}},
	{"Asinh", unAsinh, tFloat, []int{9, 22}},
	{"Acosh", unAcosh, tFloat, []int{9, 22}},
	{"Atanh", unAtanh, tFloat, []int{9, 22}},
	{"Elu", unElu, tFloat, []int{1, 6, 22}},
	{"Selu", unSelu, tFloat, []int{1, 6, 22}},
	{"Celu", unCelu, tFloat, []int{12, 28}},
	{"Softplus", unSoftplus, tFloat, []int{1, 22}},
	{"Softsign", unSoftsign, tFloat, []int{1, 22}},
	{"Gelu", unGelu, tFloat, []int{20}},
	{"Mish", unMish, tFloat, []int{18, 22}},
	{"ThresholdedRelu", unThresholdedRelu, tFloat, []int{1, 10, 22}}, // 1: experimental
	{"Shrink", unShrink, tNumeric, []int{9}},
	{"Swish", unSwish, tFloat, []int{24}},
	{"Not", unNot, tBool, []int{1}},
	{"BitwiseNot", unBitwiseNot, tSigned | tUnsigned, []int{18}},
	{"Affine", unAffine, tFloat, []int{1}},
	{"ScaledTanh", unScaledTanh, tFloat, []int{1}},
	{"ParametricSoftplus", unParametricSoftplus, tFloat, []int{1}},
	{"Scale", unScale, tFloat, []int{1}},
}

// unaryOp is a built one-input operator.
type unaryOp struct {
	spec               *unarySpec
	kind               unKind
	alpha, beta, gamma float64 // the attributes the kind uses
}

func buildUnary(spec *unarySpec) ops.Builder {
	return func(n *onnx.Node, opset int) (ops.Op, error) {
		a := ops.AttrsOf(n)
		u := &unaryOp{spec: spec, kind: spec.kind}
		f := func(name string, def float32) float64 { return float64(a.Float(name, def)) }
		switch u.kind {
		case unLeakyRelu:
			u.alpha = f("alpha", 0.01)
		case unHardSigmoid:
			u.alpha, u.beta = f("alpha", 0.2), f("beta", 0.5)
		case unElu, unThresholdedRelu, unSwish:
			u.alpha = f("alpha", 1)
		case unCelu:
			if u.alpha = f("alpha", 1); u.alpha == 0 {
				return nil, fmt.Errorf("attribute \"alpha\" is 0, which Celu divides by")
			}
		case unSelu:
			u.alpha, u.gamma = f("alpha", 1.67326319217681884765625), f("gamma", 1.05070102214813232421875)
		case unShrink:
			u.alpha, u.beta = f("lambd", 0.5), f("bias", 0)
		case unGelu:
			switch ap := a.String("approximate", "none"); ap {
			case "none":
			case "tanh":
				u.kind = unGeluTanh
			default:
				if a.Err() == nil {
					return nil, fmt.Errorf("attribute \"approximate\" is %q, want \"none\" or \"tanh\"", ap)
				}
			}
		case unAffine:
			u.alpha, u.beta = f("alpha", 1), f("beta", 0)
		case unScaledTanh, unParametricSoftplus:
			if !a.Has("alpha") || !a.Has("beta") {
				return nil, fmt.Errorf("attributes \"alpha\" and \"beta\" are required")
			}
			u.alpha, u.beta = f("alpha", 0), f("beta", 0)
		case unScale:
			u.alpha = f("scale", 1)
		}
		return u, a.Err()
	}
}

// Infer checks X's type; Y has X's type and shape.
func (u *unaryOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if err := u.spec.types.check(in[0], "X"); err != nil {
		return nil, err
	}
	return []ops.Value{{Type: in[0].Type, Shape: in[0].Shape}}, nil
}

// InPlace lets Y overwrite X.
func (u *unaryOp) InPlace(in []ops.Value) int { return 0 }

// Run applies the function.
func (u *unaryOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(u, ctx, in, out)
}

// Bind makes the loop applying the function once.
func (u *unaryOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x, y := in[0], out[0]
	if u.kind == unNot || u.kind == unBitwiseNot {
		return intTable[x.Type].not(ctx.Par, y, x, u.kind == unNot), nil
	}
	return ewTable[x.Type].unary(ctx.Par, u, y, x), nil
}

// grain is the chunk of elements worth a goroutine for the kind: ops.Grain
// for the cheap ones, an eighth where exp, log or a math function is
// called per element, and a quarter for float32's exp family, whose SIMD
// loops cost about three additions an element.
func (u *unaryOp) grain(f32 bool) int {
	switch u.kind {
	case unRelu, unLeakyRelu, unHardSigmoid, unHardSwish, unAbs, unNeg, unReciprocal, unFloor, unCeil,
		unRound, unSign, unSoftsign, unThresholdedRelu, unShrink, unAffine, unScale:
		return ops.Grain
	case unExp, unSigmoid, unTanh, unSwish:
		if f32 {
			return ops.Grain / 4
		}
	}
	return ops.Grain / 8
}

// bindUnary binds u from x into d for element type T (see ops.BindMap).
func bindUnary[T ops.Numeric](par ops.Parallel, u *unaryOp, d, x *ops.Tensor) func() error {
	var z T
	_, f32 := any(z).(float32)
	grain := u.grain(f32)
	switch any(z).(type) {
	case float32:
		return ops.BindMap(par, grain, d, x, func(d, x []float32) { floatRunF32(u, d, x) })
	case float64:
		return ops.BindMap(par, grain, d, x, func(d, x []float64) { floatRun(u, d, x) })
	}
	return ops.BindMap(par, grain, d, x, func(d, x []T) { intRun(u, d, x) })
}

// intRun applies u to integers: exactly in T where the result is an
// integer function of x, through float64 otherwise.
func intRun[T ops.Numeric](u *unaryOp, d, x []T) {
	x = x[:len(d)]
	switch u.kind {
	case unRelu:
		for i, v := range x {
			d[i] = max(v, 0)
		}
	case unAbs:
		for i, v := range x {
			if v < 0 {
				v = -v
			}
			d[i] = v
		}
	case unNeg:
		for i, v := range x {
			d[i] = -v
		}
	case unSign:
		for i, v := range x {
			d[i] = ewSign(v)
		}
	default:
		for i, v := range x {
			d[i] = T(u.scalar(float64(v)))
		}
	}
}

// ewSign is -1, 0 or 1 by v's sign (NaN for NaN).
func ewSign[T ops.Numeric](v T) T {
	one := T(1)
	switch {
	case v > 0:
		return one
	case v < 0:
		return -one
	}
	return v
}

// floatRunF32 is floatRun for float32, with package vec's SIMD loops for
// the piecewise-linear activations (whose products it rounds before
// adding, where floatRun's float64 may fuse them).
func floatRunF32(u *unaryOp, d, x []float32) {
	a, b := float32(u.alpha), float32(u.beta)
	switch u.kind {
	case unRelu:
		vec.Relu(d, x)
	case unLeakyRelu:
		vec.LeakyRelu(d, x, a)
	case unHardSigmoid:
		vec.HardSigmoid(d, x, a, b)
	case unHardSwish:
		vec.HardSwish(d, x)
	default:
		floatRun(u, d, x)
	}
}

// floatRun applies u to floats: the cheap functions inline, the
// exp-based ones a block at a time with package fmath, the others through
// u.scalar.
func floatRun[T fmath.Float](u *unaryOp, d, x []T) {
	x = x[:len(d)]
	a, b, g := T(u.alpha), T(u.beta), T(u.gamma)
	switch u.kind {
	case unRelu:
		for i, v := range x {
			if v < 0 {
				v = 0
			}
			d[i] = v
		}
	case unLeakyRelu:
		for i, v := range x {
			if v < 0 {
				v *= a
			}
			d[i] = v
		}
	case unHardSigmoid:
		for i, v := range x {
			d[i] = ewClamp01(a*v + b)
		}
	case unHardSwish:
		for i, v := range x {
			d[i] = v * ewClamp01(v*(1.0/6)+0.5)
		}
	case unAbs:
		for i, v := range x {
			d[i] = fmath.Abs(v)
		}
	case unNeg:
		for i, v := range x {
			d[i] = -v
		}
	case unReciprocal:
		for i, v := range x {
			d[i] = 1 / v
		}
	case unSign:
		for i, v := range x {
			d[i] = ewSign(v)
		}
	case unSoftsign:
		for i, v := range x {
			d[i] = v / (1 + fmath.Abs(v))
		}
	case unThresholdedRelu:
		for i, v := range x {
			if !(v > a) {
				v = 0
			}
			d[i] = v
		}
	case unAffine:
		for i, v := range x {
			d[i] = a*v + b
		}
	case unScale:
		for i, v := range x {
			d[i] = a * v
		}
	case unExp:
		fmath.Exp(d, x)
	case unLog:
		fmath.Log(d, x)
	case unErf:
		fmath.Erf(d, x)
	case unGelu:
		fmath.Gelu(d, x)
	case unSigmoid:
		fmath.ByBlock(d, x, fmath.SigmoidBlock)
	case unTanh:
		fmath.ByBlock(d, x, fmath.TanhBlock)
	case unSoftplus:
		fmath.ByBlock(d, x, fmath.Softplus)
	case unMish:
		fmath.ByBlock(d, x, fmath.Mish)
	case unSwish:
		fmath.Swish(d, x, a)
	case unElu, unSelu, unCelu, unGeluTanh, unScaledTanh, unParametricSoftplus:
		fmath.ByBlock(d, x, func(d, x []T) { scaledBlock(u.kind, a, b, g, d, x) })
	default:
		for i, v := range x {
			d[i] = T(u.scalar(float64(v)))
		}
	}
}

// scaledBlock computes the activations made of an fmath kernel applied to
// a scaled x, for up to fmath.Block elements (d may be x):
//   - Elu: x > 0 ? x : a*expm1(x); Selu: g * (x > 0 ? x : a*expm1(x));
//     Celu: x > 0 ? x : a*expm1(x/a);
//   - Gelu tanh: x * sigmoid(2k(x + 0.044715x^3)) with k = sqrt(2/pi),
//     which is x/2 * (1 + tanh(k(...))) without its cancellation for
//     negative x;
//   - ScaledTanh: a*tanh(b*x); ParametricSoftplus: a*softplus(b*x).
func scaledBlock[T fmath.Float](k unKind, a, b, g T, d, x []T) {
	var buf [fmath.Block]T
	t := buf[:len(x)]
	for i, v := range x {
		switch k {
		case unElu, unSelu:
			v = min(v, 0)
		case unCelu:
			v = min(v, 0) / a
		case unGeluTanh:
			v = 2 * math.Sqrt2 / math.SqrtPi * (v + 0.044715*v*v*v)
		default: // ScaledTanh, ParametricSoftplus
			v *= b
		}
		t[i] = v
	}
	switch k {
	case unElu, unSelu, unCelu:
		fmath.Expm1(t, t)
	case unGeluTanh:
		fmath.SigmoidBlock(t, t)
	case unScaledTanh:
		fmath.TanhBlock(t, t)
	default:
		fmath.Softplus(t, t)
	}
	for i, v := range x {
		switch k {
		case unElu, unCelu:
			if !(v > 0) {
				v = a * t[i]
			}
		case unSelu:
			if !(v > 0) {
				v = a * t[i]
			}
			v *= g
		case unGeluTanh:
			v *= t[i]
		default:
			v = a * t[i]
		}
		d[i] = v
	}
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

// scalar is the function on one float64: the definition of every kind
// but Not and BitwiseNot, and the kernel of the rarer ones.
func (u *unaryOp) scalar(v float64) float64 {
	a, b := u.alpha, u.beta
	switch u.kind {
	case unRelu:
		return max(v, 0)
	case unLeakyRelu:
		if v < 0 {
			return a * v
		}
		return v
	case unSigmoid:
		return sigmoid64(v)
	case unHardSigmoid:
		return max(0, min(1, a*v+b))
	case unHardSwish:
		return v * max(0, min(1, v/6+0.5))
	case unTanh:
		return math.Tanh(v)
	case unAbs:
		return math.Abs(v)
	case unNeg:
		return -v
	case unExp:
		return math.Exp(v)
	case unLog:
		return math.Log(v)
	case unSqrt:
		return math.Sqrt(v)
	case unReciprocal:
		return 1 / v
	case unFloor:
		return math.Floor(v)
	case unCeil:
		return math.Ceil(v)
	case unRound:
		return math.RoundToEven(v)
	case unSign:
		return ewSign(v)
	case unErf:
		return math.Erf(v)
	case unSin:
		return math.Sin(v)
	case unCos:
		return math.Cos(v)
	case unTan:
		return math.Tan(v)
	case unAsin:
		return math.Asin(v)
	case unAcos:
		return math.Acos(v)
	case unAtan:
		return math.Atan(v)
	case unSinh:
		return math.Sinh(v)
	case unCosh:
		return math.Cosh(v)
	case unAsinh:
		return math.Asinh(v)
	case unAcosh:
		return math.Acosh(v)
	case unAtanh:
		return math.Atanh(v)
	case unElu:
		if v > 0 {
			return v
		}
		return a * math.Expm1(v)
	case unSelu:
		if v > 0 {
			return u.gamma * v
		}
		return u.gamma * a * math.Expm1(v)
	case unCelu:
		return max(0, v) + min(0, a*math.Expm1(v/a))
	case unSoftplus:
		return softplus64(v)
	case unSoftsign:
		return v / (1 + math.Abs(v))
	case unGelu:
		return 0.5 * v * math.Erfc(-v/math.Sqrt2)
	case unGeluTanh: // x/2 (1 + tanh(z)) = x sigmoid(2z), which does not cancel
		return v * sigmoid64(2*math.Sqrt(2/math.Pi)*(v+0.044715*v*v*v))
	case unMish:
		return v * math.Tanh(softplus64(v))
	case unThresholdedRelu:
		if v > a {
			return v
		}
		return 0
	case unShrink:
		switch {
		case v < -a:
			return v + b
		case v > a:
			return v - b
		}
		return 0
	case unSwish:
		return v * sigmoid64(a*v)
	case unAffine:
		return a*v + b
	case unScaledTanh:
		return a * math.Tanh(b*v)
	case unParametricSoftplus:
		return a * softplus64(b*v)
	case unScale:
		return a * v
	}
	panic(fmt.Sprintf("elem: unary kind %d has no scalar form", u.kind))
}

// sigmoid64 is 1 / (1 + exp(-v)) without overflow.
func sigmoid64(v float64) float64 {
	if v >= 0 {
		return 1 / (1 + math.Exp(-v))
	}
	e := math.Exp(v)
	return e / (1 + e)
}

// softplus64 is ln(1 + exp(v)) without overflow.
func softplus64(v float64) float64 { return max(v, 0) + math.Log1p(math.Exp(-math.Abs(v))) }

// classifyOp is a built IsNaN or IsInf: float X to bool Y.
type classifyOp struct {
	nan      bool // IsNaN, else IsInf
	pos, neg bool // IsInf: detect_positive, detect_negative
}

func init() {
	for _, v := range []int{9, 13, 20} {
		ops.Register("", "IsNaN", v, func(n *onnx.Node, opset int) (ops.Op, error) { return &classifyOp{nan: true}, nil })
	}
	for _, v := range []int{10, 20} {
		ops.Register("", "IsInf", v, func(n *onnx.Node, opset int) (ops.Op, error) {
			a := ops.AttrsOf(n)
			c := &classifyOp{pos: a.Int("detect_positive", 1) != 0, neg: a.Int("detect_negative", 1) != 0}
			return c, a.Err()
		})
	}
}

// Infer checks X is float; Y is bool of X's shape.
func (c *classifyOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if err := tFloat.check(in[0], "X"); err != nil {
		return nil, err
	}
	return []ops.Value{{Type: onnx.Bool, Shape: in[0].Shape}}, nil
}

// Run classifies the elements.
func (c *classifyOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(c, ctx, in, out)
}

// Bind makes the loop once.
func (c *classifyOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	if in[0].Type == onnx.Float {
		return ops.BindMap(ctx.Par, ops.Grain, out[0], in[0], func(d []uint8, x []float32) { classifyRun(c, d, x) }), nil
	}
	return ops.BindMap(ctx.Par, ops.Grain, out[0], in[0], func(d []uint8, x []float64) { classifyRun(c, d, x) }), nil
}

// classifyRun sets d[i] to whether x[i] is NaN, or an infinity c detects.
func classifyRun[T fmath.Float](c *classifyOp, d []uint8, x []T) {
	inf := T(math.Inf(1))
	x = x[:len(d)]
	for i, v := range x {
		var r bool
		switch {
		case c.nan:
			r = v != v
		case v == inf:
			r = c.pos
		case v == -inf:
			r = c.neg
		}
		d[i] = 0
		if r {
			d[i] = 1
		}
	}
}
