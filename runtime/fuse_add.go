package runtime

import "github.com/edgeinfer/edgeinfer/ops"

// fuseAdds merges a residual Add into the operator computing one of its
// inputs when that operator can add a tensor to its output as it stores it
// (ops.AddFuser, i.e. Conv): Add(Conv(x), y) becomes one Conv step that
// takes y as an extra, last input. The Conv's output must feed only the Add
// and not be a graph output, and y must have the Conv output's type and
// shape (no broadcasting). The fused step takes the Add's place in the
// order, where y is known to be computed. Runs before fuseActivations, so
// that the activation after the Add can then be fused too.
func (pl *planner) fuseAdds() {
	uses := pl.consumers()
	producer := pl.producers()
	for i, s := range pl.steps {
		pl.at = s.key.n.proto
		if !s.key.n.is("Add") || len(s.fused) > 0 || len(s.in) != 2 || len(s.out) != 1 {
			continue
		}
		for side := range 2 {
			v, y := s.in[side], s.in[1-side]
			ci, ok := producer[v]
			if !ok || y < 0 || y == v || uses[v] != 1 || pl.isOut(v) {
				continue
			}
			c := pl.steps[ci]
			if c == nil || c.key.add || c.key.act.Kind != ops.ActNone || len(c.out) != 1 {
				continue
			}
			if pl.vals[y].Type != pl.vals[v].Type || !ops.SameShape(pl.vals[y].Shape, pl.vals[v].Shape) {
				continue
			}
			k := c.key
			k.add = true
			if pl.m.variant(k) == nil {
				continue
			}
			pl.steps[ci] = nil
			pl.steps[i] = &step{
				key:   k,
				fused: append(append([]*node{}, c.fused...), s.key.n),
				in:    append(append([]int{}, c.in...), y),
				out:   s.out,
			}
			producer[s.out[0]] = i
			break
		}
	}
	pl.compact()
}
