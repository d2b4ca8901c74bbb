package runtime

import (
	"context"
	"time"

	"github.com/edgeinfer/edgeinfer/ops"
)

// Profile is the time each step of a model's plan took, summed over the
// runs of Session.RunProfiled: the tool to find where a model spends its
// time. Steps whose plan stops at a node of data-dependent shapes are
// followed by that node's continuation's steps.
type Profile struct {
	// Runs is the number of runs profiled.
	Runs int
	// Total is the wall time of those runs, from the first step to the
	// last; Total minus the steps' times is spent between steps.
	Total time.Duration
	// Steps are the kernels run, in plan order.
	Steps []StepProfile

	plans map[*plan]int // first index in Steps of each plan's steps
}

// StepProfile is one step of a Profile.
type StepProfile struct {
	StepInfo
	// Algorithm names how the kernel computes, for operators that choose
	// (ops.AlgorithmNamer): "winograd F(4x4,3x3)", "depthwise 3x3"...
	Algorithm string
	// Time is the step's time summed over the profiled runs.
	Time time.Duration
}

// Between is the time spent outside the steps: checks between steps,
// input conversion, output copies and planning continuations.
func (p *Profile) Between() time.Duration {
	t := p.Total
	for _, s := range p.Steps {
		t -= s.Time
	}
	return t
}

// RunProfiled is Run, adding the time of every step to prof. Timing costs
// two clock reads per step; runs without a profile pay nothing for it.
func (s *Session) RunProfiled(ctx context.Context, inputs []*ops.Tensor, prof *Profile) ([]*ops.Tensor, error) {
	if err := s.m.enter(); err != nil {
		return nil, err
	}
	defer s.m.leave()
	st, err := s.exec(ctx, inputs, prof)
	if err != nil {
		return nil, err
	}
	res := st.final().results
	s.put(st)
	return res, nil
}

// stepTimes is where a run state records its steps' times.
type stepTimes struct {
	prof  *Profile
	first int // index in prof.Steps of the plan's first step
}

// timesFor returns the recorder of p's steps in prof, adding them to it on
// first use.
func (prof *Profile) timesFor(m *Model, p *plan) *stepTimes {
	if prof.plans == nil {
		prof.plans = map[*plan]int{}
	}
	first, ok := prof.plans[p]
	if !ok {
		first = len(prof.Steps)
		prof.plans[p] = first
		for i := range p.steps {
			s := &p.steps[i]
			sp := StepProfile{StepInfo: p.info.Steps[i]}
			if a, ok := s.op.(ops.AlgorithmNamer); ok {
				sp.Algorithm = a.Algorithm(m.stepValues(p, s))
			}
			prof.Steps = append(prof.Steps, sp)
		}
	}
	return &stepTimes{prof: prof, first: first}
}

// stepValues are the Values step s of p was planned for.
func (m *Model) stepValues(p *plan, s *step) []ops.Value {
	in := make([]ops.Value, len(s.in))
	for j, id := range s.in {
		if id >= 0 {
			sl := p.slots[id]
			in[j] = ops.Value{Type: sl.typ, Shape: sl.shape}
			if sl.kind == slotConst {
				in[j].Const = sl.c
			}
		}
	}
	return in
}
