package array

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// refRepeat is the plain reference of Expand and Tile: output element with
// multi-index o takes input element src(o), copied element by element.
func refRepeat(x *ops.Tensor, shape []int, src func(o []int) []int) *ops.Tensor {
	es := ops.ElemSize(x.Type)
	y := ops.New(x.Type, shape...)
	xs := ops.Strides(x.Shape)
	idx := make([]int, len(shape))
	for i := range y.Len() {
		rem := i
		for k := len(shape) - 1; k >= 0; k-- {
			idx[k] = rem % shape[k]
			rem /= shape[k]
		}
		off := 0
		for k, v := range src(idx) {
			off += v * xs[k]
		}
		copy(y.Data[i*es:(i+1)*es], x.Data[off*es:])
	}
	return y
}

func TestExpandAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []struct{ in, shape []int }{
		{[]int{3, 1}, []int{2, 1, 6}},
		{[]int{3, 1}, []int{3, 4}},
		{[]int{1}, []int{5, 7}},
		{[]int{}, []int{2, 3}},
		{[]int{2, 1, 3, 1}, []int{4, 2, 5, 3, 6}},
		{[]int{1, 4, 1}, []int{1}},
		{[]int{4, 5}, []int{1, 1, 1}},
		{[]int{1, 3}, []int{0, 3}},
		{[]int{37, 1}, []int{37, 129}},
		{[]int{1, 129}, []int{37, 129}},
	}
	for _, c := range cases {
		for _, dt := range []ops.DType{onnx.Uint8, onnx.Int16, onnx.Float, onnx.Double} {
			x := opstest.RandomBytes(rng, dt, c.in...)
			spec := make([]int64, len(c.shape))
			for i, d := range c.shape {
				spec[i] = int64(d)
			}
			label := fmt.Sprintf("Expand %s%v to %v", ops.TypeName(dt), c.in, c.shape)
			got, err := opstest.EwEval(t, "Expand", 13, 1, nil, x, opstest.I64s(spec...))
			if err != nil {
				t.Errorf("%s: %v", label, err)
				continue
			}
			out, _ := ops.BroadcastShape(c.in, c.shape)
			off := len(out) - len(c.in)
			want := refRepeat(x, out, func(o []int) []int {
				s := make([]int, len(c.in))
				for k, d := range c.in {
					if d != 1 {
						s[k] = o[off+k]
					}
				}
				return s
			})
			opstest.WantTensor(t, label, got[0], want)
		}
	}
}

func TestExpandErrors(t *testing.T) {
	x := opstest.Iota32(3, 2)
	for _, c := range []struct {
		name  string
		shape *ops.Tensor
		err   string
	}{
		{"incompatible", opstest.I64s(3, 3), "cannot expand"},
		{"negative", opstest.I64s(-1, 2), "dims must be >= 0"},
		{"2-D shape", opstest.WithShape(opstest.I64s(3, 2), 1, 2), "want 1-D"},
		{"float shape", opstest.F32s(3, 2), "want int64"},
	} {
		_, err := opstest.Eval(opstest.Node("Expand", opstest.InNames(2), 1), 13, x, c.shape)
		opstest.WantErr(t, c.name, err, c.err)
	}
	op, _ := ops.Build(opstest.Node("Expand", opstest.InNames(2), 1), 8)
	_, err := op.Infer([]ops.Value{{Type: onnx.Float, Shape: []int{3}}, {Type: onnx.Int64, Shape: []int{2}}})
	opstest.WantErr(t, "computed shape", err, "not known before the run")
}

func TestTileAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	cases := []struct {
		in   []int
		reps []int64
	}{
		{[]int{2, 3, 4, 5}, []int64{7, 6, 4, 2}},
		{[]int{2, 2}, []int64{2, 2}},
		{[]int{3}, []int64{1}},
		{[]int{1, 5}, []int64{3, 1}},
		{[]int{4, 1}, []int64{1, 100}},
		{[]int{2, 3}, []int64{0, 2}},
		{[]int{0, 3}, []int64{4, 2}},
		{[]int{}, []int64{}},
	}
	for _, c := range cases {
		for _, dt := range []ops.DType{onnx.Bool, onnx.Uint16, onnx.Int32, onnx.Int64} {
			x := opstest.RandomBytes(rng, dt, c.in...)
			label := fmt.Sprintf("Tile %s%v by %v", ops.TypeName(dt), c.in, c.reps)
			got, err := opstest.EwEval(t, "Tile", 13, 1, nil, x, opstest.I64s(c.reps...))
			if err != nil {
				t.Errorf("%s: %v", label, err)
				continue
			}
			shape := make([]int, len(c.in))
			for i, d := range c.in {
				shape[i] = d * int(c.reps[i])
			}
			want := refRepeat(x, shape, func(o []int) []int {
				s := make([]int, len(o))
				for k, v := range o {
					s[k] = v % c.in[k]
				}
				return s
			})
			opstest.WantTensor(t, label, got[0], want)
		}
	}
}

func TestTile1(t *testing.T) {
	x := opstest.WithShape(opstest.F32s(1, 2, 3, 4), 2, 2)
	for _, c := range []struct {
		tiles, axis int64
		want        *ops.Tensor
	}{
		{2, 0, opstest.WithShape(opstest.F32s(1, 2, 3, 4, 1, 2, 3, 4), 4, 2)},
		{3, 1, opstest.WithShape(opstest.F32s(1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4), 2, 6)},
	} {
		got, err := opstest.Eval(opstest.Node("Tile", opstest.InNames(3), 1), 1, x, ops.FromI64([]int64{c.tiles}), ops.FromI64([]int64{c.axis}))
		if err != nil {
			t.Fatal(err)
		}
		opstest.WantTensor(t, fmt.Sprintf("Tile-1 %d times along %d", c.tiles, c.axis), got[0], c.want)
	}
	_, err := opstest.Eval(opstest.Node("Tile", opstest.InNames(3), 1), 1, x, ops.FromI64([]int64{2}), ops.FromI64([]int64{2}))
	opstest.WantErr(t, "Tile-1 axis out of range", err, "input \"axis\"", "out of range")
	_, err = opstest.Eval(opstest.Node("Tile", opstest.InNames(2), 1), 6, x, opstest.I64s(2))
	opstest.WantErr(t, "repeats of the wrong length", err, "want [2]")
	_, err = opstest.Eval(opstest.Node("Tile", opstest.InNames(2), 1), 6, x, opstest.I64s(2, -1))
	opstest.WantErr(t, "negative repeats", err, "negative")
	_, err = opstest.Eval(opstest.Node("Tile", opstest.InNames(2), 1), 6, x, opstest.I64s(2, ops.MaxDim))
	opstest.WantErr(t, "overflowing repeats", err, "overflows")
}

func TestExpandTileNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_expand*", "test_tile*"); got != 4 {
		t.Errorf("%d Expand/Tile node tests passed, want 4", got)
	}
}
