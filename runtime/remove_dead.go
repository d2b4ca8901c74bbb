package runtime

// removeDeadSteps drops the steps none of whose outputs is read by a later
// step or is an output of the plan (for example what fed only folded nodes).
func (pl *planner) removeDeadSteps() {
	live := make([]bool, len(pl.vals))
	for _, id := range pl.outputs() {
		live[id] = true
	}
	for i := len(pl.steps) - 1; i >= 0; i-- {
		s := pl.steps[i]
		used := false
		for _, id := range s.out {
			used = used || live[id]
		}
		if !used {
			pl.steps[i] = nil
			continue
		}
		for _, id := range s.in {
			if id >= 0 {
				live[id] = true
			}
		}
	}
	pl.compact()
}
