package vision

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// naiveGridSample is GridSample computed as the ONNX reference does, one
// output element at a time, recursing over the axes (except that cubic
// border padding clamps only the taps, as ONNX Runtime does).
type naiveGridSample struct {
	mode, pad string
	align     bool
	f32       bool
}

// coord denormalizes, rounds (nearest) and pads one coordinate; ok is
// false for a NaN position.
func (p naiveGridSample) coord(g float64, size int) (x, lo, hi float64, ok bool) {
	if p.f32 {
		g32 := float32(g)
		if p.align {
			x = float64(float32(float32(g32+1)/2) * float32(size-1))
		} else {
			x = float64(float32(float32(float32(g32+1)*float32(size))-1) / 2)
		}
	} else if p.align {
		x = (g + 1) / 2 * float64(size-1)
	} else {
		x = ((g+1)*float64(size) - 1) / 2
	}
	lo, hi = -0.5, float64(size)-0.5
	if p.align {
		lo, hi = 0, float64(size-1)
	}
	if p.mode == "nearest" {
		x = math.RoundToEven(x)
	}
	if x < lo || x > hi {
		switch {
		case p.pad == "border" && p.mode != "cubic":
			x = max(0, min(x, float64(size-1)))
		case p.pad == "reflection":
			x = naiveReflect(x, lo, hi)
		}
	}
	return x, lo, hi, x == x
}

// naiveReflect is the reference's reflection, step by step.
func naiveReflect(x, lo, hi float64) float64 {
	rng := hi - lo
	if rng == 0 {
		return lo
	}
	for x < lo || x > hi {
		if x < lo {
			x = lo + (lo - x)
		} else {
			x = hi - (x - hi)
		}
	}
	return x
}

// pixel resolves input index i of an axis by the padding; ok is false in
// the zeros padding.
func (p naiveGridSample) pixel(i, size int, lo, hi float64) (int, bool) {
	if i >= 0 && i < size {
		return i, true
	}
	switch p.pad {
	case "zeros":
		return 0, false
	case "border":
		return max(0, min(i, size-1)), true
	}
	return max(0, min(int(naiveReflect(float64(i), lo, hi)), size-1)), true
}

// sample is the value of plane (dims) at the positions xs (one per axis,
// outermost first).
func (p naiveGridSample) sample(plane []float64, dims []int, xs, los, his []float64) float64 {
	if len(dims) == 0 {
		return plane[0]
	}
	size, inner := dims[0], ops.NumElems(dims[1:])
	x := xs[0]
	sub := func(i int) float64 {
		j, ok := p.pixel(i, size, los[0], his[0])
		if !ok {
			return 0
		}
		return p.sample(plane[j*inner:(j+1)*inner], dims[1:], xs[1:], los[1:], his[1:])
	}
	switch p.mode {
	case "nearest":
		return sub(int(x))
	case "linear":
		f := math.Floor(x)
		return (1-(x-f))*sub(int(f)) + (x-f)*sub(int(f)+1)
	}
	f := math.Floor(x)
	t, v := x-f, 0.0
	for k := -1; k <= 2; k++ {
		v += cubicRef(float64(k)-t) * sub(int(f)+k)
	}
	return v
}

// cubicRef is Keys' kernel with a = -0.75, written out.
func cubicRef(t float64) float64 {
	const a = -0.75
	t = math.Abs(t)
	if t <= 1 {
		return (a+2)*t*t*t - (a+3)*t*t + 1
	}
	if t < 2 {
		return a*t*t*t - 5*a*t*t + 8*a*t - 4*a
	}
	return 0
}

// TestGridSampleNaive compares random GridSamples (1 to 3 spatial axes,
// every mode, padding and align_corners, positions far outside, exact
// borders and NaN; float32, float64, int32 and uint8 inputs, float32 and
// float64 grids) with naiveGridSample, and checks that chunked runs agree
// with serial ones bit for bit.
func TestGridSampleNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	modes, pads := []string{"nearest", "linear", "cubic"}, []string{"zeros", "border", "reflection"}
	types := []ops.DType{onnx.Float, onnx.Double, onnx.Int32, onnx.Uint8}
	for iter := range 400 {
		p := naiveGridSample{mode: modes[rng.IntN(3)], pad: pads[rng.IntN(3)], align: rng.IntN(2) == 0, f32: rng.IntN(3) != 0}
		r := 1 + rng.IntN(3)
		n, c := 1+rng.IntN(2), 1+rng.IntN(3)
		xShape, gShape := []int{n, c}, []int{n}
		for range r {
			xShape = append(xShape, 1+rng.IntN(5))
			gShape = append(gShape, 1+rng.IntN(4))
		}
		gShape = append(gShape, r)
		dt := types[rng.IntN(len(types))]
		x := ops.New(dt, xShape...)
		xv := make([]float64, x.Len())
		for i := range xv {
			switch dt {
			case onnx.Float:
				x.F32()[i] = rng.Float32()*4 - 2
				xv[i] = float64(x.F32()[i])
			case onnx.Double:
				x.F64()[i] = rng.Float64()*4 - 2
				xv[i] = x.F64()[i]
			case onnx.Int32:
				x.I32()[i] = int32(rng.IntN(2001) - 1000)
				xv[i] = float64(x.I32()[i])
			case onnx.Uint8:
				x.U8()[i] = uint8(rng.IntN(256))
				xv[i] = float64(x.U8()[i])
			}
		}
		gt := ops.New(onnx.Double, gShape...)
		if p.f32 {
			gt = ops.New(onnx.Float, gShape...)
		}
		gv := make([]float64, gt.Len())
		for i := range gv {
			v := rng.Float64()*8 - 4
			switch rng.IntN(12) {
			case 0:
				v = float64(rng.IntN(3) - 1)
			case 1:
				v = math.NaN()
			case 2:
				v = float64(rng.IntN(9)-4) / 4
			}
			if p.f32 {
				gt.F32()[i] = float32(v)
				v = float64(float32(v))
			} else {
				gt.F64()[i] = v
			}
			gv[i] = v
		}
		attrs := []*onnx.Attribute{opstest.AttrS("mode", p.mode), opstest.AttrS("padding_mode", p.pad), opstest.AttrI("align_corners", int64(b2f(p.align)))}
		label := fmt.Sprintf("iter %d: %+v X %s%v grid %v", iter, p, ops.TypeName(dt), xShape, gShape)
		node := opstest.EwNode("GridSample", []*ops.Tensor{x, gt}, 1, attrs...)
		got, err := opstest.Eval(node, 22, x, gt)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		serial, err := opstest.Eval(node, 22, x, gt) // Eval runs in chunks; compare with a serial run
		if err != nil {
			t.Fatal(err)
		}
		op, _ := ops.Build(node, 22)
		if err := op.Run(&ops.Ctx{Par: ops.Serial{}}, []*ops.Tensor{x, gt}, serial); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(serial[0].Data, got[0].Data) {
			t.Fatalf("%s: chunked and serial runs differ", label)
		}
		plane := ops.NumElems(xShape[2:])
		pos := ops.NumElems(gShape[1 : r+1])
		for o := range got[0].Len() {
			ni, ci, pi := o/(c*pos), o/pos%c, o%pos
			xs, los, his := make([]float64, r), make([]float64, r), make([]float64, r)
			ok := true
			for d := range r {
				var good bool
				xs[d], los[d], his[d], good = p.coord(gv[(ni*pos+pi)*r+r-1-d], xShape[2+d])
				ok = ok && good
			}
			want := 0.0
			if ok {
				want = p.sample(xv[(ni*c+ci)*plane:][:plane], xShape[2:], xs, los, his)
			}
			g := gridElem(got[0], o)
			tol := 1e-4 * (1 + math.Abs(want))
			if !ops.IsFloat(dt) {
				tol = 0
				if math.Abs(want-math.Round(want)) < 1e-6 { // truncation of a value this close to an integer may go either way
					tol = 1
				}
				want = math.Trunc(want)
				if dt == onnx.Uint8 {
					want = max(0, min(255, want))
				}
			}
			if !(math.Abs(g-want) <= tol) {
				t.Fatalf("%s: element %d is %v, want %v", label, o, g, want)
			}
		}
	}
}

// gridElem is element i of t as float64.
func gridElem(t *ops.Tensor, i int) float64 {
	switch t.Type {
	case onnx.Float:
		return float64(t.F32()[i])
	case onnx.Double:
		return t.F64()[i]
	case onnx.Int32:
		return float64(t.I32()[i])
	}
	return float64(t.U8()[i])
}
