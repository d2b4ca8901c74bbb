package array

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// refCombine is the reference reduction of two elements as float64 (the
// test values are small integers, exact in every type) or, for bools, as
// logic.
func refCombine(red string, isBool bool, a, b float64) float64 {
	switch {
	case red == "none":
		return b
	case isBool && red == "add", red == "max":
		return math.Max(a, b)
	case isBool && red == "mul", red == "min":
		return math.Min(a, b)
	case red == "add":
		return a + b
	}
	return a * b
}

// smallValues is a tensor of type dt and shape holding values in [0, 4)
// for unsigned types, [-2, 2) for signed ones (0 or 1 for bools), so that
// sums and products stay exact and max and min meet both signs.
func smallValues(rng *rand.Rand, dt ops.DType, shape ...int) *ops.Tensor {
	t := ops.New(dt, shape...)
	n, low := 4, 0
	switch dt {
	case onnx.Bool:
		n = 2
	case onnx.Float, onnx.Double, onnx.Int8, onnx.Int16, onnx.Int32, onnx.Int64:
		low = -2
	}
	es := ops.ElemSize(dt)
	for i := range t.Len() {
		putElem(dt, t.Data[i*es:], float64(low+rng.IntN(n)))
	}
	return t
}

// reduceInto applies update value v to element at of want, by red.
func reduceInto(want *ops.Tensor, at int, red string, v float64) {
	es := ops.ElemSize(want.Type)
	putElem(want.Type, want.Data[at*es:], refCombine(red, want.Type == onnx.Bool, elemF64(want, at), v))
}

// wantConcurrent runs op on goroutines running chunks of every loop at
// once (a race under -race if workers shared an element) and checks output
// 0 against want.
func wantConcurrent(t *testing.T, label, op string, attrs []*onnx.Attribute, want *ops.Tensor, in ...*ops.Tensor) {
	t.Helper()
	got, err := opstest.Eval(opstest.Node(op, opstest.InNames(len(in)), 1, attrs...), 18, in...)
	if err != nil {
		t.Errorf("%s on concurrent chunks: %v", label, err)
		return
	}
	opstest.WantTensor(t, label+" on concurrent chunks", got[0], want)
}

var scatterTypes = []ops.DType{onnx.Float, onnx.Double, onnx.Int8, onnx.Uint8, onnx.Int16, onnx.Int32, onnx.Uint64, onnx.Int64, onnx.Bool}

func TestScatterElementsAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	cases := []struct {
		data, idx []int
		axis      int
	}{
		{[]int{3, 3}, []int{2, 3}, 0},
		{[]int{1, 5}, []int{1, 2}, 1},
		{[]int{4, 5, 6}, []int{9, 5, 6}, 0}, // more updates than rows: duplicates
		{[]int{4, 5, 6}, []int{3, 8, 2}, -2},
		{[]int{2, 3, 4, 5}, []int{2, 2, 3, 7}, 3},
		{[]int{6}, []int{0}, 0},
	}
	for _, c := range cases {
		for _, dt := range scatterTypes {
			for _, red := range []string{"none", "add", "mul", "max", "min"} {
				axis, _ := ops.NormAxis(c.axis, len(c.data))
				data := smallValues(rng, dt, c.data...)
				idx := randomIndices(rng, onnx.Int64, c.data[axis], true, c.idx...)
				upd := smallValues(rng, dt, c.idx...)
				label := fmt.Sprintf("ScatterElements %s%v axis %d indices %v reduction %s", ops.TypeName(dt), c.data, c.axis, c.idx, red)
				attrs := []*onnx.Attribute{opstest.AttrI("axis", int64(c.axis)), opstest.AttrS("reduction", red)}
				got, err := opstest.EwEval(t, "ScatterElements", 18, 1, attrs, data, idx, upd)
				if err != nil {
					t.Errorf("%s: %v", label, err)
					continue
				}
				want := data.Clone()
				for e := range upd.Len() {
					m := multiIndex(e, c.idx)
					m[axis] = int(idx.I64()[e])
					if m[axis] < 0 {
						m[axis] += c.data[axis]
					}
					reduceInto(want, flatIndex(m, c.data), red, elemF64(upd, e))
				}
				opstest.WantTensor(t, label, got[0], want)
				wantConcurrent(t, label, "ScatterElements", attrs, want, data, idx, upd)
			}
		}
	}
}

func TestScatterReductionsNaN(t *testing.T) {
	data := opstest.F32s(1, float32(math.NaN()), 3)
	idx := opstest.I64s(0, 1, 2)
	upd := opstest.F32s(float32(math.NaN()), 5, 2)
	for _, red := range []string{"max", "min"} {
		got, err := opstest.Eval(opstest.Node("ScatterElements", opstest.InNames(3), 1, opstest.AttrS("reduction", red)), 18, data, idx, upd)
		if err != nil {
			t.Fatal(err)
		}
		v := got[0].F32()
		if !math.IsNaN(float64(v[0])) || !math.IsNaN(float64(v[1])) || v[2] != map[string]float32{"max": 3, "min": 2}[red] {
			t.Errorf("reduction %s with NaN: got %v", red, v)
		}
	}
}

func TestScatter(t *testing.T) {
	// The spec's examples, for Scatter-9 and 11 and ScatterElements.
	data := ops.New(onnx.Float, 3, 3)
	idx := ints64([]int{2, 3}, 1, 0, 2, 0, 2, 1)
	upd := opstest.WithShape(opstest.F32s(1, 1.1, 1.2, 2, 2.1, 2.2), 2, 3)
	want := opstest.WithShape(opstest.F32s(2, 1.1, 0, 1, 0, 2.2, 0, 2.1, 1.2), 3, 3)
	for _, c := range []struct {
		op    string
		opset int
	}{{"Scatter", 9}, {"Scatter", 11}, {"ScatterElements", 11}, {"ScatterElements", 13}} {
		got, err := opstest.Eval(opstest.Node(c.op, opstest.InNames(3), 1), c.opset, data, idx, upd)
		if err != nil {
			t.Fatal(err)
		}
		opstest.WantTensor(t, fmt.Sprintf("%s-%d", c.op, c.opset), got[0], want)
	}
	neg := ints64([]int{1, 1}, -1)
	one := opstest.WithShape(opstest.F32s(7), 1, 1)
	_, err := opstest.Eval(opstest.Node("Scatter", opstest.InNames(3), 1), 9, data, neg, one)
	opstest.WantErr(t, "Scatter-9 negative index", err, "out of range [0, 3)")
	got, err := opstest.Eval(opstest.Node("Scatter", opstest.InNames(3), 1), 11, data, neg, one)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "Scatter-11 negative index", got[0], opstest.WithShape(opstest.F32s(0, 0, 0, 0, 0, 0, 7, 0, 0), 3, 3))
}

func TestScatterElementsErrors(t *testing.T) {
	data := opstest.Iota32(3, 3)
	for _, c := range []struct {
		name     string
		opset    int
		red      string
		idx, upd *ops.Tensor
		err      string
	}{
		{"out of range", 18, "none", ints64([]int{1, 1}, 3), opstest.WithShape(opstest.F32s(1), 1, 1), "input \"indices\": index 3 out of range [-3, 3)"},
		{"updates shape", 18, "none", ints64([]int{1, 1}, 0), opstest.WithShape(opstest.F32s(1, 2), 1, 2), "must match"},
		{"updates type", 18, "none", ints64([]int{1, 1}, 0), opstest.WithShape(opstest.I64s(1), 1, 1), "input \"updates\" has type int64"},
		{"add before 16", 13, "add", ints64([]int{1, 1}, 0), opstest.WithShape(opstest.F32s(1), 1, 1), "needs opset 16"},
		{"max before 18", 16, "max", ints64([]int{1, 1}, 0), opstest.WithShape(opstest.F32s(1), 1, 1), "needs opset 18"},
		{"unknown reduction", 18, "sum", ints64([]int{1, 1}, 0), opstest.WithShape(opstest.F32s(1), 1, 1), "want none, add"},
	} {
		_, err := opstest.Eval(opstest.Node("ScatterElements", opstest.InNames(3), 1, opstest.AttrS("reduction", c.red)), c.opset, data, c.idx, c.upd)
		opstest.WantErr(t, c.name, err, c.err)
	}
	// An index out of range leaves the output unwritten.
	op, _ := ops.Build(opstest.Node("ScatterElements", opstest.InNames(3), 1), 18)
	out := ops.New(onnx.Float, 3, 3)
	err := op.Run(&ops.Ctx{Par: ops.Serial{}}, []*ops.Tensor{data, ints64([]int{1, 2}, 0, 5), opstest.WithShape(opstest.F32s(1, 2), 1, 2)}, []*ops.Tensor{out})
	opstest.WantErr(t, "run-time index", err, "index 5 out of range")
	opstest.WantTensor(t, "output after a bad index", out, ops.New(onnx.Float, 3, 3))
}

func TestScatterNDAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	cases := []struct{ data, idx []int }{
		{[]int{8}, []int{4, 1}},
		{[]int{4, 4, 4}, []int{2, 1}},
		{[]int{4, 4, 4}, []int{5, 3}}, // single elements, with duplicates
		{[]int{3, 5, 7}, []int{2, 3, 2}},
		{[]int{3, 5, 7}, []int{0, 1}},
		{[]int{2, 300}, []int{7, 1}}, // wide slices, split across workers
	}
	for _, c := range cases {
		for _, dt := range scatterTypes {
			for _, red := range []string{"none", "add", "mul", "max", "min"} {
				k := c.idx[len(c.idx)-1]
				data := smallValues(rng, dt, c.data...)
				idx := ops.New(onnx.Int64, c.idx...)
				for i := range idx.Len() {
					d := c.data[i%k]
					idx.I64()[i] = int64(rng.IntN(2*d) - d)
				}
				updShape := append(append([]int{}, c.idx[:len(c.idx)-1]...), c.data[k:]...)
				upd := smallValues(rng, dt, updShape...)
				label := fmt.Sprintf("ScatterND %s%v indices %v reduction %s", ops.TypeName(dt), c.data, c.idx, red)
				got, err := opstest.EwEval(t, "ScatterND", 18, 1, []*onnx.Attribute{opstest.AttrS("reduction", red)}, data, idx, upd)
				if err != nil {
					t.Errorf("%s: %v", label, err)
					continue
				}
				want := data.Clone()
				slice := ops.NumElems(c.data[k:])
				for tu := range ops.NumElems(c.idx[:len(c.idx)-1]) {
					m := make([]int, k)
					for j := range m {
						m[j] = int(idx.I64()[tu*k+j])
						if m[j] < 0 {
							m[j] += c.data[j]
						}
					}
					base := flatIndex(m, c.data[:k]) * slice
					for e := range slice {
						reduceInto(want, base+e, red, elemF64(upd, tu*slice+e))
					}
				}
				opstest.WantTensor(t, label, got[0], want)
				wantConcurrent(t, label, "ScatterND", []*onnx.Attribute{opstest.AttrS("reduction", red)}, want, data, idx, upd)
			}
		}
	}
}

func TestScatterNDErrors(t *testing.T) {
	data := opstest.Iota32(2, 3)
	for _, c := range []struct {
		name     string
		idx, upd *ops.Tensor
		err      string
	}{
		{"out of range", ints64([]int{1, 1}, -3), opstest.WithShape(opstest.F32s(1, 2, 3), 1, 3), "index 0 of tuple 0 is -3, out of range [-2, 2)"},
		{"updates shape", ints64([]int{1, 1}, 0), opstest.F32s(1, 2, 3), "want [1 3]"},
		{"tuple too long", ints64([]int{1, 3}, 0, 0, 0), opstest.F32s(1), "last dim must be in [1, 2]"},
		{"int32 indices", opstest.Typed(opstest.Sh(1, 1), int32(0)), opstest.WithShape(opstest.F32s(1, 2, 3), 1, 3), "want int64"},
	} {
		_, err := opstest.Eval(opstest.Node("ScatterND", opstest.InNames(3), 1), 18, data, c.idx, c.upd)
		opstest.WantErr(t, c.name, err, c.err)
	}
}

func TestTensorScatterAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	cases := []struct {
		past   []int
		seq    int
		axis   int
		writes []int64 // nil: input omitted
		mode   string
	}{
		{[]int{2, 3, 5, 4}, 2, -2, []int64{0, 3}, "linear"},
		{[]int{2, 3, 5, 4}, 5, -2, nil, "linear"},
		{[]int{3, 6, 2}, 4, 1, []int64{4, 5, -1}, "circular"},
		{[]int{2, 4}, 3, 1, []int64{2, 7}, "circular"},
		{[]int{2, 7, 3}, 0, 1, []int64{7, 7}, "linear"},
	}
	for _, c := range cases {
		axis, _ := ops.NormAxis(c.axis, len(c.past))
		past := opstest.RandomBytes(rng, onnx.Float, c.past...)
		us := append([]int{}, c.past...)
		us[axis] = c.seq
		upd := opstest.RandomBytes(rng, onnx.Float, us...)
		in := []*ops.Tensor{past, upd}
		if c.writes != nil {
			in = append(in, opstest.I64s(c.writes...))
		}
		label := fmt.Sprintf("TensorScatter %v axis %d seq %d writes %v %s", c.past, c.axis, c.seq, c.writes, c.mode)
		got, err := opstest.EwEval(t, "TensorScatter", 24, 1, []*onnx.Attribute{opstest.AttrI("axis", int64(c.axis)), opstest.AttrS("mode", c.mode)}, in...)
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		want := past.Clone()
		for e := range upd.Len() {
			m := multiIndex(e, us)
			w := 0
			if c.writes != nil {
				w = int(c.writes[m[0]])
			}
			m[axis] += w
			if c.mode == "circular" {
				m[axis] = (m[axis]%c.past[axis] + c.past[axis]) % c.past[axis]
			}
			at := flatIndex(m, c.past)
			copy(want.Data[at*4:at*4+4], upd.Data[e*4:])
		}
		opstest.WantTensor(t, label, got[0], want)
	}
}

func TestTensorScatterErrors(t *testing.T) {
	past := ops.New(onnx.Float, 2, 4, 3)
	upd := ops.New(onnx.Float, 2, 2, 3)
	for _, c := range []struct {
		name  string
		attrs []*onnx.Attribute
		in    []*ops.Tensor
		err   string
	}{
		{"write past the end", []*onnx.Attribute{opstest.AttrI("axis", 1)}, []*ops.Tensor{past, upd, opstest.I64s(0, 3)}, "entry 1 is 3, want in [0, 2]"},
		{"negative write", []*onnx.Attribute{opstest.AttrI("axis", 1)}, []*ops.Tensor{past, upd, opstest.I64s(-1, 0)}, "entry 0 is -1"},
		{"batch axis", []*onnx.Attribute{opstest.AttrI("axis", 0)}, []*ops.Tensor{past, past}, "cannot be the batch axis"},
		{"update too long", []*onnx.Attribute{opstest.AttrI("axis", 1)}, []*ops.Tensor{upd, past}, "at most 2 along axis 1"},
		{"update off-axis dims", []*onnx.Attribute{opstest.AttrI("axis", 1)}, []*ops.Tensor{past, ops.New(onnx.Float, 2, 2, 2)}, "off axis 1"},
		{"write_indices shape", []*onnx.Attribute{opstest.AttrI("axis", 1)}, []*ops.Tensor{past, upd, opstest.I64s(0)}, "want int64[2]"},
		{"type", []*onnx.Attribute{opstest.AttrI("axis", 1)}, []*ops.Tensor{past, ops.New(onnx.Int32, 2, 2, 3)}, "input \"update\" has type int32"},
	} {
		_, err := opstest.Eval(opstest.Node("TensorScatter", opstest.InNames(len(c.in)), 1, c.attrs...), 24, c.in...)
		opstest.WantErr(t, c.name, err, c.err)
	}
	_, err := ops.Build(opstest.Node("TensorScatter", opstest.InNames(2), 1, opstest.AttrS("mode", "ring")), 24)
	opstest.WantErr(t, "mode", err, "want linear or circular")
}

func TestScatterNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_scatter*", "test_tensorscatter*"); got != 17 {
		t.Errorf("%d scatter node tests passed, want 17", got)
	}
}
