package quantize

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// observer runs a model with intermediate tensors added to its graph
// outputs, so that a run returns them too. (The runtime keeps every
// graph output alive to the end of a run, so a run's memory grows by the
// tensors observed.)
type observer struct {
	m      *runtime.Model
	sess   *runtime.Session
	inputs []string       // the graph inputs' names, in order
	index  map[string]int // output index of each observed tensor
}

// newObserver loads a copy of p whose outputs are p's followed by the
// tensors names lists (the graph inputs and p's own outputs are observed
// without being added).
func newObserver(p *onnx.Model, names []string, opts []runtime.Option) (*observer, error) {
	c := *p
	g := *p.Graph
	g.Outputs = append([]*onnx.ValueInfo(nil), p.Graph.Outputs...)
	c.Graph = &g
	o := &observer{index: map[string]int{}}
	for i, vi := range g.Outputs {
		o.index[vi.Name] = i
	}
	inits := map[string]bool{}
	for _, t := range g.Initializer {
		inits[t.Name] = true
	}
	for _, vi := range g.Inputs {
		if !inits[vi.Name] {
			o.inputs = append(o.inputs, vi.Name)
		}
	}
	for _, name := range names {
		if _, ok := o.index[name]; !ok && !slices.Contains(o.inputs, name) {
			o.index[name] = len(g.Outputs)
			g.Outputs = append(g.Outputs, &onnx.ValueInfo{Name: name})
		}
	}
	m, err := runtime.LoadModel(&c, opts...)
	if err != nil {
		return nil, err
	}
	o.m, o.sess = m, m.NewSession()
	return o, nil
}

func (o *observer) close() { o.m.Close() }

// observation is one run's outputs, valid until the observer's next run.
type observation struct {
	o    *observer
	ins  []*ops.Tensor
	outs []*ops.Tensor
}

// run runs the model on ins (one per graph input).
func (o *observer) run(ctx context.Context, ins ...*ops.Tensor) (observation, error) {
	outs, err := o.sess.Run(ctx, ins)
	return observation{o, ins, outs}, err
}

// get returns the tensor called name (an input, or an output), or nil
// when it was not observed.
func (ob observation) get(name string) *ops.Tensor {
	if i := slices.Index(ob.o.inputs, name); i >= 0 {
		return ob.ins[i]
	}
	if i, ok := ob.o.index[name]; ok {
		return ob.outs[i]
	}
	return nil
}

// tensorStats gathers what calibration learns of one tensor.
type tensorStats struct {
	typ      onnx.DataType
	min, max float32
	hist     *Histogram
}

// extremes updates s with t's type and, for float32 values, their
// extremes; a NaN or infinite value is an error.
func (s *tensorStats) extremes(t *ops.Tensor) error {
	s.typ = t.Type
	if t.Type != onnx.Float {
		return nil
	}
	lo, hi := s.min, s.max
	for _, v := range t.F32()[:t.Len()] {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("has a non-finite value (%v)", v)
		}
		lo, hi = min(lo, v), max(hi, v)
	}
	s.min, s.max = lo, hi
	return nil
}

// newStats returns empty stats for each name.
func newStats(names []string) map[string]*tensorStats {
	st := make(map[string]*tensorStats, len(names))
	for _, n := range names {
		st[n] = &tensorStats{min: float32(math.Inf(1)), max: float32(math.Inf(-1))}
	}
	return st
}

// startHistogram gives s the empty histogram method m counts in: signed
// values over [min, max] for Percentile, absolute values over
// [0, max |x|] for Entropy.
func (s *tensorStats) startHistogram(m Method, bins int) {
	if m == Entropy {
		s.hist = NewHistogram(0, math.Max(math.Abs(float64(s.min)), math.Abs(float64(s.max))), bins)
		return
	}
	s.hist = NewHistogram(float64(s.min), float64(s.max), bins)
}

// count adds t's values to s's histogram.
func (s *tensorStats) count(m Method, t *ops.Tensor) {
	if m == Entropy {
		s.hist.AddAbs(t.F32()[:t.Len()])
	} else {
		s.hist.Add(t.F32()[:t.Len()])
	}
}

// rangeOf is the quantization range method m picks from s.
func (s *tensorStats) rangeOf(m Method, percentile float64) [2]float32 {
	switch m {
	case Percentile:
		lo, hi := PercentileRange(s.hist, percentile)
		return [2]float32{lo, hi}
	case Entropy:
		levels := 128 // two-signed values: 8 bits share both signs
		if s.min >= 0 || s.max <= 0 {
			levels = 256
		}
		t := float32(EntropyThreshold(s.hist, levels))
		return [2]float32{max(s.min, -t), min(s.max, t)}
	}
	return [2]float32{s.min, s.max}
}
