package reduce

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// naiveCum is the running sum or product of x (outer x n x inner) along n.
func naiveCum(x []float64, outer, n, inner int, prod, excl, rev bool) []float64 {
	out := make([]float64, len(x))
	for o := range outer {
		for c := range inner {
			acc := 0.0
			if prod {
				acc = 1
			}
			for s := range n {
				k := s
				if rev {
					k = n - 1 - s
				}
				i := (o*n+k)*inner + c
				prev := acc
				if prod {
					acc *= x[i]
				} else {
					acc += x[i]
				}
				out[i] = acc
				if excl {
					out[i] = prev
				}
			}
		}
	}
	return out
}

// TestCumNaive compares CumSum and CumProd on random shapes, axes (int32
// and int64, negative too), types and flags with naiveCum, in place as well.
func TestCumNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	shapes := [][]int{{7}, {3, 5}, {2, 3, 4}, {2, 300, 3}, {1, 2, 600}, {0, 3}}
	for iter := range 96 {
		shape := shapes[iter%len(shapes)]
		axis := rng.IntN(len(shape))
		outer, n, inner := ops.NumElems(shape[:axis]), shape[axis], ops.NumElems(shape[axis+1:])
		excl, rev := iter/6%2, iter/12%2
		for _, dt := range []ops.DType{onnx.Float, onnx.Double, onnx.Int32, onnx.Uint32, onnx.Int64, onnx.Uint64} {
			x := ops.New(dt, shape...)
			vals := make([]float64, x.Len())
			for _, op := range []string{"CumSum", "CumProd"} {
				for i := range vals {
					vals[i] = float64(rng.IntN(7))
					switch { // products that neither overflow nor round
					case op == "CumProd" && n <= 8:
						vals[i] = float64(1 + rng.IntN(3))
					case op == "CumProd" && dt == onnx.Uint64:
						vals[i] = 1
					case op == "CumProd":
						vals[i] = float64(1 - 2*rng.IntN(2))
					}
					setNumber(x, i, vals[i])
				}
				want := opstest.Typed(shape, naiveCum(vals, outer, n, inner, op == "CumProd", excl == 1, rev == 1)...)
				wantT := ops.New(dt, shape...)
				for i := range vals {
					setNumber(wantT, i, getNumber(want, i))
				}
				var axisIn *ops.Tensor
				if iter%2 == 0 {
					axisIn = opstest.Typed([]int{}, int32(axis-len(shape)))
				} else {
					axisIn = opstest.Typed([]int{1}, int64(axis))
				}
				out, err := opstest.EwEval(t, op, 26, 1, []*onnx.Attribute{opstest.AttrI("exclusive", int64(excl)), opstest.AttrI("reverse", int64(rev))}, x, axisIn)
				label := fmt.Sprintf("%s %v axis %d exclusive %d reverse %d", op, x, axis, excl, rev)
				if err != nil {
					t.Errorf("%s: %v", label, err)
					continue
				}
				if err := opstest.SameTensor(out[0], wantT, 1e-6, 1e-6); err != nil {
					t.Errorf("%s: %v", label, err)
				}
			}
		}
	}
}

func TestCumErrors(t *testing.T) {
	x := opstest.Iota32(2, 3)
	cases := []struct {
		name string
		in   []*ops.Tensor
		err  string
	}{
		{"axis out of range", []*ops.Tensor{x, opstest.I64s(2)}, "out of range"},
		{"two axes", []*ops.Tensor{x, opstest.I64s(0, 1)}, "want one int32 or int64"},
		{"float axis", []*ops.Tensor{x, opstest.F32s(0)}, "want one int32 or int64"},
		{"no axis", []*ops.Tensor{x}, "got 1 inputs"},
		{"int8", []*ops.Tensor{ops.New(onnx.Int8, 2), opstest.I64s(0)}, "type int8"},
	}
	for _, c := range cases {
		_, err := opstest.Eval(opstest.Node("CumSum", opstest.InNames(len(c.in)), 1), 14, c.in...)
		opstest.WantErr(t, c.name, err, c.err)
	}
}

func TestCumNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_cumsum_*", "test_cumprod_*"); got != 18 {
		t.Errorf("%d CumSum/CumProd node tests passed, want 18", got)
	}
}
