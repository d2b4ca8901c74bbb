package rec

import (
	"fmt"
	"slices"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/dense"
	"github.com/edgeinfer/edgeinfer/ops/internal/gemm"
)

// RNN, GRU and LSTM: one recurrent layer run over a sequence, forward,
// reverse or both (bidirectional: two independent layers whose outputs
// are stacked along the direction axis), for float32 and float64.
//
// Inputs: X, W (input weights, gates stacked along axis 1: RNN i, GRU
// z r h, LSTM i o f c), R (recurrence weights), B (Wb then Rb), the
// int32 sequence_lens (each sequence stops there: its Y rows beyond are
// zero and Y_h/Y_c hold its last valid step; a reverse direction starts
// at its last valid step), initial_h, initial_c (LSTM) and P (LSTM
// peepholes i o f). Outputs: Y (every step's hidden state), Y_h (the last
// one) and Y_c (LSTM: the last cell state), each computed only when the
// node names it.
//
// Attributes: hidden_size (else read from R), direction, activations with
// activation_alpha/activation_beta (RNN f; GRU f g; LSTM f g h; one list
// per direction, a single list serving both), clip (bounds every gate's
// input to its activation), GRU's linear_before_reset (opset 3 on: the
// reset gate scales Ht-1*Rhᵀ + Rbh rather than Ht-1), LSTM's input_forget
// (the forget gate is 1 - the input gate) and layout (opset 14 on: 1 puts
// the batch axis first in X, Y, Y_h, Y_c and the initial states). Opset
// 1's output_sequence only says whether Y may be omitted, which the node's
// outputs say too; GRU-1's misspelt default direction "foward" is accepted.
//
// X·Wᵀ for all time steps is one product before the recurrence, then each
// step multiplies the batch's hidden states by Rᵀ, both on the packed
// SGEMM with W and R packed once by Prepare when constant.
func init() {
	for _, v := range []int{1, 7, 14, 22} {
		ops.Register("", "RNN", v, builder(cellRNN))
		ops.Register("", "LSTM", v, builder(cellLSTM))
	}
	for _, v := range []int{1, 3, 7, 14, 22} {
		ops.Register("", "GRU", v, builder(cellGRU))
	}
}

// cell is the kind of recurrent layer.
type cell int

const (
	cellRNN cell = iota
	cellGRU
	cellLSTM
)

// gates is the number of gate blocks stacked in W and R.
func (c cell) gates() int { return [...]int{1, 3, 4}[c] }

// acts is the number of activation functions per direction.
func (c cell) acts() int { return [...]int{1, 2, 3}[c] }

// outputs is the number of outputs the operator has.
func (c cell) outputs() int { return [...]int{2, 2, 3}[c] }

// defaultActs are the activations used when the attribute is absent.
func (c cell) defaultActs() []activation {
	sig, tanh := activation{kind: actSigmoid}, activation{kind: actTanh}
	return [][]activation{{tanh}, {sig, tanh}, {sig, tanh, tanh}}[c]
}

// Input indices.
const (
	inX = iota
	inW
	inR
	inB
	inSeqLens
	inH0
	inC0
	inP
)

// rnnOp is a built RNN, GRU or LSTM.
type rnnOp struct {
	cell              cell
	hidden            int // hidden_size, 0 when absent
	dirs              int // 1, or 2 for bidirectional
	reverse           bool
	acts              [2][]activation // per direction
	clip              float64         // gate inputs are clipped to [-clip, clip] when > 0
	batchFirst        bool            // layout 1
	linearBeforeReset bool
	inputForget       bool
	nOut              int
	want              [3]bool // the node names Y, Y_h, Y_c

	// Set by Prepare when W and R are constant float32: per direction, Wᵀ
	// and Rᵀ packed (for a GRU that resets before the product, Rᵀ holds
	// the z and r gates and rh Rhᵀ).
	pw, pr, prh [2]gemm.PackedB
}

func builder(c cell) ops.Builder {
	return func(n *onnx.Node, opset int) (ops.Op, error) {
		o := &rnnOp{cell: c, nOut: len(n.Outputs)}
		if o.nOut > c.outputs() {
			return nil, fmt.Errorf("node has %d outputs, at most %d allowed", o.nOut, c.outputs())
		}
		for i, name := range n.Outputs {
			o.want[i] = name != ""
		}
		a := ops.AttrsOf(n)
		h := a.Int("hidden_size", 0)
		switch dir := a.String("direction", "forward"); dir {
		case "forward":
			o.dirs = 1
		case "foward":
			if c != cellGRU || opset >= 3 {
				return nil, fmt.Errorf("attribute \"direction\" is %q, want forward, reverse or bidirectional", dir)
			}
			o.dirs = 1
		case "reverse":
			o.dirs, o.reverse = 1, true
		case "bidirectional":
			o.dirs = 2
		default:
			return nil, fmt.Errorf("attribute \"direction\" is %q, want forward, reverse or bidirectional", dir)
		}
		if a.Has("clip") {
			o.clip = float64(a.Float("clip", 0))
			if !(o.clip > 0) {
				return nil, fmt.Errorf("attribute \"clip\" is %v, want a positive threshold", o.clip)
			}
		}
		if opset >= 14 {
			switch l := a.Int("layout", 0); l {
			case 0, 1:
				o.batchFirst = l == 1
			default:
				return nil, fmt.Errorf("attribute \"layout\" is %d, want 0 or 1", l)
			}
		}
		if c == cellGRU && opset >= 3 {
			o.linearBeforeReset = a.Int("linear_before_reset", 0) != 0
		}
		if c == cellLSTM {
			o.inputForget = a.Int("input_forget", 0) != 0
		}
		var names [][]byte
		if at := findAttr(n, "activations"); at != nil {
			if at.Type != onnx.AttrStrings {
				return nil, fmt.Errorf("attribute \"activations\" has type %s, want STRINGS", ops.AttrTypeName(at.Type))
			}
			names = at.Strings
		}
		alphas, betas := a.Floats("activation_alpha"), a.Floats("activation_beta")
		if err := a.Err(); err != nil {
			return nil, err
		}
		var err error
		if o.hidden, err = ops.ToDim(h, "attribute \"hidden_size\""); err != nil {
			return nil, err
		}
		if o.hidden < 0 {
			return nil, fmt.Errorf("attribute \"hidden_size\" is %d, want a positive size", h)
		}
		if names == nil {
			o.acts = [2][]activation{c.defaultActs(), c.defaultActs()}
			return o, nil
		}
		acts, err := parseActivations(names, alphas, betas)
		if err != nil {
			return nil, err
		}
		switch k := c.acts(); {
		case len(acts) == k*o.dirs:
			o.acts = [2][]activation{acts[:k], acts[k*(o.dirs-1):]}
		case len(acts) == k:
			o.acts = [2][]activation{acts, acts}
		default:
			return nil, fmt.Errorf("attribute \"activations\" lists %d functions, want %d per direction", len(acts), k)
		}
		return o, nil
	}
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

// dims are a layer's sizes.
type dims struct {
	seq, batch, input, hidden, dirs int
	gh                              int // gates * hidden: the width of W's and R's products
}

// shapes checks the inputs' types and shapes and returns the sizes.
func (o *rnnOp) shapes(in []ops.Value) (dims, error) {
	var d dims
	if err := ops.CheckInputs(in, 3, 8); err != nil {
		return d, err
	}
	if len(in) > inC0 && o.cell != cellLSTM {
		return d, fmt.Errorf("got %d inputs, want at most %d", len(in), inC0)
	}
	t := in[inX].Type
	if !ops.IsFloat(t) {
		return d, fmt.Errorf("input \"X\" has type %s, want float32 or float64", ops.TypeName(t))
	}
	names := [...]string{"X", "W", "R", "B", "sequence_lens", "initial_h", "initial_c", "P"}
	for i := range in {
		switch {
		case !ops.HasInput(in, i):
		case i == inSeqLens:
			if in[i].Type != onnx.Int32 {
				return d, fmt.Errorf("input \"sequence_lens\" has type %s, want int32", ops.TypeName(in[i].Type))
			}
		case in[i].Type != t:
			return d, fmt.Errorf("input %q has type %s, want %s like \"X\"", names[i], ops.TypeName(in[i].Type), ops.TypeName(t))
		}
	}
	x, w, r := in[inX].Shape, in[inW].Shape, in[inR].Shape
	if len(x) != 3 || len(w) != 3 || len(r) != 3 {
		return d, fmt.Errorf("inputs \"X\" %v, \"W\" %v and \"R\" %v must be 3-D", x, w, r)
	}
	d.seq, d.batch, d.input = x[0], x[1], x[2]
	if o.batchFirst {
		d.seq, d.batch = d.batch, d.seq
	}
	d.dirs, d.hidden = o.dirs, r[2]
	if o.hidden != 0 && o.hidden != d.hidden {
		return d, fmt.Errorf("input \"R\" %v has %d columns but attribute \"hidden_size\" is %d", r, r[2], o.hidden)
	}
	g := o.cell.gates()
	d.gh = g * d.hidden
	if !slices.Equal(w, []int{d.dirs, d.gh, d.input}) {
		return d, fmt.Errorf("input \"W\" has shape %v, want [%d %d %d] (directions, %d gates x hidden size, input size)", w, d.dirs, d.gh, d.input, g)
	}
	if !slices.Equal(r, []int{d.dirs, d.gh, d.hidden}) {
		return d, fmt.Errorf("input \"R\" has shape %v, want [%d %d %d] (directions, %d gates x hidden size, hidden size)", r, d.dirs, d.gh, d.hidden, g)
	}
	state := d.stateShape(o.batchFirst)
	for _, c := range []struct {
		i    int
		want []int
	}{
		{inB, []int{d.dirs, 2 * d.gh}},
		{inSeqLens, []int{d.batch}},
		{inH0, state},
		{inC0, state},
		{inP, []int{d.dirs, 3 * d.hidden}},
	} {
		if ops.HasInput(in, c.i) && !slices.Equal(in[c.i].Shape, c.want) {
			return d, fmt.Errorf("input %q has shape %v, want %v", names[c.i], in[c.i].Shape, c.want)
		}
	}
	return d, nil
}

// stateShape is the shape of Y_h, Y_c and the initial states.
func (d *dims) stateShape(batchFirst bool) []int {
	if batchFirst {
		return []int{d.batch, d.dirs, d.hidden}
	}
	return []int{d.dirs, d.batch, d.hidden}
}

// Infer checks the inputs and gives Y, Y_h and Y_c (as many as the node has).
func (o *rnnOp) Infer(in []ops.Value) ([]ops.Value, error) {
	d, err := o.shapes(in)
	if err != nil {
		return nil, err
	}
	t := in[inX].Type
	y := []int{d.seq, d.dirs, d.batch, d.hidden}
	if o.batchFirst {
		y = []int{d.batch, d.seq, d.dirs, d.hidden}
	}
	all := []ops.Value{{Type: t, Shape: y}, {Type: t, Shape: d.stateShape(o.batchFirst)}, {Type: t, Shape: d.stateShape(o.batchFirst)}}
	return all[:o.nOut], nil
}

// splitReset reports whether a GRU multiplies Ht-1 by Rhᵀ only after the
// reset gate is known (linear_before_reset 0), in a second product.
func (o *rnnOp) splitReset() bool { return o.cell == cellGRU && !o.linearBeforeReset }

// recurrentWidth is the number of columns of the first recurrent product.
func (o *rnnOp) recurrentWidth(d *dims) int {
	if o.splitReset() {
		return 2 * d.hidden
	}
	return d.gh
}

// Prepare packs Wᵀ and Rᵀ of every direction when they are constant float32.
func (o *rnnOp) Prepare(in []ops.Value) error {
	d, err := o.shapes(in)
	if err != nil || in[inX].Type != onnx.Float {
		return err
	}
	h := d.hidden
	for dir := range d.dirs {
		if c := in[inW].Const; c != nil {
			w := c.F32()[dir*d.gh*d.input:]
			o.pw[dir] = dense.PackB(d.input, d.gh, dense.Matrix[float32]{Data: w, Ld: d.input, Trans: true})
		}
		if c := in[inR].Const; c != nil {
			r := c.F32()[dir*d.gh*h:]
			o.pr[dir] = dense.PackB(h, o.recurrentWidth(&d), dense.Matrix[float32]{Data: r, Ld: h, Trans: true})
			if o.splitReset() {
				o.prh[dir] = dense.PackB(h, h, dense.Matrix[float32]{Data: r[2*h*h:], Ld: h, Trans: true})
			}
		}
	}
	return nil
}

// Released lists W and R when Prepare packed them.
func (o *rnnOp) Released() []int {
	var r []int
	if o.pw[0].Valid() {
		r = append(r, inW)
	}
	if o.pr[0].Valid() {
		r = append(r, inR)
	}
	return r
}

// scratch is the layout of Ctx.Scratch, in elements of the layer's type
// (work in float32).
type scratch struct {
	xw, g, h, c, tmp, bias, work int
}

// layout sizes the scratch buffers for d.
func (o *rnnOp) layout(d *dims, es int) (s scratch, bytes int) {
	s = scratch{
		xw:   d.seq * d.batch * d.gh,
		g:    d.batch * d.gh,
		h:    d.batch * d.hidden,
		c:    d.batch * d.hidden,
		tmp:  d.batch * d.hidden,
		bias: d.gh,
	}
	if es == 4 {
		s.work = max(dense.WorkLen[float32](d.seq*d.batch, d.gh, d.input, false),
			dense.WorkLen[float32](d.batch, d.gh, d.hidden, false))
	}
	for _, n := range []int{s.xw, s.g, s.h, s.c, s.tmp, s.bias} {
		bytes += align64(n * es)
	}
	return s, bytes + 4*s.work
}

// align64 rounds n bytes up to a whole number of cache lines.
func align64(n int) int { return (n + 63) &^ 63 }

// carve cuts n elements of T from the front of *buf, keeping the rest
// 64-byte aligned.
func carve[T dense.Float](buf *[]byte, n int) []T {
	var z T
	es := int(unsafe.Sizeof(z))
	b := (*buf)[:n*es]
	*buf = (*buf)[align64(n*es):]
	return ops.View[T](b)[:n:n]
}

// Workspace is the room for X·Wᵀ of every step, the gates, the states and
// the products' packing.
func (o *rnnOp) Workspace(in []ops.Value) int {
	d, err := o.shapes(in)
	if err != nil {
		return 0
	}
	_, n := o.layout(&d, ops.ElemSize(in[inX].Type))
	return n
}

// Run computes the layer.
func (o *rnnOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(o, ctx, in, out)
}

// Bind checks the shapes once and returns the layer's computation on the
// tensors' current data, with a GEMM runner made once.
func (o *rnnOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	vals := make([]ops.Value, len(in))
	for i, t := range in {
		if t != nil {
			vals[i] = ops.Value{Type: t.Type, Shape: t.Shape}
		}
	}
	d, err := o.shapes(vals)
	if err != nil {
		return nil, err
	}
	if len(out) < o.nOut {
		return nil, fmt.Errorf("got %d outputs, want %d", len(out), o.nOut)
	}
	if in[inX].Type == onnx.Float {
		s := newSteps[float32](o, ctx, d)
		return func() error { return s.layer(in, out) }, nil
	}
	s := newSteps[float64](o, ctx, d)
	return func() error { return s.layer(in, out) }, nil
}

// optional is the elements of input i, or nil when it is omitted.
func optional[T ops.Numeric](in []*ops.Tensor, i int) []T {
	if i < len(in) && in[i] != nil {
		return ops.Elems[T](in[i])
	}
	return nil
}

// steps is the recurrence, bound once: its GEMM runner and parallel loop
// over the batch are made by newSteps, its data views set by every run.
type steps[T dense.Float] struct {
	o    *rnnOp
	d    dims
	ctx  *ops.Ctx
	r    *gemm.Runner
	loop ops.Loop
	job  cellRows[T] // the loop's job

	lens    []int32 // sequence_lens, or nil
	x, w, R []T     // w and R are nil when packed
	xw      []T     // X·Wᵀ + bias, one row of d.gh per row of X
	g       []T     // the recurrent products, then the gates: a row of d.gh per batch entry
	h, c    []T     // the states: a row of d.hidden per batch entry
	tmp     []T     // a row of d.hidden per batch entry: GRU r (.) Ht-1, LSTM h(Ct)
	bias    []T     // d.gh values added to X·Wᵀ
	y       []T     // Y, or nil
	work    []float32

	dir  int
	back bool // this direction runs from the end of each sequence
	rbh  []T  // GRU with linear_before_reset: Rbh, or nil
	peep []T  // LSTM: P[iof] of this direction, or nil
}

// newSteps makes the bound recurrence of o for sizes d.
func newSteps[T dense.Float](o *rnnOp, ctx *ops.Ctx, d dims) *steps[T] {
	s := &steps[T]{o: o, d: d, ctx: ctx, r: new(gemm.Runner)}
	s.loop.Bind(&s.job)
	return s
}

// layer computes every direction of the layer from the tensors' current data.
func (s *steps[T]) layer(in, out []*ops.Tensor) error {
	o, d := s.o, &s.d
	s.lens = optional[int32](in, inSeqLens)
	for b, l := range s.lens {
		if l < 0 || int(l) > d.seq {
			return fmt.Errorf("input \"sequence_lens\" holds %d for batch entry %d, want 0 to %d", l, b, d.seq)
		}
	}
	sz, need := o.layout(d, ops.ElemSize(in[inX].Type))
	if len(s.ctx.Scratch) < need {
		return fmt.Errorf("scratch has %d bytes, need %d", len(s.ctx.Scratch), need)
	}
	buf := s.ctx.Scratch
	s.x, s.w, s.R = ops.Elems[T](in[inX]), nil, nil
	// Packed weights are read only packed: their tensors may have been
	// released (see Released).
	if !o.pw[0].Valid() {
		s.w = ops.Elems[T](in[inW])
	}
	if !o.pr[0].Valid() {
		s.R = ops.Elems[T](in[inR])
	}
	s.xw, s.g = carve[T](&buf, sz.xw), carve[T](&buf, sz.g)
	s.h, s.c, s.tmp = carve[T](&buf, sz.h), carve[T](&buf, sz.c), carve[T](&buf, sz.tmp)
	s.bias = carve[T](&buf, sz.bias)
	s.work = ops.View[float32](buf)[:sz.work]
	var yh, yc []T
	s.y = nil
	if o.want[0] {
		s.y = ops.Elems[T](out[0])
	}
	if o.want[1] {
		yh = ops.Elems[T](out[1])
	}
	if o.want[2] {
		yc = ops.Elems[T](out[2])
	}
	b, p := optional[T](in, inB), optional[T](in, inP)
	for dir := range d.dirs {
		s.dir, s.back = dir, dir == 1 || o.reverse
		s.setBias(b)
		s.peep = nil
		if p != nil {
			s.peep = p[dir*3*d.hidden : (dir+1)*3*d.hidden]
		}
		s.loadState(s.h, optional[T](in, inH0))
		s.loadState(s.c, optional[T](in, inC0))
		s.inputProduct()
		for i := range d.seq {
			s.step(i)
		}
		s.storeState(yh, s.h)
		s.storeState(yc, s.c)
	}
	return nil
}

// setBias makes s.bias Wb + Rb of this direction from B (nil: zeros),
// except for a GRU's h gate when linear_before_reset is set: that one
// gets Wbh only, and Rbh, which the reset gate scales, goes to s.rbh.
func (s *steps[T]) setBias(b []T) {
	d := &s.d
	s.rbh = nil
	if b == nil {
		clear(s.bias)
		return
	}
	wb, rb := b[s.dir*2*d.gh:][:d.gh], b[s.dir*2*d.gh+d.gh:][:d.gh]
	for i := range s.bias {
		s.bias[i] = wb[i] + rb[i]
	}
	if s.o.cell == cellGRU && s.o.linearBeforeReset {
		h := d.hidden
		copy(s.bias[2*h:], wb[2*h:])
		s.rbh = rb[2*h:]
	}
}

// stateRow is the offset of batch entry b's state of this direction in
// Y_h, Y_c and the initial states.
func (s *steps[T]) stateRow(b int) int {
	if s.o.batchFirst {
		return (b*s.d.dirs + s.dir) * s.d.hidden
	}
	return (s.dir*s.d.batch + b) * s.d.hidden
}

// loadState copies this direction's initial state from src (nil: zeros) into dst.
func (s *steps[T]) loadState(dst, src []T) {
	h := s.d.hidden
	for b := range s.d.batch {
		if src == nil {
			clear(dst[b*h : (b+1)*h])
		} else {
			copy(dst[b*h:(b+1)*h], src[s.stateRow(b):][:h])
		}
	}
}

// storeState copies this direction's final state src into dst (nil: not
// wanted). An empty sequence's is zero, as ONNX Runtime has it, whatever
// the initial state.
func (s *steps[T]) storeState(dst, src []T) {
	if dst == nil {
		return
	}
	h := s.d.hidden
	for b := range s.d.batch {
		d := dst[s.stateRow(b):][:h]
		if _, ok := s.time(0, b); ok {
			copy(d, src[b*h:(b+1)*h])
		} else {
			clear(d)
		}
	}
}

// xRow is the row of X (and of s.xw) holding time t of batch entry b.
func (s *steps[T]) xRow(t, b int) int {
	if s.o.batchFirst {
		return b*s.d.seq + t
	}
	return t*s.d.batch + b
}

// yRow is the offset in Y of time t of batch entry b in this direction.
func (s *steps[T]) yRow(t, b int) int {
	d := &s.d
	if s.o.batchFirst {
		return ((b*d.seq+t)*d.dirs + s.dir) * d.hidden
	}
	return ((t*d.dirs+s.dir)*d.batch + b) * d.hidden
}

// time is the time step batch entry b computes at step i of the
// recurrence, and whether its sequence has one.
func (s *steps[T]) time(i, b int) (int, bool) {
	n := s.d.seq
	if s.lens != nil {
		n = int(s.lens[b])
	}
	if i >= n {
		return 0, false
	}
	if s.back {
		return n - 1 - i, true
	}
	return i, true
}

// inputProduct computes s.xw = X·Wᵀ + bias for every step at once.
func (s *steps[T]) inputProduct() {
	d := &s.d
	p := dense.Product[T]{
		M: d.seq * d.batch, N: d.gh, K: d.input, Alpha: 1,
		A:  dense.Matrix[T]{Data: s.x, Ld: d.input},
		PB: s.o.pw[s.dir],
		C:  s.xw, LdC: d.gh, Bias: s.bias,
	}
	if s.w != nil {
		p.B = dense.Matrix[T]{Data: s.w[s.dir*d.gh*d.input:], Ld: d.input, Trans: true}
	}
	dense.Run(s.ctx.Par, s.r, &p, s.work)
}

// recurrent computes columns [col, col+n) of s.g as a·Rᵀ for rows [col,
// col+n) of this direction's R (pb when packed), a holding a row of
// d.hidden per batch entry.
func (s *steps[T]) recurrent(a []T, col, n int, pb gemm.PackedB) {
	d := &s.d
	if d.batch == 0 {
		return
	}
	p := dense.Product[T]{
		M: d.batch, N: n, K: d.hidden, Alpha: 1,
		A:  dense.Matrix[T]{Data: a, Ld: d.hidden},
		PB: pb,
		C:  s.g[col:], LdC: d.gh,
	}
	if s.R != nil {
		p.B = dense.Matrix[T]{Data: s.R[(s.dir*d.gh+col)*d.hidden:], Ld: d.hidden, Trans: true}
	}
	dense.Run(s.ctx.Par, s.r, &p, s.work)
}

// step runs step i of the recurrence for every batch entry whose sequence
// reaches it, and zeroes Y at time i for the others (every time past a
// sequence's end is met once).
func (s *steps[T]) step(i int) {
	o, h := s.o, s.d.hidden
	s.recurrent(s.h, 0, o.recurrentWidth(&s.d), o.pr[s.dir])
	if o.cell != cellGRU {
		s.rows(i, false)
		return
	}
	s.rows(i, true)
	if o.splitReset() {
		s.recurrent(s.tmp, 2*h, h, o.prh[s.dir])
	}
	s.rows(i, false)
}

// rows runs row on every batch entry at step i, split over the threads
// when the batch is large enough to be worth it.
func (s *steps[T]) rows(i int, gates bool) {
	s.job = cellRows[T]{s: s, i: i, gates: gates}
	n, grain := s.d.batch, max(1, ops.Grain/(8*max(1, s.d.gh)))
	if n <= grain {
		s.job.Run(0, n)
		return
	}
	s.loop.Run(s.ctx.Par, n, grain)
}

// cellRows is a loop body over batch entries at one step.
type cellRows[T dense.Float] struct {
	s     *steps[T]
	i     int
	gates bool // a GRU's first half: the z and r gates only
}

// Run updates batch entries [lo, hi).
func (j cellRows[T]) Run(lo, hi int) {
	for b := lo; b < hi; b++ {
		j.s.row(j.i, b, j.gates)
	}
}

// row updates batch entry b at step i: a GRU's gates when gates is set,
// else its state (and Y, when wanted).
func (s *steps[T]) row(i, b int, gates bool) {
	h, gh := s.d.hidden, s.d.gh
	t, ok := s.time(i, b)
	switch {
	case !ok:
		if s.y != nil && !gates {
			clear(s.y[s.yRow(i, b):][:h])
		}
		return
	case gates:
		s.gruGates(s.g[b*gh:][:gh], s.xw[s.xRow(t, b)*gh:][:gh], s.h[b*h:(b+1)*h], s.tmp[b*h:(b+1)*h])
		return
	}
	x, g := s.xw[s.xRow(t, b)*gh:][:gh], s.g[b*gh:][:gh]
	hb := s.h[b*h : (b+1)*h]
	switch s.o.cell {
	case cellRNN:
		s.gate(0, g, x)
		copy(hb, g)
	case cellGRU:
		s.gruOutput(g, x, hb)
	case cellLSTM:
		s.lstm(g, x, hb, s.c[b*h:(b+1)*h], s.tmp[b*h:(b+1)*h])
	}
	if s.y != nil {
		copy(s.y[s.yRow(t, b):][:h], hb)
	}
}

// gate finishes the pre-activation v (v += x), clips it and applies
// activation k of this direction.
func (s *steps[T]) gate(k int, v, x []T) {
	x = x[:len(v)]
	for j, xv := range x {
		v[j] += xv
	}
	s.activate(k, v)
}

// activate clips v and applies activation k of this direction.
func (s *steps[T]) activate(k int, v []T) {
	if c := T(s.o.clip); c > 0 {
		for j, x := range v {
			v[j] = min(max(x, -c), c)
		}
	}
	apply(s.o.acts[s.dir][k], v)
}

// gruGates computes the z and r gates into g[:2h] and, when the reset
// gate scales Ht-1 before the product, rh = r (.) Ht-1.
func (s *steps[T]) gruGates(g, x, hPrev, rh []T) {
	h := s.d.hidden
	s.gate(0, g[:2*h], x)
	if s.o.splitReset() {
		r := g[h : 2*h]
		for j, v := range hPrev {
			rh[j] = r[j] * v
		}
	}
}

// gruOutput computes the h gate into g[2h:] and the new state into hb.
func (s *steps[T]) gruOutput(g, x, hb []T) {
	h := s.d.hidden
	z, r, hh := g[:h], g[h:2*h], g[2*h:3*h]
	xh := x[2*h : 3*h]
	if s.o.linearBeforeReset {
		for j, v := range hh {
			if s.rbh != nil {
				v += s.rbh[j]
			}
			hh[j] = xh[j] + r[j]*v
		}
		s.activate(1, hh)
	} else {
		s.gate(1, hh, xh)
	}
	for j, v := range hh {
		hb[j] = (1-z[j])*v + z[j]*hb[j]
	}
}

// lstm computes one step of an LSTM: the gates into g (i o f c), the new
// cell state into c and the hidden state into hb, with hc scratch.
func (s *steps[T]) lstm(g, x, hb, c, hc []T) {
	h := s.d.hidden
	for j, v := range x {
		g[j] += v
	}
	gi, gO, gf, gc := g[:h], g[h:2*h], g[2*h:3*h], g[3*h:4*h]
	if p := s.peep; p != nil {
		pi, pf := p[:h], p[2*h:3*h]
		for j, v := range c {
			gi[j] += pi[j] * v
			gf[j] += pf[j] * v
		}
	}
	s.activate(0, gi)
	if s.o.inputForget {
		for j, v := range gi {
			gf[j] = 1 - v
		}
	} else {
		s.activate(0, gf)
	}
	s.activate(1, gc)
	for j, v := range c {
		c[j] = gf[j]*v + gi[j]*gc[j]
	}
	if p := s.peep; p != nil {
		po := p[h : 2*h]
		for j, v := range c {
			gO[j] += po[j] * v
		}
	}
	s.activate(0, gO)
	copy(hc, c)
	apply(s.o.acts[s.dir][2], hc)
	for j, v := range hc {
		hb[j] = gO[j] * v
	}
}
