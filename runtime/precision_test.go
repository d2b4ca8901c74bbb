package runtime

import (
	"context"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// TestPrecision loads a small convolutional model with fp16 asked for:
// on a CPU with fp16 arithmetic (qemu -cpu cortex-a76) the session
// reports FP16, its convolutions run the fp16 path (profile) and the
// output stays within fp16's error of float32's; elsewhere (a Cortex-A72,
// amd64) it reports FP32 and runs float32, bit for bit as without the
// option.
func TestPrecision(t *testing.T) {
	rng := newRand(60)
	p := newBuilder(13).
		input("x", onnx.Float, 1, 8, 12, 12).
		init("w", randTensor(rng, 16, 8, 3, 3)).
		init("bias", randTensor(rng, 16)).
		node("Conv", s("x", "w", "bias"), s("c"), aInts("pads", 1, 1, 1, 1)).
		node("Relu", s("c"), s("y")).
		output("y", onnx.Float, 1, 16, 12, 12).m
	x := randTensor(rng, 1, 8, 12, 12)
	m32 := load(t, p)
	m16 := load(t, p, WithPrecision(FP16))
	if m32.Precision() != FP32 || m32.NewSession().Precision() != FP32 {
		t.Fatalf("default precision %v, want fp32", m32.Precision())
	}
	want := FP32
	if ops.FP16Arithmetic() {
		want = FP16
	}
	s16 := m16.NewSession()
	if got := s16.Precision(); got != want {
		t.Fatalf("fp16 asked for: session runs %v, want %v (fp16 arithmetic: %v)", got, want, ops.FP16Arithmetic())
	}
	y32 := run(t, m32, x)[0]
	var prof Profile
	out, err := s16.RunProfiled(context.Background(), []*ops.Tensor{x}, &prof)
	if err != nil {
		t.Fatal(err)
	}
	y16 := out[0]
	algo := ""
	for _, st := range prof.Steps {
		if st.OpType == "Conv" {
			algo = st.Algorithm
		}
	}
	if strings.HasPrefix(algo, "fp16 ") != (want == FP16) {
		t.Errorf("precision %v: the convolution runs %q", want, algo)
	}
	if want == FP32 {
		if string(y16.Data) != string(y32.Data) {
			t.Error("fp16 asked for on a CPU without it: output differs from fp32's")
		}
		return
	}
	// K = 72 terms of about 1 each: fp16's rounding of the operands and
	// of the sums stays well under 0.05.
	closeTo(t, "fp16 output", y16, y32, 0.05, 0.01)
}
