package vision

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// RoiAlign and MaxRoiPool pool regions of interest of a feature map X
// (N, C, H, W) into Y (num_rois, C, output_height, output_width):
//
//   - RoiAlign takes rois (num_rois, 4) as [x1, y1, x2, y2] in image
//     coordinates (times spatial_scale) and batch_indices (num_rois),
//     divides each region into bins and samples each bin on a grid of
//     sampling_ratio^2 points (or ceil(bin size) per axis when 0) by
//     bilinear interpolation; inputs more than one position outside the
//     map read 0. Mode avg averages the samples; mode max takes the
//     largest of the samples' four weighted corners, as ONNX Runtime and
//     the ONNX reference do. coordinate_transformation_mode half_pixel
//     (opset 16's default) shifts the region by -0.5; output_half_pixel,
//     and opset 10, do not shift and make regions at least 1x1. Grids of
//     more than 4096 samples a side (from garbage coordinates) are refused.
//   - MaxRoiPool takes rois (num_rois, 5) as [batch_index, x1, y1, x2,
//     y2], rounds the scaled corners half away from zero, splits the
//     region (at least 1x1) into pooled_shape bins of floor/ceil bounds,
//     and takes each bin's maximum, 0 for an empty bin.
func init() {
	for _, v := range []int{10, 16, 22} {
		ops.Register("", "RoiAlign", v, buildRoiAlign)
	}
	for _, v := range []int{1, 22} {
		ops.Register("", "MaxRoiPool", v, buildMaxRoiPool)
	}
}

// roiAlignOp is a built RoiAlign.
type roiAlignOp struct {
	max       bool // mode max
	outH      int
	outW      int
	sampling  int
	scale     float64
	halfPixel bool
}

func buildRoiAlign(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &roiAlignOp{scale: float64(a.Float("spatial_scale", 1))}
	var err error
	if op.max, err = choice(a, "mode", "avg", map[string]bool{"avg": false, "max": true}); err != nil {
		return nil, err
	}
	if opset >= 16 {
		coords := map[string]bool{"half_pixel": true, "output_half_pixel": false}
		if op.halfPixel, err = choice(a, "coordinate_transformation_mode", "half_pixel", coords); err != nil {
			return nil, err
		}
	}
	for _, at := range []struct {
		name string
		dst  *int
		min  int64
	}{{"output_height", &op.outH, 1}, {"output_width", &op.outW, 1}, {"sampling_ratio", &op.sampling, 0}} {
		v := a.Int(at.name, at.min)
		if v < at.min {
			return nil, fmt.Errorf("attribute %q is %d, want at least %d", at.name, v, at.min)
		}
		if at.name == "sampling_ratio" && v > maxGrid {
			return nil, fmt.Errorf("attribute \"sampling_ratio\" is %d, want at most %d", v, maxGrid)
		}
		if *at.dst, err = ops.ToDim(v, fmt.Sprintf("attribute %q", at.name)); err != nil {
			return nil, err
		}
	}
	return op, a.Err()
}

// Infer checks X, rois and batch_indices and gives Y's shape.
func (op *roiAlignOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 3, 3); err != nil {
		return nil, err
	}
	x, rois, idx := in[0], in[1], in[2]
	if err := checkFloatInput(x, "X"); err != nil {
		return nil, err
	}
	switch {
	case len(x.Shape) != 4:
		return nil, fmt.Errorf("input \"X\" has shape %v, want [N, C, H, W]", x.Shape)
	case rois.Type != x.Type:
		return nil, fmt.Errorf("input \"rois\" has type %s, X %s: they must match", ops.TypeName(rois.Type), ops.TypeName(x.Type))
	case len(rois.Shape) != 2 || rois.Shape[1] != 4:
		return nil, fmt.Errorf("input \"rois\" has shape %v, want [num_rois, 4]", rois.Shape)
	case idx.Type != onnx.Int64:
		return nil, fmt.Errorf("input \"batch_indices\" has type %s, want int64", ops.TypeName(idx.Type))
	case len(idx.Shape) != 1 || idx.Shape[0] != rois.Shape[0]:
		return nil, fmt.Errorf("input \"batch_indices\" has shape %v, want [%d]", idx.Shape, rois.Shape[0])
	}
	return []ops.Value{{Type: x.Type, Shape: []int{rois.Shape[0], x.Shape[1], op.outH, op.outW}}}, nil
}

// Run computes Y.
func (op *roiAlignOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind binds the loop over (region, channel block) units; each task
// keeps its sample buffers, grown to the largest region it has met.
func (op *roiAlignOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x := in[0]
	g := roiGeom{n: x.Shape[0], c: x.Shape[1], h: x.Shape[2], w: x.Shape[3], rois: in[1].Shape[0], outH: op.outH, outW: op.outW}
	g.split(ctx.Par.Threads())
	bufs := make([]roiTaps, g.tasks)
	check := func() error {
		if err := checkBatchIndices(in[2].I64(), g.rois, g.n); err != nil {
			return err
		}
		if x.Type == onnx.Double {
			return checkGrids(op, in[1].F64(), g)
		}
		return checkGrids(op, in[1].F32(), g)
	}
	if x.Type == onnx.Double {
		job := new(roiAlignJob[float64])
		run := ops.BindLoop(ctx.Par, g.tasks, 1, job, func() {
			*job = roiAlignJob[float64]{op, g, bufs, x.F64(), in[1].F64(), in[2].I64(), out[0].F64()}
		})
		return func() error { return firstErr(check(), run) }, nil
	}
	job := new(roiAlignJob[float32])
	run := ops.BindLoop(ctx.Par, g.tasks, 1, job, func() {
		*job = roiAlignJob[float32]{op, g, bufs, in[0].F32(), in[1].F32(), in[2].I64(), out[0].F32()}
	})
	return func() error { return firstErr(check(), run) }, nil
}

// firstErr returns err, or runs run and returns its error.
func firstErr(err error, run func() error) error {
	if err != nil {
		return err
	}
	return run()
}

// checkBatchIndices requires every region's image index in [0, n).
func checkBatchIndices(idx []int64, rois, n int) error {
	for i, b := range idx[:rois] {
		if b < 0 || b >= int64(n) {
			return fmt.Errorf("input \"batch_indices\"[%d] is %d, out of range for %d images", i, b, n)
		}
	}
	return nil
}

// maxGrid bounds the samples per bin and axis of an adaptive grid: a
// region's bins ceil(bin size) of them, so only an absurd region (from
// garbage coordinates) reaches it.
const maxGrid = 1 << 12

// checkGrids refuses regions whose adaptive sampling grid passes maxGrid.
func checkGrids[T ops.Float](op *roiAlignOp, rois []T, g roiGeom) error {
	if op.sampling > 0 {
		return nil
	}
	for r := range g.rois {
		b := roiBoxOf(op, rois[4*r:][:4])
		if !(b.binH < maxGrid && b.binW < maxGrid) {
			return fmt.Errorf("input \"rois\"[%d] is %v: its bins are not finite or need over %d samples a side", r, rois[4*r:][:4], maxGrid)
		}
	}
	return nil
}

// roiBox is a region in input positions: its corner, its bins' size and
// their sampling grid.
type roiBox struct {
	x0, y0       float64
	binH, binW   float64
	gridH, gridW int
}

// roiBoxOf places region roi ([x1, y1, x2, y2]) on the input.
func roiBoxOf[T ops.Float](op *roiAlignOp, roi []T) roiBox {
	offset := 0.0
	if op.halfPixel {
		offset = 0.5
	}
	x0, y0 := float64(roi[0])*op.scale-offset, float64(roi[1])*op.scale-offset
	width, height := float64(roi[2])*op.scale-offset-x0, float64(roi[3])*op.scale-offset-y0
	if !op.halfPixel {
		width, height = max(width, 1), max(height, 1)
	}
	b := roiBox{x0: x0, y0: y0, binH: height / float64(op.outH), binW: width / float64(op.outW), gridH: op.sampling, gridW: op.sampling}
	if op.sampling == 0 && b.binH < maxGrid && b.binW < maxGrid {
		b.gridH, b.gridW = max(0, int(math.Ceil(b.binH))), max(0, int(math.Ceil(b.binW)))
	}
	return b
}

// roiGeom is the geometry of a region pooling: X's dims, the region
// count and the output size, and its split into units of a region and a
// block of channels, dealt to tasks.
type roiGeom struct {
	n, c, h, w int
	rois       int
	outH, outW int
	block      int // channels per unit
	units      int
	tasks      int
}

// split chooses channel blocks small enough to give every thread work.
func (g *roiGeom) split(threads int) {
	blocks := max(1, min(g.c, (4*threads+g.rois-1)/max(g.rois, 1)))
	g.block = max(1, (g.c+blocks-1)/blocks)
	g.units = g.rois * ((g.c + g.block - 1) / g.block)
	g.tasks = max(1, min(g.units, 2*threads))
}

// unit returns the region and channel range of unit u.
func (g *roiGeom) unit(u int) (roi, c0, c1 int) {
	per := (g.c + g.block - 1) / g.block
	roi, c0 = u/per, u%per*g.block
	return roi, c0, min(c0+g.block, g.c)
}

// roiTaps is one region's bilinear taps: for each output row its input
// rows and weights (two per sample row), likewise for columns.
type roiTaps struct {
	rows, cols []int
	wy, wx     []float64
	perY, perX int     // taps per output row and per output column
	count      float64 // samples per bin
}

// binTaps lays out the taps of one axis of size n: out bins from start,
// each bin long, sampled grid times; a sample more than one position
// outside reads 0 (weight 0), one past the end reads the last input.
func binTaps(idx []int, w []float64, n, out, grid int, start, bin float64) ([]int, []float64) {
	idx, w = idx[:0], w[:0]
	for o := range out {
		for s := range grid {
			p := start + float64(o)*bin + (float64(s)+0.5)*bin/float64(grid)
			if !(p >= -1 && p <= float64(n)) { // NaN too
				idx, w = append(idx, 0, 0), append(w, 0, 0)
				continue
			}
			p = max(p, 0)
			lo := int(p)
			hi := lo + 1
			if lo >= n-1 {
				lo, hi, p = n-1, n-1, float64(n-1)
			}
			l := p - float64(lo)
			idx, w = append(idx, lo, hi), append(w, 1-l, l)
		}
	}
	return idx, w
}

// roiAlignJob pools the units of tasks [lo, hi).
type roiAlignJob[T ops.Float] struct {
	op      *roiAlignOp
	g       roiGeom
	bufs    []roiTaps
	x, rois []T
	idx     []int64
	y       []T
}

func (j roiAlignJob[T]) Run(lo, hi int) {
	op, g := j.op, &j.g
	for task := lo; task < hi; task++ {
		b := &j.bufs[task]
		for u := task * g.units / g.tasks; u < (task+1)*g.units/g.tasks; u++ {
			r, c0, c1 := g.unit(u)
			j.taps(b, r)
			plane := g.h * g.w
			for c := c0; c < c1; c++ {
				src := j.x[(int(j.idx[r])*g.c+c)*plane:][:plane]
				dst := j.y[(r*g.c+c)*g.outH*g.outW:][:g.outH*g.outW]
				for oh := range g.outH {
					rows, wy := b.rows[oh*b.perY:][:b.perY], b.wy[oh*b.perY:][:b.perY]
					for ow := range g.outW {
						cols, wx := b.cols[ow*b.perX:][:b.perX], b.wx[ow*b.perX:][:b.perX]
						dst[oh*g.outW+ow] = T(roiPool(op.max, src, g.w, rows, wy, cols, wx, b.count))
					}
				}
			}
		}
	}
}

// taps lays out region r's taps in b.
func (j roiAlignJob[T]) taps(b *roiTaps, r int) {
	g := &j.g
	box := roiBoxOf(j.op, j.rois[4*r:][:4])
	b.count = float64(max(box.gridH*box.gridW, 1))
	b.perY, b.perX = 2*box.gridH, 2*box.gridW
	b.rows, b.wy = binTaps(b.rows, b.wy, g.h, g.outH, box.gridH, box.y0, box.binH)
	b.cols, b.wx = binTaps(b.cols, b.wx, g.w, g.outW, box.gridW, box.x0, box.binW)
}

// roiPool is one RoiAlign output from plane src (rows of width): the
// average of the samples (every row tap with every column tap), or in max
// mode the largest weighted corner of any sample (0 without samples).
func roiPool[T ops.Float](maxMode bool, src []T, width int, rows []int, wy []float64, cols []int, wx []float64, count float64) float64 {
	if !maxMode {
		acc := 0.0
		for a, r := range rows {
			row := src[r*width:][:width]
			s := 0.0
			for b, c := range cols {
				s += wx[b] * float64(row[c])
			}
			acc += wy[a] * s
		}
		return acc / count
	}
	best, any := 0.0, false
	for a, r := range rows {
		row := src[r*width:][:width]
		for b, c := range cols {
			if v := wy[a] * wx[b] * float64(row[c]); !any || v > best {
				best, any = v, true
			}
		}
	}
	return best
}

// maxRoiPoolOp is a built MaxRoiPool.
type maxRoiPoolOp struct {
	outH, outW int
	scale      float32
}

func buildMaxRoiPool(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	shape := a.Ints("pooled_shape")
	if a.Err() != nil {
		return nil, a.Err()
	}
	if len(shape) != 2 || shape[0] < 1 || shape[1] < 1 {
		return nil, fmt.Errorf("attribute \"pooled_shape\" is %v, want [height, width], both at least 1", shape)
	}
	op := &maxRoiPoolOp{scale: a.Float("spatial_scale", 1)}
	var err error
	if op.outH, err = ops.ToDim(shape[0], "pooled_shape[0]"); err != nil {
		return nil, err
	}
	if op.outW, err = ops.ToDim(shape[1], "pooled_shape[1]"); err != nil {
		return nil, err
	}
	return op, a.Err()
}

// Infer checks X and rois and gives Y's shape.
func (op *maxRoiPoolOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	x, rois := in[0], in[1]
	if err := checkFloatInput(x, "X"); err != nil {
		return nil, err
	}
	switch {
	case len(x.Shape) != 4:
		return nil, fmt.Errorf("input \"X\" has shape %v, want [N, C, H, W]", x.Shape)
	case rois.Type != x.Type:
		return nil, fmt.Errorf("input \"rois\" has type %s, X %s: they must match", ops.TypeName(rois.Type), ops.TypeName(x.Type))
	case len(rois.Shape) != 2 || rois.Shape[1] != 5:
		return nil, fmt.Errorf("input \"rois\" has shape %v, want [num_rois, 5]", rois.Shape)
	}
	return []ops.Value{{Type: x.Type, Shape: []int{rois.Shape[0], x.Shape[1], op.outH, op.outW}}}, nil
}

// Run computes Y.
func (op *maxRoiPoolOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind binds the loop over (region, channel block) units.
func (op *maxRoiPoolOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x := in[0]
	g := roiGeom{n: x.Shape[0], c: x.Shape[1], h: x.Shape[2], w: x.Shape[3], rois: in[1].Shape[0], outH: op.outH, outW: op.outW}
	g.split(ctx.Par.Threads())
	if x.Type == onnx.Double {
		job := new(maxRoiPoolJob[float64])
		run := ops.BindLoop(ctx.Par, g.tasks, 1, job, func() {
			*job = maxRoiPoolJob[float64]{op, g, in[0].F64(), in[1].F64(), out[0].F64()}
		})
		return func() error { return firstErr(roiImages(in[1].F64(), g.rois, g.n), run) }, nil
	}
	job := new(maxRoiPoolJob[float32])
	run := ops.BindLoop(ctx.Par, g.tasks, 1, job, func() {
		*job = maxRoiPoolJob[float32]{op, g, in[0].F32(), in[1].F32(), out[0].F32()}
	})
	return func() error { return firstErr(roiImages(in[1].F32(), g.rois, g.n), run) }, nil
}

// roiImages requires every region's image index (its first value,
// truncated) in [0, n).
func roiImages[T ops.Float](rois []T, count, n int) error {
	for i := range count {
		if b := rois[5*i]; !(b > -1 && b < T(n)) {
			return fmt.Errorf("input \"rois\"[%d] has image index %v, out of range for %d images", i, b, n)
		}
	}
	return nil
}

// maxRoiPoolJob pools the units of tasks [lo, hi), computing in T as the
// ONNX reference does.
type maxRoiPoolJob[T ops.Float] struct {
	op      *maxRoiPoolOp
	g       roiGeom
	x, rois []T
	y       []T
}

func (j maxRoiPoolJob[T]) Run(lo, hi int) {
	g := &j.g
	scale := T(j.op.scale)
	plane := g.h * g.w
	for task := lo; task < hi; task++ {
		for u := task * g.units / g.tasks; u < (task+1)*g.units/g.tasks; u++ {
			r, c0, c1 := g.unit(u)
			roi := j.rois[5*r:][:5]
			corner := func(v T) int { return int(math.Round(float64(v * scale))) }
			x0, y0, x1, y1 := corner(roi[1]), corner(roi[2]), corner(roi[3]), corner(roi[4])
			binH := T(max(y1-y0+1, 1)) / T(g.outH)
			binW := T(max(x1-x0+1, 1)) / T(g.outW)
			for c := c0; c < c1; c++ {
				src := j.x[(int(roi[0])*g.c+c)*plane:][:plane]
				dst := j.y[(r*g.c+c)*g.outH*g.outW:][:g.outH*g.outW]
				for oh := range g.outH {
					h0, h1 := binBounds(oh, binH, y0, g.h)
					for ow := range g.outW {
						w0, w1 := binBounds(ow, binW, x0, g.w)
						if h1 <= h0 || w1 <= w0 {
							dst[oh*g.outW+ow] = 0
							continue
						}
						best := src[h0*g.w+w0]
						for ih := h0; ih < h1; ih++ {
							for _, v := range src[ih*g.w+w0 : ih*g.w+w1] {
								best = max(best, v)
							}
						}
						dst[oh*g.outW+ow] = best
					}
				}
			}
		}
	}
}

// binBounds is the input range [lo, hi) of bin o, bin long, of a region
// starting at start, clamped to [0, n].
func binBounds[T ops.Float](o int, bin T, start, n int) (lo, hi int) {
	lo = int(math.Floor(float64(T(o)*bin))) + start
	hi = int(math.Ceil(float64(T(o+1)*bin))) + start
	return max(0, min(lo, n)), max(0, min(hi, n))
}
