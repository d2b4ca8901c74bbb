package runtime

import (
	"context"
	"fmt"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Data-dependent shapes. A plan is made for known shapes, but some nodes'
// output shapes depend on values computed in the run: NonZero, Unique,
// NonMaxSuppression, Range of computed bounds, a Loop that runs until a
// computed condition... Their operators say so by wrapping
// ops.ErrNotConstant in Infer's error. Planning then stops before such a
// node X: the plan runs the nodes before it and keeps alive the values the
// rest of the graph reads (the frontier). In a run, X is computed with
// every input known (Infer sees the values, so it can give the shapes), and
// the nodes after X are planned for the shapes of the frontier and of X's
// outputs: a continuation, cached per shape like plans are per input shape,
// which may itself stop at a later node. Steady runs whose shapes repeat
// plan nothing; only X's outputs are allocated per run.

// segment is the part of the graph a plan covers: the nodes from first on,
// fed by inputs (the graph inputs for the root segment; the frontier and
// the outputs of the node run before it for a continuation).
type segment struct {
	first  int
	inputs []int
	consts []constVal // values computed while planning earlier segments
	root   bool       // the inputs are the graph's (converted from Float16, plan constants)
}

// constVal is a value id and its known Value.
type constVal struct {
	id int
	v  ops.Value
}

// rootSegment is the whole graph, fed by its inputs.
func (m *Model) rootSegment() *segment {
	return &segment{inputs: m.g.inputs, root: true}
}

// dynamic is where a plan stops: the node run with known inputs and how
// the plans of the rest are made.
type dynamic struct {
	node     *node
	frontier []int         // values the plan computes (or takes in) that the rest reads, in order
	xconst   []*ops.Tensor // per input of node: its constant, or nil when it is a frontier value
	next     segment       // the continuation's segment: frontier, then node's outputs
	plans    []*plan       // continuation plans, most recently used first (guarded by Model.mu)
}

// outputs are the values the plan being built must deliver: the graph
// outputs, or the frontier when the plan stops early.
func (pl *planner) outputs() []int {
	if pl.brk < 0 {
		return pl.g.outputs
	}
	var ids []int
	for id, f := range pl.frontier {
		if f {
			ids = append(ids, id)
		}
	}
	return ids
}

// isOut reports whether value id must survive the plan's steps.
func (pl *planner) isOut(id int) bool {
	return pl.g.isOut[id] || (pl.frontier != nil && pl.frontier[id])
}

// findFrontier marks, when the plan stops at pl.brk, the values computed or
// taken in before it that the rest of the graph reads or returns. Known
// values are not part of it: the continuation gets them as constants.
func (pl *planner) findFrontier() {
	if pl.brk < 0 {
		return
	}
	pl.frontier = make([]bool, len(pl.vals))
	mark := func(id int) {
		if id >= 0 && pl.vals[id].Type != onnx.Undefined && pl.vals[id].Const == nil {
			pl.frontier[id] = true
		}
	}
	for _, n := range pl.g.nodes[pl.brk:] {
		for _, id := range n.in {
			mark(id)
		}
	}
	for _, id := range pl.g.outputs {
		mark(id)
	}
}

// stopAt records in p where it stops and what the continuation needs.
func (pl *planner) stopAt(p *plan) error {
	x := pl.g.nodes[pl.brk]
	d := &dynamic{node: x, frontier: pl.outputs(), xconst: make([]*ops.Tensor, len(x.in))}
	for i, id := range x.in {
		if id >= 0 && !pl.frontier[id] {
			if pl.vals[id].Const == nil {
				return fmt.Errorf("%s: internal error: input %q is neither known nor computed before it", x.label(), pl.g.names[id])
			}
			if err := pl.materialize([]int{id}, nil); err != nil {
				return err
			}
			d.xconst[i] = pl.vals[id].Const
		}
	}
	d.next = segment{first: pl.brk + 1, inputs: slices.Concat(d.frontier, x.out), consts: slices.Clone(pl.seg.consts)}
	for id, known := range pl.planConst {
		if known && pl.vals[id].Const != nil && !slices.ContainsFunc(d.next.consts, func(c constVal) bool { return c.id == id }) {
			d.next.consts = append(d.next.consts, constVal{id, pl.vals[id]})
		}
	}
	p.dyn = d
	return nil
}

// continuation returns the plan of the nodes after d's node for the
// values args (d's frontier, then the node's outputs), from d's cache or
// newly built.
func (m *Model) continuation(d *dynamic, args []*ops.Tensor) (*plan, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, p := range d.plans {
		if p.matches(args) {
			copy(d.plans[1:i+1], d.plans[:i])
			d.plans[0] = p
			return p, nil
		}
	}
	spec := make([]inputSpec, len(args))
	for i, t := range args {
		spec[i] = inputSpec{typ: t.Type, shape: slices.Clone(t.Shape)}
	}
	p, err := m.buildPlan(&d.next, spec)
	if err != nil {
		return nil, err
	}
	m.releasePlanned(p)
	if len(d.plans) < planCacheSize {
		d.plans = append(d.plans, nil)
	}
	copy(d.plans[1:], d.plans)
	d.plans[0] = p
	return p, nil
}

// dynState is the part of a run state bound to a plan that stops early.
type dynState struct {
	xin  []*ops.Tensor // the stopping node's inputs
	args []*ops.Tensor // the continuation's inputs: frontier, then the node's outputs
	next *runState     // bound to the continuation last run
}

// bindDynamic prepares st, bound to p which stops early, to run the rest.
func (st *runState) bindDynamic(p *plan) {
	d := p.dyn
	ds := &dynState{xin: slices.Clone(d.xconst), args: make([]*ops.Tensor, len(d.next.inputs))}
	for i, id := range d.frontier {
		ds.args[i] = st.ptrs[id]
	}
	for i, id := range d.node.in {
		if id >= 0 && ds.xin[i] == nil {
			ds.xin[i] = st.ptrs[id]
		}
	}
	st.dyn = ds
}

// runDynamic computes the node st's plan stops at, then runs the
// continuation for the shapes that gives.
func (st *runState) runDynamic(ctx context.Context) error {
	d, ds := st.plan.dyn, st.dyn
	outs, err := st.m.evalNode(ctx, d.node, ds.xin)
	if err != nil {
		return err
	}
	copy(ds.args[len(d.frontier):], outs)
	c, err := st.m.continuation(d, ds.args)
	if err != nil {
		return err
	}
	if ds.next == nil {
		ds.next = &runState{}
	}
	if ds.next.plan != c {
		if err := ds.next.bind(st.m, c); err != nil {
			ds.next.plan = nil
			return err
		}
	}
	ds.next.times = nil
	if st.times != nil {
		ds.next.times = st.times.prof.timesFor(st.m, c)
	}
	return ds.next.run(ctx, ds.args)
}

// final is the run state whose results are the graph outputs: the last
// continuation's.
func (st *runState) final() *runState {
	for st.dyn != nil {
		st = st.dyn.next
	}
	return st
}

// evalNode computes node n on known inputs, whatever shapes that gives:
// through ops.Evaluator when the operator implements it, else by inferring
// the output shapes from the values and running the operator.
func (m *Model) evalNode(runCtx context.Context, n *node, in []*ops.Tensor) (_ []*ops.Tensor, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %w: %v", n.label(), ErrPanic, r)
		}
	}()
	ctx := &ops.Ctx{Par: m.pool, Context: runCtx, MaxTensorBytes: m.cfg.limits.MaxTensorBytes}
	if ev, ok := n.op.(ops.Evaluator); ok {
		outs, err := ev.Eval(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n.label(), err)
		}
		if len(outs) < len(n.out) {
			return nil, fmt.Errorf("%s: operator gives %d outputs, the node names %d", n.label(), len(outs), len(n.out))
		}
		for i, t := range outs[:len(n.out)] {
			if _, err := m.cfg.limits.checkValue(ops.Value{Type: t.Type, Shape: t.Shape}); err != nil {
				return nil, fmt.Errorf("%s: output %q: %w", n.label(), m.g.names[n.out[i]], err)
			}
		}
		return outs[:len(n.out)], nil
	}
	vals := make([]ops.Value, len(in))
	for i, t := range in {
		if t != nil {
			vals[i] = constValue(t)
		}
	}
	op := n.op
	if _, ok := op.(ops.Preparer); ok {
		// Prepare transforms inputs it takes as constants: a fresh
		// operator for these values, like a plan fed by plan constants.
		if op, err = m.buildOp(n); err != nil {
			return nil, err
		}
	}
	outv, err := op.Infer(vals)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n.label(), err)
	}
	if err := checkOutputs(n, outv); err != nil {
		return nil, err
	}
	if _, err := m.cfg.limits.checkOutputValues(n, m.g.names, outv); err != nil {
		return nil, err
	}
	if p, ok := op.(ops.Preparer); ok {
		m.setPrecision(op)
		if err := p.Prepare(vals); err != nil {
			return nil, fmt.Errorf("%s: %w", n.label(), err)
		}
	}
	outs := make([]*ops.Tensor, len(n.out))
	for i := range outs {
		outs[i] = ops.New(outv[i].Type, outv[i].Shape...)
	}
	if w, ok := op.(ops.Workspacer); ok {
		ws := w.Workspace(vals)
		if err := m.cfg.limits.checkWorkspace(n, ws); err != nil {
			return nil, err
		}
		ctx.Scratch = ops.AlignedBytes(ws)
	}
	if err := op.Run(ctx, in, outs); err != nil {
		return nil, fmt.Errorf("%s: %w", n.label(), err)
	}
	return outs, nil
}
