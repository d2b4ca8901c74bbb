package attention

import (
	"fmt"
	"math"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/dense"
	"github.com/edgeinfer/edgeinfer/ops/internal/fmath"
)

// Attention (opsets 23, 24, 25): softmax(scale*Q·Kᵀ, softcapped, plus a
// bias)·V for float32 and float64, per head. Q, K and V are 4-D (batch,
// heads, sequence, head size) or 3-D (batch, sequence, heads*head size,
// with q_num_heads and kv_num_heads); query head h reads key/value head
// h/(q_num_heads/kv_num_heads) (GQA, MQA). past_key and past_value, when
// given, precede K and V (present_key and present_value are their
// concatenation). scale defaults to 1/sqrt(head size); softcap c > 0 maps
// a score x to c*tanh(x/c).
//
// The bias allows, for query i, keys j in a window: j <= i + offset when
// is_causal; offset-left <= j-i <= offset+right with opset 25's
// left_window_size and right_window_size (-1: unbounded); j < its
// batch entry's nonpad_kv_seqlen (opset 24 on); j < attn_mask's last
// dimension, which may be shorter than the keys. offset is the past's
// length, or else nonpad_kv_seqlen - q_sequence_length, or 0. Keys outside
// get -inf. attn_mask, broadcast over (batch, heads, queries), then adds
// its values (float or integer) or, boolean, -inf where false. A row with
// no key left gives zero probabilities and a zero output, not NaN (the
// opset 23 and 24 errata).
//
// qk_matmul_output is the scores after the product (mode 0), the softcap
// (1), the bias (2) or the softmax (3). softmax_precision is checked but
// the softmax always exponentiates in the inputs' type and sums in
// float64, at least as precise as every allowed value.
//
// Query rows are taken in blocks per head, each block's scores computed,
// biased and normalized while in cache and multiplied by V at once; the
// blocks are spread over the threads, and under a causal or padding bound
// a block computes only the keys some of its rows may see.
func init() {
	for _, v := range []int{23, 24, 25} {
		ops.Register("", "Attention", v, buildAttention)
	}
}

// Input and output indices.
const (
	inQ = iota
	inK
	inV
	inMask
	inPastK
	inPastV
	inNonpad
)

const (
	outY = iota
	outPresentK
	outPresentV
	outQK
)

// blockRows is the number of query rows whose scores are computed together.
const blockRows = 128

// attentionOp is a built Attention.
type attentionOp struct {
	opset           int
	causal          bool
	qHeads, kvHeads int // 0 when absent
	mode            int // qk_matmul_output_mode
	scale           float64
	hasScale        bool
	softcap         float64
	left, right     int // window bounds, -1 when unbounded
	nOut            int
	want            [4]bool // the node names Y, present_key, present_value, qk_matmul_output
}

func buildAttention(n *onnx.Node, opset int) (ops.Op, error) {
	o := &attentionOp{opset: opset, nOut: len(n.Outputs), left: -1, right: -1}
	if o.nOut > 4 {
		return nil, fmt.Errorf("node has %d outputs, at most 4 allowed", o.nOut)
	}
	for i, name := range n.Outputs {
		o.want[i] = name != ""
	}
	a := ops.AttrsOf(n)
	o.causal = a.Int("is_causal", 0) != 0
	q, kv := a.Int("q_num_heads", 0), a.Int("kv_num_heads", 0)
	mode := a.Int("qk_matmul_output_mode", 0)
	o.hasScale = a.Has("scale")
	o.scale = float64(a.Float("scale", 0))
	o.softcap = float64(a.Float("softcap", 0))
	prec, hasPrec := a.Int("softmax_precision", 0), a.Has("softmax_precision")
	left, right := int64(-1), int64(-1)
	if opset >= 25 {
		left, right = a.Int("left_window_size", -1), a.Int("right_window_size", -1)
	}
	if err := a.Err(); err != nil {
		return nil, err
	}
	for _, h := range []struct {
		name string
		v    int64
		dst  *int
	}{{"q_num_heads", q, &o.qHeads}, {"kv_num_heads", kv, &o.kvHeads}} {
		if a.Has(h.name) && (h.v <= 0 || h.v > math.MaxInt32) {
			return nil, fmt.Errorf("attribute %q is %d, want a positive count", h.name, h.v)
		}
		*h.dst = int(h.v)
	}
	if mode < 0 || mode > 3 {
		return nil, fmt.Errorf("attribute \"qk_matmul_output_mode\" is %d, want 0 to 3", mode)
	}
	o.mode = int(mode)
	if o.softcap < 0 || math.IsNaN(o.softcap) {
		return nil, fmt.Errorf("attribute \"softcap\" is %v, want 0 (none) or a positive cap", o.softcap)
	}
	if hasPrec && !slices.Contains([]int64{int64(onnx.Float), int64(onnx.Float16), int64(onnx.Double), int64(onnx.BFloat16)}, prec) {
		return nil, fmt.Errorf("attribute \"softmax_precision\" is %d, want 1 (float), 10 (float16), 11 (double) or 16 (bfloat16)", prec)
	}
	for _, w := range []struct {
		name string
		v    int64
		dst  *int
	}{{"left_window_size", left, &o.left}, {"right_window_size", right, &o.right}} {
		if w.v < -1 || w.v > ops.MaxDim {
			return nil, fmt.Errorf("attribute %q is %d, want -1 (unbounded) or a size", w.name, w.v)
		}
		*w.dst = int(w.v)
	}
	return o, nil
}

// geometry is an Attention's sizes.
type geometry struct {
	batch, qHeads, kvHeads int
	qLen, kvLen, past      int
	head, vHead            int
	threeD                 bool
	mask                   []int // attn_mask's shape, or nil
	maskType               onnx.DataType
	hasPast, hasNonpad     bool
}

func (g *geometry) total() int { return g.past + g.kvLen }

var inNames = [...]string{"Q", "K", "V", "attn_mask", "past_key", "past_value", "nonpad_kv_seqlen"}

// geometry checks the inputs' types and shapes and returns the sizes.
func (o *attentionOp) geometry(in []ops.Value) (geometry, error) {
	var g geometry
	maxIn := 6
	if o.opset >= 24 {
		maxIn = 7
	}
	if err := ops.CheckInputs(in, 3, maxIn); err != nil {
		return g, err
	}
	t := in[inQ].Type
	if !ops.IsFloat(t) {
		return g, fmt.Errorf("input \"Q\" has type %s, want float32 or float64", ops.TypeName(t))
	}
	for _, i := range []int{inK, inV, inPastK, inPastV} {
		if ops.HasInput(in, i) && in[i].Type != t {
			return g, fmt.Errorf("input %q has type %s, want %s like \"Q\"", inNames[i], ops.TypeName(in[i].Type), ops.TypeName(t))
		}
	}
	q, k, v := in[inQ].Shape, in[inK].Shape, in[inV].Shape
	switch {
	case len(q) == 4 && len(k) == 4 && len(v) == 4:
		g.batch, g.qHeads, g.qLen, g.head = q[0], q[1], q[2], q[3]
		g.kvHeads, g.kvLen, g.vHead = k[1], k[2], v[3]
		if !slices.Equal(k, []int{g.batch, g.kvHeads, g.kvLen, g.head}) || !slices.Equal(v, []int{g.batch, g.kvHeads, g.kvLen, g.vHead}) {
			return g, fmt.Errorf("inputs \"Q\" %v, \"K\" %v and \"V\" %v do not agree on batch, heads, sequence and head sizes", q, k, v)
		}
		for _, h := range []struct {
			name      string
			attr, dim int
		}{{"q_num_heads", o.qHeads, g.qHeads}, {"kv_num_heads", o.kvHeads, g.kvHeads}} {
			if h.attr != 0 && h.attr != h.dim {
				return g, fmt.Errorf("attribute %q is %d but the 4-D inputs have %d heads", h.name, h.attr, h.dim)
			}
		}
	case len(q) == 3 && len(k) == 3 && len(v) == 3:
		if o.qHeads == 0 || o.kvHeads == 0 {
			return g, fmt.Errorf("3-D inputs need attributes \"q_num_heads\" and \"kv_num_heads\"")
		}
		g.threeD, g.qHeads, g.kvHeads = true, o.qHeads, o.kvHeads
		g.batch, g.qLen, g.kvLen = q[0], q[1], k[1]
		if q[2]%g.qHeads != 0 || v[2]%g.kvHeads != 0 {
			return g, fmt.Errorf("inputs \"Q\" %v and \"V\" %v: hidden sizes are not multiples of %d and %d heads", q, v, g.qHeads, g.kvHeads)
		}
		g.head, g.vHead = q[2]/g.qHeads, v[2]/g.kvHeads
		if !slices.Equal(k, []int{g.batch, g.kvLen, g.kvHeads * g.head}) || v[0] != g.batch || v[1] != g.kvLen {
			return g, fmt.Errorf("inputs \"Q\" %v, \"K\" %v and \"V\" %v do not agree on batch, sequence and head sizes (%d and %d heads)", q, k, v, g.qHeads, g.kvHeads)
		}
	default:
		return g, fmt.Errorf("inputs \"Q\" %v, \"K\" %v and \"V\" %v must all be 3-D or all 4-D", q, k, v)
	}
	if g.kvHeads == 0 || g.qHeads%g.kvHeads != 0 {
		return g, fmt.Errorf("%d query heads are not a multiple of %d key/value heads", g.qHeads, g.kvHeads)
	}
	g.hasPast = ops.HasInput(in, inPastK)
	if g.hasPast != ops.HasInput(in, inPastV) {
		return g, fmt.Errorf("inputs \"past_key\" and \"past_value\" must be given together")
	}
	if g.hasPast {
		pk, pv := in[inPastK].Shape, in[inPastV].Shape
		if len(pk) != 4 {
			return g, fmt.Errorf("input \"past_key\" has shape %v, want 4-D", pk)
		}
		g.past = pk[2]
		if !slices.Equal(pk, []int{g.batch, g.kvHeads, g.past, g.head}) || !slices.Equal(pv, []int{g.batch, g.kvHeads, g.past, g.vHead}) {
			return g, fmt.Errorf("inputs \"past_key\" %v and \"past_value\" %v, want [%d %d P %d] and [%d %d P %d]", pk, pv, g.batch, g.kvHeads, g.head, g.batch, g.kvHeads, g.vHead)
		}
	}
	if g.hasNonpad = ops.HasInput(in, inNonpad); g.hasNonpad {
		if in[inNonpad].Type != onnx.Int64 || !slices.Equal(in[inNonpad].Shape, []int{g.batch}) {
			return g, fmt.Errorf("input \"nonpad_kv_seqlen\" is %s%v, want int64[%d]", ops.TypeName(in[inNonpad].Type), in[inNonpad].Shape, g.batch)
		}
		if g.hasPast {
			return g, fmt.Errorf("input \"nonpad_kv_seqlen\" cannot be used with \"past_key\" and \"past_value\"")
		}
	}
	if ops.HasInput(in, inMask) {
		if err := g.checkMask(in[inMask], t); err != nil {
			return g, err
		}
	}
	return g, nil
}

// checkMask checks that attn_mask broadcasts to (batch, q heads, queries,
// keys), its last dimension being at most the number of keys.
func (g *geometry) checkMask(m ops.Value, t onnx.DataType) error {
	switch {
	case m.Type == onnx.Bool, m.Type == t:
	case ops.IsNumeric(m.Type) && !ops.IsFloat(m.Type):
	default:
		return fmt.Errorf("input \"attn_mask\" has type %s, want bool, an integer type or %s like \"Q\"", ops.TypeName(m.Type), ops.TypeName(t))
	}
	s := m.Shape
	full := []int{g.batch, g.qHeads, g.qLen, g.total()}
	if len(s) == 0 || len(s) > 4 {
		return fmt.Errorf("input \"attn_mask\" has shape %v, want rank 1 to 4", s)
	}
	for i, d := range s {
		want := full[4-len(s)+i]
		if i == len(s)-1 {
			if d > want {
				return fmt.Errorf("input \"attn_mask\" has %d keys, more than the %d of past and new keys", d, want)
			}
		} else if d != 1 && d != want {
			return fmt.Errorf("input \"attn_mask\" of shape %v does not broadcast to %v", s, full)
		}
	}
	g.mask, g.maskType = s, m.Type
	return nil
}

// Infer checks the inputs and gives the outputs the node names.
func (o *attentionOp) Infer(in []ops.Value) ([]ops.Value, error) {
	g, err := o.geometry(in)
	if err != nil {
		return nil, err
	}
	t := in[inQ].Type
	y := []int{g.batch, g.qHeads, g.qLen, g.vHead}
	if g.threeD {
		y = []int{g.batch, g.qLen, g.qHeads * g.vHead}
	}
	all := []ops.Value{
		{Type: t, Shape: y},
		{Type: t, Shape: []int{g.batch, g.kvHeads, g.total(), g.head}},
		{Type: t, Shape: []int{g.batch, g.kvHeads, g.total(), g.vHead}},
		{Type: t, Shape: []int{g.batch, g.qHeads, g.qLen, g.total()}},
	}
	return all[:o.nOut], nil
}

// Run computes the outputs.
func (o *attentionOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(o, ctx, in, out)
}

// Bind checks the shapes once and makes the workers' buffers and loop.
func (o *attentionOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	vals := make([]ops.Value, len(in))
	for i, t := range in {
		if t != nil {
			vals[i] = ops.Value{Type: t.Type, Shape: t.Shape}
		}
	}
	g, err := o.geometry(vals)
	if err != nil {
		return nil, err
	}
	if len(out) < o.nOut {
		return nil, fmt.Errorf("got %d outputs, want %d", len(out), o.nOut)
	}
	if in[inQ].Type == onnx.Float {
		return bindAttention[float32](o, ctx.Par, g, in, out), nil
	}
	return bindAttention[float64](o, ctx.Par, g, in, out), nil
}

// attnRun is an Attention bound to its tensors.
type attnRun[T dense.Float] struct {
	o       *attentionOp
	g       geometry
	in, out []*ops.Tensor
	a       sdpa[T]
	blocks  int // blocks of query rows per head
	w       *workers[blockWork[T]]

	// Read from the tensors at every run.
	nonpad   []int64
	maskF    []T     // a float mask, or an integer one converted into maskBuf
	maskB    []uint8 // a bool mask
	maskBuf  []T
	maskSt   [3]int // attn_mask's strides for batch, head and query (0 where broadcast)
	maskLen  int    // attn_mask's last dimension
	qk       []T    // qk_matmul_output, or nil
	allScore bool   // every key's score is needed (qk_matmul_output)
}

// bindAttention makes the bound run of o in T.
func bindAttention[T dense.Float](o *attentionOp, par ops.Parallel, g geometry, in, out []*ops.Tensor) func() error {
	r := &attnRun[T]{o: o, g: g, in: in, out: out}
	r.a.qh = heads{g.qHeads, g.qLen, g.head, g.threeD}
	r.a.kh = heads{g.kvHeads, g.kvLen, g.head, g.threeD}
	r.a.vh = heads{g.kvHeads, g.kvLen, g.vHead, g.threeD}
	r.a.yh = heads{g.qHeads, g.qLen, g.vHead, g.threeD}
	r.a.pkh = heads{g.kvHeads, g.past, g.head, false}
	r.a.pvh = heads{g.kvHeads, g.past, g.vHead, false}
	r.a.group = g.qHeads / g.kvHeads
	r.a.scale = T(1 / math.Sqrt(float64(g.head)))
	if o.hasScale {
		r.a.scale = T(o.scale)
	}
	if g.mask != nil {
		r.maskLen = g.mask[len(g.mask)-1]
		st := ops.Strides(g.mask)
		for i := range 3 {
			if k := len(g.mask) - 4 + i; k >= 0 && g.mask[k] != 1 {
				r.maskSt[i] = st[k]
			}
		}
		if g.maskType != in[inQ].Type && g.maskType != onnx.Bool {
			r.maskBuf = make([]T, ops.NumElems(g.mask))
		}
	}
	r.allScore = o.want[outQK]
	rows := max(1, min(blockRows, g.qLen))
	r.blocks = (g.qLen + rows - 1) / rows
	total := g.total()
	r.w = newWorkers(par, g.batch*g.qHeads*r.blocks, func() blockWork[T] {
		return blockWork[T]{s: make([]T, rows*total), work: make([]float32, r.a.workLen(rows))}
	}, r.block)
	return r.run
}

// run computes the outputs from the tensors' current data.
func (r *attnRun[T]) run() error {
	g, in := &r.g, r.in
	a := &r.a
	a.q, a.k, a.v = ops.Elems[T](in[inQ]), ops.Elems[T](in[inK]), ops.Elems[T](in[inV])
	a.y = ops.Elems[T](r.out[outY])
	if g.hasPast {
		a.pk, a.pv = ops.Elems[T](in[inPastK]), ops.Elems[T](in[inPastV])
	}
	r.nonpad = nil
	if g.hasNonpad {
		r.nonpad = ops.Elems[int64](in[inNonpad])
		for b, n := range r.nonpad {
			if n < 0 || n > int64(g.total()) {
				return fmt.Errorf("input \"nonpad_kv_seqlen\" holds %d for batch entry %d, want 0 to %d", n, b, g.total())
			}
		}
	}
	if g.mask != nil {
		r.loadMask(in[inMask])
	}
	r.qk = nil
	if r.o.want[outQK] {
		r.qk = ops.Elems[T](r.out[outQK])
	}
	for _, p := range []struct {
		out       int
		past, cur []T
		ph, ch    heads
	}{{outPresentK, a.pk, a.k, a.pkh, a.kh}, {outPresentV, a.pv, a.v, a.pvh, a.vh}} {
		if !r.o.want[p.out] {
			continue
		}
		dst := ops.Elems[T](r.out[p.out])
		to := heads{g.kvHeads, g.total(), p.ch.width, false}
		copyHeads(dst, to, p.past, p.ph, g.batch, 0)
		copyHeads(dst, to, p.cur, p.ch, g.batch, g.past)
	}
	if g.qLen > 0 {
		r.w.run()
	}
	return nil
}

// loadMask reads attn_mask, converting an integer mask to T.
func (r *attnRun[T]) loadMask(m *ops.Tensor) {
	r.maskF, r.maskB = nil, nil
	switch m.Type {
	case onnx.Bool:
		r.maskB = m.U8()[:m.Len()]
		return
	case r.in[inQ].Type:
		r.maskF = ops.Elems[T](m)
		return
	}
	r.maskF = r.maskBuf
	switch m.Type {
	case onnx.Int8:
		widen(r.maskF, ops.Elems[int8](m))
	case onnx.Int16:
		widen(r.maskF, ops.Elems[int16](m))
	case onnx.Int32:
		widen(r.maskF, ops.Elems[int32](m))
	case onnx.Int64:
		widen(r.maskF, ops.Elems[int64](m))
	case onnx.Uint8:
		widen(r.maskF, ops.Elems[uint8](m))
	case onnx.Uint16:
		widen(r.maskF, ops.Elems[uint16](m))
	case onnx.Uint32:
		widen(r.maskF, ops.Elems[uint32](m))
	case onnx.Uint64:
		widen(r.maskF, ops.Elems[uint64](m))
	}
}

// widen sets d[i] = T(s[i]).
func widen[T dense.Float, S ops.Numeric](d []T, s []S) {
	for i, v := range s {
		d[i] = T(v)
	}
}

// offset is how many keys precede batch entry b's first query.
func (r *attnRun[T]) offset(b int) int {
	switch {
	case r.g.hasPast:
		return r.g.past
	case r.nonpad != nil:
		return int(r.nonpad[b]) - r.g.qLen
	}
	return 0
}

// bounds is the range [lo, hi] of keys query i of batch entry b may see
// before the mask's values apply (empty when hi < lo).
func (r *attnRun[T]) bounds(b, i int) (lo, hi int) {
	o := r.o
	lo, hi = 0, r.g.total()-1
	p := r.offset(b) + i
	if o.causal {
		hi = min(hi, p)
	}
	if o.right >= 0 {
		hi = min(hi, p+o.right)
	}
	if o.left >= 0 {
		lo = max(lo, p-o.left)
	}
	if r.nonpad != nil {
		hi = min(hi, int(r.nonpad[b])-1)
	}
	if r.g.mask != nil {
		hi = min(hi, r.maskLen-1)
	}
	return lo, hi
}

// block computes one block of query rows of one head: item is (batch,
// head, block) in row-major order.
func (r *attnRun[T]) block(item int, w *blockWork[T]) {
	g, a := &r.g, &r.a
	bh, blk := item/r.blocks, item%r.blocks
	b, hq := bh/g.qHeads, bh%g.qHeads
	rows := max(1, min(blockRows, g.qLen))
	i0 := blk * rows
	i1 := min(i0+rows, g.qLen)
	total := g.total()
	// The keys any row of the block may see end with the last row's.
	n := total
	if !r.allScore {
		_, hi := r.bounds(b, i1-1)
		n = max(0, min(n, hi+1))
	}
	s := w.s[:(i1-i0)*total]
	a.scores(b, hq, i0, i1, n, s, total, w.work)
	for i := i0; i < i1; i++ {
		row := s[(i-i0)*total:][:n]
		var qk []T
		if r.qk != nil {
			qk = r.qk[((b*g.qHeads+hq)*g.qLen+i)*total:][:total]
		}
		r.normalize(b, hq, i, row, qk)
	}
	a.values(b, hq, i0, i1, n, s, total, w.work)
}

// normalize turns the scores of query i into probabilities: softcap,
// bias, softmax; qk (nil when not wanted, else the row holds every key)
// gets the row at the stage the mode says.
func (r *attnRun[T]) normalize(b, hq, i int, row, qk []T) {
	o := r.o
	if o.mode == 0 && qk != nil {
		copy(qk, row)
	}
	if c := T(o.softcap); c > 0 {
		for j, v := range row {
			row[j] = v / c
		}
		fmath.ByBlock(row, row, fmath.TanhBlock[T])
		for j, v := range row {
			row[j] = c * v
		}
	}
	if o.mode == 1 && qk != nil {
		copy(qk, row)
	}
	lo, hi := r.bounds(b, i)
	lo, hi = min(lo, len(row)), min(hi+1, len(row))
	ninf := T(math.Inf(-1))
	if hi <= lo {
		lo, hi = 0, 0
	}
	for j := range row[:lo] {
		row[j] = ninf
	}
	for j := hi; j < len(row); j++ {
		row[j] = ninf
	}
	if r.g.mask != nil && hi > lo {
		off := b*r.maskSt[0] + hq*r.maskSt[1] + i*r.maskSt[2]
		seg := row[lo:hi]
		if r.maskB != nil {
			for j, ok := range r.maskB[off+lo : off+hi] {
				if ok == 0 {
					seg[j] = ninf
				}
			}
		} else {
			for j, v := range r.maskF[off+lo : off+hi] {
				seg[j] += v
			}
		}
	}
	if o.mode == 2 && qk != nil {
		copy(qk, row)
	}
	softmax(row[lo:hi])
	clear(row[:lo])
	clear(row[hi:])
	if o.mode == 3 && qk != nil {
		copy(qk, row)
	}
}
