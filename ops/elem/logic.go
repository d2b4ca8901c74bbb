package elem

import (
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
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
	if r {
		return 1
	}
	return 0
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

// bindCompare binds d = a k b into bool d (see bindZip).
func bindCompare[T ops.Numeric](par ops.Parallel, k cmpKind, d, a, b *ops.Tensor, aShape, bShape []int) func() {
	return bindZip(par, d, a, b, aShape, bShape, func(d []uint8, a, b []T) { cmpRun(k, d, a, b) })
}

// integer is the integer element types, which the bitwise operators take.
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

// bitScalar applies k to one pair.
func bitScalar[T integer](k bitKind, a, b T) T {
	switch k {
	case bitAnd:
		return a & b
	case bitOr:
		return a | b
	case bitXor:
		return a ^ b
	case bitLeft:
		return a << b
	}
	return a >> b
}

// bitRun applies k to a run of bindZip.
func bitRun[T integer](k bitKind, d, a, b []T) {
	switch n := len(d); {
	case len(a) == n && len(b) == n:
		a, b = a[:n], b[:n]
		for i := range d {
			d[i] = bitScalar(k, a[i], b[i])
		}
	case len(a) == n:
		s := b[0]
		for i, v := range a[:n] {
			d[i] = bitScalar(k, v, s)
		}
	case len(b) == n:
		s := a[0]
		for i, v := range b[:n] {
			d[i] = bitScalar(k, s, v)
		}
	default:
		ops.Fill(d, bitScalar(k, a[0], b[0]))
	}
}

// bindBitwise binds d = a k b (see bindZip).
func bindBitwise[T integer](par ops.Parallel, k bitKind, d, a, b *ops.Tensor, aShape, bShape []int) func() {
	return bindZip(par, d, a, b, aShape, bShape, func(d, a, b []T) { bitRun(k, d, a, b) })
}

// bitNot binds d = ^x, or for bools (logical) d = x ^ 1.
func bitNot[T integer](par ops.Parallel, d, x *ops.Tensor, logical bool) func() error {
	var mask T = ^T(0)
	if logical {
		mask = 1
	}
	return ops.BindMap(par, ops.Grain, d, x, func(d, x []T) {
		for i, v := range x {
			d[i] = v ^ mask
		}
	})
}

// intKernels are the kernels of the integer types only.
type intKernels struct {
	// bitwise binds d = a k b (see bindZip).
	bitwise func(par ops.Parallel, k bitKind, d, a, b *ops.Tensor, aShape, bShape []int) func()
	// not binds d = ^x, or for bools (logical) d = !x.
	not func(par ops.Parallel, d, x *ops.Tensor, logical bool) func() error
}

func intKernelsOf[T integer]() intKernels {
	return intKernels{bitwise: bindBitwise[T], not: bitNot[T]}
}

// intTable holds the integer kernels per element type; Bool shares
// uint8's, which computes And, Or and Xor of 0/1 bytes.
var intTable = map[ops.DType]intKernels{
	onnx.Int8:   intKernelsOf[int8](),
	onnx.Int16:  intKernelsOf[int16](),
	onnx.Int32:  intKernelsOf[int32](),
	onnx.Int64:  intKernelsOf[int64](),
	onnx.Uint8:  intKernelsOf[uint8](),
	onnx.Uint16: intKernelsOf[uint16](),
	onnx.Uint32: intKernelsOf[uint32](),
	onnx.Uint64: intKernelsOf[uint64](),
	onnx.Bool:   intKernelsOf[uint8](),
}

// modOf is Mod's function for T: C's fmod when fmod is set (floats, or
// integers truncating toward zero), else Python's % for integers (the
// result takes the divisor's sign). An integer modulo by zero gives 0
// rather than failing.
func modOf[T ops.Numeric](fmod bool) func(a, b T) T {
	if !ops.IsIntegral[T]() {
		return func(a, b T) T { return T(math.Mod(float64(a), float64(b))) }
	}
	var z T
	if z-1 > 0 { // unsigned: both rules agree
		return func(a, b T) T {
			if b == 0 {
				return 0
			}
			return T(uint64(a) % uint64(b))
		}
	}
	return func(a, b T) T {
		if b == 0 {
			return 0
		}
		r := T(int64(a) % int64(b))
		if !fmod && r != 0 && (r < 0) != (b < 0) {
			r += b
		}
		return r
	}
}

// bindMod binds d = a mod b (see modOf and bindZip).
func bindMod[T ops.Numeric](par ops.Parallel, fmod bool, d, a, b *ops.Tensor, aShape, bShape []int) func() {
	f := modOf[T](fmod)
	return bindZip(par, d, a, b, aShape, bShape, func(d, a, b []T) { zipRun(d, a, b, f) })
}

// powOf is Pow's function for base T and exponent E: exact repeated
// squaring (wrapping like integer multiplication) when both are integers
// and the exponent is not negative, else math.Pow in float64 converted to
// T (truncating toward zero for an integer base).
func powOf[T, E ops.Numeric]() func(a T, e E) T {
	if ops.IsIntegral[T]() && ops.IsIntegral[E]() {
		return func(a T, e E) T {
			if e < 0 {
				return T(math.Pow(float64(a), float64(e)))
			}
			r, n := T(1), uint64(e)
			for n > 0 {
				if n&1 != 0 {
					r *= a
				}
				a *= a
				n >>= 1
			}
			return r
		}
	}
	return func(a T, e E) T { return T(math.Pow(float64(a), float64(e))) }
}

// powRun is a run of Pow. A broadcast exponent of 2 (a square in a
// decomposed normalization or distance) or 1 skips math.Pow.
func powRun[T, E ops.Numeric](d, a []T, e []E, f func(T, E) T) {
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
	zipRun(d, a, e, f)
}

// bindPowE binds d = a ** e for exponent type E (see bindZip).
func bindPowE[T, E ops.Numeric](par ops.Parallel, d, a, e *ops.Tensor, aShape, eShape []int) func() {
	f := powOf[T, E]()
	return bindZip(par, d, a, e, aShape, eShape, func(d, a []T, e []E) { powRun(d, a, e, f) })
}

// bindPow binds d = a ** e for base type T, dispatching on e's type.
func bindPow[T ops.Numeric](par ops.Parallel, d, a, e *ops.Tensor, aShape, eShape []int) func() {
	switch e.Type {
	case onnx.Float:
		return bindPowE[T, float32](par, d, a, e, aShape, eShape)
	case onnx.Double:
		return bindPowE[T, float64](par, d, a, e, aShape, eShape)
	case onnx.Int8:
		return bindPowE[T, int8](par, d, a, e, aShape, eShape)
	case onnx.Int16:
		return bindPowE[T, int16](par, d, a, e, aShape, eShape)
	case onnx.Int32:
		return bindPowE[T, int32](par, d, a, e, aShape, eShape)
	case onnx.Int64:
		return bindPowE[T, int64](par, d, a, e, aShape, eShape)
	case onnx.Uint8:
		return bindPowE[T, uint8](par, d, a, e, aShape, eShape)
	case onnx.Uint16:
		return bindPowE[T, uint16](par, d, a, e, aShape, eShape)
	case onnx.Uint32:
		return bindPowE[T, uint32](par, d, a, e, aShape, eShape)
	}
	return bindPowE[T, uint64](par, d, a, e, aShape, eShape)
}

// powTable holds Pow's kernels per base type (the spec's: int32, int64 and
// the floats).
var powTable = map[ops.DType]func(par ops.Parallel, d, a, e *ops.Tensor, aShape, eShape []int) func(){
	onnx.Float:  bindPow[float32],
	onnx.Double: bindPow[float64],
	onnx.Int32:  bindPow[int32],
	onnx.Int64:  bindPow[int64],
}
