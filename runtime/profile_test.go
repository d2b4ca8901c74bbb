package runtime

import (
	"context"
	"testing"

	"github.com/edgeinfer/edgeinfer/ops"
)

// TestRunProfiled checks that a profile names every step of the plan, in
// order, with the time of each summed over the runs, and that profiled
// runs compute what plain runs do.
func TestRunProfiled(t *testing.T) {
	m := load(t, chainModel())
	x := randTensor(newRand(5), 2, 3, 8)
	want := run(t, m, x)[0]
	var prof Profile
	s := m.NewSession()
	for range 3 {
		out, err := s.RunProfiled(context.Background(), []*ops.Tensor{x}, &prof)
		if err != nil {
			t.Fatal(err)
		}
		closeTo(t, "profiled output", out[0], want, 0, 0)
	}
	p := planOf(t, m, x)
	if prof.Runs != 3 || len(prof.Steps) != len(p.steps) {
		t.Fatalf("profile of %d runs, %d steps; want 3 runs of the plan's %d steps", prof.Runs, len(prof.Steps), len(p.steps))
	}
	var sum int64
	for i, st := range prof.Steps {
		if want := stepTypes(p)[i]; st.OpType != p.steps[i].key.n.proto.OpType || st.Time <= 0 {
			t.Errorf("step %d: %s (%v), want %s with a time", i, st.OpType, st.Time, want)
		}
		sum += int64(st.Time)
	}
	if prof.Total <= 0 || prof.Between() < 0 || int64(prof.Total) < sum {
		t.Errorf("total %v, steps %v, between %v", prof.Total, sum, prof.Between())
	}
}
