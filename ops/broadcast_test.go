package ops

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// Helpers shared by the tests of the element-wise families (binary, unary,
// softmax, identity, cast) and the broadcasting machinery's own tests.

// ewStepPar is a Parallel that runs loops sequentially in chunks of step
// iterations regardless of grain, so tests cross chunk boundaries at odd places.
type ewStepPar struct{ step int }

func (p ewStepPar) For(n, grain int, fn func(lo, hi int)) {
	for lo := 0; lo < n; lo += p.step {
		fn(lo, min(lo+p.step, n))
	}
}

func (p ewStepPar) Threads() int { return 3 }

// ewDTypeOf is the DType of Go type T.
func ewDTypeOf[T ewNumeric]() DType {
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

// ewT is a tensor of the given shape holding v (its length must match).
func ewT[T ewNumeric](shape []int, v ...T) *Tensor {
	t := New(ewDTypeOf[T](), shape...)
	if len(v) != t.Len() {
		panic(fmt.Sprintf("ewT: %d values for shape %v", len(v), shape))
	}
	copy(ewElems[T](t), v)
	return t
}

// ewBools is a bool tensor of the given shape.
func ewBools(shape []int, v ...bool) *Tensor {
	t := New(onnx.Bool, shape...)
	for i, b := range v {
		if b {
			t.Data[i] = 1
		}
	}
	return t
}

// sh spells a shape.
func sh(d ...int) []int { return d }

// ewNode is a node of type op with inputs x0.. ("" for each nil entry of
// present), nOut outputs y0.. and attributes.
func ewNode(op string, present []*Tensor, nOut int, attrs ...*onnx.Attribute) *onnx.Node {
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

// ewEval builds a node of type op at opset with inputs in (nil: omitted,
// all others constant), infers, and runs it serially. It also runs it on an
// ewStepPar and, when the op is an InPlacer, with output 0 sharing the
// chosen input's storage, and fails t if those results differ.
func ewEval(t *testing.T, op string, opset, nOut int, attrs []*onnx.Attribute, in ...*Tensor) ([]*Tensor, error) {
	t.Helper()
	o, err := Build(ewNode(op, in, nOut, attrs...), opset)
	if err != nil {
		return nil, err
	}
	vals := make([]Value, len(in))
	for i, x := range in {
		if x != nil {
			vals[i] = Value{Type: x.Type, Shape: x.Shape, Const: x}
		}
	}
	outV, err := o.Infer(vals)
	if err != nil {
		return nil, err
	}
	run := func(par Parallel, inPlace bool) ([]*Tensor, error) {
		ins := slices.Clone(in)
		outs := make([]*Tensor, len(outV))
		for i, v := range outV {
			outs[i] = New(v.Type, v.Shape...)
		}
		if ip, ok := o.(InPlacer); ok && inPlace {
			switch k := ip.InPlace(vals); {
			case k < 0:
			case in[k].Type != outV[0].Type || !SameShape(in[k].Shape, outV[0].Shape):
				t.Errorf("%s: InPlace chose input %d (%v) for output %s%v", op, k, in[k], TypeName(outV[0].Type), outV[0].Shape)
			default:
				ins[k] = in[k].Clone()
				outs[0] = &Tensor{Type: outV[0].Type, Shape: outV[0].Shape, Data: ins[k].Data}
			}
		}
		return outs, o.Run(&Ctx{Par: par}, ins, outs)
	}
	outs, err := run(Serial{}, false)
	if err != nil {
		return nil, err
	}
	for _, v := range []struct {
		par     Parallel
		inPlace bool
	}{{ewStepPar{7}, false}, {Serial{}, true}} {
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

// ewCheck compares got with want: floats must be equal (NaN matching NaN)
// or within a relative 1e-6 plus 1e-30 absolute; other types exact.
func ewCheck(t *testing.T, label string, got, want *Tensor) {
	t.Helper()
	if got.Type != want.Type || !SameShape(got.Shape, want.Shape) {
		t.Errorf("%s: got %v, want %v", label, got, want)
		return
	}
	var g, w []float64
	switch got.Type {
	case onnx.Float:
		g, w = widenF64(ewElems[float32](got)), widenF64(ewElems[float32](want))
	case onnx.Double:
		g, w = ewElems[float64](got), ewElems[float64](want)
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

func TestBcPlanMerges(t *testing.T) {
	cases := []struct {
		out, a, b    []int
		dims, sa, sb []int
		what         string
	}{
		{sh(2, 3, 4), sh(2, 3, 4), sh(2, 3, 4), sh(24), sh(1), sh(1), "same shape"},
		{sh(2, 3, 4), sh(2, 3, 4), sh(), sh(24), sh(1), sh(0), "scalar b"},
		{sh(2, 3, 4), sh(1), sh(2, 3, 4), sh(24), sh(0), sh(1), "one-element a"},
		{sh(2, 8, 5, 5), sh(2, 8, 5, 5), sh(8, 1, 1), sh(2, 8, 25), sh(200, 25, 1), sh(0, 1, 0), "per-channel bias"},
		{sh(1, 8, 1, 1), sh(1, 8, 1, 1), sh(8, 1, 1), sh(8), sh(1), sh(1), "size-1 dims dropped"},
		{sh(3, 4), sh(3, 1), sh(1, 4), sh(3, 4), sh(1, 0), sh(0, 1), "outer product"},
		{sh(), sh(), sh(), sh(1), sh(0), sh(0), "scalars"},
	}
	for _, c := range cases {
		p := newBcPlan(c.out, c.a, c.b)
		if !SameShape(p.dims, c.dims) || !SameShape(p.sa, c.sa) || !SameShape(p.sb, c.sb) {
			t.Errorf("%s: plan %v %v %v, want %v %v %v", c.what, p.dims, p.sa, p.sb, c.dims, c.sa, c.sb)
		}
	}
}

// naiveBinary computes a k b by explicit index arithmetic over out's shape.
func naiveBinary[T ewNumeric](k binKind, out, as, bs []int, a, b []T) []T {
	r := len(out)
	idxOf := func(flat int, shape []int) int {
		off := r - len(shape)
		st := Strides(shape)
		pos := 0
		rem := flat
		for d := r - 1; d >= 0; d-- {
			i := rem % out[d]
			rem /= out[d]
			if d >= off && shape[d-off] != 1 {
				pos += i * st[d-off]
			}
		}
		return pos
	}
	d := make([]T, NumElems(out))
	for i := range d {
		d[i] = binScalar(k, a[idxOf(i, as)], b[idxOf(i, bs)])
	}
	return d
}

// checkBcBinary compares the kernels with naiveBinary for every kind on
// random data over several broadcasting patterns and parallel splits.
func checkBcBinary[T ewNumeric](t *testing.T, gen func(r *rand.Rand) T) {
	pairs := [][2][]int{
		{sh(2, 3, 4, 5), sh(2, 3, 4, 5)},
		{sh(2, 3, 4, 5), sh()},
		{sh(), sh(2, 3, 4, 5)},
		{sh(2, 3, 4, 5), sh(5)},
		{sh(4, 5), sh(2, 3, 4, 5)},
		{sh(1, 4, 5), sh(2, 3, 1, 1)},
		{sh(2, 6, 3, 3), sh(6, 1, 1)},
		{sh(3, 1), sh(1, 4)},
		{sh(2, 1, 3), sh(2, 4, 1)},
		{sh(1, 2, 1, 3, 1, 2, 1, 3, 1, 2), sh(2, 1, 3, 1, 2, 1, 3, 1, 2, 1)},
		{sh(0, 3), sh(3)},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for _, pr := range pairs {
		as, bs := pr[0], pr[1]
		out, err := BroadcastShape(as, bs)
		if err != nil {
			t.Fatal(err)
		}
		a, b := make([]T, NumElems(as)), make([]T, NumElems(bs))
		for i := range a {
			a[i] = gen(r)
		}
		for i := range b {
			b[i] = gen(r)
		}
		ta, tb := ewT(as, a...), ewT(bs, b...)
		for k := binAdd; k <= binPRelu; k++ {
			want := naiveBinary(k, out, as, bs, a, b)
			for _, par := range []Parallel{Serial{}, ewStepPar{1}, ewStepPar{5}, ewStepPar{64}} {
				d := New(ta.Type, out...)
				ewTable[ta.Type].binary(par, k, d, ta, tb, as, bs)()
				if !slices.Equal(ewElems[T](d), want) {
					t.Errorf("%s kind %d %v op %v with %T: got %v, want %v", TypeName(ta.Type), k, as, bs, par, ewElems[T](d), want)
				}
			}
		}
	}
}

func TestBcBinaryMatchesNaive(t *testing.T) {
	checkBcBinary(t, func(r *rand.Rand) float32 { return float32(r.NormFloat64()) })
	checkBcBinary(t, func(r *rand.Rand) float64 { return r.NormFloat64() })
	checkBcBinary(t, func(r *rand.Rand) int32 { return int32(r.IntN(21)) - 10 })
	checkBcBinary(t, func(r *rand.Rand) uint8 { return uint8(r.IntN(256)) })
	checkBcBinary(t, func(r *rand.Rand) int64 { return r.Int64N(1<<40) - 1<<39 })
}

func TestEwLimits(t *testing.T) {
	if lo, hi := ewLimits[int8](); lo != -128 || hi != 127 {
		t.Errorf("int8 limits %d %d", lo, hi)
	}
	if lo, hi := ewLimits[uint16](); lo != 0 || hi != 65535 {
		t.Errorf("uint16 limits %d %d", lo, hi)
	}
	if lo, hi := ewLimits[int64](); lo != -1<<63 || hi != 1<<63-1 {
		t.Errorf("int64 limits %d %d", lo, hi)
	}
	if lo, hi := ewLimits[uint64](); lo != 0 || hi != 1<<64-1 {
		t.Errorf("uint64 limits %d %d", lo, hi)
	}
	if lo, hi := ewLimits[float32](); !math.IsInf(float64(lo), -1) || !math.IsInf(float64(hi), 1) {
		t.Errorf("float32 limits %g %g", lo, hi)
	}
}

func benchBinary(b *testing.B, k binKind, as, bs []int) {
	out, _ := BroadcastShape(as, bs)
	x, y, d := New(onnx.Float, as...), New(onnx.Float, bs...), New(onnx.Float, out...)
	for i, v := range ewElems[float32](y) {
		ewElems[float32](y)[i] = v + 1
	}
	b.SetBytes(int64(len(d.Data)))
	f := ewTable[onnx.Float].binary(Serial{}, k, d, x, y, as, bs)
	b.ReportAllocs()
	for b.Loop() {
		f()
	}
}

func BenchmarkAddF32Same(b *testing.B)    { benchBinary(b, binAdd, sh(1, 64, 56, 56), sh(1, 64, 56, 56)) }
func BenchmarkAddF32Channel(b *testing.B) { benchBinary(b, binAdd, sh(1, 64, 56, 56), sh(64, 1, 1)) }
func BenchmarkMulF32Scalar(b *testing.B)  { benchBinary(b, binMul, sh(1, 64, 56, 56), sh()) }
func BenchmarkAddF32Row(b *testing.B)     { benchBinary(b, binAdd, sh(3136, 64), sh(64)) }
