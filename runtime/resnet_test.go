package runtime

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// resnet50 builds torchvision's ResNet-50 (v1.5: stride on the 3x3 conv of
// each bottleneck) with random weights and batch normalizations that keep
// activations in a sane range, in ONNX opset 13 as PyTorch exports it.
func resnet50(seed uint64) *onnx.Model {
	rng := newRand(seed)
	b := newBuilder(13).input("x", onnx.Float, "N", 3, "H", "W")
	id := 0
	name := func(p string) string { id++; return fmt.Sprintf("%s%d", p, id) }
	convBN := func(x string, cin, cout, k, stride int, relu bool) string {
		w := ops.New(onnx.Float, cout, cin, k, k)
		bound := float32(math.Sqrt(3 / float64(cin*k*k)))
		for i := range w.F32() {
			w.F32()[i] = (rng.Float32()*2 - 1) * bound
		}
		wn, c, y := name("w"), name("conv"), name("bn")
		b.init(wn, w)
		pad := int64(k / 2)
		b.node("Conv", s(x, wn), s(c), aInts("kernel_shape", int64(k), int64(k)),
			aInts("strides", int64(stride), int64(stride)), aInts("pads", pad, pad, pad, pad))
		params := make([]string, 4)
		for i := range params {
			t := ops.New(onnx.Float, cout)
			for j := range t.F32() {
				t.F32()[j] = bnParam(rng, i)
			}
			params[i] = name("bnp")
			b.init(params[i], t)
		}
		b.node("BatchNormalization", append(s(c), params...), s(y))
		if !relu {
			return y
		}
		r := name("relu")
		b.node("Relu", s(y), s(r))
		return r
	}
	x := convBN("x", 3, 64, 7, 2, true)
	pool := name("pool")
	b.node("MaxPool", s(x), s(pool), aInts("kernel_shape", 3, 3), aInts("strides", 2, 2), aInts("pads", 1, 1, 1, 1))
	x = pool
	cin := 64
	for stage, blocks := range []int{3, 4, 6, 3} {
		width := 64 << stage
		for blk := range blocks {
			stride := 1
			if blk == 0 && stage > 0 {
				stride = 2
			}
			skip := x
			if blk == 0 {
				skip = convBN(x, cin, 4*width, 1, stride, false)
			}
			y := convBN(x, cin, width, 1, 1, true)
			y = convBN(y, width, width, 3, stride, true)
			y = convBN(y, width, 4*width, 1, 1, false)
			sum, out := name("add"), name("relu")
			b.node("Add", s(y, skip), s(sum)).node("Relu", s(sum), s(out))
			x, cin = out, 4*width
		}
	}
	gap, flat := name("gap"), name("flat")
	b.node("GlobalAveragePool", s(x), s(gap)).node("Flatten", s(gap), s(flat), aInt("axis", 1))
	b.init("fcw", randTensor(rng, 1000, 2048)).init("fcb", randTensor(rng, 1000))
	b.node("Gemm", s(flat, "fcw", "fcb"), s("logits"), aInt("transB", 1))
	return b.output("logits", onnx.Float, "N", 1000).m
}

// bnParam draws scale (i=0), bias, mean and variance of a normalization.
func bnParam(rng *rand.Rand, i int) float32 {
	switch i {
	case 0:
		return 0.5 + rng.Float32()*0.5
	case 3:
		return 0.5 + rng.Float32()
	}
	return rng.Float32()*0.2 - 0.1
}

func TestResNet50(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 25M-parameter model")
	}
	p := resnet50(70)
	m := load(t, p)
	info, err := m.Plan([][]int{{1, 3, 224, 224}})
	if err != nil {
		t.Fatal(err)
	}
	if 4*info.ArenaBytes > info.NaiveBytes {
		t.Errorf("arena %d bytes is more than a quarter of the naive %d", info.ArenaBytes, info.NaiveBytes)
	}
	counts := map[string]int{}
	for _, s := range info.Steps {
		counts[s.OpType] += 1
		if len(s.Fused) > 0 {
			counts[s.OpType+"+"+fmt.Sprint(s.Fused)]++
		}
	}
	// 53 Convs, BN folded into all; 16 residual Adds with their Relu and 33 Relus fused.
	if counts["Conv"] != 53 || counts["Conv+[Add Relu]"] != 16 || counts["Conv+[Relu]"] != 33 || len(info.Steps) != 57 {
		t.Errorf("steps: %v (%d in all)", counts, len(info.Steps))
	}
	// torchvision counts 4.09 GMACs for ResNet-50 at 224x224.
	if info.MACs < 4.0e9 || info.MACs > 4.2e9 {
		t.Errorf("%d MACs, want about 4.1e9", info.MACs)
	}
	t.Logf("arena %d, naive %d, constants %d, scratch %d bytes", info.ArenaBytes, info.NaiveBytes, info.ConstBytes, info.ScratchBytes)

	// The whole network, optimized and literal, on a small image.
	x := randTensor(newRand(71), 1, 3, 64, 64)
	opt := run(t, m, x)[0]
	lit := run(t, load(t, p, WithOptimizations(false)), x)[0]
	closeTo(t, "logits", opt, lit, 1e-4, 1e-4)
	checkArena(t, planOf(t, m, x))
}
