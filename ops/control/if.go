package control

import (
	"errors"
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// If runs then_branch or else_branch by a boolean scalar condition; the
// outputs are the branch's. Versions differ only in the types allowed. When
// the condition is known before the run, only its branch is planned (and
// the node folds away when the branch reads only known values). Otherwise
// the node is a step running the branch the condition picks, provided both
// branches give the same types and shapes; when they do not, or when a
// branch's shapes depend on data, the node runs when its inputs are known
// (ops.Evaluator) and what follows is planned for what it gives.
func init() {
	for _, v := range []int{1, 11, 13, 16, 19, 21, 23, 24, 25} {
		ops.Register("", "If", v, buildIf)
	}
}

// ifOp is a built If.
type ifOp struct {
	branch [2]*onnx.Graph  // else, then: indexed by the condition
	sub    [2]ops.Subgraph // compiled by the runtime
	outer  int             // trailing inputs that are outer-scope values
}

func buildIf(n *onnx.Node, _ int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &ifOp{branch: [2]*onnx.Graph{a.Graph("else_branch"), a.Graph("then_branch")}}
	if err := a.Err(); err != nil {
		return nil, err
	}
	for _, name := range []string{"else_branch", "then_branch"} {
		if !a.Has(name) {
			return nil, fmt.Errorf("attribute %q is required", name)
		}
	}
	return op, nil
}

// GraphAttrs lists else_branch, then then_branch.
func (op *ifOp) GraphAttrs() []*onnx.Graph { return op.branch[:] }

// SetSubgraphs takes the compiled branches.
func (op *ifOp) SetSubgraphs(sg []ops.Subgraph, outer int) {
	copy(op.sub[:], sg)
	op.outer = outer
}

// split separates the condition from the outer values.
func split[T any](op *ifOp, in []T) (cond T, outer []T, err error) {
	if len(in)-op.outer != 1 {
		return cond, nil, fmt.Errorf("got %d inputs, want 1 (the condition)", len(in)-op.outer)
	}
	return in[0], in[1:], nil
}

// Infer gives the outputs of the branch the condition picks or, when it is
// not known, of both branches when they agree.
func (op *ifOp) Infer(in []ops.Value) ([]ops.Value, error) {
	cond, outer, err := split(op, in)
	if err != nil {
		return nil, err
	}
	if cond.Type != onnx.Bool || ops.NumElems(cond.Shape) != 1 {
		return nil, fmt.Errorf("input cond is %s%v, want a bool with one element", ops.TypeName(cond.Type), cond.Shape)
	}
	if cond.Const != nil {
		return op.sub[cond.Const.U8()[0]&1].Infer(nil, outer)
	}
	var outs [2][]ops.Value
	for b, sg := range op.sub {
		o, err := sg.Infer(nil, outer)
		if err != nil {
			// A branch that cannot run on these shapes may be the one not
			// taken (exporters guard shape-specific code with If): decide in the run.
			return nil, fmt.Errorf("branch %s: %v: %w", op.branchName(b), err, ops.ErrNotConstant)
		}
		outs[b] = o
	}
	if !sameValues(outs[0], outs[1]) {
		return nil, fmt.Errorf("the branches give different types or shapes: %w", ops.ErrNotConstant)
	}
	for i := range outs[1] {
		outs[1][i].Const = nil
	}
	return outs[1], nil
}

func (op *ifOp) branchName(b int) string { return [2]string{"else_branch", "then_branch"}[b] }

// sameValues reports whether a and b have the same types and shapes.
func sameValues(a, b []ops.Value) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Type != b[i].Type || !ops.SameShape(a[i].Shape, b[i].Shape) {
			return false
		}
	}
	return true
}

// Eval runs the branch the condition picks.
func (op *ifOp) Eval(ctx *ops.Ctx, in []*ops.Tensor) ([]*ops.Tensor, error) {
	cond, outer, err := split(op, in)
	if err != nil {
		return nil, err
	}
	if cond == nil || cond.Len() != 1 {
		return nil, errors.New("input cond must have one element")
	}
	b := cond.U8()[0] & 1
	res, err := op.sub[b].Run(ctx, nil, outer)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op.branchName(int(b)), err)
	}
	return res, nil
}

// Run runs the branch the condition picks into the planned outputs.
func (op *ifOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	res, err := op.Eval(ctx, in)
	if err != nil {
		return err
	}
	return copyResults(res, out)
}

// copyResults copies a subgraph's results into outputs planned for them.
func copyResults(res, out []*ops.Tensor) error {
	if len(res) < len(out) {
		return fmt.Errorf("the graph gave %d outputs, want %d", len(res), len(out))
	}
	for i, o := range out {
		r := res[i]
		if r.Type != o.Type || !ops.SameShape(r.Shape, o.Shape) {
			return fmt.Errorf("output %d is %v, planned as %v", i, r, o)
		}
		copy(o.Data, r.Data)
	}
	return nil
}
