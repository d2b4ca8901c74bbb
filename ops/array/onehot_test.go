package array

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestOneHotAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for _, c := range []struct {
		idx   []int
		depth int
		axis  int
	}{
		{[]int{3}, 10, -1}, {[]int{2, 2}, 10, 1}, {[]int{2, 3}, 4, -3}, {[]int{2, 3, 4}, 5, 2},
		{[]int{}, 3, 0}, {[]int{4}, 0, -1}, {[]int{0, 3}, 2, 1},
	} {
		for _, opset := range []int{9, 11} {
			idx := ops.New(onnx.Int32, c.idx...)
			for i := range idx.I32()[:idx.Len()] {
				idx.I32()[i] = int32(rng.IntN(2*c.depth+3) - c.depth - 1) // some out of range either side
			}
			values := opstest.Typed(opstest.Sh(2), int16(-3), 7)
			label := fmt.Sprintf("OneHot-%d indices %v depth %d axis %d", opset, c.idx, c.depth, c.axis)
			got, err := opstest.EwEval(t, "OneHot", opset, 1, []*onnx.Attribute{opstest.AttrI("axis", int64(c.axis))}, idx, scalar(int64(c.depth)), values)
			if err != nil {
				t.Errorf("%s: %v", label, err)
				continue
			}
			axis := c.axis
			if axis < 0 {
				axis += len(c.idx) + 1
			}
			shape := append(append(append([]int{}, c.idx[:axis]...), c.depth), c.idx[axis:]...)
			want := ops.New(onnx.Int16, shape...)
			for e := range want.Len() {
				m := multiIndex(e, shape)
				d := m[axis]
				m = append(m[:axis], m[axis+1:]...)
				v := int(idx.I32()[flatIndex(m, c.idx)])
				if v < 0 && opset >= 11 {
					v += c.depth
				}
				want.I16()[e] = -3
				if v == d {
					want.I16()[e] = 7
				}
			}
			opstest.WantTensor(t, label, got[0], want)
		}
	}
}

func TestOneHotTypes(t *testing.T) {
	// Float indices and depth are truncated; bool values.
	idx := opstest.F32s(2.7, -1.5, 0.2, 5)
	got, err := opstest.Eval(opstest.Node("OneHot", opstest.InNames(3), 1), 11, idx, scalar(float32(3.9)), opstest.Bools(opstest.Sh(2), false, true))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "float indices", got[0], opstest.Bools(opstest.Sh(4, 3),
		false, false, true,
		false, false, true,
		true, false, false,
		false, false, false))
	got, err = opstest.Eval(opstest.Node("OneHot", opstest.InNames(3), 1), 9, opstest.Typed(opstest.Sh(2), uint64(1), 1<<63), opstest.Typed(opstest.Sh(1), uint8(2)), opstest.F32s(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "uint64 indices, uint8 depth", got[0], opstest.WithShape(opstest.F32s(0, 1, 0, 0), 2, 2))
}

func TestOneHotErrors(t *testing.T) {
	idx := opstest.I64s(0, 1)
	vals := opstest.F32s(0, 1)
	for _, c := range []struct {
		name string
		axis int64
		in   []*ops.Tensor
		err  string
	}{
		{"axis", 2, []*ops.Tensor{idx, scalar(int64(3)), vals}, "want in [-2, 1]"},
		{"negative depth", -1, []*ops.Tensor{idx, scalar(int64(-3)), vals}, "want >= 0"},
		{"depth of two", -1, []*ops.Tensor{idx, opstest.I64s(2, 3), vals}, "want a numeric scalar"},
		{"three values", -1, []*ops.Tensor{idx, scalar(int64(3)), opstest.F32s(0, 1, 2)}, "want [2]"},
		{"bool indices", -1, []*ops.Tensor{opstest.Bools(opstest.Sh(1), true), scalar(int64(3)), vals}, "want a numeric type"},
	} {
		_, err := opstest.Eval(opstest.Node("OneHot", opstest.InNames(3), 1, opstest.AttrI("axis", c.axis)), 11, c.in...)
		opstest.WantErr(t, c.name, err, c.err)
	}
	op, _ := ops.Build(opstest.Node("OneHot", opstest.InNames(3), 1), 11)
	_, err := op.Infer([]ops.Value{{Type: onnx.Int64, Shape: []int{2}}, {Type: onnx.Int64, Shape: []int{}}, {Type: onnx.Float, Shape: []int{2}}})
	opstest.WantErr(t, "computed depth", err, "\"depth\"", "not known before the run")
}

func TestOneHotNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_onehot*"); got != 4 {
		t.Errorf("%d OneHot node tests passed, want 4", got)
	}
}
