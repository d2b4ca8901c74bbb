package text

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// TfIdfVectorizer counts, in each row of its int32 or int64 input ([C] or
// [N, C]), the n-grams of a pool given as attributes, and outputs the
// counts as float32 vectors of max(ngram_indexes)+1 entries: [N, size] or
// [size]. The pool (pool_int64s) holds the 1-grams, then the 2-grams...:
// ngram_counts[n-1] is where the n-grams start, and the i-th n-gram of the
// pool is counted at output coordinate ngram_indexes[i]. String pools
// (pool_strings) and string inputs are unsupported.
//
// An n-gram with skip s takes tokens s+1 apart; n-grams of lengths
// min_gram_length to max_gram_length are counted for every skip from 0 to
// max_skip_count, except 1-grams, counted once. Mode TF outputs the
// counts, IDF weights[i] for each n-gram found at least once, TFIDF
// weights[i] times the count (weights default to 1). The pool is a trie,
// so each start position is matched against all n-gram lengths at once.
func init() {
	ops.Register("", "TfIdfVectorizer", 9, buildTfIdf)
}

// trieNode is a node of the pool's trie: the n-gram spelled by the path
// to it is pool n-gram id (or none, -1), and its children extend it by
// one token.
type trieNode struct {
	id       int
	children map[int64]*trieNode
}

// child returns the child for token v, creating it if asked.
func (t *trieNode) child(v int64, create bool) *trieNode {
	c := t.children[v]
	if c == nil && create {
		if t.children == nil {
			t.children = map[int64]*trieNode{}
		}
		c = &trieNode{id: -1}
		t.children[v] = c
	}
	return c
}

// tfidfOp is a built TfIdfVectorizer.
type tfidfOp struct {
	mode       string
	minN, maxN int
	maxSkip    int
	root       *trieNode
	indexes    []int     // output coordinate of each pool n-gram
	weights    []float32 // weight of each pool n-gram
	size       int       // output vector length
}

func buildTfIdf(n *onnx.Node, _ int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	for _, req := range []string{"mode", "min_gram_length", "max_gram_length", "max_skip_count", "ngram_counts", "ngram_indexes"} {
		if !a.Has(req) {
			return nil, fmt.Errorf("attribute %q is required", req)
		}
	}
	if a.Has("pool_strings") {
		return nil, fmt.Errorf("attribute \"pool_strings\": string pools are %w", ops.ErrUnsupported)
	}
	op := &tfidfOp{mode: a.String("mode", "")}
	switch op.mode {
	case "TF", "IDF", "TFIDF":
	default:
		return nil, fmt.Errorf("attribute \"mode\" is %q, want TF, IDF or TFIDF", op.mode)
	}
	minN, maxN, skip := a.Int("min_gram_length", 0), a.Int("max_gram_length", 0), a.Int("max_skip_count", 0)
	counts, idx, pool, weights := a.Ints("ngram_counts"), a.Ints("ngram_indexes"), a.Ints("pool_int64s"), a.Floats("weights")
	if err := a.Err(); err != nil {
		return nil, err
	}
	if minN < 1 || maxN < minN || maxN > 1<<10 {
		return nil, fmt.Errorf("attributes \"min_gram_length\" %d and \"max_gram_length\" %d: want 1 <= min <= max", minN, maxN)
	}
	if skip < 0 || skip > 1<<20 {
		return nil, fmt.Errorf("attribute \"max_skip_count\" is %d, want >= 0", skip)
	}
	op.minN, op.maxN, op.maxSkip = int(minN), int(maxN), int(skip)
	if !a.Has("pool_int64s") {
		return nil, fmt.Errorf("attribute \"pool_int64s\" is required (or pool_strings)")
	}
	if weights != nil && len(weights) != len(idx) {
		return nil, fmt.Errorf("attribute \"weights\" has %d entries, ngram_indexes %d", len(weights), len(idx))
	}
	for i, v := range idx {
		if v < 0 || v > ops.MaxDim/2 {
			return nil, fmt.Errorf("attribute \"ngram_indexes\" entry %d is %d, want an output coordinate >= 0", i, v)
		}
		op.indexes = append(op.indexes, int(v))
		op.size = max(op.size, int(v)+1)
	}
	op.weights = weights
	if op.weights == nil {
		op.weights = make([]float32, len(idx))
		for i := range op.weights {
			op.weights[i] = 1
		}
	}
	if err := op.buildTrie(pool, counts); err != nil {
		return nil, err
	}
	return op, nil
}

// buildTrie inserts the pool's n-grams: those of length n run from
// counts[n-1] to the next start (or the pool's end).
func (op *tfidfOp) buildTrie(pool, counts []int64) error {
	op.root = &trieNode{id: -1}
	id := 0
	for k, start := range counts {
		n := k + 1
		end := int64(len(pool))
		if k+1 < len(counts) {
			end = counts[k+1]
		}
		if start < 0 || end < start || end > int64(len(pool)) || (end-start)%int64(n) != 0 {
			return fmt.Errorf("attribute \"ngram_counts\" %v does not split the pool of %d into whole %d-grams", counts, len(pool), n)
		}
		for g := start; g < end; g += int64(n) {
			if id >= len(op.indexes) {
				return fmt.Errorf("the pool holds more n-grams than attribute \"ngram_indexes\" has entries (%d)", len(op.indexes))
			}
			node := op.root
			for _, v := range pool[g : g+int64(n)] {
				node = node.child(v, true)
			}
			if node.id >= 0 {
				return fmt.Errorf("attribute \"pool_int64s\" holds the %d-gram %v twice", n, pool[g:g+int64(n)])
			}
			node.id = id
			id++
		}
	}
	if id != len(op.indexes) {
		return fmt.Errorf("the pool holds %d n-grams, attribute \"ngram_indexes\" has %d entries", id, len(op.indexes))
	}
	return nil
}

// Infer checks the input and gives the float32 output.
func (op *tfidfOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	x := in[0]
	switch {
	case x.Type == onnx.String:
		return nil, fmt.Errorf("input \"X\" has type string: %w", ops.ErrUnsupported)
	case x.Type != onnx.Int32 && x.Type != onnx.Int64:
		return nil, fmt.Errorf("input \"X\" has type %s, want int32 or int64", ops.TypeName(x.Type))
	}
	switch len(x.Shape) {
	case 1:
		return []ops.Value{{Type: onnx.Float, Shape: []int{op.size}}}, nil
	case 2:
		return []ops.Value{{Type: onnx.Float, Shape: []int{x.Shape[0], op.size}}}, nil
	}
	return nil, fmt.Errorf("input \"X\" has shape %v, want [C] or [N, C]", x.Shape)
}

// Run vectorizes each row.
func (op *tfidfOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	x, y := in[0], out[0]
	c := x.Shape[len(x.Shape)-1]
	rows := x.Len() / max(c, 1)
	if c == 0 {
		rows = ops.NumElems(x.Shape[:len(x.Shape)-1])
	}
	tokens := make([]int64, x.Len())
	if x.Type == onnx.Int32 {
		for i, v := range ops.Elems[int32](x) {
			tokens[i] = int64(v)
		}
	} else {
		copy(tokens, ops.Elems[int64](x))
	}
	yv := ops.Elems[float32](y)
	ctx.Par.For(rows, max(1, 1<<12/max(c*op.maxN*(op.maxSkip+1), 1)), func(lo, hi int) {
		counts := make([]int, len(op.indexes))
		for r := lo; r < hi; r++ {
			clear(counts)
			op.count(tokens[r*c:(r+1)*c], counts)
			op.weigh(counts, yv[r*op.size:(r+1)*op.size])
		}
	})
	return nil
}

// count adds to counts[id] the occurrences in row of pool n-gram id.
func (op *tfidfOp) count(row []int64, counts []int) {
	minN := op.minN
	for skip := 0; skip <= op.maxSkip && minN <= op.maxN; skip++ {
		step := skip + 1
		// A start must leave room for an n-gram of the smallest length.
		for start := 0; start+step*(minN-1) < len(row); start++ {
			node := op.root
			for n, pos := 1, start; n <= op.maxN && pos < len(row); n, pos = n+1, pos+step {
				if node = node.child(row[pos], false); node == nil {
					break
				}
				if n >= minN && node.id >= 0 {
					counts[node.id]++
				}
			}
		}
		minN = max(minN, 2) // 1-grams are counted on the first pass only
	}
}

// weigh writes a row of the output from the counts, by the mode.
func (op *tfidfOp) weigh(counts []int, y []float32) {
	clear(y)
	for id, n := range counts {
		v := float32(n)
		switch op.mode {
		case "IDF":
			v = float32(min(n, 1)) * op.weights[id]
		case "TFIDF":
			v *= op.weights[id]
		}
		y[op.indexes[id]] += v
	}
}
