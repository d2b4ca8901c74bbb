// Package wide holds tensor elements of any computed type as wide values:
// integers (and bools) as int64, floats as float64, which hold every value
// of the narrower types exactly. Operators that models rarely run on large
// tensors compute on chunks of wide values, with one kernel per function
// for every element type instead of one instantiation per type, which
// keeps the binary small; loading and storing convert with Go's rules, so
// that an operation on wide values gives what the element type's own
// arithmetic gives wherever the two agree (as the operators' comments say
// why).
package wide

import (
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// N is how many elements a Chunk holds: chunks live on the stack, zeroed
// at every use.
const N = 64

// Chunk holds up to N elements as wide values.
type Chunk struct {
	I [N]int64   // integers and bools, sign- or zero-extended; a uint64 as its bits
	F [N]float64 // floats, exactly
}

// Kind says how values are held in a Chunk.
type Kind uint8

// Wide value kinds.
const (
	Int    Kind = iota // in I, each an int64 equal to the value
	Uint64             // in I, the bits of a uint64
	Float              // in F
)

// KindOf is the kind element type t loads as.
func KindOf(t ops.DType) Kind {
	switch t {
	case onnx.Float, onnx.Double:
		return Float
	case onnx.Uint64:
		return Uint64
	}
	return Int
}

// Load widens the elements of x, of type t, into w.
func Load(t ops.DType, x []byte, w *Chunk) {
	switch t {
	case onnx.Float:
		loadFloat[float32](w, x)
	case onnx.Double:
		loadFloat[float64](w, x)
	case onnx.Int8:
		loadInt[int8](w, x)
	case onnx.Int16:
		loadInt[int16](w, x)
	case onnx.Int32:
		loadInt[int32](w, x)
	case onnx.Int64, onnx.Uint64:
		loadInt[int64](w, x)
	case onnx.Uint16:
		loadInt[uint16](w, x)
	case onnx.Uint32:
		loadInt[uint32](w, x)
	default: // uint8 and bool
		loadInt[uint8](w, x)
	}
}

// IntAt0 is the first element of integer tensor t, widened as in a Chunk.
func IntAt0(t *ops.Tensor) int64 {
	switch t.Type {
	case onnx.Int8:
		return int64(ops.View[int8](t.Data)[0])
	case onnx.Int16:
		return int64(ops.View[int16](t.Data)[0])
	case onnx.Int32:
		return int64(ops.View[int32](t.Data)[0])
	case onnx.Int64, onnx.Uint64:
		return ops.View[int64](t.Data)[0]
	case onnx.Uint16:
		return int64(ops.View[uint16](t.Data)[0])
	case onnx.Uint32:
		return int64(ops.View[uint32](t.Data)[0])
	}
	return int64(t.Data[0])
}

// integer is the integer element types.
type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// loadInt widens integers of type S into w.I.
func loadInt[S integer](w *Chunk, x []byte) {
	for k, v := range ops.View[S](x) {
		w.I[k] = int64(v)
	}
}

// loadFloat widens floats of type S into w.F.
func loadFloat[S ops.Float](w *Chunk, x []byte) {
	for k, v := range ops.View[S](x) {
		w.F[k] = float64(v)
	}
}

// Store converts the first elements of w, held as kind k, into d, of type
// t, with Go's conversion rules (a bool is "not zero"). Each result is the
// value's direct conversion: the wide values are exact and convert in one
// rounding (an integer never goes through float64, which would round an
// int64 twice on its way to float32), and uint64 bits convert to a float
// as a uint64. An integer narrows to its low bits whatever its
// signedness, so one store per width serves both.
func Store(t ops.DType, d []byte, w *Chunk, k Kind) {
	switch {
	case t == onnx.Bool && k == Float:
		for j := range d {
			d[j] = B2U(w.F[j] != 0)
		}
	case t == onnx.Bool:
		for j := range d {
			d[j] = B2U(w.I[j] != 0)
		}
	case k == Float:
		storeFloat(t, d, w)
	case k == Uint64 && t == onnx.Float:
		f := ops.View[float32](d)
		for j := range f {
			f[j] = float32(uint64(w.I[j]))
		}
	case k == Uint64 && t == onnx.Double:
		f := ops.View[float64](d)
		for j := range f {
			f[j] = float64(uint64(w.I[j]))
		}
	default:
		storeInt(t, d, w)
	}
}

// B2U is 1 for true, 0 for false.
func B2U(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// storeFloat converts the floats of w.F into d, of type t.
func storeFloat(t ops.DType, d []byte, w *Chunk) {
	switch t {
	case onnx.Float:
		storeOf[float32](d, &w.F)
	case onnx.Double:
		storeOf[float64](d, &w.F)
	case onnx.Int8:
		storeOf[int8](d, &w.F)
	case onnx.Int16:
		storeOf[int16](d, &w.F)
	case onnx.Int32:
		storeOf[int32](d, &w.F)
	case onnx.Int64:
		storeOf[int64](d, &w.F)
	case onnx.Uint8:
		storeOf[uint8](d, &w.F)
	case onnx.Uint16:
		storeOf[uint16](d, &w.F)
	case onnx.Uint32:
		storeOf[uint32](d, &w.F)
	case onnx.Uint64:
		storeOf[uint64](d, &w.F)
	}
}

// storeInt converts the integers of w.I into d, of type t.
func storeInt(t ops.DType, d []byte, w *Chunk) {
	switch t {
	case onnx.Float:
		storeOf[float32](d, &w.I)
	case onnx.Double:
		storeOf[float64](d, &w.I)
	case onnx.Int8, onnx.Uint8:
		storeOf[uint8](d, &w.I)
	case onnx.Int16, onnx.Uint16:
		storeOf[uint16](d, &w.I)
	case onnx.Int32, onnx.Uint32:
		storeOf[uint32](d, &w.I)
	default: // int64, uint64
		storeOf[uint64](d, &w.I)
	}
}

// storeOf converts the first len(d)/size(D) values of w into d as D.
func storeOf[D ops.Numeric, W int64 | float64](d []byte, w *[N]W) {
	dv := ops.View[D](d)
	for k := range dv {
		dv[k] = D(w[k])
	}
}

// Convert converts the elements of x into d (of the same length), each
// with Go's conversion rules (see Store).
func Convert(d, x *ops.Tensor) {
	ds, xs := ops.ElemSize(d.Type), ops.ElemSize(x.Type)
	k := KindOf(x.Type)
	var w Chunk
	for lo, n := 0, d.Len(); lo < n; lo += N {
		m := min(n-lo, N)
		Load(x.Type, x.Data[lo*xs:(lo+m)*xs], &w)
		Store(d.Type, d.Data[lo*ds:(lo+m)*ds], &w, k)
	}
}

// BindMap binds d = f(x) computed on wide values, split across par: f
// replaces m values of x's kind k in w by its results and returns their
// kind (a nil f converts x to d's type).
func BindMap(par ops.Parallel, d, x *ops.Tensor, f func(w *Chunk, m int, k Kind) Kind) func() error {
	kx := KindOf(x.Type)
	ds, xs := ops.ElemSize(d.Type), ops.ElemSize(x.Type)
	return ops.BindMapBytes(par, ops.Grain, d, x, func(db, xb []byte) {
		var w Chunk
		n := len(db) / ds
		for lo := 0; lo < n; lo += N {
			m := min(n-lo, N)
			Load(x.Type, xb[lo*xs:(lo+m)*xs], &w)
			k := kx
			if f != nil {
				k = f(&w, m, kx)
			}
			Store(d.Type, db[lo*ds:(lo+m)*ds], &w, k)
		}
	})
}

// Func computes o = f(a, b) on m wide values of kinds ka and kb, reading
// a[j*sa] and b[j*sb] (sa or sb is 0 for an operand broadcast along the
// run), and returns the kind of its results.
type Func func(o, a, b *Chunk, m, sa, sb int, ka, kb Kind) Kind

// BindZip binds d = f(a, b) computed on wide values, with a and b
// broadcast onto d as aShape and bShape, split across par. d may be a or
// b: each chunk is loaded before its results are stored.
func BindZip(par ops.Parallel, d, a, b *ops.Tensor, aShape, bShape []int, f Func) func() {
	ka, kb := KindOf(a.Type), KindOf(b.Type)
	ds, as, bs := ops.ElemSize(d.Type), ops.ElemSize(a.Type), ops.ElemSize(b.Type)
	return ops.BindZipBytes(par, d, a, b, aShape, bShape, func(db, ab, bb []byte) {
		n := len(db) / ds
		sa, sb := min(len(ab)/as-1, 1), min(len(bb)/bs-1, 1) // 0 for a single element
		var wa, wb, wo Chunk
		for lo := 0; lo < n; lo += N {
			m := min(n-lo, N)
			Load(a.Type, ab[lo*sa*as:(lo+m-1)*sa*as+as], &wa)
			Load(b.Type, bb[lo*sb*bs:(lo+m-1)*sb*bs+bs], &wb)
			k := f(&wo, &wa, &wb, m, sa, sb, ka, kb)
			Store(d.Type, db[lo*ds:(lo+m)*ds], &wo, k)
		}
	})
}

// Limits are the lowest and highest values of integer type t (0 and 1
// for bool) as int64; t is not uint64.
func Limits(t ops.DType) (lo, hi int64) {
	switch t {
	case onnx.Int8:
		return math.MinInt8, math.MaxInt8
	case onnx.Int16:
		return math.MinInt16, math.MaxInt16
	case onnx.Int32:
		return math.MinInt32, math.MaxInt32
	case onnx.Int64:
		return math.MinInt64, math.MaxInt64
	case onnx.Uint8:
		return 0, math.MaxUint8
	case onnx.Uint16:
		return 0, math.MaxUint16
	case onnx.Uint32:
		return 0, math.MaxUint32
	}
	return 0, 1
}

// Widened binds bind over copies of the tensors xs and ys of type t, made
// here: a call of the step converts every x into its copy, runs bind's
// step, then converts the copy of every y into y. An operator of a rare
// type computes so through the kernels of t (int64, say) when t's
// arithmetic gives what its own type's would, narrowed (see Store).
func Widened(t ops.DType, xs, ys []*ops.Tensor, bind func(xs, ys []*ops.Tensor) func() error) func() error {
	copies := func(ts []*ops.Tensor) []*ops.Tensor {
		c := make([]*ops.Tensor, len(ts))
		for i, x := range ts {
			c[i] = ops.New(t, x.Shape...)
		}
		return c
	}
	wx, wy := copies(xs), copies(ys)
	run := bind(wx, wy)
	return func() error {
		for i, x := range xs {
			Convert(wx[i], x)
		}
		if err := run(); err != nil {
			return err
		}
		for i, y := range ys {
			Convert(y, wy[i])
		}
		return nil
	}
}

// FlippedUint64 binds bind over int64 copies of the uint64 tensors xs and
// ys with their top bits flipped, made here: the copies order as signed
// values as the originals do as unsigned ones, so that kernels that only
// compare and move values (ArgMax, TopK, Unique) serve uint64 through
// their int64 instantiation. A call of the step flips every x into its
// copy, runs bind's step, then flips every copy of y back into y.
func FlippedUint64(xs, ys []*ops.Tensor, bind func(xs, ys []*ops.Tensor) func() error) func() error {
	copies := func(ts []*ops.Tensor) []*ops.Tensor {
		c := make([]*ops.Tensor, len(ts))
		for i, x := range ts {
			c[i] = ops.New(onnx.Int64, x.Shape...)
		}
		return c
	}
	wx, wy := copies(xs), copies(ys)
	run := bind(wx, wy)
	return func() error {
		for i, x := range xs {
			FlipUint64(wx[i], x)
		}
		if err := run(); err != nil {
			return err
		}
		for i, y := range ys {
			FlipUint64(y, wy[i])
		}
		return nil
	}
}

// FlipUint64 sets the 64-bit elements of d to those of x with their top
// bits flipped, which maps uint64's order onto int64's and back.
func FlipUint64(d, x *ops.Tensor) {
	dv := ops.View[uint64](d.Data)
	for i, v := range ops.View[uint64](x.Data)[:x.Len()] {
		dv[i] = v ^ 1<<63
	}
}
