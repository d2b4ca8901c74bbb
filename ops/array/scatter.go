package array

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// The scatters output a copy of their data input with updates written at
// positions given by indices (the output may overwrite data in place).
// Every index is checked at run time before anything is written: out of
// range is an error naming the input, never a panic.
//
//   - ScatterElements is the inverse of GatherElements: for axis 1,
//     out[i][idx[i][j][k]][k] = f(out[...], updates[i][j][k]), updates and
//     indices of one shape. Scatter (opset 9, deprecated in 11) is
//     ScatterElements without reduction; its negative indices count from
//     the end from opset 11.
//   - ScatterND is the inverse of GatherND: each index tuple of the int64
//     indices' last axis addresses a slice of data, replaced (or reduced)
//     by the matching slice of updates.
//   - TensorScatter (opset 24) writes a KV-cache update: for every index p
//     of the dims before axis, update rows [0, seq) go to cache rows
//     write_indices[batch]+s (modulo the cache length in circular mode).
//
// The reduction attribute (ScatterElements and ScatterND, opset 16: add,
// mul; 18: max, min) combines the written value with the one already there,
// in index order; bools add as or and multiply as and, and max and min
// propagate NaN. With "none" a repeated index keeps the last update.
// Updates that may land on the same element are applied by one worker in
// index order, so results never depend on the thread count.
func init() {
	for _, v := range []int{9, 11} {
		ops.Register("", "Scatter", v, buildScatter)
	}
	for _, v := range []int{11, 13, 16, 18} {
		ops.Register("", "ScatterElements", v, buildScatterElements)
	}
	for _, v := range []int{11, 13, 16, 18} {
		ops.Register("", "ScatterND", v, buildScatterND)
	}
	ops.Register("", "TensorScatter", 24, buildTensorScatter)
}

// scatterReduction parses the reduction attribute for the opset.
func scatterReduction(a *ops.Attrs, opset int) (string, error) {
	r := a.String("reduction", "none")
	since := 0
	switch r {
	case "none":
	case "add", "mul":
		since = 16
	case "max", "min":
		since = 18
	default:
		return "", fmt.Errorf("attribute \"reduction\" is %q, want none, add, mul, max or min", r)
	}
	if opset < since {
		return "", fmt.Errorf("attribute \"reduction\" is %q, which needs opset %d or later", r, since)
	}
	return r, nil
}

// reduceFunc is the combining function of reduction red for float type
// T, or nil for "none".
func reduceFunc[T ops.Float](red string) func(old, upd T) T {
	switch red {
	case "max":
		return func(a, b T) T { return max(a, b) }
	case "min":
		return func(a, b T) T { return min(a, b) }
	case "add":
		return func(a, b T) T { return a + b }
	case "mul":
		return func(a, b T) T { return a * b }
	}
	return nil
}

// bitsReduceFunc is the combining function of reduction red for integers
// (signed when signed is set) or bools held as the unsigned type U of
// their size, or nil for "none". Sums and products wrap to the same bits
// signed or not; signed values compare as unsigned ones with their sign
// bits flipped; a bool's add is an or (max), its mul an and (min).
func bitsReduceFunc[U uint8 | uint16 | uint32 | uint64](red string, signed bool) func(old, upd U) U {
	var flip U
	if signed {
		flip = ^(^U(0) >> 1)
	}
	switch red {
	case "max":
		return func(a, b U) U { return max(a^flip, b^flip) ^ flip }
	case "min":
		return func(a, b U) U { return min(a^flip, b^flip) ^ flip }
	case "add":
		return func(a, b U) U { return a + b }
	case "mul":
		return func(a, b U) U { return a * b }
	}
	return nil
}

// scatterKernels binds the scatter loops of one element type and reduction.
type scatterKernels interface {
	// bindElements binds ScatterElements' loop: one worker per column along
	// the axis, applying its updates in index order.
	bindElements(par ops.Parallel, g *axisGeom, pos []int, dst, upd *ops.Tensor) func()
	// bindND binds ScatterND's loop: the slices' elements split across
	// workers, each applying every tuple in order to its share.
	bindND(par ops.Parallel, g *ndGeom, offs []int, dst, upd *ops.Tensor) func()
}

// scatterElementsOp is a built ScatterElements or Scatter.
type scatterElementsOp struct {
	axis      int64
	reduction string
	negOK     bool
}

func buildScatter(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	return &scatterElementsOp{axis: a.Int("axis", 0), reduction: "none", negOK: opset >= 11}, a.Err()
}

func buildScatterElements(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	red, err := scatterReduction(a, opset)
	if err != nil {
		return nil, err
	}
	return &scatterElementsOp{axis: a.Int("axis", 0), reduction: red, negOK: true}, a.Err()
}

// Infer checks the shapes; the output has data's.
func (op *scatterElementsOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 3, 3); err != nil {
		return nil, err
	}
	if err := checkScatterTypes(in); err != nil {
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
	if !ops.SameShape(in[1].Shape, in[2].Shape) {
		return nil, fmt.Errorf("input \"updates\" has shape %v, input \"indices\" %v: they must match", in[2].Shape, in[1].Shape)
	}
	return []ops.Value{{Type: in[0].Type, Shape: in[0].Shape}}, nil
}

// checkScatterTypes checks data's type and that updates (input 2) share it.
func checkScatterTypes(in []ops.Value) error {
	if err := ops.CheckElemType(in[0], "data"); err != nil {
		return err
	}
	if in[2].Type != in[0].Type {
		return fmt.Errorf("input \"updates\" has type %s, input \"data\" %s", ops.TypeName(in[2].Type), ops.TypeName(in[0].Type))
	}
	return nil
}

// InPlace lets the output overwrite data.
func (op *scatterElementsOp) InPlace([]ops.Value) int { return 0 }

// Run copies data and scatters the updates.
func (op *scatterElementsOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the geometry, the space for the checked indices and the
// kernel once; a call checks every index, copies data, then scatters one
// column along the axis per unit of work.
func (op *scatterElementsOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	data, idx, upd, dst := in[0], in[1], in[2], out[0]
	axis, _ := ops.AxisIn(op.axis, len(data.Shape), true)
	g := newAxisGeom(data.Shape, idx.Shape, axis)
	pos := make([]int, idx.Len())
	scatter := forElemType(data.Type, op.reduction).bindElements(ctx.Par, g, pos, dst, upd)
	return func() error {
		if err := readIndices(idx, pos, g.dataDim, op.negOK, "indices"); err != nil {
			return err
		}
		ops.CopyUnlessShared(dst.Data, data.Data)
		scatter()
		return nil
	}, nil
}

// typedScatter is the scatterKernels of element type T.
type typedScatter[T ops.Numeric] struct {
	f func(old, upd T) T // nil: replace
}

// forElemType is the scatter kernels for the element type dt: floats that
// combine on their own, all else (copies included) by element size.
func forElemType(dt ops.DType, red string) scatterKernels {
	switch {
	case dt == onnx.Float && red != "none":
		return typedScatter[float32]{reduceFunc[float32](red)}
	case dt == onnx.Double && red != "none":
		return typedScatter[float64]{reduceFunc[float64](red)}
	}
	signed := dt == onnx.Int8 || dt == onnx.Int16 || dt == onnx.Int32 || dt == onnx.Int64
	if dt == onnx.Bool {
		switch red {
		case "add":
			red = "max"
		case "mul":
			red = "min"
		}
	}
	switch ops.ElemSize(dt) {
	case 1:
		return typedScatter[uint8]{bitsReduceFunc[uint8](red, signed)}
	case 2:
		return typedScatter[uint16]{bitsReduceFunc[uint16](red, signed)}
	case 4:
		return typedScatter[uint32]{bitsReduceFunc[uint32](red, signed)}
	}
	return typedScatter[uint64]{bitsReduceFunc[uint64](red, signed)}
}

func (k typedScatter[T]) bindElements(par ops.Parallel, g *axisGeom, pos []int, dst, upd *ops.Tensor) func() {
	var d, u []T
	dim, inner, st, tab, f := g.dim, g.inner, g.axisStride, g.innerTab, k.f
	col := func(o, k0, k1 int) {
		base := g.outerBase(o)
		for j := range dim {
			e := (o*dim + j) * inner
			ur, pr := u[e+k0:e+k1], pos[e+k0:e+k1]
			for kk, p := range pr {
				at := base + k0 + kk + p*st
				if tab != nil {
					at = base + tab[k0+kk] + p*st
				}
				if f == nil {
					d[at] = ur[kk]
				} else {
					d[at] = f(d[at], ur[kk])
				}
			}
		}
	}
	body := func(lo, hi int) { g.each(lo, hi, col) }
	return func() {
		d, u = ops.View[T](dst.Data), ops.View[T](upd.Data)
		par.For(g.units(), g.grain(), body)
	}
}

func (k typedScatter[T]) bindND(par ops.Parallel, g *ndGeom, offs []int, dst, upd *ops.Tensor) func() {
	var d, u []T
	body := func(lo, hi int) {
		for t, off := range offs {
			dr, ur := d[off+lo:off+hi], u[t*g.slice+lo:t*g.slice+hi]
			if k.f == nil {
				copy(dr, ur)
				continue
			}
			for i, v := range ur {
				dr[i] = k.f(dr[i], v)
			}
		}
	}
	grain := max(1, 1<<13/max(g.tuples, 1))
	return func() {
		d, u = ops.View[T](dst.Data), ops.View[T](upd.Data)
		par.For(g.slice, grain, body)
	}
}

// scatterNDOp is a built ScatterND.
type scatterNDOp struct {
	reduction string
}

func buildScatterND(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	red, err := scatterReduction(a, opset)
	if err != nil {
		return nil, err
	}
	return &scatterNDOp{reduction: red}, a.Err()
}

// Infer checks that updates have shape indices.shape[:-1] + data.shape[k:].
func (op *scatterNDOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 3, 3); err != nil {
		return nil, err
	}
	if err := checkScatterTypes(in); err != nil {
		return nil, err
	}
	if err := checkIndexType(in[1], "indices", false); err != nil {
		return nil, err
	}
	data, idx := in[0].Shape, in[1].Shape
	k, err := ndShapes(data, idx, 0)
	if err != nil {
		return nil, err
	}
	want := append(append([]int{}, idx[:len(idx)-1]...), data[k:]...)
	if !ops.SameShape(in[2].Shape, want) {
		return nil, fmt.Errorf("input \"updates\" has shape %v, want %v (indices.shape[:-1] + data.shape[%d:])", in[2].Shape, want, k)
	}
	return []ops.Value{{Type: in[0].Type, Shape: data}}, nil
}

// InPlace lets the output overwrite data.
func (op *scatterNDOp) InPlace([]ops.Value) int { return 0 }

// Run copies data and scatters the slices.
func (op *scatterNDOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the geometry, the space for the tuples' offsets and the
// kernel once; a call checks every tuple, copies data, then scatters.
func (op *scatterNDOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	data, idx, upd, dst := in[0], in[1], in[2], out[0]
	g := newNDGeom(data.Shape, idx.Shape, 0)
	offs := make([]int, g.tuples)
	scatter := forElemType(data.Type, op.reduction).bindND(ctx.Par, g, offs, dst, upd)
	return func() error {
		if err := g.offsets(idx, offs); err != nil {
			return err
		}
		ops.CopyUnlessShared(dst.Data, data.Data)
		scatter()
		return nil
	}, nil
}

// tensorScatterOp is a built TensorScatter.
type tensorScatterOp struct {
	axis     int64
	circular bool
}

func buildTensorScatter(n *onnx.Node, _ int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &tensorScatterOp{axis: a.Int("axis", -2)}
	switch mode := a.String("mode", "linear"); mode {
	case "linear":
	case "circular":
		op.circular = true
	default:
		return nil, fmt.Errorf("attribute \"mode\" is %q, want linear or circular", mode)
	}
	return op, a.Err()
}

// Infer checks that update differs from past_cache only along axis, by no
// more than its length, and write_indices has one int64 per batch entry.
func (op *tensorScatterOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 3); err != nil {
		return nil, err
	}
	past, upd := in[0], in[1]
	if err := ops.CheckElemType(past, "past_cache"); err != nil {
		return nil, err
	}
	if upd.Type != past.Type {
		return nil, fmt.Errorf("input \"update\" has type %s, input \"past_cache\" %s", ops.TypeName(upd.Type), ops.TypeName(past.Type))
	}
	axis, err := ops.AxisIn(op.axis, len(past.Shape), true)
	if err != nil {
		return nil, fmt.Errorf("attribute \"axis\": %w", err)
	}
	if axis == 0 {
		return nil, fmt.Errorf("attribute \"axis\" is %d: the sequence axis cannot be the batch axis 0", op.axis)
	}
	if len(upd.Shape) != len(past.Shape) || upd.Shape[axis] > past.Shape[axis] {
		return nil, fmt.Errorf("input \"update\" has shape %v, want past_cache's %v with at most %d along axis %d", upd.Shape, past.Shape, past.Shape[axis], axis)
	}
	for i, d := range upd.Shape {
		if i != axis && d != past.Shape[i] {
			return nil, fmt.Errorf("input \"update\" has shape %v, want past_cache's %v off axis %d", upd.Shape, past.Shape, axis)
		}
	}
	if ops.HasInput(in, 2) {
		if w := in[2]; w.Type != onnx.Int64 || !ops.SameShape(w.Shape, past.Shape[:1]) {
			return nil, fmt.Errorf("input \"write_indices\" is %s%v, want int64[%d]", ops.TypeName(w.Type), w.Shape, past.Shape[0])
		}
	}
	return []ops.Value{{Type: past.Type, Shape: past.Shape}}, nil
}

// InPlace lets the output overwrite past_cache.
func (op *tensorScatterOp) InPlace([]ops.Value) int { return 0 }

// Run copies the cache and writes the update's rows.
func (op *tensorScatterOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// tensorScatterRows copies update rows [lo, hi) (numbered p*seq + s for
// prefix p and sequence index s) to their cache rows.
type tensorScatterRows struct {
	dst, src       []byte
	start          []int // first cache row of each batch entry
	seq, max, perB int   // update and cache lengths along the axis; prefixes per batch entry
	row            int   // bytes per row
	circular       bool
}

func (j *tensorScatterRows) Run(lo, hi int) {
	for r := lo; r < hi; r++ {
		p, s := r/j.seq, r%j.seq
		c := j.start[p/j.perB] + s
		if j.circular {
			c %= j.max
		}
		d := (p*j.max + c) * j.row
		copy(j.dst[d:d+j.row], j.src[r*j.row:(r+1)*j.row])
	}
}

// Bind plans the row copies once; a call checks write_indices, copies the
// cache unless it is written in place, then copies the update's rows.
func (op *tensorScatterOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	past, upd, dst := in[0], in[1], out[0]
	w := ops.InputAt(in, 2)
	axis, _ := ops.AxisIn(op.axis, len(past.Shape), true)
	batch := past.Shape[0]
	j := &tensorScatterRows{
		dst: dst.Data, src: upd.Data, start: make([]int, batch),
		seq: upd.Shape[axis], max: past.Shape[axis],
		perB: ops.NumElems(past.Shape[1:axis]), row: ops.NumElems(past.Shape[axis+1:]) * ops.ElemSize(past.Type),
		circular: op.circular,
	}
	rows := ops.NumElems(upd.Shape[:axis+1])
	copyRows := ops.BindLoop(ctx.Par, rows, max(1, 1<<15/max(j.row, 1)), j, func() { j.dst, j.src = dst.Data, upd.Data })
	return func() error {
		for b := range j.start {
			var v int64
			if w != nil {
				v = w.I64()[b]
			}
			switch {
			case j.circular:
				if j.max > 0 {
					v = (v%int64(j.max) + int64(j.max)) % int64(j.max)
				}
			case v < 0 || v > int64(j.max-j.seq):
				return fmt.Errorf("input \"write_indices\": entry %d is %d, want in [0, %d] so that %d rows fit in %d", b, v, j.max-j.seq, j.seq, j.max)
			}
			j.start[b] = int(v)
		}
		ops.CopyUnlessShared(dst.Data, past.Data)
		if j.row == 0 || j.seq == 0 {
			return nil
		}
		return copyRows()
	}, nil
}
