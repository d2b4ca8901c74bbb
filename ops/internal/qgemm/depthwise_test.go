package qgemm

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestDepthwise checks every kernel's depthwise planes against plain sums,
// for windows of 1 to 7 taps a side, strides and dilations of 1 and 2 (the
// assembly's largest window and beyond, where it falls back to Go), rows
// narrower and wider than 16 outputs, padding on every side (the zero
// point), both signednesses of the input, both epilogue modes and weight
// zero points, with guard bands around the output.
func TestDepthwise(t *testing.T) {
	eachKernel(t, func(t *testing.T, k *Kernel) {
		rng := rand.New(rand.NewPCG(9, 10))
		for _, kw := range []int{1, 2, 3, 5, 7} {
			for _, s := range []int{1, 2} {
				for _, dil := range []int{1, 2} {
					for _, ow := range []int{1, 7, 16, 17, 40} {
						for _, mode := range []Mode{Int32, Byte} {
							kh := max(1, kw-rng.IntN(2))
							label := fmt.Sprintf("%dx%d stride %d dilation %d width %d mode %d", kh, kw, s, dil, ow, mode)
							checkDepthwise(t, rng, k, label, kh, kw, s, dil, 3, ow, mode)
						}
					}
				}
			}
		}
	})
}

// TestDepthwiseLarge checks planes of many rows, some wide: kernels that
// copy the input in bands of rows (NEON) go through several bands, or
// fall back to Go when a row is wider than their scratch.
func TestDepthwiseLarge(t *testing.T) {
	eachKernel(t, func(t *testing.T, k *Kernel) {
		rng := rand.New(rand.NewPCG(11, 12))
		for i, g := range [][5]int{{3, 1, 1, 112, 112}, {3, 2, 1, 56, 56}, {5, 1, 2, 30, 600}, {3, 2, 1, 20, 1100}, {7, 1, 1, 5, 3000}, {3, 1, 1, 20, 33}, {3, 2, 1, 9, 30}} {
			kw, s, dil, oh, ow := g[0], g[1], g[2], g[3], g[4]
			mode := Mode(2 * (i % 2))
			label := fmt.Sprintf("%dx%d stride %d dilation %d %dx%d mode %d", kw, kw, s, dil, oh, ow, mode)
			checkDepthwise(t, rng, k, label, kw, kw, s, dil, oh, ow, mode)
		}
	})
}

// checkDepthwise runs one random depthwise convolution of 3 channels and
// compares it with plain sums.
func checkDepthwise(t *testing.T, rng *rand.Rand, k *Kernel, label string, kh, kw, s, dil, oh, ow int, mode Mode) {
	t.Helper()
	const c = 3
	padT, padL := rng.IntN(kh), rng.IntN(kw+1)
	w := max(1, (ow-1)*s+(kw-1)*dil+1-padL-rng.IntN(kw))
	h := max(1, (oh-1)*s+(kh-1)*dil+1-padT-rng.IntN(kh))
	signed := rng.IntN(2) == 0
	// Random values, or the extremes, with weights of -128 or without
	// (kernels may add two taps' products in int16 when there are none).
	fill := rng.IntN(3)
	pick := func(vals ...byte) byte {
		if fill == 0 {
			return byte(rng.IntN(256))
		}
		return vals[rng.IntN(len(vals))]
	}
	src := make([]byte, c*h*w)
	for i := range src {
		src[i] = pick(0, 0x80, 0x7f, 0xff)
	}
	zx := int32(rng.IntN(256))
	if signed {
		zx -= 128
	}
	wts := make([]byte, c*kh*kw)
	for i := range wts {
		if fill == 1 {
			wts[i] = pick(0x81, 0x7f)
		} else {
			wts[i] = pick(0x80, 0x81, 0x7f)
		}
	}
	wt, sums := make([]byte, DepthwiseLen(c, kh, kw)), make([]int32, c)
	PackDepthwise(wt, sums, wts, true, kh, kw, 0, c)
	e := randEpilogue(rng, k, c, 1, mode)
	e.ColOff, e.ColMul, e.RowMul, e.ScaleCols = nil, nil, nil, false
	e.RowOff = randVec(rng, c, 1<<16)
	e.Scale = e.Scale[:0]
	for range c {
		e.Scale = append(e.Scale, float32(rng.Float64()*0.01))
	}
	if rng.IntN(2) == 0 {
		e.RowMul = randVec(rng, c, 200)
	}
	es := mode.size()
	full, out := banded(c * oh * ow * es)
	d := Depthwise{C: c, H: h, W: w, PadT: padT, PadL: padL, Src: src, Signed: signed, Zx: zx,
		KH: kh, KW: kw, SH: s, SW: s, DH: dil, DW: dil, OH: oh, OW: ow, Wt: wt, Out: out, Ep: e}
	if err := d.Check(); err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	d.Run(0, c)
	shift := k.Shift(signed, true)
	in := func(ch, y, x int) int32 {
		if y < 0 || y >= h || x < 0 || x >= w {
			return zx + shift
		}
		if signed {
			return int32(int8(src[(ch*h+y)*w+x])) + shift
		}
		return int32(src[(ch*h+y)*w+x]) + shift
	}
	for ch := range c {
		for y := range oh {
			for x := range ow {
				sum, xs := int32(0), int32(0)
				for i := range kh {
					for j := range kw {
						v := in(ch, y*s+i*dil-padT, x*s+j*dil-padL)
						sum += int32(int8(wts[(ch*kh+i)*kw+j])) * v
						xs += v
					}
				}
				if e.RowMul != nil {
					sum += e.RowMul[ch] * xs
				}
				want := refStore(&Epilogue{Mode: mode, Scale: e.Scale, Lo: e.Lo, Hi: e.Hi, Zp: e.Zp, RowOff: e.RowOff}, ch, 0, sum)
				o := ((ch*oh+y)*ow + x) * es
				if got := out[o : o+es]; string(got) != string(want) {
					t.Fatalf("%s: channel %d output (%d, %d) is %v, want %v", label, ch, y, x, got, want)
				}
			}
		}
	}
	checkSentinels(t, label, full[:guardBytes])
	checkSentinels(t, label, full[len(full)-guardBytes:])
}
