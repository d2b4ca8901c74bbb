package runtime

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// inputSpec is what a plan is made for, per graph input: the type and shape
// given, and the value when the input is a plan constant.
type inputSpec struct {
	typ   ops.DType
	shape []int
	value []byte
}

// maxConstInput is the most elements an integer graph input may have to be
// treated as a plan constant (see the package documentation).
const maxConstInput = 64

// planConstInput reports whether a graph input of type t and this shape is a plan constant.
func planConstInput(t ops.DType, shape []int) bool {
	switch t {
	case onnx.Int8, onnx.Int16, onnx.Int32, onnx.Int64, onnx.Uint8, onnx.Uint16, onnx.Uint32, onnx.Uint64:
		return ops.NumElems(shape) <= maxConstInput
	}
	return false
}

// specOf describes inputs for planning, copying what the plan keeps. The
// models of graph attributes take no plan constants: a Loop's iteration
// number would make a plan per iteration; a node needing such a value
// runs when it is known instead (dynamic.go).
func (m *Model) specOf(inputs []*ops.Tensor) []inputSpec {
	spec := make([]inputSpec, len(inputs))
	for i, t := range inputs {
		spec[i] = inputSpec{typ: t.Type, shape: append([]int{}, t.Shape...)}
		if !m.attr && planConstInput(t.Type, t.Shape) {
			spec[i].value = append([]byte{}, t.Data[:ops.NumElems(t.Shape)*ops.ElemSize(t.Type)]...)
		}
	}
	return spec
}

// slotKind says where a value lives during a run.
type slotKind uint8

const (
	slotUnused slotKind = iota
	slotArena           // in the run state's arena at off
	slotConst           // a constant tensor shared by all runs
	slotInput           // the caller's input tensor
)

// slot is where a value lives during a run and its type and shape there.
type slot struct {
	kind  slotKind
	typ   ops.DType
	shape []int
	off   int64
	size  int64
	buf   int   // buffer index while planning
	sub   int64 // offset inside the buffer (views.go)
	c     *ops.Tensor
}

// inputSlot is how a graph input enters a run.
type inputSlot struct {
	id      int
	convert bool // copied (and widened from Float16/BFloat16) into the arena
}

// outMode is how a graph output leaves a run.
type outMode uint8

const (
	outDirect outMode = iota // the value's arena tensor itself
	outCopy                  // copied into an arena region of its own (constants, inputs)
	outNarrow                // rounded to the declared Float16/BFloat16 into its own region
)

// outputSlot is how a graph output leaves a run.
type outputSlot struct {
	id   int
	mode outMode
	typ  ops.DType // type returned (outCopy, outNarrow)
	off  int64     // region of outCopy and outNarrow
	size int64
	buf  int
}

// step is one kernel call of a plan: a node, possibly with nodes fused into it.
type step struct {
	key   variantKey
	fused []*node
	op    ops.Op
	in    []int
	out   []int
}

// label names the step in messages: its node, and the nodes fused into it.
func (s *step) label() string {
	l := s.key.n.label()
	if len(s.fused) == 0 {
		return l
	}
	fl := make([]string, len(s.fused))
	for i, f := range s.fused {
		fl[i] = f.label()
	}
	return l + " (fused with " + strings.Join(fl, ", ") + ")"
}

// plan is what runs need for one set of input shapes (and plan-constant
// values). It is immutable once built and shared by every run state, but
// for the cache of its continuations (see dynamic.go).
type plan struct {
	key     []inputSpec
	seg     *segment // where the plan starts and what enters it
	dyn     *dynamic // non-nil when the plan stops at a node of data-dependent shapes
	steps   []step
	slots   []slot // by value id
	inputs  []inputSlot
	outputs []outputSlot
	arena   int64 // bytes
	scratch int64 // bytes
	info    PlanInfo
}

// matches reports whether p was made for inputs (which passed checkInputs).
func (p *plan) matches(inputs []*ops.Tensor) bool {
	for i, t := range inputs {
		k := &p.key[i]
		if t.Type != k.typ || !ops.SameShape(t.Shape, k.shape) {
			return false
		}
		if k.value != nil && !bytes.Equal(k.value, t.Data[:len(k.value)]) {
			return false
		}
	}
	return true
}

// planner holds the state of one plan being built.
type planner struct {
	m         *Model
	g         *graph
	seg       *segment
	brk       int         // index in g.nodes of the node the plan stops before, or -1
	frontier  []bool      // by value id: computed here and read after brk (brk >= 0 only)
	vals      []ops.Value // by value id
	planConst []bool      // the value's Const was computed for this plan
	steps     []*step
	folded    int
	at        *onnx.Node // the node being processed, named if operator code panics
	recovered *graph     // the graph loaded again, once a dropped constant is needed
	reads     []int      // node input slots reading each value (dropReleased)
	freed     []int      // of those, the ones of resolved steps that released it
	garbage   int        // bytes of constants dropped since the last collection (dropReleased)
}

// planFor returns the plan for inputs, from the cache or newly built.
func (m *Model) planFor(inputs []*ops.Tensor) (*plan, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, p := range m.plans {
		if p.matches(inputs) {
			copy(m.plans[1:i+1], m.plans[:i])
			m.plans[0] = p
			return p, nil
		}
	}
	p, err := m.buildPlan(m.rootSegment(), m.specOf(inputs))
	if err != nil {
		return nil, err
	}
	m.releasePlanned(p)
	if len(m.plans) < planCacheSize {
		m.plans = append(m.plans, nil)
	}
	copy(m.plans[1:], m.plans)
	m.plans[0] = p
	return p, nil
}

// buildPlan infers, folds, fuses and lays out the nodes of seg for spec
// (one entry per segment input). m.mu must be held.
func (m *Model) buildPlan(seg *segment, spec []inputSpec) (_ *plan, err error) {
	g := m.g
	pl := &planner{m: m, g: g, seg: seg, brk: -1, vals: make([]ops.Value, len(g.names)), planConst: make([]bool, len(g.names))}
	defer recoverOps(&err, &pl.at)
	for id, c := range g.consts {
		if c != nil {
			pl.vals[id] = constValue(c)
		}
	}
	for _, c := range seg.consts {
		pl.vals[c.id], pl.planConst[c.id] = c.v, true
	}
	for i, id := range seg.inputs {
		s := spec[i]
		v := ops.Value{Type: s.typ, Shape: s.shape}
		if isHalf(v.Type) {
			v.Type = onnx.Float
		}
		if s.value != nil {
			t := &ops.Tensor{Type: s.typ, Shape: s.shape, Data: ops.AlignedBytes(len(s.value))}
			copy(t.Data, s.value)
			v.Const = t
			pl.planConst[id] = true
		}
		pl.vals[id] = v
	}
	if err := pl.foldPlanConstants(); err != nil {
		return nil, err
	}
	pl.findFrontier()
	if m.cfg.optimize {
		pl.fuseAdds()
		pl.fuseActivations()
		pl.removeDeadSteps()
	}
	if m.prep == nil {
		m.prep = ops.NewBudget(pl.budget())
	}
	if err := pl.resolveSteps(); err != nil {
		return nil, err
	}
	p := &plan{key: spec, seg: seg}
	if err := pl.layout(p); err != nil {
		return nil, err
	}
	p.info = pl.info(p)
	p.info.TransformedBytes = m.prep.Spent()
	consts := p.info.ConstBytes + p.info.TransformedBytes
	if lim := m.cfg.limits.MaxMemory; p.arena > lim-p.scratch-consts {
		return nil, limitError("MaxMemory", p.arena+p.scratch+consts, lim, "plan needs %d bytes (arena %d, scratch %d, constants %d and their transformed forms %d), over the memory limit of %d (Limits.MaxMemory)",
			p.arena+p.scratch+consts, p.arena, p.scratch, p.info.ConstBytes, p.info.TransformedBytes, lim)
	}
	return p, nil
}

// budget is what the model's prepared forms of constants may take beyond
// the constants (ops.Budget), decided before the steps are prepared, when
// the arena and scratch space are not known yet: Limits.MaxMemory less
// the constants, every step output's size (a bound of the arena, where
// the plan's layout shares memory among them) and the largest scratch
// space a step asks for before its constants are prepared. The limit
// check after the layout counts the transformed forms with the rest.
func (pl *planner) budget() int64 {
	lim := pl.m.cfg.limits.MaxMemory
	left := lim - pl.m.constBytes
	work := 0
	for _, s := range pl.steps {
		for _, id := range s.out {
			if v := pl.vals[id]; v.Const == nil && v.Shape != nil {
				left -= int64(ops.NumElems(v.Shape) * ops.ElemSize(v.Type))
			}
		}
		if w, ok := pl.m.variant(s.key).(ops.Workspacer); ok {
			work = max(work, w.Workspace(inputValues(pl.vals, s.in)))
		}
	}
	return left - int64(work)
}

// resolveSteps gives every step its prepared operator; a fused step's
// outputs are inferred again with the fused operator, which checks them.
func (pl *planner) resolveSteps() error {
	for _, s := range pl.steps {
		pl.at = s.key.n.proto
		in := inputValues(pl.vals, s.in)
		if len(s.fused) > 0 {
			outv, err := pl.m.variant(s.key).Infer(in)
			if err != nil {
				return fmt.Errorf("%s: %w", s.label(), err)
			}
			if len(outv) < len(s.out) {
				return fmt.Errorf("%s: fused operator gives %d outputs, want %d", s.label(), len(outv), len(s.out))
			}
			for i, id := range s.out {
				if _, err := pl.m.cfg.limits.checkValue(outv[i]); err != nil {
					return fmt.Errorf("%s: output %q: %w", s.label(), pl.g.names[id], err)
				}
				pl.vals[id] = outv[i]
			}
		}
		op, err := pl.resolve(s.key, s.in, in)
		if err != nil {
			return err
		}
		s.op = op
		pl.m.releasePrepared(op, in)
		pl.dropReleased(s)
	}
	pl.collect(1)
	return nil
}

// consumers counts, for each value, the step input slots that read it.
func (pl *planner) consumers() []int {
	u := make([]int, len(pl.vals))
	for _, s := range pl.steps {
		for _, id := range s.in {
			if id >= 0 {
				u[id]++
			}
		}
	}
	return u
}

// producers maps each value computed by a step to that step's index.
func (pl *planner) producers() map[int]int {
	p := map[int]int{}
	for i, s := range pl.steps {
		for _, id := range s.out {
			p[id] = i
		}
	}
	return p
}

// compact drops the steps a pass set to nil.
func (pl *planner) compact() {
	kept := pl.steps[:0]
	for _, s := range pl.steps {
		if s != nil {
			kept = append(kept, s)
		}
	}
	pl.steps = kept
}

// valueBytes is the size of a value's elements.
func valueBytes(v ops.Value) int64 {
	return int64(ops.NumElems(v.Shape)) * int64(ops.ElemSize(v.Type))
}

// layout decides where every value lives during a run and packs the arena.
// Positions in time: 0 is the conversion of inputs, step i runs at i+1 and
// the outputs are finished at len(steps)+1.
func (pl *planner) layout(p *plan) error {
	g, vals := pl.g, pl.vals
	end := len(pl.steps) + 1
	p.slots = make([]slot, len(vals))
	last := make([]int, len(vals))
	for i, s := range pl.steps {
		for _, id := range s.in {
			if id >= 0 {
				last[id] = i + 1
			}
		}
	}
	for _, id := range pl.outputs() {
		last[id] = end
	}
	var bufs []*buffer
	alloc := func(size int64, first, last int) int {
		bufs = append(bufs, &buffer{size: align64(size), first: first, last: max(first, last)})
		return len(bufs) - 1
	}
	arenaValue := func(id, first int) {
		v := vals[id]
		size := valueBytes(v)
		p.slots[id] = slot{kind: slotArena, typ: v.Type, shape: v.Shape, size: size, buf: alloc(size, first, last[id])}
	}
	vw, members := pl.placeViews()
	groupBuf := pl.groupBuffers(vw, members, last, alloc)

	for k, id := range pl.seg.inputs {
		in := inputSlot{id: id}
		switch {
		case p.key[k].value != nil:
			p.slots[id] = slot{kind: slotConst, typ: vals[id].Type, shape: vals[id].Shape, c: vals[id].Const}
		case pl.seg.root && (isHalf(p.key[k].typ) || isHalf(g.inInfo[k].Type)):
			in.convert = true
			arenaValue(id, 0)
		default:
			p.slots[id] = slot{kind: slotInput, typ: vals[id].Type, shape: vals[id].Shape}
		}
		p.inputs = append(p.inputs, in)
	}

	byStep := make([]bool, len(vals))
	read := pl.dataRead()
	for i, s := range pl.steps {
		pl.at = s.key.n.proto
		pos := i + 1
		in := inputValues(vals, s.in)
		for _, id := range s.in {
			if id >= 0 && p.slots[id].kind == slotUnused {
				v := vals[id]
				if v.Const == nil {
					return fmt.Errorf("%s: internal error: input %q has no storage", s.label(), g.names[id])
				}
				c := &ops.Tensor{Type: v.Type, Shape: v.Shape} // the operators read copies of their own
				if read[id] {
					if err := pl.materialize([]int{id}, nil); err != nil {
						return err
					}
					c = vals[id].Const
				}
				p.slots[id] = slot{kind: slotConst, typ: v.Type, shape: v.Shape, c: c}
			}
		}
		for j, id := range s.out {
			if ops.ElemSize(vals[id].Type) == 0 {
				return fmt.Errorf("%s: output %q has type %s, which cannot be computed", s.label(), g.names[id], ops.TypeName(vals[id].Type))
			}
			if vw.grouped(id, members) {
				r, at := vw.root(id)
				v := vals[id]
				p.slots[id] = slot{kind: slotArena, typ: v.Type, shape: v.Shape, size: valueBytes(v), buf: groupBuf[r], sub: at}
				byStep[id] = true
				continue
			}
			if j == 0 {
				if x := pl.inPlace(s, in, byStep, last, pos); x >= 0 && !vw.grouped(x, members) {
					b := p.slots[x].buf
					bufs[b].last = max(bufs[b].last, last[id])
					v := vals[id]
					p.slots[id] = slot{kind: slotArena, typ: v.Type, shape: v.Shape, size: valueBytes(v), buf: b}
					byStep[id] = true
					continue
				}
			}
			arenaValue(id, pos)
			byStep[id] = true
		}
		if w, ok := s.op.(ops.Workspacer); ok {
			ws := w.Workspace(in)
			if err := pl.m.cfg.limits.checkWorkspace(s.key.n, ws); err != nil {
				return err
			}
			p.scratch = max(p.scratch, align64(int64(ws)))
		}
		p.steps = append(p.steps, *s)
	}

	if pl.brk >= 0 {
		if err := pl.stopAt(p); err != nil {
			return err
		}
	}
	for k, id := range g.outputs {
		if pl.brk >= 0 {
			break // the last segment returns the outputs
		}
		o := outputSlot{id: id, typ: vals[id].Type}
		sl := &p.slots[id]
		if sl.kind == slotUnused {
			if vals[id].Const == nil {
				return fmt.Errorf("internal error: graph output %q has no storage", g.names[id])
			}
			*sl = slot{kind: slotConst, typ: vals[id].Type, shape: vals[id].Shape, c: vals[id].Const}
		}
		switch {
		case isHalf(g.outInfo[k].Type) && vals[id].Type == onnx.Float:
			o.mode, o.typ = outNarrow, g.outInfo[k].Type
		case sl.kind == slotArena:
			o.mode = outDirect
		default:
			o.mode = outCopy
		}
		if o.mode != outDirect {
			o.size = int64(ops.NumElems(sl.shape) * ops.ElemSize(o.typ))
			o.buf = alloc(o.size, end, end)
		}
		p.outputs = append(p.outputs, o)
	}

	p.arena = packBuffers(bufs)
	for id := range p.slots {
		if sl := &p.slots[id]; sl.kind == slotArena {
			sl.off = bufs[sl.buf].off + sl.sub
		}
	}
	for i := range p.outputs {
		if o := &p.outputs[i]; o.mode != outDirect {
			o.off = bufs[o.buf].off
		}
	}
	return nil
}

// dataRead marks the values whose data a run reads: the inputs of steps
// whose operators do not declare them released, and the graph outputs.
func (pl *planner) dataRead() []bool {
	read := make([]bool, len(pl.vals))
	for _, s := range pl.steps {
		released := releasedBy(s.op)
		for j, id := range s.in {
			if id >= 0 && !slices.Contains(released, j) {
				read[id] = true
			}
		}
	}
	for _, id := range pl.outputs() {
		read[id] = true
	}
	return read
}

// inPlace returns the input whose storage the first output of s may take
// over, or -1. The operator must allow it, and the input must be a tensor
// computed by an earlier step, read for the last time by s (so not a graph
// output), read once by s and of the output's size.
func (pl *planner) inPlace(s *step, in []ops.Value, byStep []bool, last []int, pos int) int {
	ip, ok := s.op.(ops.InPlacer)
	if !ok {
		return -1
	}
	j := ip.InPlace(in)
	if j < 0 || j >= len(s.in) || s.in[j] < 0 {
		return -1
	}
	x := s.in[j]
	if !byStep[x] || last[x] != pos || valueBytes(pl.vals[x]) != valueBytes(pl.vals[s.out[0]]) {
		return -1
	}
	for k, id := range s.in {
		if id == x && k != j {
			return -1
		}
	}
	return x
}

// Plan describes the plan for the given input shapes (one per graph input,
// in order), or, with nil, for the declared shapes with every symbolic or
// unknown dimension set to 1. Integer inputs are not plan constants here,
// so a model whose shapes depend on input values cannot be planned this way.
// Shapes over the limits (Limits.MaxRank, Limits.MaxTensorBytes) are an
// error naming the input, so a caller may allocate inputs of a shape that
// planned.
func (m *Model) Plan(shapes [][]int) (*PlanInfo, error) {
	if err := m.enter(); err != nil {
		return nil, err
	}
	defer m.leave()
	if err := m.proto.Changed(); err != nil {
		return nil, err
	}
	g := m.g
	if shapes != nil && len(shapes) != len(g.inputs) {
		return nil, fmt.Errorf("got %d input shapes, want %d", len(shapes), len(g.inputs))
	}
	dummies := make([]*ops.Tensor, len(g.inputs))
	for i, io := range g.inInfo {
		var shape []int
		switch {
		case shapes != nil:
			shape = append([]int{}, shapes[i]...)
		case io.Dims == nil:
			return nil, fmt.Errorf("input %q declares no shape: give its shape", io.Name)
		default:
			shape = make([]int, len(io.Dims))
			for d, v := range io.Dims {
				shape[d] = max(int(v), 1)
			}
		}
		if io.Type == onnx.Undefined {
			return nil, fmt.Errorf("input %q declares no element type", io.Name)
		}
		dummies[i] = &ops.Tensor{Type: io.Type, Shape: shape}
	}
	if err := m.checkInputs(dummies, false); err != nil {
		return nil, err
	}
	for i, t := range dummies {
		if _, err := m.cfg.limits.checkValue(ops.Value{Type: t.Type, Shape: t.Shape}); err != nil {
			return nil, fmt.Errorf("input %q: %w", g.inInfo[i].Name, err)
		}
	}
	spec := make([]inputSpec, len(dummies))
	for i, t := range dummies {
		spec[i] = inputSpec{typ: t.Type, shape: t.Shape}
	}
	m.mu.Lock()
	p, err := m.buildPlan(m.rootSegment(), spec)
	m.mu.Unlock()
	if err != nil {
		return nil, err
	}
	info := p.info
	return &info, nil
}
