package array

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// DepthToSpace and SpaceToDepth move blocks of blocksize x blocksize
// between the channel dim and the spatial dims of an [N, C, H, W] tensor.
// Each is a reshape to six dims, a transpose and a reshape back, so the
// output is a permuted strided view of the input, copied as a movePlan
// (the NCHW -> NHWC-like permutations become batches of matrix transposes).
//
//   - DepthToSpace DCR (the only mode before opset 11, the default after):
//     [N, C, H, W] as [N, b, b, C/b², H, W], permuted (0, 3, 4, 1, 5, 2) to
//     [N, C/b², H*b, W*b]. CRD: as [N, C/b², b, b, H, W], permuted (0, 1,
//     4, 2, 5, 3).
//   - SpaceToDepth: [N, C, H, W] as [N, C, H/b, b, W/b, b], permuted (0, 3,
//     5, 1, 2, 4) to [N, C*b², H/b, W/b].
func init() {
	for _, v := range []int{1, 11, 13} {
		ops.Register("", "DepthToSpace", v, buildDepthToSpace)
	}
	for _, v := range []int{1, 13} {
		ops.Register("", "SpaceToDepth", v, buildSpaceToDepth)
	}
}

// spaceOp is a built DepthToSpace or SpaceToDepth.
type spaceOp struct {
	block   int
	toDepth bool // SpaceToDepth
	crd     bool // DepthToSpace's CRD mode
}

// blocksize reads the required positive blocksize attribute.
func blocksize(a *ops.Attrs) (int, error) {
	if !a.Has("blocksize") {
		return 0, fmt.Errorf("attribute \"blocksize\" is required")
	}
	b := a.Int("blocksize", 0)
	if err := a.Err(); err != nil {
		return 0, err
	}
	if b < 1 || b > 1<<15 { // b*b must fit an int on 32-bit boards
		return 0, fmt.Errorf("attribute \"blocksize\" is %d, want a positive size", b)
	}
	return int(b), nil
}

func buildDepthToSpace(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	b, err := blocksize(a)
	if err != nil {
		return nil, err
	}
	op := &spaceOp{block: b}
	if opset >= 11 {
		switch mode := a.String("mode", "DCR"); mode {
		case "DCR":
		case "CRD":
			op.crd = true
		default:
			return nil, fmt.Errorf("attribute \"mode\" is %q, want DCR or CRD", mode)
		}
	}
	return op, a.Err()
}

func buildSpaceToDepth(n *onnx.Node, _ int) (ops.Op, error) {
	b, err := blocksize(ops.AttrsOf(n))
	if err != nil {
		return nil, err
	}
	return &spaceOp{block: b, toDepth: true}, nil
}

// Infer checks that the dims divide into blocks and gives the moved shape.
func (op *spaceOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "input"); err != nil {
		return nil, err
	}
	s := in[0].Shape
	if len(s) != 4 {
		return nil, fmt.Errorf("input \"input\" has shape %v, want 4-D [N, C, H, W]", s)
	}
	b := op.block
	n, c, h, w := s[0], s[1], s[2], s[3]
	if op.toDepth {
		if h%b != 0 || w%b != 0 {
			return nil, fmt.Errorf("input \"input\" has shape %v: H and W must be multiples of blocksize %d", s, b)
		}
		if c > ops.MaxDim/(b*b) {
			return nil, fmt.Errorf("input \"input\" has %d channels: times blocksize %d squared overflows", c, b)
		}
		return []ops.Value{{Type: in[0].Type, Shape: []int{n, c * b * b, h / b, w / b}}}, nil
	}
	if c%(b*b) != 0 {
		return nil, fmt.Errorf("input \"input\" has shape %v: C must be a multiple of blocksize %d squared", s, b)
	}
	if h > ops.MaxDim/b || w > ops.MaxDim/b {
		return nil, fmt.Errorf("input \"input\" has shape %v: H and W times blocksize %d overflow", s, b)
	}
	return []ops.Value{{Type: in[0].Type, Shape: []int{n, c / (b * b), h * b, w * b}}}, nil
}

// view is the input seen with six dims and the permutation that gives the
// output's order.
func (op *spaceOp) view(s []int) (shape6, perm []int) {
	b := op.block
	n, c, h, w := s[0], s[1], s[2], s[3]
	switch {
	case op.toDepth:
		return []int{n, c, h / b, b, w / b, b}, []int{0, 3, 5, 1, 2, 4}
	case op.crd:
		return []int{n, c / (b * b), b, b, h, w}, []int{0, 1, 4, 2, 5, 3}
	}
	return []int{n, b, b, c / (b * b), h, w}, []int{0, 3, 4, 1, 5, 2}
}

// Run copies the permuted view.
func (op *spaceOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the strided copy once.
func (op *spaceOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x := in[0]
	return transposePlan(op.view(x.Shape)).bind(ctx.Par, out[0], x, ops.ElemSize(x.Type)), nil
}
