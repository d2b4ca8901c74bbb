package nn

import (
	"fmt"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
)

// convDims is a convolution's sizes for given input and weight shapes.
type convDims struct {
	g           ops.Window3
	batch, c, m int // batch, input and output channels
	cg, mg      int // input and output channels per group
	k           int // GEMM depth: cg * taps
	p           int // output positions per channel
	tile        int // product columns computed at once: output positions, or whole rows at the padded width (paddedTileRows)
	// depthwise is one input channel per group and more than one group
	// (or one output channel): output channel oc reads input channel
	// oc/mg alone.
	depthwise bool
	direct    bool // the input is the GEMM's right operand (1x1 window)
	// padded is a 2-D window computed over a zero-padded copy of the input
	// split by stride phase: each channel becomes sh*sw planes of hp x wp,
	// plane (a, b) holding padded rows a, a+sh, ... and columns b, b+sw, ...
	// The product is computed at the plane width: output position (oh, ow)
	// is column oh*wp+ow of the product, which has pq columns, the last
	// wp-Out[2] of each row being discarded. Every im2col row is then one
	// contiguous run of one plane. It serves unit strides, and larger ones
	// when the window has at least 2 taps per phase (3x3 stride 2, a
	// network's 7x7 stride-2 stem): the copy is then small next to the
	// im2col matrix, whose rows it turns from strided gathers into long
	// copies (ResNet-50's 3x3 stride-2 layers: 1.75 -> 1.40 ms each).
	padded     bool
	hp, wp, pq int
	// indirect is a padded window whose product reads B in place from the
	// padded input, through the offsets of the window's taps (an implicit
	// im2col, where the kernel has one: gemm.Indirect).
	indirect bool
}

// convDimsOf checks x ([N, C, spatial...]) against w ([M, C/group,
// kernel...]) for group groups and resolves the window.
func convDimsOf(sp *ops.WindowAttrs, group int, x, w []int) (convDims, error) {
	var d convDims
	if len(x) < 3 {
		return d, fmt.Errorf("input \"X\" has shape %v, want [N, C, spatial...]", x)
	}
	if len(w) != len(x) {
		return d, fmt.Errorf("input \"W\" has shape %v, want rank %d like X %v", w, len(x), x)
	}
	if w[0]%group != 0 {
		return d, fmt.Errorf("input \"W\" has %d output channels, not a multiple of group %d", w[0], group)
	}
	if w[1]*group != x[1] {
		return d, fmt.Errorf("input \"W\" has %d input channels per group, want X's %d channels / group %d", w[1], x[1], group)
	}
	g, err := sp.Resolve3(x[2:], w[2:])
	if err != nil {
		return d, err
	}
	d = convDims{g: g, batch: x[0], c: x[1], m: w[0], cg: w[1], mg: w[0] / group}
	d.k = d.cg * g.Taps()
	d.p = g.OutSize()
	d.depthwise = d.cg == 1 && (d.mg == 1 || group > 1)
	d.direct = g.Unit()
	sh, sw := g.Strides[1], g.Strides[2]
	d.padded = !d.direct && !d.depthwise && g.In[0] == 1 && g.Kernel[0] == 1 && g.Pad[0] == 0 && g.PadEnd[0] == 0 &&
		(sh == 1 && sw == 1 || g.Taps() >= 2*sh*sw)
	cols := d.p
	if d.padded {
		d.hp = (g.In[1] + g.Pad[1] + g.PadEnd[1] + sh - 1) / sh
		d.wp = (g.In[2] + g.Pad[2] + g.PadEnd[2] + sw - 1) / sw
		d.pq = g.Out[1] * d.wp
		cols = d.pq
	}
	d.indirect = d.padded && gemm.Indirect()
	switch {
	case d.padded:
		d.tile = d.paddedTileRows() * d.wp
	case !d.direct && d.k*cols > im2colBudget:
		d.tile = min(cols, max(64, im2colBudget/max(d.k, 1)/64*64))
	default:
		d.tile = cols
	}
	return d, nil
}

// im2colBudget bounds the floats of one im2col tile.
const im2colBudget = 1 << 18

// paddedProductBudget bounds the floats of a padded window's product
// tile, which its valid columns are copied out of with the epilogue:
// while the tile is in L2, the kernel's stores and the copy's reads stay
// there. A whole plane at once, as before, sent ResNet's and SqueezeNet's
// stems (64 channels of 112x112: 3.2 MB) through memory twice more
// (tests shrink it).
var paddedProductBudget = 1 << 17

// paddedTileRows is the output rows a padded window computes at once:
// as many as fit paddedProductBudget (and, packed, im2colBudget), at
// least one.
func (d *convDims) paddedTileRows() int {
	rows := paddedProductBudget / max(1, d.mg*d.wp)
	if !d.indirect {
		rows = min(rows, im2colBudget/max(1, d.k*d.wp))
	}
	return max(1, min(d.g.Out[1], rows))
}

// pointwise reports whether the window is one tap with no padding: each
// output position reads one input position (every one when direct).
func (d *convDims) pointwise() bool {
	g := &d.g
	return g.Taps() == 1 && g.Pad == [3]int{} && g.PadEnd == [3]int{}
}

// inPlace reports whether a pointwise convolution's product reads its B in
// place (the kernel reading an indirect B) where readInPlace says so: X
// itself, or, for a strided window, the input positions it reads
// gathered once (gathered).
func (d *convDims) inPlace() bool {
	return d.pointwise() && gemm.Indirect() && readInPlace(d)
}

// gathered reports whether a strided pointwise convolution gathers the
// input positions it reads once (gatherStrided) for its product's B, read
// in place (inPlace) or packed by the GEMM, rather than a packed im2col:
// where the kernel reads an indirect B.
func (d *convDims) gathered() bool {
	return d.pointwise() && !d.direct && gemm.Indirect()
}

// paddedLen is the floats of a group's padded input: the last row of the
// last channel is followed by the zeros its discarded columns read.
func (d *convDims) paddedLen() int {
	return d.cg*d.phasePlanes()*d.hp*d.wp + (d.g.Kernel[2]-1)*d.g.Dilations[2]
}

// phasePlanes is the number of stride phases of a padded input channel.
func (d *convDims) phasePlanes() int { return d.g.Strides[1] * d.g.Strides[2] }

// align16 rounds n floats up to whole 64-byte lines.
func align16(n int) int { return (n + 15) &^ 15 }

// int32s views a float32 scratch slice as int32s.
func int32s(f []float32) []int32 {
	return unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(f))), len(f))
}
