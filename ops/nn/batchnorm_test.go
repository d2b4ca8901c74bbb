package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
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
	for _, c := range []struct {
		opset int
		nOut  int
		attrs []*onnx.Attribute
		want  string
	}{
		{15, 3, nil, "training_mode"},
		{15, 4, []*onnx.Attribute{opstest.Int("training_mode", 1)}, "outputs"},
		{6, 5, []*onnx.Attribute{opstest.Int("is_test", 1)}, "is_test"},
		{9, 1, []*onnx.Attribute{opstest.Int("spatial", 0)}, "spatial"},
	} {
		if _, err := ops.Build(opstest.NodeOf("BatchNormalization", ins, c.nOut, c.attrs...), c.opset); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("opset %d %v: error %v, want one naming %s", c.opset, c.attrs, err, c.want)
		}
	}
	op, err := ops.Build(opstest.NodeOf("BatchNormalization", ins, 1), 15)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := opstest.Exec(op, []*ops.Tensor{f(1, 2, 3), f(3), f(2), f(2), f(2)}, nil, ops.Serial{}); err == nil || !strings.Contains(err.Error(), "scale") {
		t.Errorf("bad scale shape: error %v, want one naming scale", err)
	}
}

// Training mode normalizes with the batch's statistics and updates the
// running ones; opsets before 14 also give the batch's as saved outputs.
func TestBatchNormTraining(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct {
		opset   int
		x       []int
		spatial bool
		nOut    int
		attrs   []*onnx.Attribute
	}{
		{15, []int{3, 4, 5, 6}, true, 3, []*onnx.Attribute{opstest.Int("training_mode", 1)}},
		{14, []int{2, 3, 7}, true, 1, []*onnx.Attribute{opstest.Int("training_mode", 1)}},
		{9, []int{2, 3, 4, 4}, true, 5, nil},
		{6, []int{5, 2, 3}, false, 5, []*onnx.Attribute{opstest.Int("spatial", 0)}},
		{1, []int{2, 2, 3, 3}, true, 3, []*onnx.Attribute{opstest.Ints("consumed_inputs", 0, 0, 0, 1, 1)}},
	} {
		params := c.x[1:2]
		if !c.spatial {
			params = c.x[1:]
		}
		np := ops.NumElems(params)
		x := opstest.Rand(rng, c.x...)
		for i := range x.F32() {
			x.F32()[i] = x.F32()[i]*3 + 2
		}
		ins := []*ops.Tensor{x, opstest.Rand(rng, params...), opstest.Rand(rng, params...), opstest.Rand(rng, params...), opstest.Rand(rng, params...)}
		for i := range ins[4].F32() {
			ins[4].F32()[i] += 1.5 // a variance
		}
		const eps, momentum = 1e-3, 0.8
		attrs := append([]*onnx.Attribute{opstest.Float("epsilon", eps), opstest.Float("momentum", momentum)}, c.attrs...)
		op, err := ops.Build(opstest.NodeOf("BatchNormalization", ins, c.nOut, attrs...), c.opset)
		if err != nil {
			t.Fatal(err)
		}
		got, err := opstest.Exec(op, ins, map[int]bool{1: true, 2: true, 3: true, 4: true}, opstest.Par{N: 3})
		if err != nil {
			t.Fatalf("opset %d: %v", c.opset, err)
		}
		// Reference: parameter p gathers every element whose index, divided
		// by the elements per parameter row, is p mod np.
		inner := ops.NumElems(c.x) / (c.x[0] * np)
		sum, sq := make([]float64, np), make([]float64, np)
		count := float64(c.x[0] * inner)
		xv := x.F32()
		for i, v := range xv {
			sum[i/inner%np] += float64(v)
		}
		mean, variance := make([]float32, np), make([]float32, np)
		for p := range np {
			mean[p] = float32(sum[p] / count)
		}
		for i, v := range xv {
			d := float64(v) - float64(mean[i/inner%np])
			sq[i/inner%np] += d * d
		}
		for p := range np {
			variance[p] = float32(sq[p] / count)
		}
		y := make([]float32, len(xv))
		for i, v := range xv {
			p := i / inner % np
			y[i] = (v-mean[p])/float32(math.Sqrt(float64(variance[p]+eps)))*ins[1].F32()[p] + ins[2].F32()[p]
		}
		opstest.Close(t, "Y", got[0].F32(), y, 1e-4, 1e-5)
		runMean, runVar := make([]float32, np), make([]float32, np)
		for p := range np {
			runMean[p] = ins[3].F32()[p]*momentum + mean[p]*(1-momentum)
			runVar[p] = ins[4].F32()[p]*momentum + variance[p]*(1-momentum)
		}
		for i, want := range [][]float32{runMean, runVar, mean, variance}[:c.nOut-1] {
			opstest.Close(t, fmt.Sprintf("opset %d output %d", c.opset, i+1), got[i+1].F32(), want, 1e-5, 1e-6)
		}
	}
}

func TestBatchNormNodeTests(t *testing.T) {
	if n := opstest.AllNodeTests(t, "test_batchnorm*"); n != 4 {
		t.Errorf("%d BatchNormalization node tests passed, want 4", n)
	}
}
