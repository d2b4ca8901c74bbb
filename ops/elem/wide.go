package elem

import (
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// The wide kernels compute the operators that models rarely run on large
// tensors (casts between most types, Mod, Pow, comparisons and Clip on
// integers, the bitwise operators) on chunks of wide values: integers as
// int64, floats as float64, each loaded from and stored to its own type.
// One kernel per function then serves every element type instead of one
// instantiation per type, which keeps the binary small; each operation's
// result is the one of the element type's own arithmetic, as the functions
// below say why.

// wideN is how many elements a wide kernel takes at a time: its chunks
// live on the stack, zeroed at every run.
const wideN = 64

// wideChunk holds up to wideN elements as wide values.
type wideChunk struct {
	i [wideN]int64   // integers and bools, sign- or zero-extended; a uint64 as its bits
	f [wideN]float64 // floats, exactly
}

// wideKind says how values are held in a wideChunk.
type wideKind uint8

// Wide value kinds.
const (
	wideInt    wideKind = iota // in i, each an int64 equal to the value
	wideUint64                 // in i, the bits of a uint64
	wideFloat                  // in f
)

// kindOf is the kind element type t loads as.
func kindOf(t ops.DType) wideKind {
	switch t {
	case onnx.Float, onnx.Double:
		return wideFloat
	case onnx.Uint64:
		return wideUint64
	}
	return wideInt
}

// loadWide widens the elements of x, of type t, into w.
func loadWide(t ops.DType, x []byte, w *wideChunk) {
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

// intAt0 is the first element of integer tensor t, widened as in a
// wideChunk.
func intAt0(t *ops.Tensor) int64 {
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

// loadInt widens integers of type S into w.i.
func loadInt[S integer](w *wideChunk, x []byte) {
	for k, v := range ops.View[S](x) {
		w.i[k] = int64(v)
	}
}

// loadFloat widens floats of type S into w.f.
func loadFloat[S ops.Float](w *wideChunk, x []byte) {
	for k, v := range ops.View[S](x) {
		w.f[k] = float64(v)
	}
}

// storeWide converts the first elements of w, held as kind k, into d, of
// type t, with Go's conversion rules (a bool is "not zero"). Each result
// is the value's direct conversion: the wide values are exact and convert
// in one rounding (an integer never goes through float64, which would
// round an int64 twice on its way to float32), and uint64 bits convert to
// a float as a uint64. An integer narrows to its low bits whatever its
// signedness, so one store per width serves both.
func storeWide(t ops.DType, d []byte, w *wideChunk, k wideKind) {
	switch {
	case t == onnx.Bool && k == wideFloat:
		for j := range d {
			d[j] = b2u(w.f[j] != 0)
		}
	case t == onnx.Bool:
		for j := range d {
			d[j] = b2u(w.i[j] != 0)
		}
	case k == wideFloat:
		storeFloat(t, d, w)
	case k == wideUint64 && t == onnx.Float:
		f := ops.View[float32](d)
		for j := range f {
			f[j] = float32(uint64(w.i[j]))
		}
	case k == wideUint64 && t == onnx.Double:
		f := ops.View[float64](d)
		for j := range f {
			f[j] = float64(uint64(w.i[j]))
		}
	default:
		storeInt(t, d, w)
	}
}

// b2u is 1 for true, 0 for false.
func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// storeFloat converts the floats of w.f into d, of type t.
func storeFloat(t ops.DType, d []byte, w *wideChunk) {
	switch t {
	case onnx.Float:
		storeOf[float32](d, &w.f)
	case onnx.Double:
		storeOf[float64](d, &w.f)
	case onnx.Int8:
		storeOf[int8](d, &w.f)
	case onnx.Int16:
		storeOf[int16](d, &w.f)
	case onnx.Int32:
		storeOf[int32](d, &w.f)
	case onnx.Int64:
		storeOf[int64](d, &w.f)
	case onnx.Uint8:
		storeOf[uint8](d, &w.f)
	case onnx.Uint16:
		storeOf[uint16](d, &w.f)
	case onnx.Uint32:
		storeOf[uint32](d, &w.f)
	case onnx.Uint64:
		storeOf[uint64](d, &w.f)
	}
}

// storeInt converts the integers of w.i into d, of type t.
func storeInt(t ops.DType, d []byte, w *wideChunk) {
	switch t {
	case onnx.Float:
		storeOf[float32](d, &w.i)
	case onnx.Double:
		storeOf[float64](d, &w.i)
	case onnx.Int8, onnx.Uint8:
		storeOf[uint8](d, &w.i)
	case onnx.Int16, onnx.Uint16:
		storeOf[uint16](d, &w.i)
	case onnx.Int32, onnx.Uint32:
		storeOf[uint32](d, &w.i)
	default: // int64, uint64
		storeOf[uint64](d, &w.i)
	}
}

// storeOf converts the first len(d)/size(D) values of w into d as D.
func storeOf[D ops.Numeric, W int64 | float64](d []byte, w *[wideN]W) {
	dv := ops.View[D](d)
	for k := range dv {
		dv[k] = D(w[k])
	}
}

// wideFunc computes o = f(a, b) on n wide values of kinds ka and kb,
// reading a[k*sa] and b[k*sb] (sa or sb is 0 for an operand broadcast
// along the run), and returns the kind of its results.
type wideFunc func(o, a, b *wideChunk, n, sa, sb int, ka, kb wideKind) wideKind

// bindWideBinary binds d = f(a, b) computed on wide values, with a and b
// broadcast onto d as aShape and bShape, split across par. d may be a or
// b: each chunk is loaded before its results are stored.
func bindWideBinary(par ops.Parallel, d, a, b *ops.Tensor, aShape, bShape []int, f wideFunc) func() {
	ka, kb := kindOf(a.Type), kindOf(b.Type)
	ds, as, bs := ops.ElemSize(d.Type), ops.ElemSize(a.Type), ops.ElemSize(b.Type)
	return ops.BindZipBytes(par, d, a, b, aShape, bShape, func(db, ab, bb []byte) {
		n := len(db) / ds
		sa, sb := min(len(ab)/as-1, 1), min(len(bb)/bs-1, 1) // 0 for a single element
		var wa, wb, wo wideChunk
		for lo := 0; lo < n; lo += wideN {
			m := min(n-lo, wideN)
			loadWide(a.Type, ab[lo*sa*as:(lo+m-1)*sa*as+as], &wa)
			loadWide(b.Type, bb[lo*sb*bs:(lo+m-1)*sb*bs+bs], &wb)
			k := f(&wo, &wa, &wb, m, sa, sb, ka, kb)
			storeWide(d.Type, db[lo*ds:(lo+m)*ds], &wo, k)
		}
	})
}

// bindWideUnary binds d = f(x) computed on wide values, split across par;
// f replaces n values of x's kind in w by its results and returns their
// kind (nil f converts x to d's type).
func bindWideUnary(par ops.Parallel, d, x *ops.Tensor, f func(w *wideChunk, n int, kx wideKind) wideKind) func() error {
	kx := kindOf(x.Type)
	ds, xs := ops.ElemSize(d.Type), ops.ElemSize(x.Type)
	return ops.BindMapBytes(par, ops.Grain, d, x, func(db, xb []byte) {
		var w wideChunk
		n := len(db) / ds
		for lo := 0; lo < n; lo += wideN {
			m := min(n-lo, wideN)
			loadWide(x.Type, xb[lo*xs:(lo+m)*xs], &w)
			k := kx
			if f != nil {
				k = f(&w, m, kx)
			}
			storeWide(d.Type, db[lo*ds:(lo+m)*ds], &w, k)
		}
	})
}
