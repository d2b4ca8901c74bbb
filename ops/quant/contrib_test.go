package quant

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/edgeinfer/edgeinfer/onnx"
	"github.com/edgeinfer/edgeinfer/ops"
	"github.com/edgeinfer/edgeinfer/ops/opstest"
)

// msNode is a com.microsoft node of type op with nIn inputs.
func msNode(op string, nIn int, attrs ...*onnx.Attribute) *onnx.Node {
	n := qNode(op, nIn, attrs...)
	n.Domain = "com.microsoft"
	return n
}

// bcIndex is the flat index in a tensor of shape s of output element i of
// the broadcast shape out.
func bcIndex(s, out []int, i int) int {
	idx, mul := 0, 1
	for d := len(out) - 1; d >= 0; d-- {
		c := i % out[d]
		i /= out[d]
		if sd := d - (len(out) - len(s)); sd >= 0 {
			if s[sd] > 1 {
				idx += c * mul
			}
			mul *= s[sd]
		}
	}
	return idx
}

// nearTie reports whether v lies within 1e-3 of a half-integer, where
// float32 rounding may decide either way.
func nearTie(v float64) bool { return math.Abs(v-math.Floor(v)-0.5) < 1e-3 }

// TestQLinearBinaryReference checks QLinearAdd and QLinearMul against the
// formulas in float64 over broadcast shapes, both types and omitted zero
// points: results must be the rounded exact value, or one off it where
// the exact value is within 1e-3 of a tie.
func TestQLinearBinaryReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	shapes := [][2][]int{
		{{2, 3, 5}, {2, 3, 5}}, {{2, 3, 4}, {4}}, {{3, 1}, {1, 5}}, {{}, {2, 3}}, {{2, 3}, {}},
		{{2, 1, 3}, {2, 4, 1}}, {{1, 70}, {3, 70}}, {{0, 3}, {3}}, {{}, {}},
	}
	for _, op := range []string{"QLinearAdd", "QLinearMul"} {
		for _, sh := range shapes {
			for _, dt := range []ops.DType{onnx.Uint8, onnx.Int8} {
				for _, withZP := range []bool{true, false} {
					label := fmt.Sprintf("%s shapes %v %s zero points %v", op, sh, ops.TypeName(dt), withZP)
					a, b := quant8Rand(rng, dt, sh[0]...), quant8Rand(rng, dt, sh[1]...)
					sa, sb, sc := 0.01+rng.Float32()*0.05, 0.01+rng.Float32()*0.05, 0.02+rng.Float32()*0.1
					in := []*ops.Tensor{a, scalarF32(sa), nil, b, scalarF32(sb), nil, scalarF32(sc), nil}
					if withZP {
						in[2], in[5], in[7] = quant8Rand(rng, dt), quant8Rand(rng, dt), quant8Rand(rng, dt)
					}
					got, err := evalQ(msNode(op, 8), 1, false, in...)
					if err != nil {
						t.Fatalf("%s: %v", label, err)
					}
					out, _ := ops.BroadcastShape(sh[0], sh[1])
					if !ops.SameShape(got.Shape, out) || got.Type != dt {
						t.Fatalf("%s: got %v, want %s%v", label, got, ops.TypeName(dt), out)
					}
					lo, hi := 0.0, 255.0
					if dt == onnx.Int8 {
						lo, hi = -128, 127
					}
					for i := range ops.NumElems(out) {
						x, y := float64(tq8(a, bcIndex(sh[0], out, i))-tq8(in[2], 0)), float64(tq8(b, bcIndex(sh[1], out, i))-tq8(in[5], 0))
						v := (float64(sa)*x+float64(sb)*y)/float64(sc) + float64(tq8(in[7], 0))
						if op == "QLinearMul" {
							v = x*y*float64(sa)*float64(sb)/float64(sc) + float64(tq8(in[7], 0))
						}
						want, g := max(lo, min(hi, math.RoundToEven(v))), float64(tq8(got, i))
						if g != want && !(nearTie(v) && math.Abs(g-want) == 1) {
							t.Fatalf("%s: element %d is %v, want %v (exact %v)", label, i, g, want, v)
						}
					}
				}
			}
		}
	}
}

func TestQLinearBinaryErrors(t *testing.T) {
	u := func(shape ...int) *ops.Tensor { return ops.New(onnx.Uint8, shape...) }
	ok := []*ops.Tensor{u(2, 3), scalarF32(1), u(), u(3), scalarF32(1), u(), scalarF32(1), u()}
	with := func(i int, v *ops.Tensor) []*ops.Tensor {
		in := append([]*ops.Tensor(nil), ok...)
		in[i] = v
		return in
	}
	n := msNode("QLinearAdd", 8)
	if _, err := evalScratch(n, 1, ok...); err != nil {
		t.Fatal(err)
	}
	_, err := evalScratch(n, 1, with(3, ops.New(onnx.Int8, 3))...)
	opstest.WantErr(t, "mixed types", err, "input \"B\"", "int8", "uint8")
	_, err = evalScratch(n, 1, with(3, u(4))...)
	opstest.WantErr(t, "shapes", err, "broadcast")
	_, err = evalScratch(n, 1, with(4, opstest.F32s(1, 2))...)
	opstest.WantErr(t, "B_scale", err, "B_scale", "[2]", "scalar")
	_, err = evalScratch(n, 1, with(7, ops.New(onnx.Int8))...)
	opstest.WantErr(t, "C_zero_point type", err, "C_zero_point", "int8")
	_, err = evalScratch(n, 1, with(6, nil)...)
	opstest.WantErr(t, "C_scale", err, "C_scale", "required")
	_, err = evalScratch(msNode("QLinearMul", 8), 1, with(0, ops.New(onnx.Int16, 2, 3))...)
	opstest.WantErr(t, "int16", err, "input \"A\"", "int16")
}

// TestQLinearLookupReference checks QLinearSigmoid and QLinearLeakyRelu
// element by element against dequantize, the function in float64 and
// quantize, on odd sizes cut across loop chunks.
func TestQLinearLookupReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	fns := map[string]func(float64) float64{
		"QLinearSigmoid":   func(v float64) float64 { return 1 / (1 + math.Exp(-v)) },
		"QLinearLeakyRelu": func(v float64) float64 { return max(v, 0.3*v) },
	}
	for op, fn := range fns {
		for _, dt := range []ops.DType{onnx.Uint8, onnx.Int8} {
			x := quant8Rand(rng, dt, 3, 37)
			xs, ys := 0.02+rng.Float32()*0.05, 0.004+rng.Float32()*0.01
			xz, yz := quant8Rand(rng, dt), quant8Rand(rng, dt)
			got, err := evalQ(msNode(op, 5, opstest.AttrF("alpha", 0.3)), 1, false, x, scalarF32(xs), xz, scalarF32(ys), yz)
			if err != nil {
				t.Fatalf("%s %s: %v", op, ops.TypeName(dt), err)
			}
			for i := range x.Len() {
				v := fn(float64(xs*float32(tq8(x, i)-tq8(xz, 0))))/float64(ys) + float64(tq8(yz, 0))
				lo, hi := 0.0, 255.0
				if dt == onnx.Int8 {
					lo, hi = -128, 127
				}
				want, g := max(lo, min(hi, math.RoundToEven(v))), float64(tq8(got, i))
				if g != want && !(nearTie(v) && math.Abs(g-want) == 1) {
					t.Fatalf("%s %s: element %d (x %d) is %v, want %v (exact %v)", op, ops.TypeName(dt), i, tq8(x, i), g, want, v)
				}
			}
		}
	}
	_, err := ops.Build(msNode("QLinearLeakyRelu", 5, opstest.AttrI("alpha", 1)), 1)
	opstest.WantErr(t, "alpha type", err, "alpha", "FLOAT")
	_, err = evalScratch(msNode("QLinearSigmoid", 5), 1, quant8Rand(rng, onnx.Uint8, 3), scalarF32(1), nil, opstest.I64s(1), nil)
	opstest.WantErr(t, "Y_scale type", err, "Y_scale", "int64")
}

// TestQLinearConcatReference concatenates along every axis (negative too),
// with an empty input and one with the output's parameters (copied),
// against a reference requantizing element by element.
func TestQLinearConcatReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 46))
	for _, dt := range []ops.DType{onnx.Uint8, onnx.Int8} {
		for axis := -3; axis < 3; axis++ {
			ax := (axis + 3) % 3
			sizes := []int{2, 0, 3, 1}
			ys, yz := float32(0.05), quant8Rand(rng, dt)
			in := []*ops.Tensor{scalarF32(ys), yz}
			var xs []*ops.Tensor
			for k, s := range sizes {
				shape := []int{2, 3, 4}
				shape[ax] = s
				x := quant8Rand(rng, dt, shape...)
				sc, zp := scalarF32(0.01+rng.Float32()*0.1), quant8Rand(rng, dt)
				if k == 2 {
					sc, zp = scalarF32(ys), yz
				}
				xs = append(xs, x)
				in = append(in, x, sc, zp)
			}
			label := fmt.Sprintf("%s axis %d", ops.TypeName(dt), axis)
			got, err := evalQ(msNode("QLinearConcat", len(in), opstest.AttrI("axis", int64(axis))), 1, false, in...)
			if err != nil {
				t.Fatalf("%s: %v", label, err)
			}
			want := []int{2, 3, 4}
			want[ax] = 6
			if !ops.SameShape(got.Shape, want) {
				t.Fatalf("%s: shape %v, want %v", label, got.Shape, want)
			}
			// Walk the output, finding each element's input and position.
			st := ops.Strides(want)
			for i := range got.Len() {
				c := [3]int{i / st[0], i / st[1] % want[1], i % want[2]}
				k, pos := 0, c[ax]
				for pos >= xs[k].Shape[ax] {
					pos -= xs[k].Shape[ax]
					k++
				}
				c[ax] = pos
				xsh := xs[k].Shape
				xv := tq8(xs[k], (c[0]*xsh[1]+c[1])*xsh[2]+c[2])
				sc, zp := in[3+3*k].F32()[0], in[4+3*k]
				v := float64(sc*float32(xv-tq8(zp, 0)))/float64(ys) + float64(tq8(yz, 0))
				lo, hi := 0.0, 255.0
				if dt == onnx.Int8 {
					lo, hi = -128, 127
				}
				wantV, g := max(lo, min(hi, math.RoundToEven(v))), float64(tq8(got, i))
				if g != wantV && !(nearTie(v) && math.Abs(g-wantV) == 1) {
					t.Fatalf("%s: element %d is %v, want %v (exact %v)", label, i, g, wantV, v)
				}
			}
		}
	}
}

func TestQLinearConcatErrors(t *testing.T) {
	u := func(shape ...int) *ops.Tensor { return ops.New(onnx.Uint8, shape...) }
	n := func(nIn int) *onnx.Node { return msNode("QLinearConcat", nIn, opstest.AttrI("axis", 1)) }
	ok := []*ops.Tensor{scalarF32(1), u(), u(2, 3), scalarF32(1), u(), u(2, 1), scalarF32(1), u()}
	if _, err := evalScratch(n(8), 1, ok...); err != nil {
		t.Fatal(err)
	}
	_, err := ops.Build(msNode("QLinearConcat", 5), 1)
	opstest.WantErr(t, "no axis", err, "axis", "required")
	_, err = evalScratch(n(7), 1, ok[:7]...)
	opstest.WantErr(t, "incomplete triple", err, "7 inputs", "triples")
	_, err = evalScratch(n(8), 1, append(ok[:5:5], u(3, 1), scalarF32(1), u())...)
	opstest.WantErr(t, "shapes", err, "tensor 1", "[3 1]", "outside axis 1")
	_, err = evalScratch(n(8), 1, append(ok[:5:5], ops.New(onnx.Int8, 2, 1), scalarF32(1), ops.New(onnx.Int8))...)
	opstest.WantErr(t, "types", err, "tensor 1", "int8", "Y_zero_point")
	_, err = evalScratch(msNode("QLinearConcat", 5, opstest.AttrI("axis", 2)), 1, ok[:5]...)
	opstest.WantErr(t, "axis", err, "axis", "out of range")
	_, err = evalScratch(n(8), 1, append(ok[:7:7], nil)...)
	opstest.WantErr(t, "missing zero point", err, "zero point 1", "missing")
}

// softmaxRef is QLinearSoftmax element by element as documented: rows of
// d elements inner apart, e(m - x) = float32(exp((b - (m - x))·xs)).
func softmaxRef(x *ops.Tensor, rows, d, inner int, xs, ys float32, zp int64, dt ops.DType) []int64 {
	shift := max(0, math.Log(float64(math.MaxFloat32/float32(d)))-5) / float64(xs)
	e := func(diff int64) float32 { return float32(math.Exp((float64(-diff) + shift) * float64(xs))) }
	lo, hi := 0.0, 255.0
	if dt == onnx.Int8 {
		lo, hi = -128, 127
	}
	out := make([]int64, x.Len())
	for r := range rows {
		at := func(j int) int { return r/inner*d*inner + r%inner + j*inner }
		m := tq8(x, at(0))
		for j := range d {
			m = max(m, tq8(x, at(j)))
		}
		var sum float32
		for j := range d {
			sum += e(m - tq8(x, at(j)))
		}
		yscale := float32(math.Floor(float64(1 / ys)))
		for j := range d {
			v := float32(e(m-tq8(x, at(j)))*yscale) / sum
			out[at(j)] = int64(max(lo, min(hi, math.RoundToEven(float64(v))+float64(zp))))
		}
	}
	return out
}

// TestQLinearSoftmaxReference checks every axis of a 3-D tensor for both
// Softmax semantics against softmaxRef, and that each row's output is
// within one step of the exact softmax.
func TestQLinearSoftmaxReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(47, 48))
	shape := []int{3, 5, 7}
	for _, dt := range []ops.DType{onnx.Uint8, onnx.Int8} {
		for _, opset := range []int64{12, 13} {
			for axis := int64(-3); axis < 3; axis++ {
				ax := int((axis + 3) % 3)
				x := quant8Rand(rng, dt, shape...)
				xs, ys := float32(0.03), float32(1.0/256)
				zy := quant8Rand(rng, dt)
				if dt == onnx.Int8 {
					zy.Data[0] = 0x80 // -128, so probabilities fit
				} else {
					zy.Data[0] = 0
				}
				label := fmt.Sprintf("%s opset %d axis %d", ops.TypeName(dt), opset, axis)
				got, err := evalQ(msNode("QLinearSoftmax", 5, opstest.AttrI("opset", opset), opstest.AttrI("axis", axis)), 1, false,
					x, scalarF32(xs), quant8Rand(rng, dt), scalarF32(ys), zy)
				if err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				rows, d, inner := ops.NumElems(shape[:ax])*ops.NumElems(shape[ax+1:]), shape[ax], ops.NumElems(shape[ax+1:])
				if opset < 13 {
					rows, d, inner = ops.NumElems(shape[:ax]), ops.NumElems(shape[ax:]), 1
				}
				want := softmaxRef(x, rows, d, inner, xs, ys, tq8(zy, 0), dt)
				sameQ8(t, label, got, shape, want)
				for r := range rows {
					at := func(j int) int { return r/inner*d*inner + r%inner + j*inner }
					var sum float64
					for j := range d {
						sum += math.Exp(float64(xs) * float64(tq8(x, at(j))))
					}
					for j := range d {
						p := math.Exp(float64(xs)*float64(tq8(x, at(j)))) / sum
						if g := float64(tq8(got, at(j)) - tq8(zy, 0)); math.Abs(g-p/float64(ys)) > 1 {
							t.Fatalf("%s: element %d is %v steps, exact %v", label, at(j), g, p/float64(ys))
						}
					}
				}
			}
		}
	}
	// The default axis is -1 at every opset.
	x := quant8Rand(rng, onnx.Uint8, 2, 3)
	got, err := evalQ(msNode("QLinearSoftmax", 5, opstest.AttrI("opset", 11)), 1, false, x, scalarF32(0.1), nil, scalarF32(1.0/256), nil)
	if err != nil {
		t.Fatal(err)
	}
	sameQ8(t, "default axis", got, []int{2, 3}, softmaxRef(x, 2, 3, 1, 0.1, 1.0/256, 0, onnx.Uint8))
}

func TestQLinearSoftmaxErrors(t *testing.T) {
	x := ops.New(onnx.Uint8, 2, 3)
	_, err := ops.Build(msNode("QLinearSoftmax", 5), 1)
	opstest.WantErr(t, "no opset", err, "opset", "required")
	_, err = evalScratch(msNode("QLinearSoftmax", 5, opstest.AttrI("opset", 13), opstest.AttrI("axis", 2)), 1, x, scalarF32(1), nil, scalarF32(1), nil)
	opstest.WantErr(t, "axis", err, "axis", "out of range")
	_, err = evalScratch(msNode("QLinearSoftmax", 5, opstest.AttrI("opset", 13)), 1, x, scalarF32(1), nil, scalarF32(1), ops.New(onnx.Int8))
	opstest.WantErr(t, "zero point", err, "y_zero_point", "int8")
	op, err := ops.Build(msNode("QLinearSoftmax", 5, opstest.AttrI("opset", 13)), 1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = op.Infer([]ops.Value{{Type: onnx.Float8E4M3FN, Shape: []int{2}}, {Type: onnx.Float}, {}, {Type: onnx.Float}, {}})
	if !errors.Is(err, ops.ErrUnsupported) {
		t.Errorf("float8 X: error %v, want ErrUnsupported", err)
	}
}

// TestQLinearSiLU checks the internal QLinearSiLU against what it
// replaces, QLinearMul of X and QLinearSigmoid of X, bit for bit on every
// 8-bit value of both types, with and without zero points, X as either
// factor of the product.
func TestQLinearSiLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(47, 48))
	for _, dt := range []ops.DType{onnx.Uint8, onnx.Int8} {
		x := ops.New(dt, 2, 128)
		for i := range x.Data {
			x.Data[i] = byte(i)
		}
		for round := range 6 {
			xs, ss, ys := 0.01+rng.Float32()*0.1, 1.0/256+rng.Float32()*0.002, 0.005+rng.Float32()*0.05
			xz, sz, yz := quant8Rand(rng, dt), quant8Rand(rng, dt), quant8Rand(rng, dt)
			if round == 0 {
				xz, sz, yz = nil, nil, nil
			}
			n := qNode("QLinearSiLU", 7)
			n.Domain = InternalDomain
			got, err := evalScratch(n, 1, x, scalarF32(xs), xz, scalarF32(ss), sz, scalarF32(ys), yz)
			if err != nil {
				t.Fatal(err)
			}
			sig, err := evalScratch(msNode("QLinearSigmoid", 5), 1, x, scalarF32(xs), xz, scalarF32(ss), sz)
			if err != nil {
				t.Fatal(err)
			}
			for _, swap := range []bool{false, true} {
				in := []*ops.Tensor{x, scalarF32(xs), xz, sig, scalarF32(ss), sz, scalarF32(ys), yz}
				if swap {
					in = []*ops.Tensor{sig, scalarF32(ss), sz, x, scalarF32(xs), xz, scalarF32(ys), yz}
				}
				want, err := evalScratch(msNode("QLinearMul", 8), 1, in...)
				if err != nil {
					t.Fatal(err)
				}
				for i := range x.Len() {
					if got.Data[i] != want.Data[i] {
						t.Fatalf("%s round %d swap %v: x %d gives %d, QLinearMul(x, QLinearSigmoid(x)) %d", ops.TypeName(dt), round, swap, tq8(x, i), tq8(got, i), tq8(want, i))
					}
				}
			}
		}
	}
	n := qNode("QLinearSiLU", 7)
	n.Domain = InternalDomain
	_, err := evalScratch(n, 1, quant8Rand(rng, onnx.Uint8, 3), scalarF32(1), nil, scalarF32(1), nil, nil, nil)
	opstest.WantErr(t, "Y_scale", err, "Y_scale", "required")
}
