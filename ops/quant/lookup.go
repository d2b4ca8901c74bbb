package quant

import (
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/qgemm"
)

// The com.microsoft QLinearSigmoid and QLinearLeakyRelu (version 1) apply
// a function to a uint8/int8 tensor: Y = quantize(f(dequantize(X))), X's
// and Y's scales and zero points per tensor (zero points optional, 0).
// Like ONNX Runtime they map each of the 256 possible inputs once through
// a table: dequantize is X_scale·(x - X_zp) and quantize
// saturate(round_half_even(v/Y_scale) + Y_zp), in float32; f is
// 1/(1+exp(-v)) for QLinearSigmoid (exact in float64, where ONNX
// Runtime's polynomial approximation could round the other way at a rare
// near-tie), v or alpha·v below 0 (alpha default 0.01) for
// QLinearLeakyRelu. QLinearConcat (concat.go) requantizes its
// inputs through the same tables with f the identity.
func init() {
	ops.Register("com.microsoft", "QLinearSigmoid", 1, func(*onnx.Node, int) (ops.Op, error) {
		return qlinearLookup{fn: sigmoid}, nil
	})
	ops.Register("com.microsoft", "QLinearLeakyRelu", 1, func(n *onnx.Node, _ int) (ops.Op, error) {
		a := ops.AttrsOf(n)
		alpha := a.Float("alpha", 0.01)
		if err := a.Err(); err != nil {
			return nil, err
		}
		return qlinearLookup{fn: func(v float32) float32 {
			if v >= 0 {
				return v
			}
			return alpha * v
		}}, nil
	})
	ops.Register(InternalDomain, "QLinearSiLU", 1, func(*onnx.Node, int) (ops.Op, error) {
		return qlinearLookup{fn: sigmoid, silu: true}, nil
	})
}

// InternalDomain is the domain of the operators edgeinfer's graph
// rewrites make and models do not contain.
const InternalDomain = "ai.edgeinfer.internal"

// sigmoid is QLinearSigmoid's function.
func sigmoid(v float32) float32 { return float32(1 / (1 + math.Exp(-float64(v)))) }

// The internal QLinearSiLU (ai.edgeinfer.internal, version 1) is what the
// runtime's QDQ fusion makes of x·sigmoid(x) (SiLU, EfficientNet's and
// YOLO's activation) in QDQ form: QLinearMul(X, QLinearSigmoid(X)), X's
// parameters the same for both, S_scale and S_zero_point the sigmoid's
// output's. Its output is a function of the 8-bit X alone, so one table
// of the 256 results replaces both operators, bit for bit: the sigmoid's
// table, then QLinearMul's arithmetic (the exact integer product
// (x - X_zp)·(s - S_zp) times X_scale·S_scale/Y_scale in float32, plus
// Y_zp, rounded half to even and saturated). EfficientNet-B0 int8 spent
// 0.24 ms at one thread on its largest SiLU as the two operators.

// qlinearLookup is a built QLinearSigmoid or QLinearLeakyRelu (fn on
// dequantized values), or QLinearSiLU (silu, fn the sigmoid).
type qlinearLookup struct {
	fn   func(float32) float32
	silu bool
}

var (
	qlinearLookupNames = []string{"X", "X_scale", "X_zero_point", "Y_scale", "Y_zero_point"}
	qlinearSiLUNames   = []string{"X", "X_scale", "X_zero_point", "S_scale", "S_zero_point", "Y_scale", "Y_zero_point"}
)

// Infer checks the inputs; Y has X's type and shape.
func (q qlinearLookup) Infer(in []ops.Value) ([]ops.Value, error) {
	var err error
	if q.silu {
		err = checkQOperands(in, qlinearSiLUNames, []int{0}, []int{1, 3, 5}, []int{2, 4, 6})
	} else {
		err = checkQOperands(in, qlinearLookupNames, []int{0}, []int{1, 3}, []int{2, 4})
	}
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: in[0].Type, Shape: in[0].Shape}}, nil
}

// Run computes out[0].
func (q qlinearLookup) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(q, ctx, in, out)
}

// Bind makes the table and the loop once; the table is filled at every run.
func (q qlinearLookup) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x, y := in[0], out[0]
	table := new([256]byte)
	body := func(lo, hi int) { qgemm.Lookup(y.Data[lo:hi], x.Data[lo:hi], table) }
	n := y.Len()
	return func() error {
		buildTable(table, x.Type, in[1], ops.InputAt(in, 2), in[3], ops.InputAt(in, 4), q.fn)
		if q.silu {
			siluTable(table, x.Type, in)
		}
		ctx.Par.For(n, ops.Grain, body)
		return nil
	}, nil
}

// siluTable turns a QLinearSiLU's sigmoid table into its result's: entry
// x becomes QLinearMul of x and the sigmoid's value s = table[x] (see
// qmulRun's Go loop, whose arithmetic this is).
func siluTable(table *[256]byte, t ops.DType, in []*ops.Tensor) {
	if t == onnx.Int8 {
		mulTable[int8](table, in)
		return
	}
	mulTable[uint8](table, in)
}

func mulTable[T quant8](table *[256]byte, in []*ops.Tensor) {
	// QLinearMul's inputs: A = X (1-2), B = the sigmoid's output (3-4), C = Y (5-6).
	mulIn := []*ops.Tensor{nil, in[1], ops.InputAt(in, 2), nil, in[3], ops.InputAt(in, 4), in[5], ops.InputAt(in, 6)}
	p := newQbinParams[T](mulIn)
	for i := range table {
		x, s := T(i), T(table[i])
		prod := (int32(x) - p.za) * (int32(s) - p.zb)
		table[i] = byte(T(roundSat(float32(float32(prod)*p.ratio)+p.zc, p.lo, p.hi)))
	}
}

// buildTable fills table, indexed by the bytes of 8-bit values of type t,
// with quantize(fn(dequantize(value))) for the given scales and optional
// zero points (nil fn: the identity).
func buildTable(table *[256]byte, t ops.DType, xs, xzp, ys, yzp *ops.Tensor, fn func(float32) float32) {
	if t == onnx.Int8 {
		fillTable[int8](table, xs, xzp, ys, yzp, fn)
		return
	}
	fillTable[uint8](table, xs, xzp, ys, yzp, fn)
}

func fillTable[T quant8](table *[256]byte, xs, xzp, ys, yzp *ops.Tensor, fn func(float32) float32) {
	zpOf := func(t *ops.Tensor) int32 {
		if t == nil {
			return 0
		}
		return int32(ops.View[T](t.Data)[0])
	}
	sx, sy, zx, zy := xs.F32()[0], ys.F32()[0], zpOf(xzp), float64(zpOf(yzp))
	lo, hi := quantBounds[T]()
	for i := range table {
		x := T(i)
		v := float32(sx * float32(int32(x)-zx))
		if fn != nil {
			v = fn(v)
		}
		table[i] = byte(T(quantClamp(math.RoundToEven(float64(v/sy))+zy, lo, hi)))
	}
}
