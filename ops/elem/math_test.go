package elem

import (
	"math"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// unaryInputs are float32 inputs for the one-input ops: a dense range,
// tiny and huge magnitudes, ±0, ±Inf and NaN.
func unaryInputs() []float32 {
	var xs []float32
	for x := -30.0; x <= 30; x += 0.0173 {
		xs = append(xs, float32(x))
	}
	for x := 1e-30; x < 1e30; x *= 3.7 {
		xs = append(xs, float32(x), float32(-x))
	}
	return append(xs, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 0.5, 1.5, 2.5, -0.5, -2.5)
}

// unaryAttrs gives the attributed kinds non-default attributes, so that
// their use is tested.
var unaryAttrs = map[string][]*onnx.Attribute{
	"LeakyRelu":          {opstest.AttrF("alpha", 0.3)},
	"HardSigmoid":        {opstest.AttrF("alpha", 0.4), opstest.AttrF("beta", 0.3)},
	"Elu":                {opstest.AttrF("alpha", 0.7)},
	"Celu":               {opstest.AttrF("alpha", 1.5)},
	"Selu":               {opstest.AttrF("alpha", 1.2), opstest.AttrF("gamma", 0.9)},
	"ThresholdedRelu":    {opstest.AttrF("alpha", 0.8)},
	"Shrink":             {opstest.AttrF("lambd", 1.2), opstest.AttrF("bias", 0.4)},
	"Swish":              {opstest.AttrF("alpha", 1.7)},
	"Affine":             {opstest.AttrF("alpha", 2), opstest.AttrF("beta", -1)},
	"ScaledTanh":         {opstest.AttrF("alpha", 2), opstest.AttrF("beta", 0.5)},
	"ParametricSoftplus": {opstest.AttrF("alpha", 2), opstest.AttrF("beta", 0.5)},
	"Scale":              {opstest.AttrF("scale", 3)},
}

// ulp32 is the spacing of float32 numbers at |v|.
func ulp32(v float64) float64 {
	a := float32(math.Abs(v))
	return float64(math.Nextafter32(a, float32(math.Inf(1))) - a)
}

// unaryTolerance is the float32 error allowed for u at x: 4 ulp of the
// result, more where float32 arithmetic on x is ill-conditioned: a*x + b
// near its zero (HardSigmoid, HardSwish), and the rounding of a sigmoid's
// argument z, which its exponential amplifies |z|-fold (Swish, tanh Gelu).
func unaryTolerance(u *unaryOp, x, want float64) float64 {
	switch u.kind {
	case unHardSigmoid:
		return 4 * ulp32(max(math.Abs(want), 1))
	case unHardSwish:
		return 4 * ulp32(max(math.Abs(want), math.Abs(x)))
	case unSwish:
		return 4 * ulp32(want) * (1 + math.Abs(u.alpha*x))
	case unGeluTanh:
		return 4 * ulp32(want) * (1 + 2*math.Sqrt(2/math.Pi)*math.Abs(x+0.044715*x*x*x))
	}
	return 4 * ulp32(want)
}

// TestUnaryFloatKernels compares every float one-input op, float32 and
// float64, with its float64 definition (unaryOp.scalar, checked by
// TestUnaryValues and the node tests): float32 within unaryTolerance of the
// rounded definition (or 1e-37 |x| absolute: an exponential below
// float32's normal range flushes to 0),
// float64 within 1e-14 relative or float32's bound scaled to float64.
func TestUnaryFloatKernels(t *testing.T) {
	xs := unaryInputs()
	for i := range unarySpecs {
		spec := &unarySpecs[i]
		if !spec.types.has(onnx.Float) {
			continue
		}
		kinds := [][]*onnx.Attribute{unaryAttrs[spec.name]}
		if spec.name == "Gelu" {
			kinds = append(kinds, []*onnx.Attribute{opstest.AttrS("approximate", "tanh")})
		}
		for _, attrs := range kinds {
			o, err := ops.Build(opstest.EwNode(spec.name, make([]*ops.Tensor, 1), 1, attrs...), spec.versions[len(spec.versions)-1])
			if err != nil {
				t.Fatal(err)
			}
			u := o.(*unaryOp)
			got32, err := opstest.EwEval(t, spec.name, spec.versions[0], 1, attrs, opstest.Typed(opstest.Sh(len(xs)), xs...))
			if err != nil {
				t.Fatal(err)
			}
			x64 := make([]float64, len(xs))
			for i, x := range xs {
				x64[i] = float64(x)
			}
			got64, err := opstest.EwEval(t, spec.name, spec.versions[0], 1, attrs, opstest.Typed(opstest.Sh(len(xs)), x64...))
			if err != nil {
				t.Fatal(err)
			}
			worst := 0.0
			for i, x := range xs {
				want := u.scalar(float64(x))
				g32, g64 := float64(ops.Elems[float32](got32[0])[i]), ops.Elems[float64](got64[0])[i]
				if math.IsNaN(want) || math.IsInf(want, 0) || math.Abs(want) > math.MaxFloat32 {
					if w := float64(float32(want)); !(g32 == w || math.IsNaN(g32) && math.IsNaN(w)) {
						t.Errorf("%s %v (float32): f(%g) = %g, want %g", spec.name, attrs, x, g32, w)
					}
				} else if e := math.Abs(g32 - float64(float32(want))); e > 1e-37*max(1, math.Abs(float64(x))) {
					ulps := e / ulp32(want)
					worst = max(worst, ulps)
					if e > unaryTolerance(u, float64(x), want) {
						t.Errorf("%s %v (float32): f(%g) = %g, want %g (%.1f ulp)", spec.name, attrs, x, g32, want, ulps)
					}
				}
				// float64's bound scales float32's by their precisions, so that
				// cancellation (HardSwish near -3) and fused multiply-adds (arm64)
				// are allowed for as they are in float32.
				tol64 := max(1e-14*math.Abs(want), unaryTolerance(u, float64(x), want)*0x1p-29)
				if !(g64 == want || math.IsNaN(g64) && math.IsNaN(want) || math.Abs(g64-want) <= tol64) {
					t.Errorf("%s %v (float64): f(%g) = %g, want %g", spec.name, attrs, x, g64, want)
				}
			}
			t.Logf("%s %v: float32 within %.2f ulp", spec.name, attrs, worst)
		}
	}
}

func TestUnaryValues(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	cases := []struct {
		name  string
		op    string
		opset int
		attrs []*onnx.Attribute
		in    *ops.Tensor
		want  *ops.Tensor
	}{
		{"round half to even", "Round", 11, nil, opstest.Typed(opstest.Sh(7), float32(0.5), 1.5, 2.5, -0.5, -1.5, 2.4999998, nan),
			opstest.Typed(opstest.Sh(7), float32(0), 2, 2, 0, -2, 2, nan)},
		{"floor ceil", "Floor", 13, nil, opstest.Typed(opstest.Sh(3), -1.5, 1.5, -0.0), opstest.Typed(opstest.Sh(3), -2.0, 1, 0)},
		{"ceil", "Ceil", 6, nil, opstest.Typed(opstest.Sh(3), float32(-1.5), 1.2, -inf), opstest.Typed(opstest.Sh(3), float32(-1), 2, -inf)},
		{"sign float", "Sign", 13, nil, opstest.Typed(opstest.Sh(5), float32(-3), 0, 2, -inf, nan), opstest.Typed(opstest.Sh(5), float32(-1), 0, 1, -1, nan)},
		{"sign int8", "Sign", 9, nil, opstest.Typed(opstest.Sh(3), int8(-128), 0, 127), opstest.Typed(opstest.Sh(3), int8(-1), 0, 1)},
		{"sign uint", "Sign", 13, nil, opstest.Typed(opstest.Sh(2), uint32(0), 9), opstest.Typed(opstest.Sh(2), uint32(0), 1)},
		{"abs int8 wraps", "Abs", 13, nil, opstest.Typed(opstest.Sh(3), int8(-128), -5, 5), opstest.Typed(opstest.Sh(3), int8(-128), 5, 5)},
		{"abs uint", "Abs", 13, nil, opstest.Typed(opstest.Sh(1), uint16(65535)), opstest.Typed(opstest.Sh(1), uint16(65535))},
		{"neg int64", "Neg", 6, nil, opstest.Typed(opstest.Sh(2), int64(5), math.MinInt64), opstest.Typed(opstest.Sh(2), int64(-5), math.MinInt64)},
		{"relu int32", "Relu", 14, nil, opstest.Typed(opstest.Sh(2), int32(-5), 6), opstest.Typed(opstest.Sh(2), int32(0), 6)},
		{"erf int", "Erf", 13, nil, opstest.Typed(opstest.Sh(3), int32(-3), 0, 2), opstest.Typed(opstest.Sh(3), int32(0), 0, 0)},
		{"erf", "Erf", 13, nil, opstest.Typed(opstest.Sh(4), float32(0.5), -1, 4, -inf),
			opstest.Typed(opstest.Sh(4), float32(0.5204998778130465), -0.8427007929497149, 0.9999999845827421, -1)},
		{"shrink int", "Shrink", 9, []*onnx.Attribute{opstest.AttrF("lambd", 1.5), opstest.AttrF("bias", 1)},
			opstest.Typed(opstest.Sh(5), int32(-3), -1, 0, 1, 3), opstest.Typed(opstest.Sh(5), int32(-2), 0, 0, 0, 2)},
		{"shrink default", "Shrink", 9, nil, opstest.Typed(opstest.Sh(4), float32(-1), -0.5, 0.5, 1), opstest.Typed(opstest.Sh(4), float32(-1), 0, 0, 1)},
		{"thresholdedrelu", "ThresholdedRelu", 10, nil, opstest.Typed(opstest.Sh(4), float32(0.5), 1, 1.5, nan), opstest.Typed(opstest.Sh(4), float32(0), 0, 1.5, 0)},
		{"elu", "Elu", 6, []*onnx.Attribute{opstest.AttrF("alpha", 2)}, opstest.Typed(opstest.Sh(3), float32(-1), 0, 3),
			opstest.Typed(opstest.Sh(3), float32(2*(math.Exp(-1)-1)), 0, 3)},
		{"selu default", "Selu", 22, nil, opstest.Typed(opstest.Sh(2), float32(-1), 2),
			opstest.Typed(opstest.Sh(2), float32(1.0507009873554805*1.6732632423543772*(math.Exp(-1)-1)), float32(2*1.0507009873554805))},
		{"celu", "Celu", 12, []*onnx.Attribute{opstest.AttrF("alpha", 2)}, opstest.Typed(opstest.Sh(2), float32(-2), 2),
			opstest.Typed(opstest.Sh(2), float32(2*(math.Exp(-1)-1)), 2)},
		{"softsign", "Softsign", 1, nil, opstest.Typed(opstest.Sh(3), float32(-3), 0, 1), opstest.Typed(opstest.Sh(3), float32(-0.75), 0, 0.5)},
		{"softplus", "Softplus", 1, nil, opstest.Typed(opstest.Sh(4), float32(0), 100, -100, 1),
			opstest.Typed(opstest.Sh(4), float32(math.Ln2), 100, float32(math.Exp(-100)), float32(math.Log(1+math.E)))},
		{"gelu", "Gelu", 20, nil, opstest.Typed(opstest.Sh(3), float32(1), -1, 0), opstest.Typed(opstest.Sh(3), float32(0.8413447460685429), -0.15865525393145707, 0)},
		{"gelu tanh", "Gelu", 20, []*onnx.Attribute{opstest.AttrS("approximate", "tanh")}, opstest.Typed(opstest.Sh(2), float32(1), -1),
			opstest.Typed(opstest.Sh(2), float32(0.8411919906082768), -0.15880800939172324)},
		{"mish", "Mish", 18, nil, opstest.Typed(opstest.Sh(2), float32(1), -1), opstest.Typed(opstest.Sh(2), float32(0.8650983882673103), -0.30340146137410895)},
		{"swish", "Swish", 24, []*onnx.Attribute{opstest.AttrF("alpha", 2)}, opstest.Typed(opstest.Sh(2), float32(1), -1),
			opstest.Typed(opstest.Sh(2), float32(1/(1+math.Exp(-2))), float32(-1/(1+math.Exp(2))))},
		{"affine", "Affine", 1, []*onnx.Attribute{opstest.AttrF("alpha", 2), opstest.AttrF("beta", 1)}, opstest.Typed(opstest.Sh(2), float32(1), -3), opstest.Typed(opstest.Sh(2), float32(3), -5)},
		{"scaledtanh", "ScaledTanh", 1, []*onnx.Attribute{opstest.AttrF("alpha", 2), opstest.AttrF("beta", 3)}, opstest.Typed(opstest.Sh(1), float32(0.1)),
			opstest.Typed(opstest.Sh(1), float32(2*math.Tanh(0.3)))},
		{"parametricsoftplus", "ParametricSoftplus", 1, []*onnx.Attribute{opstest.AttrF("alpha", 2), opstest.AttrF("beta", 3)}, opstest.Typed(opstest.Sh(1), float32(0.1)),
			opstest.Typed(opstest.Sh(1), float32(2*math.Log(1+math.Exp(0.3))))},
		{"scale", "Scale", 1, []*onnx.Attribute{opstest.AttrF("scale", -2)}, opstest.Typed(opstest.Sh(2), 1.5, 2), opstest.Typed(opstest.Sh(2), -3.0, -4)},
		{"not", "Not", 1, nil, opstest.Bools(opstest.Sh(2), true, false), opstest.Bools(opstest.Sh(2), false, true)},
		{"bitwisenot int8", "BitwiseNot", 18, nil, opstest.Typed(opstest.Sh(2), int8(0), -128), opstest.Typed(opstest.Sh(2), int8(-1), 127)},
		{"bitwisenot uint16", "BitwiseNot", 18, nil, opstest.Typed(opstest.Sh(1), uint16(1)), opstest.Typed(opstest.Sh(1), uint16(65534))},
		{"empty", "Exp", 13, nil, opstest.Typed[float32](opstest.Sh(0, 3)), opstest.Typed[float32](opstest.Sh(0, 3))},
	}
	for _, c := range cases {
		got, err := opstest.EwEval(t, c.op, c.opset, 1, c.attrs, c.in)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		opstest.EwCheck(t, c.name, got[0], c.want)
	}
}

func TestClassifyOps(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	x := opstest.Typed(opstest.Sh(5), 1, nan, inf, -inf, 0)
	for _, c := range []struct {
		op    string
		attrs []*onnx.Attribute
		want  []bool
	}{
		{"IsNaN", nil, []bool{false, true, false, false, false}},
		{"IsInf", nil, []bool{false, false, true, true, false}},
		{"IsInf", []*onnx.Attribute{opstest.AttrI("detect_negative", 0)}, []bool{false, false, true, false, false}},
		{"IsInf", []*onnx.Attribute{opstest.AttrI("detect_positive", 0)}, []bool{false, false, false, true, false}},
	} {
		for _, in := range []*ops.Tensor{x, opstest.Typed(opstest.Sh(5), float32(1), float32(nan), float32(inf), float32(-inf), 0)} {
			got, err := opstest.EwEval(t, c.op, 20, 1, c.attrs, in)
			if err != nil {
				t.Fatal(err)
			}
			opstest.EwCheck(t, c.op, got[0], opstest.Bools(opstest.Sh(5), c.want...))
		}
	}
	_, err := opstest.EwEval(t, "IsNaN", 13, 1, nil, opstest.Typed(opstest.Sh(1), int32(1)))
	opstest.WantErr(t, "IsNaN of int32", err, "input \"X\" has type int32")
}

func TestUnaryErrors(t *testing.T) {
	cases := []struct {
		name  string
		op    string
		attrs []*onnx.Attribute
		in    *ops.Tensor
		frag  string
	}{
		{"scaledtanh without beta", "ScaledTanh", []*onnx.Attribute{opstest.AttrF("alpha", 1)}, nil, "\"alpha\" and \"beta\" are required"},
		{"parametricsoftplus without attributes", "ParametricSoftplus", nil, nil, "\"alpha\" and \"beta\" are required"},
		{"celu alpha 0", "Celu", []*onnx.Attribute{opstest.AttrF("alpha", 0)}, nil, "\"alpha\" is 0"},
		{"gelu approximate", "Gelu", []*onnx.Attribute{opstest.AttrS("approximate", "erf")}, nil, "\"approximate\" is \"erf\""},
		{"gelu approximate type", "Gelu", []*onnx.Attribute{opstest.AttrI("approximate", 1)}, nil, "attribute \"approximate\" has type INT"},
		{"neg uint8", "Neg", nil, opstest.Typed(opstest.Sh(1), uint8(1)), "want float, signed integer"},
		{"exp int", "Exp", nil, opstest.Typed(opstest.Sh(1), int64(1)), "has type int64, want float"},
		{"not float", "Not", nil, opstest.Typed(opstest.Sh(1), float32(1)), "want bool"},
		{"bitwisenot float", "BitwiseNot", nil, opstest.Typed(opstest.Sh(1), float32(1)), "want signed integer, unsigned integer"},
	}
	for _, c := range cases {
		var err error
		if c.in == nil {
			_, err = ops.Build(opstest.EwNode(c.op, make([]*ops.Tensor, 1), 1, c.attrs...), 24)
		} else {
			_, err = opstest.EwEval(t, c.op, 24, 1, c.attrs, c.in)
		}
		opstest.WantErr(t, c.name, err, c.frag)
	}
}
