package array

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func init() {
	// Pad-1 names its pads "paddings", 2 "pads"; 11 takes pads and the
	// value as inputs, 18 adds axes, 19 the wrap mode.
	for _, v := range []int{1, 2, 11, 13, 18, 19, 21, 23, 24, 25} {
		ops.Register("", "Pad", v, buildPad)
	}
}

// padOp is a built Pad: it adds (or, for negative pads, removes) elements
// at both ends of axes.
type padOp struct {
	mode       string
	pads       []int64 // attribute before opset 11
	value      float32 // attribute before opset 11
	fromInputs bool    // pads, constant_value are inputs 1, 2 (opset 11)
	axesInput  bool    // axes is input 3 (opset 18)
}

func buildPad(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &padOp{mode: a.String("mode", "constant"), fromInputs: opset >= 11, axesInput: opset >= 18}
	switch op.mode {
	case "constant", "reflect", "edge":
	case "wrap":
		if opset < 19 {
			return nil, fmt.Errorf("attribute \"mode\" is \"wrap\", which needs opset 19 or later")
		}
	default:
		return nil, fmt.Errorf("attribute \"mode\" is %q, want constant, reflect, edge or wrap", op.mode)
	}
	if !op.fromInputs {
		name := "pads"
		if opset < 2 {
			name = "paddings"
		}
		op.pads = a.Ints(name)
		op.value = a.Float("value", 0)
		if op.pads == nil && a.Err() == nil {
			return nil, fmt.Errorf("attribute %q is required", name)
		}
	}
	return op, a.Err()
}

// padding resolves the begin and end pads of every axis of shape.
func (op *padOp) padding(in []ops.Value) (begin, end []int, err error) {
	shape := in[0].Shape
	pads := op.pads
	var axes []int64
	if op.fromInputs {
		if pads, err = ops.ConstInts(in[1], "pads"); err != nil {
			return nil, nil, err
		}
		if ops.HasInput(in, 3) {
			if axes, err = ops.ConstInts(in[3], "axes"); err != nil {
				return nil, nil, err
			}
		}
	}
	if axes == nil {
		axes = make([]int64, len(shape))
		for i := range axes {
			axes[i] = int64(i)
		}
	}
	ax, err := ops.AxesIn(axes, len(shape), true)
	if err != nil {
		return nil, nil, fmt.Errorf("axes: %w", err)
	}
	if len(pads) != 2*len(ax) {
		return nil, nil, fmt.Errorf("pads %v has %d entries, want 2 per padded axis (%d)", pads, len(pads), 2*len(ax))
	}
	begin, end = make([]int, len(shape)), make([]int, len(shape))
	for i, a := range ax {
		if begin[a], err = ops.ToDim(pads[i], fmt.Sprintf("pads[%d]", i)); err != nil {
			return nil, nil, err
		}
		if end[a], err = ops.ToDim(pads[i+len(ax)], fmt.Sprintf("pads[%d]", i+len(ax))); err != nil {
			return nil, nil, err
		}
	}
	return begin, end, nil
}

// Infer checks the pads and the constant value and gives the padded shape.
func (op *padOp) Infer(in []ops.Value) ([]ops.Value, error) {
	lo, hi := 1, 1
	switch {
	case op.axesInput:
		lo, hi = 2, 4
	case op.fromInputs:
		lo, hi = 2, 3
	}
	if err := ops.CheckInputs(in, lo, hi); err != nil {
		return nil, err
	}
	x := in[0]
	if err := ops.CheckElemType(x, "data"); err != nil {
		return nil, err
	}
	if !op.fromInputs && x.Type != onnx.Float && x.Type != onnx.Double {
		return nil, fmt.Errorf("input \"data\" has type %s; before opset 11 Pad takes float tensors", ops.TypeName(x.Type))
	}
	if ops.HasInput(in, 2) {
		if c := in[2]; c.Type != x.Type || ops.NumElems(c.Shape) != 1 {
			return nil, fmt.Errorf("input \"constant_value\" is %s%v, want one %s", ops.TypeName(c.Type), c.Shape, ops.TypeName(x.Type))
		}
	}
	begin, end, err := op.padding(in)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(x.Shape))
	for i, d := range x.Shape {
		out[i] = d + begin[i] + end[i]
		if out[i] < 0 {
			return nil, fmt.Errorf("pads %d, %d remove more than the %d elements of axis %d", begin[i], end[i], d, i)
		}
		if d == 0 && out[i] > 0 && op.mode != "constant" {
			return nil, fmt.Errorf("cannot pad the empty axis %d in %s mode", i, op.mode)
		}
	}
	return []ops.Value{{Type: x.Type, Shape: out}}, nil
}

// srcIndex maps output index o of an axis of n input elements, padded by
// begin in front, to the input index it copies, or -1 for the constant.
func (op *padOp) srcIndex(o, begin, n int) int {
	i := o - begin
	if i >= 0 && i < n {
		return i
	}
	switch op.mode {
	case "edge":
		return min(max(i, 0), n-1)
	case "wrap":
		return (i%n + n) % n
	case "reflect":
		if n == 1 {
			return 0
		}
		period := 2 * (n - 1)
		i = (i%period + period) % period
		if i >= n {
			i = period - i
		}
		return i
	}
	return -1
}

// Run copies each output row from the input row its outer indices map to;
// the run of a row's elements inside the input is one copy, the padded ends
// element by element.
func (op *padOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind plans the copy at the first call: the pads are the same at every run
// of a plan (the output shape depends on them), but in a plan run without
// optimizations they may be computed by earlier steps. The fill value is
// read at every call.
func (op *padOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x, y := in[0], out[0]
	es := ops.ElemSize(x.Type)
	fill := make([]byte, es)
	var rows func() error
	return func() error {
		switch {
		case len(in) > 2 && in[2] != nil:
			copy(fill, in[2].Data)
		case x.Type == onnx.Float:
			binary.LittleEndian.PutUint32(fill, math.Float32bits(op.value))
		case x.Type == onnx.Double:
			binary.LittleEndian.PutUint64(fill, math.Float64bits(float64(op.value)))
		}
		if len(y.Shape) == 0 {
			copy(y.Data, x.Data)
			return nil
		}
		if rows == nil {
			begin, _, err := op.padding(ops.ConstValues(in))
			if err != nil {
				return err
			}
			rows = op.bindRows(ctx.Par, x, y, begin, fill)
		}
		return rows()
	}, nil
}

// bindRows binds the copy of y's rows from x padded by begin (per axis,
// negative to crop) with the element fill. The axes after the last one
// padded or cropped are copied whole, so they are folded into the
// element: a channel padding of NCHW copies and fills whole planes, not
// rows of W values.
func (op *padOp) bindRows(par ops.Parallel, x, y *ops.Tensor, begin []int, fill []byte) func() error {
	r := len(y.Shape)
	for r > 0 && begin[r-1] == 0 && x.Shape[r-1] == y.Shape[r-1] {
		r--
	}
	if r == 0 {
		return func() error {
			copy(y.Data, x.Data)
			return nil
		}
	}
	es := len(fill) * ops.NumElems(y.Shape[r:])
	xs, ys := x.Shape[:r], y.Shape[:r]
	// maps[d][o] is the input index output index o of axis d copies, or -1.
	maps := make([][]int, r)
	for d, n := range ys {
		maps[d] = make([]int, n)
		for o := range maps[d] {
			maps[d][o] = op.srcIndex(o, begin[d], xs[d])
		}
	}
	inSt := ops.Strides(xs)
	cols := ys[r-1]
	// [runLo, runHi) is the stretch of a row copied straight from the
	// input; edges are the row's other elements.
	runLo := min(max(begin[r-1], 0), cols)
	runHi := max(min(begin[r-1]+xs[r-1], cols), runLo)
	var edges []int
	for o := range cols {
		if o < runLo || o >= runHi {
			edges = append(edges, o)
		}
	}
	rowBytes := cols * es
	if rowBytes == 0 {
		return func() error { return nil }
	}
	body := func(lo, hi int) {
		for row := lo; row < hi; row++ {
			dst := y.Data[row*rowBytes : (row+1)*rowBytes]
			src, idx := 0, row
			for d := r - 2; d >= 0 && src >= 0; d-- {
				i := maps[d][idx%ys[d]]
				idx /= ys[d]
				if i < 0 {
					src = -1
				} else {
					src += i * inSt[d]
				}
			}
			if src < 0 {
				ops.FillElems(dst, fill)
				continue
			}
			if runHi > runLo {
				copy(dst[runLo*es:runHi*es], x.Data[(src+runLo-begin[r-1])*es:])
			}
			for _, o := range edges {
				e := dst[o*es : (o+1)*es]
				if i := maps[r-1][o]; i < 0 {
					ops.FillElems(e, fill)
				} else {
					copy(e, x.Data[(src+i)*es:])
				}
			}
		}
	}
	n := y.Len() * len(fill) / rowBytes
	return func() error {
		par.For(n, max(1, 1<<14/rowBytes), body)
		return nil
	}
}
