package reduce

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/fmath"
)

// Softmax, LogSoftmax and Hardmax for float32 and float64. Before opset 13
// the input is coerced to 2-D at axis (default 1) and each row of the
// product of the trailing dimensions is normalized; from 13 the
// normalization runs along the single dimension axis (default -1). Each
// line subtracts its maximum before exponentiating, so large inputs neither
// overflow nor lose the result, and sums in float64. Hardmax gives 1 at the
// first maximum of each line (the first NaN, if any, as numpy's argmax
// finds it) and 0 elsewhere.
func init() {
	for _, v := range []int{1, 11, 13} {
		ops.Register("", "Softmax", v, buildSoftmax(softmax))
		ops.Register("", "LogSoftmax", v, buildSoftmax(logSoftmax))
		ops.Register("", "Hardmax", v, buildSoftmax(hardmax))
	}
}

// normKind is what a softmaxOp computes.
type normKind int

const (
	softmax normKind = iota
	logSoftmax
	hardmax
)

// softmaxOp is a built Softmax, LogSoftmax or Hardmax.
type softmaxOp struct {
	kind   normKind
	coerce bool // opset < 13: flatten to 2-D at axis
	axis   int
}

func buildSoftmax(kind normKind) ops.Builder {
	return func(n *onnx.Node, opset int) (ops.Op, error) {
		s := &softmaxOp{kind: kind, coerce: opset < 13}
		def := int64(-1)
		if s.coerce {
			def = 1
		}
		a := ops.AttrsOf(n)
		s.axis = int(a.Int("axis", def))
		return s, a.Err()
	}
}

// layout views shape as outer x n x inner and normalizes along n.
func (s *softmaxOp) layout(shape []int) (outer, n, inner int, err error) {
	r := len(shape)
	if s.coerce {
		ax := s.axis
		if ax < 0 {
			ax += r
		}
		if ax < 0 || ax > r {
			return 0, 0, 0, fmt.Errorf("attribute \"axis\" is %d, out of range for rank %d", s.axis, r)
		}
		return ops.NumElems(shape[:ax]), ops.NumElems(shape[ax:]), 1, nil
	}
	ax, err := ops.NormAxis(s.axis, r)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("attribute \"axis\": %w", err)
	}
	return ops.NumElems(shape[:ax]), shape[ax], ops.NumElems(shape[ax+1:]), nil
}

// Infer checks the input's type and the axis; the output has the input's type and shape.
func (s *softmaxOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if !ops.IsFloat(in[0].Type) {
		return nil, fmt.Errorf("input has type %s, want float32 or float64", ops.TypeName(in[0].Type))
	}
	if _, _, _, err := s.layout(in[0].Shape); err != nil {
		return nil, err
	}
	return []ops.Value{{Type: in[0].Type, Shape: in[0].Shape}}, nil
}

// InPlace lets the output of Softmax and LogSoftmax overwrite the input:
// each line is read before it is written. Hardmax clears its output first.
func (s *softmaxOp) InPlace(in []ops.Value) int {
	if s.kind == hardmax {
		return -1
	}
	return 0
}

// Run normalizes every line.
func (s *softmaxOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(s, ctx, in, out)
}

// Bind makes the loop over lines once.
func (s *softmaxOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	outer, n, inner, err := s.layout(in[0].Shape)
	if err != nil {
		return nil, err
	}
	log := s.kind == logSoftmax
	switch {
	case s.kind == hardmax:
		return bindHardmax(ctx.Par, out[0], in[0], lines{outer, n, inner}), nil
	case in[0].Type == onnx.Float:
		return bindSoftmax[float32](ctx.Par, log, out[0], in[0], outer, n, inner), nil
	}
	return bindSoftmax[float64](ctx.Par, log, out[0], in[0], outer, n, inner), nil
}

// bindHardmax binds the clearing of d and the setting of 1 at the first
// maximum of every line of x.
func bindHardmax(par ops.Parallel, d, x *ops.Tensor, l lines) func() error {
	if l.n == 0 {
		return func() error { return nil }
	}
	search := bindArg(par, x, l, argDir{}, d, true)
	return func() error {
		clear(d.Data)
		return search()
	}
}

// bindSoftmax returns a step function normalizing x, viewed as outer x n x
// inner, along n into d.
func bindSoftmax[T fmath.Float](par ops.Parallel, log bool, d, x *ops.Tensor, outer, n, inner int) func() error {
	var dv, xv []T
	body := func(lo, hi int) {
		if inner == 1 && n <= fmath.Block/4 {
			softmaxShortLines(log, dv[lo*n:hi*n], xv[lo*n:hi*n], n)
			return
		}
		for c := lo; c < hi; c++ {
			base := (c/inner)*n*inner + c%inner
			end := base + (n-1)*inner + 1
			softmaxLine(log, dv[base:end], xv[base:end], inner)
		}
	}
	return func() error {
		if n == 0 || inner == 0 {
			return nil
		}
		dv, xv = ops.Elems[T](d), ops.Elems[T](x)
		par.For(outer*inner, max(1, ops.Grain/(8*n)), body)
		return nil
	}
}

// softmaxShortLines normalizes the contiguous lines of n values of x into
// d (which may be x) as softmaxLine does, with the same arithmetic, but
// exponentiates the lines of a stack block together: a detector's scores
// (thousands of lines of 2 or a few classes) would otherwise pay a call
// and a block's clearing per line.
func softmaxShortLines[T fmath.Float](log bool, d, x []T, n int) {
	var buf [fmath.Block]T
	per := fmath.Block / n * n // whole lines per block
	for b0 := 0; b0 < len(x); b0 += per {
		xs := x[b0:min(len(x), b0+per)]
		ds := d[b0 : b0+len(xs)]
		e := buf[:len(xs)]
		var maxes [fmath.Block]T
		for l := 0; l*n < len(xs); l++ {
			line := xs[l*n : (l+1)*n]
			m := line[0]
			for _, v := range line[1:] {
				if v > m {
					m = v
				}
			}
			maxes[l] = m
			for j, v := range line {
				e[l*n+j] = v - m
			}
		}
		fmath.Exp(e, e)
		for l := 0; l*n < len(xs); l++ {
			var sum float64
			for _, v := range e[l*n : (l+1)*n] {
				sum += float64(v)
			}
			line, out := xs[l*n:(l+1)*n], ds[l*n:(l+1)*n]
			if log {
				ls := T(math.Log(sum))
				for j, v := range line {
					out[j] = (v - maxes[l]) - ls
				}
				continue
			}
			inv := T(1 / sum)
			for j, v := range e[l*n : (l+1)*n] {
				out[j] = v * inv
			}
		}
	}
}

// softmaxLine normalizes x[0], x[stride], x[2*stride]... into the same
// places of d (which may be x), exponentiating in stack blocks.
func softmaxLine[T fmath.Float](log bool, d, x []T, stride int) {
	m := x[0]
	for i := stride; i < len(x); i += stride {
		if x[i] > m {
			m = x[i]
		}
	}
	var buf [fmath.Block]T
	var sum float64
	n := (len(x)-1)/stride + 1
	for j0 := 0; j0 < n; j0 += fmath.Block {
		e := buf[:min(fmath.Block, n-j0)]
		for j := range e {
			e[j] = x[(j0+j)*stride] - m
		}
		fmath.Exp(e, e)
		for j, v := range e {
			sum += float64(v)
			if !log {
				d[(j0+j)*stride] = v
			}
		}
	}
	if log {
		ls := T(math.Log(sum))
		for i := 0; i < len(x); i += stride {
			d[i] = (x[i] - m) - ls
		}
		return
	}
	inv := T(1 / sum)
	for i := 0; i < len(x); i += stride {
		d[i] *= inv
	}
}
