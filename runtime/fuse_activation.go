package runtime

import (
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// fuseActivations merges a Relu, a Clip with constant bounds or a
// LeakyRelu into the operator computing its input when that operator can
// apply it as it stores its output (ops.ActFuser: Conv, Gemm, and a Conv
// with a residual Add fused). The producer's output must feed only the
// activation and not be a graph output. The fused step writes the
// activation's output.
func (pl *planner) fuseActivations() {
	uses := pl.consumers()
	producer := pl.producers()
	for i, s := range pl.steps {
		pl.at = s.key.n.proto
		act, ok := pl.activation(s)
		if !ok {
			continue
		}
		x := s.in[0]
		ci, ok := producer[x]
		if !ok || uses[x] != 1 || pl.isOut(x) {
			continue
		}
		c := pl.steps[ci]
		if c == nil || c.key.act.Kind != ops.ActNone || len(c.out) != 1 {
			continue
		}
		k := c.key
		k.act = act
		if pl.m.variant(k) == nil {
			continue
		}
		c.key = k
		c.fused = append(append([]*node{}, c.fused...), s.key.n)
		c.out = s.out
		producer[s.out[0]] = ci
		pl.steps[i] = nil
	}
	pl.compact()
}

// activation returns the fusable activation step s computes on its Float
// input 0, if it is one.
func (pl *planner) activation(s *step) (ops.Activation, bool) {
	n := s.key.n
	if len(s.fused) > 0 || len(s.in) == 0 || s.in[0] < 0 || len(s.out) != 1 || pl.vals[s.in[0]].Type != onnx.Float {
		return ops.Activation{}, false
	}
	a := ops.AttrsOf(n.proto)
	switch {
	case n.is("Relu"):
		return ops.Activation{Kind: ops.ActRelu}, true
	case n.is("LeakyRelu"):
		alpha := a.Float("alpha", 0.01)
		return ops.Activation{Kind: ops.ActLeakyRelu, Alpha: alpha}, a.Err() == nil
	case n.is("Clip"):
		lo, hi := float32(-math.MaxFloat32), float32(math.MaxFloat32)
		if n.opset < 11 {
			lo, hi = a.Float("min", lo), a.Float("max", hi)
			if a.Err() != nil {
				return ops.Activation{}, false
			}
		} else {
			var ok bool
			if lo, ok = pl.scalarInput(s, 1, lo); !ok {
				return ops.Activation{}, false
			}
			if hi, ok = pl.scalarInput(s, 2, hi); !ok {
				return ops.Activation{}, false
			}
		}
		// Clip with min > max (all values become max) and NaN bounds are left to the operator.
		if !(lo <= hi) {
			return ops.Activation{}, false
		}
		return ops.Activation{Kind: ops.ActClip, Min: lo, Max: hi}, true
	}
	return ops.Activation{}, false
}

// scalarInput reads s's optional input i as a constant Float scalar; def
// when omitted, false when not constant.
func (pl *planner) scalarInput(s *step, i int, def float32) (float32, bool) {
	if i >= len(s.in) || s.in[i] < 0 {
		return def, true
	}
	c := pl.vals[s.in[i]].Const
	if c == nil || c.Type != onnx.Float || c.Len() != 1 {
		return 0, false
	}
	return c.F32()[0], true
}
