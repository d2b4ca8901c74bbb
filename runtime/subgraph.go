package runtime

import (
	"context"
	"fmt"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Graph attributes. An operator with graph attributes (If, Loop, Scan,
// FlexAttention) implements ops.SubgraphUser. At load each of its graphs
// becomes a model of its own (a subgraph), sharing the outer model's
// configuration and workers, whose inputs are the graph's declared inputs
// followed by the outer-scope values it reads: the names it uses that
// neither it nor a graph inside it defines. Those values are appended to
// the node's inputs, so that planning orders, keeps alive and passes them
// like any input (ops.SubgraphUser says how the operator finds them).
// Initializers of the enclosing graph a subgraph reads become initializers
// of the subgraph, so that its operators can prepare them once.

// graphAttrs lists the graphs held by n's attributes, in attribute order.
func graphAttrs(n *onnx.Node) []*onnx.Graph {
	var gs []*onnx.Graph
	for _, a := range n.Attrs {
		if a.G != nil {
			gs = append(gs, a.G)
		}
		gs = append(gs, a.Graphs...)
	}
	return gs
}

// outerNames lists, in order of first use and once each, the values the
// graphs of n's attributes read from the scopes around n.
func outerNames(n *onnx.Node) []string {
	var names []string
	for _, g := range graphAttrs(n) {
		for _, name := range freeNames(g) {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	return names
}

// freeNames lists the names g reads (directly, or through graphs nested in
// its nodes' attributes) that g does not define.
func freeNames(g *onnx.Graph) []string {
	defined := map[string]bool{"": true}
	for _, vi := range g.Inputs {
		defined[vi.Name] = true
	}
	for _, t := range g.Initializer {
		defined[t.Name] = true
	}
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			defined[o] = true
		}
	}
	var free []string
	for _, n := range g.Nodes {
		for _, name := range nodeReads(n) {
			if !defined[name] && !slices.Contains(free, name) {
				free = append(free, name)
			}
		}
	}
	for _, vi := range g.Outputs {
		if !defined[vi.Name] && !slices.Contains(free, vi.Name) {
			free = append(free, vi.Name)
		}
	}
	return free
}

// nodeReads is every value n reads: its inputs, then what its graph
// attributes read from outside them.
func nodeReads(n *onnx.Node) []string {
	if len(graphAttrs(n)) == 0 {
		return n.Inputs
	}
	return slices.Concat(n.Inputs, outerNames(n))
}

// walkNodes calls fn for every node of g and of the graphs nested in them.
func walkNodes(g *onnx.Graph, fn func(*onnx.Node)) {
	for _, n := range g.Nodes {
		fn(n)
		for _, sg := range graphAttrs(n) {
			walkNodes(sg, fn)
		}
	}
}

// subgraph is a graph attribute loaded as a model, implementing ops.Subgraph.
type subgraph struct {
	m     *Model
	outer []int // for each outer value m reads, its index in the node's outer inputs
}

// compileSubgraphs loads graphs, the graph attributes of n in the order its
// operator lists them, as models of their own whose extra inputs are the
// outer values outer names (in the enclosing graph encl of model p). Outer
// values that are initializers of encl are given to the subgraph as
// initializers instead.
func compileSubgraphs(p *onnx.Model, encl *onnx.Graph, graphs []*onnx.Graph, outer []string, cfg config, pl *pool) ([]ops.Subgraph, error) {
	inits := map[string]*onnx.Tensor{}
	for _, t := range encl.Initializer {
		inits[t.Name] = t
	}
	sgs := make([]ops.Subgraph, len(graphs))
	for i, g := range graphs {
		sg, err := compileSubgraph(p, g, outer, inits, cfg, pl)
		if err != nil {
			name := g.Name
			if name == "" {
				name = fmt.Sprint(i)
			}
			return nil, fmt.Errorf("graph attribute %s: %w", name, err)
		}
		sgs[i] = sg
	}
	return sgs, nil
}

// compileSubgraph loads g as a model (see compileSubgraphs).
func compileSubgraph(p *onnx.Model, g *onnx.Graph, outer []string, inits map[string]*onnx.Tensor, cfg config, pl *pool) (*subgraph, error) {
	sg := &subgraph{}
	gg := *g
	gg.Inputs = slices.Clip(g.Inputs)
	gg.Initializer = slices.Clip(g.Initializer)
	for _, name := range freeNames(g) {
		if t, ok := inits[name]; ok {
			gg.Initializer = append(gg.Initializer, t)
			continue
		}
		i := slices.Index(outer, name)
		if i < 0 {
			return nil, fmt.Errorf("internal error: outer value %q not passed", name)
		}
		gg.Inputs = append(gg.Inputs, &onnx.ValueInfo{Name: name}) // of any type and shape
		sg.outer = append(sg.outer, i)
	}
	sub := &onnx.Model{IRVersion: p.IRVersion, OpsetImports: p.OpsetImports, Graph: &gg, Dir: p.Dir}
	m, err := loadModel(sub, cfg, pl)
	if err != nil {
		return nil, err
	}
	m.attr = true
	sg.m = m
	return sg, nil
}

// args is in followed by the outer values the subgraph reads.
func subArgs[T any](sg *subgraph, in, outer []T) ([]T, error) {
	args := slices.Clip(in)
	for _, i := range sg.outer {
		if i >= len(outer) {
			return nil, fmt.Errorf("got %d outer values, the graph reads %d", len(outer), len(sg.outer))
		}
		args = append(args, outer[i])
	}
	return args, nil
}

// Infer plans the graph for the types and shapes given and returns those
// of its outputs (with their values when the plan knows them). When the
// output shapes depend on values computed in a run, the error wraps
// ops.ErrNotConstant.
func (sg *subgraph) Infer(in, outer []ops.Value) ([]ops.Value, error) {
	args, err := subArgs(sg, in, outer)
	if err != nil {
		return nil, err
	}
	m := sg.m
	dummies := make([]*ops.Tensor, len(args))
	spec := make([]inputSpec, len(args))
	for i, v := range args {
		if v.Type == onnx.Undefined {
			return nil, fmt.Errorf("graph input %d is missing", i)
		}
		dummies[i] = &ops.Tensor{Type: v.Type, Shape: v.Shape}
		spec[i] = inputSpec{typ: v.Type, shape: slices.Clone(v.Shape)}
		if v.Const != nil && planConstInput(v.Type, v.Shape) {
			spec[i].value = slices.Clone(v.Const.Data[:ops.NumElems(v.Shape)*ops.ElemSize(v.Type)])
		}
	}
	if len(args) != len(m.g.inputs) {
		return nil, fmt.Errorf("got %d inputs and outer values, the graph takes %d", len(args), len(m.g.inputs))
	}
	if err := m.checkInputs(dummies, false); err != nil {
		return nil, err
	}
	p, err := m.planForSpec(spec)
	if err != nil {
		return nil, err
	}
	if p.dyn != nil {
		return nil, fmt.Errorf("outputs after %s: %w", p.dyn.node.label(), ops.ErrNotConstant)
	}
	out := make([]ops.Value, len(p.outputs))
	for i, o := range p.outputs {
		sl := p.slots[o.id]
		out[i] = ops.Value{Type: sl.typ, Shape: slices.Clone(sl.shape)}
		if sl.kind == slotConst && len(sl.c.Data) > 0 {
			out[i].Const = sl.c
		}
	}
	return out, nil
}

// Run runs the graph; the outputs are the caller's.
func (sg *subgraph) Run(ctx *ops.Ctx, in, outer []*ops.Tensor) ([]*ops.Tensor, error) {
	args, err := subArgs(sg, in, outer)
	if err != nil {
		return nil, err
	}
	c := ctx.Context
	if c == nil {
		c = context.Background()
	}
	return sg.m.Run(c, args)
}

// planForSpec returns the plan for spec, from the cache or newly built.
func (m *Model) planForSpec(spec []inputSpec) (*plan, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, p := range m.plans {
		if slices.EqualFunc(p.key, spec, func(a, b inputSpec) bool {
			return a.typ == b.typ && slices.Equal(a.shape, b.shape) && slices.Equal(a.value, b.value)
		}) {
			return p, nil
		}
	}
	p, err := m.buildPlan(m.rootSegment(), spec)
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
