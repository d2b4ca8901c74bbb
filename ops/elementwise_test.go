package ops

import (
	"math"
	"testing"
)

func TestBcPlanMerges(t *testing.T) {
	cases := []struct {
		out, a, b    []int
		dims, sa, sb []int
		what         string
	}{
		{sh(2, 3, 4), sh(2, 3, 4), sh(2, 3, 4), sh(24), sh(1), sh(1), "same shape"},
		{sh(2, 3, 4), sh(2, 3, 4), sh(), sh(24), sh(1), sh(0), "scalar b"},
		{sh(2, 3, 4), sh(1), sh(2, 3, 4), sh(24), sh(0), sh(1), "one-element a"},
		{sh(2, 8, 5, 5), sh(2, 8, 5, 5), sh(8, 1, 1), sh(2, 8, 25), sh(200, 25, 1), sh(0, 1, 0), "per-channel bias"},
		{sh(1, 8, 1, 1), sh(1, 8, 1, 1), sh(8, 1, 1), sh(8), sh(1), sh(1), "size-1 dims dropped"},
		{sh(3, 4), sh(3, 1), sh(1, 4), sh(3, 4), sh(1, 0), sh(0, 1), "outer product"},
		{sh(), sh(), sh(), sh(1), sh(0), sh(0), "scalars"},
	}
	for _, c := range cases {
		p := NewBroadcastPlan(c.out, c.a, c.b)
		if !SameShape(p.dims, c.dims) || !SameShape(p.sa, c.sa) || !SameShape(p.sb, c.sb) {
			t.Errorf("%s: plan %v %v %v, want %v %v %v", c.what, p.dims, p.sa, p.sb, c.dims, c.sa, c.sb)
		}
	}
}

func TestEwLimits(t *testing.T) {
	if lo, hi := TypeLimits[int8](); lo != -128 || hi != 127 {
		t.Errorf("int8 limits %d %d", lo, hi)
	}
	if lo, hi := TypeLimits[uint16](); lo != 0 || hi != 65535 {
		t.Errorf("uint16 limits %d %d", lo, hi)
	}
	if lo, hi := TypeLimits[int64](); lo != -1<<63 || hi != 1<<63-1 {
		t.Errorf("int64 limits %d %d", lo, hi)
	}
	if lo, hi := TypeLimits[uint64](); lo != 0 || hi != 1<<64-1 {
		t.Errorf("uint64 limits %d %d", lo, hi)
	}
	if lo, hi := TypeLimits[float32](); !math.IsInf(float64(lo), -1) || !math.IsInf(float64(hi), 1) {
		t.Errorf("float32 limits %g %g", lo, hi)
	}
}

// sh is a shape literal.
func sh(d ...int) []int { return d }
