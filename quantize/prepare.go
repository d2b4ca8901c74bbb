package quantize

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// minIRVersion is the IR version of opset 13 (and the first without
// initializers listed as graph inputs).
const minIRVersion = 7

// prepare returns the float model quantize calibrates and rewrites, a
// copy of m: every node named (after its first output when it had no
// name), the nodes in topological order, Constant nodes turned into
// initializers (exporters such as Paddle's write weights so), the default
// domain at opset 13 or later, float16 and bfloat16
// initializers widened to float32, inference Dropout and Identity nodes
// removed, BatchNormalization folded into the Conv before it (the
// simplifications ONNX Runtime's optimizer makes before its quantizer
// runs), and initializers no longer listed as graph inputs.
func prepare(m *onnx.Model) (*onnx.Model, error) {
	c, err := cloneModel(m)
	if err != nil {
		return nil, err
	}
	for _, n := range c.Graph.Nodes {
		n.Name = nodeName(n)
	}
	sortNodes(c.Graph)
	e := newEditor(c)
	constantsToInitializers(e)
	v, ok := c.Opset("")
	if !ok {
		return nil, fmt.Errorf("model imports no ai.onnx opset: %w", ErrUnsupportedModel)
	}
	if v < qdqOpset {
		if err := upgradeOpset(e, v); err != nil {
			return nil, err
		}
	}
	if err := widenInitializers(e); err != nil {
		return nil, err
	}
	if err := removePassThrough(e); err != nil {
		return nil, err
	}
	if err := foldBatchNorms(e); err != nil {
		return nil, err
	}
	inputs := c.Graph.Inputs[:0:0]
	for _, vi := range c.Graph.Inputs {
		if e.inits[vi.Name] == nil {
			inputs = append(inputs, vi)
		}
	}
	c.Graph.Inputs = inputs
	c.IRVersion = max(c.IRVersion, minIRVersion)
	e.dropUnusedInits()
	return c, nil
}

// constantsToInitializers replaces each Constant node holding a tensor,
// a float, an int or a list of them by an initializer of its output's
// name, unless the output is a graph output.
func constantsToInitializers(e *editor) {
	outs := map[string]bool{}
	for _, vi := range e.g.Outputs {
		outs[vi.Name] = true
	}
	gone := map[*onnx.Node]bool{}
	for _, n := range e.g.Nodes {
		if !defaultDomain(n) || n.OpType != "Constant" || len(n.Outputs) != 1 || len(n.Attrs) != 1 || outs[n.Outputs[0]] {
			continue
		}
		a, name := n.Attrs[0], n.Outputs[0]
		var t *onnx.Tensor
		switch {
		case a.Name == "value" && a.Type == onnx.AttrTensor && a.T != nil:
			c := *a.T
			c.Name = name
			t = &c
		case a.Name == "value_float" && a.Type == onnx.AttrFloat:
			t = ops.ToProto(ops.FromF32([]float32{a.F}), name, onnx.Float)
		case a.Name == "value_floats" && a.Type == onnx.AttrFloats:
			t = ops.ToProto(ops.FromF32(a.Floats, len(a.Floats)), name, onnx.Float)
		case a.Name == "value_int" && a.Type == onnx.AttrInt:
			t = ops.ToProto(ops.FromI64([]int64{a.I}), name, onnx.Int64)
		case a.Name == "value_ints" && a.Type == onnx.AttrInts:
			t = ops.ToProto(ops.FromI64(a.Ints, len(a.Ints)), name, onnx.Int64)
		default:
			continue
		}
		e.g.Initializer = append(e.g.Initializer, t)
		e.inits[name] = t
		gone[n] = true
	}
	e.remove(gone)
}

// widenInitializers stores float16 and bfloat16 initializers as float32,
// the type edgeinfer computes them in and the one QuantizeLinear and
// DequantizeLinear of opset 13 take.
func widenInitializers(e *editor) error {
	widened := map[string]bool{}
	for i, p := range e.g.Initializer {
		if p.DataType != onnx.Float16 && p.DataType != onnx.BFloat16 {
			continue
		}
		t, err := e.constant(p.Name)
		if err != nil {
			return err
		}
		w := ops.ToProto(t, p.Name, onnx.Float)
		e.g.Initializer[i], e.inits[p.Name] = w, w
		widened[p.Name] = true
	}
	for _, vi := range append(append([]*onnx.ValueInfo(nil), e.g.Inputs...), e.g.ValueInfo...) {
		if widened[vi.Name] {
			vi.Type.Elem = onnx.Float
		}
	}
	return nil
}

// removePassThrough removes Identity nodes and Dropout nodes in inference
// mode (no training_mode input, or a constant false one; the mask output
// unused), renaming their output to their input, unless the output is a
// graph output or a subgraph reads it.
func removePassThrough(e *editor) error {
	uses := e.uses()
	inSub := map[string]bool{}
	for _, n := range e.g.Nodes {
		for _, s := range subgraphRefs(n) {
			inSub[s] = true
		}
	}
	outs := map[string]bool{}
	for _, vi := range e.g.Outputs {
		outs[vi.Name] = true
	}
	gone := map[*onnx.Node]bool{}
	for _, n := range e.g.Nodes {
		if !defaultDomain(n) || len(n.Inputs) == 0 || n.Inputs[0] == "" || len(n.Outputs) == 0 {
			continue
		}
		switch n.OpType {
		case "Identity":
		case "Dropout":
			if len(n.Outputs) > 1 && uses[n.Outputs[1]] > 0 {
				continue
			}
			if mode := input(n, 2); mode != "" {
				t, err := e.constant(mode)
				if err != nil {
					return err
				}
				if t == nil || t.Type != onnx.Bool || t.Len() != 1 || t.U8()[0] != 0 {
					continue
				}
			}
		default:
			continue
		}
		y := n.Outputs[0]
		if outs[y] || inSub[y] {
			continue
		}
		e.rename(y, n.Inputs[0])
		gone[n] = true
	}
	e.remove(gone)
	return nil
}

// foldBatchNorms folds each inference BatchNormalization whose input is
// a Conv's output read by nothing else into that Conv's weights and bias:
// W' = W * s, b' = (b - mean) * s + B with s = scale / sqrt(var + epsilon)
// per output channel, computed in float64. The Conv then writes the
// BatchNormalization's output.
func foldBatchNorms(e *editor) error {
	uses := e.uses()
	producer := e.producers()
	outs := map[string]bool{}
	for _, vi := range e.g.Outputs {
		outs[vi.Name] = true
	}
	gone := map[*onnx.Node]bool{}
	for _, bn := range e.g.Nodes {
		if !defaultDomain(bn) || bn.OpType != "BatchNormalization" || len(bn.Inputs) != 5 || len(bn.Outputs) != 1 {
			continue
		}
		a := ops.AttrsOf(bn)
		eps, training := a.Float("epsilon", 1e-5), a.Int("training_mode", 0)
		if a.Err() != nil || training != 0 {
			continue
		}
		x := bn.Inputs[0]
		conv := producer[x]
		if conv == nil || !defaultDomain(conv) || conv.OpType != "Conv" || len(conv.Outputs) != 1 || uses[x] != 1 || outs[x] {
			continue
		}
		folded, err := foldBatchNorm(e, conv, bn, float64(eps))
		if err != nil {
			return err
		}
		if folded {
			conv.Outputs[0] = bn.Outputs[0]
			gone[bn] = true
		}
	}
	e.remove(gone)
	return nil
}

// foldBatchNorm folds bn into conv's weights when they and bn's
// parameters are float constants of matching sizes; false otherwise.
func foldBatchNorm(e *editor, conv, bn *onnx.Node, eps float64) (bool, error) {
	var consts [6]*ops.Tensor // W, b (may stay nil), scale, B, mean, var
	for i, name := range []string{input(conv, 1), input(conv, 2), bn.Inputs[1], bn.Inputs[2], bn.Inputs[3], bn.Inputs[4]} {
		if name == "" {
			continue
		}
		t, err := e.constant(name)
		if err != nil {
			return false, err
		}
		if t == nil || t.Type != onnx.Float {
			return false, nil
		}
		consts[i] = t
	}
	w := consts[0]
	if w == nil || len(w.Shape) < 1 || w.Shape[0] == 0 {
		return false, nil
	}
	m := w.Shape[0]
	for _, t := range consts[1:] {
		if t != nil && (len(t.Shape) != 1 || t.Shape[0] != m) {
			return false, nil
		}
	}
	if consts[2] == nil || consts[3] == nil || consts[4] == nil || consts[5] == nil {
		return false, nil
	}
	scale, beta, mean, variance := consts[2].F32(), consts[3].F32(), consts[4].F32(), consts[5].F32()
	nw, nb := ops.New(onnx.Float, w.Shape...), ops.New(onnx.Float, m)
	src, dst, bias := w.F32()[:w.Len()], nw.F32(), nb.F32()
	per := len(src) / m
	for c := range m {
		s := float64(scale[c]) / math.Sqrt(float64(variance[c])+eps)
		for k := c * per; k < (c+1)*per; k++ {
			dst[k] = float32(float64(src[k]) * s)
		}
		b := 0.0
		if consts[1] != nil {
			b = float64(consts[1].F32()[c])
		}
		bias[c] = float32((b-float64(mean[c]))*s + float64(beta[c]))
	}
	base := nodeName(conv)
	setInput(conv, 1, e.addInit(base+"_weight_folded", nw))
	setInput(conv, 2, e.addInit(base+"_bias_folded", nb))
	return true, nil
}
