package runtime

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// testDomain holds operators that exist only in this package's tests, so
// that the runtime's mechanics can be tested apart from the real kernels.
const testDomain = "test.edgeinfer"

func init() {
	ops.Register(testDomain, "Affine", 1, buildAffine)
	ops.Register(testDomain, "Mix", 1, buildMix)
	ops.Register(testDomain, "Panic", 1, func(*onnx.Node, int) (ops.Op, error) { return panicOp{}, nil })
	ops.Register(testDomain, "Hook", 1, func(*onnx.Node, int) (ops.Op, error) { return hookOp{}, nil })
	ops.Register(testDomain, "Twice", 1, func(*onnx.Node, int) (ops.Op, error) { return twiceOp{}, nil })
	ops.Register(testDomain, "Positive", 1, func(*onnx.Node, int) (ops.Op, error) { return positiveOp{}, nil })
}

func sameAsInput(in []ops.Value) ([]ops.Value, error) {
	if len(in) != 1 || in[0].Type != onnx.Float {
		return nil, errors.New("want one float input")
	}
	return []ops.Value{{Type: onnx.Float, Shape: in[0].Shape}}, nil
}

func copyInput(in, out []*ops.Tensor) { copy(out[0].Data, in[0].Data) }

// affinePrepares counts Prepare calls of Affine operators.
var affinePrepares atomic.Int64

// affineOp computes a*x + b (+ z when an Add is fused), then its fused
// activation. It can take both fusions, prepares, and uses scratch space.
type affineOp struct {
	a, b float32
	add  bool
	act  ops.Activation
}

func buildAffine(n *onnx.Node, _ int) (ops.Op, error) {
	at := ops.AttrsOf(n)
	op := &affineOp{a: at.Float("a", 1), b: at.Float("b", 0)}
	return op, at.Err()
}

func (op *affineOp) Infer(in []ops.Value) ([]ops.Value, error) {
	want := 1
	if op.add {
		want = 2
	}
	if len(in) != want {
		return nil, fmt.Errorf("got %d inputs, want %d", len(in), want)
	}
	if op.add && (in[1].Type != onnx.Float || !ops.SameShape(in[0].Shape, in[1].Shape)) {
		return nil, errors.New("added input must match input 0")
	}
	return sameAsInput(in[:1])
}

func (op *affineOp) Workspace(in []ops.Value) int { return 4 * ops.NumElems(in[0].Shape) }

func (op *affineOp) Prepare([]ops.Value) error {
	affinePrepares.Add(1)
	return nil
}

func (op *affineOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	n := in[0].Len()
	sc := (&ops.Tensor{Data: ctx.Scratch}).F32()[:n]
	copy(sc, in[0].F32())
	var z []float32
	if op.add {
		z = in[1].F32()
	}
	o := out[0].F32()
	for i := range n {
		v := op.a*sc[i] + op.b
		if z != nil {
			v += z[i]
		}
		o[i] = op.act.Apply(v)
	}
	return nil
}

func (op *affineOp) FuseActivation(a ops.Activation) ops.Op {
	if op.act.Kind != ops.ActNone {
		return nil
	}
	c := *op
	c.act = a
	return &c
}

func (op *affineOp) FuseAdd() ops.Op {
	if op.add || op.act.Kind != ops.ActNone {
		return nil
	}
	c := *op
	c.add = true
	return &c
}

// mixOp computes out[i] = c + sum over inputs j of (j+1) * in_j[i mod len_j],
// with an output shape given by attribute; with inplace=1 it lets output 0
// take over input 0 when sizes match. Random DAGs of it test the arena.
type mixOp struct {
	shape   []int
	c       float32
	inplace bool
}

func buildMix(n *onnx.Node, _ int) (ops.Op, error) {
	at := ops.AttrsOf(n)
	op := &mixOp{c: at.Float("c", 0), inplace: at.Int("inplace", 0) != 0, shape: []int{}}
	for _, d := range at.Ints("shape") {
		op.shape = append(op.shape, int(d))
	}
	return op, at.Err()
}

func (op *mixOp) Infer(in []ops.Value) ([]ops.Value, error) {
	for i, v := range in {
		if v.Type != onnx.Float {
			return nil, fmt.Errorf("input %d is not float", i)
		}
	}
	return []ops.Value{{Type: onnx.Float, Shape: op.shape}}, nil
}

func (op *mixOp) InPlace(in []ops.Value) int {
	if op.inplace && len(in) > 0 && ops.NumElems(in[0].Shape) == ops.NumElems(op.shape) {
		return 0
	}
	return -1
}

func (op *mixOp) Run(_ *ops.Ctx, in, out []*ops.Tensor) error {
	o := out[0].F32()[:out[0].Len()]
	for i := range o {
		v := op.c
		for j, t := range in {
			if x := t.F32()[:t.Len()]; len(x) > 0 {
				v += float32(j+1) * x[i%len(x)]
			}
		}
		o[i] = v
	}
	return nil
}

// panicOp copies its input but panics when the first element is negative.
type panicOp struct{}

func (panicOp) Infer(in []ops.Value) ([]ops.Value, error) { return sameAsInput(in) }
func (panicOp) Run(_ *ops.Ctx, in, out []*ops.Tensor) error {
	if in[0].F32()[0] < 0 {
		panic("negative input")
	}
	copyInput(in, out)
	return nil
}

// testHook, when set, is called by Hook operators as they run.
var testHook func()

// hookOp copies its input after calling testHook.
type hookOp struct{}

func (hookOp) Infer(in []ops.Value) ([]ops.Value, error) { return sameAsInput(in) }
func (hookOp) Run(_ *ops.Ctx, in, out []*ops.Tensor) error {
	if testHook != nil {
		testHook()
	}
	copyInput(in, out)
	return nil
}

// twiceOp doubles its input using the session's workers.
type twiceOp struct{}

func (twiceOp) Infer(in []ops.Value) ([]ops.Value, error) { return sameAsInput(in) }
func (twiceOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	x, o := in[0].F32(), out[0].F32()
	ctx.Par.For(in[0].Len(), 64, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			o[i] = 2 * x[i]
		}
	})
	return nil
}

// positiveOp returns the positive elements of its float input, in order: a
// 1-D output whose length depends on the input's values.
type positiveOp struct{}

func (positiveOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if len(in) != 1 || in[0].Type != onnx.Float {
		return nil, errors.New("want one float input")
	}
	if in[0].Const == nil {
		return nil, fmt.Errorf("input x: %w", ops.ErrNotConstant)
	}
	n := 0
	for _, v := range in[0].Const.F32()[:in[0].Const.Len()] {
		if v > 0 {
			n++
		}
	}
	return []ops.Value{{Type: onnx.Float, Shape: []int{n}}}, nil
}

func (positiveOp) Run(_ *ops.Ctx, in, out []*ops.Tensor) error {
	o := out[0].F32()[:0]
	for _, v := range in[0].F32()[:in[0].Len()] {
		if v > 0 {
			o = append(o, v)
		}
	}
	return nil
}
