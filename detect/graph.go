package detect

import "github.com/edgeinfer/edgeinfer/onnx"

// rawHead reports whether graph output name is a raw detection head: only
// a rearrangement of convolution (or matrix product) outputs and of their
// sigmoids or softmaxes, with no arithmetic (Add, Mul, Exp...) that would
// decode boxes in the graph. The walk goes back from the output through
// layout operators and stops at the head's convolutions. A model without
// a graph (or an output no node writes) is not raw.
func rawHead(g *onnx.Graph, name string) bool {
	if g == nil {
		return false
	}
	producer := make(map[string]*onnx.Node, len(g.Nodes))
	for _, n := range g.Nodes {
		for _, o := range n.Outputs {
			producer[o] = n
		}
	}
	consts := make(map[string]bool, len(g.Initializer))
	for _, t := range g.Initializer {
		consts[t.Name] = true
	}
	seen := map[*onnx.Node]bool{}
	stack := []string{name}
	found := false
	for len(stack) > 0 {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n := producer[v]
		if n == nil || seen[n] {
			continue
		}
		seen[n] = true
		switch n.OpType {
		case "Conv", "ConvTranspose", "MatMul", "Gemm", "QLinearConv", "QLinearMatMul":
			found = true
		case "Concat":
			for _, in := range n.Inputs {
				if in != "" && !consts[in] {
					stack = append(stack, in)
				}
			}
		case "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Identity", "Slice", "Split",
			"Cast", "Sigmoid", "Softmax", "LogSoftmax", "Dropout", "DequantizeLinear", "QuantizeLinear":
			if len(n.Inputs) > 0 {
				stack = append(stack, n.Inputs[0])
			}
		case "Constant":
		default:
			return false
		}
	}
	return found
}
