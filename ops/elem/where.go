package elem

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Where(condition, X, Y) takes X where the bool condition holds and Y
// elsewhere, the three broadcast together numpy-style; X and Y share any
// computed type (bool included). Where-16 only adds bfloat16.
func init() {
	ops.Register("", "Where", 9, buildWhere)
	ops.Register("", "Where", 16, buildWhere)
}

// whereOp is a built Where.
type whereOp struct{}

func buildWhere(n *onnx.Node, opset int) (ops.Op, error) { return whereOp{}, nil }

// Infer checks the types and broadcasts the three shapes.
func (whereOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 3, 3); err != nil {
		return nil, err
	}
	if err := tBool.check(in[0], "condition"); err != nil {
		return nil, err
	}
	t := in[1].Type
	if err := (tNumeric | tBool).check(in[1], "X"); err != nil {
		return nil, err
	}
	if in[2].Type != t {
		return nil, fmt.Errorf("input Y has type %s, want X's type %s", ops.TypeName(in[2].Type), ops.TypeName(t))
	}
	out, err := ops.BroadcastShape(in[0].Shape, in[1].Shape, in[2].Shape)
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: t, Shape: out}}, nil
}

// InPlace lets the output overwrite X or Y when it has the output's shape:
// each element is read before it is written.
func (whereOp) InPlace(in []ops.Value) int {
	out, err := ops.BroadcastShape(in[0].Shape, in[1].Shape, in[2].Shape)
	if i := ewFullInput(in[1:], out, err); i >= 0 {
		return i + 1
	}
	return -1
}

// Run selects the elements.
func (w whereOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error { return ops.RunBound(w, ctx, in, out) }

// Bind plans the three-way broadcast once.
func (whereOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	c, x, y := in[0], in[1], in[2]
	f := ewTable[x.Type].where(ctx.Par, out[0], c, x, y, c.Shape, x.Shape, y.Shape)
	return func() error { f(); return nil }, nil
}

// bindWhere binds d = c ? x : y over the three-way broadcast of c, x and
// y (with shapes cs, xs and ys) onto d, split across par. Where only moves
// elements, so types of one size share a loop (see bindWhereSized).
func bindWhere[T ops.Numeric](par ops.Parallel, d, c, x, y *ops.Tensor, cs, xs, ys []int) func() {
	return bindWhereOf(par, d, c, x, y, cs, xs, ys)
}

// bindWhereOf is bindWhere for d's type, whatever it is.
func bindWhereOf(par ops.Parallel, d, c, x, y *ops.Tensor, cs, xs, ys []int) func() {
	switch ops.ElemSize(d.Type) {
	case 1:
		return bindWhereSized[uint8](par, d, c, x, y, cs, xs, ys)
	case 2:
		return bindWhereSized[uint16](par, d, c, x, y, cs, xs, ys)
	case 4:
		return bindWhereSized[uint32](par, d, c, x, y, cs, xs, ys)
	}
	return bindWhereSized[uint64](par, d, c, x, y, cs, xs, ys)
}

// bindWhereSized is bindWhere moving the elements as the unsigned type U
// of their size.
func bindWhereSized[U uint8 | uint16 | uint32 | uint64](par ops.Parallel, d, c, x, y *ops.Tensor, cs, xs, ys []int) func() {
	p := ops.NewBroadcastPlan3(d.Shape, cs, xs, ys)
	var dv, xv, yv []U
	var cv []uint8
	walk := func(o, n, ic, nc, ix, nx, iy, ny int) {
		whereRun(dv[o:o+n], cv[ic:ic+nc], xv[ix:ix+nx], yv[iy:iy+ny])
	}
	body := func(lo, hi int) { p.Walk3(lo, hi, walk) }
	n := d.Len()
	return func() {
		dv, cv = ops.View[U](d.Data)[:n], c.Data
		xv, yv = ops.View[U](x.Data)[:x.Len()], ops.View[U](y.Data)[:y.Len()]
		par.For(n, ops.Grain, body)
	}
}

// whereRun selects a run: c, x and y each hold len(d) elements or one.
func whereRun[U uint8 | uint16 | uint32 | uint64](d []U, c []uint8, x, y []U) {
	n := len(d)
	if len(c) == 1 { // the run takes all of x or all of y
		src := y
		if c[0] != 0 {
			src = x
		}
		if len(src) == n {
			copy(d, src)
		} else {
			ops.Fill(d, src[0])
		}
		return
	}
	c = c[:n]
	switch {
	case len(x) == n && len(y) == n:
		x, y = x[:n], y[:n]
		for i := range d {
			v := y[i]
			if c[i] != 0 {
				v = x[i]
			}
			d[i] = v
		}
	case len(x) == n:
		s := y[0]
		for i := range d {
			v := s
			if c[i] != 0 {
				v = x[i]
			}
			d[i] = v
		}
	case len(y) == n:
		s := x[0]
		for i := range d {
			v := y[i]
			if c[i] != 0 {
				v = s
			}
			d[i] = v
		}
	default:
		for i := range d {
			v := y[0]
			if c[i] != 0 {
				v = x[0]
			}
			d[i] = v
		}
	}
}
