package loss

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// naiveLoss computes the loss of x [n, c, d] (log-probabilities, or scores
// when softmax) for targets t [n, d] the plain way; ignore < 0 means none
// ignored (the tests use -100 for ignoring).
func naiveLoss(x []float64, t []int64, w []float64, n, c, d int, softmax bool, reduction string, ignore int64) (float64, []float64, []float64) {
	lp := make([]float64, len(x))
	copy(lp, x)
	if softmax {
		for i := range n {
			for k := range d {
				var sum float64
				for j := range c {
					sum += math.Exp(x[(i*c+j)*d+k])
				}
				for j := range c {
					lp[(i*c+j)*d+k] = x[(i*c+j)*d+k] - math.Log(sum)
				}
			}
		}
	}
	losses := make([]float64, n*d)
	var sum, wsum float64
	for i := range n {
		for k := range d {
			tc := t[i*d+k]
			if tc == ignore {
				continue
			}
			wt := 1.0
			if w != nil {
				wt = w[tc]
			}
			losses[i*d+k] = -lp[(i*c+int(tc))*d+k] * wt
			sum += losses[i*d+k]
			wsum += wt
		}
	}
	switch reduction {
	case "sum":
		return sum, nil, lp
	case "mean":
		return sum / wsum, nil, lp
	}
	return 0, losses, lp
}

// TestLossNaive compares both losses over shapes, reductions, weights,
// ignored targets, int32 and int64 targets and both float types with
// naiveLoss, log_prob included.
func TestLossNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for iter := range 96 {
		shape := [][]int{{4, 3}, {3, 5, 2}, {2, 4, 3, 2}, {5, 7, 1, 3}}[iter%4]
		n, c, d := shape[0], shape[1], ops.NumElems(shape[2:])
		op := []string{"NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss"}[iter/4%2]
		reduction := []string{"mean", "sum", "none"}[iter/8%3]
		weighted, ignoring := iter/24%2 == 1, iter/48 == 1
		x := make([]float64, n*c*d)
		for i := range x {
			x[i] = rng.Float64()*4 - 2
		}
		targets := make([]int64, n*d)
		for i := range targets {
			targets[i] = rng.Int64N(int64(c))
			if ignoring && rng.IntN(3) == 0 {
				targets[i] = -100
			}
		}
		var w []float64
		if weighted {
			w = make([]float64, c)
			for i := range w {
				w[i] = rng.Float64()
			}
		}
		ignore := int64(-1)
		attrs := []*onnx.Attribute{opstest.AttrS("reduction", reduction)}
		if ignoring {
			ignore = -100
			attrs = append(attrs, opstest.AttrI("ignore_index", -100))
		}
		wantRed, wantNone, wantLP := naiveLoss(x, targets, w, n, c, d, op == "SoftmaxCrossEntropyLoss", reduction, ignore)
		tshape := append([]int{n}, shape[2:]...)
		for _, dt := range []ops.DType{onnx.Float, onnx.Double} {
			ins := []*ops.Tensor{typed(dt, shape, x), ops.FromI64(targets, tshape...)}
			if iter%3 == 0 {
				t32 := ops.New(onnx.Int32, tshape...)
				for i, v := range targets {
					t32.I32()[i] = int32(v)
				}
				ins[1] = t32
			}
			if weighted {
				ins = append(ins, typed(dt, []int{c}, w))
			}
			nOut := 1
			if op == "SoftmaxCrossEntropyLoss" {
				nOut = 2
			}
			label := fmt.Sprintf("%s %v reduction %s weighted %v ignoring %v %s", op, shape, reduction, weighted, ignoring, ops.TypeName(dt))
			out, err := opstest.Eval(opstest.Node(op, opstest.InNames(len(ins)), nOut, attrs...), 13, ins...)
			if err != nil {
				t.Errorf("%s: %v", label, err)
				continue
			}
			want := typed(dt, []int{}, []float64{wantRed})
			if reduction == "none" {
				want = typed(dt, tshape, wantNone)
			}
			if err := opstest.SameTensor(out[0], want, 1e-5, 1e-6); err != nil {
				t.Errorf("%s: %v", label, err)
			}
			if nOut == 2 {
				if err := opstest.SameTensor(out[1], typed(dt, shape, wantLP), 1e-5, 1e-6); err != nil {
					t.Errorf("%s log_prob: %v", label, err)
				}
			}
		}
	}
}

// typed is a float32 or float64 tensor of the values.
func typed(dt ops.DType, shape []int, v []float64) *ops.Tensor {
	t := ops.New(dt, shape...)
	for i, x := range v {
		if dt == onnx.Float {
			t.F32()[i] = float32(x)
		} else {
			t.F64()[i] = x
		}
	}
	return t
}

func TestLossSpecial(t *testing.T) {
	x := opstest.Typed(opstest.Sh(2, 3), float32(-1), -2, -3, -4, -5, -6)
	// The spec's mean over only ignored samples is 0/0.
	out, err := opstest.Eval(opstest.Node("NegativeLogLikelihoodLoss", opstest.InNames(2), 1, opstest.AttrI("ignore_index", 1)), 22, x, opstest.I64s(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	if v := out[0].F32()[0]; !math.IsNaN(float64(v)) {
		t.Errorf("mean loss of ignored samples only is %v, want NaN", v)
	}
	// An ignore_index inside [0, C) ignores that class.
	out, err = opstest.Eval(opstest.Node("NegativeLogLikelihoodLoss", opstest.InNames(2), 1, opstest.AttrI("ignore_index", 0), opstest.AttrS("reduction", "none")), 12, x, opstest.I64s(0, 2))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "ignore class 0", out[0], opstest.Typed(opstest.Sh(2), float32(0), 6))
	cases := []struct {
		name  string
		op    string
		attrs []*onnx.Attribute
		in    []*ops.Tensor
		err   string
	}{
		{"target out of range", "NegativeLogLikelihoodLoss", nil, []*ops.Tensor{x, opstest.I64s(0, 3)}, "has 3 at sample 1"},
		{"negative target without ignore_index", "SoftmaxCrossEntropyLoss", nil, []*ops.Tensor{x, opstest.I64s(-1, 0)}, "has -1 at sample 0"},
		{"bad reduction", "NegativeLogLikelihoodLoss", []*onnx.Attribute{opstest.AttrS("reduction", "max")}, []*ops.Tensor{x, opstest.I64s(0, 0)}, "want none, sum or mean"},
		{"target shape", "NegativeLogLikelihoodLoss", nil, []*ops.Tensor{x, opstest.I64s(0, 0, 0)}, "want [2]"},
		{"float target", "NegativeLogLikelihoodLoss", nil, []*ops.Tensor{x, opstest.F32s(0, 0)}, "want int32 or int64"},
		{"weight size", "SoftmaxCrossEntropyLoss", nil, []*ops.Tensor{x, opstest.I64s(0, 0), opstest.F32s(1, 1)}, "want float32[3]"},
		{"int input", "NegativeLogLikelihoodLoss", nil, []*ops.Tensor{ops.New(onnx.Int32, 2, 3), opstest.I64s(0, 0)}, "want float32 or float64"},
		{"rank 1 input", "NegativeLogLikelihoodLoss", nil, []*ops.Tensor{opstest.F32s(1, 2), opstest.I64s(0)}, "want [N, C, d1...]"},
	}
	for _, c := range cases {
		_, err := opstest.Eval(opstest.Node(c.op, opstest.InNames(len(c.in)), 1, c.attrs...), 13, c.in...)
		opstest.WantErr(t, c.name, err, c.err)
	}
}

func TestLossNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_nllloss_*", "test_sce_*"); got != 52 {
		t.Errorf("%d loss node tests passed, want 52", got)
	}
}
