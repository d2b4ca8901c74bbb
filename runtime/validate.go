package runtime

import (
	"container/heap"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// UnsupportedOp is one operator (or graph input/output type) that edgeinfer
// cannot run, with every place it occurs.
type UnsupportedOp struct {
	// OpType is the operator; for a graph input or output entry it is the
	// unsupported type, e.g. "tensor(STRING)" or "sequence".
	OpType string
	// Domain is the operator's domain ("" for the default ONNX domain).
	Domain string
	// Opset is the version of Domain the model imports (0 when it imports none).
	Opset int64
	// Nodes names the nodes (their name, or their first output's name when
	// unnamed), or the graph inputs/outputs of the unsupported type.
	Nodes []string
	// IO is "" for operators, "input" or "output" for graph values.
	IO string
}

// maxListed is how many nodes UnsupportedOp.String names before "and N more".
const maxListed = 8

// String describes the entry, e.g. `Foo (domain "com.x", opset 1) at nodes
// "a", "b"`, naming at most 8 nodes.
func (u UnsupportedOp) String() string {
	if u.IO != "" {
		return fmt.Sprintf("graph %s of type %s", u.where(u.IO), u.OpType)
	}
	var where string
	switch {
	case u.Domain == "":
		where = fmt.Sprintf("opset %d", u.Opset)
	case u.Opset == 0:
		where = fmt.Sprintf("domain %q, which the model does not import", u.Domain)
	default:
		where = fmt.Sprintf("domain %q, opset %d", u.Domain, u.Opset)
	}
	return fmt.Sprintf("%s (%s) at %s", u.OpType, where, u.where("node"))
}

// where is kind, made plural for several, followed by the quoted names of
// the entry's nodes or graph values (at most 8), e.g. `nodes "a", "b"`.
func (u UnsupportedOp) where(kind string) string {
	quoted := make([]string, min(len(u.Nodes), maxListed))
	for i := range quoted {
		quoted[i] = fmt.Sprintf("%q", u.Nodes[i])
	}
	if more := len(u.Nodes) - len(quoted); more > 0 {
		quoted = append(quoted, fmt.Sprintf("and %d more", more))
	}
	if len(u.Nodes) > 1 {
		kind += "s"
	}
	return kind + " " + strings.Join(quoted, ", ")
}

// skippedDomains are the standard ONNX operator domains edgeinfer does not
// compute: classical machine learning and training. A model using them is
// valid ONNX beyond edgeinfer's scope, so its load error wraps
// ops.ErrUnsupported and test runners skip it. Operators of other domains
// without an implementation (a missing operator of the default domain, a
// custom domain) are plain errors.
var skippedDomains = map[string]bool{"ai.onnx.ml": true, "ai.onnx.preview.training": true}

// unsupportedError is the load error for Unsupported's entries u (nil when
// empty); broken says whether the model has other problems too, in which
// case it is not merely beyond edgeinfer's scope.
func unsupportedError(u []UnsupportedOp, broken bool) *UnsupportedError {
	if len(u) == 0 {
		return nil
	}
	beyond := !broken
	for _, e := range u {
		if e.IO == "" && !(skippedDomains[e.Domain] && e.Opset > 0) {
			beyond = false
		}
	}
	return &UnsupportedError{Ops: u, beyond: beyond}
}

// Unsupported lists every operator of p that has no implementation for the
// opset p imports, grouped by (domain, op type, opset), then the graph
// inputs and outputs whose type cannot be computed. It is empty for a model
// edgeinfer can run (other validation aside).
func Unsupported(p *onnx.Model) []UnsupportedOp {
	if p == nil || p.Graph == nil {
		return nil
	}
	type key struct {
		dom, op string
		opset   int64
	}
	var out []UnsupportedOp
	at := map[key]int{}
	walkNodes(p.Graph, func(n *onnx.Node) {
		dom := ops.NormDomain(n.Domain)
		v, _ := p.Opset(dom)
		if _, _, ok := ops.Lookup(dom, n.OpType, int(v)); ok {
			return
		}
		k := key{dom, n.OpType, v}
		i, seen := at[k]
		if !seen {
			i = len(out)
			at[k] = i
			out = append(out, UnsupportedOp{OpType: n.OpType, Domain: dom, Opset: v})
		}
		out[i].Nodes = append(out[i].Nodes, nodeName(n))
	})
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Domain != out[j].Domain {
			return out[i].Domain < out[j].Domain
		}
		return out[i].OpType < out[j].OpType
	})
	inits := initializerNames(p.Graph)
	for _, io := range []struct {
		kind string
		vis  []*onnx.ValueInfo
	}{{"input", p.Graph.Inputs}, {"output", p.Graph.Outputs}} {
		byType := map[string]int{}
		for _, vi := range io.vis {
			if io.kind == "input" && inits[vi.Name] {
				continue
			}
			t := unsupportedType(vi.Type)
			if t == "" {
				continue
			}
			i, seen := byType[t]
			if !seen {
				i = len(out)
				byType[t] = i
				out = append(out, UnsupportedOp{OpType: t, IO: io.kind})
			}
			out[i].Nodes = append(out[i].Nodes, vi.Name)
		}
	}
	return out
}

// unsupportedType names ti when it is not a tensor of a computable element
// type, and is "" otherwise. An undeclared type is accepted: the tensor
// given (or computed) decides.
func unsupportedType(ti onnx.TypeInfo) string {
	if ti.Kind == onnx.KindUnknown {
		return ""
	}
	if ti.Kind != onnx.KindTensor {
		return ti.Kind.String()
	}
	if !ops.Supported(ti.Elem) {
		return "tensor(" + ti.Elem.String() + ")"
	}
	return ""
}

// nodeName is how Unsupported and validation name a node: its name, or its
// first output's name when unnamed.
func nodeName(n *onnx.Node) string {
	if n.Name != "" || len(n.Outputs) == 0 {
		return n.Name
	}
	return n.Outputs[0]
}

func initializerNames(g *onnx.Graph) map[string]bool {
	m := make(map[string]bool, len(g.Initializer))
	for _, t := range g.Initializer {
		m[t.Name] = true
	}
	return m
}

// newestOpset is the newest version of the default ONNX domain the
// operator specification edgeinfer follows defines.
const newestOpset = 28

// validate checks p before any work and returns its nodes in a topological
// order. All problems found are reported together.
func validate(p *onnx.Model, lim Limits) ([]*onnx.Node, error) {
	if p == nil || p.Graph == nil {
		return nil, fmt.Errorf("%w: model has no graph", ErrInvalidModel)
	}
	g := p.Graph
	if len(g.Nodes) > lim.MaxNodes {
		return nil, limitError("MaxNodes", int64(len(g.Nodes)), int64(lim.MaxNodes), "graph has %d nodes, over the limit of %d (Limits.MaxNodes)", len(g.Nodes), lim.MaxNodes)
	}
	errs := checkOpsets(p)
	errs = append(errs, checkDeclared(g, lim)...)
	unsupported := Unsupported(p)

	// Every value has exactly one source: a graph input, an initializer or a node output.
	source := map[string]string{}
	define := func(name, what string) {
		if name == "" {
			return
		}
		if prev, dup := source[name]; dup {
			errs = append(errs, fmt.Errorf("value %q is defined twice: by %s and by %s", name, prev, what))
			return
		}
		source[name] = what
	}
	inits := initializerNames(g)
	for _, t := range g.Initializer {
		define(t.Name, "an initializer")
	}
	for _, vi := range g.Inputs {
		if !inits[vi.Name] {
			define(vi.Name, "a graph input")
		}
	}
	producer := map[string]int{}
	for i, n := range g.Nodes {
		if len(n.Outputs) == 0 {
			// Every operator has a required output, which kernels write.
			errs = append(errs, fmt.Errorf("node %d (%s): has no outputs", i, ops.NodeLabel(n)))
		}
		for _, o := range n.Outputs {
			define(o, ops.NodeLabel(n))
			if o != "" {
				producer[o] = i
			}
		}
	}
	for _, n := range g.Nodes {
		for i, in := range nodeReads(n) {
			if _, ok := source[in]; in != "" && !ok {
				what := "input"
				if i >= len(n.Inputs) {
					what = "value read by a graph attribute"
				}
				errs = append(errs, fmt.Errorf("%s: %s %q is not a graph input, an initializer or any node's output", ops.NodeLabel(n), what, in))
			}
		}
	}
	for _, vi := range g.Outputs {
		if _, ok := source[vi.Name]; !ok && vi.Name != "" {
			errs = append(errs, fmt.Errorf("graph output %q is not produced by any node", vi.Name))
		}
	}
	if len(errs) > 0 {
		// A model that is also broken does not read as merely beyond
		// edgeinfer's scope: its UnsupportedError does not wrap ErrUnsupported.
		err := fmt.Errorf("%w: %w", ErrInvalidModel, errors.Join(errs...))
		if u := unsupportedError(unsupported, true); u != nil {
			return nil, errors.Join(err, u)
		}
		return nil, err
	}
	if u := unsupportedError(unsupported, false); u != nil {
		return nil, u
	}
	order, err := topoSort(g.Nodes, producer)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidModel, err)
	}
	return order, nil
}

// checkOpsets checks the opset_import list: at most one entry per domain,
// versions from 1, and a default domain version that exists, which must be
// there when a node uses the default domain (a graph of other domains only
// may omit it).
func checkOpsets(p *onnx.Model) []error {
	var errs []error
	seen := map[string]bool{}
	for _, o := range p.OpsetImports {
		dom := ops.NormDomain(o.Domain)
		name := fmt.Sprintf("domain %q", dom)
		if dom == "" {
			name = "the default ONNX domain"
		}
		switch {
		case seen[dom]:
			errs = append(errs, fmt.Errorf("opset_import lists %s twice", name))
		case o.Version < 1:
			errs = append(errs, fmt.Errorf("opset_import: %s has version %d, versions start at 1", name, o.Version))
		case dom == "" && o.Version > newestOpset:
			errs = append(errs, fmt.Errorf("opset_import: the default ONNX domain has version %d, newer than the newest edgeinfer knows (%d)", o.Version, newestOpset))
		}
		seen[dom] = true
	}
	if seen[""] {
		return errs
	}
	for _, n := range p.Graph.Nodes {
		if ops.NormDomain(n.Domain) == "" {
			return append(errs, fmt.Errorf("model imports no opset of the default ONNX domain, which %s uses", ops.NodeLabel(n)))
		}
	}
	return errs
}

// checkDeclared checks the graph's named tensors: initializers and graph
// inputs and outputs have names, and the shapes declared for the inputs and
// outputs fit the limits, the inputs also together (a graph input declared
// with a fixed shape is a tensor a caller will allocate; unknown dimensions
// count as 1).
func checkDeclared(g *onnx.Graph, lim Limits) []error {
	var errs []error
	var inputBytes int64
	inits := initializerNames(g)
	if len(g.Outputs) == 0 {
		errs = append(errs, errors.New("graph has no outputs"))
	}
	for i, t := range g.Initializer {
		if t.Name == "" {
			errs = append(errs, fmt.Errorf("initializer %d has no name", i))
		}
	}
	for _, io := range []struct {
		kind string
		vis  []*onnx.ValueInfo
	}{{"input", g.Inputs}, {"output", g.Outputs}} {
		for i, vi := range io.vis {
			if vi.Name == "" {
				errs = append(errs, fmt.Errorf("graph %s %d has no name", io.kind, i))
				continue
			}
			if !vi.Type.HasShape {
				continue
			}
			dims := make([]int64, len(vi.Type.Shape))
			for d, dim := range vi.Type.Shape {
				dims[d] = max(declaredDim(dim), 1) // an unknown dimension is at least 1 when used
			}
			size, err := lim.tensorBytes(vi.Type.Elem, dims)
			if err != nil {
				errs = append(errs, fmt.Errorf("graph %s %q: declared shape: %w", io.kind, vi.Name, err))
			}
			if io.kind == "input" && !inits[vi.Name] {
				inputBytes += min(size, math.MaxInt64-inputBytes)
			}
		}
	}
	if inputBytes > lim.MaxMemory {
		errs = append(errs, fmt.Errorf("the graph inputs' declared shapes need %d bytes together, over the memory limit of %d (Limits.MaxMemory)", inputBytes, lim.MaxMemory))
	}
	return errs
}

// topoSort orders nodes so that every node comes after the producers of its
// inputs, keeping the file's order where it is valid. On a cycle it names
// the nodes around one.
func topoSort(nodes []*onnx.Node, producer map[string]int) ([]*onnx.Node, error) {
	deps := make([][]int, len(nodes)) // producers of each node's inputs
	users := make([][]int, len(nodes))
	pending := make([]int, len(nodes))
	for i, n := range nodes {
		for _, in := range nodeReads(n) {
			if p, ok := producer[in]; ok && in != "" {
				deps[i] = append(deps[i], p)
				users[p] = append(users[p], i)
				pending[i]++
			}
		}
	}
	// Kahn's algorithm taking the earliest ready node in file order, which
	// keeps an already valid order as it is.
	order := make([]*onnx.Node, 0, len(nodes))
	ready := &intHeap{}
	for i := range nodes {
		if pending[i] == 0 {
			heap.Push(ready, i)
		}
	}
	done := make([]bool, len(nodes))
	for ready.Len() > 0 {
		i := heap.Pop(ready).(int)
		done[i] = true
		order = append(order, nodes[i])
		for _, u := range users[i] {
			if pending[u]--; pending[u] == 0 {
				heap.Push(ready, u)
			}
		}
	}
	if len(order) == len(nodes) {
		return order, nil
	}
	cycle := findCycle(deps, done)
	names := make([]string, len(cycle)+1)
	for i, c := range cycle {
		names[i] = ops.NodeLabel(nodes[c])
	}
	names[len(cycle)] = names[0]
	return nil, fmt.Errorf("graph has a cycle: %s", strings.Join(names, " -> "))
}

// findCycle returns the nodes of one cycle among the nodes not done, each
// followed by a node that consumes its output (the last feeds the first).
func findCycle(deps [][]int, done []bool) []int {
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(deps))
	var stack []int
	var found []int
	var visit func(int) bool
	visit = func(i int) bool {
		color[i] = grey
		stack = append(stack, i)
		for _, d := range deps[i] {
			if done[d] {
				continue
			}
			if color[d] == grey {
				// Each node on the stack consumes the next one's output, so
				// reading it from the top down to d is producer order.
				for k := len(stack) - 1; k >= 0; k-- {
					found = append(found, stack[k])
					if stack[k] == d {
						break
					}
				}
				return true
			}
			if color[d] == white && visit(d) {
				return true
			}
		}
		stack = stack[:len(stack)-1]
		color[i] = black
		return false
	}
	for i := range deps {
		if !done[i] && color[i] == white && visit(i) {
			break
		}
	}
	// Start from the node that comes first in the file.
	first := 0
	for k := range found {
		if found[k] < found[first] {
			first = k
		}
	}
	found = append(found[first:], found[:first]...)
	return found
}

// intHeap is a min-heap of node indices.
type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
