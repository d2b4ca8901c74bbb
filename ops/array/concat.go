package array

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func init() {
	// Concat-1 defaults axis to 1; it is required from 4, may be negative from 11.
	for _, v := range []int{1, 4, 11, 13} {
		ops.Register("", "Concat", v, buildConcat)
	}
	// Split-1 takes the sizes as an attribute or an optional input, 2 as
	// an attribute, 13 as an optional input; 18 adds num_outputs.
	for _, v := range []int{1, 2, 11, 13, 18} {
		ops.Register("", "Split", v, buildSplit)
	}
}

// blockCopy copies count blocks of n bytes: block i goes from
// src.Data[i*srcStride+srcOff:] to dst.Data[i*dstStride+dstOff:]. Concat
// and Split are this copy, once per input or output, with the blocks being
// the bytes of each outer index from the axis inwards.
type blockCopy struct {
	dst, src                    *ops.Tensor
	dstStride, dstOff           int
	srcStride, srcOff, n, count int
}

func (c *blockCopy) Run(lo, hi int) {
	dst, src := c.dst.Data, c.src.Data
	for i := lo; i < hi; i++ {
		d := i*c.dstStride + c.dstOff
		s := i*c.srcStride + c.srcOff
		copy(dst[d:d+c.n], src[s:s+c.n])
	}
}

// bindCopies returns a step function running the copies on par; the loop
// bodies are made once here.
func bindCopies(par ops.Parallel, copies []blockCopy) func() error {
	fns := make([]func(lo, hi int), len(copies))
	for i := range copies {
		fns[i] = copies[i].Run
	}
	return func() error {
		for i := range copies {
			if c := &copies[i]; c.n > 0 && !c.inPlace() {
				par.For(c.count, max(1, 1<<15/c.n), fns[i])
			}
		}
		return nil
	}
}

// inPlace reports whether every block is already where it is to go: the
// runtime computes Concat's inputs directly into their places in its output
// and makes Split's outputs views of its input (runtime/views.go).
func (c *blockCopy) inPlace() bool {
	return c.count > 0 && c.dstStride == c.srcStride &&
		unsafe.SliceData(c.dst.Data[c.dstOff:]) == unsafe.SliceData(c.src.Data[c.srcOff:])
}

// concatOp is a built Concat: it joins its inputs along one axis.
type concatOp struct {
	axis  int64
	negOK bool
}

func buildConcat(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	if opset >= 4 && !a.Has("axis") {
		return nil, fmt.Errorf("attribute \"axis\" is required")
	}
	op := &concatOp{axis: a.Int("axis", 1), negOK: opset >= 11}
	return op, a.Err()
}

// Infer checks that every input has the first one's type, rank and dims
// except along axis, and sums the dims along axis.
func (op *concatOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("got no inputs, want at least 1")
	}
	if err := ops.CheckInputs(in, len(in), len(in)); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "inputs"); err != nil {
		return nil, err
	}
	first := in[0].Shape
	axis, err := ops.AxisIn(op.axis, len(first), op.negOK)
	if err != nil {
		return nil, fmt.Errorf("attribute \"axis\": %w", err)
	}
	out := append([]int(nil), first...)
	out[axis] = 0
	for i, v := range in {
		if v.Type != in[0].Type {
			return nil, fmt.Errorf("input %d has type %s, input 0 has %s", i, ops.TypeName(v.Type), ops.TypeName(in[0].Type))
		}
		if len(v.Shape) != len(first) {
			return nil, fmt.Errorf("input %d has shape %v, input 0 has %v: ranks differ", i, v.Shape, first)
		}
		for d, n := range v.Shape {
			if d != axis && n != first[d] {
				return nil, fmt.Errorf("input %d has shape %v, input 0 has %v: dim %d differs off the concat axis %d", i, v.Shape, first, d, axis)
			}
		}
		out[axis] += v.Shape[axis]
	}
	return []ops.Value{{Type: in[0].Type, Shape: out}}, nil
}

// Run copies each input's blocks next to each other in the output.
func (op *concatOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans one block copy per input.
func (op *concatOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	axis, _ := ops.AxisIn(op.axis, len(out[0].Shape), true)
	return bindCopies(ctx.Par, partCopies(out[0], in, axis, true)), nil
}

// partCopies plans the block copies between a whole tensor and its parts
// laid side by side along axis: into the whole (Concat) or out of it (Split).
func partCopies(whole *ops.Tensor, parts []*ops.Tensor, axis int, into bool) []blockCopy {
	es := ops.ElemSize(whole.Type)
	outer := ops.NumElems(whole.Shape[:axis])
	block := ops.NumElems(whole.Shape[axis:]) * es
	copies := make([]blockCopy, len(parts))
	off := 0
	for i, t := range parts {
		n := ops.NumElems(t.Shape[axis:]) * es
		if into {
			copies[i] = blockCopy{dst: whole, src: t, dstStride: block, dstOff: off, srcStride: n, n: n, count: outer}
		} else {
			copies[i] = blockCopy{dst: t, src: whole, dstStride: n, srcStride: block, srcOff: off, n: n, count: outer}
		}
		off += n
	}
	return copies
}

// splitOp is a built Split: it cuts its input along one axis into its
// outputs.
type splitOp struct {
	axis       int64
	negOK      bool
	outputs    int     // how many outputs the node has
	split      []int64 // attribute before opset 13
	fromInput  bool    // sizes may be optional input 1 (opsets 1 and 13 on)
	numOutputs int64   // num_outputs attribute (opset 18), 0 when absent
}

func buildSplit(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &splitOp{axis: a.Int("axis", 0), negOK: opset >= 11, outputs: len(n.Outputs), fromInput: opset == 1 || opset >= 13}
	if opset < 13 {
		op.split = a.Ints("split")
	}
	if opset >= 18 && a.Has("num_outputs") {
		op.numOutputs = a.Int("num_outputs", 0)
		if op.numOutputs < 1 || op.numOutputs != int64(op.outputs) {
			return nil, fmt.Errorf("attribute \"num_outputs\" is %d, but the node has %d outputs", op.numOutputs, op.outputs)
		}
	}
	if op.outputs == 0 {
		return nil, fmt.Errorf("node has no outputs, want at least 1")
	}
	return op, a.Err()
}

// sizes resolves the length along axis of every output for an input dim.
func (op *splitOp) sizes(dim int, split []int64) ([]int, error) {
	out := make([]int, op.outputs)
	switch {
	case split != nil:
		if len(split) != op.outputs {
			return nil, fmt.Errorf("split %v has %d entries, but the node has %d outputs", split, len(split), op.outputs)
		}
		sum := 0
		for i, s := range split {
			if s < 0 {
				return nil, fmt.Errorf("split %v has a negative entry", split)
			}
			out[i] = int(s)
			sum += out[i]
		}
		if sum != dim {
			return nil, fmt.Errorf("split %v sums to %d, but the split axis has %d", split, sum, dim)
		}
	case op.numOutputs > 0:
		// Chunks of ceil(dim/n); the last one takes what is left.
		chunk := (dim + op.outputs - 1) / op.outputs
		last := dim - chunk*(op.outputs-1)
		if last < 0 {
			return nil, fmt.Errorf("cannot split a dim of %d into %d outputs of %d with a smaller last one", dim, op.outputs, chunk)
		}
		for i := range out {
			out[i] = chunk
		}
		out[len(out)-1] = last
	default:
		if dim%op.outputs != 0 {
			return nil, fmt.Errorf("cannot split a dim of %d evenly into %d outputs", dim, op.outputs)
		}
		for i := range out {
			out[i] = dim / op.outputs
		}
	}
	return out, nil
}

// splitSizes reads the constant input "split": int64 or int32, or, as
// Split-1 types it, a floating-point tensor of whole numbers.
func splitSizes(v ops.Value) ([]int64, error) {
	switch {
	case v.Const == nil || !ops.IsFloat(v.Type):
		return ops.ConstInts(v, "split")
	case v.Type == onnx.Double:
		return wholeNumbers(ops.Elems[float64](v.Const), "split")
	}
	return wholeNumbers(ops.Elems[float32](v.Const), "split")
}

// wholeNumbers converts floats that must be whole numbers (sizes) to
// int64; name says which input they come from.
func wholeNumbers[T ops.Float](v []T, name string) ([]int64, error) {
	out := make([]int64, len(v))
	for i, x := range v {
		f := float64(x)
		if f != math.Trunc(f) || math.Abs(f) > ops.MaxDim {
			return nil, fmt.Errorf("input %q holds %g, want whole numbers", name, f)
		}
		out[i] = int64(f)
	}
	return out, nil
}

// Infer gives each output the input's shape with its share of axis.
func (op *splitOp) Infer(in []ops.Value) ([]ops.Value, error) {
	hi := 1
	if op.fromInput {
		hi = 2
	}
	if err := ops.CheckInputs(in, 1, hi); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "input"); err != nil {
		return nil, err
	}
	split := op.split
	if ops.HasInput(in, 1) {
		if op.numOutputs > 0 {
			return nil, fmt.Errorf("input \"split\" and attribute \"num_outputs\" are both given")
		}
		if split != nil {
			return nil, fmt.Errorf("input \"split\" and attribute \"split\" are both given")
		}
		var err error
		if split, err = splitSizes(in[1]); err != nil {
			return nil, err
		}
	}
	shape := in[0].Shape
	axis, err := ops.AxisIn(op.axis, len(shape), op.negOK)
	if err != nil {
		return nil, fmt.Errorf("attribute \"axis\": %w", err)
	}
	sizes, err := op.sizes(shape[axis], split)
	if err != nil {
		return nil, err
	}
	out := make([]ops.Value, len(sizes))
	for i, s := range sizes {
		sh := append([]int(nil), shape...)
		sh[axis] = s
		out[i] = ops.Value{Type: in[0].Type, Shape: sh}
	}
	return out, nil
}

// Run copies each output's blocks out of the input.
func (op *splitOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans one block copy per output.
func (op *splitOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	axis, _ := ops.AxisIn(op.axis, len(in[0].Shape), true)
	return bindCopies(ctx.Par, partCopies(in[0], out, axis, false)), nil
}
