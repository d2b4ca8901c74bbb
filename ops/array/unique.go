package array

import (
	"fmt"
	"slices"
	"sort"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/wide"
)

// Unique outputs the distinct elements of its input (flattened) or, with
// axis, its distinct slices along axis, sorted ascending (sorted=1, the
// default; slices compare lexicographically in row-major order) or in the
// order of their first occurrence, and optionally, as int64 1-D tensors,
// the index of each one's first occurrence, the index in Y of each input
// element or slice, and each one's count. Like numpy.unique, NaNs are equal
// to each other and sort last, and -0 equals 0 (the first occurrence's
// value is output). The outputs' length depends on the values, so Infer
// needs the input constant (ErrNotConstant otherwise).
func init() {
	ops.Register("", "Unique", 11, buildUnique)
}

// uniqueOp is a built Unique.
type uniqueOp struct {
	axis    int64
	hasAxis bool
	sorted  bool
	outputs int // 1 to 4
}

func buildUnique(n *onnx.Node, _ int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &uniqueOp{axis: a.Int("axis", 0), hasAxis: a.Has("axis"), outputs: len(n.Outputs)}
	switch s := a.Int("sorted", 1); s {
	case 0, 1:
		op.sorted = s == 1
	default:
		return nil, fmt.Errorf("attribute \"sorted\" is %d, want 0 or 1", s)
	}
	if op.outputs < 1 || op.outputs > 4 {
		return nil, fmt.Errorf("has %d outputs, want 1 to 4", op.outputs)
	}
	return op, a.Err()
}

// geometry sees the input as [outer, dim, inner] around the axis (the
// flattened input when there is none).
func (op *uniqueOp) geometry(shape []int) (outer, dim, inner, axis int, err error) {
	if !op.hasAxis {
		return 1, ops.NumElems(shape), 1, -1, nil
	}
	if axis, err = ops.AxisIn(op.axis, len(shape), true); err != nil {
		return 0, 0, 0, 0, fmt.Errorf("attribute \"axis\": %w", err)
	}
	return ops.NumElems(shape[:axis]), shape[axis], ops.NumElems(shape[axis+1:]), axis, nil
}

// uniques is Unique's result: per distinct slice in output order, the
// index of its first occurrence and its count; per input slice, the index
// of its distinct slice.
type uniques struct {
	first, counts, inverse []int
}

// find computes the distinct slices of the constant x.
func (op *uniqueOp) find(x *ops.Tensor) (*uniques, error) {
	outer, dim, inner, _, err := op.geometry(x.Shape)
	if err != nil {
		return nil, err
	}
	switch x.Type {
	case onnx.Double:
		return findUnique(ops.Elems[float64](x), outer, dim, inner, op.sorted), nil
	case onnx.Int64:
		return findUnique(ops.Elems[int64](x), outer, dim, inner, op.sorted), nil
	case onnx.Float: // float32 compares alike as a float64 copy
		w := ops.New(onnx.Double, x.Shape...)
		wide.Convert(w, x)
		return findUnique(ops.Elems[float64](w), outer, dim, inner, op.sorted), nil
	}
	// The narrower integers (and bools) order alike as an int64 copy, and
	// uint64 as one with the top bits flipped.
	w := ops.New(onnx.Int64, x.Shape...)
	if x.Type == onnx.Uint64 {
		wide.FlipUint64(w, x)
	} else {
		wide.Convert(w, x)
	}
	return findUnique(ops.Elems[int64](w), outer, dim, inner, op.sorted), nil
}

// compareElems orders a and b ascending with NaN equal to NaN and after
// every number.
func compareElems[T ops.Numeric](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	case a != a && b != b:
		return 0
	case a != a:
		return 1
	}
	return -1
}

// findUnique sorts the dim slices of x (seen as [outer, dim, inner])
// stably and groups the equal ones.
func findUnique[T ops.Numeric](x []T, outer, dim, inner int, sorted bool) *uniques {
	compare := func(a, b int) int {
		for o := range outer {
			ra := x[(o*dim+a)*inner : (o*dim+a+1)*inner]
			rb := x[(o*dim+b)*inner : (o*dim+b+1)*inner]
			for k, v := range ra {
				if c := compareElems(v, rb[k]); c != 0 {
					return c
				}
			}
		}
		return 0
	}
	perm := make([]int, dim)
	for i := range perm {
		perm[i] = i
	}
	sort.SliceStable(perm, func(i, j int) bool { return compare(perm[i], perm[j]) < 0 })
	// Groups of equal slices in sorted order; a stable sort puts each
	// group's first occurrence first.
	u := &uniques{inverse: make([]int, dim)}
	group := make([]int, dim) // group of perm[p]
	for p, i := range perm {
		if p == 0 || compare(perm[p-1], i) != 0 {
			u.first = append(u.first, i)
			u.counts = append(u.counts, 0)
		}
		group[p] = len(u.first) - 1
		u.counts[group[p]]++
	}
	rank := make([]int, len(u.first)) // output position of each group
	for g := range rank {
		rank[g] = g
	}
	if !sorted {
		order := slices.Clone(rank)
		sort.Slice(order, func(i, j int) bool { return u.first[order[i]] < u.first[order[j]] })
		first, counts := slices.Clone(u.first), slices.Clone(u.counts)
		for pos, g := range order {
			rank[g] = pos
			u.first[pos], u.counts[pos] = first[g], counts[g]
		}
	}
	for p, i := range perm {
		u.inverse[i] = rank[group[p]]
	}
	return u
}

// Infer finds the distinct slices of the constant input and sizes the
// outputs.
func (op *uniqueOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "X"); err != nil {
		return nil, err
	}
	_, dim, _, axis, err := op.geometry(in[0].Shape)
	if err != nil {
		return nil, err
	}
	if in[0].Const == nil {
		return nil, fmt.Errorf("input \"X\": %w", ops.ErrNotConstant)
	}
	u, err := op.find(in[0].Const)
	if err != nil {
		return nil, err
	}
	n := len(u.first)
	y := []int{n}
	if axis >= 0 {
		y = slices.Clone(in[0].Shape)
		y[axis] = n
	}
	outs := []ops.Value{
		{Type: in[0].Type, Shape: y},
		{Type: onnx.Int64, Shape: []int{n}},
		{Type: onnx.Int64, Shape: []int{dim}},
		{Type: onnx.Int64, Shape: []int{n}},
	}
	return outs[:op.outputs], nil
}

// Run finds the distinct slices again and writes every output present.
func (op *uniqueOp) Run(_ *ops.Ctx, in, out []*ops.Tensor) error {
	x := in[0]
	u, err := op.find(x)
	if err != nil {
		return err
	}
	outer, dim, inner, _, _ := op.geometry(x.Shape)
	n := len(u.first)
	if y := out[0]; y.Len() != outer*n*inner {
		return fmt.Errorf("input \"X\" has %d distinct values or slices, but the output was planned for another count", n)
	}
	block := inner * ops.ElemSize(x.Type)
	y := out[0].Data
	for o := range outer {
		for p, f := range u.first {
			d, s := (o*n+p)*block, (o*dim+f)*block
			copy(y[d:d+block], x.Data[s:s+block])
		}
	}
	for k, v := range [][]int{u.first, u.inverse, u.counts} {
		if k+1 >= len(out) || out[k+1] == nil {
			continue
		}
		dst := out[k+1].I64()
		for i, e := range v {
			dst[i] = int64(e)
		}
	}
	return nil
}
