package quantize

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Report compares a quantized model with the float one on the
// calibration set. Signal-to-quantization-noise ratios (SQNR) are
// 10·log10(Σ ref² / Σ (ref - quantized)²) over every element of every
// sample, in decibels: each bit of precision is worth about 6 dB.
type Report struct {
	Method     string `json:"method"`
	PerChannel bool   `json:"per_channel"`
	Samples    int    `json:"samples"`
	// Quantized counts the quantized nodes by operator, Fused the Relu
	// and Clip nodes merged into the quantized range of their input,
	// Float the nodes left in float by operator, Excluded those among
	// them that Options.Exclude named.
	Quantized map[string]int `json:"quantized"`
	Fused     int            `json:"fused"`
	Float     map[string]int `json:"float"`
	Excluded  []string       `json:"excluded,omitempty"`
	// Top1 is how often the quantized model's top class (the largest
	// value of the first output) is the float model's; nil when the first
	// output is not one image's class scores.
	Top1 *Agreement `json:"top1,omitempty"`
	// Outputs compares each graph output.
	Outputs []OutputReport `json:"outputs"`
	// Layers are the quantized layers, worst first: by the error each
	// causes alone (Layer.Alone).
	Layers []Layer `json:"layers"`
}

// Agreement counts the samples on which two models agree.
type Agreement struct {
	Agree int `json:"agree"`
	Total int `json:"total"`
}

// OutputReport is the SQNR of one graph output.
type OutputReport struct {
	Name string   `json:"name"`
	SQNR Decibels `json:"sqnr_db"`
}

// Layer is one quantized node (or a quantized graph input) and the
// tensor it writes.
type Layer struct {
	Node string `json:"node"`
	// Op is the node's operator, with the activation fused into it
	// ("Conv+Relu"); "input" for a graph input.
	Op     string `json:"op"`
	Tensor string `json:"tensor"`
	// Range is the calibrated range of the tensor, Scale and ZeroPoint its
	// uint8 parameters (Scale 0 when the tensor is left in float, as
	// graph outputs are).
	Range     [2]float32 `json:"range"`
	Scale     float32    `json:"scale"`
	ZeroPoint int32      `json:"zero_point"`
	// Weights is the SQNR of the node's int8 weights against the float
	// ones (NaN without weights).
	Weights Decibels `json:"weights_sqnr_db"`
	// Own is the SQNR of the tensor's quantization alone, in the quantized
	// model: the tensor before its QuantizeLinear (with the fused
	// activation applied) against after its DequantizeLinear. NaN for a
	// tensor left in float.
	Own Decibels `json:"own_sqnr_db"`
	// Alone is the SQNR of the node run alone in its quantized form (its
	// quantized inputs, weights and output) on the float model's values
	// of its inputs, against the float output: the error the layer itself
	// causes, its inputs' quantization included, whatever happens before
	// it. Layers are ranked by it.
	Alone Decibels `json:"alone_sqnr_db"`
	// SQNR compares the tensor in the float model with the quantized
	// model's (dequantized) one: the error accumulated from the input up
	// to this layer.
	SQNR Decibels `json:"sqnr_db"`
}

// Decibels is a signal-to-noise ratio in dB: +Inf when there is no
// noise, NaN when it does not apply. In JSON +Inf is "inf" and NaN null.
type Decibels float64

// String formats d with one decimal, "inf" or "-".
func (d Decibels) String() string {
	switch {
	case math.IsNaN(float64(d)):
		return "-"
	case math.IsInf(float64(d), 1):
		return "inf"
	}
	return strconv.FormatFloat(float64(d), 'f', 1, 64)
}

// MarshalJSON writes d rounded to 0.01 dB, "inf" or null.
func (d Decibels) MarshalJSON() ([]byte, error) {
	switch {
	case math.IsNaN(float64(d)):
		return []byte("null"), nil
	case math.IsInf(float64(d), 1):
		return []byte(`"inf"`), nil
	case math.IsInf(float64(d), -1):
		return []byte(`"-inf"`), nil
	}
	return json.Marshal(math.Round(float64(d)*100) / 100)
}

// UnmarshalJSON reads what MarshalJSON writes.
func (d *Decibels) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case nil:
		*d = Decibels(math.NaN())
	case float64:
		*d = Decibels(v)
	case string:
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("quantize: decibels %q: %w", v, err)
		}
		*d = Decibels(f)
	default:
		return fmt.Errorf("quantize: decibels: unexpected JSON %s", b)
	}
	return nil
}

// probe measures one report row: the node (or quantized graph input)
// run alone in its quantized form on the float model's values of the
// tensors it reads, and its output in the quantized model, each against
// the float model's.
type probe struct {
	row   Layer
	act   *actQuant // its quantized output, or nil
	ins   []string  // the tensors it reads (quantized ones before their QuantizeLinear)
	ref   string    // its output, in the float model
	out   string    // its output, in the quantized model (dequantized)
	alone *observer // the node alone: ins -> out
	args  []*ops.Tensor
	// own, single, net accumulate the noise of the output's quantization
	// alone, of the node alone, and of its output in the quantized model.
	own, single, net noise
}

// probes returns a probe per quantized graph input and per quantized
// node (not fused) with a quantized output, weights, or a graph output;
// their submodels are loaded by the caller.
func probes(rw *rewriter, q *onnx.Model, outs map[string]bool) []*probe {
	pl := rw.p
	dequantized := map[string]string{} // DequantizeLinear output -> activation
	for name, n := range rw.qdq {
		dequantized[n.dq] = name
	}
	inits := map[string]bool{}
	for _, t := range q.Graph.Initializer {
		inits[t.Name] = true
	}
	writer := map[string]*onnx.Node{}
	for _, n := range q.Graph.Nodes {
		for _, o := range n.Outputs {
			writer[o] = n
		}
	}
	var ps []*probe
	nan := Decibels(math.NaN())
	add := func(pr *probe) {
		if a := pr.act; a != nil {
			pr.row.Tensor, pr.row.Scale, pr.row.ZeroPoint = a.name, a.params.Scale[0], a.params.ZeroPoint[0]
			pr.row.Range = paramsRange(a.params)
			pr.ref, pr.out = a.name, rw.qdq[a.name].dq
		}
		ps = append(ps, pr)
	}
	byProducer := map[*onnx.Node]*actQuant{}
	for _, name := range pl.order {
		a := pl.acts[name]
		if a.producer == nil {
			add(&probe{row: Layer{Node: name, Op: "input", Weights: nan}, act: a, ins: []string{name}})
		} else {
			byProducer[a.producer] = a
		}
	}
	for _, n := range pl.nodes {
		if pl.fused[n] {
			continue
		}
		pr := &probe{row: Layer{Node: n.Name, Op: n.OpType, Weights: nan, Own: nan}, act: byProducer[n]}
		if pr.act != nil && pr.act.fused != nil {
			pr.row.Op += "+" + pr.act.fused.OpType
		}
		s, weighted := rw.weightSQNR[n]
		if weighted {
			pr.row.Weights = Decibels(s)
		}
		if pr.act == nil && !(len(n.Outputs) == 1 && outs[n.Outputs[0]]) {
			continue
		}
		for _, in := range n.Inputs {
			x, ok := dequantized[in]
			switch {
			case in == "" || inits[in]:
				continue
			case !ok && writer[in] != nil && writer[in].OpType == "DequantizeLinear":
				continue // weights or bias
			case !ok:
				x = in // a float input (a shape, say)
			}
			if !slices.Contains(pr.ins, x) {
				pr.ins = append(pr.ins, x)
			}
		}
		if pr.act == nil {
			pr.row.Tensor, pr.ref, pr.out = n.Outputs[0], n.Outputs[0], n.Outputs[0]
		}
		add(pr)
	}
	return ps
}

// evaluate runs the float and the quantized model, and each quantized
// node alone, over the calibration set and reports how they compare.
func (c *calibration) evaluate(rw *rewriter, q *onnx.Model) (*Report, error) {
	pl := rw.p
	outs := map[string]bool{}
	for _, vi := range c.p.Graph.Outputs {
		outs[vi.Name] = true
	}
	ps := probes(rw, q, outs)
	var fnames, qnames []string
	for _, pr := range ps {
		fnames = append(fnames, pr.ref)
		fnames = append(fnames, pr.ins...)
		qnames = append(qnames, pr.ref, pr.out)
	}
	fo, err := newObserver(c.p, fnames, c.runtimeOptions())
	if err != nil {
		return nil, fmt.Errorf("quantize: %w", err)
	}
	defer fo.close()
	qo, err := newObserver(q, qnames, c.runtimeOptions())
	if err != nil {
		return nil, fmt.Errorf("quantize: the quantized model: %w", err)
	}
	defer qo.close()
	for _, pr := range ps {
		if pr.alone, err = newObserver(extract(q, pr.ins, []string{pr.out}), nil, c.runtimeOptions()); err != nil {
			return nil, fmt.Errorf("quantize: node %s alone: %w", pr.row.Node, err)
		}
		defer pr.alone.close()
		pr.args = make([]*ops.Tensor, len(pr.ins))
	}
	outNoise := make([]noise, len(c.p.Graph.Outputs))
	var top1 *Agreement
	err = c.each("evaluation", func(obs ...observation) error {
		f, qq := obs[0], obs[1]
		for _, pr := range ps {
			ref := f.get(pr.ref)
			if err := compare(&pr.net, ref, qq.get(pr.out), nil); err != nil {
				return fmt.Errorf("tensor %q: %w", pr.ref, err)
			}
			if a := pr.act; a != nil {
				clip := func(v float32) float32 { return v }
				if a.fused != nil {
					clip = func(v float32) float32 { return min(max(v, a.lo), a.hi) }
				}
				if err := compare(&pr.own, qq.get(pr.ref), qq.get(pr.out), clip); err != nil {
					return fmt.Errorf("tensor %q: %w", pr.ref, err)
				}
			}
			for i, in := range pr.ins {
				pr.args[i] = f.get(in)
			}
			ob, err := pr.alone.run(c.ctx, pr.args...)
			if err != nil {
				return fmt.Errorf("node %s alone: %w", pr.row.Node, err)
			}
			if err := compare(&pr.single, ref, ob.outs[0], nil); err != nil {
				return fmt.Errorf("node %s alone: %w", pr.row.Node, err)
			}
		}
		for k := range outNoise {
			if err := compare(&outNoise[k], f.outs[k], qq.outs[k], nil); err != nil {
				return fmt.Errorf("output %q: %w", c.p.Graph.Outputs[k].Name, err)
			}
		}
		if len(f.outs) > 0 && classScores(f.outs[0]) {
			if top1 == nil {
				top1 = &Agreement{}
			}
			top1.Total++
			if argmax(f.outs[0]) == argmax(qq.outs[0]) {
				top1.Agree++
			}
		}
		return nil
	}, fo, qo)
	if err != nil {
		return nil, err
	}
	rep := &Report{Method: c.opt.Method.String(), PerChannel: c.opt.PerChannel, Samples: c.src.Len(),
		Quantized: map[string]int{}, Float: map[string]int{}, Fused: len(pl.fused), Top1: top1}
	for k, vi := range c.p.Graph.Outputs {
		rep.Outputs = append(rep.Outputs, OutputReport{Name: vi.Name, SQNR: Decibels(outNoise[k].db())})
	}
	planned := map[string]bool{}
	for _, n := range pl.nodes {
		planned[n.Name] = true
		if !pl.fused[n] {
			rep.Quantized[n.OpType]++
		}
	}
	for _, n := range c.p.Graph.Nodes {
		if !planned[n.Name] {
			rep.Float[n.OpType]++
		}
	}
	for _, pr := range ps {
		if pr.act != nil {
			pr.row.Own = Decibels(pr.own.db())
		}
		pr.row.Alone, pr.row.SQNR = Decibels(pr.single.db()), Decibels(pr.net.db())
		rep.Layers = append(rep.Layers, pr.row)
	}
	sort.SliceStable(rep.Layers, func(i, j int) bool { // NaN (no noise measured) last
		a, b := rep.Layers[i].Alone, rep.Layers[j].Alone
		return a < b || !math.IsNaN(float64(a)) && math.IsNaN(float64(b))
	})
	return rep, nil
}

// paramsRange is the range of real values uint8 parameters represent.
func paramsRange(p Params) [2]float32 {
	return [2]float32{p.Dequantize(0, 0), p.Dequantize(255, 0)}
}

// compare adds the noise of got against ref (each value passed through
// clip first, when given) to n.
func compare(n *noise, ref, got *ops.Tensor, clip func(float32) float32) error {
	if ref == nil || got == nil {
		return fmt.Errorf("not observed")
	}
	if ref.Type != onnx.Float || got.Type != onnx.Float {
		return nil
	}
	r, g := ref.F32()[:ref.Len()], got.F32()[:got.Len()]
	if len(r) != len(g) {
		return fmt.Errorf("%d values in the float model, %d in the quantized one", len(r), len(g))
	}
	for i, v := range r {
		if clip != nil {
			v = clip(v)
		}
		n.add(v, g[i])
	}
	return nil
}

// classScores reports whether t holds one image's scores: float32, at
// least 2 values, on one axis.
func classScores(t *ops.Tensor) bool {
	big := 0
	for _, d := range t.Shape {
		if d > 1 {
			big++
		}
	}
	return t.Type == onnx.Float && big == 1
}

// argmax is the index of t's largest value (the first among equals).
func argmax(t *ops.Tensor) int {
	best := 0
	v := t.F32()[:t.Len()]
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// WriteText writes the report for a terminal: the agreement, the
// outputs' SQNR and the worst layers (all when worst < 0).
func (r *Report) WriteText(w io.Writer, worst int) error {
	var b strings.Builder
	fmt.Fprintf(&b, "quantized %s", counts(r.Quantized))
	if r.Fused > 0 {
		fmt.Fprintf(&b, " (%d Relu/Clip fused)", r.Fused)
	}
	if len(r.Float) > 0 {
		fmt.Fprintf(&b, "; left in float: %s", counts(r.Float))
	}
	b.WriteString("\n")
	weights := "per-tensor"
	if r.PerChannel {
		weights = "per-channel"
	}
	fmt.Fprintf(&b, "int8 %s weights, uint8 activations calibrated with %s on %d samples\n", weights, r.Method, r.Samples)
	if r.Top1 != nil {
		fmt.Fprintf(&b, "top-1 agreement with float: %d of %d (%.1f%%)\n", r.Top1.Agree, r.Top1.Total, 100*float64(r.Top1.Agree)/float64(max(r.Top1.Total, 1)))
	}
	for _, o := range r.Outputs {
		fmt.Fprintf(&b, "output %s: SQNR %s dB\n", o.Name, o.SQNR)
	}
	rows := r.Layers
	if worst >= 0 && worst < len(rows) {
		rows = rows[:worst]
	}
	if len(rows) > 0 {
		fmt.Fprintf(&b, "worst layers, each run alone on the float inputs (SQNR in dB, higher is better; %d layers in all):\n", len(r.Layers))
		width := len("node")
		for _, l := range rows {
			width = max(width, len(l.Node))
		}
		fmt.Fprintf(&b, "  %-*s  %-22s %8s %8s %8s %8s\n", width, "node", "op", "alone", "weights", "output", "network")
		for _, l := range rows {
			fmt.Fprintf(&b, "  %-*s  %-22s %8s %8s %8s %8s\n", width, l.Node, l.Op, l.Alone, l.Weights, l.Own, l.SQNR)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// counts formats operator counts as "26 Conv, 8 Concat", largest first.
func counts(m map[string]int) string {
	keys := sortedKeys(m)
	sort.SliceStable(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", m[k], k)
	}
	return strings.Join(parts, ", ")
}
