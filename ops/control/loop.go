package control

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Loop runs its body while the iteration count is below the optional trip
// count M and the optional condition holds (the body computes the next
// condition), carrying N values from one iteration to the next and
// stacking K scan outputs, one slice per iteration, along a new first
// axis. Versions differ only in the types allowed (sequence and optional
// carried values are not supported). When the carried values keep their
// shapes and there are no scan outputs, or the trip count is known and the
// condition is not computed, the node is a planned step; otherwise it runs
// when its inputs are known and what follows is planned for its outputs.
func init() {
	for _, v := range []int{1, 11, 13, 16, 19, 21, 23, 24, 25} {
		ops.Register("", "Loop", v, buildLoop)
	}
}

// loopOp is a built Loop.
type loopOp struct {
	body  *onnx.Graph
	sub   ops.Subgraph
	outer int
}

func buildLoop(n *onnx.Node, _ int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &loopOp{body: a.Graph("body")}
	if err := a.Err(); err != nil {
		return nil, err
	}
	if op.body == nil {
		return nil, fmt.Errorf("attribute %q is required", "body")
	}
	return op, nil
}

// GraphAttrs lists the body.
func (op *loopOp) GraphAttrs() []*onnx.Graph { return []*onnx.Graph{op.body} }

// SetSubgraphs takes the compiled body.
func (op *loopOp) SetSubgraphs(sg []ops.Subgraph, outer int) { op.sub, op.outer = sg[0], outer }

// loopArgs are a Loop's inputs by role.
type loopArgs[T any] struct {
	m, cond T   // trip count and condition (zero when omitted)
	carried []T // initial values of the loop-carried dependencies
	outer   []T
}

func loopInputs[T any](op *loopOp, in []T) (loopArgs[T], error) {
	n := len(in) - op.outer
	if n < 2 {
		return loopArgs[T]{}, fmt.Errorf("got %d inputs, want at least 2 (M and cond, possibly omitted)", n)
	}
	return loopArgs[T]{m: in[0], cond: in[1], carried: in[2:n], outer: in[n:]}, nil
}

// scalarValue is the Value of a scalar of type t.
func scalarValue(t ops.DType) ops.Value { return ops.Value{Type: t, Shape: []int{}} }

// Infer gives the final carried values' and the scan outputs' types and
// shapes when they do not depend on the iterations run.
func (op *loopOp) Infer(in []ops.Value) ([]ops.Value, error) {
	a, err := loopInputs(op, in)
	if err != nil {
		return nil, err
	}
	if a.m.Type != onnx.Undefined && (a.m.Type != onnx.Int64 || ops.NumElems(a.m.Shape) != 1) {
		return nil, fmt.Errorf("input M is %s%v, want an int64 scalar", ops.TypeName(a.m.Type), a.m.Shape)
	}
	if a.cond.Type != onnx.Undefined && (a.cond.Type != onnx.Bool || ops.NumElems(a.cond.Shape) != 1) {
		return nil, fmt.Errorf("input cond is %s%v, want a bool scalar", ops.TypeName(a.cond.Type), a.cond.Shape)
	}
	bodyIn := append([]ops.Value{scalarValue(onnx.Int64), scalarValue(onnx.Bool)}, a.carried...)
	for i := range bodyIn[2:] {
		bodyIn[2+i].Const = nil // the body sees each iteration's values
	}
	out, err := op.sub.Infer(bodyIn, a.outer)
	if err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	nc := len(a.carried)
	if len(out) < 1+nc {
		return nil, fmt.Errorf("body gives %d outputs, want at least %d (the condition and %d carried values)", len(out), 1+nc, nc)
	}
	res := make([]ops.Value, 0, len(out)-1)
	for i, v := range out[1 : 1+nc] {
		c := a.carried[i]
		if v.Type != c.Type {
			return nil, fmt.Errorf("body output %d has type %s, the carried value's is %s", 1+i, ops.TypeName(v.Type), ops.TypeName(c.Type))
		}
		if !ops.SameShape(v.Shape, c.Shape) {
			return nil, fmt.Errorf("carried value %d changes shape from %v to %v: %w", i, c.Shape, v.Shape, ops.ErrNotConstant)
		}
		res = append(res, ops.Value{Type: v.Type, Shape: v.Shape})
	}
	if len(out) == 1+nc {
		return res, nil
	}
	// Scan outputs: as many slices as iterations, known when only M bounds them.
	if a.m.Const == nil || a.cond.Type != onnx.Undefined || out[0].Const == nil || out[0].Const.U8()[0] == 0 {
		return nil, fmt.Errorf("scan outputs: the iteration count: %w", ops.ErrNotConstant)
	}
	trips, err := ops.ToDim(max(0, a.m.Const.I64()[0]), "trip count M")
	if err != nil {
		return nil, err
	}
	for _, v := range out[1+nc:] {
		res = append(res, ops.Value{Type: v.Type, Shape: append([]int{trips}, v.Shape...)})
	}
	return res, nil
}

// Eval runs the loop.
func (op *loopOp) Eval(ctx *ops.Ctx, in []*ops.Tensor) ([]*ops.Tensor, error) {
	a, err := loopInputs(op, in)
	if err != nil {
		return nil, err
	}
	trips := int64(-1) // unbounded
	if a.m != nil {
		if a.m.Len() != 1 {
			return nil, fmt.Errorf("input M has %d elements, want 1", a.m.Len())
		}
		trips = max(0, a.m.I64()[0])
	}
	cond := true
	if a.cond != nil {
		if a.cond.Len() != 1 {
			return nil, fmt.Errorf("input cond has %d elements, want 1", a.cond.Len())
		}
		cond = a.cond.U8()[0] != 0
	}
	iter, condT := ops.New(onnx.Int64), ops.New(onnx.Bool)
	carried := append([]*ops.Tensor(nil), a.carried...)
	var scans []*stack
	for i := int64(0); cond && (trips < 0 || i < trips); i++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("iteration %d: %w", i, err)
		}
		iter.I64()[0] = i
		condT.U8()[0] = 1
		out, err := op.sub.Run(ctx, append([]*ops.Tensor{iter, condT}, carried...), a.outer)
		if err != nil {
			return nil, fmt.Errorf("body, iteration %d: %w", i, err)
		}
		if len(out) < 1+len(carried) {
			return nil, fmt.Errorf("body gives %d outputs, want at least %d", len(out), 1+len(carried))
		}
		if c := out[0]; c.Type != onnx.Bool || c.Len() != 1 {
			return nil, fmt.Errorf("body output 0 (the condition) is %v, want a bool scalar", c)
		}
		cond = out[0].U8()[0] != 0
		copy(carried, out[1:1+len(carried)])
		if scans == nil {
			scans = make([]*stack, len(out)-1-len(carried))
			for k := range scans {
				scans[k] = &stack{}
			}
		}
		if len(out)-1-len(carried) != len(scans) {
			return nil, fmt.Errorf("body gives %d outputs in iteration %d, %d before", len(out), i, 1+len(carried)+len(scans))
		}
		for k, s := range scans {
			if err := s.push(out[1+len(carried)+k], ctx.MaxTensorBytes); err != nil {
				return nil, fmt.Errorf("scan output %d, iteration %d: %w", k, i, err)
			}
		}
	}
	res := carried
	if scans == nil { // no iteration: the scan outputs are empty
		outv, err := op.sub.Infer(append([]ops.Value{scalarValue(onnx.Int64), scalarValue(onnx.Bool)}, tensorValues(carried)...), tensorValues(a.outer))
		if err != nil {
			return nil, fmt.Errorf("body (for the empty scan outputs): %w", err)
		}
		for _, v := range outv[min(len(outv), 1+len(carried)):] {
			res = append(res, ops.New(v.Type, append([]int{0}, v.Shape...)...))
		}
		return res, nil
	}
	for _, s := range scans {
		res = append(res, s.tensor())
	}
	return res, nil
}

// Run runs the loop into outputs planned for it.
func (op *loopOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	res, err := op.Eval(ctx, in)
	if err != nil {
		return err
	}
	return copyResults(res, out)
}

// tensorValues describes known tensors as Values (nil ones as omitted).
func tensorValues(ts []*ops.Tensor) []ops.Value {
	vs := make([]ops.Value, len(ts))
	for i, t := range ts {
		if t != nil {
			vs[i] = ops.Value{Type: t.Type, Shape: t.Shape, Const: t}
		}
	}
	return vs
}

// stack accumulates same-shaped tensors along a new first axis.
type stack struct {
	typ   ops.DType
	shape []int
	n     int
	data  []byte
}

// push appends t, failing when the stack would grow over limit bytes (when positive).
func (s *stack) push(t *ops.Tensor, limit int64) error {
	if s.n == 0 {
		s.typ, s.shape = t.Type, append([]int(nil), t.Shape...)
	} else if t.Type != s.typ || !ops.SameShape(t.Shape, s.shape) {
		return fmt.Errorf("is %v, was %s%v", t, ops.TypeName(s.typ), s.shape)
	}
	if size := int64(len(s.data) + t.Len()*ops.ElemSize(t.Type)); limit > 0 && size > limit {
		return fmt.Errorf("stacked slices need more than %d bytes, the limit for one tensor", limit)
	}
	s.data = append(s.data, t.Data[:t.Len()*ops.ElemSize(t.Type)]...)
	s.n++
	return nil
}

func (s *stack) tensor() *ops.Tensor {
	t := ops.New(s.typ, append([]int{s.n}, s.shape...)...)
	copy(t.Data, s.data)
	return t
}
