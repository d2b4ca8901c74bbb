package runtime

import (
	"fmt"
	"math"
	"sort"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// PlanInfo describes a plan: memory, steps and arithmetic.
type PlanInfo struct {
	// ArenaBytes is the arena each run state allocates for the
	// intermediate tensors (and the inputs and outputs the runtime converts).
	ArenaBytes int64
	// NaiveBytes is what those tensors would take if none shared memory.
	NaiveBytes int64
	// ConstBytes is the size of the constants the steps read (initializers
	// and values computed at load or plan time).
	ConstBytes int64
	// TransformedBytes is what the model's prepared forms of constants
	// take beyond the constants themselves (the Winograd convolutions'
	// transformed weights), counted against Limits.MaxMemory: where it
	// would pass the limit, convolutions run on W as it is instead (see
	// WithMemoryLimit).
	TransformedBytes int64
	// ScratchBytes is the kernels' workspace each run state allocates
	// beside its arena: the largest a step asks for. A Session holds
	// ArenaBytes + ScratchBytes once it has run; Model.Run shares its run
	// states among callers (at most GOMAXPROCS of them are kept).
	ScratchBytes int64
	// Steps are the kernels a run executes, in order.
	Steps []StepInfo
	// MACs is the total of the steps' multiply-accumulates.
	MACs int64
	// Folded is the number of nodes computed at plan time instead of in runs.
	Folded int
	// StopsAt names the node the plan stops before, when that node's output
	// shapes depend on values computed in the run ("" when the plan covers
	// the whole graph): a run computes it and plans the rest for the shapes
	// it gives, so Steps, MACs and the memory figures cover the part before it.
	StopsAt string
}

// StepInfo describes one kernel call of a plan.
type StepInfo struct {
	Name   string   // the node's name ("" if unnamed)
	OpType string   // the node's operator, e.g. "Conv"
	Fused  []string // operators fused into it, e.g. ["Add", "Relu"]
	// OutShapes are the shapes of the step's outputs.
	OutShapes [][]int
	// MACs counts multiply-accumulates of Conv, ConvTranspose, Gemm and
	// MatMul (and their quantized forms); 0 for other operators.
	MACs int64
}

// info summarizes the laid-out plan p.
func (pl *planner) info(p *plan) PlanInfo {
	info := PlanInfo{ArenaBytes: p.arena, ScratchBytes: p.scratch, Folded: pl.folded}
	if p.dyn != nil {
		info.StopsAt = p.dyn.node.label()
	}
	seen := map[*ops.Tensor]bool{}
	for _, sl := range p.slots {
		switch sl.kind {
		case slotArena:
			info.NaiveBytes += align64(sl.size)
		case slotConst:
			if !seen[sl.c] {
				seen[sl.c] = true
				// The type and shape: an operator may read a copy of its own.
				info.ConstBytes += int64(ops.NumElems(sl.shape) * ops.ElemSize(sl.typ))
			}
		}
	}
	for _, o := range p.outputs {
		if o.mode != outDirect {
			info.NaiveBytes += align64(o.size)
		}
	}
	for i := range p.steps {
		s := &p.steps[i]
		si := StepInfo{Name: s.key.n.proto.Name, OpType: s.key.n.proto.OpType, MACs: macs(s, pl.vals)}
		for _, f := range s.fused {
			si.Fused = append(si.Fused, f.proto.OpType)
		}
		for _, id := range s.out {
			si.OutShapes = append(si.OutShapes, append([]int{}, pl.vals[id].Shape...))
		}
		info.MACs += si.MACs
		info.Steps = append(info.Steps, si)
	}
	return info
}

// macs counts the multiply-accumulates of a step from its shapes.
func macs(s *step, vals []ops.Value) int64 {
	shape := func(i int) []int {
		if i < len(s.in) && s.in[i] >= 0 {
			return vals[s.in[i]].Shape
		}
		return nil
	}
	n := s.key.n
	out := vals[s.out[0]].Shape
	outElems := int64(ops.NumElems(out))
	switch {
	case n.is("Conv"), n.is("ConvInteger"), n.is("QLinearConv"):
		w := shape(1)
		if n.is("QLinearConv") {
			w = shape(3)
		}
		if len(w) < 2 {
			return 0
		}
		return outElems * int64(ops.NumElems(w[1:]))
	case n.is("ConvTranspose"):
		if w := shape(1); len(w) >= 2 {
			return int64(ops.NumElems(shape(0))) * int64(ops.NumElems(w[1:]))
		}
	case n.is("Gemm"):
		if len(out) == 2 && out[0] > 0 {
			return outElems * int64(ops.NumElems(shape(0))/out[0])
		}
	case n.is("MatMul"), n.is("MatMulInteger"), n.is("QLinearMatMul"):
		if a := shape(0); len(a) > 0 {
			return outElems * int64(a[len(a)-1])
		}
	}
	return 0
}

// OpCount is how many nodes of one operator a model has.
type OpCount struct {
	Domain string // "" for the default domain
	OpType string
	Count  int
}

// OpHistogram counts p's nodes by operator, most frequent first (then by name).
func OpHistogram(p *onnx.Model) []OpCount {
	if p == nil || p.Graph == nil {
		return nil
	}
	type key struct{ dom, op string }
	count := map[key]int{}
	for _, n := range p.Graph.Nodes {
		count[key{ops.NormDomain(n.Domain), n.OpType}]++
	}
	out := make([]OpCount, 0, len(count))
	for k, c := range count {
		out = append(out, OpCount{Domain: k.dom, OpType: k.op, Count: c})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Domain != b.Domain {
			return a.Domain < b.Domain
		}
		return a.OpType < b.OpType
	})
	return out
}

// ParamStats sums the elements and the stored bytes of p's weights: its
// initializers and the values of its Constant nodes (some exporters,
// Paddle's among them, hold every weight in a Constant node). Strings count
// their lengths, 4- and 2-bit types their packed bytes; a sparse Constant
// value is not counted. A tensor whose dimensions are negative or whose
// size overflows is an error naming it.
func ParamStats(p *onnx.Model) (count, bytes int64, err error) {
	if p == nil || p.Graph == nil {
		return 0, 0, nil
	}
	add := func(n, size int64) {
		count += min(n, math.MaxInt64-count)
		bytes += min(size, math.MaxInt64-bytes)
	}
	for _, t := range p.Graph.Initializer {
		n, size, err := tensorStats(t)
		if err != nil {
			return 0, 0, fmt.Errorf("initializer: %w", err)
		}
		add(n, size)
	}
	for _, nd := range p.Graph.Nodes {
		if nd.OpType != "Constant" || ops.NormDomain(nd.Domain) != "" {
			continue
		}
		for _, a := range nd.Attrs {
			switch a.Name {
			case "value":
				if a.T == nil {
					continue
				}
				n, size, err := tensorStats(a.T)
				if err != nil {
					return 0, 0, fmt.Errorf("%s: attribute %q: %w", ops.NodeLabel(nd), a.Name, err)
				}
				add(n, size)
			case "value_float":
				add(1, 4)
			case "value_floats":
				add(int64(len(a.Floats)), 4*int64(len(a.Floats)))
			case "value_int":
				add(1, 8)
			case "value_ints":
				add(int64(len(a.Ints)), 8*int64(len(a.Ints)))
			case "value_string":
				add(1, int64(len(a.S)))
			case "value_strings":
				add(int64(len(a.Strings)), stringBytes(a.Strings))
			}
		}
	}
	return count, bytes, nil
}

// tensorStats is the number of elements of t and the bytes they take.
func tensorStats(t *onnx.Tensor) (n, size int64, err error) {
	if n, err = t.NumElems(); err != nil {
		return 0, 0, err
	}
	switch t.DataType {
	case onnx.String:
		return n, stringBytes(t.StringData), nil
	case onnx.Int4, onnx.Uint4, onnx.Float4E2M1:
		return n, n/2 + n%2, nil
	case onnx.Int2, onnx.Uint2:
		return n, n/4 + min(n%4, 1), nil
	}
	elem := int64(max(onnx.ElemSize(t.DataType), 1))
	if n > math.MaxInt64/elem {
		return 0, 0, fmt.Errorf("onnx: tensor %q: %d elements of %s: size overflows int64", t.Name, n, t.DataType)
	}
	return n, n * elem, nil
}

func stringBytes(list [][]byte) int64 {
	var n int64
	for _, s := range list {
		n += int64(len(s))
	}
	return n
}
