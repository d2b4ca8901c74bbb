package elem

import (
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/vec"
)

// This file holds the machinery shared by the element-wise families: the
// numeric type constraints, typed tensor views, the broadcasting plan and the
// per-type kernel table that maps a tensor's DType onto generic kernels.

// binKind names a binary element-wise function.
type binKind int

// Binary element-wise functions.
const (
	binAdd   binKind = iota // a + b
	binSub                  // a - b
	binMul                  // a * b
	binDiv                  // a / b; integers truncate toward zero and give 0 for b = 0
	binPRelu                // a < 0 ? a*b : a (b is the slope)
	binMax                  // max(a, b), NaN if either is NaN
	binMin                  // min(a, b), NaN if either is NaN
)

// binScalar applies k to one pair; the loops below are its unrolled forms.
func binScalar[T ops.Numeric](k binKind, a, b T) T {
	switch k {
	case binAdd:
		return a + b
	case binSub:
		return a - b
	case binMul:
		return a * b
	case binDiv:
		return ewDiv(a, b)
	case binMax:
		return ewMax(a, b)
	case binMin:
		return ewMin(a, b)
	}
	return ewPRelu(a, b)
}

// ewMax is the larger of a and b, or NaN when either is NaN.
func ewMax[T ops.Numeric](a, b T) T {
	if a > b || a != a {
		return a
	}
	return b
}

// ewMin is the smaller of a and b, or NaN when either is NaN.
func ewMin[T ops.Numeric](a, b T) T {
	if a < b || a != a {
		return a
	}
	return b
}

// ewDiv is a / b, with 0 for an integer division by zero (as numpy does),
// since Go would panic.
func ewDiv[T ops.Numeric](a, b T) T {
	if b == 0 && ops.IsIntegral[T]() {
		return 0
	}
	return a / b
}

// ewPRelu is x scaled by slope when negative.
func ewPRelu[T ops.Numeric](x, slope T) T {
	if x < 0 {
		return x * slope
	}
	return x
}

// binRun computes d[i] = a[i] k b[i] where len(a) and len(b) are each
// either len(d) or 1 (a broadcast scalar; both are when d is larger than
// the operands' broadcast, as for the first pair of a Sum). Each common case is its own tight
// loop; integer division keeps its zero check out of the float loops.
func binRun[T ops.Numeric](k binKind, d, a, b []T) {
	n := len(d)
	integral := ops.IsIntegral[T]()
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
		case k == binMax:
			for i := range d {
				d[i] = ewMax(a[i], b[i])
			}
		case k == binMin:
			for i := range d {
				d[i] = ewMin(a[i], b[i])
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
		case k == binMax:
			for i := range d {
				d[i] = ewMax(a[i], s)
			}
		case k == binMin:
			for i := range d {
				d[i] = ewMin(a[i], s)
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
		case binMax, binMin: // symmetric, NaN winning either way
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

// vecOps maps the kinds but PRelu onto package vec's binary functions,
// whose NaN rules are binScalar's.
var vecOps = [...]vec.Op{binAdd: vec.OpAdd, binSub: vec.OpSub, binMul: vec.OpMul, binDiv: vec.OpDiv, binMax: vec.OpMax, binMin: vec.OpMin}

// binRunF32 is binRun for float32 with package vec's SIMD loops. A PRelu
// whose slope stays on one value for the run is a LeakyRelu; its other
// forms are binRun's.
func binRunF32(k binKind, d, a, b []float32) {
	n := len(d)
	if k == binPRelu {
		if len(a) == n && len(b) == 1 {
			vec.LeakyRelu(d, a, b[0])
			return
		}
		binRun(k, d, a, b)
		return
	}
	switch op := vecOps[k]; {
	case len(a) == n && len(b) == n:
		vec.Binary(op, d, a, b)
	case len(a) == n:
		vec.BinaryScalar(op, d, a, b[0])
	case len(b) == n:
		vec.ScalarBinary(op, d, a[0], b)
	default: // both scalars, broadcast onto a larger d (Sum's first pair)
		ops.Fill(d, binScalar(k, a[0], b[0]))
	}
}

// bindBinary returns a step function computing d = a k b, with a and b
// broadcast onto d as aShape and bShape, split across par (see bindZip).
// float32 runs in binRunF32's SIMD loops.
func bindBinary[T ops.Numeric](par ops.Parallel, k binKind, d, a, b *ops.Tensor, aShape, bShape []int) func() {
	var z T
	if _, ok := any(z).(float32); ok {
		return bindZip(par, d, a, b, aShape, bShape, func(d, a, b []float32) { binRunF32(k, d, a, b) })
	}
	return bindZip(par, d, a, b, aShape, bShape, func(d, a, b []T) { binRun(k, d, a, b) })
}

// bindZip returns a step function applying run to the broadcast runs of d,
// a and b (with a and b broadcast onto d as aShape and bShape), split
// across par. run gets matching slices of d, a and b, where a or b holds a
// single element when it stays on one (broadcast) element for the run.
// The broadcast plan and the loop body are made once here; the tensors'
// data are read at every call.
func bindZip[D, A, B ops.Numeric](par ops.Parallel, d, a, b *ops.Tensor, aShape, bShape []int, run func(d []D, a []A, b []B)) func() {
	p := ops.NewBroadcastPlan(d.Shape, aShape, bShape)
	var dv []D
	var av []A
	var bv []B
	walk := func(o, n, ia, na, ib, nb int) { run(dv[o:o+n], av[ia:ia+na], bv[ib:ib+nb]) }
	body := func(lo, hi int) { p.Walk(lo, hi, walk) }
	n := d.Len()
	return func() {
		dv, av, bv = ops.Elems[D](d), ops.Elems[A](a), ops.Elems[B](b)
		par.For(n, ops.Grain, body)
	}
}

// zipRun sets d[i] = f(a[i], b[i]) for a run of bindZip, where a or b may
// hold a single broadcast element. It serves the costly functions (Pow,
// Mod...), for which the call through f does not matter.
func zipRun[D, A, B any](d []D, a []A, b []B, f func(A, B) D) {
	switch n := len(d); {
	case len(a) == n && len(b) == n:
		a, b = a[:n], b[:n]
		for i := range d {
			d[i] = f(a[i], b[i])
		}
	case len(a) == n:
		s := b[0]
		for i, v := range a[:n] {
			d[i] = f(v, s)
		}
	case len(b) == n:
		s := a[0]
		for i, v := range b[:n] {
			d[i] = f(s, v)
		}
	default:
		ops.Fill(d, f(a[0], b[0]))
	}
}

// ewKernels are the generic kernels instantiated for one element type.
type ewKernels struct {
	// binary binds d = a k b (see bindBinary); aShape and bShape are the
	// operands' shapes as broadcast onto d (they may differ from a.Shape and
	// b.Shape for legacy axis broadcasting).
	binary func(par ops.Parallel, k binKind, d, a, b *ops.Tensor, aShape, bShape []int) func()
	// unary binds d = u(x) (see bindUnary).
	unary func(par ops.Parallel, u *unaryOp, d, x *ops.Tensor) func() error
	// clip binds d = min(max(x, lo), hi) with c's bounds; lo and hi are
	// the optional single-element bound inputs (nil when omitted).
	clip func(par ops.Parallel, c *clipOp, d, x, lo, hi *ops.Tensor) func() error
	// castTo binds the conversion of x (of this type) into d's type.
	castTo func(par ops.Parallel, d, x *ops.Tensor) func() error
	// compare binds bool d = a k b (see bindCompare).
	compare func(par ops.Parallel, k cmpKind, d, a, b *ops.Tensor, aShape, bShape []int) func()
	// mod binds d = a mod b (see bindMod).
	mod func(par ops.Parallel, fmod bool, d, a, b *ops.Tensor, aShape, bShape []int) func()
	// where binds d = c ? x : y (see bindWhere).
	where func(par ops.Parallel, d, c, x, y *ops.Tensor, cs, xs, ys []int) func()
}

func ewKernelsOf[T ops.Numeric]() ewKernels {
	return ewKernels{
		binary:  bindBinary[T],
		unary:   bindUnary[T],
		clip:    bindClip[T],
		castTo:  castFrom[T],
		compare: bindCompare[T],
		mod:     bindMod[T],
		where:   bindWhere[T],
	}
}

// ewTable holds the kernels per element type; Bool shares uint8's storage.
var ewTable = map[ops.DType]ewKernels{
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
