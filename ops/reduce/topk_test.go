package reduce

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// naiveTopK sorts every line of x (outer x n x inner) stably by value,
// NaN above every number, and keeps the first k: values and indices.
func naiveTopK(x []float64, outer, n, inner, k int, smallest bool) ([]float64, []int64) {
	vals, idx := make([]float64, outer*k*inner), make([]int64, outer*k*inner)
	for o := range outer {
		for c := range inner {
			at := func(i int) float64 { return x[(o*n+i)*inner+c] }
			order := make([]int, n)
			for i := range order {
				order[i] = i
			}
			slices.SortStableFunc(order, func(i, j int) int {
				a, b := at(i), at(j)
				switch {
				case math.IsNaN(a) && math.IsNaN(b):
					return 0
				case math.IsNaN(a) != math.IsNaN(b):
					if math.IsNaN(a) != smallest {
						return -1
					}
					return 1
				}
				switch {
				case a == b:
					return 0
				case smallest == (a < b):
					return -1
				}
				return 1
			})
			for r := range k {
				vals[(o*k+r)*inner+c] = at(order[r])
				idx[(o*k+r)*inner+c] = int64(order[r])
			}
		}
	}
	return vals, idx
}

// TestTopKNaive compares TopK on random lines with many ties and some NaNs
// and infinities with naiveTopK, for every k from 0 to the axis size on
// small shapes and a few on long lines, largest and smallest, over types.
func TestTopKNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	shapes := [][]int{{6}, {3, 5}, {2, 4, 3}, {1, 1000}, {2, 300, 2}}
	for si, shape := range shapes {
		for iter := range 6 {
			axis := rng.IntN(len(shape))
			outer, n, inner := ops.NumElems(shape[:axis]), shape[axis], ops.NumElems(shape[axis+1:])
			for _, dt := range []ops.DType{onnx.Float, onnx.Double, onnx.Int32, onnx.Uint8, onnx.Int64, onnx.Uint64} {
				x := ops.New(dt, shape...)
				vals := make([]float64, x.Len())
				for i := range vals {
					vals[i] = float64(rng.IntN(6))
					if ops.IsFloat(dt) {
						switch rng.IntN(20) {
						case 0:
							vals[i] = math.NaN()
						case 1:
							vals[i] = math.Inf(1 - 2*rng.IntN(2))
						}
					}
					setNumber(x, i, vals[i])
				}
				ks := []int{0, 1, n / 2, n}
				if si < 3 {
					ks = ks[:0]
					for k := range n + 1 {
						ks = append(ks, k)
					}
				}
				for _, k := range ks {
					for _, largest := range []int64{0, 1} {
						wantV, wantI := naiveTopK(vals, outer, n, inner, k, largest == 0)
						ax := int64(axis)
						if iter%2 == 1 {
							ax -= int64(len(shape))
						}
						node := opstest.Node("TopK", opstest.InNames(2), 2, opstest.AttrI("axis", ax), opstest.AttrI("largest", largest), opstest.AttrI("sorted", int64(iter%2)))
						out, err := opstest.Eval(node, 11, x, opstest.I64s(int64(k)))
						label := fmt.Sprintf("TopK %v axis %d k %d largest %d", x, ax, k, largest)
						if err != nil {
							t.Errorf("%s: %v", label, err)
							continue
						}
						oshape := slices.Clone(shape)
						oshape[axis] = k
						want := ops.New(dt, oshape...)
						for i, v := range wantV {
							setNumber(want, i, v)
						}
						if err := opstest.SameTensor(out[0], want, 0, 0); err != nil {
							t.Errorf("%s values: %v", label, err)
						}
						opstest.WantTensor(t, label+" indices", out[1], ops.FromI64(wantI, oshape...))
					}
				}
			}
		}
	}
}

// TestTopKVersions checks k as the opset-1 attribute and the type rule
// before 11, and the errors.
func TestTopKVersions(t *testing.T) {
	x := opstest.Typed(opstest.Sh(2, 3), float32(1), 3, 2, 6, 5, 4)
	out, err := opstest.Eval(opstest.Node("TopK", opstest.InNames(1), 2, opstest.AttrI("k", 2)), 1, x)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "TopK-1 values", out[0], opstest.Typed(opstest.Sh(2, 2), float32(3), 2, 6, 5))
	opstest.WantTensor(t, "TopK-1 indices", out[1], opstest.Typed(opstest.Sh(2, 2), int64(1), 2, 0, 1))
	out, err = opstest.Eval(opstest.Node("TopK", opstest.InNames(2), 2, opstest.AttrI("axis", 0)), 10, x, opstest.I64s(1))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "TopK-10 along axis 0", out[0], opstest.Typed(opstest.Sh(1, 3), float32(6), 5, 4))
	cases := []struct {
		name  string
		opset int
		attrs []*onnx.Attribute
		in    []*ops.Tensor
		err   string
	}{
		{"no k attribute", 1, nil, []*ops.Tensor{x}, "\"k\" is required"},
		{"k too large", 1, []*onnx.Attribute{opstest.AttrI("k", 4)}, []*ops.Tensor{x}, "k is 4, want 0 to 3"},
		{"negative K", 11, nil, []*ops.Tensor{x, opstest.I64s(-1)}, "k is -1"},
		{"two K", 11, nil, []*ops.Tensor{x, opstest.I64s(1, 2)}, "has 2 values"},
		{"axis out of range", 11, []*onnx.Attribute{opstest.AttrI("axis", 2)}, []*ops.Tensor{x, opstest.I64s(1)}, "out of range"},
		{"int before 11", 10, nil, []*ops.Tensor{opstest.Typed(opstest.Sh(2), int32(1), 2), opstest.I64s(1)}, "before opset 11"},
		{"bool", 11, nil, []*ops.Tensor{ops.New(onnx.Bool, 2), opstest.I64s(1)}, "want a numeric type"},
	}
	for _, c := range cases {
		_, err := opstest.Eval(opstest.Node("TopK", opstest.InNames(len(c.in)), 2, c.attrs...), c.opset, c.in...)
		opstest.WantErr(t, c.name, err, c.err)
	}
}

func TestTopKNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_top_k*"); got != 7 {
		t.Errorf("%d TopK node tests passed, want 7", got)
	}
}
