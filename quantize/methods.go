package quantize

import (
	"fmt"
	"math"
	"strings"
)

// Method is how a tensor's quantization range is chosen from the values
// it took on the calibration set.
type Method int

// The calibration methods.
const (
	// MinMax keeps the whole range seen: nothing saturates, but one
	// outlier coarsens the step for every other value.
	MinMax Method = iota
	// Percentile drops the most extreme values: Options.Percentile percent
	// of the values are kept, the rest split evenly between the two ends
	// (ONNX Runtime's default, non-symmetric percentile calibration).
	Percentile
	// Entropy picks the clipping threshold whose quantized distribution is
	// closest to the real one in Kullback-Leibler divergence, on a
	// histogram of absolute values (the method of TensorRT's int8
	// calibration; see EntropyThreshold).
	Entropy
)

var methodNames = [...]string{MinMax: "minmax", Percentile: "percentile", Entropy: "entropy"}

// String is the method's name as ParseMethod reads it.
func (m Method) String() string {
	if m >= 0 && int(m) < len(methodNames) {
		return methodNames[m]
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// ParseMethod reads "minmax", "percentile" or "entropy" (case-insensitive).
func ParseMethod(s string) (Method, error) {
	for m, name := range methodNames {
		if strings.EqualFold(s, name) {
			return Method(m), nil
		}
	}
	return 0, fmt.Errorf("quantize: unknown method %q (want %s)", s, strings.Join(methodNames[:], ", "))
}

// The methods' settings (Options' defaults).
const (
	// DefaultPercentile is the percentage of values Percentile keeps.
	DefaultPercentile = 99.999
	// DefaultBins is the number of histogram bins of Percentile and Entropy.
	DefaultBins = 2048
	// MaxBins bounds Options.Bins: a histogram per tensor, each bin 8 bytes.
	MaxBins = 1 << 20
)

// histogrammed reports whether the method needs a histogram of the values
// (a second pass over the calibration set) rather than their extremes only.
func (m Method) histogrammed() bool { return m == Percentile || m == Entropy }

// Histogram counts values in equal bins spanning [Lo, Hi]: bin i holds
// the values in [Lo + i*w, Lo + (i+1)*w), w = (Hi-Lo)/len(Counts), the
// last bin also Hi. Values outside [Lo, Hi] count in the end bins. Min
// and Max are the extremes of the values themselves (for a histogram of
// absolute values, of the values before taking the absolute value).
type Histogram struct {
	Lo, Hi   float64
	Counts   []int64
	Min, Max float32
}

// NewHistogram returns an empty histogram of bins bins over [lo, hi].
func NewHistogram(lo, hi float64, bins int) *Histogram {
	return &Histogram{Lo: lo, Hi: hi, Counts: make([]int64, bins), Min: float32(math.Inf(1)), Max: float32(math.Inf(-1))}
}

// Edge is the lower edge of bin i (Hi for i = len(Counts)).
func (h *Histogram) Edge(i int) float64 {
	if i == len(h.Counts) {
		return h.Hi
	}
	return h.Lo + (h.Hi-h.Lo)*float64(i)/float64(len(h.Counts))
}

// Add counts values.
func (h *Histogram) Add(values []float32) { h.add(values, false) }

// AddAbs counts the absolute values of values, leaving out exact zeros
// (Min and Max still record the signed extremes). Quantization keeps 0
// exact whatever the range, and the spike of zeros a Relu leaves would
// otherwise dominate the distributions EntropyThreshold compares.
func (h *Histogram) AddAbs(values []float32) { h.add(values, true) }

func (h *Histogram) add(values []float32, abs bool) {
	n := len(h.Counts)
	if n == 0 {
		return
	}
	scale := 0.0
	if h.Hi > h.Lo {
		scale = float64(n) / (h.Hi - h.Lo)
	}
	lo, hi := h.Min, h.Max
	for _, v := range values {
		lo, hi = min(lo, v), max(hi, v)
		x := float64(v)
		if abs {
			if x == 0 {
				continue
			}
			x = math.Abs(x)
		}
		i := int(math.Min(math.Max((x-h.Lo)*scale, 0), float64(n-1)))
		h.Counts[i]++
	}
	h.Min, h.Max = lo, hi
}

// total is the number of values counted.
func (h *Histogram) total() int64 {
	var n int64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// PercentileRange returns the narrowest range of bin edges that keeps all
// but at most (100-percent)/2 percent of the values at each end (so at
// least percent percent of them), clamped to [h.Min, h.Max]. h is a
// histogram of signed values; percent is in (0, 100].
func PercentileRange(h *Histogram, percent float64) (lo, hi float32) {
	n := h.total()
	if n == 0 {
		return 0, 0
	}
	cut := float64(n) * (100 - percent) / 200
	// The largest i whose bins below hold at most cut values.
	i, below := 0, int64(0)
	for i < len(h.Counts) && float64(below+h.Counts[i]) <= cut {
		below += h.Counts[i]
		i++
	}
	// The smallest j whose bins from j up hold at most cut values.
	j, above := len(h.Counts), int64(0)
	for j > i && float64(above+h.Counts[j-1]) <= cut {
		above += h.Counts[j-1]
		j--
	}
	lo = max(float32(h.Edge(i)), h.Min)
	hi = min(float32(h.Edge(j)), h.Max)
	return lo, max(lo, hi)
}

// EntropyThreshold picks a clipping threshold t for values whose absolute
// values h counts (h.Lo = 0), to be quantized with levels steps over
// [0, t]. Each candidate t = h.Edge(i), i from levels to len(h.Counts),
// folds the counts above t into the last bin kept (the reference
// distribution P), and merges the i bins kept into levels groups (bin k
// in group k*levels/i), spreading each group's count evenly over its bins
// that P holds values in (the candidate Q). The t whose Q is closest to P
// in Kullback-Leibler divergence (the sum of P ln(P/Q) where P is not 0;
// infinite where Q is 0 and P is not) wins, the smallest on ties. With
// fewer bins than levels nothing is clipped: t is h.Hi.
//
// The divergence of each candidate is computed from prefix sums of the
// counts, of the non-empty bins and of c·ln c, in time proportional to
// levels: P ln P sums to (Σ c ln c)/N - ln N over the bins, and Q is
// constant within a group.
func EntropyThreshold(h *Histogram, levels int) float64 {
	bins := len(h.Counts)
	if levels < 1 || bins <= levels || h.total() == 0 {
		return h.Hi
	}
	cum := make([]float64, bins+1) // counts below bin k
	nz := make([]int, bins+1)      // non-empty bins below bin k
	cln := make([]float64, bins+1) // c ln c below bin k
	for k, c := range h.Counts {
		f := float64(c)
		cum[k+1], nz[k+1], cln[k+1] = cum[k]+f, nz[k], cln[k]
		if c != 0 {
			nz[k+1]++
			cln[k+1] += f * math.Log(f)
		}
	}
	n := cum[bins]
	best, bestAt := math.Inf(1), bins
candidates:
	for i := levels; i <= bins; i++ {
		out := n - cum[i]                    // folded into bin i-1
		last := float64(h.Counts[i-1]) + out // P's count in bin i-1
		plnp := cln[i-1]
		if last > 0 {
			plnp += last * math.Log(last)
		}
		d := plnp/n - math.Log(n)
		kept := cum[i] // Q's total
		for g := range levels {
			start, end := g*i/levels, (g+1)*i/levels
			sum, p, nonzero := cum[end]-cum[start], cum[end]-cum[start], nz[end]-nz[start]
			if end == i {
				p += out
				if h.Counts[i-1] == 0 && last > 0 {
					nonzero++
				}
			}
			switch {
			case p == 0:
				continue
			case sum == 0: // P has values where Q has none
				continue candidates
			}
			d -= p / n * math.Log(sum/(float64(nonzero)*kept))
		}
		if d < best {
			best, bestAt = d, i
		}
	}
	return h.Edge(bestAt)
}
