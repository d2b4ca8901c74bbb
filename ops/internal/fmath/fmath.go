package fmath

import (
	"math"
	"unsafe"
)

// Block is the length of the stack buffers of the exp-based kernels.
const Block = 256

// ByBlock applies fn to d and x in pieces of at most ewBlock elements.
func ByBlock[T Float](d, x []T, fn func(d, x []T)) {
	for len(x) > 0 {
		n := min(len(x), Block)
		fn(d[:n], x[:n])
		d, x = d[n:], x[n:]
	}
}

// SigmoidBlock computes d = 1/(1+exp(-x)) for up to ewBlock elements as
// 1/(1+e) for x >= 0 and e/(1+e) for x < 0, with e = exp(-|x|) <= 1, so
// nothing overflows and tiny results keep their precision. d may be x.
func SigmoidBlock[T Float](d, x []T) {
	var buf [Block]T
	e := buf[:len(x)]
	for i, v := range x {
		e[i] = -Abs(v)
	}
	Exp(e, e)
	for i, v := range x {
		r := 1 / (1 + e[i])
		if v < 0 {
			r *= e[i]
		}
		d[i] = r
	}
}

// TanhBlock computes d = tanh(x) for up to ewBlock elements. float64 uses
// math.Tanh; float32 follows Cephes' tanhf: an odd polynomial for |x| <=
// 0.625 (no cancellation near 0) and 1 - 2/(exp(2|x|)+1) beyond. d may be x.
func TanhBlock[T Float](d, x []T) {
	if unsafe.Sizeof(x[0]) == 8 {
		for i, v := range x {
			d[i] = T(math.Tanh(float64(v)))
		}
		return
	}
	var buf [Block]T
	e := buf[:len(x)]
	for i, v := range x {
		a := Abs(v)
		if a > 10 { // tanh(10) rounds to 1 in float32
			a = 10
		}
		e[i] = 2 * a
	}
	Exp(e, e)
	for i, v := range x {
		var r T
		if Abs(v) > 0.625 {
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

// Abs is |v|, keeping NaN.
func Abs[T Float](v T) T {
	if v < 0 {
		return -v
	}
	return v
}

// Exp sets d[i] = exp(x[i]) in T's precision; d may be x.
func Exp[T Float](d, x []T) {
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

// Float is the element types these kernels compute.
type Float interface{ ~float32 | ~float64 }
