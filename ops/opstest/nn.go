package opstest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Par is a Parallel running each chunk of at most ceil(n/threads) on its own goroutine.
type Par struct{ N int }

func (p Par) Threads() int { return p.N }

func (p Par) For(n, grain int, fn func(lo, hi int)) {
	chunk := max(1, grain, (n+p.N-1)/p.N)
	var wg sync.WaitGroup
	for lo := 0; lo < n; lo += chunk {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			fn(lo, hi)
		}(lo, min(lo+chunk, n))
	}
	wg.Wait()
}

func Ints(name string, v ...int) *onnx.Attribute {
	a := &onnx.Attribute{Name: name, Type: onnx.AttrInts}
	for _, x := range v {
		a.Ints = append(a.Ints, int64(x))
	}
	return a
}

func Int(name string, v int) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrInt, I: int64(v)}
}

func Float(name string, v float32) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrFloat, F: v}
}

func String(name, v string) *onnx.Attribute {
	return &onnx.Attribute{Name: name, Type: onnx.AttrString, S: []byte(v)}
}

// NodeOf is a node of type op with inputs named in0.. (nil tensors become
// omitted inputs) and nOut outputs.
func NodeOf(op string, ins []*ops.Tensor, nOut int, attrs ...*onnx.Attribute) *onnx.Node {
	n := &onnx.Node{OpType: op, Attrs: attrs}
	for i, t := range ins {
		name := ""
		if t != nil {
			name = fmt.Sprintf("in%d", i)
		}
		n.Inputs = append(n.Inputs, name)
	}
	for i := range nOut {
		n.Outputs = append(n.Outputs, fmt.Sprintf("out%d", i))
	}
	return n
}

// Rand is a float32 tensor of uniform values in [-1, 1).
func Rand(rng *rand.Rand, shape ...int) *ops.Tensor {
	t := ops.New(onnx.Float, shape...)
	for i := range t.F32() {
		t.F32()[i] = rng.Float32()*2 - 1
	}
	return t
}

// Prepare gives op its input Values (inputs whose index is in consts as
// constants), prepares it and infers its outputs, as the runtime does
// before binding a step.
func Prepare(op ops.Op, ins []*ops.Tensor, consts map[int]bool) (vals, outs []ops.Value, err error) {
	vals = make([]ops.Value, len(ins))
	for i, t := range ins {
		if t == nil {
			continue
		}
		vals[i] = ops.Value{Type: t.Type, Shape: t.Shape}
		if consts[i] {
			vals[i].Const = t
		}
	}
	if p, ok := op.(ops.Preparer); ok {
		if err := p.Prepare(vals); err != nil {
			return nil, nil, fmt.Errorf("prepare: %w", err)
		}
	}
	outs, err = op.Infer(vals)
	return vals, outs, err
}

// Exec runs op on ins: inputs whose index is in consts are passed to
// Prepare and Infer as constants. extra inputs (a fused residual) follow.
func Exec(op ops.Op, ins []*ops.Tensor, consts map[int]bool, par ops.Parallel) ([]*ops.Tensor, error) {
	vals, outVals, err := Prepare(op, ins, consts)
	if err != nil {
		return nil, err
	}
	outs := make([]*ops.Tensor, len(outVals))
	for i, v := range outVals {
		outs[i] = ops.New(v.Type, v.Shape...)
		// Poison the output: Run must write every element.
		if v.Type == onnx.Float {
			for j := range outs[i].F32() {
				outs[i].F32()[j] = float32(math.NaN())
			}
		}
	}
	ctx := &ops.Ctx{Par: par}
	if w, ok := op.(ops.Workspacer); ok {
		ctx.Scratch = ops.AlignedBytes(w.Workspace(vals))
	}
	if err := op.Run(ctx, ins, outs); err != nil {
		return nil, fmt.Errorf("run: %w", err)
	}
	return outs, nil
}

// Close fails unless got and want agree within atol + rtol*|want|.
func Close(t *testing.T, label string, got, want []float32, rtol, atol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", label, len(got), len(want))
	}
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		if !(math.Abs(g-w) <= atol+rtol*math.Abs(w)) {
			t.Fatalf("%s: element %d = %v, want %v", label, i, g, w)
		}
	}
}

// Unflatten writes the row-major coordinates of linear index i in shape to pos.
func Unflatten(i int, shape, pos []int) {
	for d := len(shape) - 1; d >= 0; d-- {
		pos[d] = i % shape[d]
		i /= shape[d]
	}
}

// SeqPar claims two threads but runs every chunk on the calling goroutine,
// so that it allocates nothing itself.
type SeqPar struct{}

func (SeqPar) Threads() int { return 2 }

func (SeqPar) For(n, grain int, fn func(lo, hi int)) {
	chunk := max(1, grain, (n+1)/2)
	for lo := 0; lo < n; lo += chunk {
		fn(lo, min(lo+chunk, n))
	}
}
