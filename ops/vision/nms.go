package vision

import (
	"fmt"
	"slices"
	"sort"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// NonMaxSuppression selects, for every image and class, boxes in
// decreasing score order (ties: lower index first), skipping any whose
// intersection over union with a box already selected for that class is
// greater than iou_threshold, until max_output_boxes_per_class are
// selected (0, the default, selects none; negative counts as 0):
//
//   - boxes (num_batches, spatial_dimension, 4) are [y1, x1, y2, x2]
//     corners in either order (center_point_box 0), or [x_center,
//     y_center, width, height] (1); scores are (num_batches, num_classes,
//     spatial_dimension). Boxes of no area or no overlap never suppress.
//   - With score_threshold only boxes scoring above it compete; boxes
//     with a NaN score never do. iou_threshold must lie in [0, 1].
//     Optional inputs may be omitted or empty, and are scalars or
//     one-element tensors. Overlaps are computed in float32, as ONNX
//     Runtime and the ONNX reference compute them.
//   - selected_indices is (num_selected, 3) rows of [batch, class, box],
//     by image, then class, then selection order: its length depends on
//     every input's values, so the node runs when they are known.
//
// Versions 10 and 11 differ only in wording.
func init() {
	for _, v := range []int{10, 11} {
		ops.Register("", "NonMaxSuppression", v, buildNMS)
	}
}

// nmsInputs names NonMaxSuppression's inputs.
var nmsInputs = []string{"boxes", "scores", "max_output_boxes_per_class", "iou_threshold", "score_threshold"}

// nmsOp is a built NonMaxSuppression.
type nmsOp struct{ centers bool }

func buildNMS(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	switch c := a.Int("center_point_box", 0); c {
	case 0, 1:
		return &nmsOp{centers: c == 1}, a.Err()
	default:
		return nil, fmt.Errorf("attribute \"center_point_box\" is %d, want 0 or 1", c)
	}
}

// Infer checks the inputs and, when their values are known, selects the
// boxes to give selected_indices' shape.
func (op *nmsOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 5); err != nil {
		return nil, err
	}
	boxes, scores := in[0], in[1]
	for i, name := range []string{"boxes", "scores"} {
		if in[i].Type != onnx.Float {
			return nil, fmt.Errorf("input %q has type %s, want float32", name, ops.TypeName(in[i].Type))
		}
	}
	switch {
	case len(boxes.Shape) != 3 || boxes.Shape[2] != 4:
		return nil, fmt.Errorf("input \"boxes\" has shape %v, want [num_batches, spatial_dimension, 4]", boxes.Shape)
	case len(scores.Shape) != 3 || scores.Shape[0] != boxes.Shape[0] || scores.Shape[2] != boxes.Shape[1]:
		return nil, fmt.Errorf("input \"scores\" has shape %v, want [%d, num_classes, %d]", scores.Shape, boxes.Shape[0], boxes.Shape[1])
	}
	for i, v := range in {
		if v.Type != onnx.Undefined && v.Const == nil {
			return nil, fmt.Errorf("input %q: %w", nmsInputs[i], ops.ErrNotConstant)
		}
	}
	args, err := nmsScalars(in)
	if err != nil {
		return nil, err
	}
	sel := op.selectBoxes(boxes.Const.F32(), scores.Const.F32(), scores.Shape, args)
	return []ops.Value{{Type: onnx.Int64, Shape: []int{len(sel) / 3, 3}}}, nil
}

// Run selects the boxes into selected_indices.
func (op *nmsOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	vals := ops.ConstValues(in)
	args, err := nmsScalars(vals)
	if err != nil {
		return err
	}
	sel := op.selectBoxes(in[0].F32(), in[1].F32(), in[1].Shape, args)
	if y := out[0]; y.Len() != len(sel) {
		return fmt.Errorf("output has shape %v, the inputs select %d boxes", y.Shape, len(sel)/3)
	}
	copy(out[0].I64(), sel)
	return nil
}

// nmsArgs are the optional scalar inputs.
type nmsArgs struct {
	maxOut   int
	iou      float32
	score    float32
	hasScore bool
}

// nmsScalars reads and checks max_output_boxes_per_class, iou_threshold
// and score_threshold.
func nmsScalars(in []ops.Value) (nmsArgs, error) {
	var a nmsArgs
	for i, name := range nmsInputs[2:] {
		if !ops.HasInput(in, i+2) {
			continue
		}
		v := in[i+2]
		want := onnx.Float
		if i == 0 {
			want = onnx.Int64
		}
		switch n := ops.NumElems(v.Shape); {
		case v.Type != want:
			return a, fmt.Errorf("input %q has type %s, want %s", name, ops.TypeName(v.Type), ops.TypeName(want))
		case n == 0: // an empty tensor stands for an omitted input
			continue
		case n > 1 || len(v.Shape) > 1:
			return a, fmt.Errorf("input %q has shape %v, want a scalar", name, v.Shape)
		}
		switch i {
		case 0:
			a.maxOut = int(max(0, min(v.Const.I64()[0], ops.MaxDim)))
		case 1:
			a.iou = v.Const.F32()[0]
			if !(a.iou >= 0 && a.iou <= 1) {
				return a, fmt.Errorf("input \"iou_threshold\" is %v, want a value in [0, 1]", a.iou)
			}
		case 2:
			a.score, a.hasScore = v.Const.F32()[0], true
		}
	}
	return a, nil
}

// nmsBox is a box's extent and area.
type nmsBox struct{ x0, y0, x1, y1, area float32 }

// selectBoxes runs the suppression over every image and class; scores
// has shape dims (num_batches, num_classes, spatial_dimension). It
// returns the selected [batch, class, box] triples, flat.
func (op *nmsOp) selectBoxes(boxes, scores []float32, dims []int, a nmsArgs) []int64 {
	nb, nc, ns := dims[0], dims[1], dims[2]
	var sel []int64
	if a.maxOut == 0 {
		return sel
	}
	ext := make([]nmsBox, ns)
	order := make([]int, 0, ns)
	var kept []int
	for b := range nb {
		for i := range ext {
			ext[i] = op.extent(boxes[(b*ns+i)*4:][:4])
		}
		for c := range nc {
			sc := scores[(b*nc+c)*ns:][:ns]
			order = order[:0]
			for i, v := range sc {
				if v == v && (!a.hasScore || v > a.score) {
					order = append(order, i)
				}
			}
			// sort's reflection-based sorts are already in every binary:
			// they cost no code of their own, unlike slices' generic ones.
			sort.SliceStable(order, func(i, j int) bool { return sc[order[i]] > sc[order[j]] })
			kept = kept[:0]
			for _, i := range order {
				if len(kept) == a.maxOut {
					break
				}
				if !slices.ContainsFunc(kept, func(k int) bool { return overlaps(ext[i], ext[k], a.iou) }) {
					kept = append(kept, i)
					sel = append(sel, int64(b), int64(c), int64(i))
				}
			}
		}
	}
	return sel
}

// extent reads a box in either format, in float32 (explicit conversions
// keep every step rounded, with no fused multiply-add).
func (op *nmsOp) extent(v []float32) nmsBox {
	var b nmsBox
	if op.centers {
		hw, hh := float32(v[2]/2), float32(v[3]/2)
		b = nmsBox{x0: float32(v[0] - hw), x1: float32(v[0] + hw), y0: float32(v[1] - hh), y1: float32(v[1] + hh)}
	} else {
		b = nmsBox{x0: min(v[1], v[3]), x1: max(v[1], v[3]), y0: min(v[0], v[2]), y1: max(v[0], v[2])}
	}
	b.area = float32(float32(b.x1-b.x0) * float32(b.y1-b.y0))
	return b
}

// overlaps reports whether a and b overlap by more than iou, as the
// reference decides it: boxes that do not intersect, or of no area, never
// do.
func overlaps(a, b nmsBox, iou float32) bool {
	ix0, ix1 := max(a.x0, b.x0), min(a.x1, b.x1)
	iy0, iy1 := max(a.y0, b.y0), min(a.y1, b.y1)
	if ix1 <= ix0 || iy1 <= iy0 {
		return false
	}
	inter := float32(float32(ix1-ix0) * float32(iy1-iy0))
	union := float32(float32(a.area+b.area) - inter)
	if inter <= 0 || a.area <= 0 || b.area <= 0 || union <= 0 {
		return false
	}
	return float32(inter/union) > iou
}
