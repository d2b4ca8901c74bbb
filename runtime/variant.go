package runtime

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/ops"
)

// variantKey names the operator a step runs: a node's operator, possibly
// with a residual Add and an activation fused in.
type variantKey struct {
	n   *node
	add bool
	act ops.Activation
}

// variant is a memoized operator for a variantKey.
type variant struct {
	op       ops.Op // nil when the node's operator cannot be fused that way
	prepared bool
}

// variant returns the operator for k, or nil if the fusion k describes is
// not possible. Operators are created once per model; m.mu must be held.
func (m *Model) variant(k variantKey) ops.Op {
	if v, ok := m.variants[k]; ok {
		return v.op
	}
	op := makeVariant(k.n.op, k)
	m.variants[k] = &variant{op: op}
	return op
}

// makeVariant applies k's fusions to op.
func makeVariant(op ops.Op, k variantKey) ops.Op {
	if k.add {
		f, ok := op.(ops.AddFuser)
		if !ok {
			return nil
		}
		if op = f.FuseAdd(); op == nil {
			return nil
		}
	}
	if k.act.Kind != ops.ActNone {
		f, ok := op.(ops.ActFuser)
		if !ok {
			return nil
		}
		if op = f.FuseActivation(k.act); op == nil {
			return nil
		}
	}
	return op
}

// resolve returns the operator for k (which the fusion passes found
// possible), prepared for the inputs ids (with Values in). An operator is prepared once per model, on the first plan
// that uses it, since the constants it transforms (weights) do not depend
// on input shapes. The exception is an operator fed by a plan constant
// (computed from the input values or shapes), which may differ from one
// plan to the next: such a plan gets a freshly built operator of its own.
func (pl *planner) resolve(k variantKey, ids []int, in []ops.Value) (ops.Op, error) {
	op := pl.m.variant(k)
	p, ok := op.(ops.Preparer)
	if !ok {
		return op, nil
	}
	for _, id := range ids {
		if id >= 0 && pl.planConst[id] {
			if err := pl.materialize(ids, in); err != nil {
				return nil, err
			}
			base, err := pl.m.buildOp(k.n)
			if err != nil {
				return nil, err
			}
			if op = makeVariant(base, k); op == nil {
				return nil, fmt.Errorf("%s: rebuilt operator does not take the fusion it took before", k.n.label())
			}
			if p, ok := op.(ops.Preparer); ok {
				pl.m.setPrecision(op)
				if err := p.Prepare(in); err != nil {
					return nil, fmt.Errorf("%s: %w", k.n.label(), err)
				}
			}
			return op, nil
		}
	}
	v := pl.m.variants[k]
	if !v.prepared {
		if err := pl.materialize(ids, in); err != nil {
			return nil, err
		}
		pl.m.setPrecision(op)
		prepare := p.Prepare
		if bp, ok := p.(ops.BudgetedPreparer); ok {
			prepare = func(in []ops.Value) error { return bp.PrepareWithin(in, pl.m.prep) }
		}
		if err := prepare(in); err != nil {
			return nil, fmt.Errorf("%s: %w", k.n.label(), err)
		}
		v.prepared = true
	}
	return op, nil
}
