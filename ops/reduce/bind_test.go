package reduce

import (
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestBind checks that the family's bound functions read the data of the
// moment and allocate nothing.
func TestBind(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	x := func() *ops.Tensor { return opstest.Rand(rng, 3, 40, 30) }
	cases := []struct {
		op     string
		opset  int
		attrs  []*onnx.Attribute
		extra  []*ops.Tensor
		consts map[int]bool
		nOut   int
	}{
		{"ReduceSum", 13, nil, []*ops.Tensor{opstest.I64s(-1)}, map[int]bool{1: true}, 1},
		{"ReduceMean", 18, nil, []*ops.Tensor{opstest.I64s(0, 1)}, map[int]bool{1: true}, 1},
		{"ReduceLogSumExp", 13, []*onnx.Attribute{opstest.AttrIs("axes", 1)}, nil, nil, 1},
		{"ReduceMax", 20, nil, []*ops.Tensor{opstest.I64s(0, 2)}, map[int]bool{1: true}, 1},
		{"ArgMax", 13, []*onnx.Attribute{opstest.AttrI("axis", 1)}, nil, nil, 1},
		{"ArgMin", 13, []*onnx.Attribute{opstest.AttrI("axis", -1)}, nil, nil, 1},
		{"Hardmax", 13, []*onnx.Attribute{opstest.AttrI("axis", 1)}, nil, nil, 1},
		{"Softmax", 11, nil, nil, nil, 1},
		{"CumSum", 14, []*onnx.Attribute{opstest.AttrI("exclusive", 1)}, []*ops.Tensor{opstest.I64s(1)}, nil, 1},
		{"TopK", 11, []*onnx.Attribute{opstest.AttrI("axis", 1)}, []*ops.Tensor{opstest.I64s(5)}, map[int]bool{1: true}, 2},
	}
	for _, c := range cases {
		ins := append([]*ops.Tensor{x()}, c.extra...)
		opstest.CheckBind(t, opstest.Node(c.op, opstest.InNames(len(ins)), c.nOut, c.attrs...), c.opset, ins, c.consts, x)
	}
}
