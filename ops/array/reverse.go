package array

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// ReverseSequence reverses, for each entry b of the batch axis, the first
// sequence_lens[b] entries along the time axis and copies the rest. The
// two axes are 0 and 1 (time 0 and batch 1 by default, or the other way
// round); sequence_lens (int64, one per batch entry, each in [0, time
// length], read at every run) does not change the shape. Every (time,
// batch) pair is one block copy of the trailing dims.
func init() {
	ops.Register("", "ReverseSequence", 10, buildReverseSequence)
}

// reverseSequenceOp is a built ReverseSequence.
type reverseSequenceOp struct {
	timeAxis int // 0 or 1; the batch axis is the other
}

func buildReverseSequence(n *onnx.Node, _ int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	t, b := a.Int("time_axis", 0), a.Int("batch_axis", 1)
	if err := a.Err(); err != nil {
		return nil, err
	}
	if t+b != 1 || t*b != 0 {
		return nil, fmt.Errorf("attributes \"time_axis\" %d and \"batch_axis\" %d must be 0 and 1 in some order", t, b)
	}
	return &reverseSequenceOp{timeAxis: int(t)}, nil
}

// Infer checks the ranks; the output has the input's shape.
func (op *reverseSequenceOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "input"); err != nil {
		return nil, err
	}
	s := in[0].Shape
	if len(s) < 2 {
		return nil, fmt.Errorf("input \"input\" has shape %v, want rank 2 or more", s)
	}
	if l := in[1]; l.Type != onnx.Int64 || len(l.Shape) != 1 || l.Shape[0] != s[1-op.timeAxis] {
		return nil, fmt.Errorf("input \"sequence_lens\" is %s%v, want int64[%d] (the batch size)", ops.TypeName(l.Type), l.Shape, s[1-op.timeAxis])
	}
	return []ops.Value{{Type: in[0].Type, Shape: s}}, nil
}

// Run reverses the sequences.
func (op *reverseSequenceOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// reverseBlocks copies the blocks [lo, hi) of the output, numbered in
// row-major order over the first two dims, from their source blocks.
type reverseBlocks struct {
	dst, src       []byte
	lens           []int64
	timeAxis, dim1 int // dim1: the size of dim 1
	block          int // bytes per block
}

func (j *reverseBlocks) Run(lo, hi int) {
	for u := lo; u < hi; u++ {
		i := [2]int{u / j.dim1, u % j.dim1} // the block's (dim 0, dim 1) indices
		t := &i[j.timeAxis]
		if n := int(j.lens[i[1-j.timeAxis]]); *t < n {
			*t = n - 1 - *t
		}
		s := i[0]*j.dim1 + i[1]
		copy(j.dst[u*j.block:(u+1)*j.block], j.src[s*j.block:(s+1)*j.block])
	}
}

// Bind makes the copy loop once; a call checks sequence_lens, then copies.
func (op *reverseSequenceOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x, lens, y := in[0], in[1], out[0]
	j := &reverseBlocks{timeAxis: op.timeAxis, dim1: x.Shape[1], block: ops.NumElems(x.Shape[2:]) * ops.ElemSize(x.Type)}
	steps := x.Shape[op.timeAxis]
	n := x.Shape[0] * x.Shape[1]
	copyBlocks := ops.BindLoop(ctx.Par, n, max(1, 1<<15/max(j.block, 1)), j, func() { j.dst, j.src, j.lens = y.Data, x.Data, lens.I64() })
	return func() error {
		for b, l := range ops.Elems[int64](lens) {
			if l < 0 || l > int64(steps) {
				return fmt.Errorf("input \"sequence_lens\": entry %d is %d, want in [0, %d]", b, l, steps)
			}
		}
		if j.block == 0 {
			return nil
		}
		return copyBlocks()
	}, nil
}
