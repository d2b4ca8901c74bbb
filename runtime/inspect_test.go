package runtime

import (
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

func TestInspect(t *testing.T) {
	rng := newRand(80)
	p := newBuilder(13).
		input("x", onnx.Float, "N", 2, 6, 6).
		init("w", randTensor(rng, 4, 1, 3, 3)).
		init("fc", randTensor(rng, 16, 5)).
		init("m", randTensor(rng, 5, 7)).
		init("half", &ops.Tensor{Type: onnx.Float16, Shape: []int{3}, Data: make([]byte, 6)}).
		node("Conv", s("x", "w"), s("c"), aInt("group", 2)). // 2 groups of 1 input channel: [N 4 4 4]
		node("Relu", s("c"), s("r")).
		node("Flatten", s("r"), s("f"), aInt("axis", 2)). // [N*4, 16]
		node("Gemm", s("f", "fc"), s("g")).               // [N*4, 5]
		node("MatMul", s("g", "m"), s("y")).              // [N*4, 7]
		output("y", onnx.Float, "B", 7).m
	p.Graph.Nodes[len(p.Graph.Nodes)-1].Domain = "ai.onnx"

	hist := OpHistogram(p)
	want := []OpCount{{"", "Conv", 1}, {"", "Flatten", 1}, {"", "Gemm", 1}, {"", "MatMul", 1}, {"", "Relu", 1}}
	if len(hist) != len(want) {
		t.Fatalf("histogram %v", hist)
	}
	for i := range want {
		if hist[i] != want[i] {
			t.Errorf("histogram[%d] = %v, want %v", i, hist[i], want[i])
		}
	}
	count, bytes := ParamStats(p)
	if count != 36+80+35+3 || bytes != 4*(36+80+35)+2*3 {
		t.Errorf("ParamStats = %d elements, %d bytes", count, bytes)
	}

	info, err := load(t, p).Plan([][]int{{3, 2, 6, 6}})
	if err != nil {
		t.Fatal(err)
	}
	conv := int64(3 * 4 * 4 * 4 * 1 * 3 * 3) // output elements x (C/group x kernel)
	gemm := int64(12 * 5 * 16)
	matmul := int64(12 * 7 * 5)
	got := map[string]int64{}
	for _, s := range info.Steps {
		got[s.OpType] = s.MACs
	}
	if got["Conv"] != conv || got["Gemm"] != gemm || got["MatMul"] != matmul || got["Flatten"] != 0 {
		t.Errorf("step MACs %v, want Conv %d, Gemm %d, MatMul %d", got, conv, gemm, matmul)
	}
	if info.MACs != conv+gemm+matmul {
		t.Errorf("total MACs %d, want %d", info.MACs, conv+gemm+matmul)
	}
	if !ops.SameShape(info.Steps[len(info.Steps)-1].OutShapes[0], []int{12, 7}) {
		t.Errorf("last step shapes %v", info.Steps[len(info.Steps)-1].OutShapes)
	}
	if info.ConstBytes != 4*(36+80+35) {
		t.Errorf("ConstBytes %d, want the weights the steps read", info.ConstBytes)
	}
	if _, err := load(t, p).Plan(nil); err != nil {
		t.Errorf("Plan(nil) with symbolic dims: %v", err)
	}
}
