package attention

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// refRotary follows the spec's algorithm: view X as (batch, sequence,
// heads, head size), take each rotated pair and its angle, and write the
// rotated values back.
func refRotary(x, cos, sin []float32, pos []int64, b, h, l, d, rd int, threeD, interleaved bool) []float32 {
	y := append([]float32(nil), x...)
	half := rd / 2
	for bi := range b {
		for li := range l {
			t := bi*l + li
			if pos != nil {
				t = int(pos[t])
			}
			for hi := range h {
				off := ((bi*h+hi)*l + li) * d
				if threeD {
					off = ((bi*l+li)*h + hi) * d
				}
				for k := range half {
					i1, i2 := off+k, off+k+half
					if interleaved {
						i1, i2 = off+2*k, off+2*k+1
					}
					c, s := float64(cos[t*half+k]), float64(sin[t*half+k])
					x1, x2 := float64(x[i1]), float64(x[i2])
					y[i1], y[i2] = float32(c*x1-s*x2), float32(s*x1+c*x2)
				}
			}
		}
	}
	return y
}

// TestRotaryReference compares RotaryEmbedding with the reference in both
// layouts, interleaved or halves, partial rotation, with and without
// position_ids, also in place and in parallel (EwEval checks those agree).
func TestRotaryReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, c := range []struct {
		b, h, l, d, rd                 int
		threeD, interleaved, positions bool
	}{
		{2, 3, 5, 8, 0, false, false, true},
		{2, 3, 5, 8, 4, false, true, true},
		{1, 4, 7, 6, 6, true, false, false},
		{3, 2, 4, 10, 6, true, true, false},
		{2, 5, 33, 64, 32, false, false, true},
		{1, 1, 0, 4, 0, false, false, false},
	} {
		label := fmt.Sprintf("%+v", c)
		rd := c.rd
		if rd == 0 {
			rd = c.d
		}
		xs := []int{c.b, c.h, c.l, c.d}
		if c.threeD {
			xs = []int{c.b, c.l, c.h * c.d}
		}
		x := opstest.Rand(rng, xs...)
		var cos, sin, pos *ops.Tensor
		if c.positions {
			cos, sin = opstest.Rand(rng, 50, rd/2), opstest.Rand(rng, 50, rd/2)
			p := make([]int64, c.b*c.l)
			for i := range p {
				p[i] = rng.Int64N(50)
			}
			pos = opstest.Typed(opstest.Sh(c.b, c.l), p...)
		} else {
			cos, sin = opstest.Rand(rng, c.b, c.l, rd/2), opstest.Rand(rng, c.b, c.l, rd/2)
		}
		attrs := []*onnx.Attribute{opstest.Int("interleaved", map[bool]int{true: 1}[c.interleaved])}
		if c.rd != 0 {
			attrs = append(attrs, opstest.Int("rotary_embedding_dim", c.rd))
		}
		if c.threeD {
			attrs = append(attrs, opstest.Int("num_heads", c.h))
		}
		ins := []*ops.Tensor{x, cos, sin}
		var pv []int64
		if pos != nil {
			ins, pv = append(ins, pos), pos.I64()
		}
		outs, err := opstest.EwEval(t, "RotaryEmbedding", 23, 1, attrs, ins...)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		want := refRotary(x.F32(), cos.F32(), sin.F32(), pv, c.b, c.h, c.l, c.d, rd, c.threeD, c.interleaved)
		opstest.Close(t, label, outs[0].F32(), want, 1e-6, 1e-6)
	}
}

// TestRotaryErrors checks that invalid attributes and inputs are refused
// with errors naming them.
func TestRotaryErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	x, cos, sin := opstest.Rand(rng, 1, 2, 3, 8), opstest.Rand(rng, 10, 4), opstest.Rand(rng, 10, 4)
	pos := opstest.Typed(opstest.Sh(1, 3), int64(0), 3, 9)
	for _, c := range []struct {
		label string
		ins   []*ops.Tensor
		attrs []*onnx.Attribute
		frags []string
	}{
		{"dim odd", []*ops.Tensor{x, opstest.Rand(rng, 10, 2), opstest.Rand(rng, 10, 2), pos}, []*onnx.Attribute{opstest.Int("rotary_embedding_dim", 5)}, []string{"rotating 5", "even"}},
		{"dim big", []*ops.Tensor{x, cos, sin, pos}, []*onnx.Attribute{opstest.Int("rotary_embedding_dim", 10)}, []string{"rotating 10"}},
		{"3-D heads", []*ops.Tensor{opstest.Rand(rng, 1, 3, 16), cos, sin, pos}, nil, []string{"num_heads"}},
		{"3-D split", []*ops.Tensor{opstest.Rand(rng, 1, 3, 16), cos, sin, pos}, []*onnx.Attribute{opstest.Int("num_heads", 3)}, []string{"not a multiple of 3"}},
		{"rank", []*ops.Tensor{opstest.Rand(rng, 3, 16), cos, sin, pos}, nil, []string{"\"X\"", "3-D or 4-D"}},
		{"cache", []*ops.Tensor{x, opstest.Rand(rng, 10, 3), sin, pos}, nil, []string{"cos_cache", "want [10 4]"}},
		{"cache no pos", []*ops.Tensor{x, cos, sin}, nil, []string{"cos_cache", "want [1 3 4]"}},
		{"pos type", []*ops.Tensor{x, cos, sin, opstest.Typed(opstest.Sh(1, 3), int32(0), 1, 2)}, nil, []string{"position_ids", "int64[1 3]"}},
		{"pos range", []*ops.Tensor{x, cos, sin, opstest.Typed(opstest.Sh(1, 3), int64(0), 10, 2)}, nil, []string{"position_ids", "10", "10 positions"}},
		{"type", []*ops.Tensor{opstest.Typed(opstest.Sh(1, 1, 1, 2), 1.0, 2.0), cos, sin, pos}, nil, []string{"\"X\"", "float64"}},
	} {
		_, err := opstest.Eval(opstest.NodeOf("RotaryEmbedding", c.ins, 1, c.attrs...), 23, c.ins...)
		opstest.WantErr(t, c.label, err, c.frags...)
	}
}
