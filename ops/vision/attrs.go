package vision

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
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

// saturate converts v to T: rounded half to even and clamped to T's range
// for integers (NaN becomes 0), as the ONNX reference stores a value it
// computed in floating point into an integer tensor.
func saturate[T ops.Numeric](v float64) T {
	if !ops.IsIntegral[T]() {
		return T(v)
	}
	if v != v {
		return 0
	}
	lo, hi := ops.TypeLimits[T]()
	v = math.RoundToEven(v)
	switch {
	case v <= float64(lo):
		return lo
	case v >= float64(hi):
		return hi
	}
	return T(v)
}

// elemBytes is v stored as one element of type dt (bool: 1 unless v is 0).
func elemBytes(dt ops.DType, v float64) []byte {
	t := ops.New(dt, 1)
	switch dt {
	case onnx.Float:
		t.F32()[0] = float32(v)
	case onnx.Double:
		t.F64()[0] = v
	case onnx.Int8:
		t.I8()[0] = saturate[int8](v)
	case onnx.Int16:
		t.I16()[0] = saturate[int16](v)
	case onnx.Int32:
		t.I32()[0] = saturate[int32](v)
	case onnx.Int64:
		t.I64()[0] = saturate[int64](v)
	case onnx.Uint8:
		t.U8()[0] = saturate[uint8](v)
	case onnx.Uint16:
		t.U16()[0] = saturate[uint16](v)
	case onnx.Uint32:
		t.U32()[0] = saturate[uint32](v)
	case onnx.Uint64:
		t.U64()[0] = saturate[uint64](v)
	case onnx.Bool:
		if v != 0 {
			t.U8()[0] = 1
		}
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
