package vision

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// AffineGrid makes the sampling grid of a batch of affine maps theta
// (N, 2, 3) or (N, 3, 4) for the constant output size (N, C, H, W) or
// (N, C, D, H, W): the grid (N, H, W, 2) or (N, D, H, W, 3) holds theta
// times (x, y[, z], 1), x running along W from -1 to 1 (the corner
// centres with align_corners, their outer edges without), listed x first
// as GridSample reads it. With align_corners a size-1 axis sits at -1, as
// the ONNX reference and the operator's function body (for D) put it;
// PyTorch puts it at 0 and ONNX Runtime at 1.
func init() {
	ops.Register("", "AffineGrid", 20, buildAffineGrid)
}

// affineGridOp is a built AffineGrid.
type affineGridOp struct{ align bool }

func buildAffineGrid(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	align, err := flag(a, "align_corners", false)
	if err != nil {
		return nil, err
	}
	return &affineGridOp{align}, a.Err()
}

// Infer checks theta and size and gives the grid's shape, which needs
// size's value.
func (op *affineGridOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 2, 2); err != nil {
		return nil, err
	}
	theta := in[0]
	if err := checkFloatInput(theta, "theta"); err != nil {
		return nil, err
	}
	dims, err := op.size(in)
	if err != nil {
		return nil, err
	}
	r := len(dims) - 2
	if len(theta.Shape) != 3 || theta.Shape[0] != dims[0] || theta.Shape[1] != r || theta.Shape[2] != r+1 {
		return nil, fmt.Errorf("input \"theta\" has shape %v, want [%d, %d, %d] for size %v", theta.Shape, dims[0], r, r+1, dims)
	}
	shape := append([]int{dims[0]}, dims[2:]...)
	return []ops.Value{{Type: theta.Type, Shape: append(shape, r)}}, nil
}

// size reads the size input: N, C and 2 or 3 spatial sizes.
func (op *affineGridOp) size(in []ops.Value) ([]int, error) {
	if in[1].Type != onnx.Int64 {
		return nil, fmt.Errorf("input \"size\" has type %s, want int64", ops.TypeName(in[1].Type))
	}
	v, err := ops.ConstInts(in[1], "size")
	if err != nil {
		return nil, err
	}
	if len(v) != 4 && len(v) != 5 {
		return nil, fmt.Errorf("input \"size\" is %v, want [N, C, H, W] or [N, C, D, H, W]", v)
	}
	dims := make([]int, len(v))
	for i, d := range v {
		if d < 0 {
			return nil, fmt.Errorf("input \"size\" is %v, want sizes of at least 0", v)
		}
		if dims[i], err = ops.ToDim(d, "size"); err != nil {
			return nil, err
		}
	}
	return dims, nil
}

// Run computes the grid.
func (op *affineGridOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(op, ctx, in, out)
}

// Bind lays out the base coordinates of every axis once.
func (op *affineGridOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	grid := out[0]
	r := grid.Shape[len(grid.Shape)-1]
	spatial := grid.Shape[1 : 1+r]
	// base[i] holds the coordinates along the axis that is the i-th
	// coordinate (x: the last spatial axis).
	base := make([][]float64, r)
	for i := range base {
		base[i] = op.linspace(spatial[r-1-i])
	}
	j := affineJob{r: r, spatial: spatial, pos: ops.NumElems(spatial), base: base}
	if grid.Type == onnx.Double {
		job := new(affineJobOf[float64])
		return ops.BindLoop(ctx.Par, grid.Shape[0]*j.pos, 256, job, func() {
			*job = affineJobOf[float64]{j, in[0].F64(), grid.F64()}
		}), nil
	}
	job := new(affineJobOf[float32])
	return ops.BindLoop(ctx.Par, grid.Shape[0]*j.pos, 256, job, func() {
		*job = affineJobOf[float32]{j, in[0].F32(), grid.F32()}
	}), nil
}

// linspace is the n base coordinates of an axis.
func (op *affineGridOp) linspace(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		if op.align {
			v[i] = -1
			if n > 1 {
				v[i] += float64(i) * (2 / float64(n-1))
			}
		} else {
			v[i] = -1 + 1/float64(n) + float64(i)*(2/float64(n))
		}
	}
	return v
}

// affineJob is the geometry of an AffineGrid.
type affineJob struct {
	r       int
	spatial []int
	pos     int // grid positions per image
	base    [][]float64
}

// affineJobOf computes grid positions [lo, hi) (over images and
// positions) in type T.
type affineJobOf[T ops.Float] struct {
	affineJob
	theta, grid []T
}

func (j affineJobOf[T]) Run(lo, hi int) {
	r := j.r
	var buf [3]int
	idx := buf[:r]
	for u := lo; u < hi; u++ {
		n, p := u/j.pos, u%j.pos
		digits(idx, j.spatial, p)
		th := j.theta[n*r*(r+1):][:r*(r+1)]
		out := j.grid[u*r:][:r]
		for row := range r {
			m := th[row*(r+1):][:r+1]
			acc := float64(m[r])
			for c := range r {
				acc += float64(m[c]) * j.base[c][idx[r-1-c]]
			}
			out[row] = T(acc)
		}
	}
}
