package attention

import (
	"fmt"
	"math"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/dense"
)

// FlexAttention (domain ai.onnx.preview, version 1): scaled dot-product
// attention of 4-D Q, K and V (GQA as in Attention) whose scores and
// probabilities pass through graphs of the model:
//
//	scores = scale*Q·Kᵀ            (scale defaults to 1/sqrt(head size))
//	scores = score_mod(scores)     if the score_mod graph attribute is set
//	probs  = softmax(scores)       along the keys
//	probs  = prob_mod(probs)       if prob_mod is set
//	Y      = probs·V
//
// Each graph takes the whole (batch, q heads, queries, keys) tensor and
// gives one of the same type and shape; it may read values of the
// enclosing graphs (ops.SubgraphUser). Everything is computed in the
// softmax_precision type (float32, or float64 for float64 inputs, by
// default; 10 and 16 name float16 and bfloat16, computed as float32 like
// every half type here); Y is converted back to the inputs' type. A row
// whose scores are all -inf gets zero probabilities, as in Attention.
// Without graphs each head is computed whole by a worker; with them the
// stages before and after each graph run over all heads in parallel.
func init() {
	ops.Register("ai.onnx.preview", "FlexAttention", 1, buildFlex)
}

// flexOp is a built FlexAttention.
type flexOp struct {
	scale    float64
	hasScale bool
	compute  onnx.DataType // from softmax_precision; Undefined for the default
	graphs   []*onnx.Graph // score_mod and prob_mod, those set
	scoreMod bool          // graphs[0] is score_mod
	probMod  bool          // the last graph is prob_mod
	sg       []ops.Subgraph
	outer    int
}

func buildFlex(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	o := &flexOp{hasScale: a.Has("scale"), scale: float64(a.Float("scale", 0))}
	prec, hasPrec := a.Int("softmax_precision", 0), a.Has("softmax_precision")
	if err := a.Err(); err != nil {
		return nil, err
	}
	if hasPrec {
		switch onnx.DataType(prec) {
		case onnx.Float, onnx.Float16, onnx.BFloat16:
			o.compute = onnx.Float
		case onnx.Double:
			o.compute = onnx.Double
		default:
			return nil, fmt.Errorf("attribute \"softmax_precision\" is %d, want 1 (float), 10 (float16), 11 (double) or 16 (bfloat16)", prec)
		}
	}
	for _, name := range []string{"score_mod", "prob_mod"} {
		at := findAttr(n, name)
		if at == nil {
			continue
		}
		if at.Type != onnx.AttrGraph || at.G == nil {
			return nil, fmt.Errorf("attribute %q has type %s, want GRAPH", name, ops.AttrTypeName(at.Type))
		}
		o.graphs = append(o.graphs, at.G)
		if name == "score_mod" {
			o.scoreMod = true
		} else {
			o.probMod = true
		}
	}
	if len(n.Outputs) != 1 {
		return nil, fmt.Errorf("node has %d outputs, want 1", len(n.Outputs))
	}
	return o, nil
}

// findAttr is n's attribute called name, or nil.
func findAttr(n *onnx.Node, name string) *onnx.Attribute {
	for _, at := range n.Attrs {
		if at.Name == name {
			return at
		}
	}
	return nil
}

// GraphAttrs lists score_mod and prob_mod, those set, in that order.
func (o *flexOp) GraphAttrs() []*onnx.Graph { return o.graphs }

// SetSubgraphs takes the compiled graphs and the number of outer-scope
// values appended to the node's inputs.
func (o *flexOp) SetSubgraphs(sg []ops.Subgraph, outer int) { o.sg, o.outer = sg, outer }

// errNoSubgraphs is Infer's error when the graphs were not compiled.
var errNoSubgraphs = fmt.Errorf("the score_mod and prob_mod graphs were not compiled by the runtime: %w", ops.ErrUnsupported)

// flexDims are a FlexAttention's sizes.
type flexDims struct {
	batch, qHeads, kvHeads, qLen, kvLen, head, vHead int
	compute                                          onnx.DataType
}

// scoresShape is the shape of the tensors the graphs take and give.
func (d *flexDims) scoresShape() []int { return []int{d.batch, d.qHeads, d.qLen, d.kvLen} }

// dims checks Q, K and V (the node's own inputs) and returns the sizes.
func (o *flexOp) dims(in []ops.Value) (flexDims, error) {
	var d flexDims
	if len(o.graphs) > 0 && len(o.sg) != len(o.graphs) {
		return d, errNoSubgraphs
	}
	if len(in) != 3+o.outer {
		return d, fmt.Errorf("got %d inputs, want 3 and %d outer-scope values", len(in), o.outer)
	}
	if err := ops.CheckInputs(in[:3], 3, 3); err != nil {
		return d, err
	}
	t := in[inQ].Type
	if !ops.IsFloat(t) {
		return d, fmt.Errorf("input \"Q\" has type %s, want float32 or float64", ops.TypeName(t))
	}
	for _, i := range []int{inK, inV} {
		if in[i].Type != t {
			return d, fmt.Errorf("input %q has type %s, want %s like \"Q\"", inNames[i], ops.TypeName(in[i].Type), ops.TypeName(t))
		}
	}
	q, k, v := in[inQ].Shape, in[inK].Shape, in[inV].Shape
	if len(q) != 4 || len(k) != 4 || len(v) != 4 {
		return d, fmt.Errorf("inputs \"Q\" %v, \"K\" %v and \"V\" %v must be 4-D", q, k, v)
	}
	d = flexDims{batch: q[0], qHeads: q[1], qLen: q[2], head: q[3], kvHeads: k[1], kvLen: k[2], vHead: v[3], compute: o.compute}
	if !slices.Equal(k, []int{d.batch, d.kvHeads, d.kvLen, d.head}) || !slices.Equal(v, []int{d.batch, d.kvHeads, d.kvLen, d.vHead}) {
		return d, fmt.Errorf("inputs \"Q\" %v, \"K\" %v and \"V\" %v do not agree on batch, heads, sequence and head sizes", q, k, v)
	}
	if d.kvHeads == 0 || d.qHeads%d.kvHeads != 0 {
		return d, fmt.Errorf("%d query heads are not a multiple of %d key/value heads", d.qHeads, d.kvHeads)
	}
	if d.compute == onnx.Undefined {
		d.compute = t
	}
	return d, nil
}

// Infer checks the inputs and what the graphs give for the scores, and
// gives Y.
func (o *flexOp) Infer(in []ops.Value) ([]ops.Value, error) {
	d, err := o.dims(in)
	if err != nil {
		return nil, err
	}
	want := ops.Value{Type: d.compute, Shape: d.scoresShape()}
	for i, g := range o.sg {
		out, err := g.Infer([]ops.Value{want}, in[3:])
		if err != nil {
			return nil, fmt.Errorf("graph %s: %w", o.graphName(i), err)
		}
		if len(out) != 1 || out[0].Type != want.Type || !slices.Equal(out[0].Shape, want.Shape) {
			return nil, fmt.Errorf("graph %s gives %s, want one %s%v", o.graphName(i), describe(out), ops.TypeName(want.Type), want.Shape)
		}
	}
	return []ops.Value{{Type: in[inQ].Type, Shape: []int{d.batch, d.qHeads, d.qLen, d.vHead}}}, nil
}

// graphName names graph i.
func (o *flexOp) graphName(i int) string {
	if i == 0 && o.scoreMod {
		return "score_mod"
	}
	return "prob_mod"
}

// describe lists values' types and shapes for messages.
func describe(vs []ops.Value) string {
	s := fmt.Sprintf("%d values", len(vs))
	for _, v := range vs {
		s += fmt.Sprintf(" %s%v", ops.TypeName(v.Type), v.Shape)
	}
	return s
}

// Run computes Y.
func (o *flexOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(o, ctx, in, out)
}

// Bind checks the shapes once and makes the buffers and loops.
func (o *flexOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	vals := make([]ops.Value, len(in))
	for i, t := range in {
		if t != nil {
			vals[i] = ops.Value{Type: t.Type, Shape: t.Shape}
		}
	}
	d, err := o.dims(vals)
	if err != nil {
		return nil, err
	}
	if d.compute == onnx.Float {
		return bindFlex[float32](o, ctx, d, in, out), nil
	}
	return bindFlex[float64](o, ctx, d, in, out), nil
}

// Stages of a head's computation.
const (
	stageScores = iota
	stageSoftmax
	stageValues
	stages
)

// flexRun is a FlexAttention bound to its tensors, computing in C.
type flexRun[C dense.Float] struct {
	o           *flexOp
	ctx         *ops.Ctx
	d           flexDims
	in, out     []*ops.Tensor
	a           sdpa[C]
	scores      *ops.Tensor // the scores of every head, in C
	probs       []C         // the scores or probabilities the stages work on
	conv        [3][]C      // Q, K and V converted to C, or nil
	y           []C         // Y in C when the inputs are not C
	w           *workers[[]float32]
	first, last int // the stages the workers run: [first, last)
}

// bindFlex makes the bound run of o computing in C.
func bindFlex[C dense.Float](o *flexOp, ctx *ops.Ctx, d flexDims, in, out []*ops.Tensor) func() error {
	r := &flexRun[C]{o: o, ctx: ctx, d: d, in: in, out: out}
	r.a.qh = heads{d.qHeads, d.qLen, d.head, false}
	r.a.kh = heads{d.kvHeads, d.kvLen, d.head, false}
	r.a.vh = heads{d.kvHeads, d.kvLen, d.vHead, false}
	r.a.yh = heads{d.qHeads, d.qLen, d.vHead, false}
	r.a.group = d.qHeads / d.kvHeads
	r.a.scale = C(1 / math.Sqrt(float64(d.head)))
	if o.hasScale {
		r.a.scale = C(o.scale)
	}
	r.scores = ops.New(d.compute, d.scoresShape()...)
	if in[inQ].Type != d.compute {
		for i := range r.conv {
			r.conv[i] = make([]C, in[i].Len())
		}
		r.y = make([]C, out[0].Len())
	}
	r.w = newWorkers(ctx.Par, d.batch*d.qHeads, func() []float32 {
		return make([]float32, r.a.workLen(d.qLen))
	}, r.head)
	return r.run
}

// run computes Y from the tensors' current data.
func (r *flexRun[C]) run() error {
	a := &r.a
	if r.y == nil {
		a.q, a.k, a.v = ops.Elems[C](r.in[inQ]), ops.Elems[C](r.in[inK]), ops.Elems[C](r.in[inV])
		a.y = ops.Elems[C](r.out[0])
	} else {
		for i := range r.conv {
			convert(r.conv[i], r.in[i])
		}
		a.q, a.k, a.v, a.y = r.conv[0], r.conv[1], r.conv[2], r.y
	}
	cur, outer := r.scores, r.in[3:]
	r.first = stageScores
	for i, g := range r.o.sg {
		// Run the stages up to the graph's input: the scores for
		// score_mod, the probabilities for prob_mod.
		r.last = stageValues
		if i == 0 && r.o.scoreMod {
			r.last = stageSoftmax
		}
		r.probs = ops.Elems[C](cur)
		r.w.run()
		res, err := g.Run(r.ctx, []*ops.Tensor{cur}, outer)
		if err != nil {
			return fmt.Errorf("graph %s: %w", r.o.graphName(i), err)
		}
		if len(res) != 1 || res[0].Type != cur.Type || !slices.Equal(res[0].Shape, cur.Shape) {
			return fmt.Errorf("graph %s gave %d tensors, want one %v", r.o.graphName(i), len(res), cur)
		}
		cur, r.first = res[0], r.last
	}
	r.probs = ops.Elems[C](cur)
	r.last = stages
	r.w.run()
	if r.y != nil {
		store(r.out[0], r.y)
	}
	return nil
}

// head runs stages [first, last) of query head item%qHeads of batch
// entry item/qHeads.
func (r *flexRun[C]) head(item int, work *[]float32) {
	d, a := &r.d, &r.a
	b, hq := item/d.qHeads, item%d.qHeads
	n := d.qLen * d.kvLen
	p := r.probs[item*n : (item+1)*n]
	for st := r.first; st < r.last; st++ {
		switch st {
		case stageScores:
			a.scores(b, hq, 0, d.qLen, d.kvLen, p, d.kvLen, *work)
		case stageSoftmax:
			for i := range d.qLen {
				softmax(p[i*d.kvLen : (i+1)*d.kvLen])
			}
		case stageValues:
			a.values(b, hq, 0, d.qLen, d.kvLen, p, d.kvLen, *work)
		}
	}
}

// convert widens or narrows t's floats into d.
func convert[C dense.Float](d []C, t *ops.Tensor) {
	if t.Type == onnx.Float {
		for i, v := range t.F32()[:len(d)] {
			d[i] = C(v)
		}
		return
	}
	for i, v := range t.F64()[:len(d)] {
		d[i] = C(v)
	}
}

// store converts y into t's type.
func store[C dense.Float](t *ops.Tensor, y []C) {
	if t.Type == onnx.Float {
		for i, v := range y {
			t.F32()[i] = float32(v)
		}
		return
	}
	for i, v := range y {
		t.F64()[i] = float64(v)
	}
}
