// Package runtime loads ONNX models and runs them.
//
// Loading validates the whole graph first (every unsupported operator is
// reported at once), converts initializers without copying the memory-mapped
// file, builds every node's operator once and, unless optimizations are off,
// simplifies the graph: Identity and inference Dropout are removed, subgraphs
// of constants are folded, BatchNormalization is folded into the Conv before
// it, and, where this CPU has SIMD integer kernels, a QDQ model's
// DequantizeLinear -> operator -> QuantizeLinear patterns become the integer
// operators they stand for (fuse_qdq.go; WithQDQFusion). Each distinct input shape then gets a plan: shapes are inferred node by
// node, nodes whose inputs are known before the run are computed once at plan
// time (this folds the Shape -> Gather -> Concat -> Reshape chains exporters
// emit), residual Adds and activations are fused into the Conv or Gemm that
// produces their input, and every intermediate tensor gets an offset in one
// arena by liveness. A run then only executes the planned kernels. A model
// keeps the plans of its last 8 input shapes.
//
// Weights an operator packs (Conv, Gemm, MatMul) replace the raw ones in
// memory: once packed, the raw weights' pages of the mapped file are given
// back to the operating system, and the runtime's own copies (initializers
// the file does not align, weights merged with a BatchNormalization) are
// left to the garbage collector. A later plan that needs them again reads
// them back from the model as loaded.
//
// The graph inputs a run takes are those without an initializer of the
// same name. An initializer that is also listed as a graph input (IR
// version 3 exporters list every weight so; from IR version 4 ONNX reads
// such an input as a default the caller may override) is a constant:
// it is not among Model.Inputs and cannot be overridden (ONNX Runtime,
// too, leaves it out of a session's input names).
//
// Declared input dimensions are checked where they are fixed sizes; one
// declared negative or 0 is unknown, like a symbolic one. Symbolic names
// are not matched across dimensions (see Model.Run).
//
// Integer graph inputs with at most 64 elements (the shape, axes or indices
// inputs of single-operator models) are treated as constants of the plan:
// their values are part of the plan cache key, so Reshape or Slice can infer
// shapes from them, and a new value means a new plan.
//
// Float16 and BFloat16 exist only at the boundary: such graph inputs accept
// tensors of their type or Float ones, such outputs are returned in their
// declared type, and everything in between is computed as Float.
//
// Model.Run returns outputs the caller owns. A Session returns outputs that
// live in its own arena, and allocates nothing per run once it has run an
// input shape, at any thread count (every step is bound to its run state
// once, see ops.Binder). Both are safe for concurrent use: concurrent
// runs use separate run states and share the model's worker goroutines.
package runtime

import (
	"fmt"
	goruntime "runtime"
	"sync"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/quant"
)

// Option configures Load and LoadModel.
type Option func(*config)

type config struct {
	threads  int
	limits   Limits // resolved by configure
	optimize bool
	qdq      bool // fuse QDQ patterns into integer operators
	// precision is the arithmetic asked for, resolved by configure to
	// the one this CPU runs (see WithPrecision).
	precision Precision
}

// WithThreads sets how many goroutines a kernel may use (default
// runtime.NumCPU(); values below 1 mean the default).
func WithThreads(n int) Option { return func(c *config) { c.threads = n } }

// WithMemoryLimit makes planning fail when a plan's arena, scratch space and
// constants together need more than bytes: it sets Limits.MaxMemory, except
// that 0 means no limit. Below the limit, the forms of weights that take
// more memory than the weights to run faster (the Winograd convolutions'
// transformed weights, four times W's size) are made only while the
// constants and those forms fit it; later layers run on W as it is. On a
// small board, a limit of the model file's size plus the arena and scratch
// space (see PlanInfo) and a few MiB keeps the process that small.
func WithMemoryLimit(bytes int64) Option {
	return func(c *config) {
		if bytes == 0 {
			bytes = -1
		}
		c.limits.MaxMemory = bytes
	}
}

// WithOptimizations turns graph simplification (constant folding, removal of
// Identity and Dropout, Conv+BatchNormalization folding, activation and
// residual Add fusion) on or off. It is on by default; off runs the graph as
// written, node by node, which helps when debugging a model or a kernel
// (nodes computable from constants are still evaluated while planning, as
// shape inference needs their values, but they run in every run too).
func WithOptimizations(on bool) Option { return func(c *config) { c.optimize = on } }

// WithQDQFusion turns on or off the rewriting, while simplifying, of a QDQ
// model's DequantizeLinear -> operator -> QuantizeLinear patterns into the
// integer operators they stand for (QLinearConv, QLinearMatMul, QGemm, ...;
// see the package documentation). By default it is on where this CPU runs
// the integer products on SIMD kernels (AVX-512 VNNI, AVX-VNNI, AVX2 or
// NEON, see quant.FastKernels): elsewhere the float operators between the
// quantize and dequantize pairs run several times faster than the portable
// integer kernel. Results differ by at most one quantization
// step of each fused operator's output either way.
func WithQDQFusion(on bool) Option { return func(c *config) { c.qdq = on } }

// IOInfo describes a graph input or output as declared in the model.
type IOInfo struct {
	Name string
	// Type is the declared element type (Float16 inputs also accept Float tensors).
	Type ops.DType
	// Dims are the declared dimensions, -1 where symbolic or unknown
	// (declared negative or 0 included); nil when the model declares no
	// shape (any rank).
	Dims []int64
	// Params holds each dimension's symbolic name, or "" for a fixed or unknown one.
	Params []string
}

// String formats the declared type and shape, e.g. "float32[N 3 224 224]"
// ("?" where undeclared).
func (io IOInfo) String() string {
	if io.Type == onnx.Undefined {
		return "?" + io.shapeString()
	}
	return ops.TypeName(io.Type) + io.shapeString()
}

func (io IOInfo) shapeString() string {
	if io.Dims == nil {
		return "[?]"
	}
	s := "["
	for i, d := range io.Dims {
		if i > 0 {
			s += " "
		}
		switch {
		case io.Params[i] != "":
			s += io.Params[i]
		case d < 0:
			s += "?"
		default:
			s += fmt.Sprint(d)
		}
	}
	return s + "]"
}

// Model is a loaded, validated and simplified model, ready to run. Its
// methods are safe for concurrent use.
type Model struct {
	cfg   config
	proto *onnx.Model
	g     *graph
	pool  *pool
	// attr marks the model of a graph attribute (subgraph.go): it runs on
	// the workers of the model holding it and takes no plan constants.
	attr bool
	// closeProto releases the model file's mapping (Load only).
	closeProto func() error
	closeOnce  sync.Once
	closeErr   error
	// life is held for reading by every run and plan, for writing by Close.
	life   sync.RWMutex
	closed bool // guarded by life

	// mu guards the plan cache and the operator variants (planning only).
	mu       sync.Mutex
	plans    []*plan // most recently used first
	variants map[variantKey]*variant
	dropped  map[int]bool // constants whose data the graph dropped (release.go)
	// prep is what the variants' prepared forms may take beyond their
	// constants (Winograd weights), set by the first plan (see
	// planner.budget); constBytes is the size of the constants as loaded.
	prep       *ops.Budget
	constBytes int64

	def *Session // used by Model.Run
}

// planCacheSize is how many plans (input shapes) a model keeps.
const planCacheSize = 8

// Load opens an ONNX file (memory-mapped) and prepares it to run. Close
// releases the mapping.
func Load(path string, opts ...Option) (*Model, error) {
	p, err := onnx.OpenLimited(path, configure(opts).limits.MaxDecodeBytes)
	if err != nil {
		return nil, err
	}
	m, err := LoadModel(p, opts...)
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m.closeProto = p.Close
	return m, nil
}

// LoadModel validates an in-memory model and prepares it to run. The model's
// tensors are used in place: p must not change while the Model is in use.
func LoadModel(p *onnx.Model, opts ...Option) (*Model, error) {
	cfg := configure(opts)
	pl := newPool(cfg.threads)
	m, err := loadModel(p, cfg, pl)
	if err != nil {
		pl.close()
		return nil, err
	}
	// Stop the workers when a model is dropped without Close.
	goruntime.AddCleanup(m, func(p *pool) { p.close() }, m.pool)
	return m, nil
}

// loadModel validates p and prepares it to run on the workers of pl: the
// work of LoadModel, also done for each graph attribute (subgraph.go).
func loadModel(p *onnx.Model, cfg config, pl *pool) (*Model, error) {
	order, err := validate(p, cfg.limits)
	if err != nil {
		return nil, err
	}
	g, err := buildGraph(p, order, cfg, pl)
	if err != nil {
		return nil, err
	}
	if cfg.optimize {
		if err := simplify(g, cfg); err != nil {
			return nil, err
		}
	}
	m := &Model{cfg: cfg, proto: p, g: g, pool: pl, variants: map[variantKey]*variant{}, dropped: map[int]bool{}}
	m.constBytes = g.constBytes()
	m.def = m.NewSession()
	m.releaseUnloaded()
	m.dropUnread()
	return m, nil
}

// configure applies opts to the defaults and resolves the limits.
func configure(opts []Option) config {
	cfg := config{threads: goruntime.NumCPU(), optimize: true, qdq: quant.FastKernels()}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.threads < 1 {
		cfg.threads = goruntime.NumCPU()
	}
	cfg.limits = cfg.limits.resolved()
	cfg.precision = resolvePrecision(cfg.precision)
	return cfg
}

// simplify runs the load-time passes, each of which keeps the graph valid.
func simplify(g *graph, cfg config) error {
	removeIdentities(g)
	if cfg.qdq {
		// QDQ fusion needs the weights' DequantizeLinear nodes, which folding
		// would compute away: fold around them first, fuse, then fold the rest.
		if err := foldLoadConstants(g, cfg.limits, func(n *node) bool { return n.is("DequantizeLinear") }); err != nil {
			return err
		}
		if err := fuseQDQ(g); err != nil {
			return err
		}
	}
	if err := foldLoadConstants(g, cfg.limits, nil); err != nil {
		return err
	}
	if err := fusePadConv(g); err != nil {
		return err
	}
	return fuseConvBN(g)
}

// Close waits for the runs in progress to end, then stops the model's
// workers and, for a model opened with Load, unmaps its file. Runs and
// plans started afterwards, of the model or of its sessions, fail with an
// error wrapping ErrClosed; outputs returned before stay valid. Close is
// idempotent and safe to call concurrently with runs.
func (m *Model) Close() error {
	m.life.Lock()
	m.closed = true
	m.life.Unlock()
	m.closeOnce.Do(func() {
		if !m.attr {
			m.pool.close()
		}
		if m.closeProto != nil {
			m.closeErr = m.closeProto()
		}
	})
	return m.closeErr
}

// enter admits a run or a plan, unless the model is closed; leave ends it.
func (m *Model) enter() error {
	m.life.RLock()
	if m.closed {
		m.life.RUnlock()
		return ErrClosed
	}
	return nil
}

func (m *Model) leave() { m.life.RUnlock() }

// Inputs describes the graph inputs the caller supplies, in order
// (initializers listed as inputs are not among them).
func (m *Model) Inputs() []IOInfo { return cloneIO(m.g.inInfo) }

// Outputs describes the graph outputs, in order.
func (m *Model) Outputs() []IOInfo { return cloneIO(m.g.outInfo) }

func cloneIO(in []IOInfo) []IOInfo {
	out := make([]IOInfo, len(in))
	for i, io := range in {
		out[i] = IOInfo{Name: io.Name, Type: io.Type, Params: append([]string(nil), io.Params...)}
		if io.Dims != nil {
			out[i].Dims = append([]int64{}, io.Dims...)
		}
	}
	return out
}

// Proto is the model as it was loaded (before simplification).
func (m *Model) Proto() *onnx.Model { return m.proto }
