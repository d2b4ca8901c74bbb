package quantize

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// qdqOpset is the opset a quantized model needs at least: QuantizeLinear
// and DequantizeLinear with per-axis scales.
const qdqOpset = 13

// oldestUpgraded is the oldest default-domain opset upgradeOpset reads.
const oldestUpgraded = 7

// sameSemantics lists the operators whose versions from opset 7 to 13
// only add types, or attributes and inputs whose defaults keep the old
// behaviour: a node of theirs means the same at opset 13.
var sameSemantics = map[string]bool{}

func init() {
	for _, op := range strings.Fields(`Abs Acos Acosh Add And ArgMax ArgMin Asin Asinh Atan Atanh
		AveragePool Cast Ceil Concat Constant ConstantOfShape Conv ConvInteger ConvTranspose Cos Cosh
		CumSum DepthToSpace DequantizeLinear Div Einsum Elu Equal Erf Exp Expand EyeLike Flatten Floor
		Gather GatherElements GatherND Gemm GlobalAveragePool GlobalLpPool GlobalMaxPool Greater
		GreaterOrEqual HardSigmoid Identity InstanceNormalization IsInf IsNaN LRN LeakyRelu Less
		LessOrEqual Log LpNormalization LpPool MatMul MatMulInteger Max MaxPool MaxRoiPool Mean Min Mod
		Mul Neg NonZero Not Or PRelu Pow QLinearConv QLinearMatMul QuantizeLinear Range Reciprocal
		ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd
		ReduceSumSquare Relu Reshape Round Selu Shape Shrink Sigmoid Sign Sin Sinh Size Softplus
		Softsign SpaceToDepth Sqrt Sub Sum Tan Tanh ThresholdedRelu Tile Transpose Where Xor`) {
		sameSemantics[op] = true
	}
}

// upgraders rewrite a node whose meaning changed between its opset and
// 13 to its opset-13 form; from is the model's opset.
var upgraders = map[string]func(e *editor, n *onnx.Node, from int64) error{
	"Softmax":            upgradeSoftmax,
	"LogSoftmax":         upgradeSoftmax,
	"Hardmax":            upgradeSoftmax,
	"Dropout":            upgradeDropout,
	"BatchNormalization": upgradeBatchNorm,
	"Clip":               upgradeClip,
	"Squeeze":            attrToInput("axes", 1, 13),
	"Unsqueeze":          attrToInput("axes", 1, 13),
	"ReduceSum":          attrToInput("axes", 1, 13),
	"Split":              attrToInput("split", 1, 13),
	"TopK":               attrToInput("k", 1, 10),
	"Slice":              upgradeSlice,
	"Pad":                upgradePad,
	"Resize":             upgradeResize,
}

// upgradeOpset rewrites the model's default-domain nodes from its opset
// (at least oldestUpgraded) to qdqOpset and imports that opset. A node
// whose operator it cannot upgrade makes it fail, naming every such node
// and wrapping ErrUnsupportedModel.
func upgradeOpset(e *editor, from int64) error {
	if from < oldestUpgraded {
		return fmt.Errorf("model imports ai.onnx opset %d; quantize upgrades models from opset %d (re-export it at opset %d or later): %w",
			from, oldestUpgraded, qdqOpset, ErrUnsupportedModel)
	}
	var missing []string
	for _, n := range slices.Clone(e.g.Nodes) { // upgraders insert nodes

		if !defaultDomain(n) || sameSemantics[n.OpType] {
			continue
		}
		up := upgraders[n.OpType]
		if up == nil {
			missing = append(missing, fmt.Sprintf("%s (node %s)", n.OpType, nodeName(n)))
			continue
		}
		if err := up(e, n, from); err != nil {
			return fmt.Errorf("upgrading %s node %s from opset %d to %d: %w", n.OpType, nodeName(n), from, qdqOpset, err)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("model imports ai.onnx opset %d and quantized models need %d; quantize cannot upgrade %s (re-export the model at opset %d or later): %w",
			from, qdqOpset, strings.Join(missing, ", "), qdqOpset, ErrUnsupportedModel)
	}
	for i, o := range e.m.OpsetImports {
		if ops.NormDomain(o.Domain) == "" {
			e.m.OpsetImports[i].Version = qdqOpset
		}
	}
	return nil
}

// upgradeSoftmax rewrites a Softmax (LogSoftmax, Hardmax) of opset < 13,
// which flattens its input to 2-D at axis (default 1) and normalizes
// each row, as Flatten(axis), the opset-13 operator on axis 1, and a
// Reshape back to the input's shape. axis -1 needs none of it.
func upgradeSoftmax(e *editor, n *onnx.Node, _ int64) error {
	axis := int64(1)
	if a := attr(n, "axis"); a != nil {
		axis = a.I
	}
	if axis == -1 || len(n.Inputs) != 1 || len(n.Outputs) != 1 {
		return nil
	}
	x, y := n.Inputs[0], n.Outputs[0]
	flat, shape, rows := e.fresh(x+"_flat"), e.fresh(x+"_shape"), e.fresh(y+"_2d")
	base := nodeName(n)
	e.insertBefore(n,
		&onnx.Node{Name: e.fresh(base + "_flatten"), OpType: "Flatten", Inputs: []string{x}, Outputs: []string{flat},
			Attrs: []*onnx.Attribute{{Name: "axis", Type: onnx.AttrInt, I: axis}}},
		&onnx.Node{Name: e.fresh(base + "_shape"), OpType: "Shape", Inputs: []string{x}, Outputs: []string{shape}})
	e.insertAfter(n, &onnx.Node{Name: e.fresh(base + "_reshape"), OpType: "Reshape", Inputs: []string{rows, shape}, Outputs: []string{y}})
	n.Inputs[0], n.Outputs[0] = flat, rows
	dropAttr(n, "axis")
	n.Attrs = append(n.Attrs, &onnx.Attribute{Name: "axis", Type: onnx.AttrInt, I: 1})
	return nil
}

// upgradeDropout drops the ratio (opset 12 moved it to an input, which
// inference ignores) and is_test attributes.
func upgradeDropout(_ *editor, n *onnx.Node, _ int64) error {
	dropAttr(n, "ratio")
	dropAttr(n, "is_test")
	return nil
}

// upgradeBatchNorm drops opset 7's spatial attribute (opset 9 made spatial
// normalization the only kind). Only the inference form upgrades.
func upgradeBatchNorm(_ *editor, n *onnx.Node, _ int64) error {
	if a := attr(n, "spatial"); a != nil && a.I != 1 {
		return fmt.Errorf("spatial=%d (opset 9 dropped non-spatial normalization): %w", a.I, ErrUnsupportedModel)
	}
	if len(n.Outputs) > 1 {
		return fmt.Errorf("%d outputs: only inference (one output) is upgraded: %w", len(n.Outputs), ErrUnsupportedModel)
	}
	dropAttr(n, "spatial")
	return nil
}

// upgradeClip moves opset 6's min and max attributes to inputs (opset 11).
func upgradeClip(e *editor, n *onnx.Node, from int64) error {
	if from >= 11 {
		return nil
	}
	for i, name := range []string{"min", "max"} {
		if a := attr(n, name); a != nil {
			setInput(n, i+1, e.addInit(nodeName(n)+"_"+name, ops.FromF32([]float32{a.F})))
			dropAttr(n, name)
		}
	}
	return nil
}

// attrToInput upgrades an operator that turned the int64 attribute name
// into input index at opset since.
func attrToInput(name string, index int, since int64) func(*editor, *onnx.Node, int64) error {
	return func(e *editor, n *onnx.Node, from int64) error {
		if from >= since {
			return nil
		}
		a := attr(n, name)
		if a == nil {
			return nil
		}
		vals := a.Ints
		shape := []int{len(vals)}
		if a.Type == onnx.AttrInt { // TopK's k is a one-element tensor
			vals, shape = []int64{a.I}, []int{1}
		}
		setInput(n, index, e.addInit(nodeName(n)+"_"+name, ops.FromI64(append([]int64(nil), vals...), shape...)))
		dropAttr(n, name)
		return nil
	}
}

// upgradeSlice moves opset 1's starts, ends and axes attributes to inputs (opset 10).
func upgradeSlice(e *editor, n *onnx.Node, from int64) error {
	if from >= 10 {
		return nil
	}
	a := ops.AttrsOf(n)
	starts, ends, axes := a.Ints("starts"), a.Ints("ends"), a.Ints("axes")
	if a.Err() != nil {
		return a.Err()
	}
	for i, v := range [][]int64{starts, ends, axes} {
		if v == nil {
			continue
		}
		name := []string{"starts", "ends", "axes"}[i]
		setInput(n, i+1, e.addInit(nodeName(n)+"_"+name, ops.FromI64(append([]int64(nil), v...), len(v))))
		dropAttr(n, name)
	}
	return nil
}

// upgradePad moves opset 2's pads and value attributes to inputs (opset 11).
func upgradePad(e *editor, n *onnx.Node, from int64) error {
	if from >= 11 {
		return nil
	}
	a := ops.AttrsOf(n)
	pads, value := a.Ints("pads"), a.Float("value", 0)
	if a.Err() != nil {
		return a.Err()
	}
	if math.IsNaN(float64(value)) || value != 0 {
		setInput(n, 2, e.addInit(nodeName(n)+"_value", ops.FromF32([]float32{value})))
	}
	setInput(n, 1, e.addInit(nodeName(n)+"_pads", ops.FromI64(append([]int64(nil), pads...), len(pads))))
	dropAttr(n, "pads")
	dropAttr(n, "value")
	return nil
}

// upgradeResize accepts Resize from opset 11, whose meaning opset 13 kept
// (it made roi and scales optional) except for the coordinate mode
// tf_half_pixel_for_nn, which it dropped. Opset 10's Resize computed its
// coordinates otherwise.
func upgradeResize(_ *editor, n *onnx.Node, from int64) error {
	if from < 11 {
		return fmt.Errorf("opset %d's Resize maps coordinates as opset 11 does not: %w", from, ErrUnsupportedModel)
	}
	a := ops.AttrsOf(n)
	if mode := a.String("coordinate_transformation_mode", ""); mode == "tf_half_pixel_for_nn" {
		return fmt.Errorf("coordinate_transformation_mode %s (dropped at opset 13): %w", mode, ErrUnsupportedModel)
	}
	return a.Err()
}

// insertBefore inserts nodes just before n in the graph's node list.
func (e *editor) insertBefore(n *onnx.Node, nodes ...*onnx.Node) { e.insertAt(n, 0, nodes) }

// insertAfter inserts nodes just after n.
func (e *editor) insertAfter(n *onnx.Node, nodes ...*onnx.Node) { e.insertAt(n, 1, nodes) }

func (e *editor) insertAt(n *onnx.Node, after int, nodes []*onnx.Node) {
	for i, m := range e.g.Nodes {
		if m == n {
			at := i + after
			e.g.Nodes = append(e.g.Nodes[:at], append(nodes, e.g.Nodes[at:]...)...)
			return
		}
	}
}
