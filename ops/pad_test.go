package ops

import (
	"fmt"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// ints64 is an int64 tensor of the given shape holding v.
func ints64(shape []int, v ...int64) *Tensor { return withShape(i64s(v...), shape...) }

// TestPad checks the spec's examples and numpy.pad's results (noted as
// np.pad calls) for each mode, cropping pads, axes and every opset form.
func TestPad(t *testing.T) {
	spec := withShape(f32s(1.0, 1.2, 2.3, 3.4, 4.5, 5.7), 3, 2)
	seq := ints64([]int{4}, 0, 1, 2, 3)
	grid := ints64([]int{3, 4}, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
	nine := FromI64([]int64{9})
	cases := []struct {
		name  string
		opset int
		mode  string
		in    []*Tensor // data, pads, constant_value, axes (nil: omitted)
		want  *Tensor
	}{
		{"spec constant", 11, "constant", []*Tensor{spec, i64s(0, 2, 0, 0)}, withShape(f32s(0, 0, 1.0, 1.2, 0, 0, 2.3, 3.4, 0, 0, 4.5, 5.7), 3, 4)},
		{"spec reflect", 11, "reflect", []*Tensor{spec, i64s(0, 2, 0, 0)}, withShape(f32s(1.0, 1.2, 1.0, 1.2, 2.3, 3.4, 2.3, 3.4, 4.5, 5.7, 4.5, 5.7), 3, 4)},
		{"spec edge", 11, "edge", []*Tensor{spec, i64s(0, 2, 0, 0)}, withShape(f32s(1.0, 1.0, 1.0, 1.2, 2.3, 2.3, 2.3, 3.4, 4.5, 4.5, 4.5, 5.7), 3, 4)},
		{"spec wrap", 19, "wrap", []*Tensor{spec, i64s(2, 1, 1, 1)}, withShape(f32s(3.4, 2.3, 3.4, 2.3, 5.7, 4.5, 5.7, 4.5, 1.2, 1.0, 1.2, 1.0, 3.4, 2.3, 3.4, 2.3, 5.7, 4.5, 5.7, 4.5, 1.2, 1.0, 1.2, 1.0), 6, 4)},
		// np.pad(arange(4), (5, 6), mode)
		{"reflect past the edge", 11, "reflect", []*Tensor{seq, i64s(5, 6)}, ints64([]int{15}, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0, 1, 2, 3)},
		{"wrap past the edge", 19, "wrap", []*Tensor{seq, i64s(5, 6)}, ints64([]int{15}, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1)},
		{"edge", 13, "edge", []*Tensor{seq, i64s(2, 3)}, ints64([]int{9}, 0, 0, 0, 1, 2, 3, 3, 3, 3)},
		// np.pad(grid, [(0, 0), (1, 2)], "reflect")
		{"reflect 2-D", 13, "reflect", []*Tensor{grid, i64s(0, 1, 0, 2)}, ints64([]int{3, 7}, 1, 0, 1, 2, 3, 2, 1, 5, 4, 5, 6, 7, 6, 5, 9, 8, 9, 10, 11, 10, 9)},
		// np.pad(grid[1:, :3], [(0, 1), (2, 0)], constant_values=9)
		{"cropping pads and a value", 11, "constant", []*Tensor{grid, i64s(-1, 2, 1, -1), nine}, ints64([]int{3, 5}, 9, 9, 4, 5, 6, 9, 9, 8, 9, 10, 9, 9, 9, 9, 9)},
		{"axes", 18, "constant", []*Tensor{grid, i64s(1, 0), nine, i64s(-1)}, ints64([]int{3, 5}, 9, 0, 1, 2, 3, 9, 4, 5, 6, 7, 9, 8, 9, 10, 11)},
		{"scalar", 13, "constant", []*Tensor{FromI64([]int64{5}), i64s()}, FromI64([]int64{5})},
		{"empty axis, constant", 13, "constant", []*Tensor{New(onnx.Int64, 0), i64s(1, 1), nine}, ints64([]int{2}, 9, 9)},
	}
	for _, c := range cases {
		n := moveNode("Pad", inNames(len(c.in)), 1, attrS("mode", c.mode))
		out, err := evalNode(n, c.opset, c.in...)
		label := fmt.Sprintf("Pad-%d %s", c.opset, c.name)
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		wantTensor(t, label, out[0], c.want)
	}
	// Pad-2: pads and value are attributes.
	out, err := evalNode(moveNode("Pad", inNames(1), 1, attrIs("pads", 0, 1, 0, 0), attrF("value", 1.5)), 2, spec)
	if err != nil {
		t.Fatal(err)
	}
	wantTensor(t, "Pad-2", out[0], withShape(f32s(1.5, 1.0, 1.2, 1.5, 2.3, 3.4, 1.5, 4.5, 5.7), 3, 3))
	d := &Tensor{Type: onnx.Double, Shape: []int{1}, Data: make([]byte, 8)}
	out, err = evalNode(moveNode("Pad", inNames(1), 1, attrIs("pads", 1, 0), attrF("value", 0.5)), 2, d)
	if err != nil {
		t.Fatal(err)
	}
	if got := out[0].F64(); len(got) != 2 || got[0] != 0.5 || got[1] != 0 {
		t.Errorf("Pad-2 of a double tensor gave %v, want [0.5 0]", got)
	}
}

func TestPadErrors(t *testing.T) {
	x := iota32(2, 3)
	cases := []struct {
		name  string
		opset int
		mode  string
		in    []*Tensor
		err   string
	}{
		{"pads count", 11, "constant", []*Tensor{x, i64s(1, 1)}, "want 2 per padded axis (4)"},
		{"over-cropping", 11, "constant", []*Tensor{x, i64s(-2, 0, -1, 0)}, "remove more"},
		{"empty axis, edge", 11, "edge", []*Tensor{New(onnx.Float, 0), i64s(1, 0)}, "empty axis"},
		{"value type", 11, "constant", []*Tensor{x, i64s(0, 0, 0, 0), i64s(1)}, "want one float32"},
		{"axes before 18", 13, "constant", []*Tensor{x, i64s(0, 0), nil, i64s(0)}, "want 2 to 3"},
		{"repeated axes", 18, "constant", []*Tensor{x, i64s(0, 0, 0, 0), nil, i64s(0, -2)}, "repeated"},
	}
	for _, c := range cases {
		_, err := evalNode(moveNode("Pad", inNames(len(c.in)), 1, attrS("mode", c.mode)), c.opset, c.in...)
		wantErr(t, c.name, err, c.err)
	}
	_, err := Build(moveNode("Pad", inNames(2), 1, attrS("mode", "wrap")), 18)
	wantErr(t, "wrap before 19", err, "opset 19")
	_, err = Build(moveNode("Pad", inNames(2), 1, attrS("mode", "mirror")), 19)
	wantErr(t, "unknown mode", err, "want constant, reflect, edge or wrap")
	_, err = Build(moveNode("Pad", inNames(1), 1), 2)
	wantErr(t, "Pad-2 without pads", err, "required")
	_, err = evalNode(moveNode("Pad", inNames(1), 1, attrIs("pads", 0, 0)), 2, i64s(1))
	wantErr(t, "Pad-2 of ints", err, "float tensors")
}
