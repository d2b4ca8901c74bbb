package array

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

func TestNonZero(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, shape := range [][]int{{2, 2}, {3, 1, 4}, {7}, {2, 3, 0}, {5, 6, 7}} {
		for _, dt := range []ops.DType{onnx.Bool, onnx.Int16, onnx.Uint32, onnx.Int64} {
			x := smallValues(rng, dt, shape...)
			got, err := opstest.Eval(opstest.Node("NonZero", opstest.InNames(1), 1), 13, x)
			label := fmt.Sprintf("NonZero %s%v", ops.TypeName(dt), shape)
			if err != nil {
				t.Errorf("%s: %v", label, err)
				continue
			}
			var cols [][]int
			for e := range x.Len() {
				if elemF64(x, e) != 0 {
					cols = append(cols, multiIndex(e, shape))
				}
			}
			want := ops.New(onnx.Int64, len(shape), len(cols))
			for k, m := range cols {
				for d, v := range m {
					want.I64()[d*len(cols)+k] = int64(v)
				}
			}
			opstest.WantTensor(t, label, got[0], want)
		}
	}
	// Floats: -0 is zero, NaN is not; a scalar gives [0, n].
	nan, negZero := float32(math.NaN()), float32(math.Copysign(0, -1))
	got, err := opstest.Eval(opstest.Node("NonZero", opstest.InNames(1), 1), 9, opstest.F32s(negZero, nan, 0, 2))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "floats", got[0], ints64([]int{1, 2}, 1, 3))
	got, err = opstest.Eval(opstest.Node("NonZero", opstest.InNames(1), 1), 13, scalar(3.0))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "scalar", got[0], ops.New(onnx.Int64, 0, 1))
	op, _ := ops.Build(opstest.Node("NonZero", opstest.InNames(1), 1), 13)
	_, err = op.Infer([]ops.Value{{Type: onnx.Float, Shape: []int{2}}})
	opstest.WantErr(t, "computed input", err, "\"X\"", "not known before the run")
}

func TestCompress(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	for _, c := range []struct {
		shape   []int
		axis    int
		hasAxis bool
		cond    int // condition length
	}{
		{[]int{3, 2}, 0, true, 3}, {[]int{3, 2}, 1, true, 2}, {[]int{3, 2}, 0, false, 6},
		{[]int{3, 2}, -1, true, 1}, {[]int{4, 5, 6}, 1, true, 7}, {[]int{4, 5, 6}, 2, true, 0},
		{[]int{2, 300}, 0, true, 2}, {[]int{4, 5, 6}, 0, false, 100},
	} {
		x := opstest.RandomBytes(rng, onnx.Int32, c.shape...)
		cond := ops.New(onnx.Bool, c.cond)
		for i := range cond.Data {
			cond.Data[i] = byte(rng.IntN(2))
		}
		var attrs []*onnx.Attribute
		if c.hasAxis {
			attrs = append(attrs, opstest.AttrI("axis", int64(c.axis)))
		}
		label := fmt.Sprintf("Compress %v axis %d (%v) condition %v", c.shape, c.axis, c.hasAxis, cond.Data)
		got, err := opstest.EwEval(t, "Compress", 11, 1, attrs, x, cond)
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		// Reference: keep input element e when the condition entry of its
		// index along the axis (flat index without an axis) is true.
		axis, _ := ops.NormAxis(c.axis, len(c.shape))
		var keep []int32
		outShape := slices.Clone(c.shape)
		for e := range x.Len() {
			i := e
			if c.hasAxis {
				i = multiIndex(e, c.shape)[axis]
			}
			if i < c.cond && cond.Data[i] != 0 {
				keep = append(keep, x.I32()[e])
			}
		}
		if c.hasAxis {
			outShape[axis] = 0
			for _, b := range cond.Data[:min(c.cond, c.shape[axis])] {
				outShape[axis] += int(b)
			}
		} else {
			outShape = []int{len(keep)}
		}
		opstest.WantTensor(t, label, got[0], opstest.Typed(outShape, keep...))
	}
	x := opstest.Iota32(3, 2)
	_, err := opstest.Eval(opstest.Node("Compress", opstest.InNames(2), 1, opstest.AttrI("axis", -1)), 9, x, opstest.Bools(opstest.Sh(2), true, true))
	opstest.WantErr(t, "negative axis before 11", err, "opset 11")
	_, err = opstest.Eval(opstest.Node("Compress", opstest.InNames(2), 1), 11, x, opstest.I64s(1))
	opstest.WantErr(t, "int condition", err, "want 1-D bool")
	op, _ := ops.Build(opstest.Node("Compress", opstest.InNames(2), 1), 11)
	_, err = op.Infer([]ops.Value{{Type: onnx.Float, Shape: []int{2}}, {Type: onnx.Bool, Shape: []int{2}}})
	opstest.WantErr(t, "computed condition", err, "\"condition\"", "not known before the run")
	// A condition that changed since planning is refused.
	if err := op.Run(&ops.Ctx{Par: ops.Serial{}}, []*ops.Tensor{opstest.F32s(1, 2), opstest.Bools(opstest.Sh(2), true, true)}, []*ops.Tensor{opstest.F32s(0)}); err == nil {
		t.Error("Compress wrote 2 selected elements into an output of 1")
	}
}

func TestNonZeroCompressNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_nonzero*", "test_compress*"); got != 5 {
		t.Errorf("%d NonZero/Compress node tests passed, want 5", got)
	}
}
