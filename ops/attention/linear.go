package attention

import (
	"fmt"
	"math"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/fmath"
)

// LinearAttention (opset 27) runs the recurrence of linear attention over
// a sequence, token after token, each key/value head keeping a state S of
// d_k x d_v (past_state, or zeros) that its q_num_heads/kv_num_heads query
// heads read:
//
//	linear:      S = S + k⊗v
//	gated:       S = exp(g)·S + k⊗v
//	delta:       S = S + k⊗β(v - Sᵀk)
//	gated_delta: S = exp(g)·S, then S = S + k⊗β(v - Sᵀk)
//	output:      o = scale·Sᵀq (after the update)
//
// query, key, value, decay (g, per key dimension or per head, required by
// the gated rules) and beta (β, per head or one for all, required by the
// delta rules) are 3-D with the heads packed in the last axis; scale
// defaults to 1/sqrt(d_k); chunk_size is a hint with no effect on the
// result. present_state is S after the last token. float32 only (the
// spec's float16 and bfloat16 run as float32); the key/value heads run in
// parallel.
func init() {
	ops.Register("", "LinearAttention", 27, buildLinear)
}

// linearRule names the update rules.
var linearRules = []string{"linear", "gated", "delta", "gated_delta"}

// linearOp is a built LinearAttention.
type linearOp struct {
	gated, delta    bool
	qHeads, kvHeads int
	scale           float32
	nOut            int
}

func buildLinear(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	rule := a.String("update_rule", "gated_delta")
	q, kv := a.Int("q_num_heads", 0), a.Int("kv_num_heads", 0)
	o := &linearOp{scale: a.Float("scale", 0), nOut: len(n.Outputs)}
	chunk := a.Int("chunk_size", 64)
	if err := a.Err(); err != nil {
		return nil, err
	}
	if !slices.Contains(linearRules, rule) {
		return nil, fmt.Errorf("attribute \"update_rule\" is %q, want one of %q", rule, linearRules)
	}
	o.gated, o.delta = rule == "gated" || rule == "gated_delta", rule == "delta" || rule == "gated_delta"
	if !a.Has("q_num_heads") || !a.Has("kv_num_heads") {
		return nil, fmt.Errorf("attributes \"q_num_heads\" and \"kv_num_heads\" are required")
	}
	if q <= 0 || kv <= 0 || q > math.MaxInt32 || q%kv != 0 {
		return nil, fmt.Errorf("attribute \"q_num_heads\" %d must be a positive multiple of \"kv_num_heads\" %d", q, kv)
	}
	o.qHeads, o.kvHeads = int(q), int(kv)
	if chunk <= 0 {
		return nil, fmt.Errorf("attribute \"chunk_size\" is %d, want a positive size", chunk)
	}
	if math.IsNaN(float64(o.scale)) {
		return nil, fmt.Errorf("attribute \"scale\" is NaN")
	}
	if o.nOut < 1 || o.nOut > 2 {
		return nil, fmt.Errorf("node has %d outputs, want 1 or 2", o.nOut)
	}
	return o, nil
}

// Input indices.
const (
	inQuery = iota
	inKey
	inValue
	inState
	inDecay
	inBeta
)

// linearDims are a LinearAttention's sizes.
type linearDims struct {
	batch, seq, dk, dv int
	decayPerKey        bool // decay has d_k values per head, else one
	betaPerHead        bool // beta has a value per head, else one for all
}

// dims checks the inputs and returns the sizes.
func (o *linearOp) dims(in []ops.Value) (linearDims, error) {
	var d linearDims
	if err := ops.CheckInputs(in, 3, 6); err != nil {
		return d, err
	}
	names := [...]string{"query", "key", "value", "past_state", "decay", "beta"}
	for i := range in {
		if ops.HasInput(in, i) {
			if err := ops.CheckFloat(in[i], names[i], false); err != nil {
				return d, err
			}
		}
	}
	q, k, v := in[inQuery].Shape, in[inKey].Shape, in[inValue].Shape
	if len(q) != 3 || len(k) != 3 || len(v) != 3 {
		return d, fmt.Errorf("inputs \"query\" %v, \"key\" %v and \"value\" %v must be 3-D", q, k, v)
	}
	d.batch, d.seq = q[0], q[1]
	if q[2]%o.qHeads != 0 || v[2]%o.kvHeads != 0 {
		return d, fmt.Errorf("inputs \"query\" %v and \"value\" %v: last dimensions are not multiples of %d and %d heads", q, v, o.qHeads, o.kvHeads)
	}
	d.dk, d.dv = q[2]/o.qHeads, v[2]/o.kvHeads
	if !slices.Equal(k, []int{d.batch, d.seq, o.kvHeads * d.dk}) || v[0] != d.batch || v[1] != d.seq {
		return d, fmt.Errorf("inputs \"query\" %v, \"key\" %v and \"value\" %v do not agree (%d query heads, %d key/value heads)", q, k, v, o.qHeads, o.kvHeads)
	}
	if ops.HasInput(in, inState) && !slices.Equal(in[inState].Shape, []int{d.batch, o.kvHeads, d.dk, d.dv}) {
		return d, fmt.Errorf("input \"past_state\" has shape %v, want [%d %d %d %d]", in[inState].Shape, d.batch, o.kvHeads, d.dk, d.dv)
	}
	for _, g := range []struct {
		i          int
		use        bool
		rule, name string
	}{{inDecay, o.gated, "gated", "decay"}, {inBeta, o.delta, "delta", "beta"}} {
		if ops.HasInput(in, g.i) != g.use {
			return d, fmt.Errorf("input %q must be given with the %s update rules and only with them", g.name, g.rule)
		}
	}
	if o.gated {
		s := in[inDecay].Shape
		d.decayPerKey = slices.Equal(s, []int{d.batch, d.seq, o.kvHeads * d.dk})
		if !d.decayPerKey && !slices.Equal(s, []int{d.batch, d.seq, o.kvHeads}) {
			return d, fmt.Errorf("input \"decay\" has shape %v, want [%d %d %d] or [%d %d %d]", s, d.batch, d.seq, o.kvHeads*d.dk, d.batch, d.seq, o.kvHeads)
		}
	}
	if o.delta {
		s := in[inBeta].Shape
		d.betaPerHead = slices.Equal(s, []int{d.batch, d.seq, o.kvHeads})
		if !d.betaPerHead && !slices.Equal(s, []int{d.batch, d.seq, 1}) {
			return d, fmt.Errorf("input \"beta\" has shape %v, want [%d %d %d] or [%d %d 1]", s, d.batch, d.seq, o.kvHeads, d.batch, d.seq)
		}
	}
	return d, nil
}

// Infer checks the inputs and gives output and present_state.
func (o *linearOp) Infer(in []ops.Value) ([]ops.Value, error) {
	d, err := o.dims(in)
	if err != nil {
		return nil, err
	}
	all := []ops.Value{
		{Type: onnx.Float, Shape: []int{d.batch, d.seq, o.qHeads * d.dv}},
		{Type: onnx.Float, Shape: []int{d.batch, o.kvHeads, d.dk, d.dv}},
	}
	return all[:o.nOut], nil
}

// Run computes the recurrence.
func (o *linearOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(o, ctx, in, out)
}

// linearWork is a worker's scratch: a head's state and two vectors.
type linearWork struct{ s, u, e []float32 }

// linearRun is a LinearAttention bound to its tensors.
type linearRun struct {
	o                    *linearOp
	d                    linearDims
	q, k, v, past        []float32
	decay, beta, y, pres []float32
}

// Bind checks the shapes once and makes the workers.
func (o *linearOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	d, err := o.dims(ops.ConstValues(in))
	if err != nil {
		return nil, err
	}
	r := &linearRun{o: o, d: d}
	w := newWorkers(ctx.Par, d.batch*o.kvHeads, func() linearWork {
		return linearWork{s: make([]float32, d.dk*d.dv), u: make([]float32, d.dv), e: make([]float32, d.dk)}
	}, r.head)
	get := func(i int) []float32 {
		if i < len(in) && in[i] != nil {
			return in[i].F32()
		}
		return nil
	}
	return func() error {
		r.q, r.k, r.v = get(inQuery), get(inKey), get(inValue)
		r.past, r.decay, r.beta = get(inState), get(inDecay), get(inBeta)
		r.y, r.pres = out[0].F32(), nil
		if o.nOut > 1 {
			r.pres = out[1].F32()
		}
		w.run()
		return nil
	}, nil
}

// head runs the recurrence of key/value head item%kvHeads of batch entry
// item/kvHeads and the reads of its query heads.
func (r *linearRun) head(item int, w *linearWork) {
	o, d := r.o, &r.d
	b, h := item/o.kvHeads, item%o.kvHeads
	dk, dv := d.dk, d.dv
	s := w.s
	if r.past != nil {
		copy(s, r.past[item*dk*dv:][:dk*dv])
	} else {
		clear(s)
	}
	scale := o.scale
	if scale == 0 {
		scale = float32(1 / math.Sqrt(float64(dk)))
	}
	group := o.qHeads / o.kvHeads
	for t := range d.seq {
		bt := b*d.seq + t
		k := r.k[(bt*o.kvHeads+h)*dk:][:dk]
		u := w.u
		copy(u, r.v[(bt*o.kvHeads+h)*dv:][:dv])
		if o.gated {
			if d.decayPerKey {
				fmath.Exp(w.e, r.decay[(bt*o.kvHeads+h)*dk:][:dk])
				for i, e := range w.e {
					scaleRow(s[i*dv:(i+1)*dv], e)
				}
			} else {
				scaleRow(s, float32(math.Exp(float64(r.decay[bt*o.kvHeads+h]))))
			}
		}
		if o.delta {
			// u = β(v - Sᵀk)
			for i, kv := range k {
				axpy(u, s[i*dv:(i+1)*dv], -kv)
			}
			beta := r.beta[bt]
			if d.betaPerHead {
				beta = r.beta[bt*o.kvHeads+h]
			}
			scaleRow(u, beta)
		}
		for i, kv := range k {
			axpy(s[i*dv:(i+1)*dv], u, kv)
		}
		for g := range group {
			hq := h*group + g
			q := r.q[(bt*o.qHeads+hq)*dk:][:dk]
			y := r.y[(bt*o.qHeads+hq)*dv:][:dv]
			clear(y)
			for i, qv := range q {
				axpy(y, s[i*dv:(i+1)*dv], qv)
			}
			scaleRow(y, scale)
		}
	}
	if r.pres != nil {
		copy(r.pres[item*dk*dv:][:dk*dv], s)
	}
}

// axpy sets y += a*x.
func axpy(y, x []float32, a float32) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += a * v
	}
}

// scaleRow sets v *= a.
func scaleRow(v []float32, a float32) {
	for i, x := range v {
		v[i] = a * x
	}
}
