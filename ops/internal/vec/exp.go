package vec

import "math"

// The exp family: exp and the activations made of it. The SIMD loops
// compute what the Go loops below compute, with every multiply-add of
// exp's reduction and polynomials and of tanh's polynomial fused (one
// rounding), as Go's arm64 compiler fuses them in these loops. So every
// SIMD level, AVX2, AVX-512 and NEON, gives the same results, which are
// the Go loops' on arm64; where Go rounds each product (amd64, other
// architectures) its loops' results differ from them by at most 1 ulp
// in exp and tanh and 2 ulp in sigmoid and swish, on about 1% of the
// arguments (TestExpFamily). A slice's tail shorter than a vector goes
// through the SIMD loop in a padded buffer, so a value's result does not
// depend on where it sits.

// expKind names a function of the exp family.
type expKind int

// The functions of x.
const (
	exExp     expKind = iota // exp(x)
	exSigmoid                // 1 / (1 + exp(-x))
	exTanh                   // tanh(x)
	exSwish                  // x * sigmoid(alpha*x)
)

// Exp sets d[i] = exp(x[i]) for every i of d (x must be at least as
// long), after Cephes' expf: x = n*ln2 + r with |r| <= ln2/2, a degree-7
// polynomial for exp(r), and 2^n put into the exponent. Its relative
// error is below 8.5e-8: within 1 ulp with products rounded apart, 1.02
// ulp with the fused multiply-adds. exp(x) is +Inf above ln(MaxFloat32)
// and 0 below the log of the smallest normal float32; NaN passes. d may
// be x, but must not overlap it otherwise; so for the functions below.
func Exp(d, x []float32) { expRun(exExp, d, x, 0) }

// Sigmoid sets d[i] = 1/(1+exp(-x[i])) for every i of d, as 1/(1+e) for
// x >= 0 and e/(1+e) for x < 0 with e = exp(-|x|) <= 1, so nothing
// overflows and tiny results keep their precision (within 3 ulp).
func Sigmoid(d, x []float32) { expRun(exSigmoid, d, x, 0) }

// Tanh sets d[i] = tanh(x[i]) for every i of d after Cephes' tanhf: an
// odd polynomial for |x| <= 0.625 (no cancellation near 0) and 1 -
// 2/(exp(2|x|)+1) beyond (within 2 ulp).
func Tanh(d, x []float32) { expRun(exTanh, d, x, 0) }

// Swish sets d[i] = x[i] * Sigmoid(alpha*x[i]) for every i of d: ONNX's
// Swish, and SiLU for alpha 1.
func Swish(d, x []float32, alpha float32) { expRun(exSwish, d, x, alpha) }

// expRun applies k to x into d: the SIMD loop takes whole vectors, then
// the tail padded to one; without SIMD the Go loop takes everything.
func expRun(k expKind, d, x []float32, alpha float32) {
	x = x[:len(d)]
	lanes := simd.lanes()
	if lanes == 1 {
		expGo(k, d, x, alpha)
		return
	}
	n := len(d) &^ (lanes - 1)
	expAsm(k, d[:n], x[:n], alpha)
	if n == len(d) {
		return
	}
	var buf [16]float32
	t := buf[:lanes]
	copy(t, x[n:])
	expAsm(k, t, t, alpha)
	copy(d[n:], t)
}

// expChunk is the length of the Go loops' stack buffers.
const expChunk = 256

// expGo is the family's Go loops.
func expGo(k expKind, d, x []float32, alpha float32) {
	switch k {
	case exExp:
		expF32(d, x)
	case exSigmoid:
		sigmoidF32(d, x)
	case exTanh:
		tanhF32(d, x)
	case exSwish:
		for i, v := range x {
			d[i] = Swish1(v, alpha)
		}
	}
}

// Swish1 is Swish of one value, as the Go loops compute it: for kernels
// that apply an activation value by value (a convolution's border, a
// tail), in a few dozen instructions where math.Exp takes hundreds.
func Swish1(v, alpha float32) float32 { return v * sigmoid1(v*alpha) }

// Exp's constants: ln2Hi + ln2Lo = ln 2, with n*ln2Hi exact for the n
// that occur; hiX and loX are the logs of the largest and the smallest
// normal float32; adding magic (1.5 * 2^23) rounds to an integer, kept in
// the low bits of the sum.
const (
	log2e = 1.44269504088896341
	ln2Hi = 0.693359375
	ln2Lo = -2.12194440e-4
	hiX   = 88.72283905206835
	loX   = -87.33654475055310898657
	magic = 12582912
)

// expF32 is Exp in Go. The rounding to n adds magic, so the loop has no
// data-dependent branch but the range check. Results below the smallest
// normal float32 flush to 0.
func expF32(d, x []float32) {
	x = x[:len(d)]
	for i, v := range x {
		d[i] = exp1(v)
	}
}

// exp1 is Exp of one value.
func exp1(v float32) float32 {
	if !(v >= loX && v <= hiX) { // NaN stays NaN
		if v > hiX {
			return float32(math.Inf(1))
		} else if v < loX {
			return 0
		}
		return v
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
	return y * math.Float32frombits(uint32(n+127)<<23)
}

// abs is |v|, keeping NaN.
func abs(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }

// sigmoidF32 is Sigmoid in Go.
func sigmoidF32(d, x []float32) {
	x = x[:len(d)]
	for i, v := range x {
		d[i] = sigmoid1(v)
	}
}

// sigmoid1 is Sigmoid of one value.
func sigmoid1(v float32) float32 {
	e := exp1(-abs(v))
	r := 1 / (1 + e)
	if v < 0 {
		r *= e
	}
	return r
}

// tanhF32 is Tanh in Go, exponentiating in stack chunks; tanh(10)
// rounds to 1, so exp's argument stops at 20.
func tanhF32(d, x []float32) {
	var buf [expChunk]float32
	for len(x) > 0 {
		n := min(len(x), expChunk)
		e := buf[:n]
		for i, v := range x[:n] {
			e[i] = 2 * min(abs(v), 10)
		}
		expF32(e, e)
		for i, v := range x[:n] {
			var r float32
			if abs(v) > 0.625 {
				r = 1 - 2/(e[i]+1)
				if v < 0 {
					r = -r
				}
			} else {
				s := v * v
				p := float32(-5.70498872745e-3)
				p = p*s + 2.06390887954e-2
				p = p*s - 5.37397155531e-2
				p = p*s + 1.33314422036e-1
				p = p*s - 3.33332819422e-1
				r = v + v*s*p
			}
			d[i] = r
		}
		d, x = d[n:], x[n:]
	}
}
