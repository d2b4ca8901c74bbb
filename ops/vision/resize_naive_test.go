package vision

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// naiveResize is Resize-19 computed the ONNX reference's way, one output
// element at a time: per axis, the coordinate transform, the kernel's
// coefficients from the fraction of the position, the neighbours as the
// taps nearest to the position (ties to the lower index) in the input
// padded by its edges, and the sum over every combination of taps.
type naiveResize struct {
	mode, coord, nearest string
	a                    float64
	exclude, antialias   bool
	extrap               float64
}

// axisTaps is one axis's taps for one output position; out says the
// position takes the extrapolation value.
type axisTaps struct {
	idx []int
	w   []float64
	out bool
}

func (p naiveResize) taps(o, n, m int, scale, roiStart, roiEnd float64) axisTaps {
	x, length := float64(o), scale*float64(n)
	var xo float64
	switch p.coord {
	case "half_pixel":
		xo = (x+0.5)/scale - 0.5
	case "half_pixel_symmetric":
		xo = float64(n)/2*(1-float64(m)/length) + (x+0.5)/scale - 0.5
	case "pytorch_half_pixel":
		xo = 0
		if length > 1 {
			xo = (x+0.5)/scale - 0.5
		}
	case "align_corners":
		xo = 0
		if length > 1 {
			xo = x * float64(n-1) / (length - 1)
		}
	case "asymmetric":
		xo = x / scale
	case "tf_crop_and_resize":
		// A float32 roi's span and start, in float32 as the reference
		// computes them.
		span := float64((float32(roiEnd) - float32(roiStart)) * float32(n-1))
		base := float64(float32(roiStart) * float32(n-1))
		xo = span/2 + base
		if length > 1 {
			xo = x*span/(length-1) + base
		}
		if xo < 0 || xo > float64(n-1) {
			return axisTaps{out: true}
		}
	}
	ratio := xo - math.Floor(xo)
	if ratio == 0 {
		ratio = 1
	}
	var c []float64
	switch p.mode {
	case "nearest":
		switch {
		case ratio == 1:
			c = []float64{0, 1}
		case p.nearest == "round_prefer_floor":
			c = []float64{b2f(ratio <= 0.5), b2f(ratio > 0.5)}
		case p.nearest == "round_prefer_ceil":
			c = []float64{b2f(ratio < 0.5), b2f(ratio >= 0.5)}
		case p.nearest == "floor":
			c = []float64{1, 0}
		default:
			c = []float64{0, 1}
		}
	case "linear":
		if !p.antialias {
			c = []float64{1 - ratio, ratio}
			break
		}
		s := min(scale, 1)
		start := int(math.Floor(-1/s)) + 1
		sum := 0.0
		for i := start; i < 2-start; i++ {
			c = append(c, max(0, min(1, 1-math.Abs((float64(i)-ratio)*s))))
			sum += c[len(c)-1]
		}
		for i := range c {
			c[i] /= sum
		}
	case "cubic":
		a := p.a
		if !p.antialias {
			r := ratio
			c = []float64{
				((a*(r+1)-5*a)*(r+1)+8*a)*(r+1) - 4*a,
				((a+2)*r-(a+3))*r*r + 1,
				((a+2)*(1-r)-(a+3))*(1-r)*(1-r) + 1,
				((a*((1-r)+1)-5*a)*((1-r)+1)+8*a)*((1-r)+1) - 4*a,
			}
			break
		}
		s := min(scale, 1)
		start := int(math.Floor(-2/s)) + 1
		sum := 0.0
		for i := start; i < 2-start; i++ {
			t := math.Abs(s * (float64(i) - ratio))
			v := 0.0
			switch {
			case t <= 1:
				v = (a+2)*t*t*t - (a+3)*t*t + 1
			case t < 2:
				v = a*t*t*t - 5*a*t*t + 8*a*t - 4*a
			}
			c = append(c, v)
			sum += v
		}
		for i := range c {
			c[i] /= sum
		}
	}
	// The len(c) padded positions nearest to xo, ties to the lower one.
	cand := []int{}
	for j := int(math.Floor(xo)) - len(c) - 2; j <= int(math.Floor(xo))+len(c)+2; j++ {
		cand = append(cand, j)
	}
	slices.SortStableFunc(cand, func(i, j int) int {
		di, dj := math.Abs(xo-float64(i)), math.Abs(xo-float64(j))
		if di != dj {
			if di < dj {
				return -1
			}
			return 1
		}
		return i - j
	})
	idx := slices.Sorted(slices.Values(cand[:len(c)]))
	if p.exclude {
		sum := 0.0
		for i, j := range idx {
			if j < 0 || j >= n {
				c[i] = 0
			}
			sum += c[i]
		}
		if sum != 0 {
			for i := range c {
				c[i] /= sum
			}
		}
	}
	for i, j := range idx {
		idx[i] = max(0, min(j, n-1))
	}
	return axisTaps{idx: idx, w: c}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// run resizes x (values as float64) of shape in to shape out.
func (p naiveResize) run(x []float64, in, out []int, scales, roiStart, roiEnd []float64) []float64 {
	r := len(in)
	per := make([][]axisTaps, r)
	for d := range r {
		for o := range out[d] {
			per[d] = append(per[d], p.taps(o, in[d], out[d], scales[d], roiStart[d], roiEnd[d]))
		}
	}
	st := ops.Strides(in)
	y := make([]float64, ops.NumElems(out))
	pos := make([]int, r)
	for i := range y {
		opstest.Unflatten(i, out, pos)
		var sum func(d, off int, w float64) float64
		sum = func(d, off int, w float64) float64 {
			if d == r {
				return w * x[off]
			}
			t := per[d][pos[d]]
			acc := 0.0
			for k, j := range t.idx {
				acc += sum(d+1, off+j*st[d], w*t.w[k])
			}
			return acc
		}
		extrap := false
		for d := range r {
			extrap = extrap || per[d][pos[d]].out
		}
		if extrap {
			y[i] = p.extrap
		} else {
			y[i] = sum(0, 0, 1)
		}
	}
	return y
}

// TestResizeNaive compares random resizes (every mode, coordinate
// transform, nearest mode, cubic coefficient, exclude_outside,
// antialias, axes, scales or sizes, tf_crop_and_resize windows,
// floating-point and integer types, ranks 1 to 5 with odd sizes) with
// naiveResize, and checks that Run, a bound step reused on new data,
// and runs split across goroutines all agree bit for bit.
func TestResizeNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	modes := []string{"nearest", "linear", "cubic"}
	coords := []string{"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_crop_and_resize"}
	nearests := []string{"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}
	types := []ops.DType{onnx.Float, onnx.Double, onnx.Uint8, onnx.Int16, onnx.Int64}
	for iter := range 600 {
		p := naiveResize{
			mode:      modes[rng.IntN(3)],
			coord:     coords[rng.IntN(len(coords))],
			nearest:   nearests[rng.IntN(4)],
			a:         []float64{-0.75, -0.5}[rng.IntN(2)],
			exclude:   rng.IntN(3) == 0,
			antialias: rng.IntN(2) == 0,
			extrap:    float64(rng.IntN(9) - 4),
		}
		if p.mode == "nearest" { // both only concern the kernels' weights
			p.antialias, p.exclude = false, false
		}
		rank := 1 + rng.IntN(4)
		if iter%50 == 0 {
			rank = 5
		}
		in := make([]int, rank)
		for d := range in {
			in[d] = 1 + rng.IntN(6)
		}
		dt := types[rng.IntN(len(types))]
		var axes []int
		for d := range rank {
			if rank <= 2 || d >= rank-3 || rng.IntN(3) == 0 {
				axes = append(axes, d)
			}
		}
		rng.Shuffle(len(axes), func(i, j int) { axes[i], axes[j] = axes[j], axes[i] })
		full := len(axes) == rank && rng.IntN(2) == 0 // spell every axis without the attribute
		if full {
			slices.Sort(axes)
		}
		scales, roiStart, roiEnd := make([]float64, rank), make([]float64, rank), make([]float64, rank)
		out := slices.Clone(in)
		var scalesIn []float32
		var sizesIn, axesAttr []int64
		var roiIn []float32
		useSizes := rng.IntN(2) == 0
		for i := range rank {
			roiEnd[i], scales[i] = 1, 1
		}
		for _, d := range axes {
			if !full {
				axesAttr = append(axesAttr, int64(d-rank*rng.IntN(2)))
			}
			if useSizes {
				out[d] = rng.IntN(9)
				if rng.IntN(4) == 0 {
					out[d] = in[d]
				}
				sizesIn = append(sizesIn, int64(out[d]))
				scales[d] = float64(out[d]) / float64(in[d])
			} else {
				s := []float32{0.3, 0.5, 0.6, 0.75, 1, 1.25, 1.5, 2, 2.5, 3}[rng.IntN(10)]
				scalesIn = append(scalesIn, s)
				out[d] = int(math.Floor(float64(float32(in[d]) * s)))
				scales[d] = float64(s)
			}
		}
		for _, d := range axes {
			s, e := float32(rng.IntN(7)-2)/10, float32(rng.IntN(7)+6)/10
			roiIn = append(roiIn, s)
			roiStart[d], roiEnd[d] = float64(s), float64(e)
		}
		for _, d := range axes {
			roiIn = append(roiIn, float32(roiEnd[d]))
		}
		naive := p
		x := opstest.RandomBytes(rng, dt, in...)
		if dt == onnx.Float {
			for i := range x.F32() {
				x.F32()[i] = rng.Float32()*4 - 2
			}
		}
		if dt == onnx.Double {
			for i := range x.F64() {
				x.F64()[i] = rng.Float64()*4 - 2
			}
		}
		if dt == onnx.Int16 || dt == onnx.Int64 { // values a float64 holds exactly
			for i := range x.Len() {
				setElem(x, i, float64(rng.IntN(201)-100))
			}
		}
		xv := make([]float64, x.Len())
		for i := range xv {
			xv[i] = elemAt(x, i)
		}
		want := naive.run(xv, in, out, scales, roiStart, roiEnd)

		attrs := []*onnx.Attribute{
			opstest.AttrS("mode", p.mode),
			opstest.AttrS("coordinate_transformation_mode", p.coord),
			opstest.AttrS("nearest_mode", p.nearest),
			opstest.AttrF("cubic_coeff_a", float32(p.a)),
			opstest.AttrI("exclude_outside", int64(b2f(p.exclude))),
			opstest.AttrI("antialias", int64(b2f(p.antialias))),
			opstest.AttrF("extrapolation_value", float32(p.extrap)),
		}
		if axesAttr != nil {
			attrs = append(attrs, opstest.AttrIs("axes", axesAttr...))
		}
		ins := []*ops.Tensor{x, opstest.F32s(roiIn...), nil, nil}
		if useSizes {
			ins[3] = opstest.I64s(sizesIn...)
		} else {
			ins[2] = opstest.F32s(scalesIn...)
		}
		label := fmt.Sprintf("iter %d: %+v %s%v axes %v scales %v sizes %v roi %v", iter, p, ops.TypeName(dt), in, axesAttr, scalesIn, sizesIn, roiIn)
		got := runResize(t, label, attrs, ins)
		if got == nil {
			continue
		}
		if !ops.SameShape(got.Shape, out) {
			t.Fatalf("%s: output shape %v, want %v", label, got.Shape, out)
		}
		for i, w := range want {
			g := elemAt(got, i)
			tol := 1e-4 * (1 + math.Abs(w))
			if !ops.IsFloat(dt) {
				// Stored rounded half to even and saturated; a value this
				// close to a tie may round either way.
				tol = 0
				if math.Abs(w-math.Floor(w)-0.5) < 1e-6 {
					tol = 1
				}
				w = math.RoundToEven(w)
				if dt == onnx.Uint8 {
					w = max(0, min(255, w))
				}
			}
			if math.Abs(g-w) <= tol {
				continue
			}
			t.Fatalf("%s: element %d is %v, want %v", label, i, g, w)
		}
	}
}

// elemAt is element i of t as float64.
func elemAt(t *ops.Tensor, i int) float64 {
	switch t.Type {
	case onnx.Float:
		return float64(t.F32()[i])
	case onnx.Double:
		return t.F64()[i]
	case onnx.Uint8:
		return float64(t.U8()[i])
	case onnx.Int16:
		return float64(t.I16()[i])
	case onnx.Int64:
		return float64(t.I64()[i])
	}
	panic("elemAt: type " + ops.TypeName(t.Type))
}

// setElem sets element i of an int16 or int64 tensor.
func setElem(t *ops.Tensor, i int, v float64) {
	if t.Type == onnx.Int16 {
		t.I16()[i] = int16(v)
	} else {
		t.I64()[i] = int64(v)
	}
}

// runResize runs a Resize-19 node on ins (every input constant) through
// Run, through a bound step fed the same input as new data, and on
// goroutines in chunks, fails t unless all three agree bit for bit, and
// returns the result (nil after a failure).
func runResize(t *testing.T, label string, attrs []*onnx.Attribute, ins []*ops.Tensor) *ops.Tensor {
	t.Helper()
	outs, err := opstest.Eval(opstest.EwNode("Resize", ins, 1, attrs...), 19, ins...)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	op, err := ops.Build(opstest.EwNode("Resize", ins, 1, attrs...), 19)
	if err != nil {
		t.Fatal(err)
	}
	serial := ops.New(outs[0].Type, outs[0].Shape...)
	if err := op.Run(&ops.Ctx{Par: ops.Serial{}}, ins, []*ops.Tensor{serial}); err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	if !bytes.Equal(serial.Data, outs[0].Data) {
		t.Errorf("%s: serial and chunked runs differ", label)
		return nil
	}
	bound := ops.New(outs[0].Type, outs[0].Shape...)
	bins := slices.Clone(ins)
	bins[0] = &ops.Tensor{Type: ins[0].Type, Shape: ins[0].Shape}
	f, err := op.(ops.Binder).Bind(&ops.Ctx{Par: opstest.StepPar{Step: 5}}, bins, []*ops.Tensor{bound})
	if err != nil {
		t.Fatalf("%s: bind: %v", label, err)
	}
	for range 2 {
		bins[0].Data = ins[0].Clone().Data
		clear(bound.Data)
		if err := f(); err != nil {
			t.Fatalf("%s: bound step: %v", label, err)
		}
		if !bytes.Equal(bound.Data, serial.Data) {
			t.Errorf("%s: bound step differs from Run", label)
			return nil
		}
	}
	return serial
}
