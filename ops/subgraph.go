package ops

import "github.com/edgeinfer/edgeinfer/onnx"

// Subgraph is a graph attribute (If's branches, Loop's and Scan's body,
// FlexAttention's score_mod...) compiled by the runtime so that the operator
// holding it can infer its output types and shapes and run it.
//
// A subgraph may read values of the graphs around it by name (outer-scope
// values). The runtime passes those to the node as extra inputs after the
// node's own (see SubgraphUser); an operator hands the whole tail of its
// input list to every subgraph as outer, and each subgraph picks the values
// it reads.
type Subgraph interface {
	// Infer gives the type and shape of each output of the graph for
	// inputs of the given types and shapes (one per graph input, in order).
	// Values with Const set are known, and shapes inside may depend on them.
	Infer(in, outer []Value) ([]Value, error)
	// Run computes the graph's outputs (new tensors owned by the caller)
	// from its inputs, one per graph input in order.
	Run(ctx *Ctx, in, outer []*Tensor) ([]*Tensor, error)
}

// SubgraphUser is implemented by operators with graph attributes. Before
// calling Infer, the runtime compiles each graph GraphAttrs returns and
// gives them, in the same order, to SetSubgraphs, with the number of
// outer-scope values it appends to the node's inputs: Infer, Run and Bind
// then receive len(node inputs)+outer inputs, the last outer of them for
// the subgraphs.
type SubgraphUser interface {
	GraphAttrs() []*onnx.Graph
	SetSubgraphs(sg []Subgraph, outer int)
}
