package runtime

import (
	"fmt"
	"runtime/debug"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Dropping pages of the model file is only advice to the operating system:
// a page read again (by a later plan preparing an operator anew, or through
// Proto) is read back from the file, so nothing is lost if it fails, and
// its error is ignored.

// releaseUnloaded lets the operating system drop the pages of the model file
// holding initializers the loaded graph does not read: those copied at load
// (raw data not aligned for its element type) and those folded into other
// constants (a Conv's weights merged with its BatchNormalization, and the
// normalization's parameters).
func (m *Model) releaseUnloaded() {
	var keep [][]byte
	reads := m.g.uses()
	for id, c := range m.g.consts {
		if c != nil && (reads[id] > 0 || m.g.isOut[id]) {
			keep = append(keep, c.Data)
		}
	}
	m.releaseInitializers(keep)
}

// releasePlanned lets the operating system drop the pages of the model file
// holding initializers no step of p reads, in particular those an operator
// copied when it was prepared and declares released (ops.Releaser: packed
// weights), so that packed weights replace the raw ones in memory instead
// of doubling it.
func (m *Model) releasePlanned(p *plan) {
	var keep [][]byte
	for _, s := range p.steps {
		released := releasedBy(s.op)
		for j, id := range s.in {
			if id >= 0 && p.slots[id].kind == slotConst && !slices.Contains(released, j) {
				keep = append(keep, p.slots[id].c.Data)
			}
		}
	}
	for _, o := range p.outputs {
		if p.slots[o.id].kind == slotConst {
			keep = append(keep, p.slots[o.id].c.Data)
		}
	}
	m.releaseInitializers(keep)
}

// releasePrepared drops the file pages of the constant inputs op declares
// released (ops.Releaser) as soon as it is prepared, so that packing a
// model's weights one operator after the other never holds the raw and the
// packed copy of them all at once. Another step reading the same bytes
// reads them back from the file (releasePlanned then keeps them).
func (m *Model) releasePrepared(op ops.Op, in []ops.Value) {
	if m.proto == nil {
		return
	}
	var bufs [][]byte
	for _, j := range releasedBy(op) {
		if j >= 0 && j < len(in) && in[j].Const != nil {
			bufs = append(bufs, in[j].Const.Data)
		}
	}
	m.proto.Release(bufs...)
}

// releaseInitializers drops the file pages of every initializer that
// shares no byte with keep.
func (m *Model) releaseInitializers(keep [][]byte) {
	if m.proto == nil || m.proto.Graph == nil {
		return
	}
	var bufs [][]byte
	for _, t := range m.proto.Graph.Initializer {
		b := t.RawData
		if len(t.External) > 0 {
			b, _ = t.Bytes(m.proto.Dir)
		}
		if len(b) > 0 && !slices.ContainsFunc(keep, func(k []byte) bool { return overlap(k, b) }) {
			bufs = append(bufs, b)
		}
	}
	m.proto.Release(bufs...)
}

// Constants the loaded graph holds in memory of its own (initializers
// copied at load because their raw data was not aligned, and those
// computed at load: folded, or Conv weights merged with a
// BatchNormalization) are dropped once the operators reading them hold
// copies of their own (ops.Releaser), so that the garbage collector frees
// them. The graph keeps a stub of each (its type and shape, no data),
// which is what later plans infer shapes from. A plan that needs the data
// again (an operator prepared anew: a fusion another plan did not make, or
// one fed by a plan constant; a node folded in this plan) gets it back
// from the model as loaded (materialize), the graph being rebuilt from it
// exactly as at load.

// dropUnread drops the graph's own copies of constants that nothing
// reads: no node (they were folded into others) and no graph output.
func (m *Model) dropUnread() {
	g := m.g
	reads := g.uses()
	for id := range g.consts {
		if reads[id] == 0 && !g.isOut[id] {
			m.drop(id)
		}
	}
}

// dropReleased drops, once step s of the plan being built is resolved, the
// graph's own copies of constants every reading node of which is a step
// resolved so far whose operator declares the input released, so that a
// plan packing a model's weights one operator after the other frees each
// raw copy as soon as it is packed. Nodes that are not steps of the plan
// (folded, fused into another step) keep what they read: their operators
// may read it while inferring shapes.
func (pl *planner) dropReleased(s *step) {
	g := pl.g
	if pl.freed == nil {
		pl.freed, pl.reads = make([]int, len(g.names)), g.uses()
	}
	for _, j := range releasedBy(s.op) {
		if j < 0 || j >= len(s.key.n.in) || s.in[j] < 0 || s.in[j] != s.key.n.in[j] {
			continue
		}
		id := s.in[j]
		if pl.freed[id]++; pl.freed[id] == pl.reads[id] && !g.isOut[id] {
			var n int
			if c := g.consts[id]; c != nil {
				n = len(c.Data)
			}
			pl.m.drop(id)
			if pl.m.dropped[id] {
				pl.vals[id].Const = g.consts[id]
				pl.garbage += n
			}
		}
	}
	pl.collect(collectEvery)
}

// collect collects garbage when at least min bytes of constants were
// dropped since the last collection. The garbage collector would let the
// heap grow to twice what it held live at its last cycle before
// reclaiming the copies dropped: with a model's raw weights copied at
// load (unaligned in the file) and their packed forms made by the plan,
// that doubles peak memory. A collection every collectEvery bytes dropped
// while the plan is made, and one at its end, returning the freed pages
// to the operating system (a plain collection keeps them resident until
// the scavenger's slow pace gets to them), lets the packed weights replace
// the copies in memory instead: ResNet-50's peak fell from 164 to 140 MiB.
// Every 4 MiB rather than 16 took another 3 MiB off it: the garbage a
// collection leaves is part of the peak.
func (pl *planner) collect(min int) {
	if pl.garbage >= min {
		pl.garbage = 0
		debug.FreeOSMemory()
	}
}

// collectEvery is how many bytes of dropped constants make the planner
// collect garbage.
const collectEvery = 4 << 20

// drop replaces constant id by a stub when its data is memory of the
// graph's own, not part of the model as loaded. m.mu must be held, or the
// model not yet shared.
func (m *Model) drop(id int) {
	c := m.g.consts[id]
	if c == nil || m.dropped[id] || len(c.Data) == 0 || m.inModel(c.Data) {
		return
	}
	m.g.consts[id] = &ops.Tensor{Type: c.Type, Shape: c.Shape}
	m.dropped[id] = true
}

// inModel reports whether b shares memory with an initializer's raw data
// (the mapped file, or the caller's in-memory model), which stays
// reachable as long as the model does.
func (m *Model) inModel(b []byte) bool {
	if m.proto == nil || m.proto.Graph == nil {
		return false
	}
	return slices.ContainsFunc(m.proto.Graph.Initializer, func(t *onnx.Tensor) bool { return overlap(t.RawData, b) })
}

// releasedBy lists the inputs op declares released (ops.Releaser).
func releasedBy(op ops.Op) []int {
	if r, ok := op.(ops.Releaser); ok {
		return r.Released()
	}
	return nil
}

// materialize gives the Values in of the value ids ids (in may be nil)
// the data of every dropped constant among them, and puts it back in the
// graph (a later dropReleased drops it again when it may). The data comes
// from the graph rebuilt from the model as loaded, once per plan.
func (pl *planner) materialize(ids []int, in []ops.Value) error {
	m := pl.m
	for i, id := range ids {
		if id < 0 || !m.dropped[id] {
			continue
		}
		if pl.recovered == nil {
			g, err := m.rebuild()
			if err != nil {
				return fmt.Errorf("recovering the dropped copy of constant %q: %w", m.g.names[id], err)
			}
			pl.recovered = g
		}
		r, stub := pl.recovered, m.g.consts[id]
		if id >= len(r.names) || r.names[id] != m.g.names[id] || r.consts[id] == nil ||
			r.consts[id].Type != stub.Type || !ops.SameShape(r.consts[id].Shape, stub.Shape) {
			return fmt.Errorf("internal error: constant %q is not the same when the model is loaded again", m.g.names[id])
		}
		c := r.consts[id]
		m.g.consts[id] = c
		delete(m.dropped, id)
		pl.vals[id].Const = c
		if in != nil {
			in[i].Const = c
		}
	}
	return nil
}

// rebuild loads the model's graph again as LoadModel did.
func (m *Model) rebuild() (*graph, error) {
	order, err := validate(m.proto, m.cfg.limits)
	if err != nil {
		return nil, err
	}
	g, err := buildGraph(m.proto, order, m.cfg, m.pool)
	if err != nil {
		return nil, err
	}
	if m.cfg.optimize {
		if err := simplify(g, m.cfg); err != nil {
			return nil, err
		}
	}
	return g, nil
}
