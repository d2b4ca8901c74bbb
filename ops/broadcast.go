package ops

import (
	"math"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// This file holds the machinery shared by the element-wise families: the
// numeric type constraints, typed tensor views, the broadcasting plan and the
// per-type kernel table that maps a tensor's DType onto generic kernels.

// ewNumeric is every element type the element-wise kernels compute (bool is
// stored as uint8).
type ewNumeric interface {
	~float32 | ~float64 | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// ewFloat is the floating-point subset of ewNumeric.
type ewFloat interface{ ~float32 | ~float64 }

// ewGrain is the smallest number of cheap element operations worth a goroutine.
const ewGrain = 1 << 14

// ewElems is t's elements as T, exactly t.Len() of them (nil for a nil tensor).
func ewElems[T ewNumeric](t *Tensor) []T {
	if t == nil {
		return nil
	}
	return view[T](t.Data)[:t.Len()]
}

// isEwNumeric reports whether t is a type the element-wise kernels compute.
func isEwNumeric(t DType) bool {
	switch t {
	case onnx.Float, onnx.Double, onnx.Int8, onnx.Int16, onnx.Int32, onnx.Int64,
		onnx.Uint8, onnx.Uint16, onnx.Uint32, onnx.Uint64:
		return true
	}
	return false
}

// isEwFloat reports whether t is float32 or float64.
func isEwFloat(t DType) bool { return t == onnx.Float || t == onnx.Double }

// ewIntegral reports whether T is an integer type.
func ewIntegral[T ewNumeric]() bool {
	var z T
	switch any(z).(type) {
	case float32, float64:
		return false
	}
	return true
}

// ewLimits is the lowest and highest value of T (-Inf and +Inf for floats).
func ewLimits[T ewNumeric]() (lo, hi T) {
	if !ewIntegral[T]() {
		inf := math.Inf(1)
		return T(-inf), T(inf)
	}
	var z T
	bits := 8 * unsafe.Sizeof(z)
	if z-1 < 0 { // signed
		h := int64(uint64(1)<<(bits-1) - 1)
		return T(-h - 1), T(h)
	}
	return 0, T(^uint64(0) >> (64 - bits))
}

// bcPlan maps two operands onto their broadcast output. Output dimensions of
// size 1 are dropped and adjacent dimensions that both operands traverse alike
// are merged, so a same-shape pair becomes one dimension with unit strides, a
// scalar operand one dimension with stride 0, and a per-channel [C,1,1]
// against [N,C,H,W] the three dimensions N, C, H*W with an inner stride of 0.
type bcPlan struct {
	dims   []int // merged output dimensions, outermost first; never empty
	sa, sb []int // element strides of a and b per merged dimension, 0 where broadcast
}

// bcPaddedStrides is shape's row-major strides after left-padding it with 1s
// to rank r, with 0 for every dimension of size 1.
func bcPaddedStrides(shape []int, r int) []int {
	st := make([]int, r)
	s := 1
	off := r - len(shape)
	for i := len(shape) - 1; i >= 0; i-- {
		if shape[i] != 1 {
			st[off+i] = s
		}
		s *= shape[i]
	}
	return st
}

// newBcPlan plans the broadcast of shapes a and b onto out, which must be
// their broadcast shape (or, for unidirectional broadcasting, a's shape).
func newBcPlan(out, a, b []int) *bcPlan {
	r := len(out)
	as, bs := bcPaddedStrides(a, r), bcPaddedStrides(b, r)
	p := &bcPlan{}
	for i, d := range out {
		if d == 1 {
			continue
		}
		n := len(p.dims)
		if n > 0 && p.sa[n-1] == as[i]*d && p.sb[n-1] == bs[i]*d {
			p.dims[n-1] *= d
			p.sa[n-1], p.sb[n-1] = as[i], bs[i]
			continue
		}
		p.dims = append(p.dims, d)
		p.sa = append(p.sa, as[i])
		p.sb = append(p.sb, bs[i])
	}
	if len(p.dims) == 0 {
		p.dims, p.sa, p.sb = []int{1}, []int{0}, []int{0}
	}
	return p
}

// walk visits the output elements [lo, hi) as runs along the innermost
// merged dimension. For each run fn gets the output offset o, the run length
// n and the offsets of a and b; na and nb are n for an operand that advances
// along the run and 1 for one that stays on a single (broadcast) element.
func (p *bcPlan) walk(lo, hi int, fn func(o, n, ia, na, ib, nb int)) {
	if lo >= hi {
		return
	}
	last := len(p.dims) - 1
	inner, ain, bin := p.dims[last], p.sa[last], p.sb[last]
	var buf [8]int
	idx := buf[:]
	if last >= len(buf) {
		idx = make([]int, last+1)
	}
	idx = idx[:last+1]
	ia, ib := 0, 0
	rem := lo
	for k := last; k >= 0; k-- {
		idx[k] = rem % p.dims[k]
		rem /= p.dims[k]
		ia += idx[k] * p.sa[k]
		ib += idx[k] * p.sb[k]
	}
	for o := lo; o < hi; {
		n := min(inner-idx[last], hi-o)
		na, nb := 1, 1
		if ain != 0 {
			na = n
		}
		if bin != 0 {
			nb = n
		}
		fn(o, n, ia, na, ib, nb)
		o += n
		if o >= hi {
			return
		}
		// The run reached the row's end: rewind to its start and step the outer dimensions.
		ia -= idx[last] * ain
		ib -= idx[last] * bin
		idx[last] = 0
		for k := last - 1; k >= 0; k-- {
			idx[k]++
			ia += p.sa[k]
			ib += p.sb[k]
			if idx[k] < p.dims[k] {
				break
			}
			ia -= p.sa[k] * p.dims[k]
			ib -= p.sb[k] * p.dims[k]
			idx[k] = 0
		}
	}
}

// binKind names a binary element-wise function.
type binKind int

// Binary element-wise functions.
const (
	binAdd   binKind = iota // a + b
	binSub                  // a - b
	binMul                  // a * b
	binDiv                  // a / b; integers truncate toward zero and give 0 for b = 0
	binPRelu                // a < 0 ? a*b : a (b is the slope)
)

// binScalar applies k to one pair; the loops below are its unrolled forms.
func binScalar[T ewNumeric](k binKind, a, b T) T {
	switch k {
	case binAdd:
		return a + b
	case binSub:
		return a - b
	case binMul:
		return a * b
	case binDiv:
		return ewDiv(a, b)
	}
	return ewPRelu(a, b)
}

// ewDiv is a / b, with 0 for an integer division by zero (as numpy does),
// since Go would panic.
func ewDiv[T ewNumeric](a, b T) T {
	if b == 0 && ewIntegral[T]() {
		return 0
	}
	return a / b
}

// ewPRelu is x scaled by slope when negative.
func ewPRelu[T ewNumeric](x, slope T) T {
	if x < 0 {
		return x * slope
	}
	return x
}

// binRun computes d[i] = a[i] k b[i] where len(a) and len(b) are each
// either len(d) or 1 (a broadcast scalar; both are when d is larger than
// the operands' broadcast, as for the first pair of a Sum). Each common case is its own tight
// loop; integer division keeps its zero check out of the float loops.
func binRun[T ewNumeric](k binKind, d, a, b []T) {
	n := len(d)
	integral := ewIntegral[T]()
	switch {
	case len(a) == n && len(b) == n:
		a, b = a[:n], b[:n]
		switch {
		case k == binAdd:
			for i := range d {
				d[i] = a[i] + b[i]
			}
		case k == binSub:
			for i := range d {
				d[i] = a[i] - b[i]
			}
		case k == binMul:
			for i := range d {
				d[i] = a[i] * b[i]
			}
		case k == binDiv && !integral:
			for i := range d {
				d[i] = a[i] / b[i]
			}
		case k == binPRelu:
			for i := range d {
				d[i] = ewPRelu(a[i], b[i])
			}
		default:
			for i := range d {
				d[i] = binScalar(k, a[i], b[i])
			}
		}
	case len(a) == n: // b is a scalar
		a, s := a[:n], b[0]
		switch {
		case k == binAdd:
			for i := range d {
				d[i] = a[i] + s
			}
		case k == binSub:
			for i := range d {
				d[i] = a[i] - s
			}
		case k == binMul:
			for i := range d {
				d[i] = a[i] * s
			}
		case k == binDiv && !integral:
			for i := range d {
				d[i] = a[i] / s
			}
		case k == binPRelu:
			for i := range d {
				d[i] = ewPRelu(a[i], s)
			}
		default:
			for i := range d {
				d[i] = binScalar(k, a[i], s)
			}
		}
	case len(b) != n: // both are scalars, broadcast onto a larger d (Sum's first pair)
		v := binScalar(k, a[0], b[0])
		for i := range d {
			d[i] = v
		}
	default: // a is a scalar
		s, b := a[0], b[:n]
		switch k {
		case binAdd, binMul:
			binRun(k, d, b, a)
		case binSub:
			for i := range d {
				d[i] = s - b[i]
			}
		default:
			for i := range d {
				d[i] = binScalar(k, s, b[i])
			}
		}
	}
}

// bindBinary returns a step function computing d = a k b, with a and b
// broadcast onto d as aShape and bShape, split across par. The broadcast
// plan and the loop body are made once here; the tensors' data are read
// at every call.
func bindBinary[T ewNumeric](par Parallel, k binKind, d, a, b *Tensor, aShape, bShape []int) func() {
	p := newBcPlan(d.Shape, aShape, bShape)
	var dv, av, bv []T
	body := func(lo, hi int) {
		p.walk(lo, hi, func(o, n, ia, na, ib, nb int) {
			binRun(k, dv[o:o+n], av[ia:ia+na], bv[ib:ib+nb])
		})
	}
	n := d.Len()
	return func() {
		dv, av, bv = ewElems[T](d), ewElems[T](a), ewElems[T](b)
		par.For(n, ewGrain, body)
	}
}

// ewKernels are the generic kernels instantiated for one element type.
type ewKernels struct {
	// binary binds d = a k b (see bindBinary); aShape and bShape are the
	// operands' shapes as broadcast onto d (they may differ from a.Shape and
	// b.Shape for legacy axis broadcasting).
	binary func(par Parallel, k binKind, d, a, b *Tensor, aShape, bShape []int) func()
	// relu binds d = max(x, 0).
	relu func(par Parallel, d, x *Tensor) func() error
	// clip binds d = min(max(x, lo), hi) with c's bounds; lo and hi are
	// the optional single-element bound inputs (nil when omitted).
	clip func(par Parallel, c *clipOp, d, x, lo, hi *Tensor) func() error
	// castTo binds the conversion of x (of this type) into d's type.
	castTo func(par Parallel, d, x *Tensor) func() error
}

func ewKernelsOf[T ewNumeric]() ewKernels {
	return ewKernels{
		binary: bindBinary[T],
		relu:   bindRelu[T],
		clip:   bindClip[T],
		castTo: castFrom[T],
	}
}

// ewTable holds the kernels per element type; Bool shares uint8's storage.
var ewTable = map[DType]ewKernels{
	onnx.Float:  ewKernelsOf[float32](),
	onnx.Double: ewKernelsOf[float64](),
	onnx.Int8:   ewKernelsOf[int8](),
	onnx.Int16:  ewKernelsOf[int16](),
	onnx.Int32:  ewKernelsOf[int32](),
	onnx.Int64:  ewKernelsOf[int64](),
	onnx.Uint8:  ewKernelsOf[uint8](),
	onnx.Uint16: ewKernelsOf[uint16](),
	onnx.Uint32: ewKernelsOf[uint32](),
	onnx.Uint64: ewKernelsOf[uint64](),
	onnx.Bool:   ewKernelsOf[uint8](),
}

// ewInput is in[i], or nil when the node has fewer inputs or omitted it.
func ewInput(in []*Tensor, i int) *Tensor {
	if i < len(in) {
		return in[i]
	}
	return nil
}
