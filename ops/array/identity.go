package array

import (
	"errors"
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Identity copies its input (any computed type; sequence and optional
// values are not tensors and never reach it). Dropout is run in inference
// mode: the output is the input and the optional mask is all ones (bool
// from opset 10, the data's type before). Before opset 12 the test/training
// choice (is_test) is ignored, since edgeinfer only infers; from 12 a
// training_mode input that is true fails with "training mode unsupported"
// unless ratio is 0, where training drops nothing either.
func init() {
	// Identity-14 adds sequences, 16 optionals (neither reaches an operator
	// here); the other versions add types.
	for _, v := range []int{1, 13, 14, 16, 19, 21, 23, 24, 25} {
		ops.Register("", "Identity", v, buildIdentity)
	}
	ops.Register("", "Dropout", 1, buildDropout)
	ops.Register("", "Dropout", 10, buildDropout) // the mask becomes bool
	ops.Register("", "Dropout", 12, buildDropout) // ratio and training_mode become inputs
}

// identityOp is a built Identity.
type identityOp struct{}

func buildIdentity(n *onnx.Node, opset int) (ops.Op, error) { return identityOp{}, nil }

// Infer gives the input's type and shape.
func (identityOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if !ops.Supported(in[0].Type) {
		return nil, fmt.Errorf("input has unsupported type %s", ops.TypeName(in[0].Type))
	}
	return []ops.Value{{Type: in[0].Type, Shape: in[0].Shape}}, nil
}

// InPlace lets the output share the input's storage.
func (identityOp) InPlace(in []ops.Value) int { return 0 }

// Run copies the input unless the output shares its storage.
func (identityOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	ops.CopyUnlessShared(out[0].Data, in[0].Data)
	return nil
}

// errDropoutTraining reports a Dropout asked to drop elements.
var errDropoutTraining = errors.New("training mode unsupported: input \"training_mode\" is true and \"ratio\" is not 0")

// dropoutOp is a built Dropout.
type dropoutOp struct {
	boolMask bool // opset >= 10: the mask is bool rather than the data's type
	inputs   bool // opset >= 12: ratio and training_mode are inputs
	outputs  int  // 1 or 2 (with the mask)
}

func buildDropout(n *onnx.Node, opset int) (ops.Op, error) {
	d := &dropoutOp{boolMask: opset >= 10, inputs: opset >= 12, outputs: len(n.Outputs)}
	if d.outputs < 1 || d.outputs > 2 {
		return nil, fmt.Errorf("has %d outputs, want 1 or 2", d.outputs)
	}
	if d.inputs {
		return d, nil
	}
	// The attributes do not change inference; only their types are checked.
	a := ops.AttrsOf(n)
	a.Float("ratio", 0.5)
	a.Int("is_test", 0)
	return d, a.Err()
}

// Infer checks data, ratio and training_mode; a constant true training_mode
// with a ratio not known to be 0 is refused here already.
func (d *dropoutOp) Infer(in []ops.Value) ([]ops.Value, error) {
	hi := 1
	if d.inputs {
		hi = 3
	}
	if err := ops.CheckInputs(in, 1, hi); err != nil {
		return nil, err
	}
	x := in[0]
	if !ops.IsFloat(x.Type) {
		return nil, fmt.Errorf("input \"data\" has type %s, want float32 or float64", ops.TypeName(x.Type))
	}
	if ops.HasInput(in, 1) && (!ops.IsFloat(in[1].Type) || ops.NumElems(in[1].Shape) != 1) {
		return nil, fmt.Errorf("input \"ratio\" is %s%v, want a float scalar", ops.TypeName(in[1].Type), in[1].Shape)
	}
	if ops.HasInput(in, 2) {
		if in[2].Type != onnx.Bool || ops.NumElems(in[2].Shape) != 1 {
			return nil, fmt.Errorf("input \"training_mode\" is %s%v, want a bool scalar", ops.TypeName(in[2].Type), in[2].Shape)
		}
		if c := in[2].Const; c != nil && c.Data[0] != 0 {
			if !ops.HasInput(in, 1) || in[1].Const == nil || dropoutRatio(in[1].Const) != 0 {
				return nil, errDropoutTraining
			}
		}
	}
	mask := onnx.Bool
	if !d.boolMask {
		mask = x.Type
	}
	return []ops.Value{{Type: x.Type, Shape: x.Shape}, {Type: mask, Shape: x.Shape}}[:d.outputs], nil
}

// dropoutRatio reads a float ratio scalar.
func dropoutRatio(t *ops.Tensor) float64 {
	if t.Type == onnx.Double {
		return t.F64()[0]
	}
	return float64(t.F32()[0])
}

// InPlace lets the output share the data's storage.
func (d *dropoutOp) InPlace(in []ops.Value) int { return 0 }

// Run copies the data and fills the mask, if requested, with ones.
func (d *dropoutOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	if t := ops.InputAt(in, 2); t != nil && t.Data[0] != 0 {
		if r := ops.InputAt(in, 1); r == nil || dropoutRatio(r) != 0 {
			return errDropoutTraining
		}
	}
	ops.CopyUnlessShared(out[0].Data, in[0].Data)
	if len(out) < 2 || out[1] == nil {
		return nil
	}
	switch m := out[1]; m.Type {
	case onnx.Float:
		fillOnes(ops.Elems[float32](m))
	case onnx.Double:
		fillOnes(ops.Elems[float64](m))
	default:
		fillOnes(ops.Elems[uint8](m))
	}
	return nil
}

// fillOnes sets every element of d to 1.
func fillOnes[T ops.Numeric](d []T) {
	for i := range d {
		d[i] = 1
	}
}
