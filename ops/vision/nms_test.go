package vision

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// TestNMSNodeTests runs the official NonMaxSuppression node tests.
func TestNMSNodeTests(t *testing.T) {
	if n, want := opstest.AllNodeTests(t, "test_nonmaxsuppression*"), 10; n != want {
		t.Errorf("%d node tests passed, want %d", n, want)
	}
}

// TestNMSORT compares NonMaxSuppression with ONNX Runtime.
func TestNMSORT(t *testing.T) { ortGolden(t, "nms_*") }

// nmsEval runs a NonMaxSuppression-11 with every input constant.
func nmsEval(centers int64, ins ...*ops.Tensor) (*ops.Tensor, error) {
	outs, err := opstest.Eval(opstest.EwNode("NonMaxSuppression", ins, 1, opstest.AttrI("center_point_box", centers)), 11, ins...)
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}

// TestNMSCases checks NaN scores, negative and omitted limits, empty
// optional inputs and no boxes.
func TestNMSCases(t *testing.T) {
	boxes := opstest.WithShape(opstest.F32s(0, 0, 1, 1, 0, 0.1, 1, 1.1, 5, 5, 6, 6), 1, 3, 4)
	scores := opstest.WithShape(opstest.F32s(float32(math.NaN()), 0.9, 0.8), 1, 1, 3)
	for _, c := range []struct {
		label string
		ins   []*ops.Tensor
		want  []int64
	}{
		{"NaN score never competes", []*ops.Tensor{boxes, scores, opstest.I64s(5), opstest.F32s(0.5)}, []int64{0, 0, 1, 0, 0, 2}},
		{"limit omitted", []*ops.Tensor{boxes, scores}, nil},
		{"negative limit", []*ops.Tensor{boxes, scores, opstest.I64s(-3)}, nil},
		{"scalar limit, empty thresholds", []*ops.Tensor{boxes, scores, opstest.WithShape(opstest.I64s(1)), opstest.F32s(), opstest.F32s()}, []int64{0, 0, 1}},
		{"score threshold", []*ops.Tensor{boxes, scores, opstest.I64s(5), opstest.F32s(1), opstest.F32s(0.85)}, []int64{0, 0, 1}},
		{"no boxes", []*ops.Tensor{ops.New(onnx.Float, 2, 0, 4), ops.New(onnx.Float, 2, 3, 0), opstest.I64s(5)}, nil},
	} {
		got, err := nmsEval(0, c.ins...)
		if err != nil {
			t.Errorf("%s: %v", c.label, err)
			continue
		}
		opstest.WantTensor(t, c.label, got, opstest.Typed(opstest.Sh(len(c.want)/3, 3), c.want...))
	}
}

// TestNMSErrors checks that invalid inputs fail with errors naming them,
// and inputs not known before the run say so with ErrNotConstant.
func TestNMSErrors(t *testing.T) {
	boxes, scores := ops.New(onnx.Float, 1, 2, 4), ops.New(onnx.Float, 1, 1, 2)
	if _, err := ops.Build(opstest.EwNode("NonMaxSuppression", []*ops.Tensor{boxes, scores}, 1, opstest.AttrI("center_point_box", 2)), 11); err == nil || !strings.Contains(err.Error(), "center_point_box") {
		t.Errorf("center_point_box 2: %v", err)
	}
	for _, c := range []struct {
		label string
		ins   []*ops.Tensor
		frags []string
	}{
		{"boxes shape", []*ops.Tensor{ops.New(onnx.Float, 1, 2, 5), scores}, []string{`"boxes"`}},
		{"scores shape", []*ops.Tensor{boxes, ops.New(onnx.Float, 1, 1, 3)}, []string{`"scores"`}},
		{"boxes type", []*ops.Tensor{ops.New(onnx.Double, 1, 2, 4), scores}, []string{`"boxes"`, "float32"}},
		{"limit type", []*ops.Tensor{boxes, scores, opstest.F32s(3)}, []string{"max_output_boxes_per_class", "int64"}},
		{"limit shape", []*ops.Tensor{boxes, scores, opstest.I64s(3, 4)}, []string{"max_output_boxes_per_class", "scalar"}},
		{"iou range", []*ops.Tensor{boxes, scores, opstest.I64s(3), opstest.F32s(1.5)}, []string{"iou_threshold", "[0, 1]"}},
		{"iou NaN", []*ops.Tensor{boxes, scores, opstest.I64s(3), opstest.F32s(float32(math.NaN()))}, []string{"iou_threshold"}},
	} {
		_, err := nmsEval(0, c.ins...)
		opstest.WantErr(t, c.label, err, c.frags...)
	}
	op, _ := ops.Build(opstest.EwNode("NonMaxSuppression", []*ops.Tensor{boxes, scores}, 1), 11)
	_, err := op.Infer([]ops.Value{{Type: onnx.Float, Shape: boxes.Shape, Const: boxes}, {Type: onnx.Float, Shape: scores.Shape}})
	if !errors.Is(err, ops.ErrNotConstant) {
		t.Errorf("scores not constant: %v, want ErrNotConstant", err)
	} else if !strings.Contains(err.Error(), `"scores"`) {
		t.Errorf("scores not constant: %v does not name it", err)
	}
}
