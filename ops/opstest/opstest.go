package opstest

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// ChunkPar is a Parallel that cuts every loop into chunks of at most size
// iterations and runs them on concurrent goroutines, so tests cover chunk
// boundaries (and races, under -race).
type ChunkPar struct{ Size int }

func (p ChunkPar) For(n, grain int, fn func(lo, hi int)) {
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += p.Size {
		wg.Add(1)
		go func(lo int) {
			defer wg.Done()
			fn(lo, min(lo+p.Size, n))
		}(lo)
	}
	wg.Wait()
}

func (p ChunkPar) Threads() int { return 4 }

// Node is a node of type op with inputs named in0.. (or "" where names
// holds ""), nOut outputs and the given attributes.
func Node(op string, inputs []string, nOut int, attrs ...*onnx.Attribute) *onnx.Node {
	n := &onnx.Node{OpType: op, Inputs: inputs, Attrs: attrs}
	for i := range nOut {
		n.Outputs = append(n.Outputs, fmt.Sprintf("out%d", i))
	}
	return n
}

// InNames names n inputs in0..in(n-1).
func InNames(n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("in%d", i)
	}
	return s
}

func AttrI(name string, v int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInt, I: v}
}

func AttrIs(name string, v ...int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInts, Ints: v}
}

func AttrF(name string, v float32) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrFloat, F: v}
}

func AttrS(name, v string) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrString, S: []byte(v)}
}

// Eval builds n at opset, infers with every present input constant
// (nil tensors are omitted inputs), runs on a ChunkPar and returns the
// outputs. Build, Infer and Run errors are returned.
func Eval(n *onnx.Node, opset int, in ...*ops.Tensor) ([]*ops.Tensor, error) {
	op, err := ops.Build(n, opset)
	if err != nil {
		return nil, err
	}
	vals := make([]ops.Value, len(in))
	for i, t := range in {
		if t != nil {
			vals[i] = ops.Value{Type: t.Type, Shape: t.Shape, Const: t}
		}
	}
	outVals, err := op.Infer(vals)
	if err != nil {
		return nil, err
	}
	outs := make([]*ops.Tensor, len(outVals))
	for i, v := range outVals {
		outs[i] = ops.New(v.Type, v.Shape...)
	}
	return outs, op.Run(&ops.Ctx{Par: ChunkPar{3}}, in, outs)
}

// I64s and F32s make 1-D tensors.
func I64s(v ...int64) *ops.Tensor { return ops.FromI64(v, len(v)) }

func F32s(v ...float32) *ops.Tensor { return ops.FromF32(v, len(v)) }

// Iota32 is a float tensor of the given shape holding 0, 1, 2...
func Iota32(shape ...int) *ops.Tensor {
	t := ops.New(onnx.Float, shape...)
	for i := range t.F32() {
		t.F32()[i] = float32(i)
	}
	return t
}

// WithShape returns t viewed with another shape.
func WithShape(t *ops.Tensor, shape ...int) *ops.Tensor {
	return &ops.Tensor{Type: t.Type, Shape: shape, Data: t.Data}
}

// WantTensor fails t unless got matches want exactly (type, shape, bytes).
func WantTensor(t *testing.T, label string, got, want *ops.Tensor) {
	t.Helper()
	if err := SameTensor(got, want, 0, 0); err != nil {
		t.Errorf("%s: %v", label, err)
	}
}

// WantErr fails t unless err is non-nil and mentions every fragment.
func WantErr(t *testing.T, label string, err error, frags ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want one mentioning %q", label, frags)
		return
	}
	for _, f := range frags {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("%s: error %q does not mention %q", label, err, f)
		}
	}
}

// StepPar is a Parallel that runs loops sequentially in chunks of step
// iterations regardless of grain, so tests cross chunk boundaries at odd places.
type StepPar struct{ Step int }

func (p StepPar) For(n, grain int, fn func(lo, hi int)) {
	for lo := 0; lo < n; lo += p.Step {
		fn(lo, min(lo+p.Step, n))
	}
}

func (p StepPar) Threads() int { return 3 }

// DTypeOf is the DType of Go type T.
func DTypeOf[T ops.Numeric]() ops.DType {
	var z T
	switch any(z).(type) {
	case float32:
		return onnx.Float
	case float64:
		return onnx.Double
	case int8:
		return onnx.Int8
	case int16:
		return onnx.Int16
	case int32:
		return onnx.Int32
	case int64:
		return onnx.Int64
	case uint8:
		return onnx.Uint8
	case uint16:
		return onnx.Uint16
	case uint32:
		return onnx.Uint32
	}
	return onnx.Uint64
}

// Typed is a tensor of the given shape holding v (its length must match).
func Typed[T ops.Numeric](shape []int, v ...T) *ops.Tensor {
	t := ops.New(DTypeOf[T](), shape...)
	if len(v) != t.Len() {
		panic(fmt.Sprintf("Typed: %d values for shape %v", len(v), shape))
	}
	copy(ops.Elems[T](t), v)
	return t
}

// Bools is a bool tensor of the given shape.
func Bools(shape []int, v ...bool) *ops.Tensor {
	t := ops.New(onnx.Bool, shape...)
	for i, b := range v {
		if b {
			t.Data[i] = 1
		}
	}
	return t
}

// Sh spells a shape.
func Sh(d ...int) []int { return d }

// EwNode is a node of type op with inputs x0.. ("" for each nil entry of
// present), nOut outputs y0.. and attributes.
func EwNode(op string, present []*ops.Tensor, nOut int, attrs ...*onnx.Attribute) *onnx.Node {
	n := &onnx.Node{OpType: op, Attrs: attrs}
	for i, t := range present {
		name := ""
		if t != nil {
			name = fmt.Sprintf("x%d", i)
		}
		n.Inputs = append(n.Inputs, name)
	}
	for i := range nOut {
		n.Outputs = append(n.Outputs, fmt.Sprintf("y%d", i))
	}
	return n
}

// EwEval builds a node of type op at opset with inputs in (nil: omitted,
// all others constant), infers, and runs it serially. It also runs it on an
// StepPar and, when the op is an InPlacer, with output 0 sharing the
// chosen input's storage, and fails t if those results differ.
func EwEval(t *testing.T, op string, opset, nOut int, attrs []*onnx.Attribute, in ...*ops.Tensor) ([]*ops.Tensor, error) {
	t.Helper()
	o, err := ops.Build(EwNode(op, in, nOut, attrs...), opset)
	if err != nil {
		return nil, err
	}
	vals := make([]ops.Value, len(in))
	for i, x := range in {
		if x != nil {
			vals[i] = ops.Value{Type: x.Type, Shape: x.Shape, Const: x}
		}
	}
	outV, err := o.Infer(vals)
	if err != nil {
		return nil, err
	}
	run := func(par ops.Parallel, inPlace bool) ([]*ops.Tensor, error) {
		ins := slices.Clone(in)
		outs := make([]*ops.Tensor, len(outV))
		for i, v := range outV {
			outs[i] = ops.New(v.Type, v.Shape...)
		}
		if ip, ok := o.(ops.InPlacer); ok && inPlace {
			switch k := ip.InPlace(vals); {
			case k < 0:
			case in[k].Type != outV[0].Type || !ops.SameShape(in[k].Shape, outV[0].Shape):
				t.Errorf("%s: InPlace chose input %d (%v) for output %s%v", op, k, in[k], ops.TypeName(outV[0].Type), outV[0].Shape)
			default:
				ins[k] = in[k].Clone()
				outs[0] = &ops.Tensor{Type: outV[0].Type, Shape: outV[0].Shape, Data: ins[k].Data}
			}
		}
		return outs, o.Run(&ops.Ctx{Par: par}, ins, outs)
	}
	outs, err := run(ops.Serial{}, false)
	if err != nil {
		return nil, err
	}
	for _, v := range []struct {
		par     ops.Parallel
		inPlace bool
	}{{StepPar{7}, false}, {ops.Serial{}, true}} {
		got, err := run(v.par, v.inPlace)
		if err != nil {
			t.Errorf("%s: run with %T (in place %v): %v", op, v.par, v.inPlace, err)
			continue
		}
		for i := range got {
			if !bytes.Equal(got[i].Data, outs[i].Data) {
				t.Errorf("%s: output %d with %T (in place %v) differs from the serial run", op, i, v.par, v.inPlace)
			}
		}
	}
	return outs, nil
}

// EwCheck compares got with want: floats must be equal (NaN matching NaN)
// or within a relative 1e-6 plus 1e-30 absolute; other types exact.
func EwCheck(t *testing.T, label string, got, want *ops.Tensor) {
	t.Helper()
	if got.Type != want.Type || !ops.SameShape(got.Shape, want.Shape) {
		t.Errorf("%s: got %v, want %v", label, got, want)
		return
	}
	var g, w []float64
	switch got.Type {
	case onnx.Float:
		g, w = WidenF64(ops.Elems[float32](got)), WidenF64(ops.Elems[float32](want))
	case onnx.Double:
		g, w = ops.Elems[float64](got), ops.Elems[float64](want)
	default:
		if !bytes.Equal(got.Data, want.Data) {
			t.Errorf("%s: got bytes %v, want %v", label, got.Data, want.Data)
		}
		return
	}
	for i := range g {
		if g[i] == w[i] || math.IsNaN(g[i]) && math.IsNaN(w[i]) || math.Abs(g[i]-w[i]) <= 1e-30+1e-6*math.Abs(w[i]) {
			continue
		}
		t.Errorf("%s: element %d is %g, want %g (all: %v)", label, i, g[i], w[i], g)
		return
	}
}

// RandomBytes is a tensor of type dt and the given shape with random bytes.
func RandomBytes(rng *rand.Rand, dt ops.DType, shape ...int) *ops.Tensor {
	t := ops.New(dt, shape...)
	for i := range t.Data {
		t.Data[i] = byte(rng.Uint32())
	}
	return t
}
