package array

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestGather(t *testing.T) {
	data := opstest.WithShape(opstest.F32s(1, 1.2, 2.3, 3.4, 4.5, 5.7), 3, 2)
	data3 := opstest.WithShape(opstest.F32s(1, 1.2, 1.9, 2.3, 3.4, 3.9, 4.5, 5.7, 5.9), 3, 3)
	idx32 := ops.New(onnx.Int32, 2)
	copy(idx32.I32(), []int32{2, -3})
	bytes := &ops.Tensor{Type: onnx.Uint8, Shape: []int{2, 3}, Data: []byte{1, 2, 3, 4, 5, 6}}
	cases := []struct {
		name  string
		opset int
		axis  int64
		data  *ops.Tensor
		idx   *ops.Tensor
		want  *ops.Tensor
	}{
		{"spec axis 0", 13, 0, data, opstest.WithShape(opstest.I64s(0, 1, 1, 2), 2, 2), opstest.WithShape(opstest.F32s(1, 1.2, 2.3, 3.4, 2.3, 3.4, 4.5, 5.7), 2, 2, 2)},
		{"spec axis 1", 13, 1, data3, opstest.WithShape(opstest.I64s(0, 2), 1, 2), opstest.WithShape(opstest.F32s(1, 1.9, 2.3, 3.9, 4.5, 5.9), 3, 1, 2)},
		{"negative axis and indices", 11, -1, data3, opstest.I64s(-1, 0), opstest.WithShape(opstest.F32s(1.9, 1, 3.9, 2.3, 5.9, 4.5), 3, 2)},
		{"int32 indices", 13, 0, data, idx32, opstest.WithShape(opstest.F32s(4.5, 5.7, 1, 1.2), 2, 2)},
		{"scalar index", 1, 1, bytes, ops.FromI64([]int64{2}), &ops.Tensor{Type: onnx.Uint8, Shape: []int{2}, Data: []byte{3, 6}}},
		{"no indices", 13, 0, data, opstest.I64s(), ops.New(onnx.Float, 0, 2)},
	}
	for _, c := range cases {
		out, err := opstest.Eval(opstest.Node("Gather", opstest.InNames(2), 1, opstest.AttrI("axis", c.axis)), c.opset, c.data, c.idx)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		opstest.WantTensor(t, c.name, out[0], c.want)
	}
	errs := []struct {
		name  string
		opset int
		axis  int64
		idx   *ops.Tensor
		err   string
	}{
		{"index past the end", 13, 0, opstest.I64s(3), "out of range [-3, 3)"},
		{"index before the start", 13, 0, opstest.I64s(-4), "out of range"},
		{"negative index before 11", 1, 0, opstest.I64s(-1), "out of range [0, 3)"},
		{"float indices", 13, 0, opstest.F32s(0), "int32 or int64"},
		{"axis", 13, 2, opstest.I64s(0), "out of range for rank 2"},
	}
	for _, c := range errs {
		_, err := opstest.Eval(opstest.Node("Gather", opstest.InNames(2), 1, opstest.AttrI("axis", c.axis)), c.opset, data, c.idx)
		opstest.WantErr(t, c.name, err, c.err)
	}
}

// randomIndices is an int64 (or int32) tensor of the given shape holding
// indices in [-dim, dim) (or [0, dim) when neg is false).
func randomIndices(rng *rand.Rand, dt ops.DType, dim int, neg bool, shape ...int) *ops.Tensor {
	t := ops.New(dt, shape...)
	lo := 0
	if neg {
		lo = -dim
	}
	for i := range t.Len() {
		v := lo + rng.IntN(dim-lo)
		if dt == onnx.Int32 {
			t.I32()[i] = int32(v)
		} else {
			t.I64()[i] = int64(v)
		}
	}
	return t
}

// multiIndex is the row-major multi-index of flat element i of shape.
func multiIndex(i int, shape []int) []int {
	idx := make([]int, len(shape))
	for k := len(shape) - 1; k >= 0; k-- {
		idx[k] = i % shape[k]
		i /= shape[k]
	}
	return idx
}

// flatIndex is the flat offset of multi-index idx in shape.
func flatIndex(idx, shape []int) int {
	off := 0
	for k, v := range idx {
		off = off*shape[k] + v
	}
	return off
}

func TestGatherElementsAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	cases := []struct {
		data, idx []int
		axis      int
	}{
		{[]int{3, 4}, []int{5, 4}, 0},
		{[]int{3, 4}, []int{3, 7}, 1},
		{[]int{3, 4}, []int{2, 2}, -1}, // indices smaller than data off the axis
		{[]int{2, 3, 5}, []int{2, 4, 3}, 1},
		{[]int{2, 3, 5}, []int{1, 2, 9}, 2},
		{[]int{4, 1, 6}, []int{3, 1, 6}, 0},
		{[]int{3, 4, 5}, []int{2, 3, 4}, 0}, // inner dims smaller than data's
		{[]int{3, 4, 5, 2}, []int{2, 6, 3, 1}, 1},
		{[]int{7}, []int{20}, 0},
		{[]int{3, 4}, []int{0, 4}, 0},
	}
	for _, c := range cases {
		for _, dt := range []ops.DType{onnx.Int8, onnx.Float, onnx.Double} {
			for _, it := range []ops.DType{onnx.Int32, onnx.Int64} {
				axis, _ := ops.NormAxis(c.axis, len(c.data))
				x := opstest.RandomBytes(rng, dt, c.data...)
				idx := randomIndices(rng, it, c.data[axis], true, c.idx...)
				label := fmt.Sprintf("GatherElements %s%v axis %d indices %s%v", ops.TypeName(dt), c.data, c.axis, ops.TypeName(it), c.idx)
				got, err := opstest.EwEval(t, "GatherElements", 13, 1, []*onnx.Attribute{opstest.AttrI("axis", int64(c.axis))}, x, idx)
				if err != nil {
					t.Errorf("%s: %v", label, err)
					continue
				}
				es := ops.ElemSize(dt)
				want := ops.New(dt, c.idx...)
				for e := range want.Len() {
					m := multiIndex(e, c.idx)
					m[axis] = int(elemI64(idx, e))
					if m[axis] < 0 {
						m[axis] += c.data[axis]
					}
					s := flatIndex(m, c.data)
					copy(want.Data[e*es:(e+1)*es], x.Data[s*es:])
				}
				opstest.WantTensor(t, label, got[0], want)
			}
		}
	}
}

func TestGatherElementsErrors(t *testing.T) {
	x := opstest.Iota32(3, 4)
	for _, c := range []struct {
		name string
		axis int64
		idx  *ops.Tensor
		err  string
	}{
		{"index past the end", 0, ints64([]int{1, 4}, 0, 1, 3, 2), "input \"indices\": index 3 out of range [-3, 3)"},
		{"index before the start", 1, ints64([]int{1, 1}, -5), "index -5 out of range [-4, 4)"},
		{"rank", 0, opstest.I64s(0), "want the rank of data"},
		{"dim too large", 0, ints64([]int{1, 5}, 0, 0, 0, 0, 0), "dim 1 exceeds"},
		{"axis", 2, ints64([]int{1, 1}, 0), "out of range for rank 2"},
		{"float indices", 0, opstest.WithShape(opstest.F32s(0), 1, 1), "want int32 or int64"},
	} {
		_, err := opstest.Eval(opstest.Node("GatherElements", opstest.InNames(2), 1, opstest.AttrI("axis", c.axis)), 13, x, c.idx)
		opstest.WantErr(t, c.name, err, c.err)
	}
}

func TestGatherNDAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	cases := []struct {
		data, idx []int
		b         int
	}{
		{[]int{2, 2}, []int{2, 2}, 0},
		{[]int{2, 2}, []int{2, 1}, 0},
		{[]int{2, 2, 2}, []int{2, 1, 2}, 0},
		{[]int{2, 2, 2}, []int{2, 1}, 1},
		{[]int{3, 4, 5, 6}, []int{3, 7, 2}, 1},
		{[]int{3, 4, 5, 6}, []int{3, 4, 2, 1}, 2},
		{[]int{5, 7}, []int{2}, 0}, // one tuple: a single element
		{[]int{5, 7}, []int{0, 1}, 0},
	}
	for _, c := range cases {
		for _, dt := range []ops.DType{onnx.Bool, onnx.Int16, onnx.Uint64} {
			k := c.idx[len(c.idx)-1]
			x := opstest.RandomBytes(rng, dt, c.data...)
			idx := ops.New(onnx.Int64, c.idx...)
			for i := range idx.Len() {
				d := c.data[c.b+i%k]
				idx.I64()[i] = int64(rng.IntN(2*d) - d)
			}
			label := fmt.Sprintf("GatherND %s%v batch_dims %d indices %v", ops.TypeName(dt), c.data, c.b, c.idx)
			got, err := opstest.EwEval(t, "GatherND", 13, 1, []*onnx.Attribute{opstest.AttrI("batch_dims", int64(c.b))}, x, idx)
			if err != nil {
				t.Errorf("%s: %v", label, err)
				continue
			}
			outShape := append(append([]int{}, c.idx[:len(c.idx)-1]...), c.data[c.b+k:]...)
			want := ops.New(dt, outShape...)
			es := ops.ElemSize(dt)
			for e := range want.Len() {
				m := multiIndex(e, outShape)
				tuple := m[:len(c.idx)-1]
				src := append([]int{}, m[:c.b]...)
				for j := range k {
					v := int(idx.I64()[flatIndex(tuple, c.idx[:len(c.idx)-1])*k+j])
					if v < 0 {
						v += c.data[c.b+j]
					}
					src = append(src, v)
				}
				src = append(src, m[len(c.idx)-1:]...)
				copy(want.Data[e*es:(e+1)*es], x.Data[flatIndex(src, c.data)*es:])
			}
			opstest.WantTensor(t, label, got[0], want)
		}
	}
}

func TestGatherNDErrors(t *testing.T) {
	x := opstest.Iota32(2, 3)
	for _, c := range []struct {
		name  string
		opset int
		b     int64
		idx   *ops.Tensor
		err   string
	}{
		{"out of range", 13, 0, ints64([]int{1, 2}, 1, 3), "index 1 of tuple 0 is 3, out of range [-3, 3)"},
		{"tuple too long", 13, 0, ints64([]int{1, 3}, 0, 0, 0), "last dim must be in [1, 2]"},
		{"batch dims too many", 13, 2, ints64([]int{2, 1}, 0, 0), "want in [0, 2)"},
		{"batch dims differ", 13, 1, ints64([]int{3, 1}, 0, 0, 0), "differ in their 1 batch dims"},
		{"int32 indices", 13, 0, opstest.Typed(opstest.Sh(1, 1), int32(0)), "want int64"},
		{"scalar indices", 13, 0, ops.FromI64([]int64{0}), "rank 1 or more"},
	} {
		_, err := opstest.Eval(opstest.Node("GatherND", opstest.InNames(2), 1, opstest.AttrI("batch_dims", c.b)), c.opset, x, c.idx)
		opstest.WantErr(t, c.name, err, c.err)
	}
	// GatherND-11 has no batch_dims: the attribute is ignored.
	got, err := opstest.Eval(opstest.Node("GatherND", opstest.InNames(2), 1, opstest.AttrI("batch_dims", 1)), 11, x, ints64([]int{1, 1}, 1))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "GatherND-11", got[0], opstest.WithShape(opstest.F32s(3, 4, 5), 1, 3))
}

func TestGatherNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_gather*"); got != 10 {
		t.Errorf("%d Gather/GatherElements/GatherND node tests passed, want 10", got)
	}
}
