package runtime

import (
	"errors"
	"fmt"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// graph is the model as the runtime works on it: values are numbered, every
// node carries its built operator, and the node list is in a topological
// order. Load-time passes rewrite it; plans read it.
type graph struct {
	names  []string       // value id -> name
	ids    map[string]int // name -> value id
	consts []*ops.Tensor  // load-time constant of each value, or nil
	nodes  []*node

	inputs  []int // user-supplied graph inputs, in order
	inInfo  []IOInfo
	outputs []int // graph outputs, in order
	outInfo []IOInfo
	isOut   map[int]bool
}

// node is one graph node with its operator built for the model's opset.
type node struct {
	proto *onnx.Node
	op    ops.Op
	opset int
	sub   []ops.Subgraph // the compiled graphs of its attributes (ops.SubgraphUser)
	outer int            // how many of in, at the end, are outer values the graphs read
	in    []int          // value ids; -1 for an omitted optional input
	out   []int          // value ids (an omitted output gets a value of its own, with a generated name)
}

func (n *node) label() string { return ops.NodeLabel(n.proto) }

// is reports whether n is the default-domain operator opType.
func (n *node) is(opType string) bool {
	return n.proto.OpType == opType && ops.NormDomain(n.proto.Domain) == ""
}

// value returns the id of name, creating it if needed; "" is -1.
func (g *graph) value(name string) int {
	if name == "" {
		return -1
	}
	if id, ok := g.ids[name]; ok {
		return id
	}
	id := len(g.names)
	g.names = append(g.names, name)
	g.consts = append(g.consts, nil)
	g.ids[name] = id
	return id
}

// unique returns base, or base with a number appended, so that no value has that name.
func (g *graph) unique(base string) string {
	name := base
	for i := 1; ; i++ {
		if _, taken := g.ids[name]; !taken {
			return name
		}
		name = fmt.Sprintf("%s_%d", base, i)
	}
}

// newConst adds a constant value named after base, made unique.
func (g *graph) newConst(base string, t *ops.Tensor) int {
	id := g.value(g.unique(base))
	g.consts[id] = t
	return id
}

// constBytes is the size of the graph's load-time constants.
func (g *graph) constBytes() int64 {
	var n int64
	for _, c := range g.consts {
		if c != nil {
			n += int64(len(c.Data))
		}
	}
	return n
}

// uses counts how many node input slots read each value.
func (g *graph) uses() []int {
	u := make([]int, len(g.names))
	for _, n := range g.nodes {
		for _, in := range n.in {
			if in >= 0 {
				u[in]++
			}
		}
	}
	return u
}

// replaceUses makes every node read to instead of from.
func (g *graph) replaceUses(from, to int) {
	for _, n := range g.nodes {
		for i, in := range n.in {
			if in == from {
				n.in[i] = to
			}
		}
	}
}

// removeNodes drops the nodes marked in gone, keeping the order of the rest.
func (g *graph) removeNodes(gone map[*node]bool) {
	if len(gone) == 0 {
		return
	}
	kept := g.nodes[:0]
	for _, n := range g.nodes {
		if !gone[n] {
			kept = append(kept, n)
		}
	}
	clear(g.nodes[len(kept):])
	g.nodes = kept
}

// buildGraph numbers p's values, converts its initializers and builds every
// node's operator. order is the topological order from validate.
func buildGraph(p *onnx.Model, order []*onnx.Node, cfg config, pl *pool) (_ *graph, err error) {
	lim := cfg.limits
	var at *onnx.Node
	defer recoverOps(&err, &at)
	pg := p.Graph
	inits := initializerNames(pg) // read by graph attributes as their own initializers
	g := &graph{ids: map[string]int{}, isOut: map[int]bool{}}
	var errs []error
	// The file pages of initializers FromProto copies (raw data not
	// aligned for its element type, or widened from 16 bits) are released
	// as the copy proceeds, so that the mapped file and the copies of the
	// weights are never resident together.
	release := func(raw []byte) { p.Release(raw) }
	for _, t := range pg.Initializer {
		if _, err := lim.tensorBytes(t.DataType, t.Dims); err != nil {
			errs = append(errs, fmt.Errorf("initializer %q: %w", t.Name, err))
			continue
		}
		ct, err := ops.FromProtoReleasing(t, p.Dir, release)
		if err != nil {
			errs = append(errs, fmt.Errorf("initializer %q: %w", t.Name, err))
			continue
		}
		g.consts[g.value(t.Name)] = ct
	}
	g.inInfo, g.outInfo = DeclaredIO(p)
	for _, io := range g.inInfo {
		g.inputs = append(g.inputs, g.value(io.Name))
	}
	for _, io := range g.outInfo {
		id := g.value(io.Name)
		g.outputs = append(g.outputs, id)
		g.isOut[id] = true
	}
	for _, pn := range order {
		at = pn
		v, _ := p.Opset(ops.NormDomain(pn.Domain))
		n := &node{proto: pn, opset: int(v)}
		op, err := ops.Build(pn, n.opset)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n.op = op
		for _, name := range pn.Inputs {
			n.in = append(n.in, g.value(name))
		}
		if su, ok := op.(ops.SubgraphUser); ok {
			outer := slices.DeleteFunc(outerNames(pn), func(name string) bool { return inits[name] })
			if n.sub, err = compileSubgraphs(p, pg, su.GraphAttrs(), outer, cfg, pl); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", ops.NodeLabel(pn), err))
				continue
			}
			for _, name := range outer {
				n.in = append(n.in, g.value(name))
			}
			n.outer = len(outer)
			su.SetSubgraphs(n.sub, n.outer)
		}
		for i, name := range pn.Outputs {
			if name == "" {
				// An omitted output still gets storage: the operator may write it.
				name = g.unique(fmt.Sprintf("%s/omitted_output_%d", nodeName(pn), i))
			}
			n.out = append(n.out, g.value(name))
		}
		g.nodes = append(g.nodes, n)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return g, nil
}

// DeclaredIO describes p's graph inputs and outputs as the Model loaded
// from p reports them (Model.Inputs, Model.Outputs), without loading it.
// Graph inputs backed by an initializer are left out: they are constants
// (see the package documentation).
func DeclaredIO(p *onnx.Model) (inputs, outputs []IOInfo) {
	if p == nil || p.Graph == nil {
		return nil, nil
	}
	inits := initializerNames(p.Graph)
	for _, vi := range p.Graph.Inputs {
		if !inits[vi.Name] {
			inputs = append(inputs, ioInfo(vi))
		}
	}
	for _, vi := range p.Graph.Outputs {
		outputs = append(outputs, ioInfo(vi))
	}
	return inputs, outputs
}

// ioInfo converts a declared graph input or output.
func ioInfo(vi *onnx.ValueInfo) IOInfo {
	io := IOInfo{Name: vi.Name, Type: vi.Type.Elem}
	if vi.Type.HasShape {
		io.Dims = make([]int64, len(vi.Type.Shape))
		io.Params = make([]string, len(vi.Type.Shape))
		for i, d := range vi.Type.Shape {
			io.Dims[i] = declaredDim(d)
			io.Params[i] = d.Param
		}
	}
	return io
}

// declaredDim is the size a graph input or output declares for one
// dimension, or -1 when it declares none: a symbolic dimension, one left
// empty, and one declared negative or 0. Exporters write -1 (which ONNX
// Runtime reads as any size) or 0 for sizes they do not know; a graph
// input whose size is truly 0 is still accepted.
func declaredDim(d onnx.Dim) int64 {
	if d.Known && d.Param == "" && d.Value > 0 {
		return d.Value
	}
	return -1
}

// buildOp builds a fresh operator for n, as at load.
func (m *Model) buildOp(n *node) (ops.Op, error) {
	op, err := ops.Build(n.proto, n.opset)
	if err != nil {
		return nil, err
	}
	if su, ok := op.(ops.SubgraphUser); ok {
		su.SetSubgraphs(n.sub, n.outer)
	}
	return op, nil
}
