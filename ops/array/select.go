package array

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// NonZero and Compress select by value, so their output shapes depend on
// an input's contents: Infer needs that input constant (ErrNotConstant
// otherwise) and counts the selection.
//
//   - NonZero outputs the int64 coordinates [rank, n] of the n elements of
//     X that are not zero (NaN counts as non-zero, -0 as zero), in
//     row-major order; a scalar gives [0, n], as the spec says (numpy and
//     ONNX Runtime give [1, n]).
//   - Compress keeps the slices along axis (or, without axis, the elements
//     of the flattened input) whose entry of the 1-D bool condition is
//     true; condition entries past the axis' length are ignored, as ONNX
//     Runtime does, and missing ones select nothing. The kept slices are
//     block copies.
func init() {
	for _, v := range []int{9, 13} {
		ops.Register("", "NonZero", v, buildNonZero)
	}
	for _, v := range []int{9, 11} {
		ops.Register("", "Compress", v, buildCompress)
	}
}

// nonZeroOp is a built NonZero.
type nonZeroOp struct{}

func buildNonZero(*onnx.Node, int) (ops.Op, error) { return nonZeroOp{}, nil }

// Infer counts the non-zero elements of the constant input.
func (nonZeroOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "X"); err != nil {
		return nil, err
	}
	if in[0].Const == nil {
		return nil, fmt.Errorf("input \"X\": %w", ops.ErrNotConstant)
	}
	n := 0
	forNonZero(in[0].Const, func(int) { n++ })
	return []ops.Value{{Type: onnx.Int64, Shape: []int{len(in[0].Shape), n}}}, nil
}

// forNonZero calls fn with the flat index of every non-zero element of t.
func forNonZero(t *ops.Tensor, fn func(i int)) {
	// Floats compare as floats (-0 is zero); every other type is zero
	// exactly when all its bytes are.
	switch es := ops.ElemSize(t.Type); {
	case t.Type == onnx.Float:
		eachNonZero(ops.Elems[float32](t), fn)
	case t.Type == onnx.Double:
		eachNonZero(ops.Elems[float64](t), fn)
	case es == 1:
		eachNonZero(ops.Elems[uint8](t), fn)
	case es == 2:
		eachNonZero(ops.Elems[uint16](t), fn)
	case es == 4:
		eachNonZero(ops.Elems[uint32](t), fn)
	default:
		eachNonZero(ops.Elems[uint64](t), fn)
	}
}

func eachNonZero[T ops.Numeric](v []T, fn func(i int)) {
	for i, x := range v {
		if x != 0 {
			fn(i)
		}
	}
}

// Run writes the coordinates, advancing a multi-index along the input.
func (nonZeroOp) Run(_ *ops.Ctx, in, out []*ops.Tensor) error {
	x, y := in[0], out[0]
	r, n := len(x.Shape), y.Shape[1]
	if r == 0 {
		return nil
	}
	coords := y.I64()
	idx := make([]int, r)
	at, k := 0, 0 // flat index of idx; count written
	forNonZero(x, func(i int) {
		if k == n {
			return
		}
		for ; at < i; at++ { // step the multi-index to i
			for d := r - 1; d >= 0; d-- {
				if idx[d]++; idx[d] < x.Shape[d] {
					break
				}
				idx[d] = 0
			}
		}
		for d, v := range idx {
			coords[d*n+k] = int64(v)
		}
		k++
	})
	return nil
}

// compressOp is a built Compress.
type compressOp struct {
	axis    int64
	hasAxis bool
	negOK   bool
}

func buildCompress(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	return &compressOp{axis: a.Int("axis", 0), hasAxis: a.Has("axis"), negOK: opset >= 11}, a.Err()
}

// geometry sees the input as [outer, dim, inner] around the selected axis
// (the flattened input when there is none).
func (op *compressOp) geometry(shape []int) (outer, dim, inner, axis int, err error) {
	if !op.hasAxis {
		return 1, ops.NumElems(shape), 1, -1, nil
	}
	if axis, err = ops.AxisIn(op.axis, len(shape), op.negOK); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("attribute \"axis\": %w", err)
	}
	return ops.NumElems(shape[:axis]), shape[axis], ops.NumElems(shape[axis+1:]), axis, nil
}

// Infer counts the selected slices from the constant condition.
func (op *compressOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "input"); err != nil {
		return nil, err
	}
	if c := in[1]; c.Type != onnx.Bool || len(c.Shape) != 1 {
		return nil, fmt.Errorf("input \"condition\" is %s%v, want 1-D bool", ops.TypeName(c.Type), c.Shape)
	}
	_, dim, _, axis, err := op.geometry(in[0].Shape)
	if err != nil {
		return nil, err
	}
	if in[1].Const == nil {
		return nil, fmt.Errorf("input \"condition\": %w", ops.ErrNotConstant)
	}
	n := 0
	for _, c := range in[1].Const.U8()[:min(in[1].Shape[0], dim)] {
		if c != 0 {
			n++
		}
	}
	if axis < 0 {
		return []ops.Value{{Type: in[0].Type, Shape: []int{n}}}, nil
	}
	shape := append([]int(nil), in[0].Shape...)
	shape[axis] = n
	return []ops.Value{{Type: in[0].Type, Shape: shape}}, nil
}

// Run copies the selected slices.
func (op *compressOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind makes the space for the selection and the copy loop once; a call
// reads the condition, then copies each kept block of every outer row.
func (op *compressOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x, cond, y := in[0], in[1], out[0]
	outer, dim, inner, axis, err := op.geometry(x.Shape)
	if err != nil {
		return nil, err
	}
	planned := y.Shape[max(axis, 0)] // the selected count the output was sized for
	j := &takeBlocks{pos: make([]int, 0, dim), dim: dim, block: inner * ops.ElemSize(x.Type)}
	var loop ops.Loop
	loop.Bind(j)
	return func() error {
		j.pos = j.pos[:0]
		for i, c := range cond.U8()[:min(cond.Shape[0], dim)] {
			if c != 0 {
				j.pos = append(j.pos, i)
			}
		}
		if len(j.pos) != planned {
			return fmt.Errorf("input \"condition\" selects %d slices, but the output was planned for %d", len(j.pos), planned)
		}
		if j.block == 0 || len(j.pos) == 0 {
			return nil
		}
		j.dst, j.src = y.Data, x.Data
		loop.Run(ctx.Par, outer*len(j.pos), j.grain())
		return nil
	}, nil
}
