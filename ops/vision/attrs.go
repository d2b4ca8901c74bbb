package vision

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/wide"
)

// choice reads the string attribute name (def when absent) and maps it
// through values, failing with the allowed spellings when it is not one.
func choice[T any](a *ops.Attrs, name, def string, values map[string]T) (T, error) {
	s := a.String(name, def)
	v, ok := values[s]
	if !ok {
		keys := make([]string, 0, len(values))
		for k := range values {
			keys = append(keys, fmt.Sprintf("%q", k))
		}
		slices.Sort(keys)
		return v, fmt.Errorf("attribute %q is %q, want one of %s", name, s, strings.Join(keys, ", "))
	}
	return v, nil
}

// flag reads an int attribute that must be 0 or 1 (def when absent).
func flag(a *ops.Attrs, name string, def bool) (bool, error) {
	d := int64(0)
	if def {
		d = 1
	}
	switch v := a.Int(name, d); v {
	case 0, 1:
		return v == 1, nil
	default:
		return false, fmt.Errorf("attribute %q is %d, want 0 or 1", name, v)
	}
}

// checkFloatInput requires input v (named name) to be float32 or float64;
// float16 and bfloat16 arrive as float32.
func checkFloatInput(v ops.Value, name string) error {
	if !ops.IsFloat(v.Type) {
		return fmt.Errorf("input %q has type %s, want a floating-point type", name, ops.TypeName(v.Type))
	}
	return nil
}

// floatsOf reads a float32 or float64 tensor's values as float64.
func floatsOf(t *ops.Tensor) []float64 {
	out := make([]float64, t.Len())
	if t.Type == onnx.Double {
		copy(out, t.F64())
		return out
	}
	for i, v := range t.F32()[:len(out)] {
		out[i] = float64(v)
	}
	return out
}

// saturateInto stores v into y, of an integer type: each value rounded
// half to even and clamped to the type's range (NaN becomes 0), as the
// ONNX reference stores a value it computed in floating point into an
// integer tensor.
func saturateInto(y *ops.Tensor, v []float64) {
	l, h := int64(0), int64(-1) // uint64's range, h as its bits
	lo, hi := 0.0, math.Ldexp(1, 64)
	if y.Type != onnx.Uint64 {
		l, h = wide.Limits(y.Type)
		lo, hi = float64(l), float64(h)
	}
	es := ops.ElemSize(y.Type)
	var w wide.Chunk
	for at := 0; at < len(v); at += wide.N {
		m := min(len(v)-at, wide.N)
		for j, f := range v[at : at+m] {
			f = math.RoundToEven(f)
			switch {
			case f != f:
				w.I[j] = 0
			case f <= lo:
				w.I[j] = l
			case f >= hi:
				w.I[j] = h
			case y.Type == onnx.Uint64:
				w.I[j] = int64(uint64(f))
			default:
				w.I[j] = int64(f)
			}
		}
		wide.Store(y.Type, y.Data[at*es:(at+m)*es], &w, wide.Int)
	}
}

// elemBytes is v stored as one element of type dt (bool: 1 unless v is 0).
func elemBytes(dt ops.DType, v float64) []byte {
	t := ops.New(dt, 1)
	switch dt {
	case onnx.Float:
		t.F32()[0] = float32(v)
	case onnx.Double:
		t.F64()[0] = v
	case onnx.Bool:
		if v != 0 {
			t.U8()[0] = 1
		}
	default:
		saturateInto(t, []float64{v})
	}
	return t.Data
}

// inputKey holds the contents of some inputs a plan was made from, to
// tell when they change (the plan must then be made again). Inputs
// absent then and now match.
type inputKey struct {
	idx  []int
	vals [][]byte // nil: absent
}

// keyOf records the current contents of inputs idx (negative: none).
func keyOf(in []*ops.Tensor, idx ...int) inputKey {
	k := inputKey{}
	for _, i := range idx {
		if i < 0 {
			continue
		}
		var v []byte
		if t := ops.InputAt(in, i); t != nil {
			v = append([]byte{}, tensorBytes(t)...)
		}
		k.idx, k.vals = append(k.idx, i), append(k.vals, v)
	}
	return k
}

// current reports whether the inputs still hold the recorded contents.
func (k *inputKey) current(in []*ops.Tensor) bool {
	for j, i := range k.idx {
		t := ops.InputAt(in, i)
		if (t == nil) != (k.vals[j] == nil) || t != nil && !bytes.Equal(tensorBytes(t), k.vals[j]) {
			return false
		}
	}
	return true
}

// tensorBytes is the bytes of t's elements.
func tensorBytes(t *ops.Tensor) []byte { return t.Data[:t.Len()*ops.ElemSize(t.Type)] }
