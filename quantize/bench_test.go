package quantize

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/models/squeezenet"
)

// BenchmarkHistogram counts a 1M-value activation (a 64x128x128 tensor).
func BenchmarkHistogram(b *testing.B) {
	v := make([]float32, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	h := NewHistogram(-6, 6, DefaultBins)
	b.SetBytes(int64(4 * len(v)))
	for b.Loop() {
		h.Add(v)
	}
}

// BenchmarkEntropyThreshold searches DefaultBins bins for 256 levels, the
// cost of the Entropy method per tensor.
func BenchmarkEntropyThreshold(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	h := NewHistogram(0, 8, DefaultBins)
	v := make([]float32, 1<<18)
	for i := range v {
		v[i] = float32(rng.ExpFloat64())
	}
	h.AddAbs(v)
	for b.Loop() {
		EntropyThreshold(h, 256)
	}
}

// BenchmarkQuantizeSqueezeNet quantizes the built-in SqueezeNet on 4
// synthetic images with MinMax: two passes (ranges, evaluation).
func BenchmarkQuantizeSqueezeNet(b *testing.B) {
	m, err := squeezenet.Model()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Quantize(context.Background(), m, RandomImages(4, 1), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
