package ops

import (
	"math"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// Numeric is every element type the element-wise kernels compute (bool is
// stored as uint8).
type Numeric interface {
	~float32 | ~float64 | ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// Float is the floating-point subset of ewNumeric.
type Float interface{ ~float32 | ~float64 }

// Grain is the smallest number of cheap element operations worth a goroutine.
const Grain = 1 << 14

// Elems is t's elements as T, exactly t.Len() of them (nil for a nil tensor).
func Elems[T Numeric](t *Tensor) []T {
	if t == nil {
		return nil
	}
	return View[T](t.Data)[:t.Len()]
}

// IsNumeric reports whether t is a type the element-wise kernels compute.
func IsNumeric(t DType) bool {
	switch t {
	case onnx.Float, onnx.Double, onnx.Int8, onnx.Int16, onnx.Int32, onnx.Int64,
		onnx.Uint8, onnx.Uint16, onnx.Uint32, onnx.Uint64:
		return true
	}
	return false
}

// IsFloat reports whether t is float32 or float64.
func IsFloat(t DType) bool { return t == onnx.Float || t == onnx.Double }

// IsIntegral reports whether T is an integer type.
func IsIntegral[T Numeric]() bool {
	var z T
	switch any(z).(type) {
	case float32, float64:
		return false
	}
	return true
}

// TypeLimits is the lowest and highest value of T (-Inf and +Inf for floats).
func TypeLimits[T Numeric]() (lo, hi T) {
	if !IsIntegral[T]() {
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

// BroadcastPlan maps two or three operands onto their broadcast output.
// Output dimensions of size 1 are dropped and adjacent dimensions that all
// operands traverse alike are merged, so a same-shape pair becomes one
// dimension with unit strides, a scalar operand one dimension with stride
// 0, and a per-channel [C,1,1] against [N,C,H,W] the three dimensions N, C,
// H*W with an inner stride of 0.
type BroadcastPlan struct {
	dims       []int // merged output dimensions, outermost first; never empty
	sa, sb, sc []int // element strides of a, b and c per merged dimension, 0 where broadcast
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

// NewBroadcastPlan plans the broadcast of shapes a and b onto out, which must be
// their broadcast shape (or, for unidirectional broadcasting, a's shape).
func NewBroadcastPlan(out, a, b []int) *BroadcastPlan { return NewBroadcastPlan3(out, a, b, nil) }

// NewBroadcastPlan3 plans the broadcast of shapes a, b and c onto out, their
// broadcast shape (Where's three operands).
func NewBroadcastPlan3(out, a, b, c []int) *BroadcastPlan {
	r := len(out)
	as, bs, cs := bcPaddedStrides(a, r), bcPaddedStrides(b, r), bcPaddedStrides(c, r)
	p := &BroadcastPlan{}
	for i, d := range out {
		if d == 1 {
			continue
		}
		n := len(p.dims)
		if n > 0 && p.sa[n-1] == as[i]*d && p.sb[n-1] == bs[i]*d && p.sc[n-1] == cs[i]*d {
			p.dims[n-1] *= d
			p.sa[n-1], p.sb[n-1], p.sc[n-1] = as[i], bs[i], cs[i]
			continue
		}
		p.dims = append(p.dims, d)
		p.sa = append(p.sa, as[i])
		p.sb = append(p.sb, bs[i])
		p.sc = append(p.sc, cs[i])
	}
	if len(p.dims) == 0 {
		p.dims, p.sa, p.sb, p.sc = []int{1}, []int{0}, []int{0}, []int{0}
	}
	return p
}

// Walk visits the output elements [lo, hi) as runs along the innermost
// merged dimension. For each run fn gets the output offset o, the run length
// n and the offsets of a and b; na and nb are n for an operand that advances
// along the run and 1 for one that stays on a single (broadcast) element.
func (p *BroadcastPlan) Walk(lo, hi int, fn func(o, n, ia, na, ib, nb int)) {
	p.Walk3(lo, hi, func(o, n, ia, na, ib, nb, _, _ int) { fn(o, n, ia, na, ib, nb) })
}

// Walk3 is Walk for a plan of three operands: fn also gets c's offset ic
// and its count nc (n or 1).
func (p *BroadcastPlan) Walk3(lo, hi int, fn func(o, n, ia, na, ib, nb, ic, nc int)) {
	if lo >= hi {
		return
	}
	last := len(p.dims) - 1
	inner, ain, bin, cin := p.dims[last], p.sa[last], p.sb[last], p.sc[last]
	var buf [8]int
	idx := buf[:]
	if last >= len(buf) {
		idx = make([]int, last+1)
	}
	idx = idx[:last+1]
	ia, ib, ic := 0, 0, 0
	rem := lo
	for k := last; k >= 0; k-- {
		idx[k] = rem % p.dims[k]
		rem /= p.dims[k]
		ia += idx[k] * p.sa[k]
		ib += idx[k] * p.sb[k]
		ic += idx[k] * p.sc[k]
	}
	for o := lo; o < hi; {
		n := min(inner-idx[last], hi-o)
		na, nb, nc := 1, 1, 1
		if ain != 0 {
			na = n
		}
		if bin != 0 {
			nb = n
		}
		if cin != 0 {
			nc = n
		}
		fn(o, n, ia, na, ib, nb, ic, nc)
		o += n
		if o >= hi {
			return
		}
		// The run reached the row's end: rewind to its start and step the outer dimensions.
		ia -= idx[last] * ain
		ib -= idx[last] * bin
		ic -= idx[last] * cin
		idx[last] = 0
		for k := last - 1; k >= 0; k-- {
			idx[k]++
			ia += p.sa[k]
			ib += p.sb[k]
			ic += p.sc[k]
			if idx[k] < p.dims[k] {
				break
			}
			ia -= p.sa[k] * p.dims[k]
			ib -= p.sb[k] * p.dims[k]
			ic -= p.sc[k] * p.dims[k]
			idx[k] = 0
		}
	}
}

// BindZipBytes returns a step function applying run to the broadcast runs
// of d, a and b (with a and b broadcast onto d as aShape and bShape) on
// their bytes, split across par: run gets a run's bytes of d and the
// matching bytes of a and b, where an operand that stays on one
// (broadcast) element along the run gives that element alone. Being
// untyped, it is one loop for every element type: typed kernels view the
// bytes they get. The broadcast plan and the loop body are made once; the
// tensors' data are read at every call.
func BindZipBytes(par Parallel, d, a, b *Tensor, aShape, bShape []int, run func(d, a, b []byte)) func() {
	p := NewBroadcastPlan(d.Shape, aShape, bShape)
	ds, as, bs := ElemSize(d.Type), ElemSize(a.Type), ElemSize(b.Type)
	walk := func(o, n, ia, na, ib, nb int) {
		run(d.Data[o*ds:(o+n)*ds], a.Data[ia*as:(ia+na)*as], b.Data[ib*bs:(ib+nb)*bs])
	}
	body := func(lo, hi int) { p.Walk(lo, hi, walk) }
	n := d.Len()
	return func() { par.For(n, Grain, body) }
}

// InputAt is in[i], or nil when the node has fewer inputs or omitted it.
func InputAt(in []*Tensor, i int) *Tensor {
	if i < len(in) {
		return in[i]
	}
	return nil
}
