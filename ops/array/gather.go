package array

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// The gathers read their data at positions given by an indices tensor
// (int32 or int64; GatherND's int64). Every index is checked at run time
// before any copy: out of range is an error naming the input, never a
// panic. Negative indices count from the end of their axis (Gather from
// opset 11; GatherElements and GatherND always).
//
//   - Gather picks whole slices along one axis: output =
//     data.shape[:axis] + indices.shape + data.shape[axis+1:], each slice one
//     block copy.
//   - GatherElements picks single elements: out[i][j][k] =
//     data[i][idx[i][j][k]][k] for axis 1, indices of data's rank whose dims
//     off the axis do not exceed data's.
//   - GatherND picks slices addressed by index tuples along the last axis of
//     indices, after batch_dims leading dims shared by data and indices
//     (opset 12): output = indices.shape[:-1] + data.shape[b+k:] for tuples
//     of k indices.
func init() {
	for _, v := range []int{1, 11, 13} {
		ops.Register("", "Gather", v, buildGather)
	}
	for _, v := range []int{11, 13} {
		ops.Register("", "GatherElements", v, buildGatherElements)
	}
	for _, v := range []int{11, 12, 13} {
		ops.Register("", "GatherND", v, buildGatherND)
	}
}

// checkIndexType requires an int32 or int64 indices input, or only int64.
func checkIndexType(v ops.Value, name string, int32OK bool) error {
	if v.Type == onnx.Int64 || int32OK && v.Type == onnx.Int32 {
		return nil
	}
	if int32OK {
		return fmt.Errorf("input %q has type %s, want int32 or int64", name, ops.TypeName(v.Type))
	}
	return fmt.Errorf("input %q has type %s, want int64", name, ops.TypeName(v.Type))
}

// indexRange is the half-open range of valid indices for an axis of dim
// entries: [-dim, dim) when negative indices count from the end, else [0, dim).
func indexRange(dim int, negOK bool) (lo, hi int64) {
	if negOK {
		return int64(-dim), int64(dim)
	}
	return 0, int64(dim)
}

// readIndices checks every index of idx (int32 or int64) against an axis
// of dim entries and stores it, made non-negative, in pos.
func readIndices(idx *ops.Tensor, pos []int, dim int, negOK bool, name string) error {
	if idx.Type == onnx.Int32 {
		return normIndices(ops.Elems[int32](idx), pos, dim, negOK, name)
	}
	return normIndices(ops.Elems[int64](idx), pos, dim, negOK, name)
}

func normIndices[I int32 | int64](src []I, pos []int, dim int, negOK bool, name string) error {
	lo, hi := indexRange(dim, negOK)
	for i, v := range src {
		if int64(v) < lo || int64(v) >= hi {
			return fmt.Errorf("input %q: index %d out of range [%d, %d) for an axis of %d", name, v, lo, hi, dim)
		}
		pos[i] = int(v)
		if pos[i] < 0 {
			pos[i] += dim
		}
	}
	return nil
}

// gatherOp is a built Gather: it picks entries of its data along one axis
// by index.
type gatherOp struct {
	axis  int64
	negOK bool // negative indices count from the end (opset 11)
}

func buildGather(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &gatherOp{axis: a.Int("axis", 0), negOK: opset >= 11}
	return op, a.Err()
}

// Infer gives data.shape[:axis] + indices.shape + data.shape[axis+1:].
func (op *gatherOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "data"); err != nil {
		return nil, err
	}
	if err := checkIndexType(in[1], "indices", true); err != nil {
		return nil, err
	}
	data := in[0].Shape
	axis, err := ops.AxisIn(op.axis, len(data), true)
	if err != nil {
		return nil, fmt.Errorf("attribute \"axis\": %w", err)
	}
	out := append(append(append([]int{}, data[:axis]...), in[1].Shape...), data[axis+1:]...)
	return []ops.Value{{Type: in[0].Type, Shape: out}}, nil
}

// Run copies one block of the inner dims per (outer index, index) pair.
func (op *gatherOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind makes the copy loop and the space for the checked indices once; a
// call checks every index, then copies dst[o, j] = src[o, idx[j]].
func (op *gatherOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	data, idx, dst := in[0], in[1], out[0]
	axis, _ := ops.AxisIn(op.axis, len(data.Shape), true)
	outer := ops.NumElems(data.Shape[:axis])
	j := &takeBlocks{
		pos: make([]int, idx.Len()), dim: data.Shape[axis],
		block: ops.NumElems(data.Shape[axis+1:]) * ops.ElemSize(data.Type),
	}
	take := ops.BindLoop(ctx.Par, outer*len(j.pos), j.grain(), j, func() { j.dst, j.src = dst.Data, data.Data })
	return func() error {
		if err := readIndices(idx, j.pos, j.dim, op.negOK, "indices"); err != nil {
			return err
		}
		if j.block == 0 {
			return nil
		}
		return take()
	}, nil
}

// takeBlocks copies blocks of src seen as [outer, dim, block bytes]: block
// (o, k) of dst, for k < len(pos), is block (o, pos[k]) of src. Gather and
// Compress are this copy.
type takeBlocks struct {
	dst, src   []byte
	pos        []int
	dim, block int
}

func (t *takeBlocks) Run(lo, hi int) {
	n := len(t.pos)
	for u := lo; u < hi; u++ {
		o := (u/n*t.dim + t.pos[u%n]) * t.block
		copy(t.dst[u*t.block:(u+1)*t.block], t.src[o:o+t.block])
	}
}

// grain is the smallest number of blocks worth a goroutine.
func (t *takeBlocks) grain() int { return max(1, 1<<15/max(t.block, 1)) }

// axisGeom is the geometry GatherElements and ScatterElements share:
// indices (of data's rank, each dim off the axis at most data's) seen as
// [outer, dim, inner] around the axis, and where each of their elements
// lands in data. Element (o, j, k) of the indices addresses data element
// outerBase(o) + inner(k) + index*axisStride, where inner(k) is
// innerTab[k], or k when the inner dims match data's.
type axisGeom struct {
	outer, dim, inner int
	outerShape        []int // indices dims before the axis
	outerStrides      []int // data strides of those dims
	innerTab          []int // data offsets of the inner indices; nil when they are k
	axisStride        int   // data stride along the axis
	dataDim           int   // data's size along the axis
}

// checkAxisShapes checks that indices have data's rank and dims off axis
// no larger than data's.
func checkAxisShapes(data, idx []int, axis int) error {
	if len(idx) != len(data) {
		return fmt.Errorf("input \"indices\" has shape %v, want the rank of data %v", idx, data)
	}
	for k, d := range idx {
		if k != axis && d > data[k] {
			return fmt.Errorf("input \"indices\" has shape %v: dim %d exceeds data's %v", idx, k, data)
		}
	}
	return nil
}

func newAxisGeom(data, idx []int, axis int) *axisGeom {
	st := ops.Strides(data)
	g := &axisGeom{
		outer: ops.NumElems(idx[:axis]), dim: idx[axis], inner: ops.NumElems(idx[axis+1:]),
		outerShape: idx[:axis], outerStrides: st[:axis],
		axisStride: st[axis], dataDim: data[axis],
	}
	if !ops.SameShape(idx[axis+1:], data[axis+1:]) {
		g.innerTab = make([]int, g.inner)
		for k := range g.innerTab {
			g.innerTab[k] = ops.StridedOffset(k, idx[axis+1:], st[axis+1:])
		}
	}
	return g
}

// units is the count of (outer, inner) pairs: elements of the indices that
// share one make a column along the axis, and only they address the same
// line of data.
func (g *axisGeom) units() int { return g.outer * g.inner }

// grain is the smallest number of units worth a goroutine.
func (g *axisGeom) grain() int { return max(1, 1<<13/max(g.dim, 1)) }

// each calls fn(o, k0, k1) for the runs of units [lo, hi) that share an
// outer index o: inner indices [k0, k1).
func (g *axisGeom) each(lo, hi int, fn func(o, k0, k1 int)) {
	for u := lo; u < hi; {
		o, k0 := u/g.inner, u%g.inner
		k1 := min(g.inner, k0+hi-u)
		fn(o, k0, k1)
		u += k1 - k0
	}
}

// outerBase is the data offset of outer index o.
func (g *axisGeom) outerBase(o int) int { return ops.StridedOffset(o, g.outerShape, g.outerStrides) }

// gatherElementsOp is a built GatherElements.
type gatherElementsOp struct {
	axis int64
}

func buildGatherElements(n *onnx.Node, _ int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	return &gatherElementsOp{axis: a.Int("axis", 0)}, a.Err()
}

// Infer gives the indices' shape.
func (op *gatherElementsOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "data"); err != nil {
		return nil, err
	}
	if err := checkIndexType(in[1], "indices", true); err != nil {
		return nil, err
	}
	axis, err := ops.AxisIn(op.axis, len(in[0].Shape), true)
	if err != nil {
		return nil, fmt.Errorf("attribute \"axis\": %w", err)
	}
	if err := checkAxisShapes(in[0].Shape, in[1].Shape, axis); err != nil {
		return nil, err
	}
	return []ops.Value{{Type: in[0].Type, Shape: in[1].Shape}}, nil
}

// Run gathers the elements.
func (op *gatherElementsOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the geometry and the space for the checked indices once.
func (op *gatherElementsOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	axis, _ := ops.AxisIn(op.axis, len(in[0].Shape), true)
	g := newAxisGeom(in[0].Shape, in[1].Shape, axis)
	switch ops.ElemSize(in[0].Type) {
	case 1:
		return bindGatherElements[uint8](ctx.Par, g, out[0], in[0], in[1]), nil
	case 2:
		return bindGatherElements[uint16](ctx.Par, g, out[0], in[0], in[1]), nil
	case 4:
		return bindGatherElements[uint32](ctx.Par, g, out[0], in[0], in[1]), nil
	}
	return bindGatherElements[uint64](ctx.Par, g, out[0], in[0], in[1]), nil
}

// bindGatherElements binds the gather of elements moved as T (of the
// element's size): a call checks every index, then fills the output one
// column of units at a time, rows along the inner dims.
func bindGatherElements[T uint8 | uint16 | uint32 | uint64](par ops.Parallel, g *axisGeom, dst, data, idx *ops.Tensor) func() error {
	pos := make([]int, idx.Len())
	var d, s []T
	dim, inner, st, tab := g.dim, g.inner, g.axisStride, g.innerTab
	row := func(o, k0, k1 int) {
		base := g.outerBase(o)
		for j := range dim {
			e := (o*dim + j) * inner
			dr, pr := d[e+k0:e+k1], pos[e+k0:e+k1]
			if tab == nil {
				sr := s[base+k0:]
				for k, p := range pr {
					dr[k] = sr[k+p*st]
				}
				continue
			}
			for k, p := range pr {
				dr[k] = s[base+tab[k0+k]+p*st]
			}
		}
	}
	body := func(lo, hi int) { g.each(lo, hi, row) }
	return func() error {
		if err := readIndices(idx, pos, g.dataDim, true, "indices"); err != nil {
			return err
		}
		d, s = ops.View[T](dst.Data), ops.View[T](data.Data)
		par.For(g.units(), g.grain(), body)
		return nil
	}
}

// ndGeom is the geometry GatherND and ScatterND share: indices [..., k]
// are tuples of k indices into data's dims [b, b+k) after b batch dims;
// each tuple addresses a slice of data's trailing dims.
type ndGeom struct {
	tuples  int   // count of tuples (indices' elements / k)
	perB    int   // tuples per batch entry
	batchSt int   // data elements per batch entry
	dims    []int // data dims [b, b+k)
	strides []int // data strides of those dims
	slice   int   // elements per slice: product of data dims [b+k:]
}

// ndShapes checks data and indices for b batch dims and returns the tuple
// length k.
func ndShapes(data, idx []int, b int) (int, error) {
	if len(data) < 1 || len(idx) < 1 {
		return 0, fmt.Errorf("inputs \"data\" %v and \"indices\" %v must have rank 1 or more", data, idx)
	}
	if b < 0 || b >= min(len(data), len(idx)) {
		return 0, fmt.Errorf("attribute \"batch_dims\" is %d, want in [0, %d) for data %v and indices %v", b, min(len(data), len(idx)), data, idx)
	}
	if !ops.SameShape(data[:b], idx[:b]) {
		return 0, fmt.Errorf("inputs \"data\" %v and \"indices\" %v differ in their %d batch dims", data, idx, b)
	}
	k := idx[len(idx)-1]
	if k < 1 || k > len(data)-b {
		return 0, fmt.Errorf("input \"indices\" has shape %v: its last dim must be in [1, %d]", idx, len(data)-b)
	}
	return k, nil
}

func newNDGeom(data, idx []int, b int) *ndGeom {
	k := idx[len(idx)-1]
	st := ops.Strides(data)
	return &ndGeom{
		tuples: ops.NumElems(idx[:len(idx)-1]), perB: ops.NumElems(idx[b : len(idx)-1]),
		batchSt: ops.NumElems(data[b:]), dims: data[b : b+k], strides: st[b : b+k],
		slice: ops.NumElems(data[b+k:]),
	}
}

// offsets checks every tuple of the int64 indices and stores the data
// offset of its slice in offs.
func (g *ndGeom) offsets(idx *ops.Tensor, offs []int) error {
	src := ops.Elems[int64](idx)
	k := len(g.dims)
	for t := range offs {
		off := t / max(g.perB, 1) * g.batchSt
		for j, v := range src[t*k : (t+1)*k] {
			d := g.dims[j]
			if v < int64(-d) || v >= int64(d) {
				return fmt.Errorf("input \"indices\": index %d of tuple %d is %d, out of range [%d, %d)", j, t, v, -d, d)
			}
			i := int(v)
			if i < 0 {
				i += d
			}
			off += i * g.strides[j]
		}
		offs[t] = off
	}
	return nil
}

// gatherNDOp is a built GatherND.
type gatherNDOp struct {
	batchDims int
}

func buildGatherND(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &gatherNDOp{}
	if opset >= 12 {
		b, err := ops.ToDim(a.Int("batch_dims", 0), "attribute \"batch_dims\"")
		if err != nil {
			return nil, err
		}
		op.batchDims = b
	}
	return op, a.Err()
}

// Infer gives indices.shape[:-1] + data.shape[b+k:].
func (op *gatherNDOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "data"); err != nil {
		return nil, err
	}
	if err := checkIndexType(in[1], "indices", false); err != nil {
		return nil, err
	}
	data, idx := in[0].Shape, in[1].Shape
	k, err := ndShapes(data, idx, op.batchDims)
	if err != nil {
		return nil, err
	}
	out := append(append([]int{}, idx[:len(idx)-1]...), data[op.batchDims+k:]...)
	return []ops.Value{{Type: in[0].Type, Shape: out}}, nil
}

// Run gathers the slices.
func (op *gatherNDOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the geometry, the space for the tuples' offsets and the copy
// loop once; a call checks every tuple, then copies one slice per tuple.
func (op *gatherNDOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	data, idx, dst := in[0], in[1], out[0]
	g := newNDGeom(data.Shape, idx.Shape, op.batchDims)
	es := ops.ElemSize(data.Type)
	block := g.slice * es
	offs := make([]int, g.tuples)
	var d, s []byte
	body := func(lo, hi int) {
		for t := lo; t < hi; t++ {
			o := offs[t] * es
			copy(d[t*block:(t+1)*block], s[o:o+block])
		}
	}
	return func() error {
		if err := g.offsets(idx, offs); err != nil {
			return err
		}
		if block == 0 {
			return nil
		}
		d, s = dst.Data, data.Data
		ctx.Par.For(g.tuples, max(1, 1<<15/block), body)
		return nil
	}, nil
}
