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
// stand for, fed with the quantized tensors and their parameters directly
// (fuse_qdq_patterns.go):
//
//	Q(Conv(DQ(x), DQ(w), b))         -> QLinearConv (b quantized to int32)
//	Q(MatMul(DQ(a), DQ(b)))          -> QLinearMatMul
//	Q(Gemm(DQ(a), DQ(b), c))         -> com.microsoft QGemm
//	Gemm|MatMul(DQ(a), DQ(b)[, c])   -> com.microsoft QGemm with a float output
//	Q(Add|Mul(DQ(a), DQ(b)))         -> com.microsoft QLinearAdd|QLinearMul
//	Q(AveragePool|GlobalAveragePool) -> com.microsoft QLinearAveragePool|QLinearGlobalAveragePool
//	Q(Sigmoid|LeakyRelu(DQ(x)))      -> com.microsoft QLinearSigmoid|QLinearLeakyRelu
//	Q(Concat(DQ(x_i)...))            -> Concat of the quantized inputs when they
//	                                    share Q's parameters, else com.microsoft QLinearConcat
//	Q(op(DQ(x))), op moving values   -> op on the quantized tensor, when DQ and Q
//	(Reshape, Transpose, MaxPool...)    share their parameters
//	Q_i(Split_i(DQ(x)))              -> Split of the quantized tensor, when every
//	                                    Q_i shares DQ's parameters
//
// A Relu or a Clip between the float operator and Q is absorbed when
// clamping before Q changes no quantized value. Activation parameters must
// be per tensor and constant; weights may be per output channel. What does
// not match keeps running in float, as written. The DequantizeLinear
// nodes nothing reads any more go too. This runs before constant folding,
// which would otherwise turn the weights' DequantizeLinear into float
// weights.

// qdq holds the graph's producers and consumers while fusing.
type qdq struct {
	g         *graph
	producer  map[int]*node
	consumers map[int][]*node
	gone      map[*node]bool
	added     map[*node]*node // the node replacing each removed node, at its place
}

// qparams are a quantized tensor's constant scale and zero point.
type qparams struct {
	x, scale, zp int         // value ids; zp -1 when omitted
	s, z         *ops.Tensor // their constants (z nil when omitted)
	t            ops.DType   // the quantized type
	axis         int         // the DequantizeLinear's axis (per-axis scales)
}

// fuseQDQ replaces QDQ patterns by integer operators (see above).
func fuseQDQ(g *graph) (err error) {
	var at *onnx.Node
	defer recoverOps(&err, &at)
	if !slices.ContainsFunc(g.nodes, func(n *node) bool { return n.is("DequantizeLinear") }) {
		return nil
	}
	f := &qdq{g: g, producer: map[int]*node{}, consumers: map[int][]*node{}, gone: map[*node]bool{}, added: map[*node]*node{}}
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
	for _, n := range g.nodes {
		at = n.proto
		if f.gone[n] {
			continue
		}
		if n.is("QuantizeLinear") {
			if yq, ok := f.quantizer(n); ok {
				f.fuse(n, yq)
			}
			continue
		}
		switch {
		case n.is("Gemm") || n.is("MatMul"):
			f.floatProduct(n)
		case n.is("Split"):
			f.split(n)
		}
	}
	if len(f.gone) == 0 {
		return nil
	}
	nodes := make([]*node, 0, len(g.nodes))
	for _, n := range g.nodes {
		if a := f.added[n]; a != nil {
			nodes = append(nodes, a)
		}
		if !f.gone[n] {
			nodes = append(nodes, n)
		}
	}
	g.nodes = nodes
	f.dropUnread()
	return nil
}

// replace records that node n takes the place of the nodes in old (the
// last of which it takes the place of) and removes them.
func (f *qdq) replace(n *node, old ...*node) {
	for _, o := range old {
		f.gone[o] = true
	}
	f.added[old[len(old)-1]] = n
}

// dropUnread removes the DequantizeLinear nodes whose outputs nothing
// reads any more (the weights' and activations' the fused nodes read
// quantized), until none is left.
func (f *qdq) dropUnread() {
	g := f.g
	for {
		uses := g.uses()
		gone := map[*node]bool{}
		for _, n := range g.nodes {
			if n.is("DequantizeLinear") && !slices.ContainsFunc(n.out, func(o int) bool { return uses[o] > 0 || g.isOut[o] }) {
				gone[n] = true
			}
		}
		if len(gone) == 0 {
			return
		}
		g.removeNodes(gone)
	}
}

// quantizer returns the parameters of QuantizeLinear q when they are
// per-tensor constants of an 8-bit type (the zero point, when omitted, a
// new constant).
func (f *qdq) quantizer(q *node) (qparams, bool) {
	if len(q.in) < 2 || len(q.out) != 1 {
		return qparams{}, false
	}
	p := qparams{x: q.in[0], scale: q.in[1], zp: -1, s: f.g.consts[q.in[1]], t: onnx.Uint8}
	if len(q.in) > 2 && q.in[2] >= 0 {
		p.zp, p.z = q.in[2], f.g.consts[q.in[2]]
		if p.z == nil {
			return qparams{}, false
		}
		p.t = p.z.Type
	} else if a := ops.AttrsOf(q.proto); q.opset >= 21 {
		if t := ops.DType(a.Int("output_dtype", 0)); t != onnx.Undefined {
			p.t = t
		}
	}
	if p.s == nil || p.s.Len() != 1 || p.s.Type != onnx.Float || !is8bit(p.t) {
		return qparams{}, false
	}
	if p.z == nil {
		p.zp = f.zeroPoint(p, p.t)
		p.z = f.g.consts[p.zp]
	}
	return p, p.z.Len() == 1
}

// dequantizer returns the parameters of the DequantizeLinear producing
// value id, with a constant float scale, per tensor unless perAxis, and a
// constant zero point of an 8-bit type (or int32 when int32OK, for
// biases). An omitted zero point is 0 of the quantized tensor's type,
// which must then be known: a constant's, a QuantizeLinear's output's, or
// int32 (int32OK).
func (f *qdq) dequantizer(id int, perAxis, int32OK bool) (*node, qparams, bool) {
	dq := f.producer[id]
	if dq == nil || !dq.is("DequantizeLinear") || len(dq.in) < 2 || dq.in[0] < 0 {
		return nil, qparams{}, false
	}
	a := ops.AttrsOf(dq.proto)
	p := qparams{x: dq.in[0], scale: dq.in[1], zp: -1, s: f.g.consts[dq.in[1]], axis: int(a.Int("axis", 1))}
	if p.s == nil || p.s.Type != onnx.Float || a.Int("block_size", 0) != 0 || a.Err() != nil || p.s.Len() != 1 && !perAxis {
		return nil, qparams{}, false
	}
	if len(dq.in) > 2 && dq.in[2] >= 0 {
		p.zp, p.z = dq.in[2], f.g.consts[dq.in[2]]
		if p.z == nil {
			return nil, qparams{}, false
		}
		p.t = p.z.Type
	} else {
		p.t = f.quantType(p.x, int32OK)
	}
	if !(is8bit(p.t) || int32OK && p.t == onnx.Int32) {
		return nil, qparams{}, false
	}
	return dq, p, true
}

// quantType is the type of quantized value id when it is known at load:
// a constant's, or a QuantizeLinear's output's; else int32 when int32OK
// (a bias), Undefined otherwise.
func (f *qdq) quantType(id int, int32OK bool) ops.DType {
	if c := f.g.consts[id]; c != nil {
		return c.Type
	}
	if q := f.producer[id]; q != nil && q.is("QuantizeLinear") {
		if p, ok := f.quantizer(q); ok {
			return p.t
		}
	}
	if int32OK {
		return onnx.Int32
	}
	return onnx.Undefined
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

// absorbs reports whether Relu or Clip act changes nothing once Q (yq)
// quantizes its output: when the activation's bounds quantize to the ends
// of Q's range (or beyond), clamping before Q only moves values that Q
// saturates to the same ends.
func (f *qdq) absorbs(act *node, yq qparams) bool {
	lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
	if act.is("Clip") {
		if act.opset < 11 {
			a := ops.AttrsOf(act.proto)
			lo, hi = a.Float("min", -math.MaxFloat32), a.Float("max", math.MaxFloat32)
		} else {
			for i, b := range []*float32{&lo, &hi} {
				if len(act.in) > i+1 && act.in[i+1] >= 0 {
					c := f.g.consts[act.in[i+1]]
					if c == nil || c.Type != onnx.Float || c.Len() != 1 {
						return false
					}
					*b = c.F32()[0]
				}
			}
		}
	} else {
		lo = 0
	}
	qmin, qmax, zp := -128.0, 127.0, 0.0
	if yq.z.Type == onnx.Uint8 {
		qmin, qmax, zp = 0, 255, float64(yq.z.U8()[0])
	} else {
		zp = float64(yq.z.I8()[0])
	}
	s := yq.s.F32()[0]
	quant := func(v float32) float64 { return math.RoundToEven(float64(v/s)) + zp }
	return s > 0 && quant(lo) <= qmin && quant(hi) >= qmax
}

// zeroPoint is p's zero point, or a new constant zero of type t shaped
// like p's scale when it was omitted.
func (f *qdq) zeroPoint(p qparams, t ops.DType) int {
	if p.zp >= 0 {
		return p.zp
	}
	return f.g.newConst(f.g.names[p.scale]+"_zero_point", ops.New(t, p.s.Shape...))
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
