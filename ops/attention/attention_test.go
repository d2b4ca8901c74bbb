package attention

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

func TestAttentionNodeTests(t *testing.T) {
	if n := opstest.AllNodeTests(t, "test_attention_*"); n != 64 {
		t.Errorf("%d node tests passed, want 64", n)
	}
}

// attnCase is one Attention for the reference comparison.
type attnCase struct {
	opset                               int
	batch, qHeads, kvHeads, qLen, kvLen int
	past, head, vHead                   int
	threeD, hasPast, causal             bool
	mask                                []int // attn_mask's shape, nil: none
	maskType                            onnx.DataType
	nonpad                              []int64
	scale, softcap                      float32 // 0: default, none
	mode                                int
	left, right                         int // opset 25 windows; -1 unbounded
	presents, qk                        bool
	maskFalseRow                        bool // a bool mask's first row is all false
}

func (c *attnCase) String() string {
	return fmt.Sprintf("opset %d b=%d hq=%d hkv=%d L=%d S=%d P=%d D=%d Dv=%d 3d=%v causal=%v mask=%v %s nonpad=%v scale=%v softcap=%v mode=%d window=(%d,%d)",
		c.opset, c.batch, c.qHeads, c.kvHeads, c.qLen, c.kvLen, c.past, c.head, c.vHead, c.threeD, c.causal, c.mask, ops.TypeName(c.maskType), c.nonpad, c.scale, c.softcap, c.mode, c.left, c.right)
}

func (c *attnCase) total() int { return c.past + c.kvLen }

// inputs makes random inputs in float32.
func (c *attnCase) inputs(rng *rand.Rand) []*ops.Tensor {
	shape := func(heads, rows, width int) []int {
		if c.threeD {
			return []int{c.batch, rows, heads * width}
		}
		return []int{c.batch, heads, rows, width}
	}
	ins := []*ops.Tensor{
		opstest.Rand(rng, shape(c.qHeads, c.qLen, c.head)...),
		opstest.Rand(rng, shape(c.kvHeads, c.kvLen, c.head)...),
		opstest.Rand(rng, shape(c.kvHeads, c.kvLen, c.vHead)...),
		nil, nil, nil, nil,
	}
	if c.mask != nil {
		m := ops.New(c.maskType, c.mask...)
		for i := range m.Len() {
			switch c.maskType {
			case onnx.Bool:
				if rng.IntN(4) != 0 {
					m.Data[i] = 1
				}
			case onnx.Float:
				m.F32()[i] = rng.Float32()*2 - 1
				if rng.IntN(5) == 0 {
					m.F32()[i] = float32(math.Inf(-1))
				}
			case onnx.Int32:
				m.I32()[i] = int32(rng.IntN(5)) - 2
			case onnx.Uint8:
				m.Data[i] = uint8(rng.IntN(3))
			}
		}
		if c.maskFalseRow {
			clear(m.Data[:c.mask[len(c.mask)-1]])
		}
		ins[inMask] = m
	}
	if c.hasPast {
		ins[inPastK] = opstest.Rand(rng, c.batch, c.kvHeads, c.past, c.head)
		ins[inPastV] = opstest.Rand(rng, c.batch, c.kvHeads, c.past, c.vHead)
	}
	if c.nonpad != nil {
		ins[inNonpad] = opstest.Typed(opstest.Sh(c.batch), c.nonpad...)
	}
	last := 3
	for i, t := range ins {
		if t != nil {
			last = i + 1
		}
	}
	return ins[:last]
}

// node builds the case's node.
func (c *attnCase) node(ins []*ops.Tensor) *onnx.Node {
	var attrs []*onnx.Attribute
	if c.threeD {
		attrs = append(attrs, opstest.Int("q_num_heads", c.qHeads), opstest.Int("kv_num_heads", c.kvHeads))
	}
	if c.causal {
		attrs = append(attrs, opstest.Int("is_causal", 1))
	}
	if c.scale != 0 {
		attrs = append(attrs, opstest.Float("scale", c.scale))
	}
	if c.softcap != 0 {
		attrs = append(attrs, opstest.Float("softcap", c.softcap))
	}
	if c.mode != 0 {
		attrs = append(attrs, opstest.Int("qk_matmul_output_mode", c.mode))
	}
	if c.opset >= 25 {
		attrs = append(attrs, opstest.Int("left_window_size", c.left), opstest.Int("right_window_size", c.right))
	}
	n := opstest.NodeOf("Attention", ins, 4, attrs...)
	if !c.presents {
		n.Outputs[1], n.Outputs[2] = "", ""
	}
	if !c.qk {
		n.Outputs = n.Outputs[:3]
	}
	return n
}

// refAttention computes Y, present_key, present_value and
// qk_matmul_output in float64 by the spec's definition, one query at a time.
func refAttention(c *attnCase, ins []*ops.Tensor) (y, pk, pv, qk []float64) {
	f := func(i int) []float64 {
		if i >= len(ins) || ins[i] == nil {
			return nil
		}
		return opstest.WidenF64(ins[i].F32())
	}
	q, k, v, pastK, pastV := f(inQ), f(inK), f(inV), f(inPastK), f(inPastV)
	T := c.total()
	// row returns row r of head h of batch b of x with the given width.
	row := func(x []float64, heads, rows, width, b, h, r int, threeD bool) []float64 {
		if threeD {
			return x[(b*rows+r)*heads*width+h*width:][:width]
		}
		return x[((b*heads+h)*rows+r)*width:][:width]
	}
	key := func(b, h, j int) []float64 {
		if j < c.past {
			return row(pastK, c.kvHeads, c.past, c.head, b, h, j, false)
		}
		return row(k, c.kvHeads, c.kvLen, c.head, b, h, j-c.past, c.threeD)
	}
	val := func(b, h, j int) []float64 {
		if j < c.past {
			return row(pastV, c.kvHeads, c.past, c.vHead, b, h, j, false)
		}
		return row(v, c.kvHeads, c.kvLen, c.vHead, b, h, j-c.past, c.threeD)
	}
	pk, pv = make([]float64, c.batch*c.kvHeads*T*c.head), make([]float64, c.batch*c.kvHeads*T*c.vHead)
	for b := range c.batch {
		for h := range c.kvHeads {
			for j := range T {
				copy(pk[((b*c.kvHeads+h)*T+j)*c.head:], key(b, h, j))
				copy(pv[((b*c.kvHeads+h)*T+j)*c.vHead:], val(b, h, j))
			}
		}
	}
	scale := 1 / math.Sqrt(float64(c.head))
	if c.scale != 0 {
		scale = float64(c.scale)
	}
	y = make([]float64, c.batch*c.qHeads*c.qLen*c.vHead)
	qk = make([]float64, c.batch*c.qHeads*c.qLen*T)
	ninf := math.Inf(-1)
	for b := range c.batch {
		offset := 0
		switch {
		case c.hasPast:
			offset = c.past
		case c.nonpad != nil:
			offset = int(c.nonpad[b]) - c.qLen
		}
		for hq := range c.qHeads {
			hk := hq / (c.qHeads / c.kvHeads)
			for i := range c.qLen {
				qi := row(q, c.qHeads, c.qLen, c.head, b, hq, i, c.threeD)
				s := make([]float64, T)
				for j := range T {
					for d, x := range qi {
						s[j] += x * key(b, hk, j)[d]
					}
					s[j] *= scale
				}
				out := qk[((b*c.qHeads+hq)*c.qLen+i)*T:][:T]
				stage := func(m int) {
					if c.mode == m {
						copy(out, s)
					}
				}
				stage(0)
				if c.softcap > 0 {
					for j := range s {
						s[j] = float64(c.softcap) * math.Tanh(s[j]/float64(c.softcap))
					}
				}
				stage(1)
				for j := range s {
					p := offset + i
					ok := !(c.causal && j > p) && !(c.left >= 0 && j < p-c.left) && !(c.right >= 0 && j > p+c.right) &&
						!(c.nonpad != nil && j >= int(c.nonpad[b]))
					if c.mask != nil {
						full := []int{b, hq, i, j}[4-len(c.mask):]
						idx := 0
						for d, n := range c.mask {
							x := full[d]
							if n == 1 && d < len(c.mask)-1 {
								x = 0
							}
							idx = idx*n + x
						}
						switch {
						case j >= c.mask[len(c.mask)-1]:
							ok = false
						case c.maskType == onnx.Bool:
							ok = ok && ins[inMask].Data[idx] != 0
						case c.maskType == onnx.Float:
							s[j] += float64(ins[inMask].F32()[idx])
						case c.maskType == onnx.Int32:
							s[j] += float64(ins[inMask].I32()[idx])
						case c.maskType == onnx.Uint8:
							s[j] += float64(ins[inMask].Data[idx])
						}
					}
					if !ok {
						s[j] = ninf
					}
				}
				stage(2)
				m := ninf
				for _, x := range s {
					m = math.Max(m, x)
				}
				var sum float64
				for j := range s {
					if m == ninf {
						s[j] = 0
					} else {
						s[j] = math.Exp(s[j] - m)
					}
					sum += s[j]
				}
				for j := range s {
					if sum > 0 {
						s[j] /= sum
					}
				}
				stage(3)
				yi := row(y, c.qHeads, c.qLen, c.vHead, b, hq, i, c.threeD)
				for j, p := range s {
					for d, x := range val(b, hk, j) {
						yi[d] += p * x
					}
				}
			}
		}
	}
	return y, pk, pv, qk
}

// toF64 converts float32 inputs to float64.
func toF64(ins []*ops.Tensor) []*ops.Tensor {
	out := make([]*ops.Tensor, len(ins))
	for i, t := range ins {
		out[i] = t
		if t != nil && t.Type == onnx.Float {
			out[i] = opstest.Typed(t.Shape, opstest.WidenF64(t.F32())...)
		}
	}
	return out
}

// values reads a float tensor as float64.
func values(t *ops.Tensor) []float64 {
	if t.Type == onnx.Double {
		return t.F64()[:t.Len()]
	}
	return opstest.WidenF64(t.F32()[:t.Len()])
}

// closeTo fails t unless got matches want within 1e-5 + 1e-4*|want|
// (equal infinities match).
func closeTo(t *testing.T, label string, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", label, len(got), len(want))
	}
	for i, w := range want {
		if g := got[i]; !(g == w || math.Abs(g-w) <= 1e-5+1e-4*math.Abs(w)) {
			t.Fatalf("%s: element %d = %v, want %v", label, i, g, w)
		}
	}
}

// checkAttention runs c against the reference on several Parallels and in float64.
func checkAttention(t *testing.T, c *attnCase, rng *rand.Rand) {
	t.Helper()
	ins := c.inputs(rng)
	y, pk, pv, qk := refAttention(c, ins)
	for _, v := range []struct {
		name string
		ins  []*ops.Tensor
		par  ops.Parallel
	}{
		{"serial", ins, ops.Serial{}},
		{"par", ins, opstest.Par{N: 3}},
		{"chunks", ins, opstest.ChunkPar{Size: 2}},
		{"float64", toF64(ins), opstest.Par{N: 2}},
	} {
		op, err := ops.Build(c.node(v.ins), c.opset)
		if err != nil {
			t.Fatalf("%v: %v", c, err)
		}
		outs, err := opstest.Exec(op, v.ins, nil, v.par)
		if err != nil {
			t.Fatalf("%v %s: %v", c, v.name, err)
		}
		label := c.String() + " " + v.name
		closeTo(t, label+" Y", values(outs[outY]), y)
		if c.presents {
			closeTo(t, label+" present_key", values(outs[outPresentK]), pk)
			closeTo(t, label+" present_value", values(outs[outPresentV]), pv)
		}
		if c.qk {
			closeTo(t, label+" qk_matmul_output", values(outs[outQK]), qk)
		}
	}
}

// TestAttentionReference compares Attention with the reference over head
// layouts, GQA, caches, masks of every kind and broadcast, causal and
// window bounds, padding, softcap, scale and every qk_matmul_output mode.
func TestAttentionReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cases := []attnCase{
		{opset: 23, batch: 2, qHeads: 3, kvHeads: 3, qLen: 70, kvLen: 50, head: 8, vHead: 5},
		{opset: 23, batch: 1, qHeads: 4, kvHeads: 2, qLen: 5, kvLen: 3, past: 4, hasPast: true, head: 6, vHead: 7, threeD: true, causal: true,
			mask: []int{5, 7}, maskType: onnx.Float, presents: true},
		{opset: 23, batch: 2, qHeads: 2, kvHeads: 1, qLen: 9, kvLen: 9, past: 2, hasPast: true, head: 4, vHead: 4, causal: true,
			mask: []int{2, 1, 9, 11}, maskType: onnx.Bool, mode: 3, qk: true, presents: true, maskFalseRow: true},
		{opset: 23, batch: 2, qHeads: 3, kvHeads: 3, qLen: 4, kvLen: 6, head: 5, vHead: 3, mask: []int{3, 1, 4}, maskType: onnx.Int32, mode: 2, qk: true},
		{opset: 23, batch: 1, qHeads: 2, kvHeads: 2, qLen: 3, kvLen: 5, head: 4, vHead: 4, softcap: 0.7, scale: 0.3, mode: 1, qk: true,
			mask: []int{5}, maskType: onnx.Uint8},
		{opset: 23, batch: 1, qHeads: 2, kvHeads: 2, qLen: 3, kvLen: 5, head: 4, vHead: 4, softcap: 0.7, qk: true},
		{opset: 24, batch: 3, qHeads: 2, kvHeads: 2, qLen: 4, kvLen: 8, head: 4, vHead: 6, causal: true, nonpad: []int64{8, 5, 2}, qk: true, mode: 3},
		{opset: 24, batch: 2, qHeads: 4, kvHeads: 2, qLen: 3, kvLen: 6, head: 4, vHead: 4, threeD: true, nonpad: []int64{0, 4},
			mask: []int{1, 4, 1, 5}, maskType: onnx.Bool},
		{opset: 25, batch: 1, qHeads: 2, kvHeads: 2, qLen: 7, kvLen: 9, head: 4, vHead: 4, left: 2, right: 1, mode: 2, qk: true},
		{opset: 25, batch: 2, qHeads: 2, kvHeads: 1, qLen: 4, kvLen: 3, past: 5, hasPast: true, head: 4, vHead: 4, causal: true, left: 3, right: -1, presents: true},
		{opset: 25, batch: 2, qHeads: 2, kvHeads: 2, qLen: 4, kvLen: 6, head: 4, vHead: 4, left: 0, right: 0, causal: true, nonpad: []int64{6, 3}},
		{opset: 23, batch: 2, qHeads: 8, kvHeads: 1, qLen: 1, kvLen: 1, past: 30, hasPast: true, head: 16, vHead: 16, threeD: true, presents: true},
		{opset: 23, batch: 1, qHeads: 2, kvHeads: 2, qLen: 130, kvLen: 130, head: 40, vHead: 33, causal: true},
	}
	for i := range cases {
		if cases[i].opset < 25 {
			cases[i].left, cases[i].right = -1, -1
		}
		checkAttention(t, &cases[i], rng)
	}
}

// TestAttentionEmpty runs Attention without keys and without queries.
func TestAttentionEmpty(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []attnCase{
		{opset: 23, batch: 2, qHeads: 2, kvHeads: 2, qLen: 3, kvLen: 0, head: 4, vHead: 5, left: -1, right: -1, qk: true},
		{opset: 23, batch: 2, qHeads: 2, kvHeads: 2, qLen: 0, kvLen: 3, head: 4, vHead: 5, left: -1, right: -1, threeD: true},
		{opset: 23, batch: 2, qHeads: 4, kvHeads: 2, qLen: 3, kvLen: 0, head: 4, vHead: 5, left: -1, right: -1, threeD: true},
		{opset: 23, batch: 2, qHeads: 2, kvHeads: 2, qLen: 3, kvLen: 0, past: 2, hasPast: true, head: 4, vHead: 5, left: -1, right: -1, threeD: true, presents: true},
		{opset: 23, batch: 0, qHeads: 2, kvHeads: 2, qLen: 2, kvLen: 3, head: 4, vHead: 5, left: -1, right: -1},
	} {
		checkAttention(t, &c, rng)
	}
}

// TestAttentionBind binds once and runs on new data: each run computes
// what the reference computes, allocating nothing.
func TestAttentionBind(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	c := attnCase{opset: 23, batch: 2, qHeads: 4, kvHeads: 2, qLen: 80, kvLen: 80, head: 16, vHead: 16, threeD: true, causal: true,
		mask: []int{80, 80}, maskType: onnx.Int32, left: -1, right: -1}
	ins := c.inputs(rng)
	op, err := ops.Build(c.node(ins), 23)
	if err != nil {
		t.Fatal(err)
	}
	_, ov, err := opstest.Prepare(op, ins, nil)
	if err != nil {
		t.Fatal(err)
	}
	outs := make([]*ops.Tensor, len(ov))
	for i, v := range ov {
		outs[i] = ops.New(v.Type, v.Shape...)
	}
	for _, par := range []ops.Parallel{opstest.SeqPar{}, opstest.Par{N: 3}} {
		run, err := op.(ops.Binder).Bind(&ops.Ctx{Par: par}, ins, outs)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			copy(ins[inQ].F32(), opstest.Rand(rng, ins[inQ].Shape...).F32())
			if err := run(); err != nil {
				t.Fatal(err)
			}
			y, _, _, _ := refAttention(&c, ins)
			closeTo(t, fmt.Sprintf("%T", par), values(outs[outY]), y)
		}
		if _, ok := par.(opstest.SeqPar); !ok {
			continue
		}
		if n := testing.AllocsPerRun(5, func() {
			if err := run(); err != nil {
				t.Fatal(err)
			}
		}); n != 0 {
			t.Errorf("%v allocations per bound run, want 0", n)
		}
	}
}

// TestAttentionErrors checks that invalid attributes and inputs are
// refused with errors naming them.
func TestAttentionErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	base := attnCase{opset: 24, batch: 2, qHeads: 4, kvHeads: 2, qLen: 3, kvLen: 5, head: 4, vHead: 4, left: -1, right: -1}
	ins := base.inputs(rng)
	for _, c := range []struct {
		label string
		attrs []*onnx.Attribute
		frags []string
	}{
		{"mode", []*onnx.Attribute{opstest.Int("qk_matmul_output_mode", 4)}, []string{"qk_matmul_output_mode", "4"}},
		{"softcap", []*onnx.Attribute{opstest.Float("softcap", -1)}, []string{"softcap", "-1"}},
		{"precision", []*onnx.Attribute{opstest.Int("softmax_precision", 6)}, []string{"softmax_precision", "6"}},
		{"heads", []*onnx.Attribute{opstest.Int("q_num_heads", 0)}, []string{"q_num_heads", "0"}},
	} {
		_, err := ops.Build(opstest.NodeOf("Attention", ins, 1, c.attrs...), 24)
		opstest.WantErr(t, c.label, err, c.frags...)
	}
	_, err := ops.Build(opstest.NodeOf("Attention", ins, 5), 24)
	opstest.WantErr(t, "outputs", err, "5 outputs")
	with := func(i int, v *ops.Tensor) []*ops.Tensor {
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
		attrs []*onnx.Attribute
		opset int
		frags []string
	}{
		{"Q type", with(inQ, ops.New(onnx.Int32, 2, 4, 3, 4)), nil, 24, []string{"\"Q\"", "int32"}},
		{"K type", with(inK, toF64(ins[inK : inK+1])[0]), nil, 24, []string{"\"K\"", "float64"}},
		{"ranks", with(inQ, opstest.Rand(rng, 2, 3, 16)), nil, 24, []string{"3-D or all 4-D"}},
		{"K shape", with(inK, opstest.Rand(rng, 2, 2, 5, 3)), nil, 24, []string{"do not agree"}},
		{"3-D heads", []*ops.Tensor{opstest.Rand(rng, 2, 3, 16), opstest.Rand(rng, 2, 5, 8), opstest.Rand(rng, 2, 5, 8)}, nil, 24, []string{"q_num_heads", "kv_num_heads"}},
		{"3-D sizes", []*ops.Tensor{opstest.Rand(rng, 2, 3, 15), opstest.Rand(rng, 2, 5, 8), opstest.Rand(rng, 2, 5, 8)},
			[]*onnx.Attribute{opstest.Int("q_num_heads", 4), opstest.Int("kv_num_heads", 2)}, 24, []string{"not multiples"}},
		{"head attr", ins, []*onnx.Attribute{opstest.Int("q_num_heads", 2)}, 24, []string{"q_num_heads", "4 heads"}},
		{"gqa", with(inK, opstest.Rand(rng, 2, 3, 5, 4)), nil, 24, []string{"do not agree"}},
		{"past alone", with(inPastK, opstest.Rand(rng, 2, 2, 1, 4)), nil, 24, []string{"past_key", "together"}},
		{"mask type", with(inMask, ops.New(onnx.Double, 3, 5)), nil, 24, []string{"attn_mask", "float64"}},
		{"mask keys", with(inMask, ops.New(onnx.Bool, 3, 6)), nil, 24, []string{"attn_mask", "6 keys"}},
		{"mask broadcast", with(inMask, ops.New(onnx.Bool, 2, 5)), nil, 24, []string{"attn_mask", "broadcast"}},
		{"nonpad type", with(inNonpad, opstest.Typed(opstest.Sh(2), int32(1), 2)), nil, 24, []string{"nonpad_kv_seqlen", "int64[2]"}},
		{"nonpad opset", with(inNonpad, opstest.Typed(opstest.Sh(2), int64(1), 2)), nil, 23, []string{"7 inputs"}},
		{"nonpad value", with(inNonpad, opstest.Typed(opstest.Sh(2), int64(1), 6)), nil, 24, []string{"nonpad_kv_seqlen", "6", "batch entry 1"}},
	} {
		op, err := ops.Build(opstest.NodeOf("Attention", c.ins, 1, c.attrs...), c.opset)
		if err == nil {
			_, err = opstest.Exec(op, c.ins, nil, ops.Serial{})
		}
		opstest.WantErr(t, c.label, err, c.frags...)
	}
}

func TestRotaryNodeTests(t *testing.T) {
	if n := opstest.AllNodeTests(t, "test_rotary_embedding*"); n != 8 {
		t.Errorf("%d node tests passed, want 8", n)
	}
}

func TestLinearNodeTests(t *testing.T) {
	if n := opstest.AllNodeTests(t, "test_linear_attention_*"); n != 14 {
		t.Errorf("%d node tests passed, want 14", n)
	}
}

// TestAttentionORTGoldens runs the Attention nodes of testdata/ort, whose
// outputs ONNX Runtime computed.
func TestAttentionORTGoldens(t *testing.T) {
	dirs, err := filepath.Glob("testdata/ort/*")
	if err != nil || len(dirs) != 3 {
		t.Fatalf("want 3 goldens, found %d (%v)", len(dirs), err)
	}
	for _, d := range dirs {
		if err := opstest.RunNodeTest(d); err != nil {
			t.Errorf("%s: %v", filepath.Base(d), err)
		}
	}
}
