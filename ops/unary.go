package ops

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// Activations: Relu, LeakyRelu, PRelu, Clip, Sigmoid, HardSigmoid,
// HardSwish and Tanh. All keep the input's shape and may run in place.
// Relu and Clip compute every numeric type; PRelu every numeric type with a
// slope unidirectionally broadcast to X; the others float32 and float64.
// Sigmoid and Tanh are evaluated without overflow or cancellation for any
// input: float32 uses Cephes-style expf and tanhf (relative error below
// 2.5e-7), float64 the math package.
func init() {
	Register("", "Relu", 1, buildActivation(ewRelu))
	Register("", "LeakyRelu", 1, buildActivation(ewLeakyRelu))
	Register("", "Sigmoid", 1, buildActivation(ewSigmoid))
	Register("", "HardSigmoid", 1, buildActivation(ewHardSigmoid))
	Register("", "HardSwish", 14, buildActivation(ewHardSwish))
	Register("", "Tanh", 1, buildActivation(ewTanh))
	// PRelu-1/6 applied a 1-D slope per channel (axis 1); from 7 the slope broadcasts numpy-style.
	Register("", "PRelu", 1, buildPRelu)
	Register("", "PRelu", 7, buildPRelu)
	// Clip-1/6 take the bounds as attributes, from 11 as optional inputs.
	Register("", "Clip", 1, buildClip)
	Register("", "Clip", 11, buildClip)
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
func buildActivation(kind ewActKind) Builder {
	return func(n *onnx.Node, opset int) (Op, error) {
		a := AttrsOf(n)
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
func (u *ewActivation) Infer(in []Value) ([]Value, error) {
	if err := checkInputs(in, 1, 1); err != nil {
		return nil, err
	}
	t := in[0].Type
	if u.kind == ewRelu {
		if !isEwNumeric(t) {
			return nil, fmt.Errorf("input X has type %s, want a numeric type", TypeName(t))
		}
	} else if !isEwFloat(t) {
		return nil, fmt.Errorf("input X has type %s, want float32 or float64", TypeName(t))
	}
	return []Value{{Type: t, Shape: in[0].Shape}}, nil
}

// InPlace lets Y overwrite X.
func (u *ewActivation) InPlace(in []Value) int { return 0 }

// Run applies the activation.
func (u *ewActivation) Run(ctx *Ctx, in, out []*Tensor) error { return runBound(u, ctx, in, out) }

// Bind makes the loop applying the activation once.
func (u *ewActivation) Bind(ctx *Ctx, in, out []*Tensor) (func() error, error) {
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
func bindRelu[T ewNumeric](par Parallel, d, x *Tensor) func() error {
	return bindMap(par, ewGrain, d, x, func(d, x []T) {
		for i, v := range x {
			if v < 0 {
				v = 0
			}
			d[i] = v
		}
	})
}

// bindFloatActivation binds u's function (not Relu) from x into d (see bindMap).
func bindFloatActivation[T ewFloat](par Parallel, u *ewActivation, d, x *Tensor) func() error {
	grain := ewGrain
	if u.kind == ewSigmoid || u.kind == ewTanh {
		grain /= 8
	}
	return bindMap(par, grain, d, x, func(d, x []T) {
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
			ewByBlock(d, x, sigmoidBlock)
		case ewTanh:
			ewByBlock(d, x, tanhBlock)
		}
	})
}

// ewClamp01 limits v to [0, 1], keeping NaN.
func ewClamp01[T ewFloat](v T) T {
	if v < 0 {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

// ewBlock is the length of the stack buffers of the exp-based kernels.
const ewBlock = 256

// ewByBlock applies fn to d and x in pieces of at most ewBlock elements.
func ewByBlock[T ewFloat](d, x []T, fn func(d, x []T)) {
	for len(x) > 0 {
		n := min(len(x), ewBlock)
		fn(d[:n], x[:n])
		d, x = d[n:], x[n:]
	}
}

// sigmoidBlock computes d = 1/(1+exp(-x)) for up to ewBlock elements as
// 1/(1+e) for x >= 0 and e/(1+e) for x < 0, with e = exp(-|x|) <= 1, so
// nothing overflows and tiny results keep their precision. d may be x.
func sigmoidBlock[T ewFloat](d, x []T) {
	var buf [ewBlock]T
	e := buf[:len(x)]
	for i, v := range x {
		e[i] = -ewAbs(v)
	}
	expSlice(e, e)
	for i, v := range x {
		r := 1 / (1 + e[i])
		if v < 0 {
			r *= e[i]
		}
		d[i] = r
	}
}

// tanhBlock computes d = tanh(x) for up to ewBlock elements. float64 uses
// math.Tanh; float32 follows Cephes' tanhf: an odd polynomial for |x| <=
// 0.625 (no cancellation near 0) and 1 - 2/(exp(2|x|)+1) beyond. d may be x.
func tanhBlock[T ewFloat](d, x []T) {
	if unsafe.Sizeof(x[0]) == 8 {
		for i, v := range x {
			d[i] = T(math.Tanh(float64(v)))
		}
		return
	}
	var buf [ewBlock]T
	e := buf[:len(x)]
	for i, v := range x {
		a := ewAbs(v)
		if a > 10 { // tanh(10) rounds to 1 in float32
			a = 10
		}
		e[i] = 2 * a
	}
	expSlice(e, e)
	for i, v := range x {
		var r T
		if ewAbs(v) > 0.625 {
			r = 1 - 2/(e[i]+1)
			if v < 0 {
				r = -r
			}
		} else {
			s := v * v
			p := T(-5.70498872745e-3)
			p = p*s + 2.06390887954e-2
			p = p*s - 5.37397155531e-2
			p = p*s + 1.33314422036e-1
			p = p*s - 3.33332819422e-1
			r = v + v*s*p
		}
		d[i] = r
	}
}

// ewAbs is |v|, keeping NaN.
func ewAbs[T ewFloat](v T) T {
	if v < 0 {
		return -v
	}
	return v
}

// expSlice sets d[i] = exp(x[i]) in T's precision; d may be x.
func expSlice[T ewFloat](d, x []T) {
	if unsafe.Sizeof(x[0]) == 4 {
		expF32s(unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(d))), len(d)),
			unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(x))), len(x)))
		return
	}
	for i, v := range x {
		d[i] = T(math.Exp(float64(v)))
	}
}

// expF32s sets d[i] = exp(x[i]) after Cephes' expf: x = n*ln2 + r with |r|
// <= ln2/2, a degree-7 polynomial for exp(r), and 2^n put into the exponent
// (within 1 ulp). The rounding to n adds 1.5*2^23, so the loop has no
// data-dependent branch but the range check. Results below the smallest
// normal float32 flush to 0. d may be x.
func expF32s(d, x []float32) {
	const (
		log2e = 1.44269504088896341
		ln2Hi = 0.693359375 // ln2Hi + ln2Lo = ln 2; n*ln2Hi is exact
		ln2Lo = -2.12194440e-4
		hiX   = 88.72283905206835        // ln of the largest float32
		loX   = -87.33654475055310898657 // ln of the smallest normal float32
		magic = 12582912                 // 1.5 * 2^23: adding it rounds to an integer
	)
	x = x[:len(d)]
	for i, v := range x {
		if !(v >= loX && v <= hiX) { // NaN stays NaN
			if v > hiX {
				v = float32(math.Inf(1))
			} else if v < loX {
				v = 0
			}
			d[i] = v
			continue
		}
		t := v*log2e + magic
		fn := t - magic                              // nearest integer to v/ln2, in [-126, 128]
		n := int32(math.Float32bits(t)) - 0x4B400000 // the same as an int32
		r := v - fn*ln2Hi - fn*ln2Lo
		p := float32(1.9875691500e-4)
		p = p*r + 1.3981999507e-3
		p = p*r + 8.3334519073e-3
		p = p*r + 4.1665795894e-2
		p = p*r + 1.6666665459e-1
		p = p*r + 5.0000001201e-1
		y := p*r*r + r + 1
		if n > 127 { // 2^128 is not a float32; scale in two steps
			y *= 2
			n--
		}
		d[i] = y * math.Float32frombits(uint32(n+127)<<23)
	}
}

// preluOp is a built PRelu.
type preluOp struct {
	// perChannel (opset < 7) applies a 1-D slope of X's dimension 1 per channel.
	perChannel bool
}

func buildPRelu(n *onnx.Node, opset int) (Op, error) {
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
func (p *preluOp) Infer(in []Value) ([]Value, error) {
	if err := checkInputs(in, 2, 2); err != nil {
		return nil, err
	}
	x, s := in[0], in[1]
	if !isEwNumeric(x.Type) {
		return nil, fmt.Errorf("input X has type %s, want a numeric type", TypeName(x.Type))
	}
	if s.Type != x.Type {
		return nil, fmt.Errorf("input slope has type %s, want X's type %s", TypeName(s.Type), TypeName(x.Type))
	}
	if b, err := BroadcastShape(x.Shape, p.slopeShape(x.Shape, s.Shape)); err != nil || !SameShape(b, x.Shape) {
		return nil, fmt.Errorf("input slope of shape %v does not broadcast to X's shape %v", s.Shape, x.Shape)
	}
	return []Value{{Type: x.Type, Shape: x.Shape}}, nil
}

// InPlace lets Y overwrite X.
func (p *preluOp) InPlace(in []Value) int { return 0 }

// Run computes Y = X < 0 ? slope*X : X.
func (p *preluOp) Run(ctx *Ctx, in, out []*Tensor) error { return runBound(p, ctx, in, out) }

// Bind plans the slope's broadcast once.
func (p *preluOp) Bind(ctx *Ctx, in, out []*Tensor) (func() error, error) {
	x, s := in[0], in[1]
	f := ewTable[x.Type].binary(ctx.Par, binPRelu, out[0], x, s, x.Shape, p.slopeShape(x.Shape, s.Shape))
	return func() error { f(); return nil }, nil
}

// clipOp is a built Clip.
type clipOp struct {
	attrs    bool    // opset < 11: the bounds are the min and max attributes
	min, max float32 // the attribute bounds, ±Inf when absent
}

func buildClip(n *onnx.Node, opset int) (Op, error) {
	c := &clipOp{attrs: opset < 11, min: float32(math.Inf(-1)), max: float32(math.Inf(1))}
	if !c.attrs {
		return c, nil
	}
	a := AttrsOf(n)
	c.min, c.max = a.Float("min", c.min), a.Float("max", c.max)
	return c, a.Err()
}

// Infer checks the input and the optional scalar bounds.
func (c *clipOp) Infer(in []Value) ([]Value, error) {
	if c.attrs {
		if err := checkInputs(in, 1, 1); err != nil {
			return nil, err
		}
		if !isEwFloat(in[0].Type) {
			return nil, fmt.Errorf("input has type %s, want float32 or float64", TypeName(in[0].Type))
		}
		return []Value{{Type: in[0].Type, Shape: in[0].Shape}}, nil
	}
	if err := checkInputs(in, 1, 3); err != nil {
		return nil, err
	}
	t := in[0].Type
	if !isEwNumeric(t) {
		return nil, fmt.Errorf("input has type %s, want a numeric type", TypeName(t))
	}
	for i, name := range [...]string{1: "min", 2: "max"} {
		if name == "" || !optional(in, i) {
			continue
		}
		if in[i].Type != t {
			return nil, fmt.Errorf("input %q has type %s, want the input's type %s", name, TypeName(in[i].Type), TypeName(t))
		}
		if NumElems(in[i].Shape) != 1 {
			return nil, fmt.Errorf("input %q has shape %v, want a scalar", name, in[i].Shape)
		}
	}
	return []Value{{Type: t, Shape: in[0].Shape}}, nil
}

// InPlace lets the output overwrite the input.
func (c *clipOp) InPlace(in []Value) int { return 0 }

// Run computes min(max(x, min), max): where min > max every element becomes max.
func (c *clipOp) Run(ctx *Ctx, in, out []*Tensor) error { return runBound(c, ctx, in, out) }

// Bind makes the clipping loop once.
func (c *clipOp) Bind(ctx *Ctx, in, out []*Tensor) (func() error, error) {
	return ewTable[in[0].Type].clip(ctx.Par, c, out[0], in[0], ewInput(in, 1), ewInput(in, 2)), nil
}

// bindClip binds Clip's kernel for element type T (see bindMap); the
// optional bound tensors lo and hi are read at every call.
func bindClip[T ewNumeric](par Parallel, c *clipOp, d, x, lo, hi *Tensor) func() error {
	return bindMap(par, ewGrain, d, x, func(d, x []T) {
		l, h := ewLimits[T]()
		if c.attrs {
			l, h = T(c.min), T(c.max)
		}
		if lo != nil {
			l = ewElems[T](lo)[0]
		}
		if hi != nil {
			h = ewElems[T](hi)[0]
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
