package array

import (
	"fmt"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// ints64 is an int64 tensor of the given shape holding v.
func ints64(shape []int, v ...int64) *ops.Tensor {
	return opstest.WithShape(opstest.I64s(v...), shape...)
}

// TestPad checks the spec's examples and numpy.pad's results (noted as
// np.pad calls) for each mode, cropping pads, axes and every opset form.
func TestPad(t *testing.T) {
	spec := opstest.WithShape(opstest.F32s(1.0, 1.2, 2.3, 3.4, 4.5, 5.7), 3, 2)
	seq := ints64([]int{4}, 0, 1, 2, 3)
	grid := ints64([]int{3, 4}, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
	nine := ops.FromI64([]int64{9})
	cases := []struct {
		name  string
		opset int
		mode  string
		in    []*ops.Tensor // data, pads, constant_value, axes (nil: omitted)
		want  *ops.Tensor
	}{
		{"spec constant", 11, "constant", []*ops.Tensor{spec, opstest.I64s(0, 2, 0, 0)}, opstest.WithShape(opstest.F32s(0, 0, 1.0, 1.2, 0, 0, 2.3, 3.4, 0, 0, 4.5, 5.7), 3, 4)},
		{"spec reflect", 11, "reflect", []*ops.Tensor{spec, opstest.I64s(0, 2, 0, 0)}, opstest.WithShape(opstest.F32s(1.0, 1.2, 1.0, 1.2, 2.3, 3.4, 2.3, 3.4, 4.5, 5.7, 4.5, 5.7), 3, 4)},
		{"spec edge", 11, "edge", []*ops.Tensor{spec, opstest.I64s(0, 2, 0, 0)}, opstest.WithShape(opstest.F32s(1.0, 1.0, 1.0, 1.2, 2.3, 2.3, 2.3, 3.4, 4.5, 4.5, 4.5, 5.7), 3, 4)},
		{"spec wrap", 19, "wrap", []*ops.Tensor{spec, opstest.I64s(2, 1, 1, 1)}, opstest.WithShape(opstest.F32s(3.4, 2.3, 3.4, 2.3, 5.7, 4.5, 5.7, 4.5, 1.2, 1.0, 1.2, 1.0, 3.4, 2.3, 3.4, 2.3, 5.7, 4.5, 5.7, 4.5, 1.2, 1.0, 1.2, 1.0), 6, 4)},
		// np.pad(arange(4), (5, 6), mode)
		{"reflect past the edge", 11, "reflect", []*ops.Tensor{seq, opstest.I64s(5, 6)}, ints64([]int{15}, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3)},
		{"wrap past the edge", 19, "wrap", []*ops.Tensor{seq, opstest.I64s(5, 6)}, ints64([]int{15}, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1)},
		{"edge", 13, "edge", []*ops.Tensor{seq, opstest.I64s(2, 3)}, ints64([]int{9}, 0, 0, 0, 1, 2, 3, 3, 3, 3)},
		// np.pad(grid, [(0, 0), (1, 2)], "reflect")
		{"reflect 2-D", 13, "reflect", []*ops.Tensor{grid, opstest.I64s(0, 1, 0, 2)}, ints64([]int{3, 7}, 1, 0, 1, 2, 3, 2, 1, 5, 4, 5, 6, 7, 6, 5, 9, 8, 9, 10, 11, 10, 9)},
		// np.pad(grid[1:, :3], [(0, 1), (2, 0)], constant_values=9)
		{"cropping pads and a value", 11, "constant", []*ops.Tensor{grid, opstest.I64s(-1, 2, 1, -1), nine}, ints64([]int{3, 5}, 9, 9, 4, 5, 6, 9, 9, 8, 9, 10, 9, 9, 9, 9, 9)},
		{"axes", 18, "constant", []*ops.Tensor{grid, opstest.I64s(1, 0), nine, opstest.I64s(-1)}, ints64([]int{3, 5}, 9, 0, 1, 2, 3, 9, 4, 5, 6, 7, 9, 8, 9, 10, 11)},
		{"scalar", 13, "constant", []*ops.Tensor{ops.FromI64([]int64{5}), opstest.I64s()}, ops.FromI64([]int64{5})},
		{"empty axis, constant", 13, "constant", []*ops.Tensor{ops.New(onnx.Int64, 0), opstest.I64s(1, 1), nine}, ints64([]int{2}, 9, 9)},
	}
	for _, c := range cases {
		n := opstest.Node("Pad", opstest.InNames(len(c.in)), 1, opstest.AttrS("mode", c.mode))
		out, err := opstest.Eval(n, c.opset, c.in...)
		label := fmt.Sprintf("Pad-%d %s", c.opset, c.name)
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		opstest.WantTensor(t, label, out[0], c.want)
	}
	// Pad-2: pads and value are attributes.
	out, err := opstest.Eval(opstest.Node("Pad", opstest.InNames(1), 1, opstest.AttrIs("pads", 0, 1, 0, 0), opstest.AttrF("value", 1.5)), 2, spec)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "Pad-2", out[0], opstest.WithShape(opstest.F32s(1.5, 1.0, 1.2, 1.5, 2.3, 3.4, 1.5, 4.5, 5.7), 3, 3))
	// Pad-1 names them paddings.
	out, err = opstest.Eval(opstest.Node("Pad", opstest.InNames(1), 1, opstest.AttrIs("paddings", 1, 0, 0, 0), opstest.AttrS("mode", "edge")), 1, spec)
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "Pad-1", out[0], opstest.WithShape(opstest.F32s(1.0, 1.2, 1.0, 1.2, 2.3, 3.4, 4.5, 5.7), 4, 2))
	_, err = ops.Build(opstest.Node("Pad", opstest.InNames(1), 1, opstest.AttrIs("pads", 1, 0, 0, 0)), 1)
	opstest.WantErr(t, "Pad-1 with pads", err, `"paddings" is required`)
	d := &ops.Tensor{Type: onnx.Double, Shape: []int{1}, Data: make([]byte, 8)}
	out, err = opstest.Eval(opstest.Node("Pad", opstest.InNames(1), 1, opstest.AttrIs("pads", 1, 0), opstest.AttrF("value", 0.5)), 2, d)
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].F64(); len(got) != 2 || got[0] != 0.5 || got[1] != 0 {
		t.Errorf("Pad-2 of a double tensor gave %v, want [0.5 0]", got)
	}
}

func TestPadErrors(t *testing.T) {
	x := opstest.Iota32(2, 3)
	cases := []struct {
		name  string
		opset int
		mode  string
		in    []*ops.Tensor
		err   string
	}{
		{"pads count", 11, "constant", []*ops.Tensor{x, opstest.I64s(1, 1)}, "want 2 per padded axis (4)"},
		{"over-cropping", 11, "constant", []*ops.Tensor{x, opstest.I64s(-2, 0, -1, 0)}, "remove more"},
		{"empty axis, edge", 11, "edge", []*ops.Tensor{ops.New(onnx.Float, 0), opstest.I64s(1, 0)}, "empty axis"},
		{"value type", 11, "constant", []*ops.Tensor{x, opstest.I64s(0, 0, 0, 0), opstest.I64s(1)}, "want one float32"},
		{"axes before 18", 13, "constant", []*ops.Tensor{x, opstest.I64s(0, 0), nil, opstest.I64s(0)}, "want 2 to 3"},
		{"repeated axes", 18, "constant", []*ops.Tensor{x, opstest.I64s(0, 0, 0, 0), nil, opstest.I64s(0, -2)}, "repeated"},
	}
	for _, c := range cases {
		_, err := opstest.Eval(opstest.Node("Pad", opstest.InNames(len(c.in)), 1, opstest.AttrS("mode", c.mode)), c.opset, c.in...)
		opstest.WantErr(t, c.name, err, c.err)
	}
	_, err := ops.Build(opstest.Node("Pad", opstest.InNames(2), 1, opstest.AttrS("mode", "wrap")), 18)
	opstest.WantErr(t, "wrap before 19", err, "opset 19")
	_, err = ops.Build(opstest.Node("Pad", opstest.InNames(2), 1, opstest.AttrS("mode", "mirror")), 19)
	opstest.WantErr(t, "unknown mode", err, "want constant, reflect, edge or wrap")
	_, err = ops.Build(opstest.Node("Pad", opstest.InNames(1), 1), 2)
	opstest.WantErr(t, "Pad-2 without pads", err, "required")
	_, err = opstest.Eval(opstest.Node("Pad", opstest.InNames(1), 1, opstest.AttrIs("pads", 0, 0)), 2, opstest.I64s(1))
	opstest.WantErr(t, "Pad-2 of ints", err, "float tensors")
}
