package quantize

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/preprocess"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// Options configure Quantize. The zero value calibrates with MinMax and
// quantizes weights per tensor.
type Options struct {
	Method Method
	// Percentile is the percentage of values the Percentile method keeps
	// (default DefaultPercentile): at most (100-Percentile)/2 percent of
	// them saturate at each end.
	Percentile float64
	// Bins is the number of histogram bins of the Percentile and Entropy
	// methods (default DefaultBins).
	Bins int
	// PerChannel quantizes weights with one scale per output channel
	// instead of one per tensor.
	PerChannel bool
	// Exclude names nodes to leave in float: a node's name, or its first
	// output's for a node without one.
	Exclude []string
	// Preprocess replaces the preprocessing image sources get, which is
	// otherwise read from the model as edgeinfer's classification reads
	// it (preprocess.Auto on the input's shape and the producer's name).
	// Preset, when set, overrides the normalisation either way.
	Preprocess *preprocess.Options
	Preset     *preprocess.Preset
	// Threads is the number of threads a run uses (0: all CPUs).
	Threads int
	// RuntimeOptions are passed to runtime.LoadModel for the calibration
	// and evaluation runs (runtime.WithLimits, say: they run the model with
	// every observed tensor kept to the end of the run).
	RuntimeOptions []runtime.Option
	// Progress, when set, is called before the first sample of each pass
	// over the calibration set and after each sample.
	Progress func(Progress)
}

// Progress is where a Quantize call is.
type Progress struct {
	// Pass names the pass ("ranges", "histograms", "evaluation"); Passes
	// is their number (2 or 3) and Index this one's, from 1.
	Pass          string
	Index, Passes int
	// Done samples of Total are through this pass.
	Done, Total int
}

// Result is a quantized model and how it compares with the float one.
type Result struct {
	// Model is the QDQ model: write it with onnx.WriteFile. It shares no
	// memory with the float model (which may be closed).
	Model *onnx.Model
	// Report compares it with the float model on the calibration set.
	Report *Report
	// Tensors are the parameters of each quantized activation, by name
	// (for an activation fused into its producer: its output's name).
	Tensors map[string]Params
}

// Quantize quantizes the float model m (which it does not modify) with
// the calibration samples of src, and compares the result with m on
// them. It runs m over the samples once to find the tensors' extremes,
// once more to histogram them for the Percentile and Entropy methods,
// then both models once to compare them.
func Quantize(ctx context.Context, m *onnx.Model, src Source, opt Options) (*Result, error) {
	opt, err := opt.resolved()
	if err != nil {
		return nil, err
	}
	p, err := prepare(m)
	if err != nil {
		return nil, fmt.Errorf("quantize: %w", err)
	}
	exclude, err := excludeSet(m, p, opt.Exclude)
	if err != nil {
		return nil, err
	}
	if !hasWeights(p, exclude) {
		return nil, errNothingToQuantize(exclude)
	}
	if src == nil || src.Len() <= 0 {
		return nil, fmt.Errorf("quantize: empty calibration set: %w", ErrNoCalibration)
	}
	c := &calibration{ctx: ctx, p: p, src: src, opt: opt, passes: 2}
	if opt.Method.histogrammed() {
		c.passes = 3
	}
	if err := c.start(); err != nil {
		return nil, err
	}
	q, err := cloneModel(p)
	if err != nil {
		return nil, err
	}
	pl := decide(newEditor(q), c.types(), exclude, opt.PerChannel)
	if pl.weighted == 0 {
		return nil, errNothingToQuantize(exclude)
	}
	ranges, err := c.ranges(pl)
	if err != nil {
		return nil, err
	}
	if err := pl.setParams(ranges); err != nil {
		return nil, err
	}
	rw, err := pl.rewrite()
	if err != nil {
		return nil, fmt.Errorf("quantize: %w", err)
	}
	rep, err := c.evaluate(rw, q)
	if err != nil {
		return nil, err
	}
	rep.Excluded = append([]string(nil), opt.Exclude...)
	out, err := detached(q)
	if err != nil {
		return nil, fmt.Errorf("quantize: %w", err)
	}
	res := &Result{Model: out, Report: rep, Tensors: map[string]Params{}}
	for name, a := range pl.acts {
		res.Tensors[name] = a.params
	}
	return res, nil
}

// hasWeights reports whether p has a Conv, Gemm or MatMul outside
// exclude whose second input is an initializer: something quantize may
// find to quantize once it knows the tensors' types.
func hasWeights(p *onnx.Model, exclude map[string]bool) bool {
	inits := map[string]bool{}
	for _, t := range p.Graph.Initializer {
		inits[t.Name] = true
	}
	for _, n := range p.Graph.Nodes {
		if defaultDomain(n) && weightedOps[n.OpType] && !exclude[n.Name] && inits[input(n, 1)] {
			return true
		}
	}
	return false
}

func errNothingToQuantize(exclude map[string]bool) error {
	where := ""
	if len(exclude) > 0 {
		where = " outside the excluded nodes"
	}
	return fmt.Errorf("quantize: the model has no Conv, Gemm or MatMul with constant weights to quantize%s: %w", where, ErrUnsupportedModel)
}

// resolved fills in defaults and checks the fields.
func (o Options) resolved() (Options, error) {
	if o.Percentile == 0 {
		o.Percentile = DefaultPercentile
	}
	if o.Bins == 0 {
		o.Bins = DefaultBins
	}
	switch {
	case o.Method < MinMax || o.Method > Entropy:
		return o, fmt.Errorf("quantize: unknown method %v", o.Method)
	case !(o.Percentile > 0 && o.Percentile <= 100):
		return o, fmt.Errorf("quantize: percentile %g: want 0 < percentile <= 100", o.Percentile)
	case o.Bins < 16 || o.Bins > MaxBins:
		return o, fmt.Errorf("quantize: %d histogram bins: want 16 to %d", o.Bins, MaxBins)
	case o.Threads < 0:
		return o, fmt.Errorf("quantize: %d threads: want 0 (all CPUs) or more", o.Threads)
	}
	return o, nil
}

// excludeSet checks that every name in exclude names a node of the
// prepared model p; a node of m that preparing removed is named as such.
func excludeSet(m, p *onnx.Model, exclude []string) (map[string]bool, error) {
	names := map[string]bool{}
	for _, n := range p.Graph.Nodes {
		names[n.Name] = true
	}
	removed := map[string]bool{}
	for _, n := range m.Graph.Nodes {
		removed[nodeName(n)] = !names[nodeName(n)]
	}
	set := map[string]bool{}
	var unknown []string
	for _, x := range exclude {
		switch {
		case removed[x]:
			return nil, fmt.Errorf("quantize: exclude: node %q is folded away before quantizing (BatchNormalization into its Conv, Dropout and Identity removed); exclude its neighbour: %w", x, ErrUnknownNode)
		case !names[x]:
			unknown = append(unknown, fmt.Sprintf("%q", x))
		}
		set[x] = true
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("quantize: exclude: the model has no node %s (a node without a name goes by its first output's): %w",
			strings.Join(unknown, ", "), ErrUnknownNode)
	}
	return set, nil
}

// calibration runs the passes of one Quantize call.
type calibration struct {
	ctx    context.Context
	p      *onnx.Model // the prepared float model
	src    Source
	opt    Options
	prep   preprocess.Options
	rank3  bool // the input has no batch axis
	passes int
	pass   int
	stats  map[string]*tensorStats
}

// runtimeOptions are the options models are loaded with.
func (c *calibration) runtimeOptions() []runtime.Option {
	opts := append([]runtime.Option(nil), c.opt.RuntimeOptions...)
	if c.opt.Threads > 0 {
		opts = append(opts, runtime.WithThreads(c.opt.Threads))
	}
	return opts
}

// start checks the model's input, picks the preprocessing, and runs the
// first pass: the types and extremes of every tensor quantization may
// touch.
func (c *calibration) start() error {
	inits := map[string]bool{}
	for _, t := range c.p.Graph.Initializer {
		inits[t.Name] = true
	}
	seen := map[string]bool{"": true}
	var names []string
	for _, n := range c.p.Graph.Nodes {
		if !candidate(n) {
			continue
		}
		for _, s := range append(append([]string(nil), n.Inputs...), n.Outputs...) {
			if !seen[s] && !inits[s] {
				seen[s] = true
				names = append(names, s)
			}
		}
	}
	o, err := newObserver(c.p, names, c.runtimeOptions())
	if err != nil {
		return fmt.Errorf("quantize: %w", err)
	}
	defer o.close()
	if err := c.checkInput(o.m); err != nil {
		return err
	}
	for _, in := range o.inputs {
		if !seen[in] {
			names = append(names, in)
		}
	}
	c.stats = newStats(names)
	return c.each("ranges", func(obs ...observation) error {
		for _, name := range names {
			if t := obs[0].get(name); t != nil {
				if err := c.stats[name].extremes(t); err != nil {
					return fmt.Errorf("tensor %q %w", name, err)
				}
			}
		}
		return nil
	}, o)
}

// checkInput checks that m has one float32 input and, for a source of
// images, resolves the preprocessing for it.
func (c *calibration) checkInput(m *runtime.Model) error {
	ins := m.Inputs()
	if len(ins) != 1 {
		return fmt.Errorf("quantize: the model has %d inputs; quantize calibrates models with one input: %w", len(ins), ErrUnsupportedModel)
	}
	in := ins[0]
	if in.Type != onnx.Float {
		return fmt.Errorf("quantize: input %q is %s; quantize calibrates float32 inputs: %w", in.Name, in.String(), ErrUnsupportedModel)
	}
	c.rank3 = len(in.Dims) == 3
	if _, ok := c.src.(imageSampler); !ok {
		return nil
	}
	if c.opt.Preprocess != nil {
		c.prep = *c.opt.Preprocess
	} else {
		dims := in.Dims
		if dims == nil {
			dims = []int64{-1, -1, -1, -1}
		}
		var err error
		if c.prep, err = preprocess.Auto(dims, c.p.ProducerName); err != nil {
			return fmt.Errorf("quantize: input %q %s is not an image, so images cannot calibrate it (%w): %w", in.Name, in.String(), err, ErrUnsupportedModel)
		}
	}
	if c.opt.Preset != nil {
		c.prep.Preset = *c.opt.Preset
	}
	c.prep.Threads = c.opt.Threads
	return nil
}

// types returns the element type of each tensor the first pass saw.
func (c *calibration) types() map[string]onnx.DataType {
	t := make(map[string]onnx.DataType, len(c.stats))
	for name, s := range c.stats {
		t[name] = s.typ
	}
	return t
}

// ranges returns the calibrated range of each activation pl quantizes
// with its own range: from the first pass's extremes, or a histogram
// pass.
func (c *calibration) ranges(pl *plan) (map[string][2]float32, error) {
	var names []string
	for _, name := range pl.order {
		if pl.acts[name].sameAs == "" {
			names = append(names, name)
		}
	}
	m := c.opt.Method
	if m.histogrammed() {
		for _, name := range names {
			s := c.stats[name]
			if s.min > s.max { // no values
				s.min, s.max = 0, 0
			}
			s.startHistogram(m, c.opt.Bins)
		}
		o, err := newObserver(c.p, names, c.runtimeOptions())
		if err != nil {
			return nil, fmt.Errorf("quantize: %w", err)
		}
		defer o.close()
		err = c.each("histograms", func(obs ...observation) error {
			for _, name := range names {
				c.stats[name].count(m, obs[0].get(name))
			}
			return nil
		}, o)
		if err != nil {
			return nil, err
		}
	}
	r := make(map[string][2]float32, len(names))
	for _, name := range names {
		r[name] = c.stats[name].rangeOf(m, c.opt.Percentile)
	}
	return r, nil
}

// each runs the models of obs on every sample in turn and calls fn with
// the observations (one per model), reporting progress as pass.
func (c *calibration) each(pass string, fn func(...observation) error, obs ...*observer) error {
	c.pass++
	n := c.src.Len()
	progress := func(done int) {
		if c.opt.Progress != nil {
			c.opt.Progress(Progress{Pass: pass, Index: c.pass, Passes: c.passes, Done: done, Total: n})
		}
	}
	progress(0)
	res := make([]observation, len(obs))
	for i := range n {
		if err := c.ctx.Err(); err != nil {
			return fmt.Errorf("quantize: %w", err)
		}
		s, err := c.src.Sample(i, c.prep)
		if err == nil && s.Input == nil {
			err = errors.New("no input tensor")
		}
		if err != nil {
			return &SampleError{Index: i, Name: s.Name, Err: err}
		}
		in := s.Input
		if c.rank3 && len(in.Shape) == 4 && in.Shape[0] == 1 {
			in = &ops.Tensor{Type: in.Type, Shape: in.Shape[1:], Data: in.Data}
		}
		for k, o := range obs {
			if res[k], err = o.run(c.ctx, in); err != nil {
				return &SampleError{Index: i, Name: s.Name, Err: err}
			}
		}
		if err := fn(res...); err != nil {
			return &SampleError{Index: i, Name: s.Name, Err: err}
		}
		progress(i + 1)
	}
	return nil
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
