package runtime

import (
	"errors"
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Constant folding computes, before any run, the nodes whose inputs are all
// known: at load time those fed only by initializers and Constant nodes (the
// Constant nodes themselves included), at plan time also those fed by the
// integer inputs treated as plan constants and by Shape or Size of any
// tensor, whose shape the plan knows. This is what turns PyTorch's
// Shape -> Gather -> Unsqueeze -> Concat -> Reshape chains into a Reshape by
// a constant.

// neverFolded lists default-domain operators whose output is not a function
// of their inputs (random generators) or that are only identities at
// inference (Dropout, removed by its own pass, may be in training mode).
var neverFolded = map[string]bool{
	"RandomNormal": true, "RandomUniform": true, "RandomNormalLike": true,
	"RandomUniformLike": true, "Multinomial": true, "Bernoulli": true, "Dropout": true,
}

// shapeOnly lists default-domain operators that read only their input's
// shape, so they fold whenever the shape is known.
var shapeOnly = map[string]bool{"Shape": true, "Size": true}

// foldable reports whether n can be computed from in before a run.
func foldable(n *node, in []ops.Value) bool {
	def := ops.NormDomain(n.proto.Domain) == ""
	if def && neverFolded[n.proto.OpType] {
		return false
	}
	if def && shapeOnly[n.proto.OpType] && len(in) == 1 && in[0].Type != onnx.Undefined {
		return true
	}
	for _, v := range in {
		if v.Type != onnx.Undefined && v.Const == nil {
			return false
		}
	}
	return true
}

// constValue is the Value of a known tensor.
func constValue(t *ops.Tensor) ops.Value { return ops.Value{Type: t.Type, Shape: t.Shape, Const: t} }

// inputValues gathers the Values of ids (Undefined for omitted inputs).
func inputValues(vals []ops.Value, ids []int) []ops.Value {
	in := make([]ops.Value, len(ids))
	for i, id := range ids {
		if id >= 0 {
			in[i] = vals[id]
		}
	}
	return in
}

// allConst reports whether the value of every output of n is known.
func allConst(n *node, outv []ops.Value) bool {
	for i := range n.out {
		if outv[i].Const == nil {
			return false
		}
	}
	return true
}

// checkOutputs verifies the operator described every output the node names.
func checkOutputs(n *node, outv []ops.Value) error {
	if len(outv) < len(n.out) {
		return fmt.Errorf("%s: operator gives %d outputs, the node names %d", n.label(), len(outv), len(n.out))
	}
	return nil
}

// evaluate runs the prepared op on known inputs and sets the Const of
// every output Value, whose shapes passed the limits. A shape-only
// operator's unknown input is passed without data.
func evaluate(n *node, op ops.Op, in, outv []ops.Value, lim Limits) error {
	ins := make([]*ops.Tensor, len(in))
	for i, v := range in {
		switch {
		case v.Const != nil:
			ins[i] = v.Const
		case v.Type != onnx.Undefined:
			ins[i] = &ops.Tensor{Type: v.Type, Shape: v.Shape}
		}
	}
	outs := make([]*ops.Tensor, len(n.out))
	for i := range outs {
		outs[i] = ops.New(outv[i].Type, outv[i].Shape...)
	}
	ctx := &ops.Ctx{Par: ops.Serial{}}
	if w, ok := op.(ops.Workspacer); ok {
		ws := w.Workspace(in)
		if err := lim.checkWorkspace(n, ws); err != nil {
			return err
		}
		ctx.Scratch = ops.AlignedBytes(ws)
	}
	if err := safeRun(op, ctx, ins, outs); err != nil {
		return fmt.Errorf("%s: %w", n.label(), err)
	}
	for i, t := range outs {
		outv[i].Const = t
	}
	return nil
}

// safeRun runs op, turning a panic into an error.
func safeRun(op ops.Op, ctx *ops.Ctx, in, out []*ops.Tensor) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrPanic, r)
		}
	}()
	return op.Run(ctx, in, out)
}

// foldLoadConstants replaces every node whose inputs are all load-time
// constants by the constants it computes.
func foldLoadConstants(g *graph, lim Limits, keep func(*node) bool) (err error) {
	var at *onnx.Node
	defer recoverOps(&err, &at)
	gone := map[*node]bool{}
	var total int64 // bytes folded
	for _, n := range g.nodes {
		at = n.proto
		in := make([]ops.Value, len(n.in))
		known := true
		for i, id := range n.in {
			if id < 0 {
				continue
			}
			if g.consts[id] == nil {
				known = false
				break
			}
			in[i] = constValue(g.consts[id])
		}
		if !known || !foldable(n, in) || keep != nil && keep(n) {
			continue
		}
		outv, err := n.op.Infer(in)
		if err != nil {
			return fmt.Errorf("%s: %w", n.label(), err)
		}
		if err := checkOutputs(n, outv); err != nil {
			return err
		}
		size, err := lim.checkOutputValues(n, g.names, outv)
		if err != nil {
			return err
		}
		if !allConst(n, outv) {
			if err := lim.folded(&total, size, n); err != nil {
				return err
			}
			// The node leaves the graph, so its operator is prepared here.
			if p, ok := n.op.(ops.Preparer); ok {
				if err := p.Prepare(in); err != nil {
					return fmt.Errorf("%s: %w", n.label(), err)
				}
			}
			if err := evaluate(n, n.op, in, outv, lim); err != nil {
				return err
			}
		}
		for i, id := range n.out {
			g.consts[id] = outv[i].Const
		}
		gone[n] = true
	}
	g.removeNodes(gone)
	return nil
}

// foldPlanConstants is the plan-time pass: it infers the outputs of the
// segment's nodes in order and computes those it can, leaving the others as
// steps. With optimizations off the computed nodes stay steps too (their
// values are still needed to infer shapes downstream). It stops at the first
// node whose output shapes depend on values not known before the run.
func (pl *planner) foldPlanConstants() error {
	lim := pl.m.cfg.limits
	var total int64 // bytes folded
	for i, n := range pl.g.nodes[pl.seg.first:] {
		pl.at = n.proto
		in := inputValues(pl.vals, n.in)
		outv, err := n.op.Infer(in)
		if errors.Is(err, ops.ErrNotConstant) {
			// The node's output shapes depend on values known only in a
			// run: the plan stops here (see dynamic.go).
			pl.brk = pl.seg.first + i
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", n.label(), err)
		}
		if err := checkOutputs(n, outv); err != nil {
			return err
		}
		size, err := lim.checkOutputValues(n, pl.g.names, outv)
		if err != nil {
			return err
		}
		known := allConst(n, outv)
		if !known && foldable(n, in) {
			if err := lim.folded(&total, size, n); err != nil {
				return err
			}
			op, err := pl.resolve(variantKey{n: n}, n.in, in)
			if err != nil {
				return err
			}
			if err := pl.materialize(n.in, in); err != nil {
				return err
			}
			if err := evaluate(n, op, in, outv, lim); err != nil {
				return err
			}
			known = true
		}
		for i, id := range n.out {
			pl.vals[id] = outv[i]
			pl.planConst[id] = outv[i].Const != nil
		}
		if known && pl.m.cfg.optimize {
			pl.folded++
			continue
		}
		pl.steps = append(pl.steps, &step{key: variantKey{n: n}, in: n.in, out: n.out})
	}
	return nil
}
