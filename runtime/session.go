package runtime

import (
	"context"
	"errors"
	"fmt"
	goruntime "runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Session runs a Model repeatedly without allocating: each run state keeps
// its arena and its tensors bound to the plan of the last input shapes it
// ran. A Session is safe for concurrent use; concurrent runs take separate
// run states from the session's free list.
type Session struct {
	m    *Model
	mu   sync.Mutex
	free []*runState
}

// NewSession returns a Session of m.
func (m *Model) NewSession() *Session { return &Session{m: m} }

// runState is the memory of one run: the arena, the scratch space and the
// tensors and argument lists of every step, bound to one plan.
type runState struct {
	m       *Model
	plan    *plan
	arena   []byte
	scratch []byte
	tensors []ops.Tensor  // by value id (arena values and inputs)
	ptrs    []*ops.Tensor // by value id: &tensors[id], or the constant
	ins     [][]*ops.Tensor
	outs    [][]*ops.Tensor
	results []*ops.Tensor
	resT    []ops.Tensor // storage of outputs copied or narrowed at the end
	ctx     ops.Ctx
	bound   []func() error // by step: the step bound to this state (ops.Binder), or nil
	dyn     *dynState      // when the plan stops early: what runs the rest
	times   *stepTimes     // where this run records its steps' times, or nil
}

// Run runs the model on inputs (one per graph input, in order). The
// returned tensors belong to the session: they must not be modified, and
// they stay valid until the session's next Run (any goroutine's), so copy
// them to keep them or to feed them back as inputs. After the first run
// with a given input shape, Run allocates nothing, whatever the number of
// threads (operators implementing ops.Binder bind their loops once).
func (s *Session) Run(ctx context.Context, inputs []*ops.Tensor) ([]*ops.Tensor, error) {
	if err := s.m.enter(); err != nil {
		return nil, err
	}
	defer s.m.leave()
	st, err := s.exec(ctx, inputs, nil)
	if err != nil {
		return nil, err
	}
	res := st.final().results
	s.put(st)
	return res, nil
}

// Run runs the model on inputs (one per graph input, in order) and returns
// new output tensors owned by the caller. Float16 inputs may be given as
// Float16 or Float tensors; outputs declared Float16 are Float16. Each
// input must have its declared rank and fixed sizes; its symbolic
// dimensions take any size, even where two share a name (as in ONNX
// Runtime), and a graph that needs them to agree fails naming the node.
func (m *Model) Run(ctx context.Context, inputs []*ops.Tensor) ([]*ops.Tensor, error) {
	if err := m.enter(); err != nil {
		return nil, err
	}
	defer m.leave()
	st, err := m.def.exec(ctx, inputs, nil)
	if err != nil {
		return nil, err
	}
	res := st.final().results
	out := make([]*ops.Tensor, len(res))
	for i, t := range res {
		out[i] = t.Clone()
	}
	m.def.put(st)
	return out, nil
}

// exec checks the inputs and runs them on a run state bound to their plan.
// The state is the caller's until it puts it back. A run of a model whose
// file changed since it was loaded fails (ErrModelChanged): checked before
// the run and after it, and a fault reading a truncated file's pages,
// which would otherwise crash the process, becomes that error.
func (s *Session) exec(ctx context.Context, inputs []*ops.Tensor, prof *Profile) (st *runState, err error) {
	m := s.m
	if err := m.proto.Changed(); err != nil {
		return nil, err
	}
	m.pool.begin()
	defer m.pool.end()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if err == nil {
			err = m.proto.Changed()
			if err != nil {
				s.put(st)
				st = nil
			}
		} else if cerr := m.proto.Changed(); cerr != nil && errors.Is(err, ErrPanic) {
			err = fmt.Errorf("%w (%w)", cerr, err)
		}
	}()
	return s.execChecked(ctx, inputs, prof)
}

// execChecked is exec once the model's file is known unchanged.
func (s *Session) execChecked(ctx context.Context, inputs []*ops.Tensor, prof *Profile) (*runState, error) {
	m := s.m
	if err := m.checkInputs(inputs, true); err != nil {
		return nil, err
	}
	st := s.get()
	if st.plan == nil || !st.plan.matches(inputs) {
		p, err := m.planFor(inputs)
		if err != nil {
			s.put(st)
			return nil, err
		}
		if err := st.bind(m, p); err != nil {
			st.plan = nil
			s.put(st)
			return nil, err
		}
	}
	for i, t := range inputs {
		if overlap(t.Data, st.arena) {
			s.put(st)
			return nil, fmt.Errorf("input %q is an output of this session's previous run: copy it first", m.g.inInfo[i].Name)
		}
	}
	st.times = nil
	var t0 time.Time
	if prof != nil {
		st.times = prof.timesFor(m, st.plan)
		t0 = time.Now()
	}
	if err := st.run(ctx, inputs); err != nil {
		s.put(st)
		return nil, err
	}
	if prof != nil {
		prof.Total += time.Since(t0)
		prof.Runs++
	}
	return st, nil
}

func (s *Session) get() *runState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.free); n > 0 {
		st := s.free[n-1]
		s.free[n-1] = nil
		s.free = s.free[:n-1]
		return st
	}
	return &runState{}
}

// put returns st to the free list. The list keeps at most as many states
// as runs can execute at once (GOMAXPROCS): a burst of more concurrent
// runs leaves the extra arenas to the garbage collector.
func (s *Session) put(st *runState) {
	s.mu.Lock()
	if len(s.free) < goruntime.GOMAXPROCS(0) {
		s.free = append(s.free, st)
	}
	s.mu.Unlock()
}

// grow returns n bytes of b, or a new 64-byte aligned buffer if b is too small.
func grow(b []byte, n int64) []byte {
	if int64(cap(b)) >= n {
		return b[:n]
	}
	return ops.AlignedBytes(int(n))
}

// bind lays the run state out for p, a plan of m, and binds the steps
// whose operator is an ops.Binder to it. A panic in Bind becomes an error
// naming the step.
func (st *runState) bind(m *Model, p *plan) (err error) {
	st.m, st.plan, st.dyn = m, p, nil
	st.arena = grow(st.arena, p.arena)
	st.scratch = grow(st.scratch, p.scratch)
	st.tensors = make([]ops.Tensor, len(p.slots))
	st.ptrs = make([]*ops.Tensor, len(p.slots))
	for id, sl := range p.slots {
		switch sl.kind {
		case slotConst:
			st.ptrs[id] = sl.c
		case slotArena:
			st.tensors[id] = ops.Tensor{Type: sl.typ, Shape: sl.shape, Data: st.arena[sl.off : sl.off+sl.size : sl.off+sl.size]}
			st.ptrs[id] = &st.tensors[id]
		case slotInput:
			st.tensors[id] = ops.Tensor{Type: sl.typ, Shape: sl.shape}
			st.ptrs[id] = &st.tensors[id]
		}
	}
	n := 0
	for _, s := range p.steps {
		n += len(s.in) + len(s.out)
	}
	args := make([]*ops.Tensor, n)
	st.ins = make([][]*ops.Tensor, len(p.steps))
	st.outs = make([][]*ops.Tensor, len(p.steps))
	take := func(ids []int) []*ops.Tensor {
		a := args[:len(ids):len(ids)]
		args = args[len(ids):]
		for i, id := range ids {
			if id >= 0 {
				a[i] = st.ptrs[id]
			}
		}
		return a
	}
	for i, s := range p.steps {
		st.ins[i] = take(s.in)
		st.outs[i] = take(s.out)
	}
	st.results = make([]*ops.Tensor, len(p.outputs))
	st.resT = make([]ops.Tensor, len(p.outputs))
	for i, o := range p.outputs {
		if o.mode == outDirect {
			st.results[i] = st.ptrs[o.id]
			continue
		}
		st.resT[i] = ops.Tensor{Type: o.typ, Shape: p.slots[o.id].shape, Data: st.arena[o.off : o.off+o.size : o.off+o.size]}
		st.results[i] = &st.resT[i]
	}
	if p.dyn != nil {
		st.bindDynamic(p)
	}
	st.ctx = ops.Ctx{Par: m.pool, Scratch: st.scratch, MaxTensorBytes: m.cfg.limits.MaxTensorBytes}
	st.bound = make([]func() error, len(p.steps))
	cur := 0
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: %w: %v", p.steps[cur].label(), ErrPanic, r)
		}
	}()
	for i := range p.steps {
		b, ok := p.steps[i].op.(ops.Binder)
		if !ok {
			continue
		}
		cur = i
		if st.bound[i], err = b.Bind(&st.ctx, st.ins[i], st.outs[i]); err != nil {
			return fmt.Errorf("%s: %w", p.steps[i].label(), err)
		}
	}
	return nil
}

// run executes the bound plan on inputs, checking ctx between steps. A
// panic in a kernel becomes an error naming the step.
func (st *runState) run(ctx context.Context, inputs []*ops.Tensor) (err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	st.ctx.Context = ctx
	p := st.plan
	for i, in := range p.inputs {
		t, dst := inputs[i], &st.tensors[in.id]
		switch {
		case p.slots[in.id].kind == slotConst:
			// a plan constant: the plan holds its value
		case !in.convert:
			dst.Data = t.Data[:ops.NumElems(t.Shape)*ops.ElemSize(t.Type)]
		case isHalf(t.Type):
			widenInto(dst.F32(), t)
		default:
			copy(dst.Data, t.Data)
		}
	}
	cur := -1
	defer func() {
		if r := recover(); r != nil {
			where := "run"
			if cur >= 0 {
				where = p.steps[cur].label()
			}
			err = fmt.Errorf("%s: %w: %v", where, ErrPanic, r)
		}
	}()
	for i := range p.steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		cur = i
		var err error
		var t0 time.Time
		if st.times != nil {
			t0 = time.Now()
		}
		if f := st.bound[i]; f != nil {
			err = f()
		} else {
			err = p.steps[i].op.Run(&st.ctx, st.ins[i], st.outs[i])
		}
		if st.times != nil {
			st.times.prof.Steps[st.times.first+i].Time += time.Since(t0)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", p.steps[i].label(), err)
		}
	}
	cur = -1
	if p.dyn != nil {
		return st.runDynamic(ctx)
	}
	for i, o := range p.outputs {
		switch o.mode {
		case outCopy:
			copy(st.resT[i].Data, st.ptrs[o.id].Data)
		case outNarrow:
			narrowInto(&st.resT[i], st.ptrs[o.id].F32())
		}
	}
	return nil
}

// overlap reports whether a and b share memory.
func overlap(a, b []byte) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	a0, b0 := uintptr(unsafe.Pointer(&a[0])), uintptr(unsafe.Pointer(&b[0]))
	return a0 < b0+uintptr(len(b)) && b0 < a0+uintptr(len(a))
}

// accepts reports whether a tensor of type got may be given for a graph
// input declared as decl.
func accepts(decl, got ops.DType) bool {
	switch {
	case got == decl:
		return ops.Supported(got)
	case decl == onnx.Undefined:
		return ops.Supported(got)
	}
	return isHalf(decl) && got == onnx.Float
}

// checkInputs verifies count, types, ranks and dimensions of inputs against
// the declared graph inputs: fixed dimensions must match. Symbolic names
// are not enforced, as in ONNX Runtime: two dimensions declared with the
// same name may be given different sizes (exporters such as Paddle's name
// every unknown dimension "?"); where the graph's computation needs them to
// agree, planning fails naming the node that cannot take them. With
// withData it also checks that each tensor holds enough bytes.
func (m *Model) checkInputs(inputs []*ops.Tensor, withData bool) error {
	g := m.g
	if len(inputs) != len(g.inputs) {
		names := make([]string, len(g.inInfo))
		for i, io := range g.inInfo {
			names[i] = fmt.Sprintf("%q", io.Name)
		}
		return inputError("", fmt.Sprint(len(g.inputs)), fmt.Sprint(len(inputs)), "got %d inputs, want %d (%s)", len(inputs), len(g.inputs), strings.Join(names, ", "))
	}
	for i, t := range inputs {
		io := &g.inInfo[i]
		if t == nil {
			return inputError(io.Name, io.String(), "nil", "input %q is nil", io.Name)
		}
		if !accepts(io.Type, t.Type) {
			return inputError(io.Name, io.String(), t.String(), "input %q: got %s, want %s", io.Name, t, io)
		}
		for _, d := range t.Shape {
			if d < 0 {
				return inputError(io.Name, io.String(), t.String(), "input %q: got %s, dimensions cannot be negative", io.Name, t)
			}
		}
		if io.Dims != nil {
			if len(t.Shape) != len(io.Dims) {
				return inputError(io.Name, io.String(), t.String(), "input %q: got %s, want rank %d %s", io.Name, t, len(io.Dims), io.shapeString())
			}
			for d, want := range io.Dims {
				if want >= 0 && int64(t.Shape[d]) != want {
					return inputError(io.Name, io.String(), t.String(), "input %q: got %s, want %s", io.Name, t, io.shapeString())
				}
			}
		}
		if need := ops.NumElems(t.Shape) * ops.ElemSize(t.Type); withData && len(t.Data) < need {
			return inputError(io.Name, io.String(), t.String(), "input %q: %s needs %d bytes of data, has %d", io.Name, t, need, len(t.Data))
		}
	}
	return nil
}
