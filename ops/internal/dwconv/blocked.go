package dwconv

import (
	"fmt"
	"runtime"
	"unsafe"
)

// The channel-blocked form computes Lanes channels at once, one channel
// per lane, as ONNX Runtime's NCHWc and ncnn's packed layouts do: the
// row kernels put one output per lane, which leaves most lanes idle on
// the 7x7 and 14x14 planes of a network's last stages (a 7-wide row fills
// 7 of 16 AVX-512 lanes) and calls the kernel once per row and plane.
//
// A block's input planes are first copied, transposed, into scratch laid
// out pixel by pixel, the Lanes channels of a pixel side by side, with
// zeros where the window reaches into the padding. Each output pixel is
// then a vector: the bias plus, per tap, the tap's Lanes weights (packed
// so by PackWeights) times the vector of its input pixel, four output
// pixels of a row at a time; the residual is added and the activation
// applied in registers, and the vector is stored pixel by pixel again,
// to be transposed back to the Lanes output planes. Both transposes go
// 16x16 values at a time in registers (row loads and stores, not
// gathers and scatters, which cost several times more on AMD's Zen 4 and
// 5); they cost about a load and a store per value, which the kernel's
// taps repay many times over on small planes.

// blockedMaxW is the widest input row the blocked form takes: wider rows
// fill the row kernels' vectors well, their per-row cost is spread over
// many outputs, and the transposed copies of their planes outgrow the L2
// cache. With the transposes in registers, MobileNetV2's 112x112 layers
// (stride 1 and 2) ran 1-4% faster blocked on a Zen 5 (1 MiB L2), and
// YOLOX-Nano's 104x104 ones too; with gathers and scatters, 112x112 at
// stride 2 had run 10% slower on a Xeon.
const blockedMaxW = 128

// Blocked reports whether the plan computes planes Lanes() channels at a
// time (Block) rather than one at a time (Plane).
func (p *Plan) Blocked() bool { return p.block }

// Lanes is the channels a Block computes.
func (p *Plan) Lanes() int { return p.k.lanes }

// blockable reports whether kernel k computes shape s in the blocked
// form, and would rather: narrow enough rows. Planes of a multiple of 4
// KiB (BlazeFace's 64x64 to 8x8) are blocked too: their rows' loads and
// stores take whole cache lines at once, where gathers and scatters
// across them had put all of a vector's lines in one L1 set (5-6x
// slower). The residual, rarely fused into a depthwise layer, is still
// gathered.
func blockable(s *Shape, k *kernel) bool {
	return k.blocked && s.InW <= blockedMaxW && s.StrideW <= 2
}

// padded is the extent of the blocked input along an axis: every input
// value after pad zeros, and the window of every output.
func padded(in, out, k, stride, dil, pad int) int {
	return max(pad+in, (out-1)*stride+(k-1)*dil+1)
}

// BlockScratch is the floats of scratch Block needs per block of Lanes
// channels; 0 when the plan is not blocked: the transposed input, and the
// transposed output rounded up to whole transposes.
func (p *Plan) BlockScratch() int {
	if !p.block {
		return 0
	}
	lanes := p.k.lanes
	return (p.hp*p.wp + (p.s.OutH*p.s.OutW+lanes-1)/lanes*lanes) * lanes
}

// Block computes n <= Lanes() consecutive output planes: plane i of y
// (y[i*OutH*OutW:]) from plane i of x, the kernels of channels c0 to
// c0+n-1 of w (packed by PackWeights), bias[c0+i] (nil for none), then
// adds plane i of res (nil for none) and applies e's activation. scratch
// holds BlockScratch floats. y must not overlap x, res or scratch.
func (p *Plan) Block(y, x []float32, w *Weights, c0, n int, bias, res, scratch []float32, e *Epilogue) {
	s, lanes := &p.s, p.k.lanes
	in, out := s.InH*s.InW, s.OutH*s.OutW
	if !p.block || n < 1 || n > lanes || len(x) < n*in || len(y) < n*out || res != nil && len(res) < n*out ||
		len(scratch) < p.BlockScratch() || w.blocks == nil || c0 < 0 || c0+n > w.channels || bias != nil && len(bias) < c0+n {
		panic(fmt.Sprintf("dwconv: block of %d channels from %d: %d outputs, %d inputs, %d residuals, %d scratch for shape %+v",
			n, c0, len(y), len(x), len(res), len(scratch), *s))
	}
	buf := scratch[:p.hp*p.wp*lanes]
	obuf := scratch[len(buf):p.BlockScratch()]
	var idx [16]int32
	var bv [16]float32
	for i := range n {
		idx[i] = int32(i * in)
		if bias != nil {
			bv[i] = bias[c0+i]
		}
	}
	// Zero the padding around the input, then copy the input in.
	row := p.wp * lanes
	top, left := s.PadTop*row, s.PadLeft*lanes
	clear(buf[:top+left])
	for r := range s.InH {
		at := top + r*row + left
		packRow(p.k, buf[at:][:s.InW*lanes], x[r*s.InW:], &idx, n)
		end := at + s.InW*lanes
		if r+1 < s.InH {
			clear(buf[end : end+row-s.InW*lanes])
		} else {
			clear(buf[end:])
		}
	}
	for i := range idx[:n] {
		idx[i] = int32(i * out)
	}
	a := args{
		y: unsafe.Pointer(&obuf[0]), x: unsafe.Pointer(&buf[0]), w: unsafe.Pointer(&w.blocks[c0/lanes*w.taps*lanes]),
		rows: s.OutH, n: s.OutW, ldx: 4 * s.StrideH * row, kh: s.KH, ldk: 4 * s.DilH * row, kw: s.KW, dil: 4 * s.DilW * lanes,
		idx: unsafe.Pointer(&idx), bvec: unsafe.Pointer(&bv), mask: 1<<n - 1,
	}
	a.setEpilogue(e)
	if res != nil {
		a.res = unsafe.Pointer(&res[0])
	}
	callBlock(p.k, s.StrideW, &a)
	callUnpack(p.k, unsafe.Pointer(&y[0]), unsafe.Pointer(&obuf[0]), out, n, &idx)
	runtime.KeepAlive(y)
	runtime.KeepAlive(x)
	runtime.KeepAlive(res)
	runtime.KeepAlive(buf)
	runtime.KeepAlive(w)
}

// packRow copies len(dst)/lanes values of an input row's channels
// (channel i's at src[idx[i]:], the first c of them; the other lanes copy
// channel 0's, whose outputs are not stored) into dst, transposed: value
// j of channel i to dst[j*lanes+i].
func packRow(k *kernel, dst, src []float32, idx *[16]int32, c int) {
	n := len(dst) / k.lanes
	if n == 0 {
		return
	}
	if last := int(idx[c-1]); len(src) < last+n {
		panic(fmt.Sprintf("dwconv: packing %d values at %d from %d", n, last, len(src)))
	}
	callPack(k, unsafe.Pointer(&dst[0]), unsafe.Pointer(&src[0]), n, idx)
}
