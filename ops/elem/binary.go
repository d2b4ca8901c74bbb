package elem

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Add, Sub, Mul, Div and Sum over every numeric type. From opset 7 (Sum:
// 8) the operands broadcast numpy-style (onnx-spec/Broadcasting.md); before,
// the binary ops broadcast B onto A only with attribute broadcast=1, B's
// shape matching A's at attribute axis (or as a suffix), and Sum needs equal
// shapes. Integer Div truncates toward zero like C, and an integer division
// by zero gives 0 (as numpy does) instead of failing.
func init() {
	for _, op := range []struct {
		name string
		kind binKind
	}{{"Add", binAdd}, {"Sub", binSub}, {"Mul", binMul}, {"Div", binDiv}} {
		ops.Register("", op.name, 1, buildBinary(op.kind))
		ops.Register("", op.name, 7, buildBinary(op.kind))
	}
	ops.Register("", "Sum", 1, buildSum)
	ops.Register("", "Sum", 8, buildSum)
}

// binaryOp is a built Add, Sub, Mul or Div.
type binaryOp struct {
	kind    binKind
	legacy  bool // opset < 7: attribute-driven broadcasting
	bcast   bool // legacy: broadcast = 1
	hasAxis bool // legacy: attribute axis is given
	axis    int
}

func buildBinary(kind binKind) ops.Builder {
	return func(n *onnx.Node, opset int) (ops.Op, error) {
		b := &binaryOp{kind: kind, legacy: opset < 7}
		if !b.legacy {
			return b, nil
		}
		a := ops.AttrsOf(n)
		b.bcast = a.Int("broadcast", 0) != 0
		b.hasAxis = a.Has("axis")
		b.axis = int(a.Int("axis", 0))
		return b, a.Err()
	}
}

// shapes gives B's shape as broadcast onto the output, and the output's shape.
func (b *binaryOp) shapes(as, bs []int) (bEff, out []int, err error) {
	switch {
	case !b.legacy:
		out, err = ops.BroadcastShape(as, bs)
		return bs, out, err
	case !b.bcast:
		if !ops.SameShape(as, bs) {
			return nil, nil, fmt.Errorf("inputs A %v and B %v differ in shape and attribute \"broadcast\" is 0", as, bs)
		}
		return bs, as, nil
	}
	axis := len(as) - len(bs)
	if b.hasAxis {
		axis = b.axis
		if axis < 0 {
			axis += len(as)
		}
	}
	if axis < 0 || axis+len(bs) > len(as) {
		return nil, nil, fmt.Errorf("input B of shape %v does not fit into A's shape %v at axis %d", bs, as, axis)
	}
	bEff = make([]int, len(as))
	for i := range bEff {
		bEff[i] = 1
	}
	for i, d := range bs {
		if d != 1 && d != as[axis+i] {
			return nil, nil, fmt.Errorf("input B of shape %v does not match A's shape %v at axis %d", bs, as, axis)
		}
		bEff[axis+i] = d
	}
	return bEff, as, nil
}

// Infer checks the operands' types and broadcasts their shapes.
func (b *binaryOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	t := in[0].Type
	if !ops.IsNumeric(t) {
		return nil, fmt.Errorf("input A has type %s, want a numeric type", ops.TypeName(t))
	}
	if in[1].Type != t {
		return nil, fmt.Errorf("input B has type %s, want A's type %s", ops.TypeName(in[1].Type), ops.TypeName(t))
	}
	_, out, err := b.shapes(in[0].Shape, in[1].Shape)
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: t, Shape: out}}, nil
}

// InPlace lets C overwrite whichever operand already has C's shape.
func (b *binaryOp) InPlace(in []ops.Value) int {
	_, out, err := b.shapes(in[0].Shape, in[1].Shape)
	return ewFullInput(in[:2], out, err)
}

// ewFullInput is the index of the first input of in with shape out, or -1
// (also when err is set).
func ewFullInput(in []ops.Value, out []int, err error) int {
	if err != nil {
		return -1
	}
	for i, v := range in {
		if ops.SameShape(v.Shape, out) {
			return i
		}
	}
	return -1
}

// Run computes C = A op B.
func (b *binaryOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(b, ctx, in, out)
}

// Bind plans the broadcast once.
func (b *binaryOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	bEff := in[1].Shape
	if b.legacy {
		var err error
		if bEff, _, err = b.shapes(in[0].Shape, bEff); err != nil {
			return nil, err
		}
	}
	f := ewTable[in[0].Type].binary(ctx.Par, b.kind, out[0], in[0], in[1], in[0].Shape, bEff)
	return func() error { f(); return nil }, nil
}

// sumOp is a built Sum.
type sumOp struct {
	broadcast bool // opset >= 8
}

func buildSum(n *onnx.Node, opset int) (ops.Op, error) {
	return &sumOp{broadcast: opset >= 8}, nil
}

// shape is the output's shape.
func (s *sumOp) shape(in []ops.Value) ([]int, error) {
	shapes := make([][]int, len(in))
	for i, v := range in {
		if !s.broadcast && !ops.SameShape(v.Shape, in[0].Shape) {
			return nil, fmt.Errorf("input %d has shape %v, want input 0's shape %v (broadcasting needs opset 8)", i, v.Shape, in[0].Shape)
		}
		shapes[i] = v.Shape
	}
	return ops.BroadcastShape(shapes...)
}

// Infer checks that all inputs are present, share a numeric type and broadcast.
func (s *sumOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("got no inputs, want at least 1")
	}
	t := in[0].Type
	if !ops.IsNumeric(t) {
		return nil, fmt.Errorf("input 0 has type %s, want a numeric type", ops.TypeName(t))
	}
	for i, v := range in {
		if v.Type != t {
			return nil, fmt.Errorf("input %d has type %s, want input 0's type %s", i, ops.TypeName(v.Type), ops.TypeName(t))
		}
	}
	out, err := s.shape(in)
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: t, Shape: out}}, nil
}

// InPlace lets the sum overwrite input 0 or 1 when it has the output's shape.
// With more inputs it never does: a later input could be the same tensor.
func (s *sumOp) InPlace(in []ops.Value) int {
	if len(in) > 2 {
		return -1
	}
	out, err := s.shape(in)
	return ewFullInput(in, out, err)
}

// Run adds the first two inputs into the output, then each further one.
func (s *sumOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error { return ops.RunBound(s, ctx, in, out) }

// Bind plans each addition's broadcast once.
func (s *sumOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	d := out[0]
	if len(in) == 1 {
		return func() error { ops.CopyUnlessShared(d.Data, in[0].Data); return nil }, nil
	}
	k := ewTable[d.Type]
	adds := []func(){k.binary(ctx.Par, binAdd, d, in[0], in[1], in[0].Shape, in[1].Shape)}
	for _, t := range in[2:] {
		adds = append(adds, k.binary(ctx.Par, binAdd, d, d, t, d.Shape, t.Shape))
	}
	return func() error {
		for _, f := range adds {
			f()
		}
		return nil
	}, nil
}
