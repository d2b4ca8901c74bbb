package quant

import (
	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/qgemm"
)

// convLayout is where a convolution's packed weights and input copy live
// for a kernel, and how the products read them.
//
// The product of a group reads its input from a copy made per run, laid
// out so that every k step of every output position is four bytes in
// place, no im2col matrix being built: the group's channels are taken
// four at a time ("quads", the last padded) and each quad's padded input
// is split by stride phase (the positions (z, y, x) = (sd·i+a, sh·j+b,
// sw·l+c) of the padded input make phase (a, b, c), a plane of Dph×Hph×Wph
// quads, (i, j, l) at quad (i·Hph+j)·Wph+l). Output position (od, oh, ow)
// is grid column (od·Hph+oh)·Wph+ow, and tap (kd, kh, kw) reads it at that
// column of phase (kd·dd%sd, kh·dh%sh, kw·dw%sw) shifted by
// ((kd·dd/sd)·Hph + kh·dh/sh)·Wph + kw·dw/sw: a k step (tap, quad) is one
// offset for every column. The grid's columns with oh ≥ OH or ow ≥ OW are
// computed and dropped. The weights' depth is ordered alike, tap outer,
// channel inner.
//
// A 2-D window at unit strides whose right padding is no wider than its
// left drops the right padding from the rows (Wph = left padding + input
// width): a window reaching past a row's end reads the next row's left
// padding, the zero point too, and past the last row the tail quads
// filled after the plane. ResNet's 7x7 layers (padding 1) then compute
// 5 column panels of 12 for their 49 positions instead of 6, its 56x56
// ones 1.7% fewer columns.
type convLayout struct {
	d     qconvDims
	group int
	k     *qgemm.Kernel
	mgPad int // rows per group, padded to panels
	// The product's layout (not depthwise).
	c4       int     // channel quads per group
	kq       int     // k steps: taps·c4
	kIdx     []int32 // packed depth to the weights' index within a row
	phases   [3]int  // stride phases per axis
	ph       [3]int  // a phase plane's dims (Dph, Hph, Wph)
	planeQ   int     // quads of a phase plane, its slack included
	n        int     // grid columns
	offs     []int32 // byte offset of each k step
	cqStride int     // bytes of one quad's phases
	tail     int     // quads after the plane that hold the zero point
}

// newConvLayout lays out d's convolution of group groups for kernel k.
func newConvLayout(d *qconvDims, group int, k *qgemm.Kernel) *convLayout {
	l := &convLayout{d: *d, group: group, k: k}
	g := &l.d.g
	if d.depthwise {
		return l
	}
	l.mgPad = k.RowPanels(d.mg) * k.MR
	l.c4 = (d.cg + 3) / 4
	l.kq = d.taps * l.c4
	l.kIdx = make([]int32, 4*l.kq)
	for t := range d.taps {
		for ch := range 4 * l.c4 {
			l.kIdx[t*4*l.c4+ch] = -1
			if ch < d.cg {
				l.kIdx[t*4*l.c4+ch] = int32(ch*d.taps + t)
			}
		}
	}
	for a := range 3 {
		l.phases[a] = g.Strides[a]
		padded := g.In[a] + g.Pad[a] + g.PadEnd[a]
		l.ph[a] = (padded + g.Strides[a] - 1) / g.Strides[a]
	}
	if l.ph[0] == 1 && g.Strides[1] == 1 && g.Strides[2] == 1 && g.PadEnd[2] <= g.Pad[2] && g.Out[2] <= g.Pad[2]+g.In[2] {
		l.ph[2], l.tail = g.Pad[2]+g.In[2], g.PadEnd[2]
	}
	l.n = ((g.Out[0]-1)*l.ph[1]+g.Out[1]-1)*l.ph[2] + g.Out[2]
	maxShift := 0
	l.offs = make([]int32, l.kq)
	plane := l.ph[0] * l.ph[1] * l.ph[2]
	shifts := make([]int, d.taps)
	phase := make([]int, d.taps)
	for t := range d.taps {
		kk := [3]int{t / (g.Kernel[1] * g.Kernel[2]), t / g.Kernel[2] % g.Kernel[1], t % g.Kernel[2]}
		var sh, ph [3]int
		for a := range 3 {
			e := kk[a] * g.Dilations[a]
			sh[a], ph[a] = e/g.Strides[a], e%g.Strides[a]
		}
		shifts[t] = (sh[0]*l.ph[1]+sh[1])*l.ph[2] + sh[2]
		phase[t] = (ph[0]*l.phases[1]+ph[1])*l.phases[2] + ph[2]
		maxShift = max(maxShift, shifts[t])
	}
	l.planeQ = max(plane, k.ColPanels(l.n)*k.NR+maxShift)
	l.cqStride = l.nPhases() * l.planeQ * 4
	for t := range d.taps {
		for cq := range l.c4 {
			l.offs[t*l.c4+cq] = int32(cq*l.cqStride + (phase[t]*l.planeQ+shifts[t])*4)
		}
	}
	return l
}

// nPhases is the number of stride phases.
func (l *convLayout) nPhases() int { return l.phases[0] * l.phases[1] * l.phases[2] }

// rows is the number of per-row epilogue values: every group's rows,
// padded to panels, or one per channel (depthwise).
func (l *convLayout) rows() int {
	if l.d.depthwise {
		return l.d.m
	}
	return l.group * l.mgPad
}

// row is output channel ch's index among rows.
func (l *convLayout) row(ch int) int {
	if l.d.depthwise {
		return ch
	}
	return ch/l.d.mg*l.mgPad + ch%l.d.mg
}

// weightItems is the number of units packWeights splits its work in:
// row panels of every group, or channels (depthwise).
func (l *convLayout) weightItems() int {
	if l.d.depthwise {
		return l.d.m
	}
	return l.group * l.k.RowPanels(l.d.mg)
}

// weightSpace is the bytes of the packed weights.
func (l *convLayout) weightSpace(sp *qspace) int {
	l.weightRegions(sp)
	return sp.n
}

// weightRegions takes the packed weights' space from sp.
func (l *convLayout) weightRegions(sp *qspace) ([]byte, []int32) {
	d := &l.d
	if d.depthwise {
		return sp.take(qgemm.DepthwiseLen(d.m, d.g.Kernel[1], d.g.Kernel[2])), sp.int32s(d.m)
	}
	return sp.take(l.group * l.k.RowsLen(d.mg, l.kq)), sp.int32s(l.rows())
}

// space takes Run's scratch from sp: the packed weights when packW, then
// the product's input copy followed by each group's column sums (none for
// the depthwise kernel, which reads its input in place), which it
// returns.
func (l *convLayout) space(sp *qspace, packW bool) []byte {
	if packW {
		l.weightRegions(sp)
	}
	if l.d.depthwise {
		return nil
	}
	return sp.take(l.group*l.c4*l.cqStride + l.group*l.colSums()*4)
}

// colSums is the number of column sums of one group.
func (l *convLayout) colSums() int { return l.k.ColPanels(l.n) * l.k.NR }

// packWeights packs items [lo, hi) (see weightItems) of w into pw.
func (l *convLayout) packWeights(pw *convWeights, w *ops.Tensor, lo, hi int) {
	d := &l.d
	signed := w.Type == onnx.Int8
	if d.depthwise {
		qgemm.PackDepthwise(pw.data, pw.sums, w.Data, signed, d.g.Kernel[1], d.g.Kernel[2], lo, hi)
		return
	}
	rp, alen := l.k.RowPanels(d.mg), l.k.RowsLen(d.mg, l.kq)
	for i := lo; i < hi; i++ {
		gi, p := i/rp, i%rp
		src := qgemm.Matrix{Data: w.Data[gi*d.mg*d.k:], RS: d.k, CS: 1, Signed: signed}
		l.k.PackRows(pw.data[gi*alen:(gi+1)*alen], pw.sums[gi*l.mgPad:(gi+1)*l.mgPad], src, d.mg, l.kIdx, p, p+1)
	}
}
