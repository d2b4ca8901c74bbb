package quantize

import (
	"math"
	"testing"
)

func TestRangeOf(t *testing.T) {
	s := newStats([]string{"x"})["x"]
	if err := s.extremes(fromF32(-1.5, 0, 2, 7)); err != nil {
		t.Fatal(err)
	}
	if got := s.rangeOf(MinMax, 0); got != [2]float32{-1.5, 7} {
		t.Errorf("minmax range %v, want [-1.5 7]", got)
	}
	if err := s.extremes(fromF32(float32(math.NaN()))); err == nil {
		t.Error("NaN value: no error")
	}
	// Entropy maps its threshold t on |x| to [max(min, -t), min(max, t)].
	s.hist = &Histogram{Lo: 0, Hi: 4, Counts: []int64{6, 2, 1, 1}}
	s.min, s.max = -1.5, 4
	if got := s.rangeOf(Entropy, 0); got != [2]float32{-1.5, 4} { // 128 levels (two signs) > 4 bins: no clipping
		t.Errorf("entropy range %v, want [-1.5 4]", got)
	}
}
