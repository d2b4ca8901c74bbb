package vec

// unary names an activation of the one-input loops; a and b are its
// parameters.
type unary int

// The activations of x.
const (
	unRelu        unary = iota // x < 0 ? 0 : x
	unClip                     // x < a ? a : x, then that > b ? b : that
	unLeakyRelu                // x < 0 ? a*x : x
	unHardSigmoid              // clamp01(a*x + b)
	unHardSwish                // x * clamp01(a*x + b)
)

// Relu sets d[i] = x[i] < 0 ? 0 : x[i] for every i of d (x must be at
// least as long): NaN and -0 pass. d may be x, but must not overlap it
// otherwise; so for the functions below.
func Relu(d, x []float32) { unaryRun(unRelu, d, x, 0, 0) }

// Clip sets d[i] to x[i] clamped to [lo, hi] for every i of d, as x < lo ?
// lo : x, then hi where that is > hi: NaN passes, a NaN bound is no
// bound, and every value becomes hi when lo > hi (as ONNX's Clip).
func Clip(d, x []float32, lo, hi float32) { unaryRun(unClip, d, x, lo, hi) }

// LeakyRelu sets d[i] = x[i] < 0 ? alpha*x[i] : x[i] for every i of d.
func LeakyRelu(d, x []float32, alpha float32) { unaryRun(unLeakyRelu, d, x, alpha, 0) }

// HardSigmoid sets d[i] = clamp01(alpha*x[i] + beta) for every i of d,
// clamp01 keeping NaN. The product is rounded before the sum (no fused
// multiply-add), so every build and architecture gives the same results.
func HardSigmoid(d, x []float32, alpha, beta float32) {
	unaryRun(unHardSigmoid, d, x, alpha, beta)
}

// HardSwish sets d[i] = x[i] * HardSigmoid(x[i]) with alpha 1/6 and beta
// 1/2 for every i of d.
func HardSwish(d, x []float32) { unaryRun(unHardSwish, d, x, 1.0/6, 0.5) }

// unaryRun applies k to x into d, in SIMD for the longest prefix the
// level's loops take, in Go for the rest.
func unaryRun(k unary, d, x []float32, a, b float32) {
	x = x[:len(d)]
	i := unaryAsm(k, d, x, a, b)
	unaryGo(k, d[i:], x[i:], a, b)
}

// clamp01 is v limited to [0, 1], keeping NaN and -0.
func clamp01(v float32) float32 {
	if v < 0 {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

// unaryGo is the activations' loops in Go. The explicit conversions of
// products keep the compiler from fusing them into the sums that follow,
// as the assembly does not.
func unaryGo(k unary, d, x []float32, a, b float32) {
	x = x[:len(d)]
	switch k {
	case unRelu:
		for i, v := range x {
			if v < 0 {
				v = 0
			}
			d[i] = v
		}
	case unClip:
		for i, v := range x {
			if v < a {
				v = a
			}
			if v > b {
				v = b
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
			d[i] = clamp01(float32(a*v) + b)
		}
	case unHardSwish:
		for i, v := range x {
			d[i] = v * clamp01(float32(a*v)+b)
		}
	}
}
