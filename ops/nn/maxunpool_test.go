package nn

import (
	"errors"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// MaxUnpool inverts MaxPool's values and Indices over a batch of planes;
// output_shape widens the planes, keeping each value's coordinates.
func TestMaxUnpoolRoundTrip(t *testing.T) {
	x := ops.FromF32([]float32{
		1, 5, 2, 0,
		4, 0, 9, 7,
		2, 8, 6, 3,
		0, 1, 2, 3,

		-1, -5, -2, -7,
		-4, -6, -9, -8,
		-2, -8, -6, -3,
		-9, -1, -2, -3}, 1, 2, 4, 4)
	pool := []*onnx.Attribute{opstest.Ints("kernel_shape", 2, 2), opstest.Ints("strides", 2, 2)}
	mp, err := ops.Build(opstest.NodeOf("MaxPool", []*ops.Tensor{x}, 2, pool...), 22)
	if err != nil {
		t.Fatal(err)
	}
	pooled, err := opstest.Exec(mp, []*ops.Tensor{x}, nil, ops.Serial{})
	if err != nil {
		t.Fatal(err)
	}
	maxima := []int{1, 6, 9, 10, 16, 18, 29, 30} // each window's maximum in x
	for _, c := range []struct {
		shape []int64 // output_shape, nil when absent
		h, w  int
	}{{nil, 4, 4}, {[]int64{1, 2, 5, 6}, 5, 6}} {
		ins := []*ops.Tensor{pooled[0], pooled[1]}
		if c.shape != nil {
			ins = append(ins, ops.FromI64(c.shape, 4))
		}
		op, err := ops.Build(opstest.NodeOf("MaxUnpool", ins, 1, pool...), 22)
		if err != nil {
			t.Fatal(err)
		}
		got, err := opstest.Exec(op, ins, map[int]bool{2: true}, ops.Serial{})
		if err != nil {
			t.Fatal(err)
		}
		if !ops.SameShape(got[0].Shape, []int{1, 2, c.h, c.w}) {
			t.Fatalf("shape %v, want [1 2 %d %d]", got[0].Shape, c.h, c.w)
		}
		want := make([]float32, 2*c.h*c.w)
		for _, at := range maxima {
			pl, h, w := at/16, at/4%4, at%4
			want[(pl*c.h+h)*c.w+w] = x.F32()[at]
		}
		opstest.Close(t, "unpooled", got[0].F32(), want, 0, 0)
	}
	// An index past the inferred shape, and a computed output_shape, known only at run time.
	bad := ops.FromI64([]int64{0, 1, 2, 32, 0, 0, 0, 0}, 1, 2, 2, 2)
	op, _ := ops.Build(opstest.NodeOf("MaxUnpool", []*ops.Tensor{pooled[0], bad}, 1, pool...), 22)
	if _, err := opstest.Exec(op, []*ops.Tensor{pooled[0], bad}, nil, ops.Serial{}); err == nil || !strings.Contains(err.Error(), "\"I\"") {
		t.Errorf("index past the output: error %v, want one naming I", err)
	}
	ins := []*ops.Tensor{pooled[0], pooled[1], ops.FromI64([]int64{1, 2, 4, 4}, 4)}
	op, _ = ops.Build(opstest.NodeOf("MaxUnpool", ins, 1, pool...), 22)
	if _, _, err := opstest.Prepare(op, ins, nil); !errors.Is(err, ops.ErrNotConstant) {
		t.Errorf("non-constant output_shape: error %v, want ErrNotConstant", err)
	}
}

func TestMaxUnpoolErrors(t *testing.T) {
	x, i := ops.New(onnx.Float, 1, 1, 2, 2), ops.New(onnx.Int64, 1, 1, 2, 2)
	for _, c := range []struct {
		ins   []*ops.Tensor
		attrs []*onnx.Attribute
		want  string
	}{
		{[]*ops.Tensor{x, i}, nil, "kernel_shape"},
		{[]*ops.Tensor{x, ops.New(onnx.Int32, 1, 1, 2, 2)}, []*onnx.Attribute{opstest.Ints("kernel_shape", 2, 2)}, "\"I\""},
		{[]*ops.Tensor{x, ops.New(onnx.Int64, 1, 1, 2, 3)}, []*onnx.Attribute{opstest.Ints("kernel_shape", 2, 2)}, "\"I\""},
		{[]*ops.Tensor{x, i}, []*onnx.Attribute{opstest.Ints("kernel_shape", 2)}, "kernel_shape"},
		{[]*ops.Tensor{x, i, ops.FromI64([]int64{1, 2, 4, 4}, 4)}, []*onnx.Attribute{opstest.Ints("kernel_shape", 2, 2)}, "output_shape"},
		{[]*ops.Tensor{x, i, ops.FromI64([]int64{1, 1, 2, 4}, 4)}, []*onnx.Attribute{opstest.Ints("kernel_shape", 2, 2)}, "at least [3 3]"},
		{[]*ops.Tensor{x, i, ops.FromI64([]int64{4, 4}, 2)}, []*onnx.Attribute{opstest.Ints("kernel_shape", 2, 2)}, "output_shape"},
	} {
		op, err := ops.Build(opstest.NodeOf("MaxUnpool", c.ins, 1, c.attrs...), 22)
		if err == nil {
			_, err = opstest.Exec(op, c.ins, map[int]bool{2: true}, ops.Serial{})
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one naming %s", c.attrs, err, c.want)
		}
	}
}

func TestMaxUnpoolNodeTests(t *testing.T) {
	if n := opstest.AllNodeTests(t, "test_maxunpool*"); n != 2 {
		t.Errorf("%d MaxUnpool node tests passed, want 2", n)
	}
}
