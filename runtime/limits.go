package runtime

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Limits bound what a model file may make the runtime allocate, so that a
// corrupt or hostile model fails with an error naming the node, tensor and
// limit instead of exhausting memory. Every size is checked before the
// memory is allocated: the structure of the file while it is decoded
// (Load), the nodes and declared inputs and outputs when the graph is
// validated, initializers before they are converted, and, while a plan is
// made, every shape inference computes (a Reshape or ConstantOfShape to
// huge dimensions), every constant folded and the arena and scratch space.
//
// A zero field means the default (DefaultLimits); a negative one removes
// that limit.
type Limits struct {
	// MaxNodes bounds the number of nodes of the graph.
	MaxNodes int
	// MaxRank bounds the rank of every tensor: declared graph inputs and
	// outputs, initializers and every value shape inference computes.
	MaxRank int
	// MaxTensorBytes bounds the size of any one tensor: an initializer, a
	// graph input or output declared with a fixed shape, a value inferred
	// while planning, a constant folded at load or plan time.
	MaxTensorBytes int64
	// MaxMemory bounds what one plan needs (its arena, scratch space and the
	// constants its steps read, together) and, separately, the constants
	// folded while loading and while making a plan (each pass in total).
	MaxMemory int64
	// MaxDecodeBytes bounds the memory Load may allocate while decoding the
	// file's structure (see onnx.DefaultMaxDecodeBytes).
	MaxDecodeBytes int64
}

// DefaultLimits returns the limits used when none are given, meant for a
// board with 1 GiB of RAM: 100,000 nodes, rank 32, 512 MiB per tensor,
// 768 MiB per plan and 256 MiB to decode a file. Image classifiers stay
// far below them (ResNet-50: 122 nodes, 97 MiB of weights, a 7 MiB arena);
// raise them with WithLimits for bigger models on bigger machines.
func DefaultLimits() Limits {
	return Limits{
		MaxNodes:       100_000,
		MaxRank:        32,
		MaxTensorBytes: 512 << 20,
		MaxMemory:      768 << 20,
		MaxDecodeBytes: onnx.DefaultMaxDecodeBytes,
	}
}

// WithLimits sets the limits of Load and LoadModel and of the model's
// plans. Zero fields keep their defaults and negative fields remove the
// limit (see Limits).
func WithLimits(l Limits) Option { return func(c *config) { c.limits = l } }

// resolved fills in the defaults and turns removed limits into the largest
// value that can be used.
func (l Limits) resolved() Limits {
	d := DefaultLimits()
	pick := func(v, def, none int64) int64 {
		switch {
		case v == 0:
			return def
		case v < 0:
			return none
		}
		return v
	}
	// Tensors and arenas are single allocations indexed by int, which is
	// 32 bits wide on 32-bit ARM.
	return Limits{
		MaxNodes:       int(pick(int64(l.MaxNodes), int64(d.MaxNodes), math.MaxInt)),
		MaxRank:        int(pick(int64(l.MaxRank), int64(d.MaxRank), math.MaxInt)),
		MaxTensorBytes: min(pick(l.MaxTensorBytes, d.MaxTensorBytes, math.MaxInt), math.MaxInt),
		MaxMemory:      min(pick(l.MaxMemory, d.MaxMemory, math.MaxInt), math.MaxInt),
		MaxDecodeBytes: pick(l.MaxDecodeBytes, d.MaxDecodeBytes, -1),
	}
}

// tensorBytes is the size of a tensor of type t and the given dimensions,
// or an error when a dimension is negative, the rank is over the limit or
// the size is over the tensor limit (or overflows). It is what every shape
// read from a file or inferred from one goes through before anything of
// that size is allocated.
func (l Limits) tensorBytes(t ops.DType, dims []int64) (int64, error) {
	if len(dims) > l.MaxRank {
		return 0, limitError("MaxRank", int64(len(dims)), int64(l.MaxRank), "rank %d is over the limit of %d (Limits.MaxRank)", len(dims), l.MaxRank)
	}
	size := int64(max(ops.ElemSize(t), 1))
	for i, d := range dims {
		if d < 0 {
			return 0, fmt.Errorf("dimension %d is %d: dimensions cannot be negative", i, d)
		}
	}
	for _, d := range dims {
		if d == 0 {
			return 0, nil
		}
	}
	for _, d := range dims {
		if size > l.MaxTensorBytes/d {
			return 0, limitError("MaxTensorBytes", l.MaxTensorBytes+1, l.MaxTensorBytes, "%s%v needs more than %d bytes, the limit for one tensor (Limits.MaxTensorBytes)",
				ops.TypeName(t), dims, l.MaxTensorBytes)
		}
		size *= d
	}
	return size, nil
}

// checkValue applies tensorBytes to an inferred value and returns its size.
func (l Limits) checkValue(v ops.Value) (int64, error) {
	dims := make([]int64, len(v.Shape))
	for i, d := range v.Shape {
		dims[i] = int64(d)
	}
	return l.tensorBytes(v.Type, dims)
}

// checkOutputValues checks the values shape inference gave for n's outputs
// and returns their total size.
func (l Limits) checkOutputValues(n *node, names []string, outv []ops.Value) (int64, error) {
	var total int64
	for i, id := range n.out {
		size, err := l.checkValue(outv[i])
		if err != nil {
			return 0, fmt.Errorf("%s: output %q: %w", n.label(), names[id], err)
		}
		total += min(size, math.MaxInt64-total) // saturates when limits are removed
	}
	return total, nil
}

// folded accounts for size more bytes of constants computed by one folding
// pass, failing before they are allocated when the pass would exceed
// MaxMemory.
func (l Limits) folded(total *int64, size int64, n *node) error {
	if size > l.MaxMemory-*total {
		return limitError("MaxMemory", *total+min(size, math.MaxInt64-*total), l.MaxMemory, "%s: folding constants would need more than %d bytes (Limits.MaxMemory)", n.label(), l.MaxMemory)
	}
	*total += size
	return nil
}

// checkWorkspace checks a kernel's scratch request before it is allocated.
func (l Limits) checkWorkspace(n *node, ws int) error {
	if ws < 0 || int64(ws) > l.MaxMemory {
		return limitError("MaxMemory", int64(ws), l.MaxMemory, "%s: workspace of %d bytes is over the memory limit of %d bytes (Limits.MaxMemory)", n.label(), ws, l.MaxMemory)
	}
	return nil
}

// recoverOps turns a panic raised by operator code while loading or
// planning into *err, naming the node *at being processed. The passes that
// call operators (builders, Infer, Prepare, fusions, Workspace) defer it.
func recoverOps(err *error, at **onnx.Node) {
	if r := recover(); r != nil {
		where := "planning"
		if *at != nil {
			where = ops.NodeLabel(*at)
		}
		*err = fmt.Errorf("%s: %w: %v", where, ErrPanic, r)
	}
}
