package signal

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// naiveDFT is the O(n²) transform of x (zero-padded or cut to n), divided
// by n when inverse.
func naiveDFT(x []complex128, n int, inverse bool) []complex128 {
	sign, scale := -1.0, 1.0
	if inverse {
		sign, scale = 1, 1/float64(n)
	}
	y := make([]complex128, n)
	for k := range n {
		var s complex128
		for j := range min(n, len(x)) {
			s += x[j] * cmplx.Rect(1, sign*2*math.Pi*float64(j*k%n)/float64(n))
		}
		y[k] = s * complex(scale, 0)
	}
	return y
}

// TestFFTPlan compares both algorithms with naiveDFT for every length up
// to 70 and a few large ones, forward and inverse.
func TestFFTPlan(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for _, n := range append(seq(1, 70), 127, 128, 243, 256, 1000, 1024) {
		for _, inverse := range []bool{false, true} {
			x := make([]complex128, n)
			for i := range x {
				x[i] = complex(rng.Float64()*2-1, rng.Float64()*2-1)
			}
			want := naiveDFT(x, n, false)
			if inverse {
				want = naiveDFT(x, n, true)
				for i := range want {
					want[i] *= complex(float64(n), 0)
				}
			}
			p := newFFTPlan(n, inverse)
			got := append([]complex128(nil), x...)
			p.transform(got, make([]complex128, p.workLen()))
			for i := range want {
				if cmplx.Abs(got[i]-want[i]) > 1e-9*float64(n) {
					t.Fatalf("n %d inverse %v: bin %d is %v, want %v", n, inverse, i, got[i], want[i])
				}
			}
		}
	}
}

func seq(lo, hi int) []int {
	var s []int
	for i := lo; i <= hi; i++ {
		s = append(s, i)
	}
	return s
}

// TestDFTOp checks the operator's layouts against naiveDFT: real and
// complex inputs, every axis, padding and cutting, onesided forward and
// inverse, at opset 17 (axis attribute) and 20 (axis input).
func TestDFTOp(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	shape := []int{2, 5, 3} // signal dims, then 1 or 2
	for iter := range 48 {
		c := 1 + iter%2
		axis := iter / 2 % 3
		inverse, onesided := iter/6%2 == 1, iter/12%2 == 1
		if inverse && onesided && c == 1 {
			c = 2 // the IRFFT reads a spectrum
		}
		lengths := []int{0, 4, 7}[iter/24%2:]
		for _, n := range lengths[:2] {
			full := append(append([]int(nil), shape...), c)
			x := ops.New(onnx.Double, full...)
			for i := range x.F64() {
				x.F64()[i] = rng.Float64()*2 - 1
			}
			size := shape[axis]
			if n == 0 {
				n = size
				if inverse && onesided {
					n = 2 * (size - 1)
				}
			}
			outer, inner := ops.NumElems(shape[:axis]), ops.NumElems(shape[axis+1:])
			outSize, cout := n, 2
			if onesided && inverse {
				cout = 1
			} else if onesided {
				outSize = n/2 + 1
			}
			oshape := append([]int(nil), shape...)
			oshape[axis] = outSize
			want := ops.New(onnx.Double, append(oshape, cout)...)
			for o := range outer {
				for i := range inner {
					line := make([]complex128, size)
					for j := range line {
						at := ((o*size+j)*inner + i) * c
						line[j] = complex(x.F64()[at], 0)
						if c == 2 {
							line[j] = complex(x.F64()[at], x.F64()[at+1])
						}
					}
					if inverse && onesided { // the full symmetric spectrum
						spec := make([]complex128, n)
						for k := 0; k <= n/2 && k < size; k++ {
							spec[k] = line[k]
						}
						for k := 1; k < n-k; k++ {
							spec[n-k] = cmplx.Conj(spec[k])
						}
						line = spec
					}
					y := naiveDFT(line, n, inverse)
					for k := range outSize {
						at := ((o*outSize+k)*inner + i) * cout
						want.F64()[at] = real(y[k])
						if cout == 2 {
							want.F64()[at+1] = imag(y[k])
						}
					}
				}
			}
			attrs := []*onnx.Attribute{opstest.AttrI("inverse", b2i(inverse)), opstest.AttrI("onesided", b2i(onesided))}
			label := fmt.Sprintf("DFT %v axis %d n %d inverse %v onesided %v", x, axis, n, inverse, onesided)
			for _, opset := range []int{17, 20} {
				ins := []*ops.Tensor{x, opstest.I64s(int64(n))}
				a := attrs
				if opset == 17 {
					a = append(a, opstest.AttrI("axis", int64(axis)))
				} else {
					ins = append(ins, opstest.Typed([]int{}, int64(axis-len(full))))
				}
				out, err := opstest.Eval(opstest.Node("DFT", opstest.InNames(len(ins)), 1, a...), opset, ins...)
				if err != nil {
					t.Errorf("%s opset %d: %v", label, opset, err)
					continue
				}
				if err := opstest.SameTensor(out[0], want, 1e-9, 1e-9); err != nil {
					t.Errorf("%s opset %d: %v", label, opset, err)
				}
			}
		}
	}
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// TestDFTRoundTrip runs a real signal through the RFFT and back through
// the IRFFT, in float32, for even and odd lengths.
func TestDFTRoundTrip(t *testing.T) {
	for _, n := range []int{8, 9, 30} {
		x := ops.New(onnx.Float, 1, n, 1)
		for i := range x.F32() {
			x.F32()[i] = float32(math.Sin(float64(i)) + 0.5)
		}
		spec, err := opstest.Eval(opstest.Node("DFT", []string{"x"}, 1, opstest.AttrI("onesided", 1)), 17, x)
		if err != nil {
			t.Fatal(err)
		}
		back, err := opstest.Eval(opstest.Node("DFT", []string{"x", "n"}, 1, opstest.AttrI("onesided", 1), opstest.AttrI("inverse", 1)), 17, spec[0], opstest.I64s(int64(n)))
		if err != nil {
			t.Fatal(err)
		}
		if err := opstest.SameTensor(back[0], x, 1e-5, 1e-6); err != nil {
			t.Errorf("length %d: %v", n, err)
		}
	}
}

func TestDFTErrors(t *testing.T) {
	x := ops.New(onnx.Float, 2, 4, 1)
	cases := []struct {
		name  string
		opset int
		attrs []*onnx.Attribute
		in    []*ops.Tensor
		err   string
	}{
		{"last axis", 17, []*onnx.Attribute{opstest.AttrI("axis", 2)}, []*ops.Tensor{x}, "out of range"},
		{"axis -1", 20, nil, []*ops.Tensor{x, nil, opstest.I64s(-1)}, "out of range"},
		{"not real or complex", 17, nil, []*ops.Tensor{ops.New(onnx.Float, 2, 4, 3)}, "want [..., 1]"},
		{"zero length", 17, nil, []*ops.Tensor{x, opstest.I64s(0)}, "at least 1"},
		{"two lengths", 17, nil, []*ops.Tensor{x, opstest.I64s(2, 3)}, "want one"},
		{"int input", 17, nil, []*ops.Tensor{ops.New(onnx.Int32, 2, 4, 1)}, "want float32 or float64"},
		{"IRFFT of one bin", 17, []*onnx.Attribute{opstest.AttrI("onesided", 1), opstest.AttrI("inverse", 1)}, []*ops.Tensor{ops.New(onnx.Float, 2, 1, 2)}, "at least 1"},
	}
	for _, c := range cases {
		names := opstest.InNames(len(c.in))
		if len(c.in) > 1 && c.in[1] == nil {
			names[1] = ""
		}
		_, err := opstest.Eval(opstest.Node("DFT", names, 1, c.attrs...), c.opset, c.in...)
		opstest.WantErr(t, c.name, err, c.err)
	}
}

// TestSTFT compares frames of a complex signal, with a window and both
// sidednesses, with naiveDFT.
func TestSTFT(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 20))
	const batch, length, n, step = 2, 23, 6, 4
	for _, c := range []int{1, 2} {
		for _, onesided := range []int64{0, 1} {
			x := ops.New(onnx.Double, batch, length, c)
			for i := range x.F64() {
				x.F64()[i] = rng.Float64()*2 - 1
			}
			w := ops.New(onnx.Double, n)
			for i := range w.F64() {
				w.F64()[i] = rng.Float64()
			}
			frames, bins := (length-n)/step+1, n
			if onesided == 1 {
				bins = n/2 + 1
			}
			want := ops.New(onnx.Double, batch, frames, bins, 2)
			for b := range batch {
				for f := range frames {
					frame := make([]complex128, n)
					for j := range frame {
						at := (b*length + f*step + j) * c
						frame[j] = complex(x.F64()[at], 0)
						if c == 2 {
							frame[j] = complex(x.F64()[at], x.F64()[at+1])
						}
						frame[j] *= complex(w.F64()[j], 0)
					}
					for k, v := range naiveDFT(frame, n, false)[:bins] {
						at := ((b*frames+f)*bins + k) * 2
						want.F64()[at], want.F64()[at+1] = real(v), imag(v)
					}
				}
			}
			out, err := opstest.Eval(opstest.Node("STFT", opstest.InNames(4), 1, opstest.AttrI("onesided", onesided)), 17, x, opstest.I64s(step), w, opstest.I64s(n))
			label := fmt.Sprintf("STFT %v onesided %d", x, onesided)
			if err != nil {
				t.Errorf("%s: %v", label, err)
				continue
			}
			if err := opstest.SameTensor(out[0], want, 1e-9, 1e-9); err != nil {
				t.Errorf("%s: %v", label, err)
			}
		}
	}
	x := ops.New(onnx.Float, 1, 10, 1)
	for _, c := range []struct {
		name string
		in   []*ops.Tensor
		err  string
	}{
		{"no frame length", []*ops.Tensor{x, opstest.I64s(2)}, "neither"},
		{"window and length disagree", []*ops.Tensor{x, opstest.I64s(2), ops.New(onnx.Float, 4), opstest.I64s(5)}, "window has 4"},
		{"frame longer than the signal", []*ops.Tensor{x, opstest.I64s(2), nil, opstest.I64s(11)}, "1 to the signal's length 10"},
		{"zero step", []*ops.Tensor{x, opstest.I64s(0), nil, opstest.I64s(4)}, "positive"},
		{"signal rank", []*ops.Tensor{ops.New(onnx.Float, 10, 1), opstest.I64s(2), nil, opstest.I64s(4)}, "want [batch, length, 1 or 2]"},
	} {
		names := opstest.InNames(len(c.in))
		if len(c.in) > 2 && c.in[2] == nil {
			names[2] = ""
		}
		_, err := opstest.Eval(opstest.Node("STFT", names, 1), 17, c.in...)
		opstest.WantErr(t, c.name, err, c.err)
	}
}

// TestWindows checks each window's formula, symmetric and periodic, the
// one-point symmetric window and the output types.
func TestWindows(t *testing.T) {
	coef := map[string][3]float64{"HannWindow": {0.5, 0.5, 0}, "HammingWindow": {25.0 / 46, 21.0 / 46, 0}, "BlackmanWindow": {0.42, 0.5, 0.08}}
	for name, a := range coef {
		for _, size := range []int{1, 2, 7, 10} {
			for _, periodic := range []int64{0, 1} {
				want := ops.New(onnx.Double, size)
				for k := range size {
					nn := float64(size)
					if periodic == 0 {
						nn--
					}
					x := 2 * math.Pi * float64(k) / nn
					want.F64()[k] = a[0] - a[1]*math.Cos(x) + a[2]*math.Cos(2*x)
					if nn == 0 {
						want.F64()[k] = 1
					}
				}
				out, err := opstest.Eval(opstest.Node(name, opstest.InNames(1), 1, opstest.AttrI("periodic", periodic), opstest.AttrI("output_datatype", int64(onnx.Double))), 17, opstest.Typed([]int{}, int32(size)))
				label := fmt.Sprintf("%s size %d periodic %d", name, size, periodic)
				if err != nil {
					t.Errorf("%s: %v", label, err)
					continue
				}
				if err := opstest.SameTensor(out[0], want, 1e-15, 1e-15); err != nil {
					t.Errorf("%s: %v", label, err)
				}
			}
		}
	}
	out, err := opstest.Eval(opstest.Node("HannWindow", opstest.InNames(1), 1, opstest.AttrI("periodic", 0), opstest.AttrI("output_datatype", int64(onnx.Int32))), 17, opstest.I64s(3))
	if err != nil {
		t.Fatal(err)
	}
	opstest.WantTensor(t, "int32 Hann window", out[0], opstest.Typed(opstest.Sh(3), int32(0), 1, 0))
	out, err = opstest.Eval(opstest.Node("HammingWindow", opstest.InNames(1), 1, opstest.AttrI("output_datatype", int64(onnx.Float16))), 17, opstest.I64s(4))
	if err != nil {
		t.Fatal(err)
	}
	// 25/46 - 21/46 cos(π/2) = 0.5434783 rounds to 0.54345703 in float16.
	if got := out[0].F32()[1]; out[0].Type != onnx.Float || got != 0.54345703 {
		t.Errorf("float16 Hamming window: %v %v, want float32 0.54345703 at 1", out[0], got)
	}
	for _, c := range []struct {
		name  string
		attrs []*onnx.Attribute
		in    *ops.Tensor
		err   string
	}{
		{"negative size", nil, opstest.I64s(-1), "want a size"},
		{"float size", nil, opstest.F32s(3), "want int64"},
		{"string output", []*onnx.Attribute{opstest.AttrI("output_datatype", int64(onnx.String))}, opstest.I64s(3), "want a numeric type"},
	} {
		_, err := opstest.Eval(opstest.Node("BlackmanWindow", opstest.InNames(1), 1, c.attrs...), 17, c.in)
		opstest.WantErr(t, c.name, err, c.err)
	}
}

// TestMelWeightMatrix checks the spec's example and a range of bands
// wider than the spectrum.
func TestMelWeightMatrix(t *testing.T) {
	in := []*ops.Tensor{opstest.Typed([]int{}, int32(8)), opstest.Typed([]int{}, int32(16)), opstest.Typed([]int{}, int32(8192)),
		opstest.Typed([]int{}, float32(0)), opstest.Typed([]int{}, float32(4096))}
	out, err := opstest.Eval(opstest.Node("MelWeightMatrix", opstest.InNames(5), 1), 17, in...)
	if err != nil {
		t.Fatal(err)
	}
	want := ops.New(onnx.Float, 9, 8)
	for j, ones := range [][]int{{0, 1}, {2, 3}, {4}, {5}, {6}, {7}} {
		for _, i := range ones {
			want.F32()[j*8+i] = 1
		}
	}
	opstest.WantTensor(t, "the spec's example", out[0], want)
	in[4] = opstest.Typed([]int{}, float32(8192))
	_, err = opstest.Eval(opstest.Node("MelWeightMatrix", opstest.InNames(5), 1), 17, in...)
	opstest.WantErr(t, "upper edge past the spectrum", err, "outside [0, 9)")
}

func TestSignalNodeTests(t *testing.T) {
	if got := opstest.AllNodeTests(t, "test_dft*", "test_stft*", "test_hannwindow*", "test_hammingwindow*", "test_blackmanwindow*", "test_melweightmatrix*"); got != 19 {
		t.Errorf("%d signal node tests passed, want 19", got)
	}
}
