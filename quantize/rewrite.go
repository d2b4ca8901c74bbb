package quantize

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// setParams gives every planned activation its parameters: from its
// calibrated range (ranges, by tensor name), or its source's.
func (p *plan) setParams(ranges map[string][2]float32) error {
	for _, name := range p.order {
		a := p.acts[name]
		if a.sameAs != "" {
			a.params = p.acts[a.sameAs].params
			continue
		}
		r, ok := ranges[name]
		if !ok {
			return fmt.Errorf("quantize: no calibrated range for tensor %q", name)
		}
		a.params = activationParams(r[0], r[1])
	}
	return nil
}

// weightKey identifies one quantized form of a weight initializer.
type weightKey struct {
	name string
	axis int
}

// weightQuant is a weight initializer quantized to int8.
type weightQuant struct {
	w      *ops.Tensor // the float32 weights
	axis   int
	params Params
	dq     string  // the DequantizeLinear output, once emitted
	sqnr   float64 // of the int8 weights against the float ones, dB
}

// channelOf returns, for element e of a tensor of shape, its index along
// axis (0 when axis < 0).
func channelOf(shape []int, axis int) func(e int) int {
	if axis < 0 {
		return func(int) int { return 0 }
	}
	inner := ops.NumElems(shape[axis+1:])
	n := shape[axis]
	return func(e int) int { return e / inner % n }
}

// newWeightQuant computes the int8 symmetric scales of w: per channel
// along axis, or per tensor for axis < 0.
func newWeightQuant(w *ops.Tensor, axis int) *weightQuant {
	channels := 1
	if axis >= 0 {
		channels = w.Shape[axis]
	}
	absmax := make([]float64, channels)
	ch := channelOf(w.Shape, axis)
	for e, v := range w.F32()[:w.Len()] {
		c := ch(e)
		absmax[c] = math.Max(absmax[c], math.Abs(float64(v)))
	}
	q := &weightQuant{w: w, axis: axis, params: Params{Type: onnx.Int8, Scale: make([]float32, channels),
		ZeroPoint: make([]int32, channels), Axis: max(axis, 0)}}
	for c, a := range absmax {
		q.params.Scale[c] = weightScale(a)
	}
	return q
}

// fitBias raises the scale of channel c (of every channel, per tensor)
// where bias value b would not fit int32 with input scale sx.
func (q *weightQuant) fitBias(b float32, sx float32, c int) {
	if q.axis < 0 {
		c = 0
	}
	need := math.Abs(float64(b)) / (float64(sx) * (math.MaxInt32 - 1))
	if need > float64(q.params.Scale[c]) {
		q.params.Scale[c] = float32(need * (1 + 1e-6))
	}
}

// quantized returns the int8 weights and records their SQNR.
func (q *weightQuant) quantized() *ops.Tensor {
	t := ops.New(onnx.Int8, q.w.Shape...)
	dst := t.I8()
	ch := channelOf(q.w.Shape, q.axis)
	var n noise
	for e, v := range q.w.F32()[:q.w.Len()] {
		c := ch(e)
		qv := q.params.Quantize(v, c)
		dst[e] = int8(qv)
		n.add(v, q.params.Dequantize(qv, c))
	}
	q.sqnr = n.db()
	return t
}

// rewriter holds the state of one rewrite: the quantized weights by
// source, and what each node input is replaced with.
type rewriter struct {
	p       *plan
	weights map[weightKey]*weightQuant
	// inputs maps a node input slot to the DequantizeLinear output that
	// replaces it, and pending to the nodes (weight and bias
	// DequantizeLinear) to emit before the node first reading them.
	inputs  map[slot]string
	pending map[*onnx.Node][]*onnx.Node
	// qdq are the names of each activation's QuantizeLinear and
	// DequantizeLinear outputs and parameters.
	qdq map[string]*qdqNames
	// weightSQNR is, per node with weights, the SQNR of its worst weights.
	weightSQNR map[*onnx.Node]float64
}

type slot struct {
	n *onnx.Node
	i int
}

type qdqNames struct{ scale, zp, q, dq string }

// rewrite turns the planned model into its QDQ form in place: each
// quantized activation T gets T -> QuantizeLinear -> DequantizeLinear,
// whose output every node reading T reads instead; weights become int8
// initializers, biases int32 ones, each behind a DequantizeLinear; fused
// activations are removed. The rewriter returned knows the names it gave
// and the SQNR of each weighted node's weights.
func (p *plan) rewrite() (*rewriter, error) {
	r := &rewriter{p: p, weights: map[weightKey]*weightQuant{}, inputs: map[slot]string{},
		pending: map[*onnx.Node][]*onnx.Node{}, qdq: map[string]*qdqNames{}, weightSQNR: map[*onnx.Node]float64{}}
	for _, u := range p.weights {
		if err := r.weight(u); err != nil {
			return nil, err
		}
	}
	var bias []*ops.Tensor
	for _, b := range p.biases {
		t, err := r.fitBias(b)
		if err != nil {
			return nil, err
		}
		bias = append(bias, t)
	}
	for _, u := range p.weights {
		r.emitWeight(u)
	}
	for i, b := range p.biases {
		r.emitBias(b, bias[i])
	}
	r.emitGraph()
	p.e.dropUnusedInits()
	return r, nil
}

// weight computes the scales of the weights use u reads (once per
// initializer and axis).
func (r *rewriter) weight(u *weightUse) error {
	name := u.node.Inputs[u.input]
	k := weightKey{name, u.axis}
	if r.weights[k] != nil {
		return nil
	}
	w, err := r.p.e.constant(name)
	if err != nil {
		return err
	}
	r.weights[k] = newWeightQuant(w, u.axis)
	return nil
}

// fitBias reads bias b and raises its weights' scales where it would not
// fit int32.
func (r *rewriter) fitBias(b *biasUse) (*ops.Tensor, error) {
	t, err := r.p.e.constant(b.node.Inputs[b.input])
	if err != nil {
		return nil, err
	}
	wq := r.weights[weightKey{b.w.node.Inputs[b.w.input], b.w.axis}]
	sx := r.p.acts[b.x].params.Scale[0]
	for c, v := range t.F32()[:t.Len()] {
		wq.fitBias(v, sx, c)
	}
	return t, nil
}

// emitWeight adds use u's int8 weights and their DequantizeLinear (once
// per initializer and axis) and points u's node input at it.
func (r *rewriter) emitWeight(u *weightUse) {
	e := r.p.e
	name := u.node.Inputs[u.input]
	q := r.weights[weightKey{name, u.axis}]
	if q.dq == "" {
		qname := e.addInit(name+"_quantized", q.quantized())
		q.dq = e.fresh(name + "_DequantizeLinear_Output")
		r.pending[u.node] = append(r.pending[u.node], r.dequantize(name, qname, q.params, q.dq))
	}
	r.inputs[slot{u.node, u.input}] = q.dq
	if old, ok := r.weightSQNR[u.node]; !ok || q.sqnr < old {
		r.weightSQNR[u.node] = q.sqnr
	}
}

// emitBias adds bias b quantized to int32 with scale input scale times
// weight scale (per channel when the weights are), zero point 0, and its
// DequantizeLinear.
func (r *rewriter) emitBias(b *biasUse, t *ops.Tensor) {
	e := r.p.e
	name := b.node.Inputs[b.input]
	wq := r.weights[weightKey{b.w.node.Inputs[b.w.input], b.w.axis}]
	sx := r.p.acts[b.x].params.Scale[0]
	ps := Params{Type: onnx.Int32, Axis: 0}
	for _, sw := range wq.params.Scale {
		ps.Scale = append(ps.Scale, sx*sw)
		ps.ZeroPoint = append(ps.ZeroPoint, 0)
	}
	q := ops.New(onnx.Int32, t.Shape...)
	for i, v := range t.F32()[:t.Len()] {
		c := 0
		if ps.PerChannel() {
			c = i
		}
		q.I32()[i] = ps.Quantize(v, c)
	}
	qname := e.addInit(name+"_quantized", q)
	dq := e.fresh(name + "_quantized_DequantizeLinear_Output")
	r.pending[b.node] = append(r.pending[b.node], r.dequantize(name+"_quantized", qname, ps, dq))
	r.inputs[slot{b.node, b.input}] = dq
}

// dequantize returns a DequantizeLinear of the quantized initializer
// qname with params p (scale and zero point added as initializers named
// after base) writing out.
func (r *rewriter) dequantize(base, qname string, p Params, out string) *onnx.Node {
	scale, zp := r.paramInits(base, p)
	n := &onnx.Node{Name: r.p.e.fresh(base + "_DequantizeLinear"), OpType: "DequantizeLinear",
		Inputs: []string{qname, scale, zp}, Outputs: []string{out}}
	if p.PerChannel() {
		n.Attrs = []*onnx.Attribute{{Name: "axis", Type: onnx.AttrInt, I: int64(p.Axis)}}
	}
	return n
}

// paramInits adds p's scale (float32) and zero point (of p's type) as
// initializers, scalars per tensor and vectors per channel.
func (r *rewriter) paramInits(base string, p Params) (scale, zp string) {
	var shape []int
	if p.PerChannel() {
		shape = []int{len(p.Scale)}
	}
	s := ops.New(onnx.Float, shape...)
	copy(s.F32(), p.Scale)
	z := ops.New(p.Type, shape...)
	for i, v := range p.ZeroPoint {
		switch p.Type {
		case onnx.Uint8:
			z.U8()[i] = uint8(v)
		case onnx.Int8:
			z.I8()[i] = int8(v)
		default:
			z.I32()[i] = v
		}
	}
	return r.p.e.addInit(base+"_scale", s), r.p.e.addInit(base+"_zero_point", z)
}

// emitGraph rebuilds the node list: QuantizeLinear and DequantizeLinear
// after each quantized activation's producer (first for graph inputs),
// weight and bias DequantizeLinear before their node, inputs pointed at
// the dequantized values, fused activations dropped and their producer
// writing their output.
func (r *rewriter) emitGraph() {
	p, e := r.p, r.p.e
	writes := map[*onnx.Node]string{} // producers of fused activations: what they write now
	for _, a := range p.acts {
		if a.fused != nil {
			writes[a.producer] = a.name
		}
	}
	var nodes []*onnx.Node
	for _, vi := range e.g.Inputs {
		if a := p.acts[vi.Name]; a != nil {
			nodes = append(nodes, r.qdqPair(a)...)
		}
	}
	for _, n := range e.g.Nodes {
		if p.fused[n] {
			continue
		}
		nodes = append(nodes, r.pending[n]...)
		for i, in := range n.Inputs {
			if dq, ok := r.inputs[slot{n, i}]; ok {
				n.Inputs[i] = dq
			} else if a := p.acts[in]; a != nil {
				n.Inputs[i] = r.names(a).dq
			}
		}
		if y, ok := writes[n]; ok {
			n.Outputs[0] = y
		}
		nodes = append(nodes, n)
		for _, o := range n.Outputs {
			if a := p.acts[o]; a != nil {
				nodes = append(nodes, r.qdqPair(a)...)
			}
		}
	}
	e.g.Nodes = nodes
	defined := map[string]bool{}
	for _, n := range nodes {
		for _, o := range n.Outputs {
			defined[o] = true
		}
	}
	vis := e.g.ValueInfo[:0:0]
	for _, vi := range e.g.ValueInfo {
		if defined[vi.Name] {
			vis = append(vis, vi)
		}
	}
	e.g.ValueInfo = vis
}

// names returns activation a's QuantizeLinear and DequantizeLinear names,
// choosing them on first use; a tensor with its source's parameters
// shares its scale and zero point initializers.
func (r *rewriter) names(a *actQuant) *qdqNames {
	if n := r.qdq[a.name]; n != nil {
		return n
	}
	e := r.p.e
	n := &qdqNames{q: e.fresh(a.name + "_QuantizeLinear_Output"), dq: e.fresh(a.name + "_DequantizeLinear_Output")}
	if a.sameAs != "" {
		src := r.names(r.p.acts[a.sameAs])
		n.scale, n.zp = src.scale, src.zp
	} else {
		n.scale, n.zp = r.paramInits(a.name, a.params)
	}
	r.qdq[a.name] = n
	return n
}

// qdqPair returns the QuantizeLinear and DequantizeLinear of a.
func (r *rewriter) qdqPair(a *actQuant) []*onnx.Node {
	e, n := r.p.e, r.names(a)
	return []*onnx.Node{
		{Name: e.fresh(a.name + "_QuantizeLinear"), OpType: "QuantizeLinear", Inputs: []string{a.name, n.scale, n.zp}, Outputs: []string{n.q}},
		{Name: e.fresh(a.name + "_DequantizeLinear"), OpType: "DequantizeLinear", Inputs: []string{n.q, n.scale, n.zp}, Outputs: []string{n.dq}},
	}
}

// noise accumulates the signal and error energies of a value and its
// approximation.
type noise struct{ signal, err float64 }

func (n *noise) add(ref, got float32) {
	d := float64(ref) - float64(got)
	n.signal += float64(ref) * float64(ref)
	n.err += d * d
}

// db is the signal-to-noise ratio in decibels: +Inf without error, NaN
// without samples.
func (n noise) db() float64 {
	switch {
	case n.err == 0 && n.signal == 0:
		return math.NaN()
	case n.err == 0:
		return math.Inf(1)
	}
	return 10 * math.Log10(n.signal/n.err)
}
