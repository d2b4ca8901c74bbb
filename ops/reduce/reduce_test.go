package reduce

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// naiveReduce reduces x (of the given shape) over the axes in mask the
// plain way: every input element is sent to its output element (found by
// zeroing the reduced coordinates) in float64, then each output is
// finished. Empty sets give the spec's values.
func naiveReduce(kind reduceKind, x []float64, shape []int, mask []bool, lo, hi float64) []float64 {
	outSt := make([]int, len(shape))
	span := 1
	for d := len(shape) - 1; d >= 0; d-- {
		if !mask[d] {
			outSt[d] = span
			span *= shape[d]
		}
	}
	groups := make([][]float64, span)
	for i, v := range x {
		o, rem := 0, i
		for d := len(shape) - 1; d >= 0; d-- {
			o += rem % shape[d] * outSt[d]
			rem /= shape[d]
		}
		groups[o] = append(groups[o], v)
	}
	out := make([]float64, span)
	for o, g := range groups {
		var r float64
		switch kind {
		case kProd:
			r = 1
			for _, v := range g {
				r *= v
			}
		case kMax:
			r = lo
			for _, v := range g {
				r = max(r, v)
			}
		case kMin:
			r = hi
			for _, v := range g {
				r = min(r, v)
			}
		case kLogSumExp:
			for _, v := range g {
				r += math.Exp(v)
			}
			r = math.Log(r)
		default:
			for _, v := range g {
				switch kind {
				case kL1:
					v = math.Abs(v)
				case kL2, kSumSquare:
					v *= v
				}
				r += v
			}
			switch kind {
			case kMean:
				r /= float64(len(g))
			case kL2:
				r = math.Sqrt(r)
			case kLogSum:
				r = math.Log(r)
			}
		}
		out[o] = r
	}
	return out
}

// reduceOps names the Reduce operators by kind.
var reduceOps = map[reduceKind]string{
	kSum: "ReduceSum", kMean: "ReduceMean", kProd: "ReduceProd", kMax: "ReduceMax", kMin: "ReduceMin",
	kL1: "ReduceL1", kL2: "ReduceL2", kSumSquare: "ReduceSumSquare", kLogSum: "ReduceLogSum", kLogSumExp: "ReduceLogSumExp",
}

// TestReduceNaive compares random reductions of every kind and element
// type with naiveReduce, over shapes with unit and empty dims, with the
// axes as an attribute (opset 13) or an input (20), keepdims on and off.
// Integer results must be exact: the values are small, and the float64
// results of L2, LogSum and LogSumExp are truncated as the op does.
func TestReduceNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	shapes := [][]int{{}, {5}, {3, 7}, {2, 1, 4}, {2, 3, 4, 5}, {1, 6, 1, 9}, {3, 2, 3, 2, 3}, {2, 0, 3}, {300, 3}, {3, 300}}
	types := []ops.DType{onnx.Float, onnx.Double, onnx.Int32, onnx.Int64, onnx.Uint32, onnx.Uint64, onnx.Int8, onnx.Uint8, onnx.Bool}
	for iter := range 400 {
		shape := shapes[iter%len(shapes)]
		kind := reduceKind(iter / len(shapes) % len(reduceOps))
		var axes []int64
		mask := make([]bool, len(shape))
		for d := range shape {
			if rng.IntN(2) == 0 {
				axes = append(axes, int64(d-len(shape)*rng.IntN(2)))
				mask[d] = true
			}
		}
		if len(axes) == 0 {
			for d := range mask {
				mask[d] = true
			}
		}
		keep := int64(iter / 3 % 2)
		for _, dt := range types {
			if (dt == onnx.Int8 || dt == onnx.Uint8 || dt == onnx.Bool) && kind != kMax && kind != kMin {
				continue
			}
			x := ops.New(dt, shape...)
			vals := make([]float64, x.Len())
			for i := range vals {
				v := rng.Float64()*4 - 2
				switch {
				case dt == onnx.Bool:
					v = float64(rng.IntN(2))
				case !ops.IsFloat(dt):
					v = float64(rng.IntN(5) - 2)
					if dt == onnx.Uint32 || dt == onnx.Uint64 || dt == onnx.Uint8 || kind == kLogSum || kind == kLogSumExp {
						v = float64(rng.IntN(4) + 1)
					}
					if kind == kProd { // no overflow
						v = float64(1 - 2*rng.IntN(2))
						if dt == onnx.Uint32 || dt == onnx.Uint64 {
							v = 1
						}
					}
				}
				setNumber(x, i, v)
				vals[i] = v
			}
			lo, hi := limits(dt)
			count := 1
			for d, m := range mask {
				if m {
					count *= shape[d]
				}
			}
			label := fmt.Sprintf("%s %s axes %v keepdims %d", reduceOps[kind], x, axes, keep)
			if count == 0 && !ops.IsFloat(dt) && (kind == kMean || kind == kLogSum || kind == kLogSumExp) {
				continue // undefined; TestReduceErrors covers the error
			}
			want := naiveReduce(kind, vals, shape, mask, lo, hi)
			for _, opset := range []int{13, 20} {
				if dt == onnx.Bool && opset < 20 {
					continue
				}
				attrs := []*onnx.Attribute{opstest.AttrI("keepdims", keep)}
				ins := []*ops.Tensor{x}
				if opset >= 18 || kind == kSum {
					ins = append(ins, opstest.I64s(axes...))
				} else if len(axes) > 0 {
					attrs = append(attrs, opstest.AttrIs("axes", axes...))
				}
				out, err := opstest.Eval(opstest.Node(reduceOps[kind], opstest.InNames(len(ins)), 1, attrs...), opset, ins...)
				if err != nil {
					t.Errorf("%s opset %d: %v", label, opset, err)
					continue
				}
				if out[0].Len() != len(want) || out[0].Type != dt {
					t.Errorf("%s: got %v, want %d elements", label, out[0], len(want))
					continue
				}
				for i, w := range want {
					got := getNumber(out[0], i)
					if !ops.IsFloat(dt) {
						w = math.Trunc(w)
					}
					if !(got == w || math.IsNaN(got) && math.IsNaN(w) || math.Abs(got-w) <= 1e-5*math.Abs(w)+1e-6) {
						t.Errorf("%s opset %d: element %d is %g, want %g", label, opset, i, got, w)
						break
					}
				}
			}
		}
	}
}

// limits are the empty maximum and minimum of a type, as float64.
func limits(dt ops.DType) (lo, hi float64) {
	switch dt {
	case onnx.Float, onnx.Double:
		return math.Inf(-1), math.Inf(1)
	case onnx.Bool:
		return 0, 1
	case onnx.Int8:
		return math.MinInt8, math.MaxInt8
	case onnx.Uint8:
		return 0, math.MaxUint8
	case onnx.Int32:
		return math.MinInt32, math.MaxInt32
	case onnx.Uint32:
		return 0, math.MaxUint32
	case onnx.Int64:
		return math.MinInt64, math.MaxInt64
	}
	return 0, math.MaxUint64
}

// getNumber is element i of t as a float64.
func getNumber(t *ops.Tensor, i int) float64 {
	switch t.Type {
	case onnx.Float:
		return float64(t.F32()[i])
	case onnx.Double:
		return t.F64()[i]
	case onnx.Int8:
		return float64(t.I8()[i])
	case onnx.Uint8, onnx.Bool:
		return float64(t.U8()[i])
	case onnx.Int32:
		return float64(t.I32()[i])
	case onnx.Int64:
		return float64(t.I64()[i])
	case onnx.Uint32:
		return float64(t.U32()[i])
	}
	return float64(t.U64()[i])
}

// setNumber stores v, converted to t's type, as element i of t.
//
// Negative values wrap in unsigned types (through int64: a float's
// conversion to an unsigned integer is left to the architecture, and
// arm64's saturates at 0).
func setNumber(t *ops.Tensor, i int, v float64) {
	switch t.Type {
	case onnx.Float:
		t.F32()[i] = float32(v)
	case onnx.Double:
		t.F64()[i] = v
	case onnx.Int32:
		t.I32()[i] = int32(v)
	case onnx.Int64:
		t.I64()[i] = int64(v)
	case onnx.Uint32:
		t.U32()[i] = uint32(int64(v))
	case onnx.Uint64:
		t.U64()[i] = uint64(int64(v))
	case onnx.Int8:
		t.I8()[i] = int8(v)
	case onnx.Uint8, onnx.Bool:
		t.U8()[i] = uint8(int64(v))
	case onnx.Int16:
		t.I16()[i] = int16(v)
	case onnx.Uint16:
		t.U16()[i] = uint16(int64(v))
	}
}

// TestReduceMeanSpec checks the spec's example and each version's way of
// giving the axes.
func TestReduceMeanSpec(t *testing.T) {
	x := opstest.WithShape(opstest.F32s(5, 1, 20, 2, 30, 1, 40, 2, 55, 1, 60, 2), 3, 2, 2)
	axis1 := opstest.WithShape(opstest.F32s(12.5, 1.5, 35, 1.5, 57.5, 1.5), 3, 1, 2)
	all := opstest.WithShape(opstest.F32s(18.25), 1, 1, 1)
	cases := []struct {
		name  string
		opset int
		attrs []*onnx.Attribute
		in    []*ops.Tensor
		want  *ops.Tensor
	}{
		{"axes attribute", 13, []*onnx.Attribute{opstest.AttrIs("axes", 1)}, []*ops.Tensor{x}, axis1},
		{"negative axes attribute", 11, []*onnx.Attribute{opstest.AttrIs("axes", -2)}, []*ops.Tensor{x}, axis1},
		{"no axes attribute", 1, nil, []*ops.Tensor{x}, all},
		{"keepdims 0", 13, []*onnx.Attribute{opstest.AttrIs("axes", 1), opstest.AttrI("keepdims", 0)}, []*ops.Tensor{x}, opstest.WithShape(axis1, 3, 2)},
		{"axes input", 18, nil, []*ops.Tensor{x, opstest.I64s(1)}, axis1},
		{"no axes input", 18, nil, []*ops.Tensor{x}, all},
		{"empty axes input", 18, nil, []*ops.Tensor{x, opstest.I64s()}, all},
		{"noop_with_empty_axes", 18, []*onnx.Attribute{opstest.AttrI("noop_with_empty_axes", 1)}, []*ops.Tensor{x}, x},
		{"noop_with_empty_axes, axes given", 18, []*onnx.Attribute{opstest.AttrI("noop_with_empty_axes", 1)}, []*ops.Tensor{x, opstest.I64s(1)}, axis1},
	}
	for _, c := range cases {
		out, err := opstest.Eval(opstest.Node("ReduceMean", opstest.InNames(len(c.in)), 1, c.attrs...), c.opset, c.in...)
		label := fmt.Sprintf("ReduceMean-%d %s", c.opset, c.name)
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		opstest.WantTensor(t, label, out[0], c.want)
	}
	// The mean of 1, 2 and 4 in every computed type: integers truncate 7/3.
	for _, dt := range []ops.DType{onnx.Float, onnx.Double, onnx.Int32, onnx.Int64, onnx.Uint32, onnx.Uint64} {
		x, want := ops.New(dt, 3), ops.New(dt)
		for i, v := range []float64{1, 2, 4} {
			setNumber(x, i, v)
		}
		setNumber(want, 0, 7.0/3)
		out, err := opstest.Eval(opstest.Node("ReduceMean", opstest.InNames(1), 1, opstest.AttrI("keepdims", 0)), 13, x)
		if err != nil {
			t.Errorf("%s: %v", ops.TypeName(dt), err)
			continue
		}
		opstest.WantTensor(t, "mean of "+ops.TypeName(dt), out[0], want)
	}
	i32 := ops.New(onnx.Int32, 2)
	copy(i32.I32(), []int32{-3, 0})
	out, err := opstest.Eval(opstest.Node("ReduceMean", opstest.InNames(1), 1), 13, i32)
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].I32()[0]; got != -1 {
		t.Errorf("int32 mean of -3 and 0 is %d, want -1 (truncated)", got)
	}
	out, err = opstest.Eval(opstest.Node("ReduceMean", opstest.InNames(2), 1), 18, ops.New(onnx.Float, 2, 0), opstest.I64s(1))
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].F32(); len(got) != 2 || !math.IsNaN(float64(got[0])) {
		t.Errorf("float mean over an empty axis is %v, want NaNs", got)
	}
}

func TestReduceErrors(t *testing.T) {
	x := opstest.Iota32(2, 3)
	cases := []struct {
		name  string
		op    string
		opset int
		attrs []*onnx.Attribute
		in    []*ops.Tensor
		err   string
	}{
		{"negative axes before 11", "ReduceMean", 1, []*onnx.Attribute{opstest.AttrIs("axes", -1)}, []*ops.Tensor{x}, "opset 11"},
		{"axis out of range", "ReduceMax", 13, []*onnx.Attribute{opstest.AttrIs("axes", 2)}, []*ops.Tensor{x}, "out of range"},
		{"axis input out of range", "ReduceSum", 13, nil, []*ops.Tensor{x, opstest.I64s(-3)}, "out of range"},
		{"repeated axes", "ReduceMean", 18, nil, []*ops.Tensor{x, opstest.I64s(1, -1)}, "repeated"},
		{"axes input before 18", "ReduceMean", 13, nil, []*ops.Tensor{x, opstest.I64s(1)}, "got 2 inputs"},
		{"ReduceSum axes input before 13", "ReduceSum", 11, nil, []*ops.Tensor{x, opstest.I64s(1)}, "got 2 inputs"},
		{"float axes input", "ReduceL1", 18, nil, []*ops.Tensor{x, opstest.F32s(1)}, "want int64"},
		{"bool data", "ReduceMean", 13, nil, []*ops.Tensor{ops.New(onnx.Bool, 2)}, "type bool"},
		{"bool max before 20", "ReduceMax", 18, nil, []*ops.Tensor{ops.New(onnx.Bool, 2)}, "type bool"},
		{"int8 min before 12", "ReduceMin", 11, nil, []*ops.Tensor{ops.New(onnx.Int8, 2)}, "type int8"},
		{"int8 sum", "ReduceSum", 13, nil, []*ops.Tensor{ops.New(onnx.Int8, 2)}, "type int8"},
		{"int16 max", "ReduceMax", 20, nil, []*ops.Tensor{ops.New(onnx.Int16, 2)}, "type int16"},
		{"int mean of nothing", "ReduceMean", 18, nil, []*ops.Tensor{ops.New(onnx.Int32, 2, 0), opstest.I64s(1)}, "undefined"},
		{"int log-sum of nothing", "ReduceLogSum", 13, []*onnx.Attribute{opstest.AttrIs("axes", 1)}, []*ops.Tensor{ops.New(onnx.Int64, 2, 0)}, "undefined"},
		{"keepdims not an int", "ReduceProd", 13, []*onnx.Attribute{opstest.AttrF("keepdims", 1)}, []*ops.Tensor{x}, "keepdims"},
	}
	for _, c := range cases {
		_, err := opstest.Eval(opstest.Node(c.op, opstest.InNames(len(c.in)), 1, c.attrs...), c.opset, c.in...)
		opstest.WantErr(t, c.name, err, c.err)
	}
	_, err := opstest.Eval(opstest.Node("ReduceSum", opstest.InNames(1), 1), 13, ops.New(onnx.String, 2))
	if !errors.Is(err, ops.ErrUnsupported) {
		t.Errorf("ReduceSum of strings: error %v, want one wrapping ErrUnsupported", err)
	}
}

// TestReduceSpecial checks what the random comparison does not reach: NaN
// propagation, exponentials that would overflow, the identity-like
// reductions of noop_with_empty_axes and a reduction too wide for one
// column tile.
func TestReduceSpecial(t *testing.T) {
	nan := float32(math.NaN())
	x := opstest.Typed(opstest.Sh(2, 3), float32(1), nan, 3, -4, 5, -6)
	cases := []struct {
		op    string
		attrs []*onnx.Attribute
		in    []*ops.Tensor
		want  *ops.Tensor
	}{
		{"ReduceMax", []*onnx.Attribute{opstest.AttrI("keepdims", 0)}, []*ops.Tensor{x, opstest.I64s(1)}, opstest.Typed(opstest.Sh(2), nan, 5)},
		{"ReduceMin", []*onnx.Attribute{opstest.AttrI("keepdims", 0)}, []*ops.Tensor{x, opstest.I64s(0)}, opstest.Typed(opstest.Sh(3), -4, nan, -6)},
		{"ReduceLogSumExp", []*onnx.Attribute{opstest.AttrI("keepdims", 0)},
			[]*ops.Tensor{opstest.Typed(opstest.Sh(2, 2), float32(1000), 1000, float32(math.Inf(-1)), float32(math.Inf(-1))), opstest.I64s(1)},
			opstest.Typed(opstest.Sh(2), float32(1000+math.Ln2), float32(math.Inf(-1)))},
		{"ReduceL1", []*onnx.Attribute{opstest.AttrI("noop_with_empty_axes", 1)}, []*ops.Tensor{opstest.Typed(opstest.Sh(3), float32(-1), 2, -3)}, opstest.Typed(opstest.Sh(3), float32(1), 2, 3)},
		{"ReduceSumSquare", []*onnx.Attribute{opstest.AttrI("noop_with_empty_axes", 1)}, []*ops.Tensor{opstest.Typed(opstest.Sh(3), float32(-1), 2, -3), opstest.I64s()}, opstest.Typed(opstest.Sh(3), float32(1), 4, 9)},
		{"ReduceLogSum", []*onnx.Attribute{opstest.AttrI("noop_with_empty_axes", 1)}, []*ops.Tensor{opstest.Typed(opstest.Sh(2), float32(1), math.E)}, opstest.Typed(opstest.Sh(2), float32(0), 1)},
	}
	for _, c := range cases {
		out, err := opstest.Eval(opstest.Node(c.op, opstest.InNames(len(c.in)), 1, c.attrs...), 18, c.in...)
		if err != nil {
			t.Errorf("%s: %v", c.op, err)
			continue
		}
		opstest.EwCheck(t, c.op, out[0], c.want)
	}
	// 3 x 1000 summed over the rows: four column tiles, each cut by the
	// parallel chunks of opstest.Eval.
	wide := ops.New(onnx.Int64, 3, 1000)
	want := ops.New(onnx.Int64, 1000)
	for i := range wide.I64() {
		wide.I64()[i] = int64(i)
		want.I64()[i%1000] += int64(i)
	}
	out, err := opstest.Eval(opstest.Node("ReduceSum", opstest.InNames(2), 1, opstest.AttrI("keepdims", 0)), 13, wide, opstest.I64s(0))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "sum of 3 x 1000 rows", out[0], want)
}

func TestReduceNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_reduce_*"); got != 90 {
		t.Errorf("%d Reduce node tests passed, want 90", got)
	}
}

// BenchmarkReduceMean times the hot shapes: the mean over the last axis of
// a transformer activation and over H*W (global pooling) and a column
// reduction over the leading axis.
func BenchmarkReduceMean(b *testing.B) {
	for _, c := range []struct {
		name  string
		shape []int
		axes  []int64
	}{
		{"last-axis", []int{1, 512, 768}, []int64{-1}},
		{"HW", []int{1, 256, 56, 56}, []int64{2, 3}},
		{"leading", []int{512, 768}, []int64{0}},
	} {
		b.Run(c.name, func(b *testing.B) {
			x := opstest.Rand(rand.New(rand.NewPCG(1, 2)), c.shape...)
			op, err := ops.Build(opstest.Node("ReduceMean", opstest.InNames(2), 1), 18)
			if err != nil {
				b.Fatal(err)
			}
			axes := opstest.I64s(c.axes...)
			outs, err := op.Infer(ops.ConstValues([]*ops.Tensor{x, axes}))
			if err != nil {
				b.Fatal(err)
			}
			y := ops.New(outs[0].Type, outs[0].Shape...)
			run, err := op.(ops.Binder).Bind(&ops.Ctx{Par: ops.Serial{}}, []*ops.Tensor{x, axes}, []*ops.Tensor{y})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(x.Data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
