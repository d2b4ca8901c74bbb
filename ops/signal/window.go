package signal

import (
	"fmt"
	"math"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
)

// The generators of opset 17, whose outputs have the type output_datatype
// (default float32; any numeric type, floats converted to integers by
// truncation; float16 and bfloat16 are float32 values rounded to that
// precision, as the runtime computes those types):
//
//   - HannWindow, HammingWindow and BlackmanWindow give a window of size
//     points (a scalar int32 or int64 input) from the generalized cosine
//     a0 - a1 cos(2πk/N) + a2 cos(4πk/N), with (a0, a1, a2) = (0.5, 0.5, 0),
//     (25/46, 21/46, 0) and (0.42, 0.5, 0.08). N is size for a periodic
//     window (the default) and size - 1 for a symmetric one (periodic 0);
//     a symmetric window of one point is [1].
//   - MelWeightMatrix gives the [dft_length/2 + 1, num_mel_bins] matrix of
//     triangular filters that maps a one-sided spectrum to the mel scale,
//     mel(f) = 2595 log10(1 + f/700), between lower_edge_hertz and
//     upper_edge_hertz, each filter peaking at 1; its band edges are the
//     spec's reference ones: num_mel_bins + 2 points spaced by the mel
//     range over num_mel_bins + 2, mapped to the spectrum bins
//     floor((dft_length + 1) f / sample_rate).
func init() {
	for _, w := range []struct {
		name       string
		a0, a1, a2 float64
	}{
		{"HannWindow", 0.5, 0.5, 0},
		{"HammingWindow", 25.0 / 46, 21.0 / 46, 0},
		{"BlackmanWindow", 0.42, 0.5, 0.08},
	} {
		ops.Register("", w.name, 17, func(n *onnx.Node, opset int) (ops.Op, error) {
			a := ops.AttrsOf(n)
			op := &windowOp{a0: w.a0, a1: w.a1, a2: w.a2, periodic: a.Int("periodic", 1) != 0}
			var err error
			op.out, err = outputType(a)
			return op, err
		})
	}
	ops.Register("", "MelWeightMatrix", 17, func(n *onnx.Node, opset int) (ops.Op, error) {
		t, err := outputType(ops.AttrsOf(n))
		return &melOp{out: t}, err
	})
}

// outputType reads and checks output_datatype.
func outputType(a *ops.Attrs) (ops.DType, error) {
	t := ops.DType(a.Int("output_datatype", int64(onnx.Float)))
	if err := a.Err(); err != nil {
		return 0, err
	}
	if !ops.IsNumeric(t) && t != onnx.Float16 && t != onnx.BFloat16 {
		return 0, fmt.Errorf("attribute \"output_datatype\" is %s, want a numeric type", ops.TypeName(t))
	}
	return t, nil
}

// computed is the element type a generator writes for type t: float32
// stands for float16 and bfloat16.
func computed(t ops.DType) ops.DType {
	if t == onnx.Float16 || t == onnx.BFloat16 {
		return onnx.Float
	}
	return t
}

// windowOp is a built window generator.
type windowOp struct {
	a0, a1, a2 float64
	periodic   bool
	out        ops.DType
}

// Infer reads the size, which must be known.
func (op *windowOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 1, 1); err != nil {
		return nil, err
	}
	size, err := sizeInput(in[0], "size")
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: computed(op.out), Shape: []int{size}}}, nil
}

// sizeInput reads a constant scalar size.
func sizeInput(v ops.Value, name string) (int, error) {
	s, err := scalarInt(v, name)
	if err != nil {
		return 0, err
	}
	if s < 0 {
		return 0, fmt.Errorf("input %q is %d, want a size", name, s)
	}
	return ops.ToDim(s, name)
}

// Run writes the window.
func (op *windowOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	y := out[0]
	n := float64(y.Len())
	if !op.periodic {
		n--
	}
	return writeValues(y, op.out, func(k int) float64 {
		if n == 0 {
			return 1
		}
		x := 2 * math.Pi * float64(k) / n
		return op.a0 - op.a1*math.Cos(x) + op.a2*math.Cos(2*x)
	})
}

// writeValues sets every element k of y to f(k), converted to y's type
// and rounded to float16 or bfloat16 precision when want is one of those.
func writeValues(y *ops.Tensor, want ops.DType, f func(k int) float64) error {
	switch y.Type {
	case onnx.Float:
		round := func(v float32) float32 { return v }
		switch want {
		case onnx.Float16:
			round = func(v float32) float32 { return onnx.F16ToF32(onnx.F32ToF16(v)) }
		case onnx.BFloat16:
			round = func(v float32) float32 { return onnx.BF16ToF32(onnx.F32ToBF16(v)) }
		}
		for k := range y.F32() {
			y.F32()[k] = round(float32(f(k)))
		}
	case onnx.Double:
		fill(ops.Elems[float64](y), f)
	case onnx.Int8:
		fill(ops.Elems[int8](y), f)
	case onnx.Int16:
		fill(ops.Elems[int16](y), f)
	case onnx.Int32:
		fill(ops.Elems[int32](y), f)
	case onnx.Int64:
		fill(ops.Elems[int64](y), f)
	case onnx.Uint8:
		fill(ops.Elems[uint8](y), f)
	case onnx.Uint16:
		fill(ops.Elems[uint16](y), f)
	case onnx.Uint32:
		fill(ops.Elems[uint32](y), f)
	case onnx.Uint64:
		fill(ops.Elems[uint64](y), f)
	default:
		return fmt.Errorf("output type %s is not computed", ops.TypeName(y.Type))
	}
	return nil
}

// fill sets d[k] = f(k), converted to T.
func fill[T ops.Numeric](d []T, f func(k int) float64) {
	for k := range d {
		d[k] = T(f(k))
	}
}

// melOp is a built MelWeightMatrix.
type melOp struct{ out ops.DType }

// Infer reads num_mel_bins and dft_length, which must be known.
func (op *melOp) Infer(in []ops.Value) ([]ops.Value, error) {
	if err := ops.CheckInputs(in, 5, 5); err != nil {
		return nil, err
	}
	for i, name := range []string{"lower_edge_hertz", "upper_edge_hertz"} {
		if err := checkFloat(in[3+i], name); err != nil {
			return nil, err
		}
		if ops.NumElems(in[3+i].Shape) != 1 {
			return nil, fmt.Errorf("input %q has shape %v, want a scalar", name, in[3+i].Shape)
		}
	}
	mels, err := sizeInput(in[0], "num_mel_bins")
	if err != nil {
		return nil, err
	}
	dftLen, err := sizeInput(in[1], "dft_length")
	if err != nil {
		return nil, err
	}
	return []ops.Value{{Type: computed(op.out), Shape: []int{dftLen/2 + 1, mels}}}, nil
}

// Run computes the band edges, then writes the triangles.
func (op *melOp) Run(ctx *ops.Ctx, in, out []*ops.Tensor) error {
	vals := ops.ConstValues(in)
	mels, err := sizeInput(vals[0], "num_mel_bins")
	if err != nil {
		return err
	}
	dftLen, err := sizeInput(vals[1], "dft_length")
	if err != nil {
		return err
	}
	rate, err := scalarInt(vals[2], "sample_rate")
	if err != nil {
		return err
	}
	if rate <= 0 {
		return fmt.Errorf("input \"sample_rate\" is %d, want a positive rate", rate)
	}
	lo, hi := scalarFloat(in[3]), scalarFloat(in[4])
	spec := dftLen/2 + 1
	mel := func(f float64) float64 { return 2595 * math.Log10(1+f/700) }
	loMel, hiMel := mel(lo), mel(hi)
	step := (hiMel - loMel) / float64(mels+2)
	edges := make([]int, mels+2)
	for i := range edges {
		f := 700 * (math.Pow(10, (float64(i)*step+loMel)/2595) - 1)
		e := math.Floor(float64(dftLen+1) * f / float64(rate))
		if !(e >= 0 && e < float64(spec)) {
			return fmt.Errorf("band edge %d (%g Hz) maps to spectrum bin %g, outside [0, %d): check the edges against the sample rate", i, f, e, spec)
		}
		edges[i] = int(e)
	}
	return writeValues(out[0], op.out, func(k int) float64 {
		j, i := k/mels, k%mels
		left, center, right := edges[i], edges[i+1], edges[i+2]
		switch {
		case j >= center && j < right:
			return float64(right-j) / float64(right-center)
		case j >= left && j <= center && center > left:
			return float64(j-left) / float64(center-left)
		case j == center:
			return 1
		}
		return 0
	})
}

// scalarFloat is the value of a one-element float32 or float64 tensor.
func scalarFloat(t *ops.Tensor) float64 {
	if t.Type == onnx.Float {
		return float64(t.F32()[0])
	}
	return t.F64()[0]
}
