package array

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestReverseSequenceAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 30))
	for _, shape := range [][]int{{4, 4}, {5, 3, 2}, {2, 6, 3, 2}, {1, 1}, {3, 2, 0}} {
		for time := range 2 {
			batch := 1 - time
			x := opstest.RandomBytes(rng, onnx.Int32, shape...)
			lens := make([]int64, shape[batch])
			for i := range lens {
				lens[i] = int64(rng.IntN(shape[time] + 1))
			}
			attrs := []*onnx.Attribute{opstest.AttrI("time_axis", int64(time)), opstest.AttrI("batch_axis", int64(batch))}
			label := fmt.Sprintf("ReverseSequence %v time %d lens %v", shape, time, lens)
			got, err := opstest.EwEval(t, "ReverseSequence", 10, 1, attrs, x, opstest.I64s(lens...))
			if err != nil {
				t.Errorf("%s: %v", label, err)
				continue
			}
			want := ops.New(onnx.Int32, shape...)
			for e := range want.Len() {
				m := multiIndex(e, shape)
				if l := int(lens[m[batch]]); m[time] < l {
					m[time] = l - 1 - m[time]
				}
				want.I32()[e] = x.I32()[flatIndex(m, shape)]
			}
			opstest.WantTensor(t, label, got[0], want)
		}
	}
}

func TestReverseSequenceErrors(t *testing.T) {
	x := opstest.Iota32(3, 2)
	for _, c := range []struct {
		name  string
		attrs []*onnx.Attribute
		lens  *ops.Tensor
		err   string
	}{
		{"length past the end", nil, opstest.I64s(1, 4), "entry 1 is 4, want in [0, 3]"},
		{"negative length", nil, opstest.I64s(-1, 0), "entry 0 is -1"},
		{"lengths count", nil, opstest.I64s(1, 1, 1), "want int64[2]"},
		{"same axes", []*onnx.Attribute{opstest.AttrI("batch_axis", 0)}, opstest.I64s(1, 1), "0 and 1 in some order"},
	} {
		_, err := opstest.Eval(opstest.Node("ReverseSequence", opstest.InNames(2), 1, c.attrs...), 10, x, c.lens)
		opstest.WantErr(t, c.name, err, c.err)
	}
}

func TestReverseSequenceNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_reversesequence*"); got != 2 {
		t.Errorf("%d ReverseSequence node tests passed, want 2", got)
	}
}
