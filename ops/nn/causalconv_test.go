package nn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestCausalConvReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	for _, c := range []struct {
		batch, chans, length, k int
		bias, past              bool
		act                     string
	}{
		{2, 3, 8, 4, false, false, "none"},
		{1, 5, 2, 5, true, true, "silu"},  // shorter than the state
		{3, 2, 1, 4, true, true, "swish"}, // one decode step
		{2, 4, 7, 1, false, true, "none"}, // no state at all
		{1, 1, 9, 3, true, false, "none"},
	} {
		s := c.k - 1
		x := opstest.Rand(rng, c.batch, c.chans, c.length)
		w := opstest.Rand(rng, c.chans, 1, c.k)
		ins := []*ops.Tensor{x, w, nil, nil}
		if c.bias {
			ins[2] = opstest.Rand(rng, c.chans)
		}
		if c.past {
			ins[3] = opstest.Rand(rng, c.batch, c.chans, s)
		}
		want := make([]float32, c.batch*c.chans*c.length)
		wantState := make([]float32, c.batch*c.chans*s)
		for r := range c.batch * c.chans {
			ch := r % c.chans
			seq := make([]float32, s, s+c.length)
			if c.past {
				copy(seq, ins[3].F32()[r*s:])
			}
			seq = append(seq, x.F32()[r*c.length:][:c.length]...)
			for i := range c.length {
				var v float64
				if c.bias {
					v = float64(ins[2].F32()[ch])
				}
				for j := range c.k {
					v += float64(w.F32()[ch*c.k+j]) * float64(seq[i+j])
				}
				if c.act != "none" {
					v /= 1 + math.Exp(-v)
				}
				want[r*c.length+i] = float32(v)
			}
			copy(wantState[r*s:][:s], seq[len(seq)-s:])
		}
		for len(ins) > 2 && ins[len(ins)-1] == nil {
			ins = ins[:len(ins)-1]
		}
		op, err := ops.Build(opstest.NodeOf("CausalConvWithState", ins, 2, opstest.String("activation", c.act)), 27)
		if err != nil {
			t.Fatal(err)
		}
		got, err := opstest.Exec(op, ins, nil, opstest.Par{N: 2})
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		opstest.Close(t, "output", got[0].F32(), want, 1e-5, 1e-6)
		opstest.Close(t, "present_state", got[1].F32(), wantState, 0, 0)
	}
}

func TestCausalConvErrors(t *testing.T) {
	f := func(s ...int) *ops.Tensor { return ops.New(onnx.Float, s...) }
	for _, c := range []struct {
		ins   []*ops.Tensor
		attrs []*onnx.Attribute
		want  string
	}{
		{[]*ops.Tensor{f(1, 2, 3), f(2, 1, 2)}, []*onnx.Attribute{opstest.String("activation", "relu")}, "activation"},
		{[]*ops.Tensor{f(1, 2, 3), f(3, 1, 2)}, nil, "weight"},
		{[]*ops.Tensor{f(2, 3), f(2, 1, 2)}, nil, "\"input\""},
		{[]*ops.Tensor{f(1, 2, 3), f(2, 1, 2), f(3)}, nil, "bias"},
		{[]*ops.Tensor{f(1, 2, 3), f(2, 1, 3), nil, f(1, 2, 1)}, nil, "past_state"},
	} {
		op, err := ops.Build(opstest.NodeOf("CausalConvWithState", c.ins, 2, c.attrs...), 27)
		if err == nil {
			_, err = opstest.Exec(op, c.ins, nil, ops.Serial{})
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error %v, want one naming %s", c.attrs, err, c.want)
		}
	}
}

func TestCausalConvNodeTests(t *testing.T) {
	if n := opstest.AllNodeTests(t, "test_causal_conv_with_state*"); n != 13 {
		t.Errorf("%d CausalConvWithState node tests passed, want 13", n)
	}
}
