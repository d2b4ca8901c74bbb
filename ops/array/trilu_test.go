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

// refTrilu keeps element (i, j) of every matrix where the triangle test
// holds, zeroing the others, element by element.
func refTrilu(x *ops.Tensor, k int64, upper bool) *ops.Tensor {
	y := x.Clone()
	r := len(x.Shape)
	rows, cols := x.Shape[r-2], x.Shape[r-1]
	es := ops.ElemSize(x.Type)
	for e := range x.Len() {
		i, j := int64(e/cols%rows), int64(e%cols)
		keep := j-i >= k
		if !upper {
			keep = j-i <= k
		}
		if !keep {
			clear(y.Data[e*es : (e+1)*es])
		}
	}
	return y
}

func TestTriluAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, shape := range [][]int{{4, 5}, {3, 3}, {2, 3, 7, 2}, {1, 9}, {6, 1}, {0, 3}, {2, 0, 4}} {
		for _, k := range []int64{0, 1, -1, 3, -4, 100, -100, math.MaxInt64, math.MinInt64} {
			for _, upper := range []int64{0, 1} {
				x := opstest.RandomBytes(rng, onnx.Int16, shape...)
				label := fmt.Sprintf("Trilu upper=%d k=%d of %v", upper, k, shape)
				got, err := opstest.EwEval(t, "Trilu", 14, 1, []*onnx.Attribute{opstest.AttrI("upper", upper)}, x, ops.FromI64([]int64{k}))
				if err != nil {
					t.Errorf("%s: %v", label, err)
					continue
				}
				opstest.WantTensor(t, label, got[0], refTrilu(x, k, upper == 1))
			}
		}
	}
	// Without k, and the default upper.
	x := opstest.Iota32(3, 3)
	got, err := opstest.EwEval(t, "Trilu", 14, 1, nil, x)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "Trilu default", got[0], opstest.WithShape(opstest.F32s(0, 1, 2, 0, 4, 5, 0, 0, 8), 3, 3))
}

func TestTriluErrors(t *testing.T) {
	_, err := opstest.Eval(opstest.Node("Trilu", opstest.InNames(1), 1), 14, opstest.F32s(1, 2))
	opstest.WantErr(t, "1-D input", err, "want rank 2 or more")
	_, err = opstest.Eval(opstest.Node("Trilu", opstest.InNames(2), 1), 14, opstest.Iota32(2, 2), opstest.I64s(1, 2))
	opstest.WantErr(t, "k of two elements", err, "want an int64 scalar")
}

func TestEyeLike(t *testing.T) {
	cases := []struct {
		name  string
		attrs []*onnx.Attribute
		x     *ops.Tensor
		want  *ops.Tensor
	}{
		{"default", nil, ops.New(onnx.Int32, 3, 3), opstest.Typed(opstest.Sh(3, 3), int32(1), 0, 0, 0, 1, 0, 0, 0, 1)},
		{"k=1 wide", []*onnx.Attribute{opstest.AttrI("k", 1)}, ops.New(onnx.Float, 2, 4), opstest.Typed(opstest.Sh(2, 4), float32(0), 1, 0, 0, 0, 0, 1, 0)},
		{"k=-2 tall", []*onnx.Attribute{opstest.AttrI("k", -2)}, ops.New(onnx.Float, 4, 2), opstest.Typed(opstest.Sh(4, 2), float32(0), 0, 0, 0, 1, 0, 0, 1)},
		{"dtype", []*onnx.Attribute{opstest.AttrI("dtype", int64(onnx.Double))}, ops.New(onnx.Int8, 2, 2), opstest.Typed(opstest.Sh(2, 2), 1.0, 0, 0, 1)},
		{"bool", []*onnx.Attribute{opstest.AttrI("dtype", int64(onnx.Bool))}, ops.New(onnx.Float, 1, 2), opstest.Bools(opstest.Sh(1, 2), true, false)},
		{"k past the end", []*onnx.Attribute{opstest.AttrI("k", math.MaxInt64)}, ops.New(onnx.Uint8, 2, 2), opstest.Typed(opstest.Sh(2, 2), uint8(0), 0, 0, 0)},
		{"k before the start", []*onnx.Attribute{opstest.AttrI("k", math.MinInt64)}, ops.New(onnx.Uint8, 2, 2), opstest.Typed(opstest.Sh(2, 2), uint8(0), 0, 0, 0)},
		{"float16 dtype", []*onnx.Attribute{opstest.AttrI("dtype", int64(onnx.Float16))}, ops.New(onnx.Int64, 1, 1), opstest.Typed(opstest.Sh(1, 1), float32(1))},
	}
	for _, c := range cases {
		for _, opset := range []int{9, 22} {
			got, err := opstest.Eval(opstest.Node("EyeLike", opstest.InNames(1), 1, c.attrs...), opset, c.x)
			label := fmt.Sprintf("EyeLike-%d %s", opset, c.name)
			if err != nil {
				t.Errorf("%s: %v", label, err)
				continue
			}
			opstest.WantTensor(t, label, got[0], c.want)
		}
	}
	_, err := opstest.Eval(opstest.Node("EyeLike", opstest.InNames(1), 1), 22, ops.New(onnx.Float, 2))
	opstest.WantErr(t, "1-D", err, "want 2-D")
	_, err = ops.Build(opstest.Node("EyeLike", opstest.InNames(1), 1, opstest.AttrI("dtype", int64(onnx.String))), 22)
	opstest.WantErr(t, "string dtype", err, "unsupported")
	_, err = ops.Build(opstest.Node("EyeLike", opstest.InNames(1), 1, opstest.AttrI("dtype", 99)), 22)
	opstest.WantErr(t, "unknown dtype", err, "names no element type")
}

func TestTriluEyeLikeNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_tril*", "test_triu*", "test_eyelike*"); got != 21 {
		t.Errorf("%d Trilu/EyeLike node tests passed, want 21", got)
	}
}
