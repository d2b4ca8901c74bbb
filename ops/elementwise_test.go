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

// TestBcPlan3Walk checks Walk3's offsets against explicit index arithmetic
// for three operands, from every start and with runs cut at odd places.
func TestBcPlan3Walk(t *testing.T) {
	cases := [][4][]int{
		{sh(2, 3, 4), sh(2, 3, 4), sh(4), sh(3, 1)},
		{sh(2, 3, 4), sh(), sh(2, 1, 4), sh(1, 3, 1)},
		{sh(5), sh(5), sh(5), sh(5)},
		{sh(3, 1, 2), sh(3, 1, 1), sh(1, 1, 2), sh(3, 1, 2)},
		{sh(), sh(), sh(), sh()},
	}
	for _, c := range cases {
		out := c[0]
		p := NewBroadcastPlan3(out, c[1], c[2], c[3])
		n := NumElems(out)
		for lo := 0; lo < n; lo++ {
			for hi := lo + 1; hi <= n; hi += 3 {
				next := lo
				p.Walk3(lo, hi, func(o, m, ia, na, ib, nb, ic, nc int) {
					if o != next {
						t.Fatalf("%v: run at %d, want %d", c, o, next)
					}
					for j := 0; j < m; j++ {
						for k, off := range [3][2]int{{ia, na}, {ib, nb}, {ic, nc}} {
							got := off[0]
							if off[1] > 1 {
								got += j
							}
							if want := bcNaiveIndex(o+j, out, c[k+1]); got != want {
								t.Fatalf("%v: element %d of operand %d at %d, want %d", c, o+j, k, got, want)
							}
						}
					}
					next = o + m
				})
				if next != hi {
					t.Fatalf("%v: walk [%d,%d) stopped at %d", c, lo, hi, next)
				}
			}
		}
	}
}

// bcNaiveIndex is the offset in an operand of shape s of output element i.
func bcNaiveIndex(i int, out, s []int) int {
	st := Strides(s)
	off, pos := len(out)-len(s), 0
	for d := len(out) - 1; d >= 0; d-- {
		k := i % out[d]
		i /= out[d]
		if d >= off && s[d-off] != 1 {
			pos += k * st[d-off]
		}
	}
	return pos
}
