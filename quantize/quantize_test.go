package quantize

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/runtime"
)

// convNet is x[1 3 8 8] -> Conv(c1, pads 1) -> Relu(r) -> MaxPool(p) ->
// Conv(y, 1x1) -> graph output y.
func convNet() *testModel {
	b := newTestModel(13, "x", 1, 3, 8, 8)
	b.node("Conv", []string{"x", b.random("w1", -1, 1, 4, 3, 3, 3), b.random("b1", -0.5, 0.5, 4)}, []string{"c1"}, aInts("pads", 1, 1, 1, 1))
	b.node("Relu", []string{"c1"}, []string{"r"})
	b.node("MaxPool", []string{"r"}, []string{"p"}, aInts("kernel_shape", 2, 2), aInts("strides", 2, 2))
	b.node("Conv", []string{"p", b.random("w2", -1, 1, 5, 4, 1, 1), b.random("b2", -0.5, 0.5, 5)}, []string{"y"})
	b.output("y")
	return b
}

// randomInputs is a calibration set of n inputs of shape.
func randomInputs(n int, shape ...int) Source {
	var ts []*ops.Tensor
	for i := range n {
		ts = append(ts, randomInput(uint64(i+10), -1, 1, shape...))
	}
	return Tensors(ts...)
}

func quantizeOK(t *testing.T, m *onnx.Model, src Source, opt Options) *Result {
	t.Helper()
	res, err := Quantize(context.Background(), m, src, opt)
	if err != nil {
		t.Fatalf("Quantize: %v", err)
	}
	return res
}

// qdqOf returns the DequantizeLinear output of tensor name in m and its
// QuantizeLinear's scale and zero point initializers ("" when name is not
// quantized).
func qdqOf(m *onnx.Model, name string) (dq, scale, zp string) {
	for _, q := range m.Graph.Nodes {
		if q.OpType != "QuantizeLinear" || q.Inputs[0] != name {
			continue
		}
		for _, d := range m.Graph.Nodes {
			if d.OpType == "DequantizeLinear" && d.Inputs[0] == q.Outputs[0] {
				return d.Outputs[0], q.Inputs[1], q.Inputs[2]
			}
		}
	}
	return "", "", ""
}

// initializer returns m's initializer name as a tensor.
func initializer(t *testing.T, m *onnx.Model, name string) *ops.Tensor {
	t.Helper()
	for _, p := range m.Graph.Initializer {
		if p.Name == name {
			x, err := ops.FromProto(p, "")
			if err != nil {
				t.Fatal(err)
			}
			return x
		}
	}
	t.Fatalf("no initializer %q", name)
	return nil
}

// producerOf returns the node of m writing name.
func producerOf(m *onnx.Model, name string) *onnx.Node {
	for _, n := range m.Graph.Nodes {
		if slices.Contains(n.Outputs, name) {
			return n
		}
	}
	return nil
}

func TestRewriteConv(t *testing.T) {
	for _, perChannel := range []bool{false, true} {
		t.Run(map[bool]string{false: "per tensor", true: "per channel"}[perChannel], func(t *testing.T) {
			b := convNet()
			res := quantizeOK(t, b.m, randomInputs(4, 1, 3, 8, 8), Options{PerChannel: perChannel})
			q := res.Model
			if v, _ := q.Opset(""); v != 13 || q.IRVersion < 7 {
				t.Errorf("opset %d, IR version %d", v, q.IRVersion)
			}
			want := []string{"QuantizeLinear", "DequantizeLinear", "DequantizeLinear", "DequantizeLinear", "Conv",
				"QuantizeLinear", "DequantizeLinear", "MaxPool", "QuantizeLinear", "DequantizeLinear",
				"DequantizeLinear", "DequantizeLinear", "Conv"}
			if got := opTypes(q); !reflect.DeepEqual(got, want) {
				t.Fatalf("operators\n%v, want\n%v", got, want)
			}
			// The Relu is fused: the first Conv writes its output r.
			if conv := producerOf(q, "r"); conv == nil || conv.OpType != "Conv" || conv.Name != "c1" {
				t.Errorf("r is written by %+v, want the Conv c1", conv)
			}
			_, xs, xz := qdqOf(q, "x")
			_, rs, rz := qdqOf(q, "r")
			_, ps, pz := qdqOf(q, "p")
			if ps != rs || pz != rz {
				t.Errorf("MaxPool's output has parameters %s %s, want its input's %s %s", ps, pz, rs, rz)
			}
			if z := initializer(t, q, rz); z.Type != onnx.Uint8 || len(z.Shape) != 0 || z.U8()[0] != 0 {
				t.Errorf("Relu output zero point %v %v, want uint8 scalar 0", z, z.U8())
			}
			xScale, xZero := initializer(t, q, xs), initializer(t, q, xz)
			if xScale.Type != onnx.Float || len(xScale.Shape) != 0 || xZero.Type != onnx.Uint8 {
				t.Errorf("input parameters %v %v, want a float32 and a uint8 scalar", xScale, xZero)
			}
			checkWeights(t, b.m, q, "w1", "b1", xScale.F32()[0], perChannel)
			if p := res.Tensors["x"]; p.Scale[0] != xScale.F32()[0] || p.ZeroPoint[0] != int32(xZero.U8()[0]) {
				t.Errorf("Result.Tensors[x] = %+v, the model has %g %d", p, xScale.F32()[0], xZero.U8()[0])
			}
			checkFakeQuantization(t, q, res, randomInput(99, -1.2, 1.2, 1, 3, 8, 8))
			rep := res.Report
			if !reflect.DeepEqual(rep.Quantized, map[string]int{"Conv": 2, "MaxPool": 1}) || rep.Fused != 1 || len(rep.Float) != 0 {
				t.Errorf("report counts %v fused %d float %v", rep.Quantized, rep.Fused, rep.Float)
			}
			if len(rep.Outputs) != 1 || !(rep.Outputs[0].SQNR > 25) {
				t.Errorf("output SQNR %v, want above 25 dB", rep.Outputs)
			}
			if rep.Top1 != nil {
				t.Errorf("top-1 %+v for an output that is not class scores", rep.Top1)
			}
		})
	}
}

// checkWeights checks the int8 weights and int32 bias of the Conv reading
// weights w and bias bias in q: types, shapes, zero points, each within
// half a step of the float value, the bias scale the product of the
// input's and the weights'.
func checkWeights(t *testing.T, m, q *onnx.Model, w, bias string, xScale float32, perChannel bool) {
	t.Helper()
	var conv *onnx.Node
	for _, n := range q.Graph.Nodes {
		if n.OpType == "Conv" && strings.HasPrefix(n.Inputs[1], w+"_") {
			conv = n
		}
	}
	if conv == nil {
		t.Fatalf("no Conv reads a quantized %s", w)
	}
	wdq, bdq := producerOf(q, conv.Inputs[1]), producerOf(q, conv.Inputs[2])
	fw, fb := initializer(t, m, w), initializer(t, m, bias)
	channels := fw.Shape[0]
	for _, c := range []struct {
		dq   *onnx.Node
		f    *ops.Tensor
		typ  onnx.DataType
		name string
	}{{wdq, fw, onnx.Int8, "weights"}, {bdq, fb, onnx.Int32, "bias"}} {
		if c.dq.OpType != "DequantizeLinear" {
			t.Fatalf("%s come from %s", c.name, c.dq.OpType)
		}
		qv, s, z := initializer(t, q, c.dq.Inputs[0]), initializer(t, q, c.dq.Inputs[1]), initializer(t, q, c.dq.Inputs[2])
		if qv.Type != c.typ || !reflect.DeepEqual(qv.Shape, c.f.Shape) || z.Type != c.typ {
			t.Errorf("%s: %v with zero point %v, want %s of shape %v", c.name, qv, z, ops.TypeName(c.typ), c.f.Shape)
		}
		wantShape := []int(nil)
		if perChannel {
			wantShape = []int{channels}
		}
		if !slices.Equal(s.Shape, wantShape) || !slices.Equal(z.Shape, wantShape) {
			t.Errorf("%s: scale shape %v, zero point shape %v, want %v", c.name, s.Shape, z.Shape, wantShape)
		}
		if axis := attr(c.dq, "axis"); (axis != nil) != perChannel || (axis != nil && axis.I != 0) {
			t.Errorf("%s: axis attribute %+v", c.name, axis)
		}
		per := c.f.Len() / channels
		for i := range c.f.Len() {
			ch := 0
			if perChannel {
				ch = i / per
			}
			var v float64
			if c.typ == onnx.Int8 {
				v = float64(qv.I8()[i])
				if v < -127 || z.I8()[ch] != 0 {
					t.Fatalf("weights %d: %g, zero point %d", i, v, z.I8()[ch])
				}
			} else {
				v = float64(qv.I32()[i])
			}
			step := float64(s.F32()[ch])
			if d := math.Abs(v*step - float64(c.f.F32()[i])); d > step/2*(1+1e-6) {
				t.Fatalf("%s %d: %g dequantizes %g off the float value (step %g)", c.name, i, v*step, d, step)
			}
		}
		if c.name == "bias" {
			ws := initializer(t, q, wdq.Inputs[1])
			for ch := range s.Len() {
				if want := xScale * ws.F32()[ch]; s.F32()[ch] != want {
					t.Errorf("bias scale %d: %g, want input scale × weight scale = %g", ch, s.F32()[ch], want)
				}
			}
		}
	}
}

// checkFakeQuantization runs q on in and checks that every quantized
// activation's dequantized value is Result.Tensors' fake quantization of
// the value before its QuantizeLinear, within one step. (A fused Relu or
// Clip needs no special case: its tensor's range lies within its bounds,
// and quantization saturates there.)
func checkFakeQuantization(t *testing.T, q *onnx.Model, res *Result, in *ops.Tensor) {
	t.Helper()
	var names []string
	for name := range res.Tensors {
		dq, _, _ := qdqOf(q, name)
		names = append(names, name, dq)
	}
	o, err := newObserver(q, names, []runtime.Option{runtime.WithThreads(1)})
	if err != nil {
		t.Fatal(err)
	}
	defer o.close()
	ob, err := o.run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range res.Tensors {
		dq, _, _ := qdqOf(q, name)
		pre, got := ob.get(name), ob.get(dq)
		for i, v := range pre.F32()[:pre.Len()] {
			want := p.Fake(v, 0)
			if d := math.Abs(float64(got.F32()[i] - want)); d > float64(p.Scale[0]) {
				t.Fatalf("tensor %s element %d: the model gives %g, fake quantization %g", name, i, got.F32()[i], want)
			}
		}
	}
}

func TestRewriteResidual(t *testing.T) {
	b := newTestModel(13, "x", 1, 4, 6, 6)
	b.node("Conv", []string{"x", b.random("w", -0.5, 0.5, 4, 4, 3, 3), b.random("cb", -0.1, 0.1, 4)}, []string{"c"}, aInts("pads", 1, 1, 1, 1))
	b.node("Add", []string{"c", "x"}, []string{"a"})
	b.node("Relu", []string{"a"}, []string{"r"})
	b.node("GlobalAveragePool", []string{"r"}, []string{"g"})
	b.node("Flatten", []string{"g"}, []string{"f"})
	b.node("Gemm", []string{"f", b.random("fw", -1, 1, 3, 4), b.random("fb", -0.1, 0.1, 3)}, []string{"logits"}, aInt("transB", 1))
	b.node("Softmax", []string{"logits"}, []string{"prob"})
	b.output("prob")
	res := quantizeOK(t, b.m, randomInputs(5, 1, 4, 6, 6), Options{PerChannel: true, Method: Percentile})
	q := res.Model
	if add := producerOf(q, "r"); add == nil || add.OpType != "Add" {
		t.Errorf("r is written by %v, want the Add with the Relu fused", add)
	}
	for _, name := range []string{"x", "c", "r", "g", "f"} {
		if dq, _, _ := qdqOf(q, name); dq == "" {
			t.Errorf("%s is not quantized", name)
		}
	}
	if dq, _, _ := qdqOf(q, "logits"); dq != "" {
		t.Error("the logits, read by the float Softmax alone, are quantized")
	}
	gemm := producerOf(q, "logits")
	wdq := producerOf(q, gemm.Inputs[1])
	if a := attr(wdq, "axis"); a == nil || a.I != 0 || initializer(t, q, wdq.Inputs[1]).Len() != 3 {
		t.Errorf("Gemm weights (transB=1) quantized along %+v, want axis 0 with 3 scales", a)
	}
	rep := res.Report
	want := map[string]int{"Conv": 1, "Add": 1, "GlobalAveragePool": 1, "Flatten": 1, "Gemm": 1}
	if !reflect.DeepEqual(rep.Quantized, want) || rep.Fused != 1 || !reflect.DeepEqual(rep.Float, map[string]int{"Softmax": 1}) {
		t.Errorf("report counts %v fused %d float %v", rep.Quantized, rep.Fused, rep.Float)
	}
	if rep.Top1 == nil || rep.Top1.Total != 5 {
		t.Errorf("top-1 %+v, want 5 samples compared", rep.Top1)
	}
	if rep.Method != "percentile" || !rep.PerChannel || rep.Samples != 5 {
		t.Errorf("report header %+v", rep)
	}
	// Worst first, by the error each layer causes alone.
	for i := 1; i < len(rep.Layers); i++ {
		if rep.Layers[i].Alone < rep.Layers[i-1].Alone {
			t.Errorf("layers out of order at %d: %v", i, rep.Layers)
		}
	}
	checkFakeQuantization(t, q, res, randomInput(42, -1, 1, 1, 4, 6, 6))
}

// TestShuffleUnit quantizes ShuffleNet's unit: Concat, channel shuffle
// (Reshape, Transpose, Reshape), then Split into a branch of convolutions
// and a pass-through. Every tensor between the Concat and the Split's
// readers must be quantized, the moving ones with the Concat's parameters,
// so that the whole chain runs on the quantized data; before Split
// followed its input, the chain ran in float between a dequantize and a
// quantize per unit.
func TestShuffleUnit(t *testing.T) {
	b := newTestModel(13, "x", 1, 4, 4, 4)
	b.node("Conv", []string{"x", b.random("w", -1, 1, 4, 4, 1, 1)}, []string{"c"})
	b.node("Concat", []string{"x", "c"}, []string{"cat"}, aInt("axis", 1))
	b.node("Reshape", []string{"cat", b.init("s1", ops.FromI64([]int64{1, 2, 4, 4, 4}, 5))}, []string{"r1"})
	b.node("Transpose", []string{"r1"}, []string{"t"}, aInts("perm", 0, 2, 1, 3, 4))
	b.node("Reshape", []string{"t", b.init("s2", ops.FromI64([]int64{1, 8, 4, 4}, 4))}, []string{"r2"})
	b.node("Split", []string{"r2", b.init("sizes", ops.FromI64([]int64{4, 4}, 2))}, []string{"a", "p"}, aInt("axis", 1))
	b.node("Conv", []string{"a", b.random("w2", -1, 1, 4, 4, 1, 1)}, []string{"y"})
	b.node("Concat", []string{"p", "y"}, []string{"out"}, aInt("axis", 1))
	b.node("Conv", []string{"out", b.random("w3", -1, 1, 2, 8, 1, 1)}, []string{"z"})
	b.output("z")
	res := quantizeOK(t, b.m, randomInputs(4, 1, 4, 4, 4), Options{})
	q := res.Model
	_, catScale, _ := qdqOf(q, "cat")
	for _, name := range []string{"r1", "t", "r2", "a", "p"} {
		dq, scale, _ := qdqOf(q, name)
		if dq == "" {
			t.Errorf("%s is not quantized", name)
		} else if scale != catScale {
			t.Errorf("%s is quantized with scale %s, want the Concat's %s", name, scale, catScale)
		}
	}
	if res.Report.Quantized["Split"] != 1 {
		t.Errorf("report counts %v, want the Split quantized", res.Report.Quantized)
	}
}

// TestReduceMeanHead quantizes a head that pools with ReduceMean (torch's
// x.mean([2, 3]), ShuffleNet's): the ReduceMean's input and output are
// quantized, so the convolution before it runs in int8.
func TestReduceMeanHead(t *testing.T) {
	b := newTestModel(13, "x", 1, 3, 4, 4)
	b.node("Conv", []string{"x", b.random("w", -1, 1, 4, 3, 1, 1)}, []string{"c"})
	b.node("ReduceMean", []string{"c"}, []string{"m"}, aInts("axes", 2, 3), aInt("keepdims", 0))
	b.node("Gemm", []string{"m", b.random("fw", -1, 1, 5, 4), b.random("fb", -0.1, 0.1, 5)}, []string{"y"}, aInt("transB", 1))
	b.output("y")
	res := quantizeOK(t, b.m, randomInputs(3, 1, 3, 4, 4), Options{})
	for _, name := range []string{"c", "m"} {
		if dq, _, _ := qdqOf(res.Model, name); dq == "" {
			t.Errorf("%s is not quantized", name)
		}
	}
	if res.Report.Quantized["ReduceMean"] != 1 {
		t.Errorf("report counts %v, want the ReduceMean quantized", res.Report.Quantized)
	}
}

func TestClipFusion(t *testing.T) {
	for _, c := range []struct {
		name   string
		lo, hi float32
		fused  bool
	}{{"Relu6", 0, 6, true}, {"bounds above 0", 0.5, 6, false}, {"bounds below 0", -6, -0.5, false}} {
		t.Run(c.name, func(t *testing.T) {
			b := newTestModel(13, "x", 1, 2, 4, 4)
			b.node("Conv", []string{"x", b.random("w", -3, 3, 3, 2, 1, 1)}, []string{"c"})
			b.node("Clip", []string{"c", b.init("lo", ops.FromF32([]float32{c.lo})), b.init("hi", ops.FromF32([]float32{c.hi}))}, []string{"k"})
			b.node("Conv", []string{"k", b.random("w2", -1, 1, 2, 3, 1, 1)}, []string{"y"})
			b.output("y")
			res := quantizeOK(t, b.m, randomInputs(3, 1, 2, 4, 4), Options{})
			clipped := slices.Contains(opTypes(res.Model), "Clip")
			if clipped == c.fused || (res.Report.Fused == 1) != c.fused {
				t.Errorf("Clip left: %v, fused %d", clipped, res.Report.Fused)
			}
			if !c.fused {
				for _, name := range []string{"c", "k"} {
					if dq, _, _ := qdqOf(res.Model, name); dq == "" {
						t.Errorf("%s is not quantized", name)
					}
				}
			}
		})
	}
	// A Conv output that is also a graph output cannot take its Relu.
	b := newTestModel(13, "x", 1, 2, 4, 4)
	b.node("Conv", []string{"x", b.random("w", -1, 1, 3, 2, 1, 1)}, []string{"c"})
	b.node("Relu", []string{"c"}, []string{"r"})
	b.node("Conv", []string{"r", b.random("w2", -1, 1, 2, 3, 1, 1)}, []string{"y"})
	b.output("y", "c")
	res := quantizeOK(t, b.m, randomInputs(2, 1, 2, 4, 4), Options{})
	if !slices.Contains(opTypes(res.Model), "Relu") || producerOf(res.Model, "c").OpType != "Conv" {
		t.Errorf("Relu fused into a Conv whose output is a graph output: %v", opTypes(res.Model))
	}
}

// TestMatMul quantizes a model whose input is not an image, from tensors:
// MatMul weights per channel along their last axis; an Add of a constant
// writing the graph output stays float.
func TestMatMul(t *testing.T) {
	b := newTestModel(13, "x", 1, 8)
	b.node("MatMul", []string{"x", b.random("w", -1, 1, 8, 4)}, []string{"h"})
	b.node("Add", []string{"h", b.random("bias", -1, 1, 4)}, []string{"y"})
	b.output("y")
	res := quantizeOK(t, b.m, randomInputs(3, 1, 8), Options{PerChannel: true})
	mm := producerOf(res.Model, "h")
	wdq := producerOf(res.Model, mm.Inputs[1])
	if a := attr(wdq, "axis"); a == nil || a.I != 1 {
		t.Errorf("MatMul weights quantized along %+v, want axis 1", a)
	}
	if dq, _, _ := qdqOf(res.Model, "h"); dq != "" {
		t.Error("h, read only by a float Add, is quantized")
	}
	_, err := Quantize(context.Background(), b.m, RandomImages(2, 1), Options{})
	if !errors.Is(err, ErrUnsupportedModel) || !strings.Contains(err.Error(), "not an image") {
		t.Errorf("images for a [1 8] input: %v, want ErrUnsupportedModel (not an image)", err)
	}
}

func TestExclude(t *testing.T) {
	b := convNet()
	res := quantizeOK(t, b.m, randomInputs(3, 1, 3, 8, 8), Options{Exclude: []string{"c1"}})
	q := res.Model
	if conv := producerOf(q, "c1"); conv == nil || conv.Inputs[0] != "x" || conv.Inputs[1] != "w1" {
		t.Errorf("excluded Conv reads %v, want the float x and w1", conv)
	}
	for name, want := range map[string]bool{"x": false, "c1": false, "r": false, "p": true} {
		if dq, _, _ := qdqOf(q, name); (dq != "") != want {
			t.Errorf("%s quantized: %v, want %v", name, dq != "", want)
		}
	}
	rep := res.Report
	if !reflect.DeepEqual(rep.Float, map[string]int{"Conv": 1, "Relu": 1, "MaxPool": 1}) || !reflect.DeepEqual(rep.Excluded, []string{"c1"}) {
		t.Errorf("float %v excluded %v", rep.Float, rep.Excluded)
	}
	_, err := Quantize(context.Background(), b.m, randomInputs(1, 1, 3, 8, 8), Options{Exclude: []string{"c1", "conv9"}})
	if !errors.Is(err, ErrUnknownNode) || !strings.Contains(err.Error(), `"conv9"`) || strings.Contains(err.Error(), `"c1"`) {
		t.Errorf("unknown node: %v", err)
	}
	_, err = Quantize(context.Background(), b.m, randomInputs(1, 1, 3, 8, 8), Options{Exclude: []string{"c1", "y"}})
	if !errors.Is(err, ErrUnsupportedModel) || !strings.Contains(err.Error(), "outside the excluded nodes") {
		t.Errorf("everything excluded: %v", err)
	}
	bn := newTestModel(13, "x", 1, 2, 4, 4)
	bn.node("Conv", []string{"x", bn.random("w", -1, 1, 3, 2, 1, 1)}, []string{"c"})
	bn.node("BatchNormalization", []string{"c", bn.random("s", 1, 2, 3), bn.random("b", 0, 1, 3), bn.random("m", 0, 1, 3), bn.random("v", 1, 2, 3)}, []string{"y"})
	bn.output("y")
	_, err = Quantize(context.Background(), bn.m, randomInputs(1, 1, 2, 4, 4), Options{Exclude: []string{"y"}})
	if !errors.Is(err, ErrUnknownNode) || !strings.Contains(err.Error(), `node "y" is folded away`) {
		t.Errorf("excluding a folded BatchNormalization: %v", err)
	}
}

// TestRuntimeOptions: the runtime's limits apply to the calibration runs.
func TestRuntimeOptions(t *testing.T) {
	_, err := Quantize(context.Background(), convNet().m, randomInputs(1, 1, 3, 8, 8),
		Options{RuntimeOptions: []runtime.Option{runtime.WithMemoryLimit(1024)}})
	var limit *runtime.LimitError
	if !errors.As(err, &limit) || limit.Limit != "MaxMemory" {
		t.Errorf("1 KiB of memory: %v, want a MaxMemory LimitError", err)
	}
}

// TestResultOutlivesModel quantizes a model read from a file (memory
// mapped), leaving a float Conv whose weights come from the file, then
// closes it: the result holds its own copy.
func TestResultOutlivesModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "conv.onnx")
	if err := onnx.WriteFile(path, convNet().m); err != nil {
		t.Fatal(err)
	}
	m, err := onnx.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	res := quantizeOK(t, m, randomInputs(2, 1, 3, 8, 8), Options{Exclude: []string{"c1"}})
	in := randomInput(5, -1, 1, 1, 3, 8, 8)
	before := runModel(t, res.Model, in)[0]
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("overwritten"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := onnx.Marshal(res.Model); err != nil {
		t.Fatal(err)
	}
	if d := maxDiff(before, runModel(t, res.Model, in)[0]); d != 0 {
		t.Errorf("the result changed by %g once the model was closed", d)
	}
}

// TestReportRanksAlone: a layer whose input's per-tensor quantization
// wipes out a small channel it then amplifies comes first, though every
// tensor's own quantization looks fine by energy.
func TestReportRanksAlone(t *testing.T) {
	b := newTestModel(13, "x", 1, 2, 4, 4)
	wa := ops.New(onnx.Float, 2, 2, 1, 1)
	copy(wa.F32(), []float32{1000, 0, 0, 1}) // channel 0 x1000
	wb := ops.New(onnx.Float, 2, 1, 1, 1)
	copy(wb.F32(), []float32{0.001, 1}) // depthwise: back to the same scale
	b.node("Conv", []string{"x", b.init("wa", wa)}, []string{"a"})
	b.node("Conv", []string{"a", b.init("wb", wb)}, []string{"d"}, aInt("group", 2))
	b.node("Conv", []string{"d", b.random("wc", -1, 1, 3, 2, 1, 1)}, []string{"y"})
	b.output("y")
	res := quantizeOK(t, b.m, randomInputs(4, 1, 2, 4, 4), Options{PerChannel: true})
	rows := res.Report.Layers
	if rows[0].Node != "d" || !(rows[0].Alone < 10) {
		t.Fatalf("worst layer %s alone %s dB, want d below 10 dB: %+v", rows[0].Node, rows[0].Alone, rows)
	}
	for _, l := range rows {
		if l.Node == "a" && !(l.Own > 40 && l.Alone > 40) {
			t.Errorf("a: own %s, alone %s dB: its quantization looks fine by energy", l.Own, l.Alone)
		}
	}
}
