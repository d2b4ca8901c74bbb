package attention

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// linearCase is one LinearAttention for the reference comparison.
type linearCase struct {
	rule                     string
	b, t, hq, hkv, dk, dv    int
	past, keyDecay, headBeta bool
	scale                    float32
}

// refLinear runs the spec's recurrence in float64, the state as a d_k x
// d_v matrix per key/value head.
func refLinear(c *linearCase, q, k, v, past, decay, beta []float64) (y, state []float64) {
	gated, delta := c.rule == "gated" || c.rule == "gated_delta", c.rule == "delta" || c.rule == "gated_delta"
	y, state = make([]float64, c.b*c.t*c.hq*c.dv), make([]float64, c.b*c.hkv*c.dk*c.dv)
	if past != nil {
		copy(state, past)
	}
	scale := 1 / math.Sqrt(float64(c.dk))
	if c.scale != 0 {
		scale = float64(c.scale)
	}
	for b := range c.b {
		for h := range c.hkv {
			S := state[(b*c.hkv+h)*c.dk*c.dv:][:c.dk*c.dv]
			for t := range c.t {
				kt := k[((b*c.t+t)*c.hkv+h)*c.dk:][:c.dk]
				vt := v[((b*c.t+t)*c.hkv+h)*c.dv:][:c.dv]
				if gated {
					for i := range c.dk {
						g := decay[(b*c.t+t)*c.hkv+h]
						if c.keyDecay {
							g = decay[((b*c.t+t)*c.hkv+h)*c.dk+i]
						}
						for m := range c.dv {
							S[i*c.dv+m] *= math.Exp(g)
						}
					}
				}
				u := append([]float64(nil), vt...)
				if delta {
					bt := beta[b*c.t+t]
					if c.headBeta {
						bt = beta[(b*c.t+t)*c.hkv+h]
					}
					for m := range c.dv {
						var r float64
						for i := range c.dk {
							r += S[i*c.dv+m] * kt[i]
						}
						u[m] = bt * (vt[m] - r)
					}
				}
				for i := range c.dk {
					for m := range c.dv {
						S[i*c.dv+m] += kt[i] * u[m]
					}
				}
				for hq := h * c.hq / c.hkv; hq < (h+1)*c.hq/c.hkv; hq++ {
					qt := q[((b*c.t+t)*c.hq+hq)*c.dk:][:c.dk]
					for m := range c.dv {
						var o float64
						for i := range c.dk {
							o += qt[i] * S[i*c.dv+m]
						}
						y[((b*c.t+t)*c.hq+hq)*c.dv+m] = scale * o
					}
				}
			}
		}
	}
	return y, state
}

// TestLinearReference compares every update rule with the reference over
// GQA, decay per key or per head, beta per head or shared, a past state
// and explicit scales, on several Parallels.
func TestLinearReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, c := range []linearCase{
		{rule: "linear", b: 2, t: 5, hq: 3, hkv: 3, dk: 4, dv: 5},
		{rule: "gated", b: 1, t: 4, hq: 4, hkv: 2, dk: 3, dv: 6, past: true, keyDecay: true},
		{rule: "gated", b: 2, t: 3, hq: 2, hkv: 2, dk: 5, dv: 3},
		{rule: "delta", b: 2, t: 6, hq: 6, hkv: 3, dk: 4, dv: 4, headBeta: true, scale: 0.5},
		{rule: "delta", b: 1, t: 2, hq: 2, hkv: 1, dk: 7, dv: 2, past: true},
		{rule: "gated_delta", b: 3, t: 1, hq: 4, hkv: 4, dk: 8, dv: 8, past: true, keyDecay: true, headBeta: true},
		{rule: "gated_delta", b: 2, t: 7, hq: 8, hkv: 1, dk: 6, dv: 9, headBeta: false},
		{rule: "linear", b: 2, t: 0, hq: 2, hkv: 2, dk: 3, dv: 3, past: true},
	} {
		label := fmt.Sprintf("%+v", c)
		l2 := func(shape ...int) *ops.Tensor { // keys normalized per head, as the delta rules expect
			x := opstest.Rand(rng, shape...)
			v := x.F32()
			for i := 0; i < len(v); i += c.dk {
				var n float64
				for _, e := range v[i : i+c.dk] {
					n += float64(e * e)
				}
				for j := range v[i : i+c.dk] {
					v[i+j] /= float32(math.Sqrt(n) + 1e-6)
				}
			}
			return x
		}
		ins := []*ops.Tensor{opstest.Rand(rng, c.b, c.t, c.hq*c.dk), l2(c.b, c.t, c.hkv*c.dk), opstest.Rand(rng, c.b, c.t, c.hkv*c.dv), nil, nil, nil}
		if c.past {
			ins[inState] = opstest.Rand(rng, c.b, c.hkv, c.dk, c.dv)
		}
		if c.rule == "gated" || c.rule == "gated_delta" {
			w := c.hkv
			if c.keyDecay {
				w *= c.dk
			}
			ins[inDecay] = opstest.Rand(rng, c.b, c.t, w)
			for i, x := range ins[inDecay].F32() {
				ins[inDecay].F32()[i] = -0.2 * float32(math.Abs(float64(x)))
			}
		}
		if c.rule == "delta" || c.rule == "gated_delta" {
			w := 1
			if c.headBeta {
				w = c.hkv
			}
			ins[inBeta] = opstest.Rand(rng, c.b, c.t, w)
		}
		for len(ins) > 3 && ins[len(ins)-1] == nil {
			ins = ins[:len(ins)-1]
		}
		f := func(i int) []float64 {
			if i < len(ins) && ins[i] != nil {
				return opstest.WidenF64(ins[i].F32())
			}
			return nil
		}
		wy, ws := refLinear(&c, f(inQuery), f(inKey), f(inValue), f(inState), f(inDecay), f(inBeta))
		attrs := []*onnx.Attribute{opstest.String("update_rule", c.rule), opstest.Int("q_num_heads", c.hq), opstest.Int("kv_num_heads", c.hkv)}
		if c.scale != 0 {
			attrs = append(attrs, opstest.Float("scale", c.scale))
		}
		for _, par := range []ops.Parallel{ops.Serial{}, opstest.Par{N: 3}, opstest.ChunkPar{Size: 2}} {
			op, err := ops.Build(opstest.NodeOf("LinearAttention", ins, 2, attrs...), 27)
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			outs, err := opstest.Exec(op, ins, nil, par)
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			closeTo(t, label+" output", values(outs[0]), wy)
			closeTo(t, label+" present_state", values(outs[1]), ws)
		}
	}
}

// TestLinearErrors checks that invalid attributes and inputs are refused
// with errors naming them.
func TestLinearErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	q, k, v := opstest.Rand(rng, 2, 3, 16), opstest.Rand(rng, 2, 3, 8), opstest.Rand(rng, 2, 3, 6)
	decay, beta := opstest.Rand(rng, 2, 3, 8), opstest.Rand(rng, 2, 3, 2)
	heads := []*onnx.Attribute{opstest.Int("q_num_heads", 4), opstest.Int("kv_num_heads", 2)}
	for _, c := range []struct {
		label string
		ins   []*ops.Tensor
		attrs []*onnx.Attribute
		frags []string
	}{
		{"rule", []*ops.Tensor{q, k, v}, append([]*onnx.Attribute{opstest.String("update_rule", "mamba")}, heads...), []string{"update_rule", "mamba"}},
		{"heads", []*ops.Tensor{q, k, v}, []*onnx.Attribute{opstest.Int("q_num_heads", 4)}, []string{"kv_num_heads", "required"}},
		{"multiple", []*ops.Tensor{q, k, v}, []*onnx.Attribute{opstest.Int("q_num_heads", 4), opstest.Int("kv_num_heads", 3)}, []string{"multiple"}},
		{"chunk", []*ops.Tensor{q, k, v, nil, decay, beta}, append([]*onnx.Attribute{opstest.Int("chunk_size", 0)}, heads...), []string{"chunk_size"}},
		{"no decay", []*ops.Tensor{q, k, v, nil, nil, beta}, heads, []string{"\"decay\"", "gated"}},
		{"extra beta", []*ops.Tensor{q, k, v, nil, decay, beta}, append([]*onnx.Attribute{opstest.String("update_rule", "gated")}, heads...), []string{"\"beta\"", "delta"}},
		{"key", []*ops.Tensor{q, opstest.Rand(rng, 2, 3, 6), v, nil, decay, beta}, heads, []string{"do not agree"}},
		{"decay shape", []*ops.Tensor{q, k, v, nil, opstest.Rand(rng, 2, 3, 4), beta}, heads, []string{"\"decay\"", "[2 3 4]"}},
		{"beta shape", []*ops.Tensor{q, k, v, nil, decay, opstest.Rand(rng, 2, 3, 3)}, heads, []string{"\"beta\"", "[2 3 3]"}},
		{"state shape", []*ops.Tensor{q, k, v, opstest.Rand(rng, 2, 2, 4, 4), decay, beta}, heads, []string{"past_state", "want [2 2 4 3]"}},
		{"rank", []*ops.Tensor{opstest.Rand(rng, 3, 16), k, v, nil, decay, beta}, heads, []string{"3-D"}},
		{"type", []*ops.Tensor{toF64([]*ops.Tensor{q})[0], k, v, nil, decay, beta}, heads, []string{"\"query\"", "float64"}},
	} {
		_, err := opstest.Eval(opstest.NodeOf("LinearAttention", c.ins, 2, c.attrs...), 27, c.ins...)
		opstest.WantErr(t, c.label, err, c.frags...)
	}
}

// TestLinearOutputOnly runs a node without present_state.
func TestLinearOutputOnly(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	c := linearCase{rule: "linear", b: 2, t: 3, hq: 2, hkv: 2, dk: 3, dv: 4}
	ins := []*ops.Tensor{opstest.Rand(rng, 2, 3, 6), opstest.Rand(rng, 2, 3, 6), opstest.Rand(rng, 2, 3, 8)}
	want, _ := refLinear(&c, opstest.WidenF64(ins[0].F32()), opstest.WidenF64(ins[1].F32()), opstest.WidenF64(ins[2].F32()), nil, nil, nil)
	outs, err := opstest.Eval(opstest.NodeOf("LinearAttention", ins, 1, opstest.String("update_rule", "linear"),
		opstest.Int("q_num_heads", 2), opstest.Int("kv_num_heads", 2)), 27, ins...)
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 {
		t.Fatalf("%d outputs, want 1", len(outs))
	}
	closeTo(t, "output", values(outs[0]), want)
}
