// Package ops is the core of edgeinfer's operators: the Tensor and Value
// types, the Op interface and its optional capabilities (Binder, Preparer,
// InPlacer, fusion), the registry keyed by (domain, op type, first opset),
// attribute parsing, and the helpers the operator families share
// (broadcasting, sliding windows, parallel loops). The operators themselves
// live in subpackages, one per family (array, elem, nn, quant, reduce...),
// each a file per operator family with its attribute parsing, shape
// inference and kernels; a family registers its builders from init, so
// importing it (or ops/all, as the runtime does) makes its operators
// available. The runtime looks a node up for the model's opset, builds it
// once at load and keeps the built Op for every run.
package ops

import (
	"context"
	"errors"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops/internal/vec"
)

// Value is what planning knows of a tensor: its element type and concrete
// shape, and its contents when they are known before any run (initializers,
// Constant nodes, anything folded from them).
type Value struct {
	Type  DType
	Shape []int
	Const *Tensor
}

// Op is a built node. Builders parse and check attributes; Infer checks inputs
// and gives output types and shapes; Run computes. An Op is immutable after
// Prepare, so one Op serves concurrent runs.
type Op interface {
	// Infer returns the type and shape of every output (Const left nil) from
	// the inputs' types and shapes; inputs omitted in the node are Values with
	// Type Undefined. Input values needed to know a shape (Reshape's shape,
	// Slice's starts...) are in Const; if such a value is not constant Infer
	// returns an error saying so.
	Infer(in []Value) ([]Value, error)
	// Run computes the outputs. out tensors are preallocated with the shapes
	// Infer gave. Omitted optional inputs are nil.
	Run(ctx *Ctx, in, out []*Tensor) error
}

// Ctx is what a kernel gets besides its tensors.
type Ctx struct {
	// Par splits loops across the session's workers.
	Par Parallel
	// Scratch is a per-run workspace of at least the bytes Workspace asked for, 64-byte aligned.
	Scratch []byte
	// Context is the run's context (nil means none): operators that loop
	// for as long as their data says (Loop) stop when it is done.
	Context context.Context
	// MaxTensorBytes, when positive, bounds the size of a tensor an
	// operator builds up while running (a Loop's scan outputs).
	MaxTensorBytes int64
}

// Err is the error of the run's context, or nil.
func (c *Ctx) Err() error {
	if c.Context == nil {
		return nil
	}
	return c.Context.Err()
}

// Parallel runs fn over [0,n) split into contiguous chunks on up to Threads goroutines.
type Parallel interface {
	// For calls fn(lo, hi) for disjoint ranges covering [0, n) and returns when all are done.
	// grain is the smallest chunk worth a goroutine.
	For(n, grain int, fn func(lo, hi int))
	Threads() int
}

// Serial is a Parallel that runs everything on the calling goroutine.
type Serial struct{}

// For runs fn(0, n).
func (Serial) For(n, grain int, fn func(lo, hi int)) {
	if n > 0 {
		fn(0, n)
	}
}

// Threads is 1.
func (Serial) Threads() int { return 1 }

// Workspacer is implemented by ops that need scratch memory during Run.
type Workspacer interface {
	// Workspace is the number of bytes of Ctx.Scratch Run needs for these inputs.
	Workspace(in []Value) int
}

// InPlacer is implemented by ops whose output 0 may share storage with one input.
type InPlacer interface {
	// InPlace returns the index of the input that output 0 may overwrite
	// (same size and type), or -1.
	InPlace(in []Value) int
}

// Preparer is implemented by ops that transform constant inputs once (for
// example packing weights) before the first run. Prepare sees the same
// Values as Infer; it must not keep references to non-constant data.
type Preparer interface {
	Prepare(in []Value) error
}

// Activation is an element-wise function fused into a producing op's store.
type Activation struct {
	Kind        ActKind
	Min, Max    float32 // Clip bounds
	Alpha, Beta float32 // LeakyRelu slope; HardSwish's line (Alpha*v + Beta); Swish's scale
}

// ActKind names a fusable activation.
type ActKind int

// Fusable activations.
const (
	ActNone ActKind = iota
	ActRelu
	ActClip
	ActLeakyRelu
	// ActHardSwish is v * min(max(Alpha*v + Beta, 0), 1): HardSwish
	// (Alpha 1/6, Beta 1/2), or v times a HardSigmoid of v.
	ActHardSwish
	// ActSwish is v * sigmoid(Alpha*v): SiLU (Alpha 1), v times a
	// Sigmoid of v, or Swish.
	ActSwish
)

// Apply applies the activation to v.
func (a Activation) Apply(v float32) float32 {
	switch a.Kind {
	case ActRelu:
		if v < 0 {
			return 0
		}
	case ActClip:
		if v < a.Min {
			return a.Min
		}
		if v > a.Max {
			return a.Max
		}
	case ActLeakyRelu:
		if v < 0 {
			return v * a.Alpha
		}
	case ActHardSwish:
		return v * min(max(a.Alpha*v+a.Beta, 0), 1)
	case ActSwish:
		return vec.Swish1(v, a.Alpha)
	}
	return v
}

// ActFuser is implemented by ops (Conv, Gemm) that can apply an activation to their output as it is stored.
type ActFuser interface {
	// FuseActivation returns a copy of the op that applies a after its own
	// computation, or nil if it cannot.
	FuseActivation(a Activation) Op
}

// AddFuser is implemented by ops (Conv) that can add a same-shaped tensor to
// their output before the activation (a residual connection).
type AddFuser interface {
	// FuseAdd returns a copy of the op that takes one more input, added to
	// output 0 before any fused activation, or nil if it cannot.
	FuseAdd() Op
}

// ErrNotConstant is wrapped by Infer's error when an output's shape depends
// on the value of an input that is not known (its Value has no Const). The
// runtime then computes the node at run time, when every input is known,
// and plans what follows it for the shapes it gives: this is how operators
// whose output shapes depend on data (NonZero, Unique, NonMaxSuppression,
// Range of computed bounds...) run.
var ErrNotConstant = errors.New("value not known before the run")

// Evaluator is implemented by operators whose output shapes are not known
// until they are computed even when every input is (Loop until a computed
// condition). When such a node's Infer wraps ErrNotConstant, the runtime
// calls Eval in the run instead of inferring shapes and calling Run.
type Evaluator interface {
	// Eval computes the outputs, new tensors of the operator's own.
	Eval(ctx *Ctx, in []*Tensor) ([]*Tensor, error)
}

// AlgorithmNamer is implemented by operators that choose among algorithms
// (Conv: Winograd, depthwise, implicit im2col...). Algorithm names the one
// Run uses for inputs of these types and shapes (as Infer and Prepare saw
// them), for profiles: "winograd F(4x4,3x3)", "depthwise 3x3".
type AlgorithmNamer interface {
	Algorithm(in []Value) string
}

// Builder parses a node's attributes for the given opset of its domain.
type Builder func(n *onnx.Node, opset int) (Op, error)

// ErrUnsupported is wrapped by errors for valid ONNX that edgeinfer does not
// compute (training-mode outputs, float8 and sub-byte types, sequences); test
// runners report such cases as skipped rather than failed.
var ErrUnsupported = errors.New("unsupported")

// Binder is implemented by ops that prepare their run once per run state.
// The runtime gives every run state (a Session's buffers) fixed *Tensor
// structs for a step's inputs and outputs; their Data may change between
// runs (graph inputs), their shapes do not. Bind returns a function that
// computes the step reading those structs' current Data, so closures for
// Ctx.Par.For and any per-call plans are built once here and a run
// allocates nothing. The returned function must be safe to call repeatedly
// but is never called concurrently with itself.
type Binder interface {
	Bind(ctx *Ctx, in, out []*Tensor) (func() error, error)
}
