package quantize

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestParseMethod(t *testing.T) {
	for _, m := range []Method{MinMax, Percentile, Entropy} {
		got, err := ParseMethod(m.String())
		if err != nil || got != m {
			t.Errorf("ParseMethod(%q) = %v, %v", m.String(), got, err)
		}
	}
	if got, err := ParseMethod("ENTROPY"); err != nil || got != Entropy {
		t.Errorf("ParseMethod is not case-insensitive: %v, %v", got, err)
	}
	if _, err := ParseMethod("kl"); err == nil {
		t.Error("ParseMethod(kl): no error")
	}
}

func TestHistogramAdd(t *testing.T) {
	h := NewHistogram(0, 4, 4) // bins [0,1) [1,2) [2,3) [3,4]
	h.Add([]float32{0, 0.5, 1, 2.99, 3, 4, -7, 9})
	if want := []int64{3, 1, 1, 3}; !reflect.DeepEqual(h.Counts, want) { // -7 and 9 in the end bins
		t.Errorf("counts %v, want %v", h.Counts, want)
	}
	if h.Min != -7 || h.Max != 9 {
		t.Errorf("extremes %v %v, want -7 9", h.Min, h.Max)
	}
	if h.Edge(1) != 1 || h.Edge(4) != 4 {
		t.Errorf("edges %v %v, want 1 4", h.Edge(1), h.Edge(4))
	}

	a := NewHistogram(0, 4, 4)
	a.AddAbs([]float32{0, 0, 0, -0.5, 1.5, -3.5})
	if want := []int64{1, 1, 0, 1}; !reflect.DeepEqual(a.Counts, want) { // zeros left out
		t.Errorf("absolute counts %v, want %v", a.Counts, want)
	}
	if a.Min != -3.5 || a.Max != 1.5 {
		t.Errorf("absolute histogram extremes %v %v, want the signed -3.5 1.5", a.Min, a.Max)
	}

	flat := NewHistogram(2, 2, 8) // one value seen: everything in bin 0
	flat.Add([]float32{2, 2})
	if flat.Counts[0] != 2 {
		t.Errorf("degenerate histogram counts %v", flat.Counts)
	}
}

func TestPercentileRange(t *testing.T) {
	// 100 values over [0, 10] in 10 bins; min 0.1, max 9.5.
	h := &Histogram{Lo: 0, Hi: 10, Counts: []int64{5, 10, 20, 30, 20, 10, 3, 1, 0, 1}, Min: 0.1, Max: 9.5}
	for _, c := range []struct {
		percent float64
		lo, hi  float32
	}{
		// 2 values may go at each end: none at the bottom (bin 0 holds 5),
		// bins 7-9 (2 values) at the top: [0, 7], clamped to the values seen.
		{96, 0.1, 7},
		// 5 at each end: bin 0 (5 values) and bins 6-9 (5).
		{90, 1, 6},
		// 0.5: nothing can go.
		{99, 0.1, 9.5},
		// Everything kept.
		{100, 0.1, 9.5},
	} {
		lo, hi := PercentileRange(h, c.percent)
		if lo != c.lo || hi != c.hi {
			t.Errorf("PercentileRange(%g) = [%g, %g], want [%g, %g]", c.percent, lo, hi, c.lo, c.hi)
		}
	}
	if lo, hi := PercentileRange(NewHistogram(0, 1, 4), 99); lo != 0 || hi != 0 {
		t.Errorf("empty histogram: [%g, %g], want [0, 0]", lo, hi)
	}
}

func TestEntropyThreshold(t *testing.T) {
	// Absolute values over [0, 4] in 4 bins, quantized to 2 levels. The
	// candidates keep 2, 3 or 4 bins:
	//   i=2: P = [6, 4] (bins 2-3 folded in)  Q = [6, 2]        KL = 0.6 ln(0.6/0.75) + 0.4 ln(0.4/0.25) = 0.05411
	//   i=3: P = [6, 2, 2]   Q = [6, 1.5, 1.5] (group 2 = bins 1-2)  KL = 0.6 ln(0.6/0.6667) + 0.4 ln(0.2/0.1667) = 0.00971
	//   i=4: P = [6, 2, 1, 1]   Q = [4, 4, 1, 1]                 KL = 0.6 ln(1.5) + 0.2 ln(0.5) = 0.10465
	// so the threshold is the upper edge of bin 3: 3.
	h := &Histogram{Lo: 0, Hi: 4, Counts: []int64{6, 2, 1, 1}, Min: 0, Max: 4}
	if got := EntropyThreshold(h, 2); got != 3 {
		t.Errorf("EntropyThreshold = %g, want 3", got)
	}
	for _, c := range []struct {
		p, q []float64
		want float64
	}{ // the reference divergence itself
		{[]float64{6, 4}, []float64{6, 2}, 0.6*math.Log(0.6/0.75) + 0.4*math.Log(0.4/0.25)},
		{[]float64{6, 2, 2}, []float64{6, 1.5, 1.5}, 0.6*math.Log(0.6/(6.0/9)) + 0.4*math.Log(0.2/(1.5/9))},
		{[]float64{6, 2, 1, 1}, []float64{4, 4, 1, 1}, 0.6*math.Log(1.5) + 0.2*math.Log(0.5)},
		{[]float64{1, 1}, []float64{2, 0}, math.Inf(1)}, // Q lacks a value P has
		{[]float64{0, 0}, []float64{1, 1}, math.Inf(1)},
	} {
		if got := klDivergence(c.p, c.q); math.Abs(got-c.want) > 1e-12 && got != c.want {
			t.Errorf("klDivergence(%v, %v) = %g, want %g", c.p, c.q, got, c.want)
		}
	}
	// Fewer bins than levels: nothing is clipped.
	if got := EntropyThreshold(h, 8); got != 4 {
		t.Errorf("EntropyThreshold with 8 levels over 4 bins = %g, want 4", got)
	}
}

// TestEntropyThresholdReference checks the prefix-sum search against the
// divergence computed bin by bin, on random histograms.
func TestEntropyThresholdReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		bins, levels := 8+rng.IntN(120), 1+rng.IntN(16)
		h := &Histogram{Lo: 0, Hi: float64(bins), Counts: make([]int64, bins)}
		for k := range h.Counts {
			if rng.IntN(3) > 0 { // a third of the bins empty
				h.Counts[k] = int64(rng.ExpFloat64() * 50 / float64(1+k))
			}
		}
		if got, want := EntropyThreshold(h, levels), entropyReference(h, levels); got != want {
			t.Fatalf("trial %d: %d levels over %v: threshold %g, bin by bin %g", trial, levels, h.Counts, got, want)
		}
	}
}

// entropyReference is EntropyThreshold written out bin by bin.
func entropyReference(h *Histogram, levels int) float64 {
	bins := len(h.Counts)
	if bins <= levels || h.total() == 0 {
		return h.Hi
	}
	best, bestAt := math.Inf(1), bins
	for i := levels; i <= bins; i++ {
		p, q := make([]float64, i), make([]float64, i)
		for k := range i {
			p[k] = float64(h.Counts[k])
		}
		for _, c := range h.Counts[i:] {
			p[i-1] += float64(c)
		}
		for g := range levels {
			start, end := g*i/levels, (g+1)*i/levels
			sum, nonzero := 0.0, 0
			for k := start; k < end; k++ {
				sum += float64(h.Counts[k])
				if p[k] != 0 {
					nonzero++
				}
			}
			for k := start; k < end; k++ {
				if p[k] != 0 {
					q[k] = sum / float64(nonzero)
				}
			}
		}
		if d := klDivergence(p, q); d < best-1e-12 {
			best, bestAt = d, i
		}
	}
	return h.Edge(bestAt)
}

// klDivergence is the Kullback-Leibler divergence of q from p, both given
// as counts: the sum over the bins where p is not 0 of p·ln(p/q), each
// normalized to total 1; +Inf where q is 0 and p is not, or either has no
// mass.
func klDivergence(p, q []float64) float64 {
	var sp, sq float64
	for k := range p {
		sp += p[k]
		sq += q[k]
	}
	if sp == 0 || sq == 0 {
		return math.Inf(1)
	}
	d := 0.0
	for k, v := range p {
		if v == 0 {
			continue
		}
		if q[k] == 0 {
			return math.Inf(1)
		}
		d += v / sp * math.Log((v/sp)/(q[k]/sq))
	}
	return d
}
