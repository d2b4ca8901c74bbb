package ops

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
)

func TestBatchNormHand(t *testing.T) {
	// Two channels of two values; y = (x-mean)/sqrt(var+eps)*scale + B.
	x := FromF32([]float32{1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2)
	scale, bias := FromF32([]float32{2, 0.5}, 2), FromF32([]float32{1, -1}, 2)
	mean, variance := FromF32([]float32{1, 4}, 2), FromF32([]float32{3, 0}, 2)
	const eps = 1
	want := make([]float32, 8)
	for i, v := range x.F32() {
		c := i / 2 % 2
		want[i] = (v-mean.F32()[c])/float32(math.Sqrt(float64(variance.F32()[c]+eps)))*scale.F32()[c] + bias.F32()[c]
	}
	// want for channel 0 (x=1,2): (0/2)*2+1 = 1, (1/2)*2+1 = 2.
	if want[0] != 1 || want[1] != 2 {
		t.Fatalf("hand values wrong: %v", want[:2])
	}
	ins := []*Tensor{x, scale, bias, mean, variance}
	for _, consts := range []map[int]bool{nil, {1: true, 2: true, 3: true, 4: true}} {
		op, err := Build(nnNode("BatchNormalization", ins, 1, nnFloat("epsilon", eps)), 15)
		if err != nil {
			t.Fatal(err)
		}
		got, err := nnExec(op, ins, consts, nnPar{2})
		if err != nil {
			t.Fatal(err)
		}
		nnClose(t, "batchnorm", got[0].F32(), want, 1e-6, 1e-6)
	}
	// Opset 7, spatial=0: one set of parameters per (channel, position).
	p := func(v ...float32) *Tensor { return FromF32(v, 2, 2) }
	ins = []*Tensor{x, p(1, 2, 3, 4), p(0, 0, 0, 1), p(0, 0, 0, 0), p(1, 1, 1, 1)}
	op, err := Build(nnNode("BatchNormalization", ins, 1, nnInt("spatial", 0), nnFloat("epsilon", 0)), 7)
	if err != nil {
		t.Fatal(err)
	}
	got, err := nnExec(op, ins, nil, Serial{})
	if err != nil {
		t.Fatal(err)
	}
	nnClose(t, "spatial=0", got[0].F32(), []float32{1, 4, 9, 17, 5, 12, 21, 33}, 1e-6, 1e-6)
}

func TestBatchNormErrors(t *testing.T) {
	f := func(s ...int) *Tensor { return New(onnx.Float, s...) }
	ins := []*Tensor{f(1, 2, 3), f(2), f(2), f(2), f(2)}
	if _, err := Build(nnNode("BatchNormalization", ins, 1, nnInt("training_mode", 1)), 15); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "training_mode") {
		t.Errorf("training_mode=1: error %v, want ErrUnsupported naming training_mode", err)
	}
	if _, err := Build(nnNode("BatchNormalization", ins, 3), 15); !errors.Is(err, ErrUnsupported) {
		t.Errorf("running statistics outputs: error %v, want ErrUnsupported", err)
	}
	op, err := Build(nnNode("BatchNormalization", ins, 1), 15)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nnExec(op, []*Tensor{f(1, 2, 3), f(3), f(2), f(2), f(2)}, nil, Serial{}); err == nil || !strings.Contains(err.Error(), "scale") {
		t.Errorf("bad scale shape: error %v, want one naming scale", err)
	}
}

func TestBatchNormNodeTests(t *testing.T) {
	// The two training_mode tests are skipped as unsupported.
	if n := nodeTests(t, "test_batchnorm*"); n != 2 {
		t.Errorf("%d BatchNormalization node tests passed, want 2", n)
	}
}
