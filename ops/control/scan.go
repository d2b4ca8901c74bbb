package control

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Scan runs its body once per position along the scan axis of its M scan
// inputs, carrying N state values from one iteration to the next and
// stacking each of its K scan outputs along an output axis.
//
// Scan-8 has a batch axis 0 and scans axis 1, with an optional first input
// sequence_lens (per batch item; the scan outputs are padded with zeros past
// it) and the `directions` attribute. From 9 on there is no batch axis and
// no sequence_lens, and scan_input_axes, scan_input_directions,
// scan_output_axes and scan_output_directions choose the axes (negative
// from 11) and directions. States keep their shapes across iterations, so
// every output's shape is known from the inputs' and the node is a planned
// step.
func init() {
	ops.Register("", "Scan", 8, buildScan)
	for _, v := range []int{9, 11, 16, 19, 21, 23, 24, 25} {
		ops.Register("", "Scan", v, buildScan)
	}
}

// scanOp is a built Scan.
type scanOp struct {
	opset   int
	body    *onnx.Graph
	sub     ops.Subgraph
	outer   int
	m       int     // num_scan_inputs
	inAxes  []int64 // per scan input (nil: 0, or 1 for Scan-8)
	inRev   []int64 // per scan input: 1 scans backward
	outAxes []int64 // per scan output
	outRev  []int64 // per scan output: 1 prepends
}

func buildScan(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &scanOp{opset: opset, body: a.Graph("body"), m: int(a.Int("num_scan_inputs", 0))}
	if opset < 9 {
		op.inRev = a.Ints("directions")
	} else {
		op.inAxes, op.inRev = a.Ints("scan_input_axes"), a.Ints("scan_input_directions")
		op.outAxes, op.outRev = a.Ints("scan_output_axes"), a.Ints("scan_output_directions")
	}
	if err := a.Err(); err != nil {
		return nil, err
	}
	if op.body == nil {
		return nil, fmt.Errorf("attribute %q is required", "body")
	}
	if op.m < 1 {
		return nil, fmt.Errorf("attribute num_scan_inputs is %d, want at least 1", op.m)
	}
	for _, l := range []struct {
		name string
		v    []int64
	}{{"scan_input_axes", op.inAxes}, {"scan_input_directions", op.inRev}} {
		if l.v != nil && len(l.v) != op.m {
			return nil, fmt.Errorf("attribute %s has %d entries, want num_scan_inputs = %d", l.name, len(l.v), op.m)
		}
	}
	return op, nil
}

// GraphAttrs lists the body.
func (op *scanOp) GraphAttrs() []*onnx.Graph { return []*onnx.Graph{op.body} }

// SetSubgraphs takes the compiled body.
func (op *scanOp) SetSubgraphs(sg []ops.Subgraph, outer int) { op.sub, op.outer = sg[0], outer }

// scanArgs are a Scan's inputs by role.
type scanArgs[T any] struct {
	lens          T // Scan-8's sequence_lens (zero when omitted)
	states, scans []T
	outer         []T
}

func (op *scanOp) inputs(n int) (first, states int, err error) {
	n -= op.outer
	if op.opset < 9 {
		first = 1
	}
	states = n - first - op.m
	if states < 0 {
		return 0, 0, fmt.Errorf("got %d inputs, want at least %d scan inputs", n-first, op.m)
	}
	return first, states, nil
}

func scanInputs[T any](op *scanOp, in []T) (scanArgs[T], error) {
	first, ns, err := op.inputs(len(in))
	if err != nil {
		return scanArgs[T]{}, err
	}
	var a scanArgs[T]
	if first == 1 {
		a.lens = in[0]
	}
	n := len(in) - op.outer
	a.states, a.scans, a.outer = in[first:first+ns], in[first+ns:n], in[n:]
	return a, nil
}

// scanGeom is a Scan resolved for given input shapes.
type scanGeom struct {
	batch   int   // Scan-8's batch size (1 from 9 on)
	length  int   // the sequence length
	inAxes  []int // per scan input, in the tensor (Scan-8: 1)
	outAxes []int // per scan output, in the output
	body    []ops.Value
}

// geom resolves the axes and the body's outputs for these inputs.
func (op *scanOp) geom(a scanArgs[ops.Value]) (*scanGeom, error) {
	g := &scanGeom{batch: 1, length: -1}
	bodyIn := make([]ops.Value, 0, len(a.states)+len(a.scans))
	for _, s := range a.states {
		v := ops.Value{Type: s.Type, Shape: s.Shape}
		if op.opset < 9 {
			if len(s.Shape) < 1 {
				return nil, fmt.Errorf("a state has shape %v, want a batch axis", s.Shape)
			}
			v.Shape = s.Shape[1:]
		}
		bodyIn = append(bodyIn, v)
	}
	for i, s := range a.scans {
		axis := 0
		switch {
		case op.opset < 9:
			if len(s.Shape) < 2 {
				return nil, fmt.Errorf("scan input %d has shape %v, want batch and sequence axes", i, s.Shape)
			}
			axis = 1
			if i == 0 {
				g.batch = s.Shape[0]
			} else if s.Shape[0] != g.batch {
				return nil, fmt.Errorf("scan input %d has batch size %d, input 0 %d", i, s.Shape[0], g.batch)
			}
		case op.inAxes != nil:
			var err error
			if axis, err = ops.AxisIn(op.inAxes[i], len(s.Shape), op.opset >= 11); err != nil {
				return nil, fmt.Errorf("scan_input_axes[%d]: %w", i, err)
			}
		case len(s.Shape) == 0:
			return nil, fmt.Errorf("scan input %d is a scalar", i)
		}
		if l := s.Shape[axis]; g.length < 0 {
			g.length = l
		} else if l != g.length {
			return nil, fmt.Errorf("scan input %d has %d positions along its scan axis, input 0 has %d", i, l, g.length)
		}
		g.inAxes = append(g.inAxes, axis)
		el := append(append([]int{}, s.Shape[:axis]...), s.Shape[axis+1:]...)
		if op.opset < 9 {
			el = s.Shape[2:]
		}
		bodyIn = append(bodyIn, ops.Value{Type: s.Type, Shape: el})
	}
	out, err := op.sub.Infer(bodyIn, a.outer)
	if err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	ns := len(a.states)
	if len(out) < ns {
		return nil, fmt.Errorf("body gives %d outputs, want at least the %d states", len(out), ns)
	}
	for i, v := range out[:ns] {
		if v.Type != bodyIn[i].Type || !ops.SameShape(v.Shape, bodyIn[i].Shape) {
			return nil, fmt.Errorf("body output %d is %s%v, its state is %s%v", i, ops.TypeName(v.Type), v.Shape, ops.TypeName(bodyIn[i].Type), bodyIn[i].Shape)
		}
	}
	k := len(out) - ns
	if op.outAxes != nil && len(op.outAxes) != k {
		return nil, fmt.Errorf("attribute scan_output_axes has %d entries, the body gives %d scan outputs", len(op.outAxes), k)
	}
	if op.outRev != nil && len(op.outRev) != k {
		return nil, fmt.Errorf("attribute scan_output_directions has %d entries, the body gives %d scan outputs", len(op.outRev), k)
	}
	for j, v := range out[ns:] {
		axis := 0
		if op.opset < 9 {
			axis = 1
		} else if op.outAxes != nil {
			if axis, err = ops.AxisIn(op.outAxes[j], len(v.Shape)+1, op.opset >= 11); err != nil {
				return nil, fmt.Errorf("scan_output_axes[%d]: %w", j, err)
			}
		}
		g.outAxes = append(g.outAxes, axis)
	}
	g.body = out
	return g, nil
}

// Infer gives the final states (with Scan-8's batch axis) and the stacked
// scan outputs.
func (op *scanOp) Infer(in []ops.Value) ([]ops.Value, error) {
	a, err := scanInputs(op, in)
	if err != nil {
		return nil, err
	}
	if op.opset < 9 && a.lens.Type != onnx.Undefined && (a.lens.Type != onnx.Int32 && a.lens.Type != onnx.Int64) {
		return nil, fmt.Errorf("input sequence_lens has type %s, want int32 or int64", ops.TypeName(a.lens.Type))
	}
	g, err := op.geom(a)
	if err != nil {
		return nil, err
	}
	ns := len(a.states)
	res := make([]ops.Value, len(g.body))
	for i, v := range g.body {
		shape := v.Shape
		switch {
		case i < ns && op.opset < 9:
			shape = append([]int{g.batch}, shape...)
		case i >= ns && op.opset < 9:
			shape = append([]int{g.batch, g.length}, shape...)
		case i >= ns:
			ax := g.outAxes[i-ns]
			shape = append(append(append([]int{}, shape[:ax]...), g.length), shape[ax:]...)
		}
		res[i] = ops.Value{Type: v.Type, Shape: shape}
	}
	return res, nil
}

// Run runs the scan into the planned outputs.
func (op *scanOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	a, err := scanInputs(op, in)
	if err != nil {
		return err
	}
	g, err := op.geom(scanArgs[ops.Value]{states: tensorValues(a.states), scans: tensorValues(a.scans), outer: tensorValues(a.outer)})
	if err != nil {
		return err
	}
	for _, o := range out {
		clear(o.Data)
	}
	ns := len(a.states)
	for b := range g.batch {
		length := g.length
		if op.opset < 9 && a.lens != nil {
			l, err := seqLen(a.lens, b)
			if err != nil {
				return err
			}
			if l < 0 || l > g.length {
				return fmt.Errorf("sequence_lens[%d] is %d, want 0 to %d", b, l, g.length)
			}
			length = l
		}
		states := make([]*ops.Tensor, ns)
		for i, s := range a.states {
			states[i] = op.batchItem(s, b)
		}
		for t := range length {
			if err := ctx.Err(); err != nil {
				return err
			}
			args := append([]*ops.Tensor{}, states...)
			for i, s := range a.scans {
				pos := t
				if op.inRev != nil && op.inRev[i] == 1 {
					pos = length - 1 - t
				}
				args = append(args, op.element(s, g, i, b, pos))
			}
			res, err := op.sub.Run(ctx, args, a.outer)
			if err != nil {
				return fmt.Errorf("body, iteration %d: %w", t, err)
			}
			if len(res) != len(out) {
				return fmt.Errorf("body gives %d outputs, want %d", len(res), len(out))
			}
			copy(states, res[:ns])
			for j, r := range res[ns:] {
				pos := t
				if op.outRev != nil && op.outRev[j] == 1 {
					pos = length - 1 - t
				}
				if op.opset < 9 { // [batch, length, ...]: one axis of batch*length positions
					place(out[ns+j], r, 0, b*g.length+pos, g.batch*g.length)
				} else {
					place(out[ns+j], r, g.outAxes[j], pos, g.length)
				}
			}
		}
		for i, s := range states {
			place(out[i], s, 0, b, g.batch)
		}
	}
	return nil
}

// seqLen is sequence_lens[b].
func seqLen(t *ops.Tensor, b int) (int, error) {
	if b >= t.Len() {
		return 0, fmt.Errorf("sequence_lens has %d entries, the batch is larger", t.Len())
	}
	if t.Type == onnx.Int32 {
		return int(t.I32()[b]), nil
	}
	return int(t.I64()[b]), nil
}

// batchItem is item b of Scan-8's state s (s itself from 9 on).
func (op *scanOp) batchItem(s *ops.Tensor, b int) *ops.Tensor {
	if op.opset >= 9 {
		return s
	}
	return slice(s, 0, b)
}

// element is scan input i's slice at position pos (of batch item b for Scan-8).
func (op *scanOp) element(s *ops.Tensor, g *scanGeom, i, b, pos int) *ops.Tensor {
	if op.opset < 9 {
		return slice(slice(s, 0, b), 0, pos)
	}
	return slice(s, g.inAxes[i], pos)
}

// slice copies position pos along axis of t into a new tensor without that axis.
func slice(t *ops.Tensor, axis, pos int) *ops.Tensor {
	es := ops.ElemSize(t.Type)
	outer, n := ops.NumElems(t.Shape[:axis]), t.Shape[axis]
	inner := ops.NumElems(t.Shape[axis+1:]) * es
	r := ops.New(t.Type, append(append([]int{}, t.Shape[:axis]...), t.Shape[axis+1:]...)...)
	for o := range outer {
		copy(r.Data[o*inner:(o+1)*inner], t.Data[(o*n+pos)*inner:])
	}
	return r
}

// place copies r into dst at position pos of dst's axis, which has n
// positions and which r lacks.
func place(dst, r *ops.Tensor, axis, pos, n int) {
	outer := ops.NumElems(dst.Shape[:axis])
	inner := r.Len() * ops.ElemSize(dst.Type) / max(1, outer)
	for o := range outer {
		copy(dst.Data[(o*n+pos)*inner:][:inner], r.Data[o*inner:])
	}
}
