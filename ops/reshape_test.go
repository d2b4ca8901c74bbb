package ops

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// Helpers shared by the tests of the shape and data-movement ops
// (reshape, concat, slice, transpose, constant, shape, pad, reduce).

// chunkPar is a Parallel that cuts every loop into chunks of at most size
// iterations and runs them on concurrent goroutines, so tests cover chunk
// boundaries (and races, under -race).
type chunkPar struct{ size int }

func (p chunkPar) For(n, grain int, fn func(lo, hi int)) {
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += p.size {
		wg.Add(1)
		go func(lo int) {
			defer wg.Done()
			fn(lo, min(lo+p.size, n))
		}(lo)
	}
	wg.Wait()
}

func (p chunkPar) Threads() int { return 4 }

// moveNode is a node of type op with inputs named in0.. (or "" where names
// holds ""), nOut outputs and the given attributes.
func moveNode(op string, inputs []string, nOut int, attrs ...*onnx.Attribute) *onnx.Node {
	n := &onnx.Node{OpType: op, Inputs: inputs, Attrs: attrs}
	for i := range nOut {
		n.Outputs = append(n.Outputs, fmt.Sprintf("out%d", i))
	}
	return n
}

// inNames names n inputs in0..in(n-1).
func inNames(n int) []string {
	s := make([]string, n)
	for i := range s {
		s[i] = fmt.Sprintf("in%d", i)
	}
	return s
}

func attrI(name string, v int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInt, I: v}
}

func attrIs(name string, v ...int64) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInts, Ints: v}
}

func attrF(name string, v float32) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrFloat, F: v}
}

func attrS(name, v string) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrString, S: []byte(v)}
}

// evalNode builds n at opset, infers with every present input constant
// (nil tensors are omitted inputs), runs on a chunkPar and returns the
// outputs. Build, Infer and Run errors are returned.
func evalNode(n *onnx.Node, opset int, in ...*Tensor) ([]*Tensor, error) {
	op, err := Build(n, opset)
	if err != nil {
		return nil, err
	}
	vals := make([]Value, len(in))
	for i, t := range in {
		if t != nil {
			vals[i] = Value{Type: t.Type, Shape: t.Shape, Const: t}
		}
	}
	outVals, err := op.Infer(vals)
	if err != nil {
		return nil, err
	}
	outs := make([]*Tensor, len(outVals))
	for i, v := range outVals {
		outs[i] = New(v.Type, v.Shape...)
	}
	return outs, op.Run(&Ctx{Par: chunkPar{3}}, in, outs)
}

// i64s and f32s make 1-D tensors.
func i64s(v ...int64) *Tensor   { return FromI64(v, len(v)) }
func f32s(v ...float32) *Tensor { return FromF32(v, len(v)) }

// iota32 is a float tensor of the given shape holding 0, 1, 2...
func iota32(shape ...int) *Tensor {
	t := New(onnx.Float, shape...)
	for i := range t.F32() {
		t.F32()[i] = float32(i)
	}
	return t
}

// withShape returns t viewed with another shape.
func withShape(t *Tensor, shape ...int) *Tensor {
	return &Tensor{Type: t.Type, Shape: shape, Data: t.Data}
}

// wantTensor fails t unless got matches want exactly (type, shape, bytes).
func wantTensor(t *testing.T, label string, got, want *Tensor) {
	t.Helper()
	if err := sameTensor(got, want, 0, 0); err != nil {
		t.Errorf("%s: %v", label, err)
	}
}

// wantErr fails t unless err is non-nil and mentions every fragment.
func wantErr(t *testing.T, label string, err error, frags ...string) {
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

func TestReshapeTo(t *testing.T) {
	cases := []struct {
		in        []int
		spec      []int64
		allowZero bool
		want      []int
		err       string
	}{
		{[]int{2, 3, 4}, []int64{4, 2, 3}, false, []int{4, 2, 3}, ""},
		{[]int{2, 3, 4}, []int64{2, -1}, false, []int{2, 12}, ""},
		{[]int{2, 3, 4}, []int64{0, 0, -1, 2}, false, []int{2, 3, 2, 2}, ""},
		{[]int{2, 3, 4}, []int64{-1}, false, []int{24}, ""},
		{[]int{1}, []int64{}, false, []int{}, ""},
		{[]int{0, 3, 4}, []int64{3, 4, 0}, true, []int{3, 4, 0}, ""},
		{[]int{0, 3, 4}, []int64{3, 4, 0}, false, nil, "48 elements"},
		{[]int{2, 0}, []int64{0, 0}, true, []int{0, 0}, ""},
		{[]int{12}, []int64{3, 4, 0}, false, nil, "rank 1"},
		{[]int{2, 3, 4}, []int64{-1, -1}, false, nil, "more than one -1"},
		{[]int{2, 3, 4}, []int64{5, -1}, false, nil, "cannot be inferred"},
		{[]int{2, 3, 4}, []int64{0, -1, 0}, true, nil, "both 0 and -1"},
		{[]int{2, 3, 4}, []int64{-2, 12}, false, nil, "want >= -1"},
		{[]int{2, 3, 4}, []int64{5, 5}, false, nil, "24 elements"},
		{[]int{4}, []int64{maxDim + 1, 4}, false, nil, "shape entry 0 is " + fmt.Sprint(maxDim+1) + ", out of range"},
		{[]int{0}, []int64{maxDim, maxDim}, false, nil, "element count overflows"},
		{[]int{4}, []int64{-1, maxDim, maxDim}, false, nil, "element count overflows"},
	}
	for _, c := range cases {
		got, err := reshapeTo(c.in, c.spec, c.allowZero)
		label := fmt.Sprintf("reshapeTo(%v, %v, %v)", c.in, c.spec, c.allowZero)
		if c.err != "" {
			wantErr(t, label, err, c.err)
		} else if err != nil || !SameShape(got, c.want) {
			t.Errorf("%s = %v, %v; want %v", label, got, err, c.want)
		}
	}
}

func TestReshapeVersions(t *testing.T) {
	x := iota32(2, 3)
	// Opset 1: the shape is an attribute.
	out, err := evalNode(moveNode("Reshape", inNames(1), 1, attrIs("shape", 3, 2)), 1, x)
	if err != nil {
		t.Fatal(err)
	}
	wantTensor(t, "Reshape-1", out[0], withShape(x, 3, 2))
	// Opset 13 ignores allowzero (absent before 14): 0 copies the input dim.
	zero := New(onnx.Float, 0, 3)
	if _, err := evalNode(moveNode("Reshape", inNames(2), 1, attrI("allowzero", 1)), 13, zero, i64s(3, 0)); err == nil {
		t.Error("Reshape-13 honoured allowzero")
	}
	out, err = evalNode(moveNode("Reshape", inNames(2), 1, attrI("allowzero", 1)), 14, zero, i64s(3, 0))
	if err != nil {
		t.Fatal(err)
	}
	if !SameShape(out[0].Shape, []int{3, 0}) {
		t.Errorf("Reshape-14 allowzero gave %v, want [3 0]", out[0].Shape)
	}
	// A shape that is not constant cannot be planned.
	op, _ := Build(moveNode("Reshape", inNames(2), 1), 14)
	_, err = op.Infer([]Value{{Type: onnx.Float, Shape: []int{6}}, {Type: onnx.Int64, Shape: []int{1}}})
	wantErr(t, "Reshape with a computed shape", err, `"shape"`, "known before running")
}

func TestFlatten(t *testing.T) {
	x := iota32(2, 3, 4)
	cases := []struct {
		opset int
		axis  int64
		want  []int
		err   string
	}{
		{9, 0, []int{1, 24}, ""},
		{9, 1, []int{2, 12}, ""},
		{9, 3, []int{24, 1}, ""},
		{11, -1, []int{6, 4}, ""},
		{11, -3, []int{1, 24}, ""},
		{9, -1, nil, "opset 11"},
		{11, 4, nil, "want in [-3, 3]"},
		{11, -4, nil, "want in [-3, 3]"},
	}
	for _, c := range cases {
		out, err := evalNode(moveNode("Flatten", inNames(1), 1, attrI("axis", c.axis)), c.opset, x)
		label := fmt.Sprintf("Flatten-%d axis %d", c.opset, c.axis)
		if c.err != "" {
			wantErr(t, label, err, c.err)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		wantTensor(t, label, out[0], withShape(x, c.want...))
	}
}

func TestSqueezeUnsqueeze(t *testing.T) {
	x := iota32(1, 3, 1, 2)
	cases := []struct {
		op     string
		opset  int
		axes   []int64 // nil: none given
		viaIn  bool    // axes as input 1
		x      *Tensor
		want   []int
		errMsg string
	}{
		{"Squeeze", 11, nil, false, x, []int{3, 2}, ""},
		{"Squeeze", 13, nil, false, x, []int{3, 2}, ""},
		{"Squeeze", 1, []int64{2}, false, x, []int{1, 3, 2}, ""},
		{"Squeeze", 11, []int64{-2, 0}, false, x, []int{3, 2}, ""},
		{"Squeeze", 13, []int64{-4}, true, x, []int{3, 1, 2}, ""},
		{"Squeeze", 1, []int64{-2}, false, x, nil, "opset 11"},
		{"Squeeze", 13, []int64{1}, true, x, nil, "not 1"},
		{"Squeeze", 13, []int64{0, 0}, true, x, nil, "repeated"},
		{"Squeeze", 13, []int64{4}, true, x, nil, "out of range"},
		{"Unsqueeze", 1, []int64{0, 4}, false, iota32(3, 4, 5), []int{1, 3, 4, 5, 1}, ""},
		{"Unsqueeze", 13, []int64{5, 4, 0}, true, iota32(3, 4, 5), []int{1, 3, 4, 5, 1, 1}, ""},
		{"Unsqueeze", 11, []int64{-1, 1}, false, iota32(3, 4), []int{3, 1, 4, 1}, ""},
		{"Unsqueeze", 13, []int64{}, true, iota32(2), []int{2}, ""},
		{"Unsqueeze", 13, []int64{0}, true, iota32(), []int{1}, ""},
		{"Unsqueeze", 1, []int64{-1}, false, iota32(3), nil, "opset 11"},
		{"Unsqueeze", 13, []int64{1, -2}, true, iota32(3), nil, "repeated"},
		{"Unsqueeze", 13, []int64{3}, true, iota32(3), nil, "out of range"},
	}
	for _, c := range cases {
		var n *onnx.Node
		in := []*Tensor{c.x}
		if c.viaIn {
			n = moveNode(c.op, inNames(2), 1)
			in = append(in, i64s(c.axes...))
		} else if c.axes != nil {
			n = moveNode(c.op, inNames(1), 1, attrIs("axes", c.axes...))
		} else {
			n = moveNode(c.op, inNames(1), 1)
		}
		label := fmt.Sprintf("%s-%d axes %v", c.op, c.opset, c.axes)
		out, err := evalNode(n, c.opset, in...)
		if c.errMsg != "" {
			wantErr(t, label, err, c.errMsg)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		wantTensor(t, label, out[0], withShape(c.x, c.want...))
	}
	_, err := Build(moveNode("Unsqueeze", inNames(1), 1), 11)
	wantErr(t, "Unsqueeze-11 without axes", err, `"axes" is required`)
}

// TestViewOpsInPlace checks that the shape-only ops offer their input's
// storage, and copy it when given distinct storage.
func TestViewOpsInPlace(t *testing.T) {
	ops := []*onnx.Node{
		moveNode("Reshape", inNames(2), 1),
		moveNode("Flatten", inNames(1), 1),
		moveNode("Squeeze", inNames(1), 1),
		moveNode("Unsqueeze", inNames(2), 1),
	}
	for _, n := range ops {
		op, err := Build(n, 21)
		if err != nil {
			t.Fatal(err)
		}
		ip, ok := op.(InPlacer)
		if !ok || ip.InPlace(nil) != 0 {
			t.Errorf("%s does not offer input 0's storage", n.OpType)
			continue
		}
		x := iota32(1, 4)
		out := New(onnx.Float, 4)
		if err := op.Run(&Ctx{Par: Serial{}}, []*Tensor{x, nil}, []*Tensor{out}); err != nil {
			t.Fatal(err)
		}
		wantTensor(t, n.OpType+" into distinct storage", out, withShape(x, 4))
	}
}

func TestReshapeNodeTests(t *testing.T) {
	if got := nodeTests(t, "test_reshape*", "test_flatten*", "test_squeeze*", "test_unsqueeze*"); got != 28 {
		t.Errorf("%d Reshape/Flatten/Squeeze/Unsqueeze node tests passed, want 28", got)
	}
}
