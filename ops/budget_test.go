package ops

import "testing"

func TestBudget(t *testing.T) {
	b := NewBudget(100)
	if !b.Take(40, 20) || b.Spent() != 40 {
		t.Fatalf("Take(40, 20) of 100: refused or spent %d, want granted and 40", b.Spent())
	}
	if b.Take(30, 11) {
		t.Fatal("Take(30, 11) with 40 left was granted")
	}
	if !b.Take(30, 10) || b.Spent() != 70 {
		t.Fatalf("Take(30, 10) with 40 left: refused or spent %d, want granted and 70", b.Spent())
	}
	if b.Take(1, 0) {
		t.Fatal("Take(1, 0) of an exhausted budget was granted")
	}
	if !b.Take(0, 0) {
		t.Fatal("Take(0, 0) was refused")
	}
	var none *Budget
	if !none.Take(1<<40, 1<<40) || none.Spent() != 0 {
		t.Fatal("a nil Budget must grant everything and report nothing spent")
	}
	if NewBudget(-5).Take(1, 0) {
		t.Fatal("a negative budget granted a byte")
	}
}
