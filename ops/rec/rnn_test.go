package rec

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestNodeTests(t *testing.T) {
	if n := opstest.AllNodeTests(t, "test_rnn_*", "test_simple_rnn_*", "test_gru_*", "test_lstm_*"); n != 12 {
		t.Errorf("%d node tests passed, want 12", n)
	}
}

// TestORTGoldens runs the layers of testdata/ort, whose outputs ONNX
// Runtime computed: every direction, sequence_lens (0 included), initial
// states, peepholes, clip, linear_before_reset, input_forget and every
// activation with its parameters (activation_alpha and activation_beta
// consumed by the functions that take them).
func TestORTGoldens(t *testing.T) {
	dirs, err := filepath.Glob("testdata/ort/*")
	if err != nil || len(dirs) != 12 {
		t.Fatalf("want 12 goldens, found %d (%v)", len(dirs), err)
	}
	for _, d := range dirs {
		if err := opstest.RunNodeTest(d); err != nil {
			t.Errorf("%s: %v", filepath.Base(d), err)
		}
	}
}

// refAct is an activation with explicit parameters for the reference.
type refAct struct {
	name        string
	alpha, beta float64
}

// eval is the activation at x, straight from the spec's formulas.
func (a refAct) eval(x float64) float64 {
	switch a.name {
	case "Relu":
		return math.Max(x, 0)
	case "Tanh":
		return math.Tanh(x)
	case "Sigmoid":
		return 1 / (1 + math.Exp(-x))
	case "Affine":
		return a.alpha*x + a.beta
	case "LeakyRelu":
		if x >= 0 {
			return x
		}
		return a.alpha * x
	case "ThresholdedRelu":
		if x > a.alpha {
			return x
		}
		return 0
	case "ScaledTanh":
		return a.alpha * math.Tanh(a.beta*x)
	case "HardSigmoid":
		return math.Min(math.Max(a.alpha*x+a.beta, 0), 1)
	case "Elu":
		if x >= 0 {
			return x
		}
		return a.alpha * (math.Exp(x) - 1)
	case "Softsign":
		return x / (1 + math.Abs(x))
	case "Softplus":
		return math.Log(1 + math.Exp(x))
	}
	panic("unknown activation " + a.name)
}

// rnnCase is one layer for the reference comparison.
type rnnCase struct {
	op                     string
	seq, batch, in, hidden int
	dir                    string
	layout                 int
	bias, h0, c0, peep     bool
	lens                   []int32
	acts                   []refAct // one list for every direction; nil: the defaults
	clip                   float64
	lbr, inForget          bool
}

func (c *rnnCase) dirs() int {
	if c.dir == "bidirectional" {
		return 2
	}
	return 1
}

func (c *rnnCase) gates() int { return map[string]int{"RNN": 1, "GRU": 3, "LSTM": 4}[c.op] }

func (c *rnnCase) String() string {
	return fmt.Sprintf("%s %s seq=%d batch=%d in=%d hidden=%d layout=%d lens=%v clip=%v lbr=%v forget=%v acts=%v",
		c.op, c.dir, c.seq, c.batch, c.in, c.hidden, c.layout, c.lens, c.clip, c.lbr, c.inForget, c.acts)
}

// node builds the case's node with the three outputs (two for RNN and GRU).
func (c *rnnCase) node(ins []*ops.Tensor) *onnx.Node {
	attrs := []*onnx.Attribute{opstest.Int("hidden_size", c.hidden), opstest.String("direction", c.dir)}
	if c.layout != 0 {
		attrs = append(attrs, opstest.Int("layout", c.layout))
	}
	if c.acts != nil {
		a := &onnx.Attribute{Name: "activations", Type: onnx.AttrStrings}
		var alphas, betas []float32
		for _, f := range c.acts {
			a.Strings = append(a.Strings, []byte(f.name))
			if !math.IsNaN(f.alpha) {
				alphas = append(alphas, float32(f.alpha))
			}
			if !math.IsNaN(f.beta) {
				betas = append(betas, float32(f.beta))
			}
		}
		attrs = append(attrs, a,
			&onnx.Attribute{Name: "activation_alpha", Type: onnx.AttrFloats, Floats: alphas},
			&onnx.Attribute{Name: "activation_beta", Type: onnx.AttrFloats, Floats: betas})
	}
	if c.clip != 0 {
		attrs = append(attrs, opstest.Float("clip", float32(c.clip)))
	}
	if c.lbr {
		attrs = append(attrs, opstest.Int("linear_before_reset", 1))
	}
	if c.inForget {
		attrs = append(attrs, opstest.Int("input_forget", 1))
	}
	nOut := 2
	if c.op == "LSTM" {
		nOut = 3
	}
	return opstest.NodeOf(c.op, ins, nOut, attrs...)
}

// inputs makes random inputs (nil where the case omits one).
func (c *rnnCase) inputs(rng *rand.Rand) []*ops.Tensor {
	d, g, h := c.dirs(), c.gates(), c.hidden
	x := []int{c.seq, c.batch, c.in}
	state := []int{d, c.batch, h}
	if c.layout == 1 {
		x = []int{c.batch, c.seq, c.in}
		state = []int{c.batch, d, h}
	}
	ins := []*ops.Tensor{opstest.Rand(rng, x...), opstest.Rand(rng, d, g*h, c.in), opstest.Rand(rng, d, g*h, h), nil, nil, nil, nil, nil}
	if c.bias {
		ins[inB] = opstest.Rand(rng, d, 2*g*h)
	}
	if c.lens != nil {
		ins[inSeqLens] = opstest.Typed(opstest.Sh(c.batch), c.lens...)
	}
	if c.h0 {
		ins[inH0] = opstest.Rand(rng, state...)
	}
	if c.c0 {
		ins[inC0] = opstest.Rand(rng, state...)
	}
	if c.peep {
		ins[inP] = opstest.Rand(rng, d, 3*h)
	}
	last := 3
	for i, t := range ins {
		if t != nil {
			last = i + 1
		}
	}
	return ins[:last]
}

// refLayer computes Y, Y_h and Y_c in float64 straight from the spec's
// equations, one sequence and one time step at a time.
func refLayer(c *rnnCase, ins []*ops.Tensor) (y, yh, yc []float64) {
	get := func(i int) []float64 {
		if i >= len(ins) || ins[i] == nil {
			return nil
		}
		return opstest.WidenF64(ins[i].F32())
	}
	x, w, r, bias, h0, c0, p := get(inX), get(inW), get(inR), get(inB), get(inH0), get(inC0), get(inP)
	D, G, H, I, S, B := c.dirs(), c.gates(), c.hidden, c.in, c.seq, c.batch
	xAt := func(t, b int) []float64 {
		if c.layout == 1 {
			return x[(b*S+t)*I:][:I]
		}
		return x[(t*B+b)*I:][:I]
	}
	stateAt := func(s []float64, d, b int) []float64 {
		if c.layout == 1 {
			return s[(b*D+d)*H:][:H]
		}
		return s[(d*B+b)*H:][:H]
	}
	yAt := func(t, d, b int) []float64 {
		if c.layout == 1 {
			return y[((b*S+t)*D+d)*H:][:H]
		}
		return y[((t*D+d)*B+b)*H:][:H]
	}
	y, yh, yc = make([]float64, S*D*B*H), make([]float64, D*B*H), make([]float64, D*B*H)
	nActs := map[string]int{"RNN": 1, "GRU": 2, "LSTM": 3}[c.op]
	acts := c.acts
	if acts == nil {
		acts = map[string][]refAct{"RNN": {{name: "Tanh"}}, "GRU": {{name: "Sigmoid"}, {name: "Tanh"}}, "LSTM": {{name: "Sigmoid"}, {name: "Tanh"}, {name: "Tanh"}}}[c.op]
	}
	for d := range D {
		fn := acts
		if len(acts) > nActs {
			fn = acts[d*nActs:]
		}
		act := func(k int, v float64) float64 {
			if c.clip > 0 {
				v = math.Min(math.Max(v, -c.clip), c.clip)
			}
			return fn[k].eval(v)
		}
		// pre is gate k's Xt*Wkᵀ + Wbk (+ Rbk unless rb is false) + Ht-1*Rkᵀ for unit j.
		pre := func(k, j int, xt, hp []float64, rb bool) (xw, hr float64) {
			row := (d*G + k) * H
			for q, v := range xt {
				xw += v * w[(row+j)*I+q]
			}
			for q, v := range hp {
				hr += v * r[(row+j)*H+q]
			}
			if bias != nil {
				xw += bias[d*2*G*H+k*H+j]
				if rb {
					hr += bias[d*2*G*H+G*H+k*H+j]
				}
			}
			return xw, hr
		}
		for b := range B {
			n := S
			if c.lens != nil {
				n = int(c.lens[b])
			}
			h, cs := make([]float64, H), make([]float64, H)
			if h0 != nil {
				copy(h, stateAt(h0, d, b))
			}
			if c0 != nil {
				copy(cs, stateAt(c0, d, b))
			}
			for i := range n {
				t := i
				if d == 1 || c.dir == "reverse" {
					t = n - 1 - i
				}
				xt, nh := xAt(t, b), make([]float64, H)
				switch c.op {
				case "RNN":
					for j := range H {
						xw, hr := pre(0, j, xt, h, true)
						nh[j] = act(0, xw+hr)
					}
				case "GRU":
					z, rg, rh := make([]float64, H), make([]float64, H), make([]float64, H)
					for j := range H {
						xw, hr := pre(0, j, xt, h, true)
						z[j] = act(0, xw+hr)
						xw, hr = pre(1, j, xt, h, true)
						rg[j] = act(0, xw+hr)
						rh[j] = rg[j] * h[j]
					}
					for j := range H {
						var v float64
						if c.lbr {
							xw, hr := pre(2, j, xt, h, true)
							v = xw + rg[j]*hr
						} else {
							xw, hr := pre(2, j, xt, rh, true)
							v = xw + hr
						}
						nh[j] = (1-z[j])*act(1, v) + z[j]*h[j]
					}
				case "LSTM":
					var pi, po, pf []float64
					if p != nil {
						pi, po, pf = p[d*3*H:][:H], p[d*3*H+H:][:H], p[d*3*H+2*H:][:H]
					}
					peep := func(pv []float64, j int, cv float64) float64 {
						if pv == nil {
							return 0
						}
						return pv[j] * cv
					}
					nc := make([]float64, H)
					for j := range H {
						xw, hr := pre(0, j, xt, h, true)
						ig := act(0, xw+hr+peep(pi, j, cs[j]))
						xw, hr = pre(2, j, xt, h, true)
						fg := act(0, xw+hr+peep(pf, j, cs[j]))
						if c.inForget {
							fg = 1 - ig
						}
						xw, hr = pre(3, j, xt, h, true)
						nc[j] = fg*cs[j] + ig*act(1, xw+hr)
						xw, hr = pre(1, j, xt, h, true)
						og := act(0, xw+hr+peep(po, j, nc[j]))
						nh[j] = og * fn[2].eval(nc[j])
					}
					cs = nc
				}
				h = nh
				copy(yAt(t, d, b), h)
			}
			if n > 0 {
				copy(stateAt(yh, d, b), h)
				copy(stateAt(yc, d, b), cs)
			}
		}
	}
	return y, yh, yc
}

// toF64 converts the float32 inputs to float64.
func toF64(ins []*ops.Tensor) []*ops.Tensor {
	out := make([]*ops.Tensor, len(ins))
	for i, t := range ins {
		if t == nil || t.Type != onnx.Float {
			out[i] = t
			continue
		}
		out[i] = opstest.Typed(t.Shape, opstest.WidenF64(t.F32())...)
	}
	return out
}

// checkLayer runs c on ins (float32 or float64) with every input
// constant or none, on several Parallels, against the reference.
func checkLayer(t *testing.T, c *rnnCase, ins []*ops.Tensor) {
	t.Helper()
	ry, rh, rc := refLayer(c, ins)
	want := [][]float64{ry, rh, rc}
	f64 := toF64(ins)
	for _, v := range []struct {
		name   string
		ins    []*ops.Tensor
		consts map[int]bool
		par    ops.Parallel
	}{
		{"const serial", ins, map[int]bool{inW: true, inR: true, inB: true, inP: true}, ops.Serial{}},
		{"inputs par", ins, nil, opstest.Par{N: 3}},
		{"const chunks", ins, map[int]bool{inW: true, inR: true}, opstest.ChunkPar{Size: 2}},
		{"float64", f64, nil, ops.Serial{}},
	} {
		op, err := ops.Build(c.node(v.ins), 22)
		if err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		outs, err := opstest.Exec(op, v.ins, v.consts, v.par)
		if err != nil {
			t.Fatalf("%v %s: %v", c, v.name, err)
		}
		for k, o := range outs {
			var got []float64
			if o.Type == onnx.Double {
				got = o.F64()[:o.Len()]
			} else {
				got = opstest.WidenF64(o.F32()[:o.Len()])
			}
			for i, w := range want[k] {
				if !(math.Abs(got[i]-w) <= 1e-5+1e-4*math.Abs(w)) {
					t.Fatalf("%v %s: output %d element %d = %v, want %v", c, v.name, k, i, got[i], w)
				}
			}
		}
	}
}

// TestReference compares every kind of layer with the reference over
// directions, layouts, sequence lengths, optional inputs, clip and
// activations, at sizes that cross the GEMM's tiles and batches that
// split the cell updates over the threads.
func TestReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	nan := math.NaN()
	cases := []rnnCase{
		{op: "RNN", seq: 1, batch: 1, in: 1, hidden: 1, dir: "forward"},
		{op: "RNN", seq: 5, batch: 3, in: 7, hidden: 6, dir: "bidirectional", layout: 1, bias: true, h0: true, lens: []int32{5, 0, 3}},
		{op: "RNN", seq: 4, batch: 2, in: 3, hidden: 5, dir: "reverse", clip: 0.3, acts: []refAct{{"Softplus", nan, nan}}},
		{op: "GRU", seq: 6, batch: 4, in: 33, hidden: 19, dir: "bidirectional", bias: true, h0: true, lens: []int32{6, 2, 5, 1}},
		{op: "GRU", seq: 3, batch: 2, in: 4, hidden: 5, dir: "reverse", layout: 1, bias: true, lbr: true, h0: true, lens: []int32{1, 3}},
		{op: "GRU", seq: 4, batch: 5, in: 3, hidden: 9, dir: "bidirectional", lbr: true, acts: []refAct{{"Elu", 0.5, nan}, {"Affine", 0.7, -0.2}, {"HardSigmoid", 0.3, 0.45}, {"ScaledTanh", 1.5, 0.8}}},
		{op: "LSTM", seq: 7, batch: 3, in: 40, hidden: 37, dir: "bidirectional", bias: true, h0: true, c0: true, peep: true, lens: []int32{7, 4, 6}},
		{op: "LSTM", seq: 3, batch: 2, in: 5, hidden: 4, dir: "forward", layout: 1, bias: true, h0: true, c0: true, peep: true, inForget: true, clip: 0.5},
		{op: "LSTM", seq: 4, batch: 1, in: 2, hidden: 3, dir: "reverse", acts: []refAct{{"LeakyRelu", 0.1, nan}, {"Softsign", nan, nan}, {"ThresholdedRelu", 0.05, nan}}},
		{op: "LSTM", seq: 2, batch: 3, in: 3, hidden: 2, dir: "bidirectional", layout: 1, c0: true, acts: []refAct{{"Sigmoid", nan, nan}, {"Relu", nan, nan}, {"Tanh", nan, nan}}},
		// Batches large enough for the cell updates to be split over threads.
		{op: "LSTM", seq: 3, batch: 20, in: 5, hidden: 40, dir: "bidirectional", bias: true, peep: true, lens: []int32{3, 1, 2, 3, 0, 3, 3, 2, 1, 3, 3, 3, 2, 2, 1, 3, 3, 3, 3, 1}},
		{op: "GRU", seq: 2, batch: 30, in: 4, hidden: 24, dir: "reverse", layout: 1, bias: true, h0: true},
	}
	for i := range cases {
		c := &cases[i]
		checkLayer(t, c, c.inputs(rng))
	}
}

// TestEmpty runs layers with no step, no batch entry, no input feature
// and no hidden unit.
func TestEmpty(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []rnnCase{
		{op: "LSTM", seq: 0, batch: 2, in: 3, hidden: 4, dir: "bidirectional", h0: true, c0: true},
		{op: "GRU", seq: 3, batch: 0, in: 3, hidden: 4, dir: "forward"},
		{op: "GRU", seq: 3, batch: 2, in: 0, hidden: 4, dir: "reverse", bias: true, h0: true},
		{op: "RNN", seq: 3, batch: 2, in: 3, hidden: 0, dir: "bidirectional", layout: 1},
	} {
		checkLayer(t, &c, c.inputs(rng))
	}
}

// TestOmittedOutputs checks that a node naming only some outputs gets
// those, computed the same.
func TestOmittedOutputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	c := rnnCase{op: "LSTM", seq: 3, batch: 2, in: 3, hidden: 4, dir: "forward", bias: true}
	ins := c.inputs(rng)
	_, _, yc := refLayer(&c, ins)
	n := c.node(ins)
	n.Outputs = []string{"", "", "c"}
	op, err := ops.Build(n, 22)
	if err != nil {
		t.Fatal(err)
	}
	outs, err := opstest.Exec(op, ins, nil, ops.Serial{})
	if err != nil {
		t.Fatal(err)
	}
	opstest.Close(t, "Y_c", outs[2].F32(), float32s(yc), 1e-4, 1e-5)
	if !math.IsNaN(float64(outs[0].F32()[0])) {
		t.Errorf("omitted Y was written")
	}
	n.Outputs = []string{"y"}
	if op, err = ops.Build(n, 22); err != nil {
		t.Fatal(err)
	}
	if _, ov, err := opstest.Prepare(op, ins, nil); err != nil || len(ov) != 1 {
		t.Errorf("one output: Infer gives %d values (%v), want 1", len(ov), err)
	}
}

func float32s(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// TestOpsets builds every registered version: layout is read from opset
// 14, linear_before_reset from GRU-3, and GRU-1 accepts its misspelt
// default direction.
func TestOpsets(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	c := rnnCase{op: "GRU", seq: 3, batch: 2, in: 3, hidden: 4, dir: "forward", bias: true, lbr: true}
	ins := c.inputs(rng)
	lbr, _, _ := refLayer(&c, ins)
	c.lbr = false
	plain, _, _ := refLayer(&c, ins)
	c.lbr = true
	for _, v := range []struct {
		opset int
		want  []float64
	}{{1, plain}, {3, lbr}, {22, lbr}} {
		n := c.node(ins)
		if v.opset == 1 {
			n.Attrs[1] = opstest.String("direction", "foward")
		}
		op, err := ops.Build(n, v.opset)
		if err != nil {
			t.Fatalf("opset %d: %v", v.opset, err)
		}
		outs, err := opstest.Exec(op, ins, nil, ops.Serial{})
		if err != nil {
			t.Fatalf("opset %d: %v", v.opset, err)
		}
		opstest.Close(t, fmt.Sprintf("opset %d", v.opset), outs[0].F32(), float32s(v.want), 1e-4, 1e-5)
	}
	// Before opset 14 a layout attribute is not read.
	n := (&rnnCase{op: "RNN", hidden: 2, dir: "forward", layout: 1}).node(nil)
	op, err := ops.Build(n, 7)
	if err != nil {
		t.Fatal(err)
	}
	if op.(*rnnOp).batchFirst {
		t.Error("opset 7 read the layout attribute")
	}
	for _, name := range []string{"RNN", "GRU", "LSTM"} {
		var got []int
		for _, oi := range ops.Registered() {
			if oi.Domain == "" && oi.OpType == name {
				got = oi.Versions
			}
		}
		want := []int{1, 7, 14, 22}
		if name == "GRU" {
			want = []int{1, 3, 7, 14, 22}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s is registered at %v, want %v", name, got, want)
		}
	}
}

// TestErrors checks that invalid attributes and inputs are refused with
// errors naming them.
func TestErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	base := rnnCase{op: "LSTM", seq: 3, batch: 2, in: 3, hidden: 4, dir: "forward", bias: true, lens: []int32{3, 1}}
	ins := base.inputs(rng)
	node := func(mod func(n *onnx.Node)) *onnx.Node {
		n := base.node(ins)
		if mod != nil {
			mod(n)
		}
		return n
	}
	setAttr := func(a *onnx.Attribute) func(n *onnx.Node) {
		return func(n *onnx.Node) { n.Attrs = append(n.Attrs, a) }
	}
	acts := func(names ...string) *onnx.Attribute {
		a := &onnx.Attribute{Name: "activations", Type: onnx.AttrStrings}
		for _, s := range names {
			a.Strings = append(a.Strings, []byte(s))
		}
		return a
	}
	for _, c := range []struct {
		label string
		mod   func(n *onnx.Node)
		frags []string
	}{
		{"direction", func(n *onnx.Node) { n.Attrs[1] = opstest.String("direction", "sideways") }, []string{"direction", "sideways"}},
		{"clip", setAttr(opstest.Float("clip", 0)), []string{"clip", "positive"}},
		{"layout", setAttr(opstest.Int("layout", 2)), []string{"layout", "0 or 1"}},
		{"act count", setAttr(acts("Sigmoid", "Tanh")), []string{"activations", "lists 2", "want 3"}},
		{"act name", setAttr(acts("Sigmoid", "Swish", "Tanh")), []string{"activations", "Swish"}},
		{"act type", setAttr(opstest.String("activations", "Tanh")), []string{"activations", "STRINGS"}},
		{"alpha left", func(n *onnx.Node) {
			n.Attrs = append(n.Attrs, acts("Sigmoid", "Tanh", "Tanh"), &onnx.Attribute{Name: "activation_alpha", Type: onnx.AttrFloats, Floats: []float32{1}})
		}, []string{"activation_alpha", "1 and 0"}},
		{"hidden", func(n *onnx.Node) { n.Attrs[0] = opstest.Int("hidden_size", -1) }, []string{"hidden_size", "-1"}},
		{"outputs", func(n *onnx.Node) { n.Outputs = append(n.Outputs, "extra") }, []string{"4 outputs", "at most 3"}},
	} {
		_, err := ops.Build(node(c.mod), 22)
		opstest.WantErr(t, c.label, err, c.frags...)
	}
	withInput := func(i int, v *ops.Tensor) []*ops.Tensor {
		in := slices.Clone(ins)
		for len(in) <= i {
			in = append(in, nil)
		}
		in[i] = v
		return in
	}
	for _, c := range []struct {
		label string
		ins   []*ops.Tensor
		frags []string
	}{
		{"X rank", withInput(inX, opstest.Rand(rng, 3, 6)), []string{"\"X\"", "3-D"}},
		{"X type", withInput(inX, ops.New(onnx.Int32, 3, 2, 3)), []string{"\"X\"", "int32"}},
		{"W type", withInput(inW, toF64([]*ops.Tensor{ins[inW]})[0]), []string{"\"W\"", "float64"}},
		{"W shape", withInput(inW, opstest.Rand(rng, 1, 16, 4)), []string{"\"W\"", "[1 16 4]", "want [1 16 3]"}},
		{"R shape", withInput(inR, opstest.Rand(rng, 1, 12, 3)), []string{"\"R\"", "hidden_size"}},
		{"B shape", withInput(inB, opstest.Rand(rng, 1, 16)), []string{"\"B\"", "want [1 32]"}},
		{"lens type", withInput(inSeqLens, opstest.Typed(opstest.Sh(2), int64(3), 1)), []string{"sequence_lens", "int32"}},
		{"h0 shape", withInput(inH0, opstest.Rand(rng, 2, 1, 4)), []string{"initial_h", "want [1 2 4]"}},
		{"P shape", withInput(inP, opstest.Rand(rng, 1, 8)), []string{"\"P\"", "want [1 12]"}},
		{"lens value", withInput(inSeqLens, opstest.Typed(opstest.Sh(2), int32(3), 4)), []string{"sequence_lens", "4", "batch entry 1"}},
		{"lens negative", withInput(inSeqLens, opstest.Typed(opstest.Sh(2), int32(-1), 1)), []string{"sequence_lens", "-1"}},
	} {
		op, err := ops.Build(base.node(c.ins), 22)
		if err != nil {
			t.Fatal(err)
		}
		_, err = opstest.Exec(op, c.ins, nil, ops.Serial{})
		opstest.WantErr(t, c.label, err, c.frags...)
	}
	gru := rnnCase{op: "GRU", seq: 2, batch: 1, in: 2, hidden: 2, dir: "forward"}
	gi := append(gru.inputs(rng), nil, nil, nil, opstest.Rand(rng, 1, 1, 2))
	op, err := ops.Build(gru.node(gi), 22)
	if err != nil {
		t.Fatal(err)
	}
	_, err = opstest.Exec(op, gi, nil, ops.Serial{})
	opstest.WantErr(t, "GRU initial_c", err, "7 inputs", "at most 6")
}

// TestBind binds a layer with packed weights once, their tensors released,
// and runs it on new input data: each run must compute what the reference
// computes, and allocate nothing.
func TestBind(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, c := range []rnnCase{
		{op: "GRU", seq: 5, batch: 3, in: 30, hidden: 40, dir: "bidirectional", bias: true, lens: []int32{5, 2, 4}},
		{op: "LSTM", seq: 4, batch: 2, in: 20, hidden: 50, dir: "reverse", bias: true, peep: true},
		{op: "GRU", seq: 3, batch: 40, in: 8, hidden: 40, dir: "forward", bias: true},
	} {
		ins := c.inputs(rng)
		op, err := ops.Build(c.node(ins), 22)
		if err != nil {
			t.Fatal(err)
		}
		vals, ov, err := opstest.Prepare(op, ins, map[int]bool{inW: true, inR: true, inB: true})
		if err != nil {
			t.Fatal(err)
		}
		outs := make([]*ops.Tensor, len(ov))
		for i, v := range ov {
			outs[i] = ops.New(v.Type, v.Shape...)
		}
		ctx := &ops.Ctx{Par: opstest.SeqPar{}, Scratch: ops.AlignedBytes(op.(ops.Workspacer).Workspace(vals))}
		// The packed weights are released: the runtime may drop their data.
		if r := op.(ops.Releaser).Released(); !slices.Equal(r, []int{inW, inR}) {
			t.Errorf("%v: released %v, want W and R", c, r)
		}
		bound := slices.Clone(ins)
		for _, i := range []int{inW, inR} {
			bound[i] = &ops.Tensor{Type: ins[i].Type, Shape: ins[i].Shape}
		}
		run, err := op.(ops.Binder).Bind(ctx, bound, outs)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			copy(ins[inX].F32(), opstest.Rand(rng, ins[inX].Shape...).F32())
			if err := run(); err != nil {
				t.Fatal(err)
			}
			ry, rh, _ := refLayer(&c, ins)
			opstest.Close(t, c.String()+" Y", outs[0].F32(), float32s(ry), 1e-4, 1e-5)
			opstest.Close(t, c.String()+" Y_h", outs[1].F32(), float32s(rh), 1e-4, 1e-5)
		}
		if n := testing.AllocsPerRun(5, func() {
			if err := run(); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%v: %v allocations per bound run, want 0", c, n)
		}
	}
}
