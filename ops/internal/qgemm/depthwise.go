package qgemm

import (
	"fmt"
	"unsafe"
)

// Depthwise is a depthwise 2-D convolution (one input and one output
// channel per group) computed directly, one channel's plane at a time.
//
// Src holds the input planes, H×W values of signedness Signed, channel c
// at Src[c·H·W:]. Output (oh, ow) reads tap (i, j) at input row
// oh·SH+i·DH-PadT, column ow·SW+j·DW-PadL, or the zero point Zx where that
// falls outside the plane. Wt holds each channel's taps, int8, a row of
// KW taps padded to quads of four (PackDepthwise). Channel c's output
// plane of OH·OW elements starts at element c·OH·OW of Out. The epilogue
// is per channel: RowOff, Scale, and RowMul, which multiplies the sum of a
// window's inputs in the kernel's column signedness (minus a weight zero
// point); its modes Int32 and Byte.
type Depthwise struct {
	C, H, W        int
	PadT, PadL     int
	Src            []byte
	Signed         bool
	Zx             int32
	KH, KW, SH, SW int
	DH, DW         int
	OH, OW         int
	Wt             []byte
	Out            []byte
	Ep             Epilogue
	k              *Kernel
	gather         [2][64]byte // the byte gathers of a row of taps (see dwPlane)
	gatherMask     [2]uint64
	chunks         []dwChunk
}

// dwChunk is a step of 16 outputs of a row: the column of the first
// output's window and the mask of the 64 bytes from it that lie in the
// input row.
type dwChunk struct {
	start int64
	mask  uint64
}

// dwPlane is one channel's plane, as the kernels read it (the assembly at
// fixed offsets).
type dwPlane struct {
	src        []byte       // 0: the input plane, h×w
	w          []byte       // 24: the channel's taps, kh rows of wq quads
	out        []byte       // 48: the output plane, oh×ow
	h, wi      int          // 72, 80: the input's size
	padT, padL int          // 88, 96
	kh, wq, kw int          // 104, 112, 120
	sh, sw     int          // 128, 136
	dh, dw     int          // 144, 152
	oh, ow     int          // 160, 168
	off        int32        // 176: added to every sum
	scale      float32      // 180
	lo, hi     float32      // 184, 188
	zp         int32        // 192
	mode       Mode         // 196
	gather     *[2][64]byte // 200: gather[q][4i+t] is output i's byte for tap 4q+t, from output 0's first
	mask       *[2]uint64   // 208: bit 4i+t of mask[q] is set when tap 4q+t exists
	zx         byte         // 216: the zero point, as src stores it
	flip       byte         // 217: makes src's values the columns' signedness
	signed     bool         // 218: the columns' signedness is int8
	mul        int32        // 220: times the sum of a window's inputs, added
	chunks     *dwChunk     // 224: ceil(ow/16) steps of a row
	buf        *dwBuf       // 232: scratch of the kernel's plane (a padded input)
}

// DepthwiseLen is the bytes of c channels' packed taps.
func DepthwiseLen(c, kh, kw int) int { return c * kh * (kw + 3) / 4 * 4 }

// PackDepthwise packs the kh×kw taps of channels [c0, c1) of w (channel c
// at w[c·kh·kw:], signed as said) as int8 rows of quads into dst, and each
// channel's sum into sums.
func PackDepthwise(dst []byte, sums []int32, w []byte, signed bool, kh, kw, c0, c1 int) {
	wq := (kw + 3) / 4
	var flip byte
	if !signed {
		flip = 0x80
	}
	for c := c0; c < c1; c++ {
		taps, sum := dst[c*kh*wq*4:(c+1)*kh*wq*4], int32(0)
		clear(taps)
		for i := range kh {
			for j := range kw {
				v := w[(c*kh+i)*kw+j] ^ flip
				taps[i*wq*4+j] = v
				sum += int32(int8(v))
			}
		}
		sums[c] = sum
	}
}

// Check binds d to the current kernel, checks its sizes and makes the
// gathers of a row of taps.
func (d *Depthwise) Check() error {
	d.k = kern
	wq, es := (d.KW+3)/4, d.Ep.Mode.size()
	switch {
	case d.C == 0 || d.OH == 0 || d.OW == 0:
		return nil
	case d.KH < 1 || d.KW < 1 || d.SH < 1 || d.SW < 1 || d.DH < 1 || d.DW < 1 || d.PadT < 0 || d.PadL < 0:
		return fmt.Errorf("qgemm: depthwise window %dx%d stride %dx%d dilation %dx%d padding %d, %d", d.KH, d.KW, d.SH, d.SW, d.DH, d.DW, d.PadT, d.PadL)
	case len(d.Src) < d.C*d.H*d.W:
		return fmt.Errorf("qgemm: depthwise input has %d bytes, want %d", len(d.Src), d.C*d.H*d.W)
	case len(d.Wt) < d.C*d.KH*wq*4:
		return fmt.Errorf("qgemm: depthwise taps have %d bytes, want %d", len(d.Wt), d.C*d.KH*wq*4)
	case len(d.Out) < d.C*d.OH*d.OW*es:
		return fmt.Errorf("qgemm: depthwise output has %d bytes", len(d.Out))
	case d.Ep.Mode == Float || d.Ep.ScaleCols || d.Ep.ColMul != nil || len(d.Ep.RowOff) < d.C ||
		d.Ep.RowMul != nil && len(d.Ep.RowMul) < d.C || d.Ep.Mode == Byte && len(d.Ep.Scale) < d.C:
		return fmt.Errorf("qgemm: depthwise epilogue must be per channel, Int32 or Byte")
	}
	d.chunks = make([]dwChunk, (d.OW+15)/16)
	for c := range d.chunks {
		start := 16*c*d.SW - d.PadL
		for b := range 64 {
			if x := start + b; x >= 0 && x < d.W {
				d.chunks[c].mask |= 1 << b
			}
		}
		d.chunks[c].start = int64(start)
	}
	for q := range 2 {
		d.gatherMask[q] = 0
		for b := range 64 {
			i, t := b/4, 4*q+b%4
			d.gather[q][b] = 0xff
			if t < d.KW {
				d.gather[q][b] = byte(min(255, i*d.SW+t*d.DW))
				d.gatherMask[q] |= 1 << b
			}
		}
	}
	return nil
}

// Run computes channels [c0, c1).
func (d *Depthwise) Run(c0, c1 int) {
	wq, es := (d.KW+3)/4, d.Ep.Mode.size()
	k := d.k
	p := dwPlane{h: d.H, wi: d.W, padT: d.PadT, padL: d.PadL, kh: d.KH, wq: wq, kw: d.KW,
		sh: d.SH, sw: d.SW, dh: d.DH, dw: d.DW, oh: d.OH, ow: d.OW,
		lo: d.Ep.Lo, hi: d.Ep.Hi, zp: d.Ep.Zp, mode: d.Ep.Mode, gather: &d.gather, mask: &d.gatherMask,
		flip: k.Flip(d.Signed, true), signed: k.ColsSigned, chunks: unsafe.SliceData(d.chunks)}
	p.zx = byte(d.Zx)
	var buf dwBuf
	p.buf = &buf
	plane, outPlane := d.H*d.W, d.OH*d.OW*es
	for c := c0; c < c1; c++ {
		p.src = d.Src[c*plane : (c+1)*plane]
		p.w = d.Wt[c*d.KH*wq*4 : (c+1)*d.KH*wq*4]
		p.out = d.Out[c*outPlane : (c+1)*outPlane]
		p.off, p.mul = d.Ep.RowOff[c], 0
		if d.Ep.RowMul != nil {
			p.mul = d.Ep.RowMul[c]
		}
		if d.Ep.Mode == Byte {
			p.scale = d.Ep.Scale[c]
		}
		k.dwPlane(&p)
	}
}

// dwGo is the Go depthwise plane (see Kernel.dwPlane).
func dwGo(p *dwPlane) {
	ep := tileEp{lo: p.lo, hi: p.hi, zp: p.zp, mode: p.mode}
	wq4 := p.wq * 4
	zx := value(p.zx^p.flip, p.signed)
	for oy := range p.oh {
		out := p.out[oy*p.ow*p.mode.size():]
		for ox := range p.ow {
			sum, xs := p.off, int32(0)
			for i := range p.kh {
				y := oy*p.sh + i*p.dh - p.padT
				for j := range p.kw {
					x, v := ox*p.sw+j*p.dw-p.padL, zx
					if uint(y) < uint(p.h) && uint(x) < uint(p.wi) {
						v = value(p.src[y*p.wi+x]^p.flip, p.signed)
					}
					sum += int32(int8(p.w[i*wq4+j])) * v
					xs += v
				}
			}
			storeElem(out, ox, sum+p.mul*xs, p.scale, &ep)
		}
	}
}

// value is byte v as int8 or uint8.
func value(v byte, signed bool) int32 {
	if signed {
		return int32(int8(v))
	}
	return int32(v)
}
