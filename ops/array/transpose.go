package array

import (
	"fmt"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func init() {
	for _, v := range []int{1, 13, 21, 23, 24, 25} {
		ops.Register("", "Transpose", v, buildTranspose)
	}
}

// movePlan is a strided view of a source tensor, copied out in row-major
// order: view element (i0, i1, ...) is source element off + sum(ik*strides[k]).
// Transpose (permuted strides) and Slice (scaled strides, an offset) are both
// such a copy. newMovePlan simplifies the view: dims of size 1 are dropped and
// neighbours that are contiguous in the source are merged, so that, e.g., an
// NCHW->NHWC transpose becomes a batch of 2-D matrix transposes.
type movePlan struct {
	shape   []int // simplified view shape
	strides []int // source strides in elements (may be negative), per view dim
	off     int   // source element of view element 0
}

func newMovePlan(shape, strides []int, off int) *movePlan {
	p := &movePlan{off: off}
	for k, d := range shape {
		if d == 1 {
			continue
		}
		if r := len(p.shape); r > 0 && p.strides[r-1] == strides[k]*d {
			p.shape[r-1] *= d
			p.strides[r-1] = strides[k]
			continue
		}
		p.shape = append(p.shape, d)
		p.strides = append(p.strides, strides[k])
	}
	return p
}

// base is the source offset of the first element of row idx of the view's
// leading dims (the view's shape[:dims]).
func (p *movePlan) base(idx, dims int) int {
	return p.off + ops.StridedOffset(idx, p.shape[:dims], p.strides[:dims])
}

// transposeTile is the edge of the square blocks in which matrix transposes
// are copied, so that both source and destination lines stay in cache.
const transposeTile = 16

// bind returns a step function copying the view of src's data into dst's
// (es-byte elements); the loop bodies are made once here. Rows that are
// contiguous in the source are copied as bytes; otherwise the copy moves
// whole elements through an unsigned integer type of size es.
func (p *movePlan) bind(par ops.Parallel, dst, src *ops.Tensor, es int) func() error {
	r, total := len(p.shape), ops.NumElems(p.shape)
	switch {
	case total == 0:
		return func() error { return nil }
	case r == 0:
		return func() error {
			copy(dst.Data[:es], src.Data[p.off*es:])
			return nil
		}
	case p.strides[r-1] == 1:
		n := p.shape[r-1] * es
		var d, s []byte
		body := func(lo, hi int) {
			for row := lo; row < hi; row++ {
				o := p.base(row, r-1) * es
				copy(d[row*n:(row+1)*n], s[o:o+n])
			}
		}
		return func() error {
			d, s = dst.Data, src.Data
			par.For(total/p.shape[r-1], max(1, 1<<15/n), body)
			return nil
		}
	case es == 1:
		return bindMoveElems[uint8](p, par, total, dst, src)
	case es == 2:
		return bindMoveElems[uint16](p, par, total, dst, src)
	case es == 4:
		return bindMoveElems[uint32](p, par, total, dst, src)
	}
	return bindMoveElems[uint64](p, par, total, dst, src)
}

// bindMoveElems binds the copy of views (of total elements) whose innermost
// dim is strided in the source. A stride of 0 fills each row with one
// element. When the next dim is the contiguous one, the last two dims are
// a matrix transpose, copied tile by tile (narrow ones a source line at a
// time); otherwise each row is gathered by stride.
func bindMoveElems[T uint8 | uint16 | uint32 | uint64](p *movePlan, par ops.Parallel, total int, dst, src *ops.Tensor) func() error {
	r := len(p.shape)
	cols, cs := p.shape[r-1], p.strides[r-1]
	var d, s []T
	var n, grain int
	var body func(lo, hi int)
	switch {
	case cs == 0:
		// A broadcast (Expand, Tile): each row repeats one element.
		n, grain = total/cols, max(1, 1<<13/cols)
		body = func(lo, hi int) {
			for row := lo; row < hi; row++ {
				ops.Fill(d[row*cols:(row+1)*cols], s[p.base(row, r-1)])
			}
		}
	case r < 2 || p.strides[r-2] != 1:
		n, grain = total/cols, max(1, 1<<13/cols)
		body = func(lo, hi int) {
			for row := lo; row < hi; row++ {
				o := p.base(row, r-1)
				dr := d[row*cols : (row+1)*cols]
				for j := range dr {
					dr[j] = s[o+j*cs]
				}
			}
		}
	default:
		// dst holds batches of [rows, cols] matrices; element (i, j) of
		// batch b is src[base(b) + i + j*cs]. They are copied in bands of
		// band rows, tile by tile; narrow matrices (DepthToSpace's, NCHW to
		// NHWC of few channels) take taller bands, so that each band's
		// offset is worth computing.
		rows := p.shape[r-2]
		band := max(transposeTile, 1024/cols)
		bands := (rows + band - 1) / band
		n, grain = total/(rows*cols)*bands, max(1, 1<<13/(band*cols))
		body = func(lo, hi int) {
			for u := lo; u < hi; u++ {
				b, i0 := u/bands, u%bands*band
				i1 := min(i0+band, rows)
				o := p.base(b, r-2)
				db := d[b*rows*cols:]
				if cols < transposeTile {
					// Each source line is one contiguous run, stored down
					// a column.
					for j := range cols {
						col := db[i0*cols+j:]
						for k, v := range s[o+i0+j*cs : o+i1+j*cs] {
							col[k*cols] = v
						}
					}
					continue
				}
				for j0 := 0; j0 < cols; j0 += transposeTile {
					j1 := min(j0+transposeTile, cols)
					for i := i0; i < i1; i++ {
						for j := j0; j < j1; j++ {
							db[i*cols+j] = s[o+i+j*cs]
						}
					}
				}
			}
		}
	}
	return func() error {
		d, s = ops.View[T](dst.Data), ops.View[T](src.Data)
		par.For(n, grain, body)
		return nil
	}
}

// transposeOp is a built Transpose: it permutes its input's axes.
type transposeOp struct {
	perm []int // nil: reverse the axes
}

func buildTranspose(n *onnx.Node, _ int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &transposeOp{}
	if p := a.Ints("perm"); p != nil {
		op.perm = make([]int, len(p))
		for i, x := range p {
			if x < 0 || x >= int64(len(p)) || slices.Contains(op.perm[:i], int(x)) {
				return nil, fmt.Errorf("attribute \"perm\" is %v, want a permutation of 0..%d", p, len(p)-1)
			}
			op.perm[i] = int(x)
		}
	}
	return op, a.Err()
}

// permFor is the permutation applied to a tensor of the given rank.
func (op *transposeOp) permFor(rank int) []int {
	if op.perm != nil {
		return op.perm
	}
	p := make([]int, rank)
	for i := range p {
		p[i] = rank - 1 - i
	}
	return p
}

// Infer gives output dim i = input dim perm[i].
func (op *transposeOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "data"); err != nil {
		return nil, err
	}
	shape := in[0].Shape
	perm := op.permFor(len(shape))
	if len(perm) != len(shape) {
		return nil, fmt.Errorf("attribute \"perm\" %v has %d entries, but the input %v has rank %d", perm, len(perm), shape, len(shape))
	}
	out := make([]int, len(shape))
	for i, p := range perm {
		out[i] = shape[p]
	}
	return []ops.Value{{Type: in[0].Type, Shape: out}}, nil
}

// Run copies the input read with permuted strides.
func (op *transposeOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the strided copy once.
func (op *transposeOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x := in[0]
	return transposePlan(x.Shape, op.permFor(len(x.Shape))).bind(ctx.Par, out[0], x, ops.ElemSize(x.Type)), nil
}

// transposePlan is the movePlan reading a tensor of the given shape with
// its axes permuted: view dim i is input dim perm[i].
func transposePlan(shape, perm []int) *movePlan {
	st := ops.Strides(shape)
	vShape, vStrides := make([]int, len(perm)), make([]int, len(perm))
	for i, p := range perm {
		vShape[i], vStrides[i] = shape[p], st[p]
	}
	return newMovePlan(vShape, vStrides, 0)
}
