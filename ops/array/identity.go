package array

import (
	"fmt"
	"math/rand/v2"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Identity copies its input (any computed type; sequence and optional
// values are not tensors and never reach it); OptionalGetElement of a
// tensor is the same op.
//
// Dropout before opset 12 runs in inference mode: the output is the input
// and the optional mask is all ones (bool from opset 10, the data's type
// before); Dropout-1 and 6's is_test and ratio are checked but not used,
// since edgeinfer only infers. From opset 12 ratio (default 0.5) and
// training_mode (default false) are inputs: in training mode each element
// is kept with probability 1-ratio and scaled by 1/(1-ratio), the mask
// marking the kept ones; ratio 0 keeps everything, exactly. The draws come
// from ops.RandomStreams, seeded by the seed attribute (the same mask at
// every run) or, without it, afresh at each run.
func init() {
	// Identity-14 adds sequences, 16 optionals (neither reaches an operator
	// here); the other versions add types.
	for _, v := range []int{1, 13, 14, 16, 19, 21, 23, 24, 25} {
		ops.Register("", "Identity", v, buildIdentity)
	}
	// Dropout-6 drops consumed_inputs, 7 is_test; the mask becomes bool in
	// 10; ratio and training_mode become inputs in 12.
	for _, v := range []int{1, 6, 7, 10, 12, 13, 22} {
		ops.Register("", "Dropout", v, buildDropout)
	}
}

// identityOp is a built Identity.
type identityOp struct{}

func buildIdentity(n *onnx.Node, opset int) (ops.Op, error) { return identityOp{}, nil }

// Infer gives the input's type and shape.
func (identityOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "input"); err != nil {
		return nil, err
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

// dropoutOp is a built Dropout.
type dropoutOp struct {
	boolMask bool   // opset >= 10: the mask is bool rather than the data's type
	inputs   bool   // opset >= 12: ratio and training_mode are inputs
	outputs  int    // 1 or 2 (with the mask)
	seed     uint64 // the seed attribute (opset 12), when hasSeed
	hasSeed  bool
}

func buildDropout(n *onnx.Node, opset int) (ops.Op, error) {
	d := &dropoutOp{boolMask: opset >= 10, inputs: opset >= 12, outputs: len(n.Outputs)}
	if d.outputs < 1 || d.outputs > 2 {
		return nil, fmt.Errorf("has %d outputs, want 1 or 2", d.outputs)
	}
	a := ops.AttrsOf(n)
	if d.inputs {
		d.hasSeed = a.Has("seed")
		d.seed = uint64(a.Int("seed", 0))
		return d, a.Err()
	}
	// The attributes do not change inference; only their types are checked.
	a.Float("ratio", 0.5)
	a.Int("is_test", 0)
	return d, a.Err()
}

// Infer checks data, ratio and training_mode.
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
	if ops.HasInput(in, 2) && (in[2].Type != onnx.Bool || ops.NumElems(in[2].Shape) != 1) {
		return nil, fmt.Errorf("input \"training_mode\" is %s%v, want a bool scalar", ops.TypeName(in[2].Type), in[2].Shape)
	}
	mask := onnx.Bool
	if !d.boolMask {
		mask = x.Type
	}
	return []ops.Value{{Type: x.Type, Shape: x.Shape}, {Type: mask, Shape: x.Shape}}[:d.outputs], nil
}

// InPlace lets the output share the data's storage.
func (d *dropoutOp) InPlace(in []ops.Value) int { return 0 }

// Run copies the data and fills the mask, if requested, with ones, unless
// training_mode is true and ratio not 0: then it drops elements.
func (d *dropoutOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	var mask *ops.Tensor
	if len(out) > 1 {
		mask = out[1]
	}
	if t := ops.InputAt(in, 2); t != nil && t.Data[0] != 0 {
		ratio := 0.5
		if r := ops.InputAt(in, 1); r != nil {
			ratio = elemF64(r, 0)
		}
		if !(ratio >= 0 && ratio < 1) {
			return fmt.Errorf("input \"ratio\" is %g, want in [0, 1)", ratio)
		}
		if ratio > 0 {
			seed := ops.RunSeed(d.seed, d.hasSeed)
			if in[0].Type == onnx.Double {
				dropElems[float64](ctx.Par, out[0], in[0], mask, ratio, seed)
			} else {
				dropElems[float32](ctx.Par, out[0], in[0], mask, ratio, seed)
			}
			return nil
		}
	}
	ops.CopyUnlessShared(out[0].Data, in[0].Data)
	if mask == nil {
		return nil
	}
	switch mask.Type {
	case onnx.Float:
		fillOnes(ops.Elems[float32](mask))
	case onnx.Double:
		fillOnes(ops.Elems[float64](mask))
	default:
		fillOnes(ops.Elems[uint8](mask))
	}
	return nil
}

// dropElems keeps each element of x with probability 1-ratio, scaled by
// 1/(1-ratio), and zeroes the others; mask (bool, may be nil) marks the
// kept ones. Element i is dropped when the uniform draw for it in
// [0, 1) is below ratio.
func dropElems[T ops.Float](par ops.Parallel, y, x, mask *ops.Tensor, ratio float64, seed uint64) {
	yv, xv := ops.Elems[T](y), ops.Elems[T](x)
	var mv []uint8
	if mask != nil {
		mv = ops.Elems[uint8](mask)
	}
	scale := T(1 / (1 - ratio))
	ops.RandomStreams(par, len(yv), seed, func(r *rand.Rand, lo, hi int) {
		for i := lo; i < hi; i++ {
			keep := r.Float64() >= ratio
			v := xv[i] * scale // read before y, which may be x, is written
			if !keep {
				v = 0
			}
			yv[i] = v
			if mv != nil {
				mv[i] = 0
				if keep {
					mv[i] = 1
				}
			}
		}
	})
}

// fillOnes sets every element of d to 1.
func fillOnes[T ops.Numeric](d []T) {
	for i := range d {
		d[i] = 1
	}
}
