package runtime

import (
	"math"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/quant"
)

// The patterns of fuseQDQ (see fuse_qdq.go): each builds the integer node
// that replaces a float operator and the QuantizeLinear after it, or nil
// when the operator's inputs or parameters do not fit it.

// fuse tries every pattern ending in QuantizeLinear q.
func (f *qdq) fuse(q *node, yq qparams) {
	op := f.producer[q.in[0]]
	if op == nil || f.gone[op] || len(op.out) != 1 || !f.only(op.out[0], q) {
		return
	}
	// A Relu or Clip that Q's quantization makes redundant.
	var act *node
	if (op.is("Relu") || op.is("Clip")) && f.absorbs(op, yq) {
		inner := f.producer[op.in[0]]
		if inner != nil && !f.gone[inner] && len(inner.out) == 1 && f.only(op.in[0], op) {
			act, op = op, inner
		}
	}
	var n *node
	switch {
	case op.is("Conv"):
		n = f.conv(op, q, yq)
	case op.is("MatMul"):
		n = f.matMul(op, q, yq)
	case op.is("Gemm"):
		n = f.gemm(op, q.out, yq)
	case act != nil:
		return // only the products above take an absorbed activation
	case op.is("Add"), op.is("Mul"):
		n = f.binary(op, q, yq)
	case op.is("AveragePool"), op.is("GlobalAveragePool"), op.is("Sigmoid"), op.is("LeakyRelu"):
		n = f.unary(op, q, yq)
	case op.is("Concat"):
		n = f.concat(op, q, yq)
	case valueMovers[op.proto.OpType] && ops.NormDomain(op.proto.Domain) == "":
		n = f.passThrough(op, q, yq)
	}
	if n == nil {
		return
	}
	if act != nil {
		f.replace(n, op, act, q)
		return
	}
	f.replace(n, op, q)
}

// floatProduct replaces Gemm(DQ(a), DQ(b), c) or a 2-D MatMul(DQ(a),
// DQ(b)) whose output stays float (no QuantizeLinear reads it alone) by
// com.microsoft QGemm with a float output, as ONNX Runtime does.
func (f *qdq) floatProduct(op *node) {
	if len(op.out) != 1 || len(op.in) < 2 {
		return
	}
	if c := f.consumers[op.out[0]]; len(c) == 1 && c[0].is("QuantizeLinear") && !f.g.isOut[op.out[0]] {
		return // the pattern ending in Q takes it
	}
	var n *node
	if op.is("Gemm") {
		n = f.gemm(op, op.out, qparams{zp: -1})
	} else {
		n = f.matMulFloat(op)
	}
	if n != nil {
		f.replace(n, op)
	}
}

// valueMovers lists the operators that only move or select values, so that
// they compute the same on quantized data as on dequantized data when the
// quantization before and after them is the same.
var valueMovers = map[string]bool{
	"Reshape": true, "Transpose": true, "Squeeze": true, "Unsqueeze": true, "Flatten": true,
	"MaxPool": true, "Slice": true, "Gather": true, "DepthToSpace": true, "SpaceToDepth": true,
	"Expand": true, "Tile": true,
}

// passThrough makes op on DQ's quantized input of Q(op(DQ(x))) when DQ
// and Q share their parameters.
func (f *qdq) passThrough(op, q *node, yq qparams) *node {
	_, xq, ok := f.dequantizer(op.in[0], false, false)
	if !ok || (op.is("MaxPool") && len(op.out) > 1) {
		return nil
	}
	xq.zp = f.zeroPoint(xq, xq.t)
	if xq.z = f.g.consts[xq.zp]; !sameParams(xq, yq) {
		return nil
	}
	in := append([]int{xq.x}, op.in[1:]...)
	return f.newNode(op.proto.Domain, op.proto.OpType, op.opset, op.proto.Attrs, in, q.out)
}

// split runs a Split op on DQ's quantized input, Q_i(op_i(DQ(x))), when
// every output of op is read by a QuantizeLinear alone and every Q shares
// DQ's parameters: the channel split of ShuffleNet's units. The new Split
// takes op's place (before the Qs, whose outputs it writes).
func (f *qdq) split(op *node) {
	_, xq, ok := f.dequantizer(op.in[0], false, false)
	if !ok || len(op.out) == 0 {
		return
	}
	xq.zp = f.zeroPoint(xq, xq.t)
	xq.z = f.g.consts[xq.zp]
	qs := make([]*node, 0, len(op.out)+1)
	out := make([]int, len(op.out))
	for i, o := range op.out {
		c := f.consumers[o]
		if len(c) != 1 || f.g.isOut[o] || f.gone[c[0]] || !c[0].is("QuantizeLinear") {
			return
		}
		yq, ok := f.quantizer(c[0])
		if !ok || !sameParams(xq, yq) {
			return
		}
		qs, out[i] = append(qs, c[0]), c[0].out[0]
	}
	in := append([]int{xq.x}, op.in[1:]...)
	f.replace(f.newNode(op.proto.Domain, op.proto.OpType, op.opset, op.proto.Attrs, in, out), append(qs, op)...)
}

// conv makes QLinearConv of Q(Conv(DQ(x), DQ(w), b)).
func (f *qdq) conv(conv, q *node, yq qparams) *node {
	if len(conv.in) < 2 {
		return nil
	}
	_, xq, ok1 := f.dequantizer(conv.in[0], false, false)
	_, wq, ok2 := f.dequantizer(conv.in[1], true, false)
	if !ok1 || !ok2 || f.g.consts[wq.x] == nil || (wq.s.Len() != 1 && wq.axis != 0) {
		return nil
	}
	w := f.g.consts[wq.x]
	if len(w.Shape) < 3 || (wq.s.Len() != 1 && wq.s.Len() != w.Shape[0]) {
		return nil
	}
	in := []int{xq.x, xq.scale, f.zeroPoint(xq, xq.t), wq.x, wq.scale, f.zeroPoint(wq, w.Type), yq.scale, yq.zp}
	if len(conv.in) > 2 && conv.in[2] >= 0 {
		b, ok := f.bias(conv.in[2], xq, wq, w.Shape[0])
		if !ok {
			return nil
		}
		in = append(in, b)
	}
	return f.newNode("", "QLinearConv", max(conv.opset, 10), conv.proto.Attrs, in, q.out)
}

// matMul makes QLinearMatMul of Q(MatMul(DQ(a), DQ(b))).
func (f *qdq) matMul(mm, q *node, yq qparams) *node {
	aq, bq, ok := f.matMulOperands(mm)
	if !ok {
		return nil
	}
	in := []int{aq.x, aq.scale, f.zeroPoint(aq, aq.t), bq.x, bq.scale, f.zeroPoint(bq, bq.t), yq.scale, yq.zp}
	return f.newNode("", "QLinearMatMul", max(mm.opset, 10), nil, in, q.out)
}

// matMulOperands are MatMul mm's dequantized operands: a per tensor, b per
// tensor or per column of a constant 2-D B.
func (f *qdq) matMulOperands(mm *node) (aq, bq qparams, ok bool) {
	_, aq, ok1 := f.dequantizer(mm.in[0], false, false)
	_, bq, ok2 := f.dequantizer(mm.in[1], true, false)
	if !ok1 || !ok2 {
		return aq, bq, false
	}
	if bq.s.Len() != 1 {
		b := f.g.consts[bq.x]
		if b == nil || len(b.Shape) != 2 || bq.axis != 1 && bq.axis != -1 || bq.s.Len() != b.Shape[1] {
			return aq, bq, false
		}
	}
	return aq, bq, true
}

// matMulFloat makes com.microsoft QGemm with a float output of a MatMul of
// a 2-D a by a constant 2-D b.
func (f *qdq) matMulFloat(mm *node) *node {
	aq, bq, ok := f.matMulOperands(mm)
	if !ok || mm.opset < 9 {
		return nil
	}
	a, b := f.rankOf(aq.x), f.g.consts[bq.x]
	if a != 2 || b == nil || len(b.Shape) != 2 {
		return nil
	}
	in := []int{aq.x, aq.scale, f.zeroPoint(aq, aq.t), bq.x, bq.scale, f.zeroPoint(bq, bq.t)}
	return f.newNode("com.microsoft", "QGemm", 1, nil, in, mm.out)
}

// rankOf is the rank of value id when known at load (a constant, or a
// QuantizeLinear's output of a value whose rank is known), else -1.
func (f *qdq) rankOf(id int) int {
	if c := f.g.consts[id]; c != nil {
		return len(c.Shape)
	}
	if p := f.producer[id]; p != nil && p.is("QuantizeLinear") {
		return f.rankOf(p.in[0])
	}
	if p := f.producer[id]; p != nil && (p.is("Flatten") || p.is("Gemm")) {
		return 2
	}
	if p := f.producer[id]; p != nil && p.is("DequantizeLinear") {
		return f.rankOf(p.in[0])
	}
	return -1
}

// gemm makes com.microsoft QGemm of Q(Gemm(DQ(a), DQ(b), c)) writing out,
// or of Gemm(DQ(a), DQ(b), c) with a float output when yq has no zero
// point; its C is an int32 bias at scale a_scale·b_scale.
func (f *qdq) gemm(gm *node, out []int, yq qparams) *node {
	a := ops.AttrsOf(gm.proto)
	beta, transB := a.Float("beta", 1), a.Int("transB", 0)
	if a.Err() != nil || gm.opset < 11 || len(gm.in) > 2 && gm.in[2] >= 0 && beta != 1 {
		return nil
	}
	_, aq, ok1 := f.dequantizer(gm.in[0], false, false)
	_, bq, ok2 := f.dequantizer(gm.in[1], true, false)
	bw := f.g.consts[bq.x]
	if !ok1 || !ok2 || bw == nil || len(bw.Shape) != 2 || a.Float("alpha", 1) != 1 {
		return nil
	}
	n, axis := bw.Shape[1], 1 // B's columns, and the axis a per-column scale runs along
	if transB != 0 {
		n, axis = bw.Shape[0], 0
	}
	if bq.s.Len() != 1 && (bq.s.Len() != n || bq.axis != axis && bq.axis != axis-2) {
		return nil
	}
	in := []int{aq.x, aq.scale, f.zeroPoint(aq, aq.t), bq.x, bq.scale, f.zeroPoint(bq, bw.Type), -1, yq.scale, yq.zp}
	if yq.zp < 0 {
		in = in[:7]
	}
	if len(gm.in) > 2 && gm.in[2] >= 0 {
		b, ok := f.bias(gm.in[2], aq, bq, n)
		if !ok {
			return nil
		}
		in[6] = b
	} else if yq.zp < 0 {
		in = in[:6]
	}
	return f.newNode("com.microsoft", "QGemm", 1, gm.proto.Attrs, in, out)
}

// binary makes com.microsoft QLinearAdd|QLinearMul of Q(Add|Mul(DQ(a), DQ(b))).
func (f *qdq) binary(op, q *node, yq qparams) *node {
	_, aq, ok1 := f.dequantizer(op.in[0], false, false)
	_, bq, ok2 := f.dequantizer(op.in[1], false, false)
	if !ok1 || !ok2 || aq.t != yq.t || bq.t != yq.t {
		return nil
	}
	if op.is("Mul") {
		if n := f.silu(aq, bq, q, yq); n != nil {
			return n
		}
		if n := f.silu(bq, aq, q, yq); n != nil {
			return n
		}
	}
	in := []int{aq.x, aq.scale, aq.zp, bq.x, bq.scale, bq.zp, yq.scale, yq.zp}
	return f.newNode("com.microsoft", "QLinear"+op.proto.OpType, 1, nil, in, q.out)
}

// silu makes the internal QLinearSiLU (see ops/quant) of Q(Mul(DQ(x),
// DQ(s))) where s is the fused QLinearSigmoid of x with DQ(x)'s
// parameters and the sigmoid's output is dequantized with its own: x·
// sigmoid(x), whose result one table of the 256 values of x gives. The
// sigmoid stays for any other reader of s (the planner drops it when
// there is none).
func (f *qdq) silu(xq, sq qparams, q *node, yq qparams) *node {
	s := f.producer[sq.x]
	if s == nil || f.gone[s] || ops.NormDomain(s.proto.Domain) != "com.microsoft" || s.proto.OpType != "QLinearSigmoid" || len(s.in) != 5 || s.in[0] != xq.x {
		return nil
	}
	param := func(scale, zp int) qparams {
		p := qparams{scale: scale, zp: zp, s: f.g.consts[scale]}
		if zp >= 0 {
			p.z = f.g.consts[zp]
		}
		return p
	}
	if p := param(s.in[1], s.in[2]); p.s == nil || !sameParams(p, xq) {
		return nil
	}
	if p := param(s.in[3], s.in[4]); p.s == nil || !sameParams(p, sq) {
		return nil
	}
	in := []int{xq.x, xq.scale, xq.zp, sq.scale, sq.zp, yq.scale, yq.zp}
	return f.newNode(quant.InternalDomain, "QLinearSiLU", 1, nil, in, q.out)
}

// unary makes com.microsoft QLinear<op> of Q(op(DQ(x))) for the pools,
// Sigmoid and LeakyRelu.
func (f *qdq) unary(op, q *node, yq qparams) *node {
	_, xq, ok := f.dequantizer(op.in[0], false, false)
	if !ok || xq.t != yq.t || op.is("AveragePool") && op.opset < 7 {
		return nil
	}
	in := []int{xq.x, xq.scale, xq.zp, yq.scale, yq.zp}
	return f.newNode("com.microsoft", "QLinear"+op.proto.OpType, 1, op.proto.Attrs, in, q.out)
}

// concat makes a Concat of the quantized inputs of Q(Concat(DQ(x_i)...))
// when they all share Q's parameters, else com.microsoft QLinearConcat.
func (f *qdq) concat(op, q *node, yq qparams) *node {
	xs := make([]qparams, len(op.in))
	same := true
	for i, id := range op.in {
		_, p, ok := f.dequantizer(id, false, false)
		if !ok || p.t != yq.t {
			return nil
		}
		p.zp = f.zeroPoint(p, p.t)
		p.z = f.g.consts[p.zp]
		xs[i], same = p, same && sameParams(p, yq)
	}
	if same {
		in := make([]int, len(xs))
		for i, p := range xs {
			in[i] = p.x
		}
		return f.newNode("", "Concat", op.opset, op.proto.Attrs, in, q.out)
	}
	in := []int{yq.scale, yq.zp}
	for _, p := range xs {
		in = append(in, p.x, p.scale, p.zp)
	}
	return f.newNode("com.microsoft", "QLinearConcat", 1, op.proto.Attrs, in, q.out)
}

// bias returns the value id of an int32 bias at scale x_scale*w_scale[c]
// for n output channels: b's own when it is DequantizeLinear of int32 at
// that scale, else b's float values quantized (rounding half to even, as
// ONNX Runtime's quantizer does).
func (f *qdq) bias(b int, xq, wq qparams, n int) (int, bool) {
	scale := func(c int) float64 {
		ws := wq.s.F32()[0]
		if wq.s.Len() > 1 {
			ws = wq.s.F32()[c]
		}
		return float64(xq.s.F32()[0]) * float64(ws)
	}
	var vals []float64
	if _, bq, ok := f.dequantizer(b, true, true); ok {
		raw := f.g.consts[bq.x]
		if raw == nil || raw.Type != onnx.Int32 || raw.Len() != n || bq.z != nil && bq.z.Type != onnx.Int32 {
			return 0, false
		}
		exact := bq.z == nil || !slices.ContainsFunc(bq.z.I32()[:bq.z.Len()], func(v int32) bool { return v != 0 })
		for c := range n {
			s := float64(bq.s.F32()[0])
			if bq.s.Len() > 1 {
				s = float64(bq.s.F32()[c])
			}
			exact = exact && math.Abs(s-scale(c)) <= 1e-6*scale(c)
			z := 0.0
			if bq.z != nil {
				z = float64(bq.z.I32()[min(c, bq.z.Len()-1)])
			}
			vals = append(vals, (float64(raw.I32()[c])-z)*s)
		}
		if exact {
			return bq.x, true
		}
	} else if c := f.g.consts[b]; c != nil && c.Type == onnx.Float && c.Len() == n {
		for _, v := range c.F32()[:n] {
			vals = append(vals, float64(v))
		}
	} else {
		return 0, false
	}
	q := ops.New(onnx.Int32, n)
	for c, v := range vals {
		s := scale(c)
		if s == 0 {
			return 0, false
		}
		r := math.RoundToEven(v / s)
		q.I32()[c] = int32(max(math.MinInt32, min(math.MaxInt32, r)))
	}
	return f.g.newConst(f.g.names[b]+"_int32", q), true
}
