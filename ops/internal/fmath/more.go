package fmath

import (
	"math"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/ops/internal/vec"
)

// as32 views a []T known to be []float32 as such.
func as32[T Float](s []T) []float32 {
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s))
}

// is32 reports whether T is float32.
func is32[T Float]() bool {
	var z T
	return unsafe.Sizeof(z) == 4
}

// Log sets d[i] = ln(x[i]) in T's precision; d may be x.
func Log[T Float](d, x []T) {
	if is32[T]() {
		logF32s(as32(d), as32(x))
		return
	}
	for i, v := range x {
		d[i] = T(math.Log(float64(v)))
	}
}

// logF32s sets d[i] = ln(x[i]) (within 1 ulp) through log64. d may be x.
func logF32s(d, x []float32) {
	x = x[:len(d)]
	for i, v := range x {
		if !(v > 0 && v <= math.MaxFloat32) {
			switch {
			case v == 0:
				v = float32(math.Inf(-1))
			case v < 0:
				v = float32(math.NaN())
			} // NaN and +Inf stay
			d[i] = v
			continue
		}
		d[i] = float32(log64(float64(v)))
	}
}

// log64 is ln x for a positive normal float64 x, to about 1e-9 relative
// (float32 results round correctly but for rare ties): x = m * 2^e with m
// in [sqrt(1/2), sqrt(2)), and ln m = 2 atanh(s) for s = (m-1)/(m+1),
// |s| <= 0.172, by its Taylor series to s^9.
func log64(x float64) float64 {
	b := math.Float64bits(x)
	e := int(b>>52) - 1023
	m := math.Float64frombits(b&(1<<52-1) | 1023<<52) // [1, 2)
	if m > math.Sqrt2 {
		m *= 0.5
		e++
	}
	s := (m - 1) / (m + 1)
	z := s * s
	return float64(e)*math.Ln2 + 2*s*(1+z*(1.0/3+z*(1.0/5+z*(1.0/7+z*(1.0/9)))))
}

// Expm1 sets d[i] = exp(x[i]) - 1 in T's precision, accurate near 0; d may be x.
func Expm1[T Float](d, x []T) {
	if is32[T]() {
		expm1F32s(as32(d), as32(x))
		return
	}
	for i, v := range x {
		d[i] = T(math.Expm1(float64(v)))
	}
}

// expm1F32s sets d[i] = exp(x[i]) - 1 (within 3 ulp): the Taylor series
// to x^8 for |x| < 0.5 (error below 2^-27 relative), exp(x) - 1 beyond,
// where the subtraction loses at most 2 bits. d may be x.
func expm1F32s(d, x []float32) {
	x = x[:len(d)]
	for i := 0; i < len(x); i += Block {
		xs, ds := x[i:min(i+Block, len(x))], d[i:min(i+Block, len(x))]
		var buf [Block]float32
		e := buf[:len(xs)]
		vec.Exp(e, xs)
		for j, v := range xs {
			if v > -0.5 && v < 0.5 {
				p := v * (1.0 / 40320)
				p = v * (1.0/5040 + p)
				p = v * (1.0/720 + p)
				p = v * (1.0/120 + p)
				p = v * (1.0/24 + p)
				p = v * (1.0/6 + p)
				p = v * (0.5 + p)
				ds[j] = v + v*p
				continue
			}
			ds[j] = e[j] - 1
		}
	}
}

// Softplus sets d = ln(1 + exp(x)) for up to Block elements, as max(x, 0)
// + log1p(exp(-|x|)), so nothing overflows and results near 0 keep their
// precision. d may be x.
func Softplus[T Float](d, x []T) {
	var buf [Block]T
	e := buf[:len(x)]
	for i, v := range x {
		e[i] = -Abs(v)
	}
	Exp(e, e)
	log1pBlock(e, e)
	for i, v := range x {
		d[i] = max(v, 0) + e[i]
	}
}

// log1pBlock sets d = ln(1 + x) for x in [0, 1] (NaN passes). For
// float32, 1 + x is exact in float64 when x >= 2^-29, and below ln(1 + x)
// rounds to x. d may be x.
func log1pBlock[T Float](d, x []T) {
	if !is32[T]() {
		for i, v := range x {
			d[i] = T(math.Log1p(float64(v)))
		}
		return
	}
	for i, v := range x {
		if !(v >= 0x1p-29) { // also NaN
			d[i] = v
			continue
		}
		d[i] = T(log64(1 + float64(v)))
	}
}

// Mish sets d = x * tanh(softplus(x)) for up to Block elements, as x *
// n(n+2) / (n(n+2) + 2) with n = exp(x), which does not cancel for negative
// x; beyond x = 20 the factor rounds to 1. d may be x.
func Mish[T Float](d, x []T) {
	var buf [Block]T
	n := buf[:len(x)]
	for i, v := range x {
		n[i] = min(v, 20)
	}
	Exp(n, n)
	for i, v := range x {
		if v > 20 {
			d[i] = v
			continue
		}
		q := n[i] * (n[i] + 2)
		d[i] = v * (q / (q + 2))
	}
}

// Erf sets d[i] = erf(x[i]) in T's precision; d may be x.
func Erf[T Float](d, x []T) {
	if !is32[T]() {
		for i, v := range x {
			d[i] = T(math.Erf(float64(v)))
		}
		return
	}
	for i, v := range x {
		z := math.Abs(float64(v))
		var r float64
		switch {
		case z < erfcLo:
			r = erfSmall(z)
		case z < erfcHi:
			r = 1 - erfcTable(z)
		case z == z:
			r = 1
		default:
			r = z // NaN
		}
		if v < 0 {
			r = -r
		}
		d[i] = T(r)
	}
}

// Gelu sets d = x/2 * (1 + erf(x/sqrt 2)) in T's precision, as x/2 *
// erfc(|x|/sqrt 2) for negative x so that its small results keep their
// precision. d may be x.
func Gelu[T Float](d, x []T) {
	for i, v := range x {
		xv := float64(v)
		z := math.Abs(xv) / math.Sqrt2
		var c float64 // erfc(z)
		switch {
		case !is32[T]():
			c = math.Erfc(z)
		case z < erfcLo:
			c = 1 - erfSmall(z)
		case z < erfcHi:
			c = erfcTable(z)
		default: // also NaN
			c = math.Erfc(z)
		}
		if v > 0 {
			c = 2 - c
		}
		d[i] = T(0.5 * xv * c)
	}
}

// erf and erfc of float32 inputs are evaluated in float64: a series below
// erfcLo, a table of Taylor polynomials of erfc on [erfcLo, erfcHi), where
// erf rounds to 1 in float32 beyond.
const (
	erfcLo    = 0.5
	erfcHi    = 4.0
	erfcStep  = 0.25 // width of a table interval
	erfcOrder = 11   // degree of the Taylor polynomials
)

// erfSmall is erf(z) for |z| < erfcLo by its Maclaurin series
// 2/sqrt(pi) * sum (-1)^n z^(2n+1) / (n! (2n+1)) to n = 8 (the next term is
// below 1e-12 of the sum).
func erfSmall(z float64) float64 {
	s := z * z
	p := 0.0
	for n := 8; n >= 0; n-- {
		p = p*s + erfSeries[n]
	}
	return z * p
}

// erfSeries are the series' coefficients 2/sqrt(pi) * (-1)^n / (n! (2n+1)).
var erfSeries = func() (c [9]float64) {
	f := 2 / math.SqrtPi
	for n := range c {
		c[n] = f / float64(2*n+1)
		f *= -1 / float64(n+1)
	}
	return c
}()

// erfcTable is erfc(z) for z in [erfcLo, erfcHi) from the Taylor
// polynomial of its interval.
func erfcTable(z float64) float64 {
	k := int((z - erfcLo) * (1 / erfcStep))
	c := &erfcCoef[k]
	t := z - (erfcLo + (float64(k)+0.5)*erfcStep)
	p := c[erfcOrder]
	for j := erfcOrder - 1; j >= 0; j-- {
		p = p*t + c[j]
	}
	return p
}

// erfcCoef holds each interval's Taylor coefficients of erfc about its
// midpoint m: erfc(m), then -erf^(k)(m)/k! with erf^(k)(m) = 2/sqrt(pi)
// (-1)^(k-1) H_(k-1)(m) exp(-m^2), H the physicists' Hermite polynomials.
// Within 1/8 of m the omitted terms are below 1e-7 of erfc(m) at z = 4 and
// far smaller before.
var erfcCoef = func() (tab [int((erfcHi - erfcLo) / erfcStep)][erfcOrder + 1]float64) {
	for i := range tab {
		m := erfcLo + (float64(i)+0.5)*erfcStep
		tab[i][0] = math.Erfc(m)
		g := 2 / math.SqrtPi * math.Exp(-m*m)
		hPrev, h := 0.0, 1.0 // H_(k-2), H_(k-1)
		fact := 1.0
		sign := 1.0 // (-1)^(k-1)
		for k := 1; k <= erfcOrder; k++ {
			fact *= float64(k)
			tab[i][k] = -g * sign * h / fact
			// H_k = 2m H_(k-1) - 2(k-1) H_(k-2)
			hPrev, h = h, 2*m*h-2*float64(k-1)*hPrev
			sign = -sign
		}
	}
	return tab
}()
