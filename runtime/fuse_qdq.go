package runtime

import (
	"math"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// QDQ graphs become integer graphs. Quantizers (ONNX Runtime's, PyTorch's)
// write a quantized model in "QDQ" form: every quantized tensor goes
// through DequantizeLinear before a float operator and QuantizeLinear
// after it. Run literally, that is float arithmetic plus a quantize and a
// dequantize pass around every layer. At load, the patterns ONNX Runtime's
// QDQ transformers recognise are replaced by the integer operators they
// stand for, fed with the quantized tensors and their parameters directly:
//
//	Q(Conv(DQ(x), DQ(w), b))         -> QLinearConv (b quantized to int32)
//	Q(MatMul(DQ(a), DQ(b)))          -> QLinearMatMul
//	Q(Gemm(DQ(a), DQ(b), c))         -> com.microsoft QGemm
//	Q(Add|Mul(DQ(a), DQ(b)))         -> com.microsoft QLinearAdd|QLinearMul
//	Q(AveragePool|GlobalAveragePool) -> com.microsoft QLinearAveragePool|QLinearGlobalAveragePool
//	Q(Sigmoid|LeakyRelu(DQ(x)))      -> com.microsoft QLinearSigmoid|QLinearLeakyRelu
//	Q(Concat(DQ(x_i)...))            -> Concat of the quantized inputs when they
//	                                    share Q's parameters, else com.microsoft QLinearConcat
//	Q(op(DQ(x))), op moving values   -> op on the quantized tensor, when DQ and Q
//	(Reshape, Transpose, MaxPool...)    share their parameters
//
// A Relu or a Clip between the float operator and Q is absorbed when Q's
// range already clamps as it would. Activation parameters must be per
// tensor and constant; weights may be per output channel. What does not
// match keeps running in float, as written. This runs before constant
// folding, which would otherwise turn the weights' DequantizeLinear into
// float weights.

// qdq holds the graph's producers and consumers while fusing.
type qdq struct {
	g         *graph
	producer  map[int]*node
	consumers map[int][]*node
	gone      map[*node]bool
}

// qparams are a quantized tensor's constant scale and zero point.
type qparams struct {
	x, scale, zp int         // value ids; zp -1 when omitted
	s, z         *ops.Tensor // their constants (z nil when omitted)
	axis         int         // the DequantizeLinear's axis (per-axis scales)
}

// fuseQDQ replaces QDQ patterns by integer operators (see above).
func fuseQDQ(g *graph) (err error) {
	var at *onnx.Node
	defer recoverOps(&err, &at)
	if !slices.ContainsFunc(g.nodes, func(n *node) bool { return n.is("QuantizeLinear") }) {
		return nil
	}
	f := &qdq{g: g, producer: map[int]*node{}, consumers: map[int][]*node{}, gone: map[*node]bool{}}
	for _, n := range g.nodes {
		for _, o := range n.out {
			f.producer[o] = n
		}
		for _, i := range n.in {
			if i >= 0 {
				f.consumers[i] = append(f.consumers[i], n)
			}
		}
	}
	var added []*node
	for _, q := range g.nodes {
		at = q.proto
		if !q.is("QuantizeLinear") || f.gone[q] {
			continue
		}
		yq, ok := f.quantizer(q)
		if !ok {
			continue
		}
		if n := f.fuse(q, yq); n != nil {
			added = append(added, n)
		}
	}
	if len(f.gone) == 0 {
		return nil
	}
	// Each new node takes the place of the QuantizeLinear it replaces.
	nodes := make([]*node, 0, len(g.nodes))
	for _, n := range g.nodes {
		if i := slices.IndexFunc(added, func(a *node) bool { return a.proto.Outputs[0] == n.proto.Outputs[0] && f.gone[n] }); i >= 0 {
			nodes = append(nodes, added[i])
		}
		if !f.gone[n] {
			nodes = append(nodes, n)
		}
	}
	g.nodes = nodes
	return nil
}

// quantizer returns the parameters of QuantizeLinear q when they are
// per-tensor constants of an 8-bit type.
func (f *qdq) quantizer(q *node) (qparams, bool) {
	if len(q.in) < 3 || q.in[2] < 0 || len(q.out) != 1 {
		return qparams{}, false
	}
	p := qparams{x: q.in[0], scale: q.in[1], zp: q.in[2], s: f.g.consts[q.in[1]], z: f.g.consts[q.in[2]]}
	return p, p.s != nil && p.z != nil && p.s.Len() == 1 && p.z.Len() == 1 && is8bit(p.z.Type) && p.s.Type == onnx.Float
}

// dequantizer returns the parameters of the DequantizeLinear producing
// value id, with a constant zero point of an 8-bit type (or int32 when
// int32 is true, for biases) and a constant float scale, per tensor unless
// perAxis.
func (f *qdq) dequantizer(id int, perAxis, int32OK bool) (*node, qparams, bool) {
	dq := f.producer[id]
	if dq == nil || !dq.is("DequantizeLinear") || len(dq.in) < 2 || dq.in[0] < 0 {
		return nil, qparams{}, false
	}
	a := ops.AttrsOf(dq.proto)
	p := qparams{x: dq.in[0], scale: dq.in[1], zp: -1, s: f.g.consts[dq.in[1]], axis: int(a.Int("axis", 1))}
	if len(dq.in) > 2 && dq.in[2] >= 0 {
		p.zp, p.z = dq.in[2], f.g.consts[dq.in[2]]
		if p.z == nil || !(is8bit(p.z.Type) || int32OK && p.z.Type == onnx.Int32) {
			return nil, qparams{}, false
		}
	} else if !int32OK {
		return nil, qparams{}, false // the quantized type is unknown at load
	}
	if p.s == nil || p.s.Type != onnx.Float || a.Int("block_size", 0) != 0 || a.Err() != nil {
		return nil, qparams{}, false
	}
	if p.s.Len() != 1 && !perAxis {
		return nil, qparams{}, false
	}
	return dq, p, true
}

// is8bit reports whether t is uint8 or int8.
func is8bit(t ops.DType) bool { return t == onnx.Uint8 || t == onnx.Int8 }

// sameParams reports whether a and b quantize alike (scale and zero point equal).
func sameParams(a, b qparams) bool {
	return a.s.Len() == 1 && b.s.Len() == 1 && a.s.F32()[0] == b.s.F32()[0] &&
		a.z != nil && b.z != nil && a.z.Type == b.z.Type && string(a.z.Data[:1]) == string(b.z.Data[:1])
}

// only reports whether value id is read by exactly node n and is not a graph output.
func (f *qdq) only(id int, n *node) bool {
	c := f.consumers[id]
	return len(c) == 1 && c[0] == n && !f.g.isOut[id]
}

// fuse tries every pattern ending in QuantizeLinear q and returns the new
// node, or nil.
func (f *qdq) fuse(q *node, yq qparams) *node {
	op := f.producer[q.in[0]]
	if op == nil || f.gone[op] || len(op.out) != 1 || !f.only(op.out[0], q) {
		return nil
	}
	// A Relu or Clip that Q's range makes redundant.
	var act *node
	if (op.is("Relu") || op.is("Clip")) && f.absorbs(op, yq) {
		inner := f.producer[op.in[0]]
		if inner != nil && !f.gone[inner] && len(inner.out) == 1 && f.only(op.in[0], op) {
			act, op = op, inner
		}
	}
	if len(op.out) != 1 {
		return nil
	}
	var n *node
	switch {
	case op.is("Conv"):
		n = f.conv(op, q, yq)
	case op.is("MatMul"):
		n = f.matMul(op, q, yq)
	case op.is("Gemm"):
		n = f.gemm(op, q, yq)
	case act != nil:
		return nil // only the products above take an absorbed activation
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
		return nil
	}
	f.gone[op], f.gone[q] = true, true
	if act != nil {
		f.gone[act] = true
	}
	return n
}

// absorbs reports whether Relu or Clip act changes nothing once Q (yq)
// clamps to its range: Q's range must lie inside the activation's.
func (f *qdq) absorbs(act *node, yq qparams) bool {
	lo, hi := math.Inf(-1), math.Inf(1)
	if act.is("Clip") {
		if act.opset < 11 {
			a := ops.AttrsOf(act.proto)
			lo, hi = float64(a.Float("min", -math.MaxFloat32)), float64(a.Float("max", math.MaxFloat32))
		} else {
			for i, b := range []*float64{&lo, &hi} {
				if len(act.in) > i+1 && act.in[i+1] >= 0 {
					c := f.g.consts[act.in[i+1]]
					if c == nil || c.Type != onnx.Float || c.Len() != 1 {
						return false
					}
					*b = float64(c.F32()[0])
				}
			}
		}
	} else {
		lo = 0
	}
	qmin, qmax := -128.0, 127.0
	zp := 0.0
	if yq.z.Type == onnx.Uint8 {
		qmin, qmax, zp = 0, 255, float64(yq.z.U8()[0])
	} else {
		zp = float64(yq.z.I8()[0])
	}
	s := float64(yq.s.F32()[0])
	return (qmin-zp)*s >= lo && (qmax-zp)*s <= hi
}

// valueMovers lists the operators that only move or select values, so that
// they compute the same on quantized data as on dequantized data when the
// quantization before and after them is the same.
var valueMovers = map[string]bool{
	"Reshape": true, "Transpose": true, "Squeeze": true, "Unsqueeze": true, "Flatten": true,
	"MaxPool": true, "Slice": true, "Gather": true, "DepthToSpace": true, "SpaceToDepth": true,
	"Expand": true, "Tile": true,
}

// passThrough runs op on DQ's quantized input when DQ and Q share their parameters.
func (f *qdq) passThrough(op, q *node, yq qparams) *node {
	_, xq, ok := f.dequantizer(op.in[0], false, false)
	if !ok || !sameParams(xq, yq) || (op.is("MaxPool") && len(op.out) > 1) {
		return nil
	}
	in := append([]int{xq.x}, op.in[1:]...)
	return f.newNode(op.proto.Domain, op.proto.OpType, op.opset, op.proto.Attrs, in, q.out)
}

// conv replaces Q(Conv(DQ(x), DQ(w), b)) by QLinearConv.
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
	in := []int{xq.x, xq.scale, xq.zp, wq.x, wq.scale, f.zeroPoint(wq, w.Type), yq.scale, yq.zp}
	if len(conv.in) > 2 && conv.in[2] >= 0 {
		b, ok := f.bias(conv.in[2], xq, wq, w.Shape[0])
		if !ok {
			return nil
		}
		in = append(in, b)
	}
	return f.newNode("", "QLinearConv", max(conv.opset, 10), conv.proto.Attrs, in, q.out)
}

// matMul replaces Q(MatMul(DQ(a), DQ(b))) by QLinearMatMul.
func (f *qdq) matMul(mm, q *node, yq qparams) *node {
	_, aq, ok1 := f.dequantizer(mm.in[0], false, false)
	_, bq, ok2 := f.dequantizer(mm.in[1], true, false)
	if !ok1 || !ok2 {
		return nil
	}
	if bq.s.Len() != 1 { // per column of a constant 2-D B
		b := f.g.consts[bq.x]
		if b == nil || len(b.Shape) != 2 || bq.axis != 1 && bq.axis != -1 || bq.s.Len() != b.Shape[1] {
			return nil
		}
	}
	in := []int{aq.x, aq.scale, aq.zp, bq.x, bq.scale, bq.zp, yq.scale, yq.zp}
	return f.newNode("", "QLinearMatMul", max(mm.opset, 10), nil, in, q.out)
}

// gemm replaces Q(Gemm(DQ(a), DQ(b), c)) by com.microsoft QGemm, whose C is
// an int32 bias at scale alpha*a_scale*b_scale.
func (f *qdq) gemm(gm, q *node, yq qparams) *node {
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
	in := []int{aq.x, aq.scale, aq.zp, bq.x, bq.scale, f.zeroPoint(bq, bw.Type), -1, yq.scale, yq.zp}
	if len(gm.in) > 2 && gm.in[2] >= 0 {
		b, ok := f.bias(gm.in[2], aq, bq, n)
		if !ok {
			return nil
		}
		in[6] = b
	}
	return f.newNode("com.microsoft", "QGemm", 1, gm.proto.Attrs, in, q.out)
}

// binary replaces Q(Add|Mul(DQ(a), DQ(b))) by com.microsoft QLinearAdd|QLinearMul.
func (f *qdq) binary(op, q *node, yq qparams) *node {
	_, aq, ok1 := f.dequantizer(op.in[0], false, false)
	_, bq, ok2 := f.dequantizer(op.in[1], false, false)
	if !ok1 || !ok2 || aq.z.Type != yq.z.Type || bq.z.Type != yq.z.Type {
		return nil
	}
	in := []int{aq.x, aq.scale, aq.zp, bq.x, bq.scale, bq.zp, yq.scale, yq.zp}
	return f.newNode("com.microsoft", "QLinear"+op.proto.OpType, 1, nil, in, q.out)
}

// unary replaces Q(op(DQ(x))) by com.microsoft QLinear<op> for the pools,
// Sigmoid and LeakyRelu.
func (f *qdq) unary(op, q *node, yq qparams) *node {
	_, xq, ok := f.dequantizer(op.in[0], false, false)
	if !ok || xq.z.Type != yq.z.Type || op.is("AveragePool") && op.opset < 7 {
		return nil
	}
	in := []int{xq.x, xq.scale, xq.zp, yq.scale, yq.zp}
	return f.newNode("com.microsoft", "QLinear"+op.proto.OpType, 1, op.proto.Attrs, in, q.out)
}

// concat replaces Q(Concat(DQ(x_i)...)) by a Concat of the quantized
// inputs when they all share Q's parameters, else by QLinearConcat.
func (f *qdq) concat(op, q *node, yq qparams) *node {
	xs := make([]qparams, len(op.in))
	same := true
	for i, id := range op.in {
		_, p, ok := f.dequantizer(id, false, false)
		if !ok || p.z.Type != yq.z.Type {
			return nil
		}
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

// zeroPoint is p's zero point, or a new constant zero of type t shaped
// like p's scale when the DequantizeLinear omitted it.
func (f *qdq) zeroPoint(p qparams, t ops.DType) int {
	if p.zp >= 0 {
		return p.zp
	}
	return f.g.newConst(f.g.names[p.scale]+"_zero_point", ops.New(t, p.s.Shape...))
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

// newNode builds a node of the given operator reading in and writing out,
// and records it as the producer of its outputs.
func (f *qdq) newNode(domain, opType string, opset int, attrs []*onnx.Attribute, in, out []int) *node {
	pn := &onnx.Node{Name: f.g.names[out[0]], OpType: opType, Domain: domain, Attrs: attrs}
	for _, id := range in {
		name := ""
		if id >= 0 {
			name = f.g.names[id]
		}
		pn.Inputs = append(pn.Inputs, name)
	}
	for _, id := range out {
		pn.Outputs = append(pn.Outputs, f.g.names[id])
	}
	op, err := ops.Build(pn, opset)
	if err != nil {
		return nil
	}
	n := &node{proto: pn, op: op, opset: opset, in: in, out: out}
	for _, o := range out {
		f.producer[o] = n
	}
	return n
}
