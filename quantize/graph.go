package quantize

import (
	"container/heap"
	"fmt"
	"strconv"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// cloneModel copies m deeply enough that its graph (node lists, node
// inputs, outputs and attribute lists, graph inputs and outputs,
// initializer list) can be edited without touching m. Tensors and
// attributes themselves are shared: edits replace them, never modify
// them. It fails, wrapping onnx.ErrInvalid, on a model without a graph or
// with nil entries.
func cloneModel(m *onnx.Model) (*onnx.Model, error) {
	if m == nil || m.Graph == nil {
		return nil, fmt.Errorf("model has no graph: %w", onnx.ErrInvalid)
	}
	c := *m // keeps Dir (external data) and the file's change watch
	c.OpsetImports = append([]onnx.OpsetID(nil), m.OpsetImports...)
	g := *m.Graph
	c.Graph = &g
	g.Nodes = make([]*onnx.Node, len(m.Graph.Nodes))
	for i, n := range m.Graph.Nodes {
		if n == nil {
			return nil, fmt.Errorf("graph node %d is nil: %w", i, onnx.ErrInvalid)
		}
		cn := *n
		cn.Inputs = append([]string(nil), n.Inputs...)
		cn.Outputs = append([]string(nil), n.Outputs...)
		cn.Attrs = append([]*onnx.Attribute(nil), n.Attrs...)
		for _, a := range cn.Attrs {
			if a == nil {
				return nil, fmt.Errorf("node %s has a nil attribute: %w", nodeName(n), onnx.ErrInvalid)
			}
		}
		g.Nodes[i] = &cn
	}
	g.Initializer = append([]*onnx.Tensor(nil), m.Graph.Initializer...)
	for i, t := range g.Initializer {
		if t == nil {
			return nil, fmt.Errorf("initializer %d is nil: %w", i, onnx.ErrInvalid)
		}
	}
	for _, list := range []*[]*onnx.ValueInfo{&g.Inputs, &g.Outputs, &g.ValueInfo} {
		vis := make([]*onnx.ValueInfo, len(*list))
		for i, vi := range *list {
			if vi == nil {
				return nil, fmt.Errorf("graph has a nil input, output or value info: %w", onnx.ErrInvalid)
			}
			cvi := *vi
			cvi.Type.Shape = append([]onnx.Dim(nil), vi.Type.Shape...)
			vis[i] = &cvi
		}
		*list = vis
	}
	return &c, nil
}

// nodeName names n as edgeinfer's errors and Options.Exclude do: its
// name, or its first output's when it has none.
func nodeName(n *onnx.Node) string {
	if n.Name != "" || len(n.Outputs) == 0 {
		return n.Name
	}
	return n.Outputs[0]
}

// defaultDomain reports whether n is an operator of the default ONNX domain.
func defaultDomain(n *onnx.Node) bool { return ops.NormDomain(n.Domain) == "" }

// editor edits a cloned graph: it knows every name in use, the
// initializers by name, and who produces and reads each tensor.
type editor struct {
	m     *onnx.Model
	g     *onnx.Graph
	names map[string]bool
	inits map[string]*onnx.Tensor
}

func newEditor(m *onnx.Model) *editor {
	e := &editor{m: m, g: m.Graph, names: map[string]bool{}, inits: map[string]*onnx.Tensor{}}
	for _, t := range e.g.Initializer {
		e.names[t.Name] = true
		e.inits[t.Name] = t
	}
	for _, vi := range append(append([]*onnx.ValueInfo(nil), e.g.Inputs...), e.g.Outputs...) {
		e.names[vi.Name] = true
	}
	for _, n := range e.g.Nodes {
		e.names[n.Name] = true
		for _, s := range append(append([]string(nil), n.Inputs...), n.Outputs...) {
			e.names[s] = true
		}
		for _, s := range subgraphRefs(n) {
			e.names[s] = true
		}
	}
	return e
}

// fresh returns a name not yet in use, base itself if it is free, and
// reserves it.
func (e *editor) fresh(base string) string {
	name := base
	for i := 1; e.names[name]; i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	e.names[name] = true
	return name
}

// addInit adds t as an initializer under a fresh name derived from base
// and returns the name.
func (e *editor) addInit(base string, t *ops.Tensor) string {
	name := e.fresh(base)
	p := ops.ToProto(t, name, t.Type)
	e.g.Initializer = append(e.g.Initializer, p)
	e.inits[name] = p
	return name
}

// constant reads initializer name as a tensor (float16 widened to
// float32), or returns nil when name is not an initializer.
func (e *editor) constant(name string) (*ops.Tensor, error) {
	p := e.inits[name]
	if p == nil {
		return nil, nil
	}
	t, err := ops.FromProto(p, e.m.Dir)
	if err != nil {
		return nil, fmt.Errorf("initializer %q: %w", name, err)
	}
	return t, nil
}

// uses counts, for each tensor, the nodes reading it, a node whose graph
// attributes mention the name counting as one, plus one if it is a graph
// output.
func (e *editor) uses() map[string]int {
	u := map[string]int{}
	for _, n := range e.g.Nodes {
		seen := map[string]bool{}
		for _, s := range append(append([]string(nil), n.Inputs...), subgraphRefs(n)...) {
			if s != "" && !seen[s] {
				seen[s] = true
				u[s]++
			}
		}
	}
	for _, vi := range e.g.Outputs {
		u[vi.Name]++
	}
	return u
}

// producers maps each node output to its node.
func (e *editor) producers() map[string]*onnx.Node {
	p := map[string]*onnx.Node{}
	for _, n := range e.g.Nodes {
		for _, o := range n.Outputs {
			if o != "" {
				p[o] = n
			}
		}
	}
	return p
}

// rename makes every node input, value info and graph output called from
// read to instead (not the nodes' subgraphs: callers leave names that
// subgraphs mention alone).
func (e *editor) rename(from, to string) {
	for _, n := range e.g.Nodes {
		for i, s := range n.Inputs {
			if s == from {
				n.Inputs[i] = to
			}
		}
	}
	for _, vi := range e.g.Outputs {
		if vi.Name == from {
			vi.Name = to
		}
	}
}

// remove drops the nodes marked in gone, keeping the order of the rest.
func (e *editor) remove(gone map[*onnx.Node]bool) {
	if len(gone) == 0 {
		return
	}
	kept := e.g.Nodes[:0]
	for _, n := range e.g.Nodes {
		if !gone[n] {
			kept = append(kept, n)
		}
	}
	clear(e.g.Nodes[len(kept):])
	e.g.Nodes = kept
}

// dropUnusedInits removes initializers no node reads and no graph output names.
func (e *editor) dropUnusedInits() {
	u := e.uses()
	kept := e.g.Initializer[:0]
	for _, t := range e.g.Initializer {
		if u[t.Name] > 0 {
			kept = append(kept, t)
		} else {
			delete(e.inits, t.Name)
		}
	}
	clear(e.g.Initializer[len(kept):])
	e.g.Initializer = kept
}

// subgraphRefs lists the names the nodes of n's graph attributes read,
// at any depth (including names those subgraphs define themselves).
func subgraphRefs(n *onnx.Node) []string {
	var refs []string
	var walk func(g *onnx.Graph)
	walk = func(g *onnx.Graph) {
		if g == nil {
			return
		}
		for _, sn := range g.Nodes {
			if sn == nil {
				continue
			}
			refs = append(refs, sn.Inputs...)
			for _, a := range sn.Attrs {
				if a != nil {
					walk(a.G)
					for _, sg := range a.Graphs {
						walk(sg)
					}
				}
			}
		}
		for _, vi := range g.Outputs {
			if vi != nil {
				refs = append(refs, vi.Name)
			}
		}
	}
	for _, a := range n.Attrs {
		walk(a.G)
		for _, sg := range a.Graphs {
			walk(sg)
		}
	}
	return refs
}

// attr returns n's attribute called name, or nil.
func attr(n *onnx.Node, name string) *onnx.Attribute {
	for _, a := range n.Attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// dropAttr removes n's attribute called name, if any.
func dropAttr(n *onnx.Node, name string) {
	kept := n.Attrs[:0:0]
	for _, a := range n.Attrs {
		if a.Name != name {
			kept = append(kept, a)
		}
	}
	n.Attrs = kept
}

// setInput sets n's input i, growing the list with omitted inputs ("").
func setInput(n *onnx.Node, i int, name string) {
	for len(n.Inputs) <= i {
		n.Inputs = append(n.Inputs, "")
	}
	n.Inputs[i] = name
}

// input is n's input i, or "" when absent.
func input(n *onnx.Node, i int) string {
	if i < len(n.Inputs) {
		return n.Inputs[i]
	}
	return ""
}

// detached returns a copy of m that shares no memory with the file m was
// read from, so that it outlives m's Close: every tensor (initializers and
// attributes, in subgraphs too) gets its own raw_data, external data read
// in. It fails on a tensor whose data does not match its type and shape.
func detached(m *onnx.Model) (*onnx.Model, error) {
	g, err := detachGraph(m.Graph, m.Dir)
	if err != nil {
		return nil, err
	}
	return &onnx.Model{IRVersion: m.IRVersion, OpsetImports: append([]onnx.OpsetID(nil), m.OpsetImports...),
		ProducerName: m.ProducerName, ProducerVersion: m.ProducerVersion, Domain: m.Domain, ModelVersion: m.ModelVersion,
		DocString: m.DocString, Graph: g, Metadata: append([]onnx.StringEntry(nil), m.Metadata...)}, nil
}

func detachGraph(g *onnx.Graph, dir string) (*onnx.Graph, error) {
	if g == nil {
		return nil, nil
	}
	c := *g
	var err error
	if c.Initializer, err = detachTensors(g.Initializer, dir); err != nil {
		return nil, err
	}
	c.Nodes = make([]*onnx.Node, len(g.Nodes))
	for i, n := range g.Nodes {
		cn := *n
		cn.Attrs = make([]*onnx.Attribute, len(n.Attrs))
		for j, a := range n.Attrs {
			ca := *a
			if a.T != nil {
				if ca.T, err = detachTensor(a.T, dir); err != nil {
					return nil, err
				}
			}
			if ca.Tensors, err = detachTensors(a.Tensors, dir); err != nil {
				return nil, err
			}
			if ca.G, err = detachGraph(a.G, dir); err != nil {
				return nil, err
			}
			ca.Graphs = make([]*onnx.Graph, len(a.Graphs))
			for k, sg := range a.Graphs {
				if ca.Graphs[k], err = detachGraph(sg, dir); err != nil {
					return nil, err
				}
			}
			cn.Attrs[j] = &ca
		}
		c.Nodes[i] = &cn
	}
	return &c, nil
}

func detachTensors(ts []*onnx.Tensor, dir string) ([]*onnx.Tensor, error) {
	out := make([]*onnx.Tensor, len(ts))
	for i, t := range ts {
		var err error
		if out[i], err = detachTensor(t, dir); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// detachTensor copies t's elements into a new raw_data (strings into new
// string_data).
func detachTensor(t *onnx.Tensor, dir string) (*onnx.Tensor, error) {
	c := &onnx.Tensor{Name: t.Name, DataType: t.DataType, Dims: append([]int64(nil), t.Dims...), DocString: t.DocString}
	if t.DataType == onnx.String {
		for _, s := range t.StringData {
			c.StringData = append(c.StringData, append([]byte(nil), s...))
		}
		return c, nil
	}
	b, err := t.Bytes(dir)
	if err != nil {
		return nil, err
	}
	c.RawData = append(make([]byte, 0, len(b)), b...)
	return c, nil
}

// sortNodes orders g's nodes so that each comes after the nodes writing
// its inputs (the names its subgraphs read included), keeping the given
// order where it already does: ONNX asks for it, and quantize's
// decisions rely on it. A graph with a cycle is left as it is (the
// runtime reports the cycle).
func sortNodes(g *onnx.Graph) {
	n := len(g.Nodes)
	writer := map[string]int{}
	for i, nd := range g.Nodes {
		for _, o := range nd.Outputs {
			if o != "" {
				writer[o] = i
			}
		}
	}
	indeg := make([]int, n)
	next := make([][]int, n)
	for i, nd := range g.Nodes {
		seen := map[int]bool{}
		for _, s := range append(append([]string(nil), nd.Inputs...), subgraphRefs(nd)...) {
			if w, ok := writer[s]; ok && w != i && !seen[w] {
				seen[w] = true
				indeg[i]++
				next[w] = append(next[w], i)
			}
		}
	}
	ready := &indexHeap{}
	for i, d := range indeg {
		if d == 0 {
			heap.Push(ready, i)
		}
	}
	order := make([]*onnx.Node, 0, n)
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		order = append(order, g.Nodes[i])
		for _, j := range next[i] {
			if indeg[j]--; indeg[j] == 0 {
				heap.Push(ready, j)
			}
		}
	}
	if len(order) == n {
		g.Nodes = order
	}
}

// indexHeap is a min-heap of node indices: the lowest ready index first.
type indexHeap []int

func (h indexHeap) Len() int           { return len(h) }
func (h indexHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h indexHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *indexHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *indexHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// extract returns the part of m that computes outputs from inputs: the
// nodes on the way (stopping at inputs and initializers), the
// initializers they read, inputs as graph inputs of undeclared type, in
// the order given.
func extract(m *onnx.Model, inputs, outputs []string) *onnx.Model {
	stop := map[string]bool{}
	for _, in := range inputs {
		stop[in] = true
	}
	writer := map[string]*onnx.Node{}
	for _, n := range m.Graph.Nodes {
		for _, o := range n.Outputs {
			writer[o] = n
		}
	}
	need, keep := map[string]bool{}, map[*onnx.Node]bool{}
	stack := append([]string(nil), outputs...)
	for len(stack) > 0 {
		name := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if name == "" || need[name] || stop[name] {
			continue
		}
		need[name] = true
		if n := writer[name]; n != nil && !keep[n] {
			keep[n] = true
			stack = append(stack, n.Inputs...)
		}
	}
	g := &onnx.Graph{Name: m.Graph.Name}
	for _, n := range m.Graph.Nodes {
		if keep[n] {
			g.Nodes = append(g.Nodes, n)
		}
	}
	for _, t := range m.Graph.Initializer {
		if need[t.Name] {
			g.Initializer = append(g.Initializer, t)
		}
	}
	for _, in := range inputs {
		g.Inputs = append(g.Inputs, &onnx.ValueInfo{Name: in})
	}
	for _, out := range outputs {
		g.Outputs = append(g.Outputs, &onnx.ValueInfo{Name: out})
	}
	c := *m
	c.Graph = g
	return &c
}
