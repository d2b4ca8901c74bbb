package nn

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
)

// DeformConv (19, 22), float32, 1 to 3 spatial axes: a convolution whose
// every tap, at every output position, reads X at its usual place moved by
// the offset input (one displacement per spatial axis, per offset group of
// channels, tap and output position), interpolated linearly along each
// axis from the neighbouring elements (those outside X read 0), and
// weighted by the optional mask input.
func init() {
	for _, v := range []int{19, 22} {
		ops.Register("", "DeformConv", v, buildDeformConv)
	}
}

// deformConvOp is DeformConv, computed per group as one GEMM of the
// group's weights (oC/group x C/group*taps) times the matrix of sampled
// values (C/group*taps x output positions), built in tiles of output
// positions in parallel over channels; the bias is added as the product
// is stored. A constant W is packed once by Prepare.
type deformConvOp struct {
	sp           ops.WindowAttrs
	group        int
	offsetGroups int
	packed       []gemm.PackedA
}

func buildDeformConv(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	sp, err := ops.ParseWindow(a, false)
	if err != nil {
		return nil, err
	}
	if a.Has("auto_pad") || a.Has("ceil_mode") {
		return nil, fmt.Errorf("DeformConv takes no auto_pad or ceil_mode attribute")
	}
	op := &deformConvOp{sp: sp}
	for _, at := range []struct {
		name string
		dst  *int
	}{{"group", &op.group}, {"offset_group", &op.offsetGroups}} {
		v := a.Int(at.name, 1)
		if err := a.Err(); err != nil {
			return nil, err
		}
		if v < 1 {
			return nil, fmt.Errorf("attribute %q is %d, must be positive", at.name, v)
		}
		if *at.dst, err = ops.ToDim(v, fmt.Sprintf("attribute %q", at.name)); err != nil {
			return nil, err
		}
	}
	return op, nil
}

// deformDims is a DeformConv resolved for its input shapes.
type deformDims struct {
	g                    ops.Window3
	nd                   int // spatial axes
	batch, c, m, cg, mg  int
	taps, inSize, outPos int
	tile                 int // output positions per GEMM
}

// dims checks the shapes of X, W, offset, B and mask (shapes[3] and
// shapes[4] nil when absent) and resolves the geometry.
func (op *deformConvOp) dims(shapes [5][]int) (deformDims, error) {
	var d deformDims
	x, w := shapes[0], shapes[1]
	if len(x) < 3 {
		return d, fmt.Errorf("input \"X\" has shape %v, want [N, C, spatial...]", x)
	}
	if len(w) != len(x) {
		return d, fmt.Errorf("input \"W\" has shape %v, want rank %d like X %v", w, len(x), x)
	}
	d.nd, d.batch, d.c, d.m = len(x)-2, x[0], x[1], w[0]
	if d.c%op.group != 0 || d.m%op.group != 0 || w[1]*op.group != d.c {
		return d, fmt.Errorf("inputs \"X\" %v and \"W\" %v do not fit attribute \"group\" %d (W is [oC, C/group, kernel...])", x, w, op.group)
	}
	if d.c%op.offsetGroups != 0 {
		return d, fmt.Errorf("attribute \"offset_group\" %d does not divide X's %d channels", op.offsetGroups, d.c)
	}
	d.cg, d.mg = d.c/op.group, d.m/op.group
	for i, k := range w[2:] {
		if k <= 0 {
			return d, fmt.Errorf("input \"W\" has shape %v: kernel axis %d is empty", w, i)
		}
	}
	var err error
	if d.g, err = op.sp.Resolve3(x[2:], w[2:]); err != nil {
		return d, err
	}
	out := d.g.Out[ops.MaxWindowAxes-d.nd:]
	d.taps, d.inSize, d.outPos = d.g.Taps(), d.g.InSize(), d.g.OutSize()
	for _, s := range []struct {
		name string
		i    int
		ch   int
	}{{"offset", 2, op.offsetGroups * d.taps * d.nd}, {"mask", 4, op.offsetGroups * d.taps}} {
		got := shapes[s.i]
		if got == nil && s.i == 4 {
			continue
		}
		want := append([]int{d.batch, s.ch}, out...)
		if !ops.SameShape(got, want) {
			return d, fmt.Errorf("input %q has shape %v, want %v", s.name, got, want)
		}
	}
	if b := shapes[3]; b != nil && !ops.SameShape(b, []int{d.m}) {
		return d, fmt.Errorf("input \"B\" has shape %v, want [%d]", b, d.m)
	}
	d.tile = min(d.outPos, max(64, colBudget/max(1, d.cg*d.taps)))
	return d, nil
}

// shapesOf gathers the five inputs' shapes, nil for absent ones.
func shapesOf(in []ops.Value) [5][]int {
	var s [5][]int
	for i := range min(len(in), 5) {
		if ops.HasInput(in, i) {
			s[i] = in[i].Shape
		}
	}
	return s
}

// workLen is the floats of workspace a run needs: the sampled values of a
// tile and the GEMM's packing space.
func (d *deformDims) workLen(packedW bool) int {
	k := d.cg * d.taps
	return align16(k*d.tile) + gemm.WorkLen(d.mg, d.tile, k, packedW, false)
}

// Infer checks the inputs and gives Y's shape.
func (op *deformConvOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 3, 5); err != nil {
		return nil, err
	}
	for i, name := range []string{"X", "W", "offset", "B", "mask"}[:len(in)] {
		if ops.HasInput(in, i) {
			if err := ops.CheckFloat(in[i], name, false); err != nil {
				return nil, err
			}
		}
	}
	d, err := op.dims(shapesOf(in))
	if err != nil {
		return nil, err
	}
	shape := append([]int{d.batch, d.m}, d.g.Out[ops.MaxWindowAxes-d.nd:]...)
	return []ops.Value{{Type: onnx.Float, Shape: shape}}, nil
}

// Prepare packs a constant W, each group's as the GEMM's left operand.
func (op *deformConvOp) Prepare(in []ops.Value) error {
	if len(in) < 3 || in[1].Const == nil || in[1].Type != onnx.Float {
		return nil
	}
	d, err := op.dims(shapesOf(in))
	if err != nil {
		return nil // Infer reports it
	}
	k := d.cg * d.taps
	w := in[1].Const.F32()
	op.packed = make([]gemm.PackedA, op.group)
	for g := range op.packed {
		op.packed[g] = gemm.PackA(nil, d.mg, k, gemm.Matrix{Data: w[g*d.mg*k:], Ld: k})
	}
	return nil
}

// Released reports W as not read by Run once Prepare has packed it.
func (op *deformConvOp) Released() []int {
	if op.packed != nil {
		return []int{1}
	}
	return nil
}

// Workspace is the sampled tile and the GEMM's packing space.
func (op *deformConvOp) Workspace(in []ops.Value) int {
	d, err := op.dims(shapesOf(in))
	if err != nil {
		return 0
	}
	return 4 * d.workLen(op.packed != nil)
}

// Run computes Y.
func (op *deformConvOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind resolves the geometry once and makes the GEMM runner and the loop
// body, so that a run allocates nothing.
func (op *deformConvOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	d, err := op.dims(shapesOf(ops.ConstValues(in)))
	if err != nil {
		return nil, err
	}
	work := ops.View[float32](ctx.Scratch)
	if need := d.workLen(op.packed != nil); len(work) < need {
		return nil, fmt.Errorf("scratch has %d bytes, need %d", len(ctx.Scratch), 4*need)
	}
	k := d.cg * d.taps
	col, gw := work[:k*d.tile], work[align16(k*d.tile):]
	runner := new(gemm.Runner)
	var sampler ops.Loop
	job := new(deformSampleJob)
	sampler.Bind(job)
	par := ctx.Par
	input := func(i int) []float32 {
		if i < len(in) && in[i] != nil {
			return in[i].F32()
		}
		return nil
	}
	return func() error {
		x, offset, bias, mask, y := in[0].F32(), in[2].F32(), input(3), input(4), out[0].F32()
		var w []float32
		if op.packed == nil {
			w = in[1].F32()
		}
		for b := range d.batch {
			for g := range op.group {
				for p0 := 0; p0 < d.outPos; p0 += d.tile {
					np := min(d.tile, d.outPos-p0)
					*job = deformSampleJob{d: &d, x: x[(b*d.c+g*d.cg)*d.inSize:], offset: offset[b*op.offsetGroups*d.taps*d.nd*d.outPos:],
						col: col[:k*np], c0: g * d.cg, perOffset: d.c / op.offsetGroups, p0: p0, np: np}
					if mask != nil {
						job.mask = mask[b*op.offsetGroups*d.taps*d.outPos:]
					}
					sampler.Run(par, d.cg, 1)
					prod := gemm.Product{M: d.mg, N: np, K: k, Alpha: 1, B: gemm.Matrix{Data: col, Ld: np},
						C: y[(b*d.m+g*d.mg)*d.outPos+p0:], LdC: d.outPos}
					if bias != nil {
						prod.Ep.RowBias = bias[g*d.mg:]
					}
					if op.packed != nil {
						prod.PA = op.packed[g]
					} else {
						prod.A = gemm.Matrix{Data: w[g*d.mg*k:], Ld: k}
					}
					runner.Run(par, &prod, gw)
				}
			}
		}
		return nil
	}, nil
}

// deformSampleJob fills, for channels [lo, hi) of a group (c0 its first
// channel of X), the rows of col (one per channel and tap, np output
// positions from p0 each) with X sampled at each tap's displaced position
// times the mask (nil: ones). x starts at the group's first channel;
// offset and mask at the batch's.
type deformSampleJob struct {
	d               *deformDims
	x, offset, mask []float32
	col             []float32
	c0, perOffset   int // first channel, channels per offset group
	p0, np          int
}

func (j deformSampleJob) Run(lo, hi int) {
	d, g := j.d, &j.d.g
	off := ops.MaxWindowAxes - d.nd
	for cl := lo; cl < hi; cl++ {
		plane := j.x[cl*d.inSize:][:d.inSize]
		og := (j.c0 + cl) / j.perOffset
		for t := range d.taps {
			k := [3]int{t / (g.Kernel[1] * g.Kernel[2]), t / g.Kernel[2] % g.Kernel[1], t % g.Kernel[2]}
			row := j.col[(cl*d.taps+t)*j.np:][:j.np]
			disp := j.offset[(og*d.taps+t)*d.nd*d.outPos:]
			var mask []float32
			if j.mask != nil {
				mask = j.mask[(og*d.taps+t)*d.outPos:]
			}
			// o walks the output positions p0.. as coordinates.
			p := j.p0
			o := [3]int{p / (g.Out[1] * g.Out[2]), p / g.Out[2] % g.Out[1], p % g.Out[2]}
			for q := range row {
				var pos [3]float64
				for a := range ops.MaxWindowAxes {
					pos[a] = float64(o[a]*g.Strides[a] - g.Pad[a] + k[a]*g.Dilations[a])
					if a >= off {
						pos[a] += float64(disp[(a-off)*d.outPos+p])
					}
				}
				v := sampleLinear(plane, &g.In, pos)
				if mask != nil {
					v *= mask[p]
				}
				row[q] = v
				p++
				if o[2]++; o[2] == g.Out[2] {
					o[2] = 0
					if o[1]++; o[1] == g.Out[1] {
						o[1] = 0
						o[0]++
					}
				}
			}
		}
	}
}

// sampleLinear interpolates plane (of dims in) at pos linearly along each
// axis from the up to 8 surrounding elements, those outside reading 0.
func sampleLinear(plane []float32, in *[3]int, pos [3]float64) float32 {
	var base [3]int
	var frac [3]float64
	for a := range 3 {
		if !(pos[a] > -1 && pos[a] < float64(in[a])) { // also NaN
			return 0
		}
		f := math.Floor(pos[a])
		base[a], frac[a] = int(f), pos[a]-f
	}
	var v float64
	for corner := range 8 {
		w, idx := 1.0, 0
		for a := range 3 {
			i, wa := base[a], 1-frac[a]
			if corner>>(2-a)&1 == 1 {
				i, wa = i+1, frac[a]
			}
			if wa == 0 || i < 0 || i >= in[a] {
				w = 0
				break
			}
			w *= wa
			idx = idx*in[a] + i
		}
		if w != 0 {
			v += w * float64(plane[idx])
		}
	}
	return float32(v)
}
