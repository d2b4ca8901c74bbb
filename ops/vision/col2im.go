package vision

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Col2Im folds column blocks back into images, summing where blocks
// overlap (PyTorch's fold, N-d): input (N, C*prod(block_shape), L) holds
// for each block position (in row-major order, L of them) the block's
// values, channel-major; the output is (N, C, image_shape...). The blocks
// slide over the image padded by pads (begins, then ends) with strides
// and dilations; L must be the number of positions they take.
// image_shape and block_shape are constant shape inputs. Every numeric
// element type is computed (integers wrap).
func init() {
	ops.Register("", "Col2Im", 18, buildCol2Im)
}

// col2imOp is a built Col2Im.
type col2imOp struct {
	dilations, pads, strides []int64 // nil when absent
}

func buildCol2Im(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	return &col2imOp{dilations: a.Ints("dilations"), pads: a.Ints("pads"), strides: a.Ints("strides")}, a.Err()
}

// col2imGeom is a Col2Im resolved for its shapes.
type col2imGeom struct {
	img, blk, cnt  []int // per spatial axis: image size, block size, block positions
	str, dil, padB []int
	imgStride      []int // the image's strides
	cntStride      []int // the positions' strides
	n, c           int
	block          int // elements per block (per channel)
	positions      int // L
	plane          int // elements per image and channel
}

// Infer checks the inputs and gives the output's shape, which needs the
// values of image_shape and block_shape.
func (op *col2imOp) Infer(in []ops.Value) ([]ops.Value, error) {
	g, err := op.geom(in)
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: in[0].Type, Shape: append([]int{g.n, g.c}, g.img...)}}, nil
}

// geom resolves the geometry and checks it against the input's shape.
func (op *col2imOp) geom(in []ops.Value) (*col2imGeom, error) {
	if err := ops.CheckInputs(in, 3, 3); err != nil {
		return nil, err
	}
	x := in[0]
	if err := ops.CheckElemType(x, "input"); err != nil {
		return nil, err
	}
	if !ops.IsNumeric(x.Type) {
		return nil, fmt.Errorf("input \"input\" has type %s, want a numeric type", ops.TypeName(x.Type))
	}
	if len(x.Shape) != 3 {
		return nil, fmt.Errorf("input \"input\" has shape %v, want [N, C * block size, L]", x.Shape)
	}
	g := &col2imGeom{n: x.Shape[0], positions: x.Shape[2]}
	var err error
	if g.img, err = shapeInput(in[1], "image_shape", 0); err != nil {
		return nil, err
	}
	if g.blk, err = shapeInput(in[2], "block_shape", 1); err != nil {
		return nil, err
	}
	r := len(g.img)
	if len(g.blk) != r {
		return nil, fmt.Errorf("image_shape has %d values, block_shape %d: they must match", r, len(g.blk))
	}
	if g.str, err = spatialAttr(op.strides, "strides", r, 1, 1); err != nil {
		return nil, err
	}
	if g.dil, err = spatialAttr(op.dilations, "dilations", r, 1, 1); err != nil {
		return nil, err
	}
	pads, err := spatialAttr(op.pads, "pads", 2*r, 0, 0)
	if err != nil {
		return nil, err
	}
	g.padB = pads[:r]
	g.block = ops.NumElems(g.blk)
	if g.block == 0 || x.Shape[1]%g.block != 0 {
		return nil, fmt.Errorf("input \"input\" has %d rows, not a multiple of the block's %d elements", x.Shape[1], g.block)
	}
	g.c = x.Shape[1] / g.block
	g.cnt = make([]int, r)
	for d := range r {
		span := g.dil[d]*(g.blk[d]-1) + 1
		g.cnt[d] = max(0, (g.img[d]+pads[d]+pads[r+d]-span)/g.str[d]+1)
	}
	if n := ops.NumElems(g.cnt); n != g.positions {
		return nil, fmt.Errorf("input \"input\" has %d block positions (its last axis); image_shape %v, block_shape %v, strides, dilations and pads give %d", g.positions, g.img, g.blk, n)
	}
	g.imgStride, g.cntStride = ops.Strides(g.img), ops.Strides(g.cnt)
	g.plane = ops.NumElems(g.img)
	return g, nil
}

// shapeInput reads constant 1-D int64 input v (named name) of values at
// least lo.
func shapeInput(v ops.Value, name string, lo int64) ([]int, error) {
	if v.Type != onnx.Int64 {
		return nil, fmt.Errorf("input %q has type %s, want int64", name, ops.TypeName(v.Type))
	}
	if len(v.Shape) != 1 || v.Shape[0] == 0 {
		return nil, fmt.Errorf("input %q has shape %v, want 1-D, not empty", name, v.Shape)
	}
	vals, err := ops.ConstInts(v, name)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(vals))
	for i, d := range vals {
		if d < lo {
			return nil, fmt.Errorf("input %q is %v, want values of at least %d", name, vals, lo)
		}
		if out[i], err = ops.ToDim(d, name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// spatialAttr reads an ints attribute of n values of at least lo (def
// each when absent).
func spatialAttr(v []int64, name string, n int, lo, def int) ([]int, error) {
	out := make([]int, n)
	if v == nil {
		for i := range out {
			out[i] = def
		}
		return out, nil
	}
	if len(v) != n {
		return nil, fmt.Errorf("attribute %q has %d values, want %d", name, len(v), n)
	}
	for i, x := range v {
		if x < int64(lo) {
			return nil, fmt.Errorf("attribute %q is %v, want values of at least %d", name, v, lo)
		}
		var err error
		if out[i], err = ops.ToDim(x, fmt.Sprintf("attribute %q", name)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Run folds the blocks.
func (op *col2imOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind returns a step that resolves the geometry at its first call, when
// image_shape and block_shape are known, and again only if they change,
// and runs the loop over (image, channel) planes, each task with its
// scratch.
func (op *col2imOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	var key inputKey
	var run func() error
	return func() error {
		if run == nil || !key.current(in) {
			g, err := op.geom(ops.ConstValues(in))
			if err != nil {
				return err
			}
			if want := append([]int{g.n, g.c}, g.img...); !ops.SameShape(want, out[0].Shape) {
				return fmt.Errorf("output has shape %v, the inputs give %v", out[0].Shape, want)
			}
			key, run = keyOf(in, 1, 2), op.bind(g, ctx.Par, in[0], out[0])
		}
		return run()
	}, nil
}

// bind binds the fold of x into y for geometry g.
func (op *col2imOp) bind(g *col2imGeom, par ops.Parallel, x, y *ops.Tensor) func() error {
	planes := g.n * g.c
	tasks := max(1, min(planes, 2*par.Threads()))
	scratch := make([][]int, tasks)
	for i := range scratch {
		scratch[i] = make([]int, 4*len(g.img))
	}
	switch x.Type {
	case onnx.Float:
		return bindCol2Im[float32](g, par, tasks, scratch, x, y)
	case onnx.Double:
		return bindCol2Im[float64](g, par, tasks, scratch, x, y)
	}
	// Integers add as the unsigned type of their size: the sums wrap to
	// the same bits signed or not.
	switch ops.ElemSize(x.Type) {
	case 1:
		return bindCol2Im[uint8](g, par, tasks, scratch, x, y)
	case 2:
		return bindCol2Im[uint16](g, par, tasks, scratch, x, y)
	case 4:
		return bindCol2Im[uint32](g, par, tasks, scratch, x, y)
	}
	return bindCol2Im[uint64](g, par, tasks, scratch, x, y)
}

func bindCol2Im[T ops.Numeric](g *col2imGeom, par ops.Parallel, tasks int, scratch [][]int, x, y *ops.Tensor) func() error {
	job := new(col2imJob[T])
	return ops.BindLoop(par, tasks, 1, job, func() {
		*job = col2imJob[T]{g, tasks, scratch, ops.Elems[T](x), ops.Elems[T](y)}
	})
}

// col2imJob folds the (image, channel) planes of tasks [lo, hi).
type col2imJob[T ops.Numeric] struct {
	g       *col2imGeom
	tasks   int
	scratch [][]int
	x, y    []T
}

func (j col2imJob[T]) Run(lo, hi int) {
	g := j.g
	r := len(g.img)
	planes := g.n * g.c
	for task := lo; task < hi; task++ {
		s := j.scratch[task]
		k, first, last, base := s[:r], s[r:2*r], s[2*r:3*r], s[3*r:]
		for p := task * planes / j.tasks; p < (task+1)*planes/j.tasks; p++ {
			dst := j.y[p*g.plane:][:g.plane]
			clear(dst)
			for kf := range g.block {
				src := j.x[(p*g.block+kf)*g.positions:][:g.positions]
				digits(k, g.blk, kf)
				empty := false
				for d := range r {
					// Positions l put this block element at l*stride + base,
					// inside the image for l in [first, last).
					base[d] = k[d]*g.dil[d] - g.padB[d]
					first[d] = max(0, ceilDiv(-base[d], g.str[d]))
					last[d] = min(g.cnt[d], ceilDiv(g.img[d]-base[d], g.str[d]))
					empty = empty || first[d] >= last[d]
				}
				if !empty {
					j.scatter(dst, src, 0, 0, 0, first, last, base)
				}
			}
		}
	}
}

// scatter adds the block element's values at positions [first, last) of
// axes d onwards (offsets so far: out into dst, in into src).
func (j col2imJob[T]) scatter(dst, src []T, d, out, in int, first, last, base []int) {
	g := j.g
	if d == len(g.img)-1 {
		step := g.str[d]
		o := out + first[d]*step + base[d]
		for _, v := range src[in+first[d] : in+last[d]] {
			dst[o] += v
			o += step
		}
		return
	}
	for l := first[d]; l < last[d]; l++ {
		j.scatter(dst, src, d+1, out+(l*g.str[d]+base[d])*g.imgStride[d], in+l*g.cntStride[d], first, last, base)
	}
}

// ceilDiv is a/b rounded up, for b > 0.
func ceilDiv(a, b int) int {
	q := a / b
	if a%b != 0 && a > 0 {
		q++
	}
	return q
}
