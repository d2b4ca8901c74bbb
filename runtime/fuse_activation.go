package runtime

import (
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// fuseActivations merges an activation into the operator computing its
// input when that operator can apply it as it stores its output
// (ops.ActFuser: Conv, Gemm, and a Conv with a residual Add fused): Relu,
// a Clip with constant bounds, LeakyRelu, HardSwish and Swish, and the
// gated forms exporters write for the last two, x*HardSigmoid(x) and
// x*Sigmoid(x) (SiLU), a Mul of the producer's output and a HardSigmoid
// or Sigmoid of it. The producer's output must feed only the activation
// (and its gate) and not be a graph output, as must the gate's. The
// fused step writes the activation's output.
func (pl *planner) fuseActivations() {
	uses := pl.consumers()
	producer := pl.producers()
	for i, s := range pl.steps {
		if s == nil {
			continue
		}
		pl.at = s.key.n.proto
		act, x, gate, ok := pl.activation(s, producer, uses)
		if !ok {
			continue
		}
		reads := 1
		if gate >= 0 {
			reads = 2
		}
		ci, ok := producer[x]
		if !ok || uses[x] != reads || pl.isOut(x) {
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
		c.fused = append([]*node{}, c.fused...)
		if gate >= 0 {
			c.fused = append(c.fused, pl.steps[gate].key.n)
			pl.steps[gate] = nil
		}
		c.fused = append(c.fused, s.key.n)
		c.out = s.out
		producer[s.out[0]] = ci
		pl.steps[i] = nil
	}
	pl.compact()
}

// activation returns the fusable activation step s computes and the
// value it applies it to, x, a Float: on its input 0 for an activation
// operator; for a Mul of x and a gate of x (a HardSigmoid or Sigmoid step
// read by the Mul only), also the gate's step index (else -1).
func (pl *planner) activation(s *step, producer map[int]int, uses []int) (act ops.Activation, x, gate int, ok bool) {
	n := s.key.n
	if len(s.fused) > 0 || len(s.in) == 0 || s.in[0] < 0 || len(s.out) != 1 || pl.vals[s.in[0]].Type != onnx.Float {
		return act, 0, -1, false
	}
	x, gate = s.in[0], -1
	a := ops.AttrsOf(n.proto)
	switch {
	case n.is("Relu"):
		return ops.Activation{Kind: ops.ActRelu}, x, gate, true
	case n.is("LeakyRelu"):
		alpha := a.Float("alpha", 0.01)
		return ops.Activation{Kind: ops.ActLeakyRelu, Alpha: alpha}, x, gate, a.Err() == nil
	case n.is("HardSwish"):
		return ops.Activation{Kind: ops.ActHardSwish, Alpha: 1.0 / 6, Beta: 0.5}, x, gate, true
	case n.is("Swish"):
		alpha := a.Float("alpha", 1)
		return ops.Activation{Kind: ops.ActSwish, Alpha: alpha}, x, gate, a.Err() == nil
	case n.is("Clip"):
		act, ok = pl.clip(s, n, a)
		return act, x, gate, ok
	case n.is("Mul") && len(s.in) == 2:
		for side := range 2 {
			x, v := s.in[side], s.in[1-side]
			if act, gate, ok = pl.gateOf(x, v, producer, uses); ok {
				return act, x, gate, true
			}
		}
	}
	return act, 0, -1, false
}

// gateOf reports whether v is a gate of x: computed from x alone by a
// HardSigmoid or Sigmoid step (index gate) whose output only the Mul
// reads, and the activation x times it is.
func (pl *planner) gateOf(x, v int, producer map[int]int, uses []int) (act ops.Activation, gate int, ok bool) {
	gate, ok = producer[v]
	if !ok || x < 0 || uses[v] != 1 || pl.isOut(v) || pl.vals[x].Type != onnx.Float {
		return act, -1, false
	}
	g := pl.steps[gate]
	if g == nil || len(g.fused) > 0 || g.key.add || g.key.act.Kind != ops.ActNone || len(g.in) != 1 || g.in[0] != x {
		return act, -1, false
	}
	a := ops.AttrsOf(g.key.n.proto)
	switch {
	case g.key.n.is("Sigmoid"):
		return ops.Activation{Kind: ops.ActSwish, Alpha: 1}, gate, true
	case g.key.n.is("HardSigmoid"):
		alpha, beta := a.Float("alpha", 0.2), a.Float("beta", 0.5)
		return ops.Activation{Kind: ops.ActHardSwish, Alpha: alpha, Beta: beta}, gate, a.Err() == nil
	}
	return act, -1, false
}

// clip returns the activation of Clip step s with constant bounds.
func (pl *planner) clip(s *step, n *node, a *ops.Attrs) (ops.Activation, bool) {
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
