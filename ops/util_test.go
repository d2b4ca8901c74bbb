package ops

import "testing"

func TestBroadcastShape(t *testing.T) {
	cases := []struct {
		a, b, want []int
		ok         bool
	}{
		{[]int{2, 3, 4, 5}, []int{}, []int{2, 3, 4, 5}, true},
		{[]int{2, 3, 4, 5}, []int{5}, []int{2, 3, 4, 5}, true},
		{[]int{4, 5}, []int{2, 3, 4, 5}, []int{2, 3, 4, 5}, true},
		{[]int{1, 4, 5}, []int{2, 3, 1, 1}, []int{2, 3, 4, 5}, true},
		{[]int{3, 4, 5}, []int{2, 1, 1, 1}, []int{2, 3, 4, 5}, true},
		{[]int{2, 3}, []int{3, 2}, nil, false},
	}
	for _, c := range cases {
		got, err := BroadcastShape(c.a, c.b)
		if (err == nil) != c.ok || (c.ok && !SameShape(got, c.want)) {
			t.Errorf("BroadcastShape(%v, %v) = %v, %v; want %v ok=%v", c.a, c.b, got, err, c.want, c.ok)
		}
	}
}

func TestNormAxis(t *testing.T) {
	if a, err := NormAxis(-1, 4); err != nil || a != 3 {
		t.Errorf("normAxis(-1,4) = %d, %v", a, err)
	}
	if _, err := NormAxis(4, 4); err == nil {
		t.Error("normAxis(4,4) accepted")
	}
	if _, err := NormAxis(-5, 4); err == nil {
		t.Error("normAxis(-5,4) accepted")
	}
}
