package runtime

import "github.com/edgeinfer/edgeinfer/ops"

// Precision is the arithmetic a model's convolutions compute with.
type Precision = ops.Precision

// The precisions WithPrecision takes.
const (
	// FP32 is float32 arithmetic: the default, on every CPU.
	FP32 = ops.FP32
	// FP16 runs convolutions (other than depthwise ones) on fp16
	// arithmetic, their weights stored in fp16, where the CPU has it
	// (arm64 with FEAT_FP16: a Raspberry Pi 5's Cortex-A76). Activations
	// are converted to fp16 as the products read them, and the products'
	// fp16 sums over blocks of 128 steps of K are added in float32; the
	// other operators, and the outputs, stay float32. Outputs differ from
	// float32's by about the fp16 rounding of the operands (ImageNet
	// classifiers: top-1 unchanged on the test photos, largest logit
	// error a few hundredths; see docs/performance.md).
	FP16 = ops.FP16
)

// WithPrecision asks for the arithmetic convolutions compute with (default
// FP32). FP16 is opt-in and taken only on a CPU with fp16 arithmetic
// (ops.FP16Arithmetic): elsewhere the model runs in FP32, which
// Model.Precision and Session.Precision then report.
func WithPrecision(p Precision) Option { return func(c *config) { c.precision = p } }

// resolvePrecision is the precision this CPU runs when p is asked for.
func resolvePrecision(p Precision) Precision {
	if p == FP16 && ops.FP16Arithmetic() {
		return FP16
	}
	return FP32
}

// Precision is the arithmetic m's convolutions compute with: the one
// WithPrecision asked for if this CPU runs it, else FP32.
func (m *Model) Precision() Precision { return m.cfg.precision }

// Precision is the arithmetic the session's runs compute with (its
// model's; see Model.Precision).
func (s *Session) Precision() Precision { return s.m.cfg.precision }

// setPrecision gives op the model's precision before it is prepared, when
// it is not float32 and op can compute in it.
func (m *Model) setPrecision(op ops.Op) {
	if m.cfg.precision == FP32 {
		return
	}
	if ps, ok := op.(ops.PrecisionSetter); ok {
		ps.SetPrecision(m.cfg.precision)
	}
}
