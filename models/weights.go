package models

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/edgeinfer/edgeinfer/onnx"
)

// Synthetic weights. Every parameter tensor draws from its own PCG stream,
// seeded by the model seed and the FNV-1a hash of the tensor's torchvision
// name, so a tensor's values do not depend on build order and the BN-folded
// and explicit-BN variants of a network share their underlying parameters.
// Values are uniform; the generator uses only exact conversions, one
// multiplication and one addition per value (kept unfused by an explicit
// conversion), so the same seed yields bit-identical weights on every
// platform, which the committed golden outputs rely on.

// stream returns a generator of float32 values uniform in [lo, hi) drawn from
// the stream of the named parameter.
func stream(seed uint64, name string, lo, hi float64) func() float32 {
	h := fnv.New64a()
	h.Write([]byte(name))
	p := rand.NewPCG(seed, h.Sum64())
	w := hi - lo
	return func() float32 {
		u := float64(p.Uint64()>>11) * 0x1p-53 // exact, in [0, 1)
		return float32(lo + float64(w*u))
	}
}

// symmetric returns a generator of values uniform in [-a, a) with standard
// deviation std (a = std*sqrt(3)).
func symmetric(seed uint64, name string, std float64) func() float32 {
	a := std * math.Sqrt(3)
	return stream(seed, name, -a, a)
}

// draw returns n values of the named parameter's stream.
func draw(seed uint64, name string, n int, lo, hi float64) []float32 {
	next := stream(seed, name, lo, hi)
	v := make([]float32, n)
	for i := range v {
		v[i] = next()
	}
	return v
}

// floatTensor makes a float initializer of the given dims whose element i is
// value(i), stored little-endian in RawData as PyTorch exports do.
func floatTensor(name string, dims []int64, value func(i int) float32) *onnx.Tensor {
	n := 1
	for _, d := range dims {
		n *= int(d)
	}
	raw := make([]byte, 4*n)
	for i := range n {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(value(i)))
	}
	return &onnx.Tensor{Name: name, DataType: onnx.Float, Dims: dims, RawData: raw}
}
