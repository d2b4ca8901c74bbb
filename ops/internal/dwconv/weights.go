package dwconv

import "unsafe"

// Weights is a depthwise convolution's kernels packed for Plane, once
// when they are constant: each output channel's taps, row-major, start on
// a 64-byte boundary, so that a 3x3 kernel is one cache line and a 5x5
// two, and the kernels' weight loads never straddle two channels' lines.
type Weights struct {
	data         []float32
	taps, stride int
}

// PackWeights packs channels kernels of taps values each, stored one
// after the other in w (an ONNX depthwise W, [M, 1, KH, KW]).
func PackWeights(w []float32, channels, taps int) Weights {
	p := Weights{taps: taps, stride: (taps + 15) &^ 15}
	buf := make([]float32, channels*p.stride+15)
	skip := int(-uintptr(unsafe.Pointer(unsafe.SliceData(buf))) / 4 % 16)
	p.data = buf[skip : skip+channels*p.stride]
	for c := range channels {
		copy(p.data[c*p.stride:][:taps], w[c*taps:])
	}
	return p
}

// Channel returns the taps of output channel c.
func (p *Weights) Channel(c int) []float32 { return p.data[c*p.stride:][:p.taps] }
