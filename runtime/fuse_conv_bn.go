package runtime

import (
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// fuseConvBN folds an inference BatchNormalization into the Conv that feeds
// it, when the Conv's output goes only to the BatchNormalization and the
// Conv's weights and bias and the normalization's parameters are constants:
// with s = scale / sqrt(var + epsilon) per output channel,
//
//	W' = W * s        B' = (B - mean) * s + bias
//
// (B = 0 when the Conv has no bias). The Conv then writes the
// normalization's output and the BatchNormalization node is removed.
func fuseConvBN(g *graph) (err error) {
	var at *onnx.Node
	defer recoverOps(&err, &at)
	uses := g.uses()
	producer := map[int]*node{}
	for _, n := range g.nodes {
		for _, o := range n.out {
			producer[o] = n
		}
	}
	gone := map[*node]bool{}
	for _, bn := range g.nodes {
		at = bn.proto
		if !bn.is("BatchNormalization") || len(bn.in) != 5 || len(bn.out) != 1 || bn.in[0] < 0 {
			continue
		}
		a := ops.AttrsOf(bn.proto)
		if a.Int("training_mode", 0) != 0 || a.Int("spatial", 1) == 0 {
			continue
		}
		eps := a.Float("epsilon", 1e-5)
		if a.Err() != nil {
			continue
		}
		conv := producer[bn.in[0]]
		if conv == nil || gone[conv] || !conv.is("Conv") || len(conv.out) != 1 ||
			uses[conv.out[0]] != 1 || g.isOut[conv.out[0]] || len(conv.in) < 2 || conv.in[1] < 0 {
			continue
		}
		w := g.consts[conv.in[1]]
		var b *ops.Tensor
		if len(conv.in) > 2 && conv.in[2] >= 0 {
			if b = g.consts[conv.in[2]]; b == nil {
				continue
			}
		}
		params, ok := bnParams(g, bn, w, b)
		if !ok {
			continue
		}
		w2, b2 := foldBN(w, b, params, eps)
		pn := *conv.proto
		pn.Inputs = []string{conv.proto.Inputs[0], "", ""}
		pn.Outputs = bn.proto.Outputs
		in := []int{conv.in[0], g.newConst(g.names[conv.in[1]]+"_bn", w2), g.newConst(g.names[bn.out[0]]+"_bias", b2)}
		pn.Inputs[1], pn.Inputs[2] = g.names[in[1]], g.names[in[2]]
		op, err := ops.Build(&pn, conv.opset)
		if err != nil {
			return err
		}
		conv.proto, conv.op, conv.in, conv.out = &pn, op, in, bn.out
		gone[bn] = true
	}
	g.removeNodes(gone)
	return nil
}

// bnParams returns bn's scale, bias, mean and variance when they are Float
// constants with one value per output channel of the Conv weights w (and
// bias b), which must be Float too and have at least one output channel.
func bnParams(g *graph, bn *node, w, b *ops.Tensor) ([4][]float32, bool) {
	var p [4][]float32
	if w == nil || w.Type != onnx.Float || len(w.Shape) < 3 || w.Shape[0] == 0 || (b != nil && (b.Type != onnx.Float || b.Len() != w.Shape[0])) {
		return p, false
	}
	for i := range p {
		if bn.in[1+i] < 0 {
			return p, false
		}
		t := g.consts[bn.in[1+i]]
		if t == nil || t.Type != onnx.Float || len(t.Shape) != 1 || t.Shape[0] != w.Shape[0] {
			return p, false
		}
		p[i] = t.F32()[:w.Shape[0]]
	}
	return p, true
}

// foldBN computes the folded weights and bias (see fuseConvBN).
func foldBN(w, b *ops.Tensor, p [4][]float32, eps float32) (*ops.Tensor, *ops.Tensor) {
	scale, beta, mean, variance := p[0], p[1], p[2], p[3]
	m := w.Shape[0]
	per := w.Len() / m
	w2 := ops.New(onnx.Float, w.Shape...)
	b2 := ops.New(onnx.Float, m)
	wv, w2v, b2v := w.F32(), w2.F32(), b2.F32()
	for o := range m {
		s := float64(scale[o]) / math.Sqrt(float64(variance[o])+float64(eps))
		for i := o * per; i < (o+1)*per; i++ {
			w2v[i] = float32(float64(wv[i]) * s)
		}
		bias := 0.0
		if b != nil {
			bias = float64(b.F32()[o])
		}
		b2v[o] = float32((bias-float64(mean[o]))*s + float64(beta[o]))
	}
	return w2, b2
}
