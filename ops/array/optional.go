package array

import (
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// OptionalHasElement and OptionalGetElement for plain tensors: edgeinfer
// has no optional type (graphs with optional-typed values are refused as
// unsupported before any operator sees them), so the input is a tensor or
// omitted. OptionalHasElement outputs a bool scalar, true when the input
// is present; OptionalGetElement returns its tensor input, as Identity.
// Both keep their opset 15 and 18 forms (18 made the input optional and
// accepts plain tensors).
func init() {
	for _, v := range []int{15, 18} {
		ops.Register("", "OptionalHasElement", v, buildOptionalHasElement)
		ops.Register("", "OptionalGetElement", v, buildIdentity)
	}
}

// optionalHasElementOp is a built OptionalHasElement.
type optionalHasElementOp struct{}

func buildOptionalHasElement(*onnx.Node, int) (ops.Op, error) { return optionalHasElementOp{}, nil }

// Infer gives a bool scalar.
func (optionalHasElementOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 0, 1); err != nil {
		return nil, err
	}
	if ops.HasInput(in, 0) {
		if err := ops.CheckElemType(in[0], "input"); err != nil {
			return nil, err
		}
	}
	return []ops.Value{{Type: onnx.Bool, Shape: []int{}}}, nil
}

// Run writes whether the input is present.
func (optionalHasElementOp) Run(_ *ops.Ctx, in, out []*ops.Tensor) error {
	out[0].Data[0] = 0
	if ops.InputAt(in, 0) != nil {
		out[0].Data[0] = 1
	}
	return nil
}
