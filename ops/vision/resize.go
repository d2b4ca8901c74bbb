package vision

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Resize and Upsample compute every output element from the input near
// the position its coordinates map back to, axis by axis:
//
//   - mode "nearest" copies the nearest input (nearest_mode says how a
//     position rounds: round_prefer_floor, round_prefer_ceil, floor or
//     ceil), for every element type; "linear" and "cubic" (cubic_coeff_a,
//     Keys' kernel) weigh 2 or 4 neighbours per axis, over any number of
//     axes, computing floating-point inputs in their own type and integer
//     inputs in float64, rounded half to even and saturated (ONNX Runtime
//     truncates); inputs beyond the edges repeat the edge, unless
//     exclude_outside drops them and renormalizes the weights.
//   - coordinate_transformation_mode maps output position x to input
//     position half_pixel (x+0.5)/scale-0.5, half_pixel_symmetric (the
//     same, centred when the output length was rounded), pytorch_half_pixel
//     (0 for a length-1 output), align_corners, asymmetric x/scale,
//     tf_half_pixel_for_nn (opset 11) (x+0.5)/scale, or tf_crop_and_resize
//     (the roi input's window; an output whose position falls outside the
//     input on any axis takes extrapolation_value). As in the ONNX
//     reference, the output length these use is input*scale, unrounded.
//   - The output length is floor(input*scale), in float32 as ONNX Runtime
//     computes it, from the scales input, or the sizes input
//     (keep_aspect_ratio_policy stretch, not_larger or not_smaller); both
//     are constant shape inputs, and an empty one counts as omitted. From
//     opset 18, axes names the axes they cover and antialias widens the
//     linear and cubic kernels by 1/scale when downscaling.
//   - Resize-10 and Upsample map coordinates asymmetrically and, in nearest
//     mode, take the floor when upscaling and the ceiling when downscaling,
//     as ONNX Runtime does; Upsample's scales must be at least 1.
//     Upsample-1 scales the last two axes of a 4-D input by height_scale
//     and width_scale (mode nearest or bilinear), Upsample-7 takes its
//     scales as an attribute, 9 and 10 as an input.
func init() {
	for _, v := range []int{10, 11, 13, 18, 19} {
		ops.Register("", "Resize", v, buildResize)
	}
	for _, v := range []int{1, 7, 9, 10} {
		ops.Register("", "Upsample", v, buildUpsample)
	}
}

// interp is how an output value is made from the inputs near its position.
type interp int

const (
	interpNearest interp = iota
	interpLinear
	interpCubic
)

// coordMode is a coordinate_transformation_mode.
type coordMode int

const (
	coordHalfPixel coordMode = iota
	coordHalfPixelSymmetric
	coordPytorchHalfPixel
	coordAlignCorners
	coordAsymmetric
	coordTFHalfPixelForNN
	coordTFCropAndResize
)

// nearestRound is a nearest_mode, or Upsample's rule.
type nearestRound int

const (
	roundPreferFloor nearestRound = iota
	roundPreferCeil
	roundFloor
	roundCeil
	roundUpsample // floor when the axis is upscaled, ceiling when downscaled
)

// aspectPolicy is a keep_aspect_ratio_policy.
type aspectPolicy int

const (
	policyStretch aspectPolicy = iota
	policyNotLarger
	policyNotSmaller
)

// resizeOp is a built Resize or Upsample.
type resizeOp struct {
	mode      interp
	coord     coordMode
	round     nearestRound
	cubicA    float64
	exclude   bool    // exclude_outside
	extrap    float64 // extrapolation_value
	antialias bool
	axes      []int64 // the axes scales, sizes and roi cover; nil: all
	policy    aspectPolicy

	roiIn, scalesIn, sizesIn int       // input indices, -1 when the version has none
	minIn, maxIn             int       // input counts
	attrScales               []float32 // Upsample-1 and -7: scales from attributes
	upsample                 bool      // Upsample: scales must be at least 1
}

func buildResize(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &resizeOp{cubicA: -0.75, roiIn: -1, scalesIn: -1, sizesIn: -1}
	modes := map[string]interp{"nearest": interpNearest, "linear": interpLinear}
	var err error
	if opset < 11 {
		if op.mode, err = choice(a, "mode", "nearest", modes); err != nil {
			return nil, err
		}
		op.coord, op.round = coordAsymmetric, roundUpsample
		op.scalesIn, op.minIn, op.maxIn = 1, 2, 2
		return op, a.Err()
	}
	modes["cubic"] = interpCubic
	if op.mode, err = choice(a, "mode", "nearest", modes); err != nil {
		return nil, err
	}
	coords := map[string]coordMode{
		"half_pixel":         coordHalfPixel,
		"pytorch_half_pixel": coordPytorchHalfPixel,
		"align_corners":      coordAlignCorners,
		"asymmetric":         coordAsymmetric,
		"tf_crop_and_resize": coordTFCropAndResize,
	}
	if opset < 13 {
		coords["tf_half_pixel_for_nn"] = coordTFHalfPixelForNN
	}
	if opset >= 19 {
		coords["half_pixel_symmetric"] = coordHalfPixelSymmetric
	}
	if op.coord, err = choice(a, "coordinate_transformation_mode", "half_pixel", coords); err != nil {
		return nil, err
	}
	rounds := map[string]nearestRound{
		"round_prefer_floor": roundPreferFloor,
		"round_prefer_ceil":  roundPreferCeil,
		"floor":              roundFloor,
		"ceil":               roundCeil,
	}
	if op.round, err = choice(a, "nearest_mode", "round_prefer_floor", rounds); err != nil {
		return nil, err
	}
	op.cubicA = float64(a.Float("cubic_coeff_a", -0.75))
	op.extrap = float64(a.Float("extrapolation_value", 0))
	if op.exclude, err = flag(a, "exclude_outside", false); err != nil {
		return nil, err
	}
	op.roiIn, op.scalesIn, op.sizesIn = 1, 2, 3
	op.minIn, op.maxIn = 3, 4 // roi and scales are required before opset 13
	if opset >= 13 {
		op.minIn = 1
	}
	if opset >= 18 {
		if op.antialias, err = flag(a, "antialias", false); err != nil {
			return nil, err
		}
		op.axes = a.Ints("axes")
		policies := map[string]aspectPolicy{"stretch": policyStretch, "not_larger": policyNotLarger, "not_smaller": policyNotSmaller}
		if op.policy, err = choice(a, "keep_aspect_ratio_policy", "stretch", policies); err != nil {
			return nil, err
		}
	}
	return op, a.Err()
}

func buildUpsample(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &resizeOp{coord: coordAsymmetric, round: roundUpsample, upsample: true, roiIn: -1, scalesIn: -1, sizesIn: -1}
	var err error
	switch {
	case opset < 7:
		if op.mode, err = choice(a, "mode", "nearest", map[string]interp{"nearest": interpNearest, "bilinear": interpLinear}); err != nil {
			return nil, err
		}
		if !a.Has("height_scale") || !a.Has("width_scale") {
			return nil, fmt.Errorf("attributes \"height_scale\" and \"width_scale\" are required")
		}
		op.attrScales = []float32{1, 1, a.Float("height_scale", 1), a.Float("width_scale", 1)}
		op.minIn, op.maxIn = 1, 1
	default:
		if op.mode, err = choice(a, "mode", "nearest", map[string]interp{"nearest": interpNearest, "linear": interpLinear}); err != nil {
			return nil, err
		}
		op.minIn, op.maxIn = 2, 2
		op.scalesIn = 1
		if opset < 9 {
			op.attrScales = a.Floats("scales")
			if op.attrScales == nil && a.Err() == nil {
				return nil, fmt.Errorf("attribute \"scales\" is required")
			}
			op.minIn, op.maxIn, op.scalesIn = 1, 1, -1
		}
	}
	return op, a.Err()
}

// resizeSpec is a Resize resolved for its input shape and the values of
// its scales or sizes.
type resizeSpec struct {
	in, out []int
	scale   []float64 // per axis, the scale the coordinate transform divides by
	axes    []int     // the axes scales, sizes and roi cover
}

// Infer checks the inputs and gives Y's shape, which needs the values of
// scales or sizes.
func (op *resizeOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, op.minIn, op.maxIn); err != nil {
		return nil, err
	}
	x := in[0]
	if err := ops.CheckElemType(x, "X"); err != nil {
		return nil, err
	}
	if op.mode != interpNearest && x.Type == onnx.Bool {
		return nil, fmt.Errorf("input \"X\" is bool, which only mode \"nearest\" resizes")
	}
	if op.roiIn >= 0 && ops.HasInput(in, op.roiIn) && ops.NumElems(in[op.roiIn].Shape) > 0 {
		if err := checkFloatInput(in[op.roiIn], "roi"); err != nil {
			return nil, err
		}
	}
	s, err := op.spec(in)
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: x.Type, Shape: s.out}}, nil
}

// spec resolves the output shape and the per-axis scales.
func (op *resizeOp) spec(in []ops.Value) (*resizeSpec, error) {
	x := in[0]
	rank := len(x.Shape)
	scales, err := op.scalesOf(in)
	if err != nil {
		return nil, err
	}
	sizes, err := op.sizesOf(in)
	if err != nil {
		return nil, err
	}
	switch {
	case scales != nil && sizes != nil:
		return nil, fmt.Errorf("inputs \"scales\" and \"sizes\" are both given; only one may be")
	case scales == nil && sizes == nil:
		return nil, fmt.Errorf("one of inputs \"scales\" and \"sizes\" must be given, with values")
	}
	s := &resizeSpec{in: x.Shape, out: append([]int(nil), x.Shape...), scale: make([]float64, rank)}
	for i := range s.scale {
		s.scale[i] = 1
	}
	if op.axes != nil {
		if s.axes, err = ops.AxesIn(op.axes, rank, true); err != nil {
			return nil, fmt.Errorf("attribute \"axes\": %w", err)
		}
	} else {
		s.axes = make([]int, rank)
		for i := range s.axes {
			s.axes[i] = i
		}
	}
	if scales != nil {
		if len(scales) != len(s.axes) {
			return nil, fmt.Errorf("scales has %d values for %d axes", len(scales), len(s.axes))
		}
		for i, ax := range s.axes {
			v := scales[i]
			if !(v > 0) || math.IsInf(float64(v), 1) {
				return nil, fmt.Errorf("scales[%d] is %v, want a positive number", i, v)
			}
			if op.upsample && v < 1 {
				return nil, fmt.Errorf("scales[%d] is %v, want at least 1", i, v)
			}
			// In float32, as ONNX shape inference and ONNX Runtime compute it.
			o := math.Floor(float64(float32(x.Shape[ax]) * v))
			if o > ops.MaxDim {
				return nil, fmt.Errorf("scales[%d] = %v makes axis %d of length %v, out of range", i, v, ax, o)
			}
			s.out[ax], s.scale[ax] = int(o), float64(v)
		}
		return s, nil
	}
	if len(sizes) != len(s.axes) {
		return nil, fmt.Errorf("sizes has %d values for %d axes", len(sizes), len(s.axes))
	}
	want := make([]int, len(sizes))
	for i, v := range sizes {
		if v < 0 {
			return nil, fmt.Errorf("sizes[%d] is %d, want at least 0", i, v)
		}
		if want[i], err = ops.ToDim(v, fmt.Sprintf("sizes[%d]", i)); err != nil {
			return nil, err
		}
	}
	if op.policy == policyStretch {
		for i, ax := range s.axes {
			s.out[ax] = want[i]
			if x.Shape[ax] > 0 {
				s.scale[ax] = float64(want[i]) / float64(x.Shape[ax])
			}
		}
	} else {
		common := math.NaN()
		for i, ax := range s.axes {
			if x.Shape[ax] == 0 {
				return nil, fmt.Errorf("axis %d of X is empty: keep_aspect_ratio_policy cannot scale it", ax)
			}
			r := float64(want[i]) / float64(x.Shape[ax])
			if common != common || (op.policy == policyNotLarger) == (r < common) {
				common = r
			}
		}
		for _, ax := range s.axes {
			s.out[ax] = int(math.Floor(common*float64(x.Shape[ax]) + 0.5))
			s.scale[ax] = common
		}
	}
	for _, ax := range s.axes {
		if x.Shape[ax] == 0 && s.out[ax] > 0 {
			return nil, fmt.Errorf("axis %d of X is empty and cannot be resized to %d", ax, s.out[ax])
		}
	}
	return s, nil
}

// scalesOf reads the scales (nil when absent or empty).
func (op *resizeOp) scalesOf(in []ops.Value) ([]float32, error) {
	if op.attrScales != nil {
		return op.attrScales, nil
	}
	if op.scalesIn < 0 || !ops.HasInput(in, op.scalesIn) {
		return nil, nil
	}
	v := in[op.scalesIn]
	if v.Type != onnx.Float {
		return nil, fmt.Errorf("input \"scales\" has type %s, want float32", ops.TypeName(v.Type))
	}
	if len(v.Shape) != 1 {
		return nil, fmt.Errorf("input \"scales\" has shape %v, want 1-D", v.Shape)
	}
	if v.Shape[0] == 0 { // an empty tensor stands for an omitted input
		return nil, nil
	}
	if v.Const == nil {
		return nil, fmt.Errorf("input \"scales\": %w", ops.ErrNotConstant)
	}
	return v.Const.F32()[:v.Shape[0]], nil
}

// sizesOf reads the sizes (nil when absent or empty).
func (op *resizeOp) sizesOf(in []ops.Value) ([]int64, error) {
	if op.sizesIn < 0 || !ops.HasInput(in, op.sizesIn) {
		return nil, nil
	}
	v := in[op.sizesIn]
	if v.Type != onnx.Int64 {
		return nil, fmt.Errorf("input \"sizes\" has type %s, want int64", ops.TypeName(v.Type))
	}
	if len(v.Shape) != 1 {
		return nil, fmt.Errorf("input \"sizes\" has shape %v, want 1-D", v.Shape)
	}
	if v.Shape[0] == 0 {
		return nil, nil
	}
	return ops.ConstInts(v, "sizes")
}

// cropWindow is an axis's tf_crop_and_resize window in input positions:
// the first output maps to base, each next one span/(length-1) further.
type cropWindow struct{ span, base float64 }

// crops is every axis's cropWindow, from the roi input (starts, then
// ends, normalized) or [0, 1] where it is absent or empty. For a float32
// roi the span and base are rounded to float32, as both ONNX Runtime and
// the ONNX reference compute them (which decides ties in nearest mode).
func (op *resizeOp) crops(in []*ops.Tensor, s *resizeSpec) ([]cropWindow, error) {
	rank := len(s.in)
	start, end := make([]float64, rank), make([]float64, rank)
	for i := range end {
		end[i] = 1
	}
	var t *ops.Tensor
	if op.coord == coordTFCropAndResize && op.roiIn >= 0 {
		t = ops.InputAt(in, op.roiIn)
	}
	if t != nil && t.Len() > 0 {
		v := floatsOf(t)
		if len(v) != 2*len(s.axes) {
			return nil, fmt.Errorf("roi has %d values, want %d (a start and an end for %d axes)", len(v), 2*len(s.axes), len(s.axes))
		}
		for i, ax := range s.axes {
			start[ax], end[ax] = v[i], v[len(s.axes)+i]
		}
	}
	w := make([]cropWindow, rank)
	for d := range w {
		last := float64(s.in[d] - 1)
		w[d] = cropWindow{span: (end[d] - start[d]) * last, base: start[d] * last}
		if t != nil && t.Type == onnx.Float {
			last32 := float32(s.in[d] - 1)
			w[d].span = float64((float32(end[d]) - float32(start[d])) * last32)
			w[d].base = float64(float32(start[d]) * last32)
		}
	}
	return w, nil
}

// Run computes Y.
func (op *resizeOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind returns a step that plans the resize at its first call, when the
// values of roi, scales and sizes are known, and again only when they
// change; every other call runs the plan without allocating.
func (op *resizeOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	var st *resizeState
	return func() error {
		if st == nil || !st.key.current(in) {
			s, err := op.newState(ctx.Par, in, out[0])
			if err != nil {
				return err
			}
			st = s
		}
		return st.run(ctx.Par, in[0], out[0])
	}, nil
}

// resizeState is a planned Resize with the input values it was planned for.
type resizeState struct {
	key  inputKey // roi, scales and sizes
	exec resizeExec
	fix  extrapFix
}

// run resizes x into y.
func (st *resizeState) run(par ops.Parallel, x, y *ops.Tensor) error {
	st.exec.run(par, x, y)
	st.fix.apply(y)
	return nil
}

// newState plans the resize of in[0] into y for the current values of
// roi, scales and sizes, its parallel loops bound (allocation-free).
func (op *resizeOp) newState(par ops.Parallel, in []*ops.Tensor, y *ops.Tensor) (*resizeState, error) {
	s, err := op.spec(ops.ConstValues(in))
	if err != nil {
		return nil, err
	}
	if !ops.SameShape(s.out, y.Shape) {
		return nil, fmt.Errorf("output has shape %v, the inputs give %v", y.Shape, s.out)
	}
	crops, err := op.crops(in, s)
	if err != nil {
		return nil, err
	}
	st := &resizeState{key: keyOf(in, op.roiIn, op.scalesIn, op.sizesIn)}
	rank := len(s.in)
	plans := make([]axisPlan, rank)
	for d := range plans {
		plans[d] = op.planAxis(s.in[d], s.out[d], s.scale[d], crops[d])
	}
	st.exec = newResizeExec(op.mode, plans, s, y.Type, par.Threads())
	st.fix = newExtrapFix(plans, s.out, elemBytes(y.Type, op.extrap))
	return st, nil
}

// source maps position o of an output axis of length m to its position in
// the input axis of length n. Like the ONNX reference, the modes that use
// the output's length take it unrounded, n*scale.
func (op *resizeOp) source(o, n, m int, scale float64, crop cropWindow) float64 {
	x := float64(o)
	length := scale * float64(n)
	switch op.coord {
	case coordHalfPixel:
		return (x+0.5)/scale - 0.5
	case coordHalfPixelSymmetric:
		adjust := float64(m) / length
		return float64(n)/2*(1-adjust) + (x+0.5)/scale - 0.5
	case coordPytorchHalfPixel:
		if length <= 1 {
			return 0
		}
		return (x+0.5)/scale - 0.5
	case coordAlignCorners:
		if length <= 1 {
			return 0
		}
		return x * float64(n-1) / (length - 1)
	case coordAsymmetric:
		return x / scale
	case coordTFHalfPixelForNN:
		return (x + 0.5) / scale
	}
	if length <= 1 {
		return crop.span/2 + crop.base
	}
	return x*crop.span/(length-1) + crop.base
}

// outside reports whether input position x of an axis of length n takes
// the extrapolation value (tf_crop_and_resize only).
func (op *resizeOp) outside(x float64, n int) bool {
	return op.coord == coordTFCropAndResize && !(x >= 0 && x <= float64(n-1))
}

// nearest rounds input position x to an input index (not yet clamped).
func (op *resizeOp) nearest(x, scale float64) float64 {
	f := math.Floor(x)
	switch op.round {
	case roundPreferFloor:
		if x-f <= 0.5 {
			return f
		}
		return f + 1
	case roundPreferCeil:
		if x-f < 0.5 {
			return f
		}
		return f + 1
	case roundFloor:
		return f
	case roundCeil:
		return math.Ceil(x)
	}
	if scale < 1 {
		return math.Ceil(x)
	}
	return f
}

// weight is the linear or cubic kernel at distance t.
func (op *resizeOp) weight(t float64) float64 {
	if op.mode == interpLinear {
		return linearWeight(t)
	}
	return cubicWeight(op.cubicA, t)
}

// linearWeight is the linear (tent) kernel at distance t.
func linearWeight(t float64) float64 { return max(0, 1-math.Abs(t)) }

// cubicWeight is Keys' cubic convolution kernel with coefficient a at
// distance t.
func cubicWeight(a, t float64) float64 {
	t = math.Abs(t)
	switch {
	case t <= 1:
		return ((a+2)*t-(a+3))*t*t + 1
	case t < 2:
		return ((a*t-5*a)*t+8*a)*t - 4*a
	}
	return 0
}

// planAxis plans one axis of n inputs and m outputs.
func (op *resizeOp) planAxis(n, m int, scale float64, crop cropWindow) axisPlan {
	p := axisPlan{n: n, m: m, k: 1, start: make([]int, m)}
	if m == 0 {
		return p
	}
	if op.mode == interpNearest {
		for o := range m {
			x := op.source(o, n, m, scale, crop)
			if op.outside(x, n) {
				p.extrap = append(p.extrap, o)
				continue
			}
			p.start[o] = int(clampIndex(op.nearest(x, scale), n))
		}
		return p
	}
	radius := 1.0
	if op.mode == interpCubic {
		radius = 2
	}
	stretch := 1.0 // the kernel's widening is 1/stretch
	if op.antialias && scale < 1 {
		stretch = scale
	}
	// Taps first..first+len(raw)-1 around x: the kernel's support, as the
	// reference lays it out (an integer x counts as the right end of the
	// interval below it, which only adds a zero weight).
	lo := math.Floor(-radius/stretch) + 1
	raw := make([]float64, int(2-2*lo))
	p.k = min(len(raw), n)
	p.w = make([]float64, m*p.k)
	for o := range m {
		w := p.w[o*p.k:][:p.k]
		x := op.source(o, n, m, scale, crop)
		if op.outside(x, n) {
			p.extrap = append(p.extrap, o)
			w[0] = 1
			continue
		}
		f := math.Floor(x)
		if f == x {
			f--
		}
		first := f + lo
		sum, inside := 0.0, 0.0
		for t := range raw {
			j := first + float64(t)
			raw[t] = op.weight((j - x) * stretch)
			sum += raw[t]
			if j >= 0 && j <= float64(n-1) {
				inside += raw[t]
			} else if op.exclude {
				raw[t] = 0
			}
		}
		norm := 1.0
		switch {
		case op.exclude && inside != 0:
			norm = inside
		case op.antialias:
			norm = sum
		}
		// Taps past an edge read the edge: fold them into a window of k
		// inputs that lies inside the axis.
		st := min(int(clampIndex(first, n)), n-p.k)
		for t, v := range raw {
			w[int(clampIndex(first+float64(t), n))-st] += v / norm
		}
		p.start[o] = st
	}
	return p
}

// clampIndex clamps index i to [0, n-1].
func clampIndex(i float64, n int) float64 {
	return max(0, min(i, float64(n-1)))
}
