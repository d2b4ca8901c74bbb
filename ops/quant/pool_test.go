package quant

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// poolParams are a pool test's quantization parameters.
type poolParams struct {
	xs, ys float32
	xz, yz int64
	dt     ops.DType
}

// inputs are the parameter inputs of a pool node after X.
func (p *poolParams) inputs() []*ops.Tensor {
	zp := func(v int64) *ops.Tensor {
		t := ops.New(p.dt)
		t.Data[0] = byte(v)
		return t
	}
	return []*ops.Tensor{scalarF32(p.xs), zp(p.xz), scalarF32(p.ys), zp(p.yz)}
}

func (p *poolParams) bounds() (float64, float64) {
	if p.dt == onnx.Int8 {
		return -128, 127
	}
	return 0, 255
}

// avgPoolRef is QLinearAveragePool's float path element by element: x is
// NCHW with spatial shape in, the window given per axis by kernel,
// strides and pads (begin then end), out the output's spatial shape.
func avgPoolRef(x *ops.Tensor, in, kernel, strides, pads, out []int, includePad bool, p *poolParams) []int64 {
	nd := len(in)
	planes := x.Len() / ops.NumElems(in)
	inSt, outSt := ops.Strides(in), ops.Strides(out)
	lo, hi := p.bounds()
	var res []int64
	for pl := range planes {
		for o := range ops.NumElems(out) {
			start, end := make([]int, nd), make([]int, nd)
			count := 1
			for a := range nd {
				s := o/outSt[a]%out[a]*strides[a] - pads[a]
				start[a], end[a] = max(s, 0), min(s+kernel[a], in[a])
				count *= end[a] - start[a]
			}
			if includePad {
				count = ops.NumElems(kernel)
			}
			var sum float32
			pos := append([]int(nil), start...)
			for pos[0] < end[0] { // row-major over the clipped window
				off := 0
				for a := range nd {
					off += pos[a] * inSt[a]
				}
				sum += p.xs * float32(tq8(x, pl*ops.NumElems(in)+off)-p.xz)
				for a := nd - 1; a >= 0; a-- {
					if pos[a]++; pos[a] < end[a] || a == 0 {
						break
					}
					pos[a] = start[a]
				}
			}
			avg := sum / float32(count)
			res = append(res, int64(max(lo, min(hi, math.RoundToEven(float64(avg/p.ys+float32(p.yz)))))))
		}
	}
	return res
}

// gapRef is the global average of every plane, as integer sums requantized.
func gapRef(x *ops.Tensor, planes, size, stride int, base func(int) int, p *poolParams) []int64 {
	lo, hi := p.bounds()
	scale := p.xs / (p.ys * float32(size))
	res := make([]int64, planes)
	for pl := range planes {
		s := int32(-p.xz) * int32(size)
		for i := range size {
			s += int32(tq8(x, base(pl)+i*stride))
		}
		res[pl] = int64(max(lo, min(hi, math.RoundToEven(float64(float32(float32(s)*scale)))+float64(p.yz))))
	}
	return res
}

// toNHWC reorders an NCHW tensor's elements to NHWC.
func toNHWC(x *ops.Tensor) *ops.Tensor {
	n, c, sp := x.Shape[0], x.Shape[1], x.Shape[2:]
	size := ops.NumElems(sp)
	y := ops.New(x.Type, append(append([]int{n}, sp...), c)...)
	for b := range n {
		for ch := range c {
			for i := range size {
				y.Data[(b*size+i)*c+ch] = x.Data[(b*c+ch)*size+i]
			}
		}
	}
	return y
}

// TestQLinearAveragePoolReference compares QLinearAveragePool, NCHW and
// NHWC, with avgPoolRef over 1-D to 3-D windows with pads, strides,
// ceil_mode and count_include_pad, and a window covering the input
// (computed as a global pool) with gapRef.
func TestQLinearAveragePoolReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	cases := []struct {
		x, kernel, strides, pads []int
		ceil                     bool
	}{
		{[]int{2, 3, 7, 6}, []int{3, 2}, []int{2, 1}, []int{1, 0, 2, 1}, false},
		{[]int{1, 2, 8, 9}, []int{2, 2}, []int{2, 2}, []int{0, 0, 0, 0}, true},
		{[]int{1, 3, 11}, []int{4}, []int{3}, []int{2, 1}, true},
		{[]int{1, 2, 4, 5, 3}, []int{2, 3, 2}, []int{1, 2, 1}, []int{1, 1, 0, 0, 1, 1}, false},
		{[]int{2, 2, 5, 5}, []int{5, 5}, []int{1, 1}, []int{0, 0, 0, 0}, false},
	}
	for ci, c := range cases {
		for _, dt := range []ops.DType{onnx.Uint8, onnx.Int8} {
			for _, includePad := range []bool{false, true} {
				for _, last := range []bool{false, true} {
					p := poolParams{xs: 0.01 + rng.Float32()*0.05, ys: 0.01 + rng.Float32()*0.05, xz: tq8(quant8Rand(rng, dt), 0), yz: tq8(quant8Rand(rng, dt), 0), dt: dt}
					x := quant8Rand(rng, dt, c.x...)
					nd := len(c.kernel)
					attrs := []*onnx.Attribute{opstest.AttrIs("kernel_shape", ints64(c.kernel)...), opstest.AttrIs("strides", ints64(c.strides)...),
						opstest.AttrIs("pads", ints64(c.pads)...), opstest.AttrI("count_include_pad", b2i(includePad)), opstest.AttrI("ceil_mode", b2i(c.ceil)),
						opstest.AttrI("channels_last", b2i(last))}
					sp, err := ops.ParseWindow(ops.AttrsOf(msNode("QLinearAveragePool", 5, attrs...)), true)
					if err != nil {
						t.Fatal(err)
					}
					g, err := sp.Resolve(c.x[2:], nil)
					if err != nil {
						t.Fatal(err)
					}
					var want []int64
					if ci == len(cases)-1 {
						size := ops.NumElems(c.x[2:])
						want = gapRef(x, c.x[0]*c.x[1], size, 1, func(pl int) int { return pl * size }, &p)
					} else {
						want = avgPoolRef(x, c.x[2:], c.kernel, c.strides, c.pads[:nd], g.Out, includePad, &p)
					}
					in, shape := x, append([]int{c.x[0], c.x[1]}, g.Out...)
					if last {
						in = toNHWC(x)
						w := ops.New(dt, shape...)
						for i, v := range want {
							w.Data[i] = byte(v)
						}
						w = toNHWC(w)
						shape = w.Shape
						for i := range want {
							want[i] = tq8(w, i)
						}
					}
					label := fmt.Sprintf("case %d %s include pad %v channels last %v", ci, ops.TypeName(dt), includePad, last)
					got, err := evalQ(msNode("QLinearAveragePool", 5, attrs...), 1, false, append([]*ops.Tensor{in}, p.inputs()...)...)
					if err != nil {
						t.Fatalf("%s: %v", label, err)
					}
					sameQ8(t, label, got, shape, want)
				}
			}
		}
	}
}

// TestQLinearGlobalAveragePoolReference compares both layouts with gapRef.
func TestQLinearGlobalAveragePoolReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(53, 54))
	for _, shape := range [][]int{{2, 3, 5, 7}, {1, 17, 4}, {2, 2, 3, 2, 3}, {1, 1, 1, 1}, {1, 2, 2, 3, 2, 2}} {
		for _, dt := range []ops.DType{onnx.Uint8, onnx.Int8} {
			for _, last := range []bool{false, true} {
				p := poolParams{xs: 0.01 + rng.Float32()*0.05, ys: 0.005 + rng.Float32()*0.02, xz: tq8(quant8Rand(rng, dt), 0), yz: tq8(quant8Rand(rng, dt), 0), dt: dt}
				x := quant8Rand(rng, dt, shape...)
				n, c, size := shape[0], shape[1], ops.NumElems(shape[2:])
				out := append([]int{n, c}, make([]int, len(shape)-2)...)
				for i := 2; i < len(out); i++ {
					out[i] = 1
				}
				want := gapRef(x, n*c, size, 1, func(pl int) int { return pl * size }, &p)
				in := x
				if last {
					in = toNHWC(x)
					out = append(append([]int{n}, out[2:]...), c)
					want = gapRef(in, n*c, size, c, func(pl int) int { return pl/c*size*c + pl%c }, &p)
				}
				label := fmt.Sprintf("%v %s channels last %v", shape, ops.TypeName(dt), last)
				got, err := evalQ(msNode("QLinearGlobalAveragePool", 5, opstest.AttrI("channels_last", b2i(last))), 1, false, append([]*ops.Tensor{in}, p.inputs()...)...)
				if err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				sameQ8(t, label, got, out, want)
			}
		}
	}
}

func TestQLinearPoolErrors(t *testing.T) {
	u := func(shape ...int) *ops.Tensor { return ops.New(onnx.Uint8, shape...) }
	p := (&poolParams{xs: 1, ys: 1, dt: onnx.Uint8}).inputs()
	_, err := evalScratch(msNode("QLinearGlobalAveragePool", 5), 1, append([]*ops.Tensor{u(2, 3)}, p...)...)
	opstest.WantErr(t, "rank", err, "input \"X\"", "rank 3")
	_, err = evalScratch(msNode("QLinearGlobalAveragePool", 5), 1, u(1, 2, 3), p[0], nil, p[2], p[3])
	opstest.WantErr(t, "zero point", err, "x_zero_point", "required")
	_, err = ops.Build(msNode("QLinearAveragePool", 5), 1)
	opstest.WantErr(t, "kernel", err, "kernel_shape", "required")
	_, err = ops.Build(msNode("QLinearAveragePool", 5, opstest.AttrIs("kernel_shape", 2), opstest.AttrIs("dilations", 2)), 1)
	opstest.WantErr(t, "dilations", err, "dilations")
	_, err = evalScratch(msNode("QLinearAveragePool", 5, opstest.AttrIs("kernel_shape", 2, 2)), 1, append([]*ops.Tensor{u(1, 1, 4)}, p...)...)
	opstest.WantErr(t, "kernel rank", err, "kernel_shape", "2 entries")
	_, err = evalScratch(msNode("QLinearAveragePool", 5, opstest.AttrIs("kernel_shape", 5)), 1, append([]*ops.Tensor{u(1, 1, 4)}, p...)...)
	opstest.WantErr(t, "kernel size", err, "kernel extent 5")
	_, err = evalScratch(msNode("QLinearAveragePool", 5, opstest.AttrIs("kernel_shape", 1)), 1, append([]*ops.Tensor{ops.New(onnx.Int8, 1, 1, 4)}, p...)...)
	opstest.WantErr(t, "zero point type", err, "x_zero_point", "uint8", "int8")
}

// ints64 widens ints for attributes.
func ints64(v []int) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x)
	}
	return out
}

// b2i is 1 for true.
func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
