package runtime

import (
	"strings"
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
	count, bytes, err := ParamStats(p)
	if err != nil || count != 36+80+35+3 || bytes != 4*(36+80+35)+2*3 {
		t.Errorf("ParamStats = %d elements, %d bytes, %v", count, bytes, err)
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
	huge := `input "x": float32[1073741824 2 6 6] needs more than 536870912 bytes, the limit for one tensor (Limits.MaxTensorBytes)`
	if _, err := load(t, p).Plan([][]int{{1 << 30, 2, 6, 6}}); err == nil || err.Error() != huge {
		t.Errorf("Plan of a huge input: got %v, want %q", err, huge)
	}
}

// Weights held in Constant nodes count as parameters, as initializers do.
func TestParamStatsCountsConstants(t *testing.T) {
	constant := func(out string, a *onnx.Attribute) *onnx.Node {
		return &onnx.Node{OpType: "Constant", Outputs: []string{out}, Attrs: []*onnx.Attribute{a}}
	}
	w := ops.ToProto(randTensor(newRand(81), 4, 3), "", onnx.Float)
	i4 := &onnx.Tensor{DataType: onnx.Int4, Dims: []int64{5}, Int32Data: make([]int32, 5)}
	p := newBuilder(13).init("b", randTensor(newRand(82), 4)).m
	p.Graph.Nodes = []*onnx.Node{
		constant("w", &onnx.Attribute{Name: "value", Type: onnx.AttrTensor, T: w}),
		constant("i4", &onnx.Attribute{Name: "value", Type: onnx.AttrTensor, T: i4}),
		constant("f", &onnx.Attribute{Name: "value_float", Type: onnx.AttrFloat, F: 2}),
		constant("fs", &onnx.Attribute{Name: "value_floats", Type: onnx.AttrFloats, Floats: []float32{1, 2}}),
		constant("i", &onnx.Attribute{Name: "value_int", Type: onnx.AttrInt, I: 2}),
		constant("is", &onnx.Attribute{Name: "value_ints", Type: onnx.AttrInts, Ints: []int64{1, 2, 3}}),
		constant("str", &onnx.Attribute{Name: "value_string", Type: onnx.AttrString, S: []byte("abc")}),
		constant("strs", &onnx.Attribute{Name: "value_strings", Type: onnx.AttrStrings, Strings: [][]byte{[]byte("ab"), []byte("c")}}),
		{OpType: "Constant", Domain: "com.example", Outputs: []string{"other"}, Attrs: []*onnx.Attribute{{Name: "value", Type: onnx.AttrTensor, T: w}}},
	}
	count, bytes, err := ParamStats(p)
	wantCount := int64(4 + 12 + 5 + 1 + 2 + 1 + 3 + 1 + 2)
	wantBytes := int64(4*4 + 4*12 + 3 + 4 + 8 + 8 + 24 + 3 + 3)
	if err != nil || count != wantCount || bytes != wantBytes {
		t.Errorf("ParamStats = %d elements, %d bytes, %v; want %d, %d", count, bytes, err, wantCount, wantBytes)
	}

	p.Graph.Nodes[0].Attrs[0].T = &onnx.Tensor{DataType: onnx.Float, Dims: []int64{-2}}
	if _, _, err := ParamStats(p); err == nil || !strings.Contains(err.Error(), `Constant (output "w"): attribute "value": `) {
		t.Errorf("negative dims: got %v, want an error naming the node", err)
	}
}
