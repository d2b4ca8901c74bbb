package elem

import (
	"fmt"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/internal/fmath"
)

// ImageScaler, an experimental operator of the first opsets that old
// exports still hold, registered at opset 1 as ONNX Runtime does: y =
// scale*x + bias[c] over an [N, C, H, W] float image, with attribute scale
// (default 1) and the required attribute bias, one value per channel.
func init() { ops.Register("", "ImageScaler", 1, buildImageScaler) }

// imageScalerOp is a built ImageScaler.
type imageScalerOp struct {
	scale float32
	bias  []float32
}

func buildImageScaler(n *onnx.Node, opset int) (ops.Op, error) {
	a := ops.AttrsOf(n)
	if !a.Has("bias") {
		return nil, fmt.Errorf("attribute \"bias\" is required")
	}
	o := &imageScalerOp{scale: a.Float("scale", 1), bias: a.Floats("bias")}
	return o, a.Err()
}

// Infer checks the image's type and its channels against bias.
func (o *imageScalerOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	x := in[0]
	if err := tFloat.check(x, "input"); err != nil {
		return nil, err
	}
	if len(x.Shape) != 4 {
		return nil, fmt.Errorf("input has shape %v, want [N, C, H, W]", x.Shape)
	}
	if len(o.bias) != x.Shape[1] {
		return nil, fmt.Errorf("attribute \"bias\" has %d values, the input has %d channels", len(o.bias), x.Shape[1])
	}
	return []ops.Value{{Type: x.Type, Shape: x.Shape}}, nil
}

// InPlace lets the output overwrite the input.
func (o *imageScalerOp) InPlace(in []ops.Value) int { return 0 }

// Run scales the image.
func (o *imageScalerOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	return ops.RunBound(o, ctx, in, out)
}

// Bind makes the loop over the channel planes once.
func (o *imageScalerOp) Bind(ctx *ops.Ctx, in, out []*ops.Tensor) (func() error, error) {
	if in[0].Type == onnx.Float {
		return bindImageScaler[float32](ctx.Par, o, out[0], in[0]), nil
	}
	return bindImageScaler[float64](ctx.Par, o, out[0], in[0]), nil
}

// scalerJob scales planes [lo, hi) of x into d.
type scalerJob[T fmath.Float] struct {
	o         *imageScalerOp
	d, x      []T
	plane, ch int // plane size, channels
}

func (j scalerJob[T]) Run(lo, hi int) {
	s := T(j.o.scale)
	for p := lo; p < hi; p++ {
		b := T(j.o.bias[p%j.ch])
		d, x := j.d[p*j.plane:(p+1)*j.plane], j.x[p*j.plane:(p+1)*j.plane]
		for i, v := range x {
			d[i] = s*v + b
		}
	}
}

// bindImageScaler binds the scaling of x into d for T.
func bindImageScaler[T fmath.Float](par ops.Parallel, o *imageScalerOp, d, x *ops.Tensor) func() error {
	ch, planes, plane := x.Shape[1], x.Shape[0]*x.Shape[1], 0
	if planes > 0 {
		plane = x.Len() / planes
	}
	job := new(scalerJob[T])
	return ops.BindLoop(par, planes, max(1, ops.Grain/max(plane, 1)), job, func() {
		*job = scalerJob[T]{o: o, d: ops.Elems[T](d), x: ops.Elems[T](x), plane: plane, ch: ch}
	})
}
