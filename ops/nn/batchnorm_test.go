package nn

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

func TestBatchNormHand(t *testing.T) {
	// Two channels of two values; y = (x-mean)/sqrt(var+eps)*scale + B.
	x := ops.FromF32([]float32{1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2)
	scale, bias := ops.FromF32([]float32{2, 0.5}, 2), ops.FromF32([]float32{1, -1}, 2)
	mean, variance := ops.FromF32([]float32{1, 4}, 2), ops.FromF32([]float32{3, 0}, 2)
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
	ins := []*ops.Tensor{x, scale, bias, mean, variance}
	for _, consts := range []map[int]bool{nil, {1: true, 2: true, 3: true, 4: true}} {
		op, err := ops.Build(opstest.NodeOf("BatchNormalization", ins, 1, opstest.Float("epsilon", eps)), 15)
		if err != nil {
			t.Fatal(err)
		}
		got, err := opstest.Exec(op, ins, consts, opstest.Par{N: 2})
		if err != nil {
			t.Fatal(err)
		}
		opstest.Close(t, "batchnorm", got[0].F32(), want, 1e-6, 1e-6)
	}
	// Opset 7, spatial=0: one set of parameters per (channel, position).
	p := func(v ...float32) *ops.Tensor { return ops.FromF32(v, 2, 2) }
	ins = []*ops.Tensor{x, p(1, 2, 3, 4), p(0, 0, 0, 1), p(0, 0, 0, 0), p(1, 1, 1, 1)}
	op, err := ops.Build(opstest.NodeOf("BatchNormalization", ins, 1, opstest.Int("spatial", 0), opstest.Float("epsilon", 0)), 7)
	if err != nil {
		t.Fatal(err)
	}
	got, err := opstest.Exec(op, ins, nil, ops.Serial{})
	if err != nil {
		t.Fatal(err)
	}
	opstest.Close(t, "spatial=0", got[0].F32(), []float32{1, 4, 9, 17, 5, 12, 21, 33}, 1e-6, 1e-6)
}

func TestBatchNormErrors(t *testing.T) {
	f := func(s ...int) *ops.Tensor { return ops.New(onnx.Float, s...) }
	ins := []*ops.Tensor{f(1, 2, 3), f(2), f(2), f(2), f(2)}
	if _, err := ops.Build(opstest.NodeOf("BatchNormalization", ins, 1, opstest.Int("training_mode", 1)), 15); !errors.Is(err, ops.ErrUnsupported) || !strings.Contains(err.Error(), "training_mode") {
		t.Errorf("training_mode=1: error %v, want ErrUnsupported naming training_mode", err)
	}
	if _, err := ops.Build(opstest.NodeOf("BatchNormalization", ins, 3), 15); !errors.Is(err, ops.ErrUnsupported) {
		t.Errorf("running statistics outputs: error %v, want ErrUnsupported", err)
	}
	op, err := ops.Build(opstest.NodeOf("BatchNormalization", ins, 1), 15)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := opstest.Exec(op, []*ops.Tensor{f(1, 2, 3), f(3), f(2), f(2), f(2)}, nil, ops.Serial{}); err == nil || !strings.Contains(err.Error(), "scale") {
		t.Errorf("bad scale shape: error %v, want one naming scale", err)
	}
}

func TestBatchNormNodeTests(t *testing.T) {
	// The two training_mode tests are skipped as unsupported.
	if n := opstest.NodeTests(t, "test_batchnorm*"); n != 2 {
		t.Errorf("%d BatchNormalization node tests passed, want 2", n)
	}
}
