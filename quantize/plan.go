package quantize

import (
	"math"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// The operators quantize rewrites, by how (see the package documentation).
var (
	// weightedOps take a quantized activation, int8 weights and an int32 bias.
	weightedOps = map[string]bool{"Conv": true, "Gemm": true, "MatMul": true}
	// ownRangeOps have every input and their output quantized, each with
	// its own calibrated range.
	ownRangeOps = map[string]bool{"Add": true, "Mul": true, "Concat": true, "GlobalAveragePool": true, "ReduceMean": true}
	// sameRangeOps have their output quantized with their input's
	// parameters, when their input is quantized: they only move or
	// select values.
	sameRangeOps = map[string]bool{"MaxPool": true, "AveragePool": true, "Reshape": true, "Flatten": true,
		"Transpose": true, "Squeeze": true, "Unsqueeze": true, "Split": true}
	// activationOps are fused into the quantized range of their input's
	// producer where that is exact.
	activationOps = map[string]bool{"Relu": true, "Clip": true}
)

// candidate reports whether quantize may rewrite n (before looking at
// its tensors' types).
func candidate(n *onnx.Node) bool {
	t := n.OpType
	return defaultDomain(n) && (weightedOps[t] || ownRangeOps[t] || sameRangeOps[t] || activationOps[t])
}

// actQuant is the quantization of one activation tensor.
type actQuant struct {
	name string
	// producer is the node writing the tensor (nil for a graph input).
	producer *onnx.Node
	// sameAs names the tensor whose parameters this one reuses ("" when
	// it has its own range).
	sameAs string
	// fused is the Relu or Clip fused into producer: the tensor is its
	// output, computed by producer without the activation, which
	// quantization applies. lo and hi are its bounds.
	fused  *onnx.Node
	lo, hi float32
	params Params
}

// weightUse is a node input quantized as int8 weights.
type weightUse struct {
	node  *onnx.Node
	input int
	axis  int // per-channel axis, -1 for per tensor
}

// biasUse is a node input quantized as an int32 bias with the scale of
// activation x times that of weights w.
type biasUse struct {
	node  *onnx.Node
	input int
	x     string
	w     *weightUse
}

// plan is what quantize rewrites in a prepared model.
type plan struct {
	e       *editor
	types   map[string]onnx.DataType // activation types observed or declared
	uses    map[string]int
	prod    map[string]*onnx.Node
	outs    map[string]bool // graph outputs
	acts    map[string]*actQuant
	order   []string // acts in the order they were decided
	weights []*weightUse
	biases  []*biasUse
	// nodes are the quantized nodes in graph order (also as a set in
	// planned), weighted the count of those with weights (which are
	// never left in float).
	nodes    []*onnx.Node
	planned  map[*onnx.Node]bool
	weighted int
	fused    map[*onnx.Node]bool // Relu and Clip nodes fused away
}

// decide chooses what to quantize in e's graph, whose activations have
// the given types, leaving the excluded nodes alone: the way ONNX
// Runtime's QDQ quantizer does (see the package documentation), node by
// node in graph order, then leaving in float the tensors no quantized
// node needs, then fusing activations.
func decide(e *editor, types map[string]onnx.DataType, exclude map[string]bool, perChannel bool) *plan {
	p := &plan{e: e, types: types, uses: e.uses(), prod: e.producers(), outs: map[string]bool{},
		acts: map[string]*actQuant{}, planned: map[*onnx.Node]bool{}, fused: map[*onnx.Node]bool{}}
	for _, vi := range e.g.Outputs {
		p.outs[vi.Name] = true
	}
	for _, n := range e.g.Nodes {
		if !candidate(n) || exclude[n.Name] {
			continue
		}
		var done bool
		switch t := n.OpType; {
		case weightedOps[t]:
			done = p.weightedNode(n, perChannel)
		case ownRangeOps[t]:
			done = p.ownRangeNode(n)
		case sameRangeOps[t], activationOps[t]:
			done = p.followerNode(n)
		}
		if done {
			p.planned[n] = true
		}
	}
	p.prune()
	p.fuseActivations()
	for _, n := range e.g.Nodes {
		if p.planned[n] {
			p.nodes = append(p.nodes, n)
		}
	}
	return p
}

// activation reports whether name is a float32 tensor computed in the
// graph or given as a graph input (not a constant).
func (p *plan) activation(name string) bool {
	return name != "" && p.e.inits[name] == nil && p.types[name] == onnx.Float
}

// floatConst reports whether name is a float32 initializer.
func (p *plan) floatConst(name string) bool {
	t := p.e.inits[name]
	return name != "" && t != nil && t.DataType == onnx.Float
}

// quantizable reports whether the output name may get a QuantizeLinear,
// DequantizeLinear pair: a float32 tensor that is not a graph output
// (graph outputs stay float32).
func (p *plan) quantizable(name string) bool { return p.activation(name) && !p.outs[name] }

// own asks for name to be quantized with its own range (unless it
// already is quantized).
func (p *plan) own(name string) {
	if p.acts[name] == nil {
		p.acts[name] = &actQuant{name: name, producer: p.prod[name]}
		p.order = append(p.order, name)
	}
}

// weightedNode plans a Conv, Gemm or MatMul: its activation input, its
// constant weights (per channel: along the output channels), its bias
// when it is a constant vector of one value per output channel, and its
// output.
func (p *plan) weightedNode(n *onnx.Node, perChannel bool) bool {
	x, w, b := input(n, 0), input(n, 1), input(n, 2)
	if len(n.Outputs) != 1 || !p.activation(x) {
		return false
	}
	wt := p.e.inits[w]
	axis, channels, bias := -1, int64(0), false
	switch {
	case p.floatConst(w) && n.OpType == "Conv" && len(wt.Dims) >= 3:
		axis, channels, bias = 0, wt.Dims[0], true
	case p.floatConst(w) && n.OpType == "Gemm" && len(wt.Dims) == 2:
		a := ops.AttrsOf(n)
		transB := a.Int("transB", 0)
		axis = 1 - int(min(max(transB, 0), 1))
		channels = wt.Dims[axis]
		bias = a.Float("alpha", 1) == 1 && a.Float("beta", 1) == 1 && a.Err() == nil
	case p.floatConst(w) && n.OpType == "MatMul" && len(wt.Dims) >= 2:
		axis, channels = len(wt.Dims)-1, wt.Dims[len(wt.Dims)-1]
	case n.OpType == "MatMul" && p.activation(w):
		p.own(x)
		p.own(w)
		if p.quantizable(n.Outputs[0]) {
			p.own(n.Outputs[0])
		}
		return true
	default:
		return false
	}
	if !perChannel {
		axis = -1
	}
	p.own(x)
	wu := &weightUse{node: n, input: 1, axis: axis}
	p.weights = append(p.weights, wu)
	p.weighted++
	if bt := p.e.inits[b]; bias && p.floatConst(b) && len(bt.Dims) == 1 && bt.Dims[0] == channels {
		p.biases = append(p.biases, &biasUse{node: n, input: 2, x: x, w: wu})
	}
	if p.quantizable(n.Outputs[0]) {
		p.own(n.Outputs[0])
	}
	return true
}

// ownRangeNode plans an Add, Mul, Concat, GlobalAveragePool or ReduceMean:
// each activation input and the output with its own range; Add's and
// Mul's constant inputs as int8 weights, ReduceMean's axes as they are.
// A ReduceMean's output quantized makes the convolution before it (a
// network's last, before its global pooling: ShuffleNet's, written
// x.mean([2, 3])) an integer one.
func (p *plan) ownRangeNode(n *onnx.Node) bool {
	if len(n.Outputs) != 1 || !p.quantizable(n.Outputs[0]) || len(n.Inputs) == 0 {
		return false
	}
	consts := n.OpType == "Add" || n.OpType == "Mul"
	acts := 0
	for i, in := range n.Inputs {
		switch {
		case p.activation(in):
			acts++
		case consts && p.floatConst(in):
		case n.OpType == "ReduceMean" && i > 0 && (in == "" || p.e.inits[in] != nil):
		default:
			return false
		}
	}
	if acts == 0 {
		return false
	}
	for i, in := range n.Inputs {
		switch {
		case p.activation(in):
			p.own(in)
		case consts:
			p.weights = append(p.weights, &weightUse{node: n, input: i, axis: -1})
		}
	}
	p.own(n.Outputs[0])
	return true
}

// followerNode plans a pooling or reshaping node, or a Relu or Clip,
// whose input is quantized: its output is quantized too (each output of a
// Split), with its input's parameters for pooling and reshaping (they only
// move or select values), with its own range for an activation (until
// fuseActivations merges it into its input's producer).
func (p *plan) followerNode(n *onnx.Node) bool {
	x := input(n, 0)
	if len(n.Outputs) == 0 || len(n.Outputs) > 1 && n.OpType != "Split" || p.acts[x] == nil {
		return false
	}
	for _, y := range n.Outputs {
		if !p.quantizable(y) {
			return false
		}
	}
	for _, y := range n.Outputs {
		switch {
		case p.acts[y] != nil:
		case activationOps[n.OpType]:
			p.own(y)
		default:
			p.acts[y] = &actQuant{name: y, producer: n, sameAs: x}
			p.order = append(p.order, y)
		}
	}
	return true
}

// prune leaves in float the activations no quantized node needs: those
// read only by nodes left in float (a classifier's scores before its
// Softmax, say), where quantizing would add noise for nothing. A pooling,
// reshaping or activation node whose output stays float is then left in
// float itself; the other nodes keep their quantized inputs. Going from
// the last tensor decided to the first sees a tensor's readers settled
// before the tensor.
func (p *plan) prune() {
	readers := map[string][]*onnx.Node{}
	for _, n := range p.e.g.Nodes {
		for _, in := range n.Inputs {
			readers[in] = append(readers[in], n)
		}
	}
	for i := len(p.order) - 1; i >= 0; i-- {
		name := p.order[i]
		needed := false
		for _, r := range readers[name] {
			t := r.OpType
			if p.planned[r] && (weightedOps[t] || ownRangeOps[t] || slices.ContainsFunc(r.Outputs, func(o string) bool { return p.acts[o] != nil })) {
				needed = true
			}
		}
		if needed {
			continue
		}
		prod := p.acts[name].producer
		delete(p.acts, name)
		if prod != nil && (sameRangeOps[prod.OpType] || activationOps[prod.OpType]) &&
			!slices.ContainsFunc(prod.Outputs, func(o string) bool { return p.acts[o] != nil }) {
			delete(p.planned, prod)
		}
		p.order = append(p.order[:i], p.order[i+1:]...)
	}
}

// fuseActivations fuses each quantized Relu or Clip into its input's
// producer (removes it: the producer writes its output, whose quantized
// range applies it) when that is exact: the input has its own range, is
// written by a quantized node, read by nothing else and not a graph
// output, and the activation's bounds hold 0, so that the range
// calibrated on its output, which quantization widens to hold 0, lies
// within them.
func (p *plan) fuseActivations() {
	for _, n := range p.e.g.Nodes {
		if !p.planned[n] || !activationOps[n.OpType] {
			continue
		}
		x, y := n.Inputs[0], n.Outputs[0]
		q, a := p.acts[x], p.acts[y]
		lo, hi, ok := p.clipBounds(n)
		if !ok || q == nil || a == nil || q.sameAs != "" || q.fused != nil || q.producer == nil || !p.planned[q.producer] ||
			p.uses[x] != 1 || p.outs[x] || lo > 0 || hi < 0 {
			continue
		}
		delete(p.acts, x)
		p.order = slices.DeleteFunc(p.order, func(s string) bool { return s == x })
		a.producer, a.fused, a.lo, a.hi = q.producer, n, lo, hi
		p.fused[n] = true
	}
}

// clipBounds returns the bounds of a Relu (0, +Inf) or a Clip (its
// constant min and max inputs, infinite where absent); false when a
// Clip bound is not a float32 scalar constant.
func (p *plan) clipBounds(n *onnx.Node) (lo, hi float32, ok bool) {
	lo, hi = float32(math.Inf(-1)), float32(math.Inf(1))
	if n.OpType == "Relu" {
		return 0, hi, true
	}
	for i, v := range []*float32{&lo, &hi} {
		name := input(n, i+1)
		if name == "" {
			continue
		}
		t, err := p.e.constant(name)
		if err != nil || t == nil || t.Type != onnx.Float || t.Len() != 1 {
			return 0, 0, false
		}
		*v = t.F32()[0]
	}
	return lo, hi, true
}
