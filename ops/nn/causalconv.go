package nn

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// CausalConvWithState (27), float32: a depthwise 1-D convolution over
// (batch, channels, length) that sees only current and past positions.
// The sequence convolved is past_state (k-1 positions, zeros when absent)
// followed by the input; output[t] = bias + sum over taps j of
// weight[j]*seq[t+j], then SiLU (x*sigmoid(x)) with activation "silu" or
// its alias "swish". present_state is the sequence's last k-1 positions.
func init() {
	ops.Register("", "CausalConvWithState", 27, buildCausalConv)
}

// causalConvOp is CausalConvWithState.
type causalConvOp struct{ silu bool }

func buildCausalConv(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	act := a.String("activation", "none")
	if err := a.Err(); err != nil {
		return nil, err
	}
	switch act {
	case "none", "silu", "swish":
	default:
		return nil, fmt.Errorf("attribute \"activation\" is %q, want none, silu or swish", act)
	}
	if len(n.Outputs) < 1 || len(n.Outputs) > 2 {
		return nil, fmt.Errorf("node has %d outputs, want 1 or 2", len(n.Outputs))
	}
	return &causalConvOp{silu: act != "none"}, nil
}

// Infer checks the inputs; output has input's shape, present_state
// (batch, channels, k-1).
func (op *causalConvOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 4); err != nil {
		return nil, err
	}
	for i, name := range []string{"input", "weight", "bias", "past_state"}[:len(in)] {
		if ops.HasInput(in, i) {
			if err := ops.CheckFloat(in[i], name, false); err != nil {
				return nil, err
			}
		}
	}
	x, w := in[0].Shape, in[1].Shape
	if len(x) != 3 {
		return nil, fmt.Errorf("input \"input\" has shape %v, want (batch, channels, length)", x)
	}
	if len(w) != 3 || w[0] != x[1] || w[1] != 1 || w[2] < 1 {
		return nil, fmt.Errorf("input \"weight\" has shape %v, want (%d, 1, k) with k >= 1", w, x[1])
	}
	state := []int{x[0], x[1], w[2] - 1}
	if ops.HasInput(in, 2) && !ops.SameShape(in[2].Shape, x[1:2]) {
		return nil, fmt.Errorf("input \"bias\" has shape %v, want [%d]", in[2].Shape, x[1])
	}
	if ops.HasInput(in, 3) && !ops.SameShape(in[3].Shape, state) {
		return nil, fmt.Errorf("input \"past_state\" has shape %v, want %v", in[3].Shape, state)
	}
	return []ops.Value{{Type: onnx.Float, Shape: x}, {Type: onnx.Float, Shape: state}}, nil
}

// Run computes the outputs.
func (op *causalConvOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind binds the loop over (batch, channel) rows.
func (op *causalConvOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x := in[0].Shape
	rows, k := x[0]*x[1], in[1].Shape[2]
	view := func(t []*ops.Tensor, i int) []float32 {
		if i < len(t) && t[i] != nil {
			return t[i].F32()
		}
		return nil
	}
	job := new(causalConvJob)
	return ops.BindLoop(ctx.Par, rows, max(1, ops.Grain/max(1, x[2]*k)), job, func() {
		*job = causalConvJob{
			x: in[0].F32(), w: in[1].F32(), bias: view(in, 2), past: view(in, 3),
			y: out[0].F32(), present: view(out, 1),
			chans: x[1], length: x[2], k: k, silu: op.silu,
		}
	}), nil
}

// causalConvJob convolves rows [lo, hi) (row r is batch r/chans, channel
// r%chans). bias, past and present are nil when absent.
type causalConvJob struct {
	x, w, bias, past, y, present []float32
	chans, length, k             int
	silu                         bool
}

func (j causalConvJob) Run(lo, hi int) {
	n, s := j.length, j.k-1
	for r := lo; r < hi; r++ {
		c := r % j.chans
		x, y, w := j.x[r*n:][:n], j.y[r*n:][:n], j.w[c*j.k:][:j.k]
		var past []float32
		if j.past != nil {
			past = j.past[r*s:][:s]
		}
		b := float32(0)
		if j.bias != nil {
			b = j.bias[c]
		}
		ops.Fill(y, b)
		// Tap t reads seq[i+t] for output i: past[i+t] while i+t < s,
		// then x[i+t-s].
		for t, wt := range w {
			split := min(max(s-t, 0), n) // outputs reading the past
			if past != nil {
				for i := range split {
					y[i] += wt * past[i+t]
				}
			}
			for i := split; i < n; i++ {
				y[i] += wt * x[i+t-s]
			}
		}
		if j.silu {
			for i, v := range y {
				y[i] = v / (1 + float32(math.Exp(float64(-v))))
			}
		}
		if j.present != nil {
			// The sequence's last s positions: the end of past, then x.
			dst := j.present[r*s:][:s]
			fromPast := max(s-n, 0)
			if past != nil {
				copy(dst[:fromPast], past[s-fromPast:])
			} else {
				clear(dst[:fromPast])
			}
			copy(dst[fromPast:], x[n-(s-fromPast):])
		}
	}
}
