package random

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// The random generators. ONNX leaves their values to the implementation
// (its node tests hold numpy's draws, which no other generator
// reproduces); edgeinfer draws from ops.RandomStreams: PCG streams
// (math/rand/v2) seeded with the IEEE bits of the seed attribute (a float,
// converted to float64) and the index of each block of 4096 elements. A
// seeded node so outputs the same tensor at every run and on any thread
// count; without a seed every run draws a fresh one.
//
//   - RandomNormal and RandomUniform output the shape attribute's shape;
//     RandomNormalLike and RandomUniformLike their input's shape. Normal
//     values are mean + scale*N(0, 1) (Go's ziggurat NormFloat64); uniform
//     ones low + (high-low)*U[0, 1), never high. dtype (default float32,
//     or the input's type for the *Like ops) is float32 or float64; float16
//     and bfloat16 are computed as float32 rounded to their precision.
//   - Bernoulli outputs 1 with probability p, its input (in [0, 1], else an
//     error), and 0 otherwise, as dtype (default: the input's type), any
//     numeric type or bool.
//   - Multinomial draws sample_size classes per row of its input [batch,
//     classes] of unnormalized log-probabilities (softmax of the row), as
//     int32 (the default dtype) or int64.
func init() {
	for _, v := range []int{1, 22} {
		ops.Register("", "RandomNormal", v, build(normal, false))
		ops.Register("", "RandomUniform", v, build(uniform, false))
		ops.Register("", "RandomNormalLike", v, build(normal, true))
		ops.Register("", "RandomUniformLike", v, build(uniform, true))
	}
	for _, v := range []int{15, 22} {
		ops.Register("", "Bernoulli", v, build(bernoulli, true))
	}
	for _, v := range []int{7, 22} {
		ops.Register("", "Multinomial", v, build(multinomial, true))
	}
}

// kind is a distribution.
type kind int

const (
	normal kind = iota
	uniform
	bernoulli
	multinomial
)

// randomOp is a built random generator.
type randomOp struct {
	kind    kind
	like    bool      // the input gives the shape (and the default dtype), or the probabilities
	shape   []int     // RandomNormal and RandomUniform's shape attribute
	dtype   ops.DType // the requested type; Undefined: the input's
	a, b    float64   // mean and scale, or low and high
	seed    uint64
	hasSeed bool
	samples int // Multinomial's sample_size
}

// build returns the builder of a generator of kind k.
func build(k kind, like bool) ops.Builder {
	return func(n *onnx.Node, _ int) (ops.Op, error) {
		a := ops.AttrsOf(n)
		op := &randomOp{kind: k, like: like, hasSeed: a.Has("seed")}
		op.seed = math.Float64bits(float64(a.Float("seed", 0)))
		switch k {
		case normal:
			op.a, op.b = float64(a.Float("mean", 0)), float64(a.Float("scale", 1))
		case uniform:
			op.a, op.b = float64(a.Float("low", 0)), float64(a.Float("high", 1))
			if !(op.a <= op.b) || math.IsInf(op.a, 0) || math.IsInf(op.b, 0) {
				return nil, fmt.Errorf("attributes \"low\" %g and \"high\" %g: want finite bounds, low at most high", op.a, op.b)
			}
		case multinomial:
			s := a.Int("sample_size", 1)
			if s < 1 || s > ops.MaxDim {
				return nil, fmt.Errorf("attribute \"sample_size\" is %d, want a positive count", s)
			}
			op.samples = int(s)
		}
		if !like {
			if !a.Has("shape") {
				return nil, fmt.Errorf("attribute \"shape\" is required")
			}
			for i, d := range a.Ints("shape") {
				if d < 0 {
					return nil, fmt.Errorf("attribute \"shape\" has the negative entry %d", d)
				}
				v, err := ops.ToDim(d, fmt.Sprintf("attribute \"shape\" entry %d", i))
				if err != nil {
					return nil, err
				}
				op.shape = append(op.shape, v)
			}
		}
		switch {
		case a.Has("dtype"):
			op.dtype = onnx.DataType(a.Int("dtype", 0))
			if err := op.checkType(op.dtype, "attribute \"dtype\""); err != nil {
				return nil, err
			}
		case k == multinomial:
			op.dtype = onnx.Int32
		case !like:
			op.dtype = onnx.Float
		}
		return op, a.Err()
	}
}

// checkType checks an output type for the distribution; what names where
// it comes from.
func (op *randomOp) checkType(t ops.DType, what string) error {
	switch op.kind {
	case bernoulli:
		if ops.Supported(t) {
			return nil
		}
	case multinomial:
		if t == onnx.Int32 || t == onnx.Int64 {
			return nil
		}
		return fmt.Errorf("%s is %s, want int32 or int64", what, ops.TypeName(t))
	default:
		switch t {
		case onnx.Float, onnx.Double, onnx.Float16, onnx.BFloat16:
			return nil
		}
		if ops.Supported(t) {
			return fmt.Errorf("%s is %s, want a floating-point type", what, ops.TypeName(t))
		}
	}
	return fmt.Errorf("%s is %s: %w", what, ops.TypeName(t), ops.ErrUnsupported)
}

// outType is the computed type of the output: float32 for float16 and bfloat16.
func outType(t ops.DType) ops.DType {
	if t == onnx.Float16 || t == onnx.BFloat16 {
		return onnx.Float
	}
	return t
}

// Infer gives the output's type and shape.
func (op *randomOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if !op.like {
		if err := ops.CheckInputs(in, 0, 0); err != nil {
			return nil, err
		}
		return []ops.Value{{Type: outType(op.dtype), Shape: op.shape}}, nil
	}
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if err := ops.CheckElemType(x, "input"); err != nil {
		return nil, err
	}
	t := op.dtype
	switch op.kind {
	case bernoulli, multinomial:
		if !ops.IsFloat(x.Type) {
			return nil, fmt.Errorf("input \"input\" has type %s, want float32 or float64 probabilities", ops.TypeName(x.Type))
		}
	}
	if t == onnx.Undefined {
		t = x.Type
		if err := op.checkType(t, "the input's type (no dtype given)"); err != nil {
			return nil, err
		}
	}
	shape := x.Shape
	if op.kind == multinomial {
		if len(x.Shape) != 2 {
			return nil, fmt.Errorf("input \"input\" has shape %v, want [batch, classes]", x.Shape)
		}
		shape = []int{x.Shape[0], op.samples}
	}
	return []ops.Value{{Type: outType(t), Shape: shape}}, nil
}

// Run draws the output.
func (op *randomOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	y := out[0]
	seed := ops.RunSeed(op.seed, op.hasSeed)
	switch op.kind {
	case bernoulli:
		if in[0].Type == onnx.Double {
			return drawBernoulli(ctx.Par, y, ops.Elems[float64](in[0]), seed)
		}
		return drawBernoulli(ctx.Par, y, ops.Elems[float32](in[0]), seed)
	case multinomial:
		if in[0].Type == onnx.Double {
			return drawMultinomial(ctx.Par, y, ops.Elems[float64](in[0]), in[0].Shape[1], seed)
		}
		return drawMultinomial(ctx.Par, y, ops.Elems[float32](in[0]), in[0].Shape[1], seed)
	}
	t := op.dtype
	if t == onnx.Undefined {
		t = in[0].Type
	}
	draw := func(r *rand.Rand) float64 { return op.a + op.b*r.NormFloat64() }
	if op.kind == uniform {
		draw = func(r *rand.Rand) float64 { return op.a + (op.b-op.a)*r.Float64() }
	}
	if y.Type == onnx.Double {
		identity := func(v float64) float64 { return v }
		fill(ctx.Par, ops.Elems[float64](y), seed, draw, identity, math.Nextafter(op.b, math.Inf(-1)), op)
		return nil
	}
	narrow := func(v float64) float32 { return float32(v) }
	below := math.Nextafter32(float32(op.b), float32(math.Inf(-1)))
	switch t {
	case onnx.Float16:
		narrow = func(v float64) float32 { return onnx.F16ToF32(onnx.F32ToF16(float32(v))) }
		below = onnx.F16ToF32(halfBelow(onnx.F32ToF16(float32(op.b))))
	case onnx.BFloat16:
		narrow = func(v float64) float32 { return onnx.BF16ToF32(onnx.F32ToBF16(float32(v))) }
		below = onnx.BF16ToF32(halfBelow(onnx.F32ToBF16(float32(op.b))))
	}
	fill(ctx.Par, ops.Elems[float32](y), seed, draw, narrow, below, op)
	return nil
}

// halfBelow is the float16 or bfloat16 (same layout of sign, exponent and
// mantissa) next below the one of bits h.
func halfBelow(h uint16) uint16 {
	switch {
	case h&0x7fff == 0: // ±0: the smallest negative value
		return 0x8001
	case h&0x8000 == 0: // positive: one step toward zero
		return h - 1
	}
	return h + 1 // negative: one step away from zero
}

// fill sets every element of y to a draw converted by narrow. Rounding may
// carry a uniform draw up to high: such a draw becomes below, the type's
// largest value under high, so that values stay below high (unless low and
// high round to one value).
func fill[T ops.Float](par ops.Parallel, y []T, seed uint64, draw func(*rand.Rand) float64, narrow func(float64) T, below T, op *randomOp) {
	high := narrow(op.b)
	capped := op.kind == uniform && narrow(op.a) < high
	ops.RandomStreams(par, len(y), seed, func(r *rand.Rand, lo, hi int) {
		for i := lo; i < hi; i++ {
			v := narrow(draw(r))
			if capped && v >= high {
				v = below
			}
			y[i] = v
		}
	})
}

// drawBernoulli sets y[i] to 1 with probability p[i], else 0, after
// checking every probability.
func drawBernoulli[P ops.Float](par ops.Parallel, y *ops.Tensor, p []P, seed uint64) error {
	for i, v := range p {
		if !(v >= 0 && v <= 1) {
			return fmt.Errorf("input \"input\": element %d is %g, want a probability in [0, 1]", i, float64(v))
		}
	}
	es := ops.ElemSize(y.Type)
	one := make([]byte, es) // the element 1 of y's type
	switch y.Type {
	case onnx.Float:
		ops.View[float32](one)[0] = 1
	case onnx.Double:
		ops.View[float64](one)[0] = 1
	default: // integers and bool: 1 in the low byte
		one[0] = 1
	}
	ops.RandomStreams(par, len(p), seed, func(r *rand.Rand, lo, hi int) {
		for i := lo; i < hi; i++ {
			e := y.Data[i*es : (i+1)*es]
			if r.Float64() < float64(p[i]) {
				copy(e, one)
			} else {
				clear(e)
			}
		}
	})
	return nil
}

// drawMultinomial draws y's [batch, samples] class indices from the rows
// of logp, [batch, classes] unnormalized log-probabilities: each row's
// cumulative softmax is searched for uniform draws.
func drawMultinomial[P ops.Float](par ops.Parallel, y *ops.Tensor, logp []P, classes int, seed uint64) error {
	batch, samples := y.Shape[0], y.Shape[1]
	for b := range batch {
		row := logp[b*classes : (b+1)*classes]
		top := math.Inf(-1)
		for _, v := range row {
			if v != v || math.IsInf(float64(v), 1) {
				return fmt.Errorf("input \"input\": row %d holds %g, want finite log-probabilities or -Inf", b, float64(v))
			}
			top = max(top, float64(v))
		}
		if math.IsInf(top, -1) {
			return fmt.Errorf("input \"input\": row %d has no outcome of non-zero probability", b)
		}
	}
	ops.RandomStreams(par, batch, seed, func(r *rand.Rand, lo, hi int) {
		cum := make([]float64, classes)
		for b := lo; b < hi; b++ {
			row := logp[b*classes : (b+1)*classes]
			top := math.Inf(-1)
			for _, v := range row {
				top = max(top, float64(v))
			}
			sum, last := 0.0, 0 // last: the last class of non-zero weight
			for c, v := range row {
				w := math.Exp(float64(v) - top)
				if w > 0 {
					last = c
				}
				sum += w
				cum[c] = sum
			}
			for s := range samples {
				u := r.Float64() * sum
				// The first class whose cumulative weight exceeds u, which
				// is never one of zero weight (its cumulative weight equals
				// its predecessor's); last if rounding put u at the sum.
				c := min(sort.SearchFloat64s(cum, math.Nextafter(u, math.Inf(1))), last)
				if y.Type == onnx.Int64 {
					y.I64()[b*samples+s] = int64(c)
				} else {
					y.I32()[b*samples+s] = int32(c)
				}
			}
		}
	})
	return nil
}
