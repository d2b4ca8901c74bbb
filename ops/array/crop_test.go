package array

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestCenterCropPadAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, c := range []struct {
		in, target []int
		axes       []int64
	}{
		{[]int{20, 10, 3}, []int{10, 7, 3}, nil},
		{[]int{10, 7, 3}, []int{20, 10, 3}, nil},
		{[]int{20, 8, 3}, []int{10, 10, 3}, nil},
		{[]int{3, 20, 8}, []int{10, 9}, []int64{1, 2}},
		{[]int{20, 8, 3}, []int{9, 10}, []int64{-3, -2}},
		{[]int{5}, []int{0}, nil},
		{[]int{0, 4}, []int{3, 1}, nil},
	} {
		x := opstest.RandomBytes(rng, onnx.Float, c.in...)
		var attrs []*onnx.Attribute
		if c.axes != nil {
			attrs = append(attrs, opstest.AttrIs("axes", c.axes...))
		}
		spec := make([]int64, len(c.target))
		for i, d := range c.target {
			spec[i] = int64(d)
		}
		label := fmt.Sprintf("CenterCropPad %v to %v axes %v", c.in, c.target, c.axes)
		got, err := opstest.EwEval(t, "CenterCropPad", 18, 1, attrs, x, opstest.I64s(spec...))
		if err != nil {
			t.Errorf("%s: %v", label, err)
			continue
		}
		out := append([]int(nil), c.in...)
		for i, d := range c.target {
			a := i
			if c.axes != nil {
				a, _ = ops.NormAxis(int(c.axes[i]), len(c.in))
			}
			out[a] = d
		}
		// Reference: output index o of an axis reads input index o+shift,
		// shift = floor((in-out)/2) for a crop, -floor((out-in)/2) for a pad.
		want := ops.New(onnx.Float, out...)
		for e := range want.Len() {
			m := multiIndex(e, out)
			inside := true
			for k := range m {
				if c.in[k] >= out[k] {
					m[k] += (c.in[k] - out[k]) / 2
				} else {
					m[k] -= (out[k] - c.in[k]) / 2
				}
				inside = inside && m[k] >= 0 && m[k] < c.in[k]
			}
			if inside {
				want.F32()[e] = x.F32()[flatIndex(m, c.in)]
			}
		}
		opstest.WantTensor(t, label, got[0], want)
	}
	x := opstest.Iota32(3, 4)
	for _, c := range []struct {
		name  string
		attrs []*onnx.Attribute
		shape *ops.Tensor
		err   string
	}{
		{"count", nil, opstest.I64s(2), "1 entries for 2 axes"},
		{"negative", nil, opstest.I64s(2, -1), "sizes must be >= 0"},
		{"axes", []*onnx.Attribute{opstest.AttrIs("axes", 2)}, opstest.I64s(2), "out of range"},
	} {
		_, err := opstest.Eval(opstest.Node("CenterCropPad", opstest.InNames(2), 1, c.attrs...), 18, x, c.shape)
		opstest.WantErr(t, c.name, err, c.err)
	}
}

func TestCrop(t *testing.T) {
	x := opstest.Iota32(1, 2, 4, 5)
	window := func(top, left, h, w int) *ops.Tensor {
		y := ops.New(onnx.Float, 1, 2, h, w)
		for e := range y.Len() {
			m := multiIndex(e, y.Shape)
			y.F32()[e] = x.F32()[flatIndex([]int{0, m[1], m[2] + top, m[3] + left}, x.Shape)]
		}
		return y
	}
	for _, c := range []struct {
		name  string
		attrs []*onnx.Attribute
		want  *ops.Tensor
	}{
		{"borders", []*onnx.Attribute{opstest.AttrIs("border", 1, 0, 2, 1)}, window(0, 1, 3, 2)},
		{"scale", []*onnx.Attribute{opstest.AttrIs("border", 2, 1, 0, 0), opstest.AttrIs("scale", 2, 3)}, window(1, 2, 2, 3)},
	} {
		got, err := opstest.EwEval(t, "Crop", 1, 1, c.attrs, x)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		opstest.WantTensor(t, c.name, got[0], c.want)
	}
	_, err := opstest.Eval(opstest.Node("Crop", opstest.InNames(1), 1, opstest.AttrIs("border", 0, 3, 0, 2)), 1, x)
	opstest.WantErr(t, "borders past each other", err, "does not fit")
	_, err = opstest.Eval(opstest.Node("Crop", opstest.InNames(1), 1, opstest.AttrIs("border", 3, 0, 0, 0), opstest.AttrIs("scale", 2, 3)), 1, x)
	opstest.WantErr(t, "window past the edge", err, "does not fit")
	_, err = ops.Build(opstest.Node("Crop", opstest.InNames(1), 1, opstest.AttrIs("border", 1, 1)), 1)
	opstest.WantErr(t, "border count", err, "want [left, top, right, bottom]")
	_, err = ops.Build(opstest.Node("Crop", opstest.InNames(1), 1, opstest.AttrIs("border", 0, 0, 0, 0), opstest.AttrIs("scale", 0, 1)), 1)
	opstest.WantErr(t, "zero scale", err, "sizes > 0")
}

func TestCenterCropPadNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_center_crop_pad*"); got != 6 {
		t.Errorf("%d CenterCropPad node tests passed, want 6", got)
	}
}
