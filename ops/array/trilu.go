package array

import (
	"fmt"
	"unsafe"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// Trilu keeps the upper (upper=1, the default) or lower triangle of the
// last two dims of its input, from the k-th diagonal (k is an optional
// int64 scalar input, 0 by default, read at every run), and zeroes the
// rest: upper keeps column j of row i when j >= i+k, lower when j <= i+k.
// Each row is one kept run copied as bytes and one zeroed run; the output
// may overwrite the input. EyeLike outputs a matrix of its input's 2-D
// shape with ones on the k-th diagonal (attribute k) and zeros elsewhere,
// of type dtype (default: the input's).
func init() {
	ops.Register("", "Trilu", 14, buildTrilu)
	for _, v := range []int{9, 22} {
		ops.Register("", "EyeLike", v, buildEyeLike)
	}
}

// triluOp is a built Trilu.
type triluOp struct {
	upper bool
}

func buildTrilu(n *onnx.Node, _ int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	return &triluOp{upper: a.Int("upper", 1) != 0}, a.Err()
}

// Infer checks the rank and k; the output has the input's type and shape.
func (op *triluOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 2); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "input"); err != nil {
		return nil, err
	}
	if len(in[0].Shape) < 2 {
		return nil, fmt.Errorf("input \"input\" has shape %v, want rank 2 or more", in[0].Shape)
	}
	if ops.HasInput(in, 1) && (in[1].Type != onnx.Int64 || ops.NumElems(in[1].Shape) != 1) {
		return nil, fmt.Errorf("input \"k\" is %s%v, want an int64 scalar", ops.TypeName(in[1].Type), in[1].Shape)
	}
	return []ops.Value{{Type: in[0].Type, Shape: in[0].Shape}}, nil
}

// InPlace lets the output overwrite the input.
func (op *triluOp) InPlace([]ops.Value) int { return 0 }

// Run keeps the triangle.
func (op *triluOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// triluRows is Trilu's loop over rows [lo, hi) of all the matrices.
type triluRows struct {
	dst, src   []byte
	rows, cols int // of one matrix
	es         int
	k          int64
	upper      bool
}

func (j *triluRows) Run(lo, hi int) {
	shared := unsafe.SliceData(j.dst) == unsafe.SliceData(j.src)
	n := j.cols * j.es
	for r := lo; r < hi; r++ {
		// c splits the row: upper keeps [c, cols), lower keeps [0, c).
		c := int64(r%j.rows) + j.k
		if !j.upper {
			c++
		}
		c = min(max(c, 0), int64(j.cols))
		split := int(c) * j.es
		d, s := j.dst[r*n:(r+1)*n], j.src[r*n:(r+1)*n]
		keep, zero := d[split:], d[:split]
		ks := s[split:]
		if !j.upper {
			keep, zero, ks = d[:split], d[split:], s[:split]
		}
		if !shared {
			copy(keep, ks)
		}
		clear(zero)
	}
}

// Bind makes the row loop once; k is read at every call.
func (op *triluOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	x, y := in[0], out[0]
	r := len(x.Shape)
	rows, cols := x.Shape[r-2], x.Shape[r-1]
	es := ops.ElemSize(x.Type)
	kt := ops.InputAt(in, 1)
	n := x.Len() / max(cols, 1)
	grain := max(1, 1<<15/max(cols*es, 1))
	j := new(triluRows)
	return ops.BindLoop(ctx.Par, n, grain, j, func() {
		*j = triluRows{dst: y.Data, src: x.Data, rows: rows, cols: cols, es: es, upper: op.upper}
		if kt != nil {
			// Beyond these bounds every row is kept whole or zeroed.
			j.k = min(max(kt.I64()[0], -int64(rows)-1), int64(cols)+1)
		}
	}), nil
}

// eyeLikeOp is a built EyeLike.
type eyeLikeOp struct {
	dtype ops.DType // Undefined: the input's type
	k     int64
}

func buildEyeLike(n *onnx.Node, _ int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	op := &eyeLikeOp{k: a.Int("k", 0)}
	if a.Has("dtype") {
		var err error
		if op.dtype, err = outputType(a.Int("dtype", 0)); err != nil {
			return nil, err
		}
	}
	return op, a.Err()
}

// Infer gives a matrix of the input's shape.
func (op *eyeLikeOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	if err := ops.CheckElemType(in[0], "input"); err != nil {
		return nil, err
	}
	if len(in[0].Shape) != 2 {
		return nil, fmt.Errorf("input \"input\" has shape %v, want 2-D", in[0].Shape)
	}
	t := op.dtype
	if t == onnx.Undefined {
		t = in[0].Type
	}
	return []ops.Value{{Type: t, Shape: in[0].Shape}}, nil
}

// Run zeroes the matrix and sets its k-th diagonal to one.
func (op *eyeLikeOp) Run(_ *ops.Ctx, _, out []*ops.Tensor) error {
	y := out[0]
	clear(y.Data)
	rows, cols := int64(y.Shape[0]), int64(y.Shape[1])
	es := ops.ElemSize(y.Type)
	// Row i holds its one at column i+k, for i in [max(0, -k), min(rows, cols-k)).
	k := min(max(op.k, -rows), cols) // beyond, no diagonal is in the matrix
	for i := max(0, -k); i < rows && i+k < cols; i++ {
		putElem(y.Type, y.Data[int(i*cols+i+k)*es:], 1)
	}
	return nil
}
