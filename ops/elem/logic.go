package elem

import (
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/wide"
)

// The kernels of the comparison, logical, bitwise, Mod and Pow operators
// (their ops are in binary.go).

// cmpKind names a comparison; Greater and GreaterOrEqual are Less and
// LessOrEqual with the operands swapped.
type cmpKind int

// Comparisons.
const (
	cmpEqual     cmpKind = iota // a == b
	cmpLess                     // a < b
	cmpLessEqual                // a <= b
)

// cmpScalar compares one pair as a bool byte.
func cmpScalar[T ops.Numeric](k cmpKind, a, b T) uint8 {
	var r bool
	switch k {
	case cmpEqual:
		r = a == b
	case cmpLess:
		r = a < b
	default:
		r = a <= b
	}
	return wide.B2U(r)
}

// cmpRun compares a run of bindZip into bool bytes; the kind's switch is
// inlined into each loop and predicted, so the loops run at full speed.
func cmpRun[T ops.Numeric](k cmpKind, d []uint8, a, b []T) {
	switch n := len(d); {
	case len(a) == n && len(b) == n:
		a, b = a[:n], b[:n]
		for i := range d {
			d[i] = cmpScalar(k, a[i], b[i])
		}
	case len(a) == n:
		s := b[0]
		for i, v := range a[:n] {
			d[i] = cmpScalar(k, v, s)
		}
	case len(b) == n:
		s := a[0]
		for i, v := range b[:n] {
			d[i] = cmpScalar(k, s, v)
		}
	default:
		ops.Fill(d, cmpScalar(k, a[0], b[0]))
	}
}

// bindCompare binds d = a k b into bool d (see bindZip): float32 on its
// own loops, the other types on wide values, which compare as the
// narrower ones do (NaN compares false either way).
func bindCompare[T ops.Numeric](par ops.Parallel, k cmpKind, d, a, b *ops.Tensor, aShape, bShape []int) func() {
	return bindCompareOf(par, k, d, a, b, aShape, bShape)
}

// bindCompareOf is bindCompare for a's type, whatever it is.
func bindCompareOf(par ops.Parallel, k cmpKind, d, a, b *ops.Tensor, aShape, bShape []int) func() {
	if a.Type == onnx.Float {
		return bindZip(par, d, a, b, aShape, bShape, func(d []uint8, a, b []float32) { cmpRun(k, d, a, b) })
	}
	return wide.BindZip(par, d, a, b, aShape, bShape, func(o, a, b *wide.Chunk, n, sa, sb int, ka, _ wide.Kind) wide.Kind {
		for j := range n {
			switch x, y := j*sa, j*sb; ka {
			case wide.Float:
				o.I[j] = int64(cmpScalar(k, a.F[x], b.F[y]))
			case wide.Uint64:
				o.I[j] = int64(cmpScalar(k, uint64(a.I[x]), uint64(b.I[y])))
			default:
				o.I[j] = int64(cmpScalar(k, a.I[x], b.I[y]))
			}
		}
		return wide.Int
	})
}

// integer is the integer element types.
type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// bitKind names a bitwise function; And, Or and Xor of bools are the
// bitwise ones of their 0/1 bytes.
type bitKind int

// Bitwise functions.
const (
	bitAnd   bitKind = iota // a & b
	bitOr                   // a | b
	bitXor                  // a ^ b
	bitLeft                 // a << b (0 when b >= the width)
	bitRight                // a >> b (0 when b >= the width, for unsigned a)
)

// bindBitwise binds d = a k b for integers or bools (see bindZip) on wide
// values: the low bits of a bitwise function of sign- or zero-extended
// values are those of the function of the narrow ones, a left shift's too
// (a shift by the width or more leaving none), and a right shift of an
// unsigned value brings in zeros either way.
func bindBitwise(par ops.Parallel, k bitKind, d, a, b *ops.Tensor, aShape, bShape []int) func() {
	return wide.BindZip(par, d, a, b, aShape, bShape, func(o, a, b *wide.Chunk, n, sa, sb int, ka, _ wide.Kind) wide.Kind {
		for j := range n {
			x, y := a.I[j*sa], b.I[j*sb]
			switch k {
			case bitAnd:
				x &= y
			case bitOr:
				x |= y
			case bitXor:
				x ^= y
			case bitLeft:
				x = int64(uint64(x) << uint64(y))
			default:
				x = int64(uint64(x) >> uint64(y))
			}
			o.I[j] = x
		}
		return ka
	})
}

// bitNot binds d = ^x, or for bools (logical) d = x ^ 1, on wide values.
func bitNot(par ops.Parallel, d, x *ops.Tensor, logical bool) func() error {
	mask := int64(-1)
	if logical {
		mask = 1
	}
	return wide.BindMap(par, d, x, func(w *wide.Chunk, n int, kx wide.Kind) wide.Kind {
		for j := range n {
			w.I[j] ^= mask
		}
		return kx
	})
}

// intKernels are the kernels of the integer types only.
type intKernels struct {
	// bitwise binds d = a k b (see bindBitwise).
	bitwise func(par ops.Parallel, k bitKind, d, a, b *ops.Tensor, aShape, bShape []int) func()
	// not binds d = ^x, or for bools (logical) d = !x.
	not func(par ops.Parallel, d, x *ops.Tensor, logical bool) func() error
}

// intTable holds the integer kernels per element type, the same for all
// (they compute on wide values); Bool computes And, Or and Xor of 0/1
// bytes.
var intTable = func() map[ops.DType]intKernels {
	m := map[ops.DType]intKernels{}
	for _, t := range []ops.DType{onnx.Int8, onnx.Int16, onnx.Int32, onnx.Int64, onnx.Uint8, onnx.Uint16, onnx.Uint32, onnx.Uint64, onnx.Bool} {
		m[t] = intKernels{bitwise: bindBitwise, not: bitNot}
	}
	return m
}()

// bindMod binds d = a mod b (see bindZip) on wide values: C's fmod when
// fmod is set (floats, or integers truncating toward zero), else Python's
// % for integers (the result takes the divisor's sign). An integer modulo
// by zero gives 0 rather than failing. A float's fmod in float64 is the
// exact remainder, which its own type holds; an integer's remainder in
// int64 is the narrow type's, and lies between 0 and the divisor, as does
// the sum Python's rule may make of it.
func bindMod[T ops.Numeric](par ops.Parallel, fmod bool, d, a, b *ops.Tensor, aShape, bShape []int) func() {
	return bindModOf(par, fmod, d, a, b, aShape, bShape)
}

// bindModOf is bindMod for a's type, whatever it is.
func bindModOf(par ops.Parallel, fmod bool, d, a, b *ops.Tensor, aShape, bShape []int) func() {
	return wide.BindZip(par, d, a, b, aShape, bShape, func(o, a, b *wide.Chunk, n, sa, sb int, ka, _ wide.Kind) wide.Kind {
		for j := range n {
			x, y := j*sa, j*sb
			switch {
			case ka == wide.Float:
				o.F[j] = math.Mod(a.F[x], b.F[y])
			case b.I[y] == 0:
				o.I[j] = 0
			case ka == wide.Uint64: // both rules agree
				o.I[j] = int64(uint64(a.I[x]) % uint64(b.I[y]))
			default:
				r, m := a.I[x]%b.I[y], b.I[y]
				if !fmod && r != 0 && (r < 0) != (m < 0) {
					r += m
				}
				o.I[j] = r
			}
		}
		return ka
	})
}

// bindPow binds d = a ** e: integers to a non-negative integer power by
// exact repeated squaring (wrapping like integer multiplication), all else
// math.Pow in float64 converted to the base's type (truncating toward zero
// for an integer base). float32 to a float32 power runs on its own loops;
// the other pairs of types on wide values, which give the same results:
// int64 multiplication wraps to the same low bits as int32's, and a
// float64 result converts to int32 as int32 conversion does.
func bindPow(par ops.Parallel, d, a, e *ops.Tensor, aShape, eShape []int) func() {
	if a.Type == onnx.Float && e.Type == onnx.Float {
		return bindZip(par, d, a, e, aShape, eShape, powRunF32)
	}
	int32Base := a.Type == onnx.Int32
	return wide.BindZip(par, d, a, e, aShape, eShape, func(o, a, e *wide.Chunk, n, sa, se int, ka, ke wide.Kind) wide.Kind {
		for j := range n {
			x, y := j*sa, j*se
			var p float64
			switch {
			case ka != wide.Float && ke == wide.Uint64 || ka != wide.Float && ke == wide.Int && e.I[y] >= 0:
				r, b := int64(1), a.I[x]
				for m := uint64(e.I[y]); m > 0; m >>= 1 {
					if m&1 != 0 {
						r *= b
					}
					b *= b
				}
				o.I[j] = r
				continue
			case ke == wide.Float:
				p = e.F[y]
			case ke == wide.Uint64:
				p = float64(uint64(e.I[y]))
			default:
				p = float64(e.I[y])
			}
			if ka == wide.Float {
				o.F[j] = math.Pow(a.F[x], p)
				continue
			}
			p = math.Pow(float64(a.I[x]), p)
			if int32Base {
				o.I[j] = int64(int32(p))
			} else {
				o.I[j] = int64(p)
			}
		}
		return ka
	})
}

// powRunF32 is a run of float32 Pow. A broadcast exponent of 2 (a square
// in a decomposed normalization or distance) or 1 skips math.Pow.
func powRunF32(d, a, e []float32) {
	if len(e) == 1 && len(a) == len(d) {
		switch e[0] {
		case 2:
			for i, v := range a {
				d[i] = v * v
			}
			return
		case 1:
			copy(d, a)
			return
		}
	}
	zipRun(d, a, e, func(a, e float32) float32 { return float32(math.Pow(float64(a), float64(e))) })
}

// powTable holds Pow's kernels per base type (the spec's: int32, int64 and
// the floats).
var powTable = map[ops.DType]func(par ops.Parallel, d, a, e *ops.Tensor, aShape, eShape []int) func(){
	onnx.Float:  bindPow,
	onnx.Double: bindPow,
	onnx.Int32:  bindPow,
	onnx.Int64:  bindPow,
}
