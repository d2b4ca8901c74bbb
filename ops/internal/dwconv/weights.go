package dwconv

import "unsafe"

// Weights is a depthwise convolution's kernels packed for Plane, once
// when they are constant: each output channel's taps, row-major, start on
// a 64-byte boundary, so that a 3x3 kernel is one cache line and a 5x5
// two, and the kernels' weight loads never straddle two channels' lines.
// For a kernel with a blocked form they are packed for Block too: per
// block of lanes channels, each tap's weights side by side (zeros past
// the last channel).
type Weights struct {
	data, blocks           []float32
	taps, stride, channels int
}

// PackWeights packs channels kernels of taps values each, stored one
// after the other in w (an ONNX depthwise W, [M, 1, KH, KW]).
func PackWeights(w []float32, channels, taps int) Weights {
	return packWeights(w, channels, taps, kern)
}

// packWeights is PackWeights for kernel k.
func packWeights(w []float32, channels, taps int, k *kernel) Weights {
	p := Weights{taps: taps, stride: (taps + 15) &^ 15, channels: channels}
	p.data = aligned(channels * p.stride)
	for c := range channels {
		copy(p.data[c*p.stride:][:taps], w[c*taps:])
	}
	if k.blocked {
		lanes := k.lanes
		p.blocks = aligned((channels + lanes - 1) / lanes * taps * lanes)
		for c := range channels {
			b := p.blocks[c/lanes*taps*lanes:]
			for t, v := range w[c*taps:][:taps] {
				b[t*lanes+c%lanes] = v
			}
		}
	}
	return p
}

// aligned returns n zeros starting on a 64-byte boundary.
func aligned(n int) []float32 {
	buf := make([]float32, n+15)
	skip := int(-uintptr(unsafe.Pointer(unsafe.SliceData(buf))) / 4 % 16)
	return buf[skip : skip+n]
}

// Channel returns the taps of output channel c.
func (p *Weights) Channel(c int) []float32 { return p.data[c*p.stride:][:p.taps] }
